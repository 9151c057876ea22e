"""OpenAPI 3.1 description of every route, precise enough to validate responses against."""

from __future__ import annotations

from runbook.service.config import service_version
from runbook.service.openapi_schemas import (
    SCHEMAS,
    SERVICE_ID,
    STAFF_ID,
    STRING,
    Schema,
    ref,
)


def _json(schema: Schema, description: str) -> Schema:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> Schema:
    return _json(ref("Error"), description)


_COMMON_ERRORS: dict[str, Schema] = {
    "429": _error("Shedding load (fault: flood)"),
    "500": _error("Internal or injected failure (fault: error_rate)"),
    "default": _error("Any other error, in the same envelope"),
}
_DB_ERRORS: dict[str, Schema] = {"503": _error("The database is unavailable")}
_BODY_ERRORS: dict[str, Schema] = {
    "400": _error("The body is not valid JSON"),
    "413": _error("The body is over 64 KiB"),
    "415": _error("The body is not application/json"),
    "422": _error("The body failed validation"),
}


def _op(
    summary: str,
    responses: dict[str, Schema],
    *,
    body: str | None = None,
    parameters: list[Schema] | None = None,
    security: bool = False,
    tag: str,
) -> Schema:
    operation: Schema = {
        "summary": summary,
        "tags": [tag],
        "responses": {**_COMMON_ERRORS, **responses},
    }
    if body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": ref(body)}},
        }
        operation["responses"] = {**_BODY_ERRORS, **operation["responses"]}
    if parameters:
        operation["parameters"] = parameters
    if security:
        operation["security"] = [{"bearerAuth": []}]
        operation["responses"] = {
            "401": _error("No bearer token"),
            "403": _error("Wrong admin token"),
            **operation["responses"],
        }
    return operation


def _path(name: str, description: str) -> Schema:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "string"},
    }


def _query(name: str, schema: Schema, *, required: bool = True) -> Schema:
    return {"name": name, "in": "query", "required": required, "schema": schema}


def openapi_document() -> Schema:
    booking_id = [_path("booking_id", "Booking id, e.g. bk_0123456789abcdef")]
    booking_404 = {"404": _error("No such booking"), **_DB_ERRORS}
    html = {"description": "HTML page", "content": {"text/html": {"schema": STRING}}}
    paths: dict[str, Schema] = {
        "/": {"get": _op("Booking page (counts a visit)", {"200": html}, tag="page")},
        "/api/openapi.json": {
            "get": _op("This document", {"200": _json({"type": "object"}, "OpenAPI")}, tag="meta")
        },
        "/api/health": {
            "get": _op(
                "Health of the service and its components",
                {
                    "200": _json(ref("Health"), "Healthy or degraded"),
                    "503": _json(ref("Health"), "Unhealthy: database or auth down"),
                },
                tag="operations",
            )
        },
        "/api/metrics": {
            "get": _op(
                "Rolling request and business figures (JSON or Prometheus text)",
                {
                    "200": {
                        "description": "Figures",
                        "content": {
                            "application/json": {"schema": ref("Metrics")},
                            "text/plain": {"schema": STRING},
                        },
                    },
                    "422": _error("Unknown format"),
                },
                parameters=[
                    _query(
                        "format", {"type": "string", "enum": ["json", "prometheus"]}, required=False
                    )
                ],
                tag="operations",
            )
        },
        "/api/errors": {
            "get": _op(
                "Recent 5xx responses grouped by route and message (Sentry stand-in)",
                {
                    "200": _json(ref("ErrorLog"), "Error groups, newest first"),
                    "422": _error("Bad limit"),
                },
                parameters=[
                    _query(
                        "limit", {"type": "integer", "minimum": 1, "maximum": 1000}, required=False
                    )
                ],
                tag="operations",
            )
        },
        "/api/services": {
            "get": _op(
                "Services offered",
                {"200": _json(ref("ServiceList"), "Services"), **_DB_ERRORS},
                tag="bookings",
            )
        },
        "/api/staff": {
            "get": _op(
                "Stylists", {"200": _json(ref("StaffList"), "Staff"), **_DB_ERRORS}, tag="bookings"
            )
        },
        "/api/availability": {
            "get": _op(
                "Free slots for a stylist, service and day",
                {
                    "200": _json(ref("Availability"), "Free slots"),
                    "422": _error("Missing or invalid parameter"),
                    **_DB_ERRORS,
                },
                parameters=[
                    _query("staff_id", STAFF_ID),
                    _query("service_id", SERVICE_ID),
                    _query("date", {"type": "string", "format": "date"}),
                ],
                tag="bookings",
            )
        },
        "/api/bookings": {
            "post": _op(
                "Book an appointment",
                {
                    "201": _json(ref("Booking"), "Booked, pending payment"),
                    "409": _error("The stylist is busy at an overlapping time"),
                    **_DB_ERRORS,
                },
                body="BookingCreate",
                tag="bookings",
            )
        },
        "/api/bookings/{booking_id}": {
            "get": _op(
                "A booking",
                {"200": _json(ref("Booking"), "The booking"), **booking_404},
                parameters=booking_id,
                tag="bookings",
            )
        },
        "/api/bookings/{booking_id}/reschedule": {
            "post": _op(
                "Move a booking",
                {
                    "200": _json(ref("Booking"), "Moved"),
                    "409": _error("Overlap, or the booking is cancelled"),
                    **booking_404,
                },
                body="Reschedule",
                parameters=booking_id,
                tag="bookings",
            )
        },
        "/api/bookings/{booking_id}/cancel": {
            "post": _op(
                "Cancel a booking (idempotent)",
                {"200": _json(ref("Booking"), "Cancelled"), **booking_404},
                parameters=booking_id,
                tag="bookings",
            )
        },
        "/api/payments/initialize": {
            "post": _op(
                "Start a Paystack charge for a booking",
                {
                    "200": _json(ref("PaymentInitialized"), "Charge started"),
                    "409": _error("Booking already paid or cancelled"),
                    "503": _error("Payments or database unavailable"),
                },
                body="PaymentInitialize",
                tag="payments",
            )
        },
        "/api/payments/webhook": {
            "post": _op(
                "Paystack webhook, signed with HMAC-SHA512 of the raw body",
                {
                    "200": _json(ref("WebhookResult"), "Processed, or ignored as a replay"),
                    "401": _error("Missing or wrong x-paystack-signature"),
                    "404": _error("Unknown reference"),
                    "503": _error("Payments or database unavailable"),
                },
                body="WebhookEvent",
                parameters=[
                    {
                        "name": "x-paystack-signature",
                        "in": "header",
                        "required": False,
                        "schema": STRING,
                    }
                ],
                tag="payments",
            )
        },
        "/api/payments/{reference}": {
            "get": _op(
                "A payment",
                {
                    "200": _json(ref("Payment"), "The payment"),
                    "404": _error("Unknown reference"),
                    "503": _error("Payments or database unavailable"),
                },
                parameters=[_path("reference", "Payment reference")],
                tag="payments",
            )
        },
        "/pay/{reference}": {
            "get": _op(
                "Test checkout page",
                {
                    "200": html,
                    "404": _error("Unknown reference"),
                    "503": _error("Payments unavailable"),
                },
                parameters=[_path("reference", "Payment reference")],
                tag="payments",
            )
        },
        "/api/calendar/status": {
            "get": _op(
                "Calendar sync status",
                {"200": _json(ref("CalendarStatus"), "Status"), **_DB_ERRORS},
                tag="calendar",
            )
        },
        "/api/calendar/sync": {
            "post": _op(
                "Push pending bookings to Google Calendar",
                {
                    "200": _json(ref("CalendarSync"), "Synced"),
                    "503": _error("Calendar or database unavailable"),
                },
                tag="calendar",
            )
        },
        "/api/auth/login": {
            "post": _op(
                "Log in",
                {
                    "200": _json(ref("LoginResult"), "Session token"),
                    "401": _error("Wrong email or password"),
                    "503": _error("Auth or database unavailable"),
                },
                body="Login",
                tag="auth",
            )
        },
        "/api/auth/session": {
            "get": _op(
                "The current session (slides the 30-minute idle timeout)",
                {
                    "200": _json(ref("Session"), "Session"),
                    "401": _error("No, unknown or expired session"),
                    "503": _error("Auth or database unavailable"),
                },
                security=False,
                tag="auth",
            )
        },
        "/api/auth/logout": {
            "post": _op(
                "Log out",
                {
                    "200": _json(ref("LoggedOut"), "Logged out"),
                    "401": _error("No, unknown or expired session"),
                    "503": _error("Auth or database unavailable"),
                },
                tag="auth",
            )
        },
        "/api/admin/faults": {
            "get": _op(
                "Active faults",
                {"200": _json(ref("FaultListing"), "Faults")},
                security=True,
                tag="admin",
            ),
            "post": _op(
                "Set a fault",
                {"200": _json(ref("FaultChange"), "Set")},
                body="FaultSet",
                security=True,
                tag="admin",
            ),
            "delete": _op(
                "Clear every fault",
                {"200": _json(ref("FaultChange"), "Cleared")},
                security=True,
                tag="admin",
            ),
        },
        "/api/admin/faults/{name}": {
            "delete": _op(
                "Clear one fault",
                {"200": _json(ref("FaultChange"), "Cleared"), "404": _error("Unknown fault name")},
                parameters=[_path("name", "Fault name")],
                security=True,
                tag="admin",
            )
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "runbook reference booking service",
            "version": service_version(),
            "description": "A hair salon's booking platform, with injectable faults.",
        },
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
    }
