"""Bad input of every kind gets a 4xx JSON error with a message, never a 500."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from runbook.service.config import MAX_BODY_BYTES
from tests.unit.service.service_helpers import SlotAllocator, admin_headers, booking_body

JSON = {"Content-Type": "application/json"}


def _cases(slot_iso: str) -> list[tuple[str, str, str, dict[str, Any], int]]:
    good: dict[str, Any] = {
        "service_id": "svc-treatment",
        "staff_id": "stf-thandi",
        "start": slot_iso,
        "customer": {"name": "A", "email": "a@example.co.za"},
    }

    def body(**changes: Any) -> dict[str, Any]:
        return {"json": {**good, **changes}}

    def customer(**changes: Any) -> dict[str, Any]:
        return {"json": {**good, "customer": {**good["customer"], **changes}}}

    huge = b'{"x": "' + b"a" * (MAX_BODY_BYTES + 10) + b'"}'
    bookings = "/api/bookings"
    return [
        ("invalid json", "POST", bookings, {"content": b"{nope", "headers": JSON}, 400),
        ("empty body", "POST", bookings, {"content": b"", "headers": JSON}, 400),
        ("NaN", "POST", bookings, {"content": b'{"a": NaN}', "headers": JSON}, 400),
        (
            "text/plain",
            "POST",
            bookings,
            {"content": b"{}", "headers": {"Content-Type": "text/plain"}},
            415,
        ),
        ("no content type", "POST", bookings, {"content": b"{}"}, 415),
        ("form data", "POST", bookings, {"data": {"a": "b"}}, 415),
        ("too large", "POST", bookings, {"content": huge, "headers": JSON}, 413),
        ("too large chunked", "POST", bookings, {"content": _chunks(huge), "headers": JSON}, 413),
        ("array body", "POST", bookings, {"json": [1, 2]}, 422),
        (
            "lone surrogate",
            "POST",
            bookings,
            {"content": b'{"service_id": "\\ud800"}', "headers": JSON},
            400,
        ),
        (
            "deep nesting",
            "POST",
            bookings,
            {"content": b"[" * 30000 + b"]" * 30000, "headers": JSON},
            400,
        ),
        ("start in year 9999", "POST", bookings, body(start="9999-12-31T23:30:00+02:00"), 422),
        ("start in year 1", "POST", bookings, body(start="0001-01-01T00:00:00+02:00"), 422),
        ("missing service", "POST", bookings, body(service_id=None), 422),
        ("service as number", "POST", bookings, body(service_id=7), 422),
        ("unknown service", "POST", bookings, body(service_id="svc-nope"), 422),
        ("unknown staff", "POST", bookings, body(staff_id="stf-nope"), 422),
        ("staff as list", "POST", bookings, body(staff_id=["stf-thandi"]), 422),
        ("start missing", "POST", bookings, body(start=None), 422),
        ("start as number", "POST", bookings, body(start=1700000000), 422),
        ("start garbage", "POST", bookings, body(start="next tuesday"), 422),
        ("start naive", "POST", bookings, body(start=slot_iso[:19]), 422),
        ("start in past", "POST", bookings, body(start="2020-01-07T09:00:00+02:00"), 422),
        ("start far ahead", "POST", bookings, body(start="2999-01-08T09:00:00+02:00"), 422),
        ("customer missing", "POST", bookings, body(customer=None), 422),
        ("customer string", "POST", bookings, body(customer="Lindiwe"), 422),
        ("bad email", "POST", bookings, customer(email="not-an-email"), 422),
        ("empty name", "POST", bookings, customer(name="  "), 422),
        ("long name", "POST", bookings, customer(name="x" * 101), 422),
        ("bad phone", "POST", bookings, customer(phone="call me"), 422),
        ("unknown booking", "GET", "/api/bookings/bk_missing", {}, 404),
        ("cancel unknown", "POST", "/api/bookings/bk_missing/cancel", {}, 404),
        (
            "reschedule unknown",
            "POST",
            "/api/bookings/bk_missing/reschedule",
            {"json": {"start": slot_iso}},
            404,
        ),
        ("reschedule no start", "POST", "/api/bookings/bk_missing/reschedule", {"json": {}}, 422),
        ("availability no params", "GET", "/api/availability", {}, 422),
        (
            "availability bad date",
            "GET",
            "/api/availability",
            {
                "params": {
                    "staff_id": "stf-thandi",
                    "service_id": "svc-treatment",
                    "date": "31/12/2030",
                }
            },
            422,
        ),
        (
            "availability unknown staff",
            "GET",
            "/api/availability",
            {"params": {"staff_id": "x", "service_id": "svc-treatment", "date": "2030-01-01"}},
            422,
        ),
        ("unknown payment", "GET", "/api/payments/rb_missing", {}, 404),
        (
            "pay unknown booking",
            "POST",
            "/api/payments/initialize",
            {"json": {"booking_id": "bk_missing", "email": "a@example.co.za"}},
            422,
        ),
        (
            "pay bad email",
            "POST",
            "/api/payments/initialize",
            {"json": {"booking_id": "bk_missing", "email": 5}},
            422,
        ),
        ("unknown route", "GET", "/api/nothing-here", {}, 404),
        ("wrong method", "DELETE", "/api/services", {}, 405),
        ("errors bad limit", "GET", "/api/errors", {"params": {"limit": "lots"}}, 422),
        ("errors zero limit", "GET", "/api/errors", {"params": {"limit": "0"}}, 422),
        ("login types", "POST", "/api/auth/login", {"json": {"email": ["x"], "password": 1}}, 422),
        (
            "login wrong password",
            "POST",
            "/api/auth/login",
            {"json": {"email": "owner@instylehairboutique.co.za", "password": "nope"}},
            401,
        ),
        (
            "session garbage token",
            "GET",
            "/api/auth/session",
            {"headers": {"Authorization": "Bearer nope"}},
            401,
        ),
        (
            "unknown fault",
            "POST",
            "/api/admin/faults",
            {"json": {"fault": "meteor"}, "headers": admin_headers()},
            422,
        ),
        (
            "latency without ms",
            "POST",
            "/api/admin/faults",
            {"json": {"fault": "latency"}, "headers": admin_headers()},
            422,
        ),
        (
            "latency ms text",
            "POST",
            "/api/admin/faults",
            {"json": {"fault": "latency", "ms": "fast"}, "headers": admin_headers()},
            422,
        ),
        (
            "latency ms fraction",
            "POST",
            "/api/admin/faults",
            {"json": {"fault": "latency", "ms": 1.5}, "headers": admin_headers()},
            422,
        ),
        (
            "rate above one",
            "POST",
            "/api/admin/faults",
            {"json": {"fault": "error_rate", "rate": 2}, "headers": admin_headers()},
            422,
        ),
        (
            "rate as bool",
            "POST",
            "/api/admin/faults",
            {"json": {"fault": "error_rate", "rate": True}, "headers": admin_headers()},
            422,
        ),
        (
            "stray fault param",
            "POST",
            "/api/admin/faults",
            {"json": {"fault": "database_down", "ms": 5}, "headers": admin_headers()},
            422,
        ),
        (
            "clear unknown fault",
            "DELETE",
            "/api/admin/faults/meteor",
            {"headers": admin_headers()},
            404,
        ),
    ]


def _chunks(data: bytes) -> Iterator[bytes]:
    for start in range(0, len(data), 8192):
        yield data[start : start + 8192]


# Far enough ahead to be refused only by the check each case is about (or 365-day limit).
_START = "2030-01-08T09:00:00+02:00"
CASES = _cases(_START)


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_bad_input_gets_a_json_4xx(
    client: httpx.Client, case: tuple[str, str, str, dict[str, Any], int]
) -> None:
    _, method, path, kwargs, expected = case
    response = client.request(method, path, **kwargs)
    assert response.status_code == expected, response.text
    error = response.json()["error"]
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and len(error["message"]) > 5


def test_the_whole_matrix_causes_no_server_error(
    fresh_client: httpx.Client, slots: SlotAllocator
) -> None:
    for _, method, path, kwargs, _expected in _cases(_START):  # fresh generator bodies
        assert fresh_client.request(method, path, **kwargs).status_code < 500
    assert fresh_client.post("/api/bookings", json=booking_body(slots.next())).status_code == 201
    metrics = fresh_client.get("/api/metrics").json()
    assert metrics["errors"] == 0
    assert fresh_client.get("/api/errors").json()["total"] == 0
