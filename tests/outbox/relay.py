"""The relay in simulated time, and mail as the portal stores it."""

import math
from datetime import timedelta
from itertools import count

from django.db.models import Min
from django.utils import timezone

from outbox import delivery
from outbox.models import OutboundEmail

BEAT = timedelta(seconds=2)  # how often beat runs the relay (CELERY_BEAT_SCHEDULE)
numbers = count()


def relay_until(clock, until) -> None:
    """Run the relay as beat does, every two seconds from now, until `until`, moving the
    time-machine `clock` along: passes that would find nothing due are skipped. Passes
    fall on a two-second grid from where the clock stands: keep `until` on it too."""
    tick = timezone.now()
    while True:
        due = OutboundEmail.objects.filter(sent_at__isnull=True, failed_at__isnull=True).aggregate(
            first=Min("next_attempt_at")
        )["first"]
        if due is None:
            break
        if due > tick:
            tick += BEAT * math.ceil((due - tick) / BEAT)
        if tick > until:
            break
        clock.move_to(tick)
        delivery.outbox_sweep()
        tick += BEAT
    clock.move_to(until)


def mail_stored(to: str, *, case=None, kind=OutboundEmail.Kind.REPLY, **fields) -> OutboundEmail:
    """A mail in the outbox, as the portal stores it for the relay to send."""
    return OutboundEmail.objects.create(
        case=case,
        kind=kind,
        to=to,
        subject=fields.pop("subject", "Re: Printer on fire"),
        body_text=fields.pop("body_text", "Hello Maria, the fire brigade is on its way."),
        message_id_header=f"<test-{next(numbers)}@helpdesk.localhost>",
        **fields,
    )
