from datetime import time

from agents.models import BusinessCalendar
from cases.models import SlaPolicy, SlaTarget


def office_calendar(time_zone="Europe/Paris", holidays=()):
    """Monday to Friday, 9:00 to 17:00."""
    calendar = BusinessCalendar.objects.create(name=f"Office {time_zone}", time_zone=time_zone)
    for weekday in range(5):
        calendar.hours.create(weekday=weekday, start=time(9), end=time(17))
    for day in holidays:
        calendar.holidays.create(date=day, name="Holiday")
    return calendar


def policy(name="Standard", *, calendar=None, warning=30, targets=None, **fields):
    """A policy with targets per priority: {priority: (first, next, resolution)} in minutes."""
    fields.setdefault("is_default", True)
    made = SlaPolicy.objects.create(name=name, calendar=calendar, warning_minutes=warning, **fields)
    for priority, (first, later, resolution) in (targets or {2: (60, 120, 480)}).items():
        SlaTarget.objects.create(
            policy=made,
            priority=priority,
            first_response_minutes=first,
            next_reply_minutes=later,
            resolution_minutes=resolution,
        )
    return made
