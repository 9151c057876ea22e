"""When scheduled runbooks run and when maintenance windows fall, for the home page and calendar.

A small five-field cron reader (numbers, names, ``*``, ranges, lists and steps) is enough for
the schedules documents write; anything it cannot read is shown as written, never guessed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from runbook.model import MaintenanceWindow, Schedule

HOME_ZONE = "Africa/Johannesburg"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
DEFAULT_QUARTER_MONTHS = (1, 4, 7, 10)


@dataclass(frozen=True)
class Cron:
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # Python numbering: Monday 0 .. Sunday 6
    any_day: bool
    any_weekday: bool

    def matches_day(self, day: date) -> bool:
        if day.month not in self.months:
            return False
        in_month = day.day in self.days
        in_week = day.weekday() in self.weekdays
        # Classic cron: when both day fields are restricted, either one may match.
        if not self.any_day and not self.any_weekday:
            return in_month or in_week
        return in_month and in_week

    def times(self) -> list[time]:
        return [
            time(hour, minute) for hour in sorted(self.hours) for minute in sorted(self.minutes)
        ]


def _field(text: str, low: int, high: int, names: tuple[str, ...] = ()) -> frozenset[int]:
    def number(token: str) -> int:
        lowered = token.lower()
        if lowered in names:
            return names.index(lowered) + low
        value = int(token)
        if not low <= value <= high:
            raise ValueError(f"{token} is outside {low}-{high}")
        return value

    values: set[int] = set()
    for part in text.split(","):
        span, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if step < 1:
            raise ValueError(f"bad step in {part!r}")
        if span == "*":
            first, last = low, high
        elif "-" in span:
            start, _, end = span.partition("-")
            first, last = number(start), number(end)
        else:
            first = number(span)
            last = high if step_text else first
        if first > last:
            raise ValueError(f"empty range {part!r}")
        values.update(range(first, last + 1, step))
    return frozenset(values)


def parse_cron(expression: str) -> Cron:
    """Read a five-field cron expression; raise ValueError for what it cannot read."""
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(f"expected 5 fields, got {len(fields)}")
    minute, hour, day, month, weekday = fields
    cron_weekdays = _field(weekday, 0, 7, ("sun", *WEEKDAYS[:-1]))
    return Cron(
        minutes=_field(minute, 0, 59),
        hours=_field(hour, 0, 23),
        days=_field(day, 1, 31),
        months=_field(month, 1, 12, MONTHS),
        # cron counts Sunday as 0 (and 7); Python's weekday() counts Monday as 0.
        weekdays=frozenset((value - 1) % 7 for value in cron_weekdays),
        any_day=day == "*",
        any_weekday=weekday == "*",
    )


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(HOME_ZONE)


def runs_on(schedule: Schedule, day: date, view_zone: str = HOME_ZONE) -> list[datetime] | None:
    """The times on ``day`` (in ``view_zone``) a schedule fires; None when it cannot be read."""
    try:
        cron = parse_cron(schedule.cron)
    except ValueError:
        return None
    source, view = zone(schedule.timezone), zone(view_zone)
    found: list[datetime] = []
    # The schedule's own calendar day may straddle ours when the zones differ.
    for offset in (-1, 0, 1):
        local_day = day + timedelta(days=offset)
        if not cron.matches_day(local_day):
            continue
        for moment in cron.times():
            when = datetime.combine(local_day, moment, tzinfo=source).astimezone(view)
            if when.date() == day:
                found.append(when)
    return sorted(found)


def describe_times(times: list[datetime]) -> str:
    """``09:00`` or ``09:00, 13:00`` or, for busy schedules, ``00:00–23:00 (24 runs)``."""
    labels = [moment.strftime("%H:%M") for moment in times]
    if len(labels) <= 4:
        return ", ".join(labels)
    return f"{labels[0]}–{labels[-1]} ({len(labels)} runs)"


def window_falls_on(window: MaintenanceWindow, day: date) -> bool:
    if WEEKDAYS[day.weekday()] != window.weekday:
        return False
    if window.frequency == "weekly":
        return True
    if (day.day - 1) // 7 + 1 != (window.week_of_month or 1):
        return False
    if window.frequency == "quarterly":
        return day.month in (window.months or DEFAULT_QUARTER_MONTHS)
    return True


def window_dates(window: MaintenanceWindow, start: date, days: int) -> Iterator[date]:
    """Every date in ``[start, start + days)`` the window opens on."""
    for offset in range(days):
        day = start + timedelta(days=offset)
        if window_falls_on(window, day):
            yield day


def window_hours(window: MaintenanceWindow) -> str:
    overnight = window.end <= window.start
    return f"{window.start}–{window.end}{' (next day)' if overnight else ''}"


def today(clock: datetime | None = None) -> date:
    """The date in Johannesburg now: what "today" means for schedules and review badges."""
    return (clock or datetime.now(tz=zone(HOME_ZONE))).astimezone(zone(HOME_ZONE)).date()
