"""Pure-ASGI middleware: applies injected faults and records every response for metrics."""

from __future__ import annotations

import time
from collections.abc import Sequence

import anyio
from starlette.responses import Response
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from runbook.service.config import MAX_BODY_BYTES
from runbook.service.context import ServiceContext, log
from runbook.service.domain import utc_now
from runbook.service.wire import ERROR_MESSAGE_KEY, error_response

PROBE_PATHS = frozenset({"/api/health", "/api/metrics"})
# Probes and the error log stand in for external monitoring, so injected error rates and
# floods leave them alone: an operator must be able to watch the incident they rehearse.
FAULT_EXEMPT_PATHS = PROBE_PATHS | {"/api/errors"}


def is_admin_path(path: str) -> bool:
    return path == "/api/admin" or path.startswith("/api/admin/")


class ObservabilityMiddleware:
    def __init__(self, app: ASGIApp, ctx: ServiceContext, routes: Sequence[BaseRoute]) -> None:
        self.app = app
        self.ctx = ctx
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        path: str = scope["path"]
        admin = is_admin_path(path)
        status = 0

        async def send_and_watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            delay = 0 if admin else self.ctx.faults.latency_ms()
            if delay:
                await anyio.sleep(delay / 1000.0)
            early = self._preempt(scope, exempt=admin or path in FAULT_EXEMPT_PATHS)
            if early is not None:
                await early(scope, receive, send_and_watch)
            else:
                await self.app(scope, receive, send_and_watch)
        except Exception as error:
            # Answer with the JSON envelope rather than Starlette's plain-text 500, and keep
            # the traceback in the log, never in the response.
            log.exception("unhandled error on %s %s", scope.get("method"), path)
            if status == 0:
                scope[ERROR_MESSAGE_KEY] = f"internal error: {type(error).__name__}"
                response = error_response(
                    500, "internal_error", "the service hit an internal error"
                )
                await response(scope, receive, send_and_watch)
        finally:
            if status:
                self._record(scope, status, (time.perf_counter() - started) * 1000.0)

    def _preempt(self, scope: Scope, *, exempt: bool) -> Response | None:
        faults = self.ctx.faults
        length = _content_length(scope)
        if length is not None and length > MAX_BODY_BYTES:
            return error_response(
                413, "payload_too_large", f"request body exceeds {MAX_BODY_BYTES} bytes"
            )
        if exempt:
            return None
        if faults.take("flood"):
            return error_response(
                429,
                "rate_limited",
                "too many requests: the service is shedding load (fault: flood)",
                headers={"Retry-After": "1"},
            )
        if faults.take("error_rate"):
            scope[ERROR_MESSAGE_KEY] = "injected failure (fault: error_rate)"
            return error_response(500, "injected_error", "injected failure (fault: error_rate)")
        return None

    def _record(self, scope: Scope, status: int, latency_ms: float) -> None:
        path: str = scope["path"]
        self.ctx.window.record(status, latency_ms, probe=path in PROBE_PATHS)
        if status >= 500:
            message = str(scope.get(ERROR_MESSAGE_KEY) or f"HTTP {status}")
            self.ctx.errors.record(self._route_of(scope), status, message, utc_now())

    def _route_of(self, scope: Scope) -> str:
        """The route template, so /api/bookings/bk_1 and bk_2 group as one error."""
        for route in self.routes:
            match, _ = route.matches(scope)
            if match is not Match.NONE:
                return str(getattr(route, "path", scope["path"]))
        return str(scope["path"])[:200]


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
