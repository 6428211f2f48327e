"""Response times: due times (due, clock), the reminders and escalations a sweep sends
(reminders), and their admin, views and tasks."""


def sweep(*, now=None, batch: int = 500, mail: bool = True) -> int:
    """One pass of the response-time sweep (cases.sla.reminders.sweep), callable as
    `cases.sla.sweep(now=...)` as before the package was split (../shared/bench does)."""
    # Deferred: the reminders sit above cases.transitions, which imports this package.
    from cases.sla import reminders

    return reminders.sweep(now=now, batch=batch, mail=mail)
