"""Pure pieces: business hours, slots, fault counters, percentiles, webhook signatures."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction

import pytest

from runbook.service.domain import (
    SAST,
    SERVICES_BY_ID,
    check_bookable,
    free_slots,
    next_open_days,
    parse_start,
)
from runbook.service.faults import ActiveFault, Faults
from runbook.service.metrics import ErrorLog, RequestWindow, percentile, render_prometheus
from runbook.service.payments import sign, signature_matches
from runbook.service.wire import ApiError

NOW = datetime(2030, 3, 4, 12, 0, tzinfo=SAST)  # a Monday
TUESDAY = date(2030, 3, 5)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), SAST)


@pytest.mark.parametrize(
    ("start", "minutes", "code"),
    [
        (at(TUESDAY, 8), 60, None),
        (at(TUESDAY, 17), 60, None),
        (at(TUESDAY, 7, 45), 30, "outside_business_hours"),
        (at(TUESDAY, 17, 30), 45, "outside_business_hours"),
        (at(TUESDAY + timedelta(days=4), 10), 60, None),  # Saturday
        (at(TUESDAY + timedelta(days=5), 10), 60, "outside_business_hours"),  # Sunday
        (at(TUESDAY + timedelta(days=6), 13), 60, "outside_business_hours"),  # Monday
        (NOW - timedelta(hours=1), 60, "start_in_past"),
        (NOW + timedelta(days=400), 60, "too_far_ahead"),
    ],
)
def test_business_hours(start: datetime, minutes: int, code: str | None) -> None:
    if code is None:
        check_bookable(start, timedelta(minutes=minutes), NOW)
        return
    with pytest.raises(ApiError) as raised:
        check_bookable(start, timedelta(minutes=minutes), NOW)
    assert raised.value.status == 422 and raised.value.code == code


def test_offsets_are_honoured() -> None:
    utc = parse_start("2030-03-05T06:00:00Z")  # 08:00 in Johannesburg
    check_bookable(utc, timedelta(minutes=60), NOW)
    assert utc == at(TUESDAY, 8)
    with pytest.raises(ApiError):
        parse_start("2030-03-05T08:00:00")  # no offset: ambiguous


def test_free_slots_skip_busy_time_and_respect_closing() -> None:
    duration = SERVICES_BY_ID["svc-wash-blowdry"].duration
    busy = [(at(TUESDAY, 10), at(TUESDAY, 11))]
    slots = free_slots(TUESDAY, duration, busy, NOW)
    starts = [start.time() for start, _ in slots]
    assert starts[0] == time(8, 0)
    assert starts[-1] == time(17, 0)
    assert time(9, 0) in starts and time(11, 0) in starts
    assert not {time(9, 15), time(10, 0), time(10, 45)} & set(starts)
    assert free_slots(TUESDAY - timedelta(days=1), duration, [], NOW) == []


def test_next_open_days_skip_sunday_and_monday() -> None:
    assert [d.weekday() for d in next_open_days(date(2030, 3, 8), 3)] == [5, 1, 2]


@pytest.mark.parametrize("rate", ["0.1", "0.25", "0.333", "0.5", "1", "0"])
def test_rate_counter_is_exact(rate: str) -> None:
    fault = ActiveFault("error_rate", {"rate": float(rate)}, NOW, rate=Fraction(rate))
    taken = sum(fault.take() for _ in range(1000))
    assert taken == int(Fraction(rate) * 1000)


def test_fault_registry() -> None:
    faults = Faults()
    faults.set("latency", {"ms": 250})
    faults.set("flood", {})
    assert faults.latency_ms() == 250
    assert faults.flood_rps() == 5000
    assert faults.snapshot()["flood"]["rate"] == 0.5
    assert faults.names() == ["flood", "latency"]
    faults.clear("latency")
    assert not faults.active("latency")
    with pytest.raises(ApiError):
        faults.clear("meteor")
    faults.clear_all()
    assert faults.names() == []


def test_window_percentiles_and_expiry() -> None:
    now = [1000.0]
    window = RequestWindow(300, clock=lambda: now[0])
    for latency in range(1, 101):
        window.record(200, float(latency), probe=False)
    window.record(503, 5.0, probe=False)
    window.record(200, 9999.0, probe=True)
    figures = window.figures()
    assert figures.requests == 102 and figures.app_requests == 101
    assert figures.errors == 1
    assert figures.p50 == 50.0 and figures.p99 == 99.0
    assert figures.availability_percent == pytest.approx(100 / 101 * 100, abs=0.001)
    now[0] += 301
    assert window.figures().requests == 0
    assert window.figures().availability_percent == 100.0
    assert percentile([], 0.5) == 0.0


def test_error_log_groups_and_orders() -> None:
    log = ErrorLog()
    t0 = datetime(2030, 1, 1, tzinfo=UTC)
    log.record("/a", 500, "boom", t0)
    log.record("/b", 503, "down", t0 + timedelta(seconds=1))
    log.record("/a", 500, "boom", t0 + timedelta(seconds=2))
    listing = log.listing(10)
    assert [(e["route"], e["count"]) for e in listing["errors"]] == [("/a", 2), ("/b", 1)]
    assert listing["errors"][0]["time"] == "2030-01-01T00:00:00.000Z"
    assert listing["errors"][0]["last_seen"] == "2030-01-01T00:00:02.000Z"


def test_prometheus_rendering_handles_booleans() -> None:
    payload = {
        "window_seconds": 300,
        "requests": 3,
        "errors": 0,
        "error_rate_percent": 0.0,
        "requests_per_second": 1.5,
        "availability_percent": 100.0,
        "bookings_today": 2,
        "booking_conversion_percent": 20.0,
        "payment_failure_rate_percent": 0.0,
        "flood_suspected": True,
        "latency_ms": {"p50": 1.0, "p95": 2.0, "p99": 3.0},
    }
    text = render_prometheus(payload)
    assert "runbook_service_flood_suspected 1\n" in text
    assert 'runbook_service_latency_ms{quantile="0.99"} 3.0\n' in text


def test_signature_is_hmac_sha512_of_the_raw_body() -> None:
    body = b'{"event":"charge.success"}'
    expected = hmac.new(b"sk_test_x", body, hashlib.sha512).hexdigest()
    assert sign("sk_test_x", body) == expected
    assert signature_matches("sk_test_x", body, expected)
    assert signature_matches("sk_test_x", body, expected.upper())
    assert not signature_matches("sk_test_x", body + b" ", expected)
    assert not signature_matches("sk_test_x", body, None)
    assert not signature_matches("sk_test_x", body, "")
