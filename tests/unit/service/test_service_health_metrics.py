"""Health, metrics and the error log: shapes, and every fault reflected truthfully."""

from __future__ import annotations

import re
import time
from datetime import datetime

import httpx
import pytest

from runbook.service import RunningService
from tests.unit.service.service_helpers import admin_headers


def set_fault(client: httpx.Client, fault: str, **params: object) -> None:
    response = client.post(
        "/api/admin/faults", json={"fault": fault, **params}, headers=admin_headers()
    )
    assert response.status_code == 200, response.text


def test_health_shape_when_healthy(client: httpx.Client) -> None:
    response = client.get("/api/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "healthy"
    assert isinstance(body["version"], str) and body["version"]
    assert datetime.fromisoformat(body["time"]).utcoffset() is not None
    assert isinstance(body["uptime_seconds"], float) and body["uptime_seconds"] >= 0
    components = body["components"]
    assert components["database"]["status"] == "up"
    assert 0 < components["database"]["latency_ms"] < 1000
    assert components["payments"] == {"status": "up"}
    assert components["calendar"]["status"] == "up"
    assert components["calendar"]["last_sync"] is not None  # demo data synced at start-up
    assert components["auth"] == {"status": "up"}
    assert body["faults"] == []


@pytest.mark.parametrize(
    ("fault", "params", "http_status", "status", "down"),
    [
        ("database_down", {}, 503, "unhealthy", {"database", "auth"}),
        ("auth_down", {}, 503, "unhealthy", {"auth"}),
        ("payments_down", {}, 200, "degraded", {"payments"}),
        ("calendar_down", {}, 200, "degraded", {"calendar"}),
        ("error_rate", {"rate": 0.5}, 200, "degraded", set()),
        ("flood", {"rps": 4000, "rate": 0.5}, 200, "degraded", set()),
        ("latency", {"ms": 600}, 200, "degraded", set()),
        ("latency", {"ms": 50}, 200, "healthy", set()),
    ],
)
def test_health_reflects_each_fault(
    client: httpx.Client,
    fault: str,
    params: dict[str, object],
    http_status: int,
    status: str,
    down: set[str],
) -> None:
    set_fault(client, fault, **params)
    response = client.get("/api/health")
    assert response.status_code == http_status
    body = response.json()
    assert body["status"] == status
    assert body["faults"] == [fault]
    seen_down = {name for name, part in body["components"].items() if part["status"] == "down"}
    assert seen_down == down
    if fault == "latency":
        assert body["components"]["database"]["latency_ms"] >= params["ms"]


def test_metrics_shape_with_demo_data(fresh_client: httpx.Client) -> None:
    body = fresh_client.get("/api/metrics").json()
    assert body["window_seconds"] == 300
    for key in ("requests", "errors", "bookings_today"):
        assert isinstance(body[key], int)
    for key in (
        "error_rate_percent",
        "requests_per_second",
        "availability_percent",
        "booking_conversion_percent",
        "payment_failure_rate_percent",
    ):
        assert isinstance(body[key], float), key
    assert set(body["latency_ms"]) == {"p50", "p95", "p99"}
    assert body["bookings_today"] > 0
    assert 15.0 < body["booking_conversion_percent"] < 40.0
    assert body["payment_failure_rate_percent"] < 1.0
    assert body["availability_percent"] == 100.0
    assert body["flood_suspected"] is False


def test_metrics_count_probes_but_keep_them_out_of_latency_and_errors(
    fresh_client: httpx.Client,
) -> None:
    for _ in range(5):
        assert fresh_client.get("/api/services").status_code == 200
    for _ in range(3):
        fresh_client.get("/api/health")
    assert fresh_client.get("/api/nope").status_code == 404
    body = fresh_client.get("/api/metrics").json()
    assert body["requests"] == 9
    assert body["application_requests"] == 6
    assert body["probe_requests"] == 3
    assert body["errors"] == 0
    assert body["latency_ms"]["p50"] > 0
    assert body["requests_per_second"] > 0


def test_error_rate_is_deterministic_and_recorded(fresh_client: httpx.Client) -> None:
    set_fault(fresh_client, "error_rate", rate=0.25)
    statuses = [fresh_client.get("/api/services").status_code for _ in range(8)]
    assert statuses == [200, 200, 200, 500, 200, 200, 200, 500]
    injected = fresh_client.get("/api/services/x")  # unknown route: still subject to the rate
    assert injected.status_code == 404
    metrics = fresh_client.get("/api/metrics").json()
    assert metrics["errors"] == 2
    assert metrics["error_rate_percent"] == pytest.approx(
        20.0
    )  # 2 of 10: the admin call counts too
    assert metrics["availability_percent"] == pytest.approx(80.0)
    assert fresh_client.get("/api/health").json()["status"] == "degraded"
    errors = fresh_client.get("/api/errors").json()
    assert errors["total"] == 1
    (group,) = errors["errors"]
    assert group["route"] == "/api/services"
    assert group["status"] == 500
    assert group["count"] == 2
    assert "error_rate" in group["message"]
    assert group["time"] <= group["last_seen"]


def test_errors_are_grouped_by_route_template_newest_first(fresh_client: httpx.Client) -> None:
    set_fault(fresh_client, "database_down")
    assert fresh_client.get("/api/bookings/bk_one").status_code == 503
    assert fresh_client.get("/api/bookings/bk_two").status_code == 503
    assert fresh_client.get("/api/health").status_code == 503
    body = fresh_client.get("/api/errors").json()
    assert [(e["route"], e["count"]) for e in body["errors"]] == [
        ("/api/health", 1),
        ("/api/bookings/{booking_id}", 2),
    ]
    assert "database" in body["errors"][1]["message"]
    limited = fresh_client.get("/api/errors", params={"limit": 1}).json()
    assert len(limited["errors"]) == 1 and limited["total"] == 2


def test_database_down_fails_database_routes_but_not_probes(fresh_client: httpx.Client) -> None:
    assert fresh_client.get("/api/metrics").json()["business_figures_stale"] is False
    set_fault(fresh_client, "database_down")
    for path in ("/api/services", "/api/staff", "/api/calendar/status"):
        response = fresh_client.get(path)
        assert response.status_code == 503
        assert response.json()["error"]["code"] == "database_unavailable"
    assert fresh_client.get("/").status_code == 200  # the page still loads
    metrics = fresh_client.get("/api/metrics")
    assert metrics.status_code == 200
    assert metrics.json()["business_figures_stale"] is True
    assert metrics.json()["bookings_today"] > 0  # last known figures
    assert metrics.json()["errors"] == 3
    fresh_client.delete("/api/admin/faults/database_down", headers=admin_headers())
    assert fresh_client.get("/api/services").status_code == 200
    assert fresh_client.get("/api/health").json()["status"] == "healthy"


def test_latency_fault_delays_requests_but_not_admin(fresh_client: httpx.Client) -> None:
    set_fault(fresh_client, "latency", ms=400)
    started = time.perf_counter()
    assert fresh_client.get("/api/services").status_code == 200
    assert time.perf_counter() - started >= 0.4
    started = time.perf_counter()
    assert fresh_client.get("/api/admin/faults", headers=admin_headers()).status_code == 200
    assert time.perf_counter() - started < 0.4
    assert fresh_client.get("/api/metrics").json()["latency_ms"]["p99"] >= 400


def test_flood_rejects_a_share_and_shows_in_metrics(fresh_client: httpx.Client) -> None:
    set_fault(fresh_client, "flood", rps=8000, rate=0.5)
    statuses = [fresh_client.get("/api/services").status_code for _ in range(10)]
    assert statuses.count(429) == 5 and statuses.count(200) == 5
    rejected = fresh_client.get("/api/staff")
    if rejected.status_code == 429:
        assert rejected.headers["retry-after"] == "1"
        assert rejected.json()["error"]["code"] == "rate_limited"
    assert fresh_client.get("/api/health").status_code == 200  # probes are never shed
    metrics = fresh_client.get("/api/metrics").json()
    assert metrics["flood_suspected"] is True
    assert metrics["requests_per_second"] >= 8000
    assert metrics["rejected_requests"] >= 5
    assert metrics["errors"] == 0  # 429 is not a server error


def test_payments_and_calendar_faults(client: httpx.Client) -> None:
    set_fault(client, "payments_down")
    response = client.post("/api/payments/initialize", json={"booking_id": "x", "email": "a@b.co"})
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "payments_unavailable"
    set_fault(client, "calendar_down")
    assert client.get("/api/calendar/status").json()["status"] == "down"
    assert client.post("/api/calendar/sync").status_code == 503
    client.delete("/api/admin/faults/calendar_down", headers=admin_headers())
    synced = client.post("/api/calendar/sync").json()
    assert synced["status"] == "ok" and synced["pending"] == 0
    status = client.get("/api/calendar/status").json()
    assert status == {"status": "ok", "last_sync": synced["last_sync"], "pending": 0}


_PROM_LINE = re.compile(r'^[a-z_]+(\{quantile="[0-9.]+"\})? -?[0-9.]+(e[+-]?[0-9]+)?$')


@pytest.mark.parametrize("how", ["query", "accept"])
def test_prometheus_exposition(running_service: RunningService, how: str) -> None:
    with httpx.Client(base_url=running_service.base_url) as http:
        if how == "query":
            response = http.get("/api/metrics", params={"format": "prometheus"})
        else:
            response = http.get("/api/metrics", headers={"Accept": "text/plain"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    lines = response.text.splitlines()
    samples = [line for line in lines if not line.startswith("#")]
    assert samples and all(_PROM_LINE.match(line) for line in samples), samples
    assert any(line.startswith("runbook_service_requests_in_window ") for line in samples)
    assert 'runbook_service_latency_ms{quantile="0.95"}' in response.text
    assert "# TYPE runbook_service_flood_suspected gauge" in lines


def test_metrics_format_is_validated(client: httpx.Client) -> None:
    response = client.get("/api/metrics", params={"format": "xml"})
    assert response.status_code == 422
    assert client.get("/api/metrics", params={"format": "json"}).json()["window_seconds"] == 300
