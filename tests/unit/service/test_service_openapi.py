"""The served OpenAPI document matches what the service actually answers (schemathesis)."""

from __future__ import annotations

import httpx
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from runbook.service import RunningService


def test_api_matches_its_openapi_document(shared_service: RunningService) -> None:
    """Every operation, 20 generated requests each, against the running service.

    Hypothesis is driven directly rather than through schemathesis's pytest plugin, which
    reaches into pytest internals that pytest 9.2 removed.
    """
    api = schemathesis.openapi.from_url(f"{shared_service.base_url}/api/openapi.json")
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) >= 20
    calls = 0
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=20,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
        def conforms(case: schemathesis.Case) -> None:
            nonlocal calls
            calls += 1
            case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])

        conforms()
    assert calls >= 5 * len(operations)  # generation really happened, for every operation


def test_document_covers_every_route(shared_service: RunningService) -> None:
    with httpx.Client(base_url=shared_service.base_url) as client:
        document = client.get("/api/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    app_routes = {
        "/",
        "/api/openapi.json",
        "/api/health",
        "/api/metrics",
        "/api/errors",
        "/api/services",
        "/api/staff",
        "/api/availability",
        "/api/bookings",
        "/api/bookings/{booking_id}",
        "/api/bookings/{booking_id}/reschedule",
        "/api/bookings/{booking_id}/cancel",
        "/api/payments/initialize",
        "/api/payments/webhook",
        "/api/payments/{reference}",
        "/pay/{reference}",
        "/api/calendar/status",
        "/api/calendar/sync",
        "/api/auth/login",
        "/api/auth/session",
        "/api/auth/logout",
        "/api/admin/faults",
        "/api/admin/faults/{name}",
    }
    assert set(document["paths"]) == app_routes
