"""Writing to the audit log: `audit_record(action, ...)`, in the caller's transaction."""

from django.db import models

from audit.models import Action, AuditEntry
from helpdesk.lib.ratelimit import client_address

__all__ = ["Action", "audit_record"]


def audit_record(
    action: Action,
    *,
    request=None,
    actor=None,
    actor_name: str = "",
    target: models.Model | None = None,
    label: str | None = None,
    detail: str = "",
) -> AuditEntry:
    """Add an entry. The actor is the request's user unless named; the address is the
    request's client (helpdesk.lib.ratelimit.client_address); `target` is what the
    action was done to, shown as `label` when given (a person's name does not belong
    in a log that outlives their erasure) or else as str(target)."""
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
    if actor is not None and not actor_name:
        actor_name = actor.get_username()
    entry = AuditEntry(
        action=action,
        actor=actor,
        actor_name=actor_name[:150],
        address=client_address(request) if request is not None else "",
        detail=detail,
    )
    if target is not None:
        entry.target_type = target._meta.label_lower
        entry.target_id = str(target.pk)
        entry.target = (str(target) if label is None else label)[:200]
    entry.save()
    return entry
