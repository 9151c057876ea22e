"""Paystack-style payments: initialise, signed webhooks, idempotent replays."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from runbook.service.payments import sign
from tests.unit.service.service_helpers import (
    PAYSTACK_SECRET,
    SlotAllocator,
    admin_headers,
    booking_body,
)


def _booking(client: httpx.Client, slots: SlotAllocator) -> dict[str, Any]:
    response = client.post("/api/bookings", json=booking_body(slots.next()))
    assert response.status_code == 201, response.text
    return dict(response.json())


def _initialize(client: httpx.Client, booking_id: str) -> dict[str, Any]:
    response = client.post(
        "/api/payments/initialize", json={"booking_id": booking_id, "email": "pay@example.co.za"}
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def _event(event: str, reference: str, **data: object) -> bytes:
    return json.dumps({"event": event, "data": {"reference": reference, **data}}).encode()


def _webhook(client: httpx.Client, raw: bytes, signature: str | None = "sign") -> httpx.Response:
    headers = {"Content-Type": "application/json"}
    if signature == "sign":
        signature = sign(PAYSTACK_SECRET, raw)
    if signature is not None:
        headers["x-paystack-signature"] = signature
    return client.post("/api/payments/webhook", content=raw, headers=headers)


def _state(client: httpx.Client, booking_id: str, reference: str) -> tuple[Any, Any]:
    return (
        client.get(f"/api/bookings/{booking_id}").json(),
        client.get(f"/api/payments/{reference}").json(),
    )


def test_initialize_returns_a_paystack_style_charge(
    client: httpx.Client, slots: SlotAllocator
) -> None:
    booking = _booking(client, slots)
    payment = _initialize(client, booking["id"])
    assert payment["reference"].startswith("rb_")
    assert payment["amount_kobo"] == booking["price_zar"] * 100
    assert payment["currency"] == "ZAR"
    assert payment["status"] == "pending"
    assert payment["authorization_url"].endswith(f"/pay/{payment['reference']}")
    checkout = client.get(payment["authorization_url"])
    assert checkout.status_code == 200 and payment["reference"] in checkout.text
    assert (
        client.get(f"/api/bookings/{booking['id']}").json()["payment_reference"]
        == (payment["reference"])
    )


def test_charge_success_confirms_and_a_replay_changes_nothing(
    client: httpx.Client, slots: SlotAllocator
) -> None:
    booking = _booking(client, slots)
    payment = _initialize(client, booking["id"])
    raw = _event("charge.success", payment["reference"], amount=payment["amount_kobo"])
    first = _webhook(client, raw)
    assert first.status_code == 200
    assert first.json()["status"] == "processed"
    confirmed_booking, settled = _state(client, booking["id"], payment["reference"])
    assert confirmed_booking["status"] == "confirmed"
    assert settled["status"] == "success"
    replay = _webhook(client, raw)
    assert replay.status_code == 200
    assert replay.json()["status"] == "ignored"
    assert _state(client, booking["id"], payment["reference"]) == (confirmed_booking, settled)
    failed_after = _webhook(client, _event("charge.failed", payment["reference"]))
    assert failed_after.status_code == 200 and failed_after.json()["status"] == "ignored"
    assert _state(client, booking["id"], payment["reference"]) == (confirmed_booking, settled)
    again = client.post(
        "/api/payments/initialize", json={"booking_id": booking["id"], "email": "p@example.co.za"}
    )
    assert again.status_code == 409


def test_charge_failed_marks_the_payment_failed_only(
    client: httpx.Client, slots: SlotAllocator
) -> None:
    booking = _booking(client, slots)
    payment = _initialize(client, booking["id"])
    response = _webhook(client, _event("charge.failed", payment["reference"]))
    assert response.status_code == 200
    after_booking, after_payment = _state(client, booking["id"], payment["reference"])
    assert after_payment["status"] == "failed"
    assert after_booking["status"] == "pending_payment"
    retry = _initialize(client, booking["id"])  # the customer may try again
    assert retry["reference"] != payment["reference"]


@pytest.mark.parametrize(
    "signature",
    [None, "", "0" * 128, "not-hex", "SIGN_OTHER_BODY", "SIGN_OTHER_SECRET"],
    ids=["missing", "empty", "zeros", "garbage", "other body", "other secret"],
)
def test_bad_signatures_are_refused_and_change_nothing(
    client: httpx.Client, slots: SlotAllocator, signature: str | None
) -> None:
    booking = _booking(client, slots)
    payment = _initialize(client, booking["id"])
    raw = _event("charge.success", payment["reference"])
    if signature == "SIGN_OTHER_BODY":
        signature = sign(PAYSTACK_SECRET, raw + b" ")
    elif signature == "SIGN_OTHER_SECRET":
        signature = sign("sk_test_someone_else", raw)
    before = _state(client, booking["id"], payment["reference"])
    response = _webhook(client, raw, signature)
    assert response.status_code == 401
    assert response.json()["error"]["code"] in {"missing_signature", "invalid_signature"}
    assert _state(client, booking["id"], payment["reference"]) == before


def test_signed_but_unusable_events(client: httpx.Client, slots: SlotAllocator) -> None:
    booking = _booking(client, slots)
    payment = _initialize(client, booking["id"])
    before = _state(client, booking["id"], payment["reference"])
    unknown = _webhook(client, _event("charge.success", "rb_unknown"))
    assert unknown.status_code == 404
    mismatch = _webhook(client, _event("charge.success", payment["reference"], amount=1))
    assert mismatch.status_code == 422
    assert mismatch.json()["error"]["code"] == "amount_mismatch"
    ignored = _webhook(client, _event("transfer.success", payment["reference"]))
    assert ignored.status_code == 200 and ignored.json()["status"] == "ignored"
    not_json = _webhook(client, b"{oops")
    assert not_json.status_code == 400
    assert _state(client, booking["id"], payment["reference"]) == before


def test_payments_down_fault(client: httpx.Client, slots: SlotAllocator) -> None:

    booking = _booking(client, slots)
    payment = _initialize(client, booking["id"])
    client.post(
        "/api/admin/faults", json={"fault": "payments_down"}, headers=admin_headers()
    ).raise_for_status()
    raw = _event("charge.success", payment["reference"])
    assert _webhook(client, raw).status_code == 503
    assert client.get(f"/api/payments/{payment['reference']}").status_code == 503
    health = client.get("/api/health").json()
    assert health["status"] == "degraded"
    assert health["components"]["payments"]["status"] == "down"
    routes = {error["route"] for error in client.get("/api/errors").json()["errors"]}
    assert {"/api/payments/webhook", "/api/payments/{reference}"} <= routes
    client.delete("/api/admin/faults/payments_down", headers=admin_headers())
    assert _webhook(client, raw).json()["status"] == "processed"
