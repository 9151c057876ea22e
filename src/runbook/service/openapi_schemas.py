"""Component schemas for the OpenAPI document: the shapes of every body in and out."""

from __future__ import annotations

from typing import Any

from runbook.service.domain import BOOKING_STATUSES, SERVICES, STAFF
from runbook.service.faults import FAULT_NAMES

Schema = dict[str, Any]

STRING: Schema = {"type": "string"}
NUMBER: Schema = {"type": "number"}
INTEGER: Schema = {"type": "integer"}
DATE_TIME: Schema = {"type": "string", "format": "date-time"}
UP_DOWN: Schema = {"type": "string", "enum": ["up", "down"]}


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(properties: dict[str, Schema], *optional: str) -> Schema:
    return {
        "type": "object",
        "properties": properties,
        "required": [name for name in properties if name not in optional],
    }


def nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


_CUSTOMER = obj(
    {
        "name": {"type": "string", "minLength": 1, "maxLength": 100},
        "email": {"type": "string", "format": "email", "maxLength": 254},
        "phone": nullable({"type": "string", "maxLength": 20}),
    },
    "phone",
)
SERVICE_ID: Schema = {"type": "string", "enum": [service.id for service in SERVICES]}
STAFF_ID: Schema = {"type": "string", "enum": [member.id for member in STAFF]}
_PAYMENT = obj(
    {
        "reference": STRING,
        "booking_id": STRING,
        "email": STRING,
        "amount_kobo": INTEGER,
        "currency": {"type": "string", "enum": ["ZAR"]},
        "status": {"type": "string", "enum": ["pending", "success", "failed"]},
        "created_at": DATE_TIME,
        "updated_at": DATE_TIME,
    }
)
_FAULT_LISTING = obj(
    {
        "faults": {"type": "object", "additionalProperties": obj({"since": DATE_TIME})},
        "available": {"type": "object", "additionalProperties": STRING},
    }
)

SCHEMAS: dict[str, Schema] = {
    "Error": obj({"error": obj({"code": STRING, "message": STRING})}),
    "Health": obj(
        {
            "status": {"type": "string", "enum": ["healthy", "degraded", "unhealthy"]},
            "version": STRING,
            "time": DATE_TIME,
            "uptime_seconds": NUMBER,
            "components": obj(
                {
                    "database": obj(
                        {"status": UP_DOWN, "latency_ms": NUMBER, "error": STRING}, "error"
                    ),
                    "payments": obj({"status": UP_DOWN}),
                    "calendar": obj({"status": UP_DOWN, "last_sync": nullable(DATE_TIME)}),
                    "auth": obj({"status": UP_DOWN}),
                }
            ),
            "faults": {"type": "array", "items": STRING},
            "reasons": {"type": "array", "items": STRING},
        }
    ),
    "Metrics": obj(
        {
            "window_seconds": INTEGER,
            "requests": INTEGER,
            "errors": INTEGER,
            "error_rate_percent": NUMBER,
            "latency_ms": obj({"p50": NUMBER, "p95": NUMBER, "p99": NUMBER}),
            "requests_per_second": NUMBER,
            "availability_percent": NUMBER,
            "bookings_today": INTEGER,
            "booking_conversion_percent": NUMBER,
            "payment_failure_rate_percent": NUMBER,
            "flood_suspected": {"type": "boolean"},
            "probe_requests": INTEGER,
            "application_requests": INTEGER,
            "rejected_requests": INTEGER,
            "page_visits_today": INTEGER,
            "business_figures_stale": {"type": "boolean"},
        }
    ),
    "ErrorLog": obj(
        {
            "errors": {
                "type": "array",
                "items": obj(
                    {
                        "time": DATE_TIME,
                        "last_seen": DATE_TIME,
                        "route": STRING,
                        "status": INTEGER,
                        "message": STRING,
                        "count": INTEGER,
                    }
                ),
            },
            "total": INTEGER,
            "events": INTEGER,
        }
    ),
    "ServiceList": obj(
        {
            "services": {
                "type": "array",
                "items": obj(
                    {
                        "id": STRING,
                        "name": STRING,
                        "duration_minutes": INTEGER,
                        "price_zar": NUMBER,
                    }
                ),
            }
        }
    ),
    "StaffList": obj(
        {
            "staff": {
                "type": "array",
                "items": obj({"id": STRING, "name": STRING, "role": STRING}),
            }
        }
    ),
    "Availability": obj(
        {
            "date": {"type": "string", "format": "date"},
            "staff_id": STRING,
            "service_id": STRING,
            "open": {"type": "boolean"},
            "slots": {
                "type": "array",
                "items": obj({"start": DATE_TIME, "end": DATE_TIME}),
            },
        }
    ),
    "Customer": _CUSTOMER,
    "BookingCreate": obj(
        {
            "service_id": SERVICE_ID,
            "staff_id": STAFF_ID,
            "start": DATE_TIME,
            "customer": ref("Customer"),
        }
    ),
    "Reschedule": obj({"start": DATE_TIME}),
    "Booking": obj(
        {
            "id": STRING,
            "status": {"type": "string", "enum": list(BOOKING_STATUSES)},
            "start": DATE_TIME,
            "end": DATE_TIME,
            "service_id": STRING,
            "staff_id": STRING,
            "customer": obj({"name": STRING, "email": STRING, "phone": nullable(STRING)}),
            "price_zar": NUMBER,
            "amount_kobo": INTEGER,
            "payment_reference": nullable(STRING),
            "payment_status": nullable(STRING),
            "created_at": DATE_TIME,
            "updated_at": DATE_TIME,
        }
    ),
    "PaymentInitialize": obj(
        {"booking_id": STRING, "email": {"type": "string", "format": "email"}}
    ),
    "PaymentInitialized": {
        "allOf": [
            ref("Payment"),
            obj({"authorization_url": STRING, "access_code": STRING}),
        ]
    },
    "Payment": _PAYMENT,
    "WebhookEvent": obj(
        {
            "event": STRING,
            "data": obj({"reference": STRING, "amount": INTEGER}, "amount"),
        }
    ),
    "WebhookResult": obj(
        {
            "status": {"type": "string", "enum": ["processed", "ignored"]},
            "event": STRING,
            "reason": STRING,
            "payment": ref("Payment"),
        },
        "payment",
    ),
    "CalendarStatus": obj(
        {
            "status": {"type": "string", "enum": ["ok", "down"]},
            "last_sync": nullable(DATE_TIME),
            "pending": INTEGER,
        }
    ),
    "CalendarSync": obj(
        {"status": STRING, "synced": INTEGER, "pending": INTEGER, "last_sync": DATE_TIME}
    ),
    "Login": obj({"email": {"type": "string", "format": "email"}, "password": STRING}),
    "LoginResult": obj({"token": STRING, "expires_at": DATE_TIME, "token_type": STRING}),
    "Session": obj(
        {
            "user": obj({"id": STRING, "email": STRING, "name": STRING}),
            "created_at": DATE_TIME,
            "expires_at": DATE_TIME,
        }
    ),
    "LoggedOut": obj({"status": {"type": "string", "enum": ["logged_out"]}}),
    "FaultListing": _FAULT_LISTING,
    "FaultSet": {
        "type": "object",
        "properties": {
            "fault": {"type": "string", "enum": list(FAULT_NAMES)},
            "ms": {"type": "integer", "minimum": 1, "maximum": 60000},
            "rate": {"type": "number", "minimum": 0, "maximum": 1},
            "rps": {"type": "integer", "minimum": 1},
        },
        "required": ["fault"],
    },
    "FaultChange": {
        "allOf": [
            _FAULT_LISTING,
            {
                "type": "object",
                "properties": {
                    "fault": STRING,
                    "active": {"type": "object"},
                    "cleared": {"type": "array", "items": STRING},
                },
            },
        ]
    },
}
