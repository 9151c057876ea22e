"""Durations as the documents write them: seconds, ISO 8601 (PT15M, P7D) or 500ms/30s/5m/1h/2d."""

from __future__ import annotations

import re
from datetime import timedelta

_ISO = re.compile(
    r"^P(?!$)(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)
_SHORT = re.compile(r"^(?P<number>\d+(?:\.\d+)?)(?P<unit>ms|s|m|h|d)$")
_SHORT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}

# Calendar units are approximated; review cadences use review_interval() for exact months.
_DAYS_PER_YEAR = 365
_DAYS_PER_MONTH = 30

NAMED_CADENCES = {"weekly": "P7D", "monthly": "P1M", "quarterly": "P3M", "yearly": "P1Y"}


def parse_duration(value: float | int | str) -> timedelta:
    """Parse any duration form the schema allows; raise ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError(f"not a duration: {value!r}")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError(f"negative duration: {value!r}")
        return timedelta(seconds=float(value))
    short = _SHORT.match(value)
    if short:
        return timedelta(seconds=float(short["number"]) * _SHORT_SECONDS[short["unit"]])
    iso = _ISO.match(value)
    if not iso:
        raise ValueError(f"not a duration: {value!r} (use seconds, PT15M or 30s)")
    parts = {key: float(number) for key, number in iso.groupdict().items() if number}
    days = (
        parts.get("years", 0) * _DAYS_PER_YEAR
        + parts.get("months", 0) * _DAYS_PER_MONTH
        + parts.get("weeks", 0) * 7
        + parts.get("days", 0)
    )
    return timedelta(
        days=days,
        hours=parts.get("hours", 0),
        minutes=parts.get("minutes", 0),
        seconds=parts.get("seconds", 0),
    )


def review_interval(cadence: str) -> tuple[int, timedelta]:
    """Split a review cadence into whole calendar months and a remainder.

    Months are kept apart so that a monthly review of 31 January is due on 28 February,
    as a person would expect, rather than 30 days later.
    """
    iso = NAMED_CADENCES.get(cadence, cadence)
    match = _ISO.match(iso)
    if not match:
        raise ValueError(f"not a review cadence: {cadence!r}")
    parts = {key: float(number) for key, number in match.groupdict().items() if number}
    months = int(parts.get("years", 0) * 12 + parts.get("months", 0))
    rest = timedelta(
        weeks=parts.get("weeks", 0),
        days=parts.get("days", 0),
        hours=parts.get("hours", 0),
        minutes=parts.get("minutes", 0),
        seconds=parts.get("seconds", 0),
    )
    return months, rest


def format_duration(delta: timedelta) -> str:
    """A short human form: 15 min, 1 h, 4 h, 1 day, 2.5 s, 120 ms."""
    seconds = delta.total_seconds()
    if seconds == 0:
        return "immediately"
    if seconds < 1:
        return f"{seconds * 1000:g} ms"
    if seconds < 60:
        return f"{seconds:g} s"
    if seconds < 3600:
        return f"{seconds / 60:g} min"
    if seconds < 86400:
        return f"{seconds / 3600:g} h"
    days = seconds / 86400
    return f"{days:g} day" if days == 1 else f"{days:g} days"
