"""Operational routes that runbooks probe: health, metrics and the error log."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from runbook.service import ledger
from runbook.service.config import METRICS_WINDOW_SECONDS, service_version
from runbook.service.context import ServiceContext, log
from runbook.service.domain import iso_utc, local_day, utc_now
from runbook.service.metrics import FLOOD_RPS_THRESHOLD, render_prometheus
from runbook.service.wire import ERROR_MESSAGE_KEY, ApiError

# A database answering slower than this makes the service degraded rather than healthy.
SLOW_DATABASE_MS = 500.0
PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def routes(ctx: ServiceContext) -> list[BaseRoute]:
    version = service_version()

    async def database_component() -> dict[str, Any]:
        injected = float(ctx.faults.latency_ms())
        if ctx.faults.active("database_down"):
            return {"status": "down", "latency_ms": injected, "error": "fault: database_down"}
        try:
            measured = await ctx.ping_ms()
        except ApiError as error:  # any failure of SELECT 1 means the database is down
            log.error("health check: database ping failed: %s", error)
            return {"status": "down", "latency_ms": injected, "error": error.message}
        return {"status": "up", "latency_ms": round(measured + injected, 3)}

    async def health(request: Request) -> JSONResponse:
        faults = ctx.faults
        database = await database_component()
        auth_down = faults.active("auth_down") or database["status"] == "down"
        last_sync = ctx.calendar_last_sync
        components: dict[str, dict[str, Any]] = {
            "database": database,
            "payments": {"status": "down" if faults.active("payments_down") else "up"},
            "calendar": {
                "status": "down" if faults.active("calendar_down") else "up",
                "last_sync": None if last_sync is None else iso_utc(last_sync),
            },
            # Sessions live in the database, so auth cannot be up while it is down.
            "auth": {"status": "down" if auth_down else "up"},
        }
        reasons: list[str] = []
        if database["status"] == "down":
            reasons.append("database down")
        if auth_down:
            reasons.append("auth down")
        status = "unhealthy" if reasons else "healthy"
        if status == "healthy":
            degraded_by = [
                f"{name} down"
                for name in ("payments", "calendar")
                if components[name]["status"] == "down"
            ]
            if database["latency_ms"] >= SLOW_DATABASE_MS:
                degraded_by.append("database slow")
            degraded_by += [
                f"fault {name}" for name in ("error_rate", "flood") if faults.active(name)
            ]
            if degraded_by:
                status = "degraded"
                reasons = degraded_by
        body = {
            "status": status,
            "version": version,
            "time": iso_utc(utc_now()),
            "uptime_seconds": ctx.uptime_seconds(),
            "components": components,
            "faults": faults.names(),
            "reasons": reasons,
        }
        if status == "unhealthy":
            request.scope[ERROR_MESSAGE_KEY] = f"unhealthy: {', '.join(reasons)}"
            return JSONResponse(body, status_code=503)
        return JSONResponse(body)

    async def daily_figures() -> tuple[ledger.DailyFigures | None, bool]:
        day = local_day(utc_now())
        try:
            figures = await ctx.read(lambda c: ledger.daily_figures(c, day))
        except ApiError:
            stale = ctx.last_figures
            return (stale if stale is not None and stale.day == day else None), True
        ctx.last_figures = figures
        return figures, False

    async def metrics(request: Request) -> Response:
        wanted = request.query_params.get("format")
        if wanted not in (None, "json", "prometheus"):
            raise ApiError(422, "validation_error", "'format' must be 'json' or 'prometheus'")
        accept = request.headers.get("accept", "")
        prometheus = wanted == "prometheus" or (
            wanted is None and "text/plain" in accept and "application/json" not in accept
        )
        window = ctx.window.figures()
        daily, stale = await daily_figures()
        flood_rps = ctx.faults.flood_rps()
        payload: dict[str, Any] = {
            "window_seconds": METRICS_WINDOW_SECONDS,
            "requests": window.requests,
            "errors": window.errors,
            "error_rate_percent": window.error_rate_percent,
            "latency_ms": {"p50": window.p50, "p95": window.p95, "p99": window.p99},
            "requests_per_second": round(window.observed_rps + flood_rps, 3),
            "availability_percent": window.availability_percent,
            "bookings_today": 0 if daily is None else daily.bookings,
            "booking_conversion_percent": 0.0 if daily is None else daily.conversion_percent,
            "payment_failure_rate_percent": (
                0.0 if daily is None else daily.payment_failure_percent
            ),
            "flood_suspected": ctx.faults.active("flood")
            or window.recent_rps > FLOOD_RPS_THRESHOLD,
            "probe_requests": window.probe_requests,
            "application_requests": window.app_requests,
            "rejected_requests": window.rejected,
            "page_visits_today": 0 if daily is None else daily.visits,
            "business_figures_stale": stale,
        }
        if prometheus:
            return PlainTextResponse(render_prometheus(payload), media_type=PROMETHEUS_CONTENT_TYPE)
        return JSONResponse(payload)

    async def errors(request: Request) -> JSONResponse:
        raw = request.query_params.get("limit", "50")
        if not raw.isdigit() or not 1 <= int(raw) <= 1000:
            raise ApiError(422, "validation_error", "'limit' must be an integer from 1 to 1000")
        return JSONResponse(ctx.errors.listing(int(raw)))

    return [
        Route("/api/health", health, methods=["GET"]),
        Route("/api/metrics", metrics, methods=["GET"]),
        Route("/api/errors", errors, methods=["GET"]),
    ]
