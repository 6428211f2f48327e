"""Business time: adding and measuring working minutes on a calendar (time zone, weekly
hours, holidays), or wall-clock time without one."""

import logging
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from agents.models import BusinessCalendar

logger = logging.getLogger(__name__)


class Clock:
    """Adds and measures working time on a business calendar, or wall-clock time without one."""

    def __init__(self, calendar: BusinessCalendar | None):
        self.hours: dict[int, list] = {}
        self.holidays: set[date] = set()
        self.zone = UTC
        if calendar is not None:
            try:
                self.zone = ZoneInfo(calendar.time_zone)
            except (ValueError, KeyError):  # ZoneInfoNotFoundError is a KeyError
                # The admin validates the name; one stored before must not stop the desk.
                logger.error("Calendar %s has an unknown time zone; using UTC.", calendar.pk)
            for hours in calendar.hours.all():
                self.hours.setdefault(hours.weekday, []).append((hours.start, hours.end))
            self.holidays = {holiday.date for holiday in calendar.holidays.all()}
        # A calendar without any working hours would never reach a target.
        self.wall_clock = not self.hours

    def _intervals(self, start: datetime):
        """Working intervals (UTC) from the day of `start` on, for up to two years."""
        day = start.astimezone(self.zone).date()
        for _ in range(731):
            if day not in self.holidays:
                for opens, closes in sorted(self.hours.get(day.weekday(), [])):
                    yield (
                        datetime.combine(day, opens, self.zone).astimezone(UTC),
                        datetime.combine(day, closes, self.zone).astimezone(UTC),
                    )
            day += timedelta(days=1)

    def add(self, start: datetime, minutes: int) -> datetime:
        """The moment `minutes` of working time after `start`."""
        if self.wall_clock:
            return start + timedelta(minutes=minutes)
        remaining = timedelta(minutes=minutes)
        for opens, closes in self._intervals(start):
            begin = max(opens, start)
            if begin >= closes:
                continue
            if remaining <= closes - begin:
                return begin + remaining
            remaining -= closes - begin
        raise ValueError("The calendar has no working time in the next two years.")

    def minutes_between(self, start: datetime, end: datetime) -> int:
        """Working minutes from `start` to `end` (0 if end is not after start)."""
        if end <= start:
            return 0
        if self.wall_clock:
            return int((end - start).total_seconds() // 60)
        total = timedelta()
        for opens, closes in self._intervals(start):
            if opens >= end:
                break
            begin, finish = max(opens, start), min(closes, end)
            if finish > begin:
                total += finish - begin
        return int(total.total_seconds() // 60)
