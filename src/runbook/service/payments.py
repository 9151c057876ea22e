"""Paystack-style payments: initialise a charge, then settle it from a signed webhook."""

from __future__ import annotations

import hashlib
import hmac
import html
import sqlite3
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import BaseRoute, Route

from runbook.service import ledger
from runbook.service.context import ServiceContext
from runbook.service.domain import parse_email, utc_now
from runbook.service.wire import (
    ApiError,
    get_str,
    invalid,
    parse_json,
    read_body,
    read_json_object,
    require_json_content_type,
)

SIGNATURE_HEADER = "x-paystack-signature"
SETTLING_EVENTS = ("charge.success", "charge.failed")


def sign(secret: str, body: bytes) -> str:
    """Paystack signs the raw request body: hex HMAC-SHA512 keyed with the secret key."""
    return hmac.new(secret.encode(), body, hashlib.sha512).hexdigest()


def signature_matches(secret: str, body: bytes, signature: str | None) -> bool:
    if not signature:
        return False
    return hmac.compare_digest(sign(secret, body).encode(), signature.strip().lower().encode())


def routes(ctx: ServiceContext) -> list[BaseRoute]:
    def guard() -> None:
        if ctx.faults.active("payments_down"):
            raise ApiError(
                503,
                "payments_unavailable",
                "the payment provider is unavailable (fault: payments_down)",
            )

    async def initialize(request: Request) -> JSONResponse:
        guard()
        body = await read_json_object(request)
        booking_id = get_str(body, "booking_id", max_length=64)
        email = parse_email(body)
        now = utc_now()
        payment = await ctx.write(lambda c: ledger.create_payment(c, booking_id, email, now))
        base = str(request.base_url).rstrip("/")
        return JSONResponse(
            {
                **payment,
                "authorization_url": f"{base}/pay/{payment['reference']}",
            }
        )

    async def webhook(request: Request) -> JSONResponse:
        guard()
        raw = await read_body(request)
        signature = request.headers.get(SIGNATURE_HEADER)
        if signature is None:
            raise ApiError(401, "missing_signature", f"the {SIGNATURE_HEADER} header is required")
        if not signature_matches(ctx.settings.paystack_secret, raw, signature):
            raise ApiError(401, "invalid_signature", f"{SIGNATURE_HEADER} does not match the body")
        require_json_content_type(request)
        event, reference, amount = _parse_event(parse_json(raw))
        if event not in SETTLING_EVENTS:
            return JSONResponse({"status": "ignored", "event": event, "reason": "unhandled event"})
        now = utc_now()

        def settle(connection: sqlite3.Connection) -> ledger.ChargeOutcome:
            return ledger.apply_charge(connection, reference, event, amount, now)

        outcome = await ctx.write(settle)
        return JSONResponse(
            {
                "status": "processed" if outcome.applied else "ignored",
                "event": event,
                "reason": outcome.reason,
                "payment": outcome.payment,
            }
        )

    async def payment_in(request: Request) -> dict[str, Any]:
        guard()
        reference = str(request.path_params["reference"])
        payment = await ctx.read(lambda c: ledger.find_payment(c, reference))
        if payment is None:
            raise ApiError(
                404, "payment_not_found", f"no payment with reference '{reference[:60]}'"
            )
        return payment

    async def get_payment(request: Request) -> JSONResponse:
        return JSONResponse(await payment_in(request))

    async def checkout(request: Request) -> HTMLResponse:
        payment = await payment_in(request)
        amount = f"R{payment['amount_kobo'] / 100:,.2f}"
        return HTMLResponse(
            "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            "<title>Test checkout</title></head><body><h1>Test checkout</h1>"
            f"<p>Reference <code>{html.escape(str(payment['reference']))}</code>: {amount}, "
            f"status {html.escape(str(payment['status']))}.</p>"
            "<p>This stand-in takes no card details: a signed <code>charge.success</code> "
            "webhook settles the payment.</p></body></html>"
        )

    return [
        Route("/api/payments/initialize", initialize, methods=["POST"]),
        Route("/api/payments/webhook", webhook, methods=["POST"]),
        Route("/api/payments/{reference}", get_payment, methods=["GET"]),
        Route("/pay/{reference}", checkout, methods=["GET"]),
    ]


def _parse_event(payload: Any) -> tuple[str, str, int | None]:
    if not isinstance(payload, dict):
        raise invalid("webhook body must be a JSON object")
    event = payload.get("event")
    if not isinstance(event, str) or not event:
        raise invalid("'event' is required")
    data = payload.get("data")
    if not isinstance(data, dict):
        raise invalid("'data' must be an object")
    reference = get_str(data, "reference", max_length=100)
    amount = data.get("amount")
    if amount is not None and (not isinstance(amount, int) or isinstance(amount, bool)):
        raise invalid("'data.amount' must be an integer number of kobo")
    return event, reference, amount
