from __future__ import annotations

from datetime import timedelta

import pytest

from runbook.model import format_duration, parse_duration, review_interval


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (5, timedelta(seconds=5)),
        (0.5, timedelta(milliseconds=500)),
        ("500ms", timedelta(milliseconds=500)),
        ("30s", timedelta(seconds=30)),
        ("5m", timedelta(minutes=5)),
        ("1h", timedelta(hours=1)),
        ("2d", timedelta(days=2)),
        ("PT15M", timedelta(minutes=15)),
        ("PT0S", timedelta(0)),
        ("P1DT2H", timedelta(days=1, hours=2)),
        ("P2W", timedelta(days=14)),
        ("PT1.5S", timedelta(seconds=1.5)),
    ],
)
def test_parse_duration(text: float | str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["P", "PT", "5 min", "-1", "15M", True])
def test_parse_duration_refuses(text: object) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)  # type: ignore[arg-type]


def test_review_interval_keeps_calendar_months_apart() -> None:
    assert review_interval("monthly") == (1, timedelta(0))
    assert review_interval("quarterly") == (3, timedelta(0))
    assert review_interval("weekly") == (0, timedelta(days=7))
    assert review_interval("P1Y2M3D") == (14, timedelta(days=3))


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(0), "immediately"),
        (timedelta(milliseconds=120), "120 ms"),
        (timedelta(seconds=2.5), "2.5 s"),
        (timedelta(minutes=15), "15 min"),
        (timedelta(hours=4), "4 h"),
        (timedelta(days=1), "1 day"),
    ],
)
def test_format_duration(delta: timedelta, text: str) -> None:
    assert format_duration(delta) == text
