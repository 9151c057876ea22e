from __future__ import annotations

from datetime import date, datetime

import pytest

from runbook.model import MaintenanceWindow, Schedule
from runbook.render.schedule import (
    describe_times,
    parse_cron,
    runs_on,
    today,
    window_dates,
    window_falls_on,
    window_hours,
)

WEDNESDAY = date(2026, 11, 25)


def test_cron_fields() -> None:
    cron = parse_cron("*/15 9-10 1,15 * mon-fri")
    assert cron.minutes == {0, 15, 30, 45}
    assert cron.hours == {9, 10}
    assert cron.days == {1, 15}
    assert cron.weekdays == {0, 1, 2, 3, 4}


def test_cron_sunday_is_zero_and_seven() -> None:
    assert parse_cron("0 0 * * 0").weekdays == {6}
    assert parse_cron("0 0 * * 7").weekdays == {6}
    assert parse_cron("0 0 * * sun").weekdays == {6}


@pytest.mark.parametrize("bad", ["* * * *", "61 * * * *", "0 0 * * funday", "5-1 * * * *"])
def test_cron_rejects_what_it_cannot_read(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_cron(bad)


def test_both_day_fields_restricted_means_either() -> None:
    cron = parse_cron("0 10 1 * mon")
    assert cron.matches_day(date(2026, 12, 1))  # the 1st, a Tuesday
    assert cron.matches_day(date(2026, 11, 30))  # a Monday
    assert not cron.matches_day(WEDNESDAY)


def test_runs_on_gives_times_in_johannesburg() -> None:
    daily = Schedule(cron="0 9 * * *")
    assert [t.strftime("%H:%M") for t in runs_on(daily, WEDNESDAY) or []] == ["09:00"]
    weekdays = Schedule(cron="30 8 * * mon-fri")
    assert runs_on(weekdays, date(2026, 11, 28)) == []  # Saturday
    utc = Schedule(cron="0 23 * * *", timezone="UTC")
    times = runs_on(utc, WEDNESDAY) or []
    # 23:00 UTC on the 24th is 01:00 SAST on the 25th; the 25th's run falls on the 26th.
    assert [t.strftime("%d %H:%M") for t in times] == ["25 01:00"]


def test_runs_on_unreadable_cron_is_none() -> None:
    assert runs_on(Schedule(cron="@daily x y z w"), WEDNESDAY) is None


def test_describe_times_summarises_busy_schedules() -> None:
    times = runs_on(Schedule(cron="0 * * * *"), WEDNESDAY) or []
    assert describe_times(times) == "00:00–23:00 (24 runs)"
    assert describe_times(times[:2]) == "00:00, 01:00"


def window(**fields: object) -> MaintenanceWindow:
    base: dict[str, object] = {"id": "w", "title": "W", "start": "02:00", "end": "04:00"}
    return MaintenanceWindow(**{**base, **fields})  # type: ignore[arg-type]


def test_weekly_monthly_and_quarterly_windows() -> None:
    weekly = window(frequency="weekly", weekday="tue")
    assert [d.day for d in window_dates(weekly, WEDNESDAY, 14)] == [1, 8]
    monthly = window(frequency="monthly", weekday="sat", week_of_month=1)
    assert list(window_dates(monthly, WEDNESDAY, 45)) == [date(2026, 12, 5), date(2027, 1, 2)]
    quarterly = window(frequency="quarterly", weekday="sat", week_of_month=3, months=(1, 4))
    assert list(window_dates(quarterly, WEDNESDAY, 150)) == [date(2027, 1, 16), date(2027, 4, 17)]
    assert not window_falls_on(quarterly, date(2026, 12, 19))


def test_window_hours_marks_overnight() -> None:
    assert window_hours(window(frequency="weekly", weekday="tue")) == "02:00–04:00"
    overnight = window(frequency="weekly", weekday="tue", start="22:00", end="02:00")
    assert window_hours(overnight) == "22:00–02:00 (next day)"


def test_today_is_johannesburg_date() -> None:
    late_utc = datetime.fromisoformat("2026-11-25T23:30:00+00:00")
    assert today(late_utc) == date(2026, 11, 26)
