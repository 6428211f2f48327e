"""A routing whose transaction stays open: what another routing meets at the same moment."""

import threading
from contextlib import contextmanager

from django.db import connections, transaction

from cases import routing
from cases.models import Case


@contextmanager
def routing_held(case: Case):
    """Route `case` in a thread of its own and keep its transaction (its row locks) open
    until the block ends, or until the event given to the block is set."""
    routed, release, errors = threading.Event(), threading.Event(), []

    def hold():
        try:
            with transaction.atomic():
                routing.route(Case.objects.get(pk=case.pk))
                routed.set()
                release.wait(timeout=10)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert routed.wait(timeout=10), errors
        yield release
    finally:
        release.set()
        thread.join(timeout=10)
    assert errors == []
