"""The cases app's pages, one module per audience: public (the contact form), customer
(the private case page), queue, workspace and log (the desk)."""

from django.http import Http404

from cases.models import parse_reference


def pk_or_404(reference: str) -> int:
    """The case id a reference such as HD-000123 names; 404 if it names none."""
    pk = parse_reference(reference)
    if pk is None:
        raise Http404
    return pk


# The queue's built-in views, importable from here too (../shared/bench does).
from cases.views.queue import builtin_views  # noqa: E402

__all__ = ["builtin_views", "pk_or_404"]
