"""The Starlette application: routes, error envelopes and the database lifecycle."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import anyio.to_thread
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from runbook.service import (
    payments,
    routes_admin,
    routes_auth,
    routes_bookings,
    routes_calendar,
    routes_ops,
)
from runbook.service.config import Settings, resolve_admin_token, resolve_paystack_secret
from runbook.service.context import ServiceContext
from runbook.service.domain import local_day, utc_now
from runbook.service.ledger import record_visit
from runbook.service.middleware import ObservabilityMiddleware
from runbook.service.openapi import openapi_document
from runbook.service.page import booking_page
from runbook.service.seed import prepare
from runbook.service.wire import ERROR_MESSAGE_KEY, ApiError, error_response

_PAGE_HEADERS = {
    # The page loads nothing from elsewhere; the policy makes that a guarantee.
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
        "connect-src 'self'; form-action 'self'"
    ),
}


def create_app(
    db_path: Path,
    *,
    seed_demo_data: bool = True,
    admin_token: str | None = None,
    paystack_secret: str | None = None,
) -> Starlette:
    """Build the service app; the database is opened on startup and closed on shutdown."""
    settings = Settings(
        db_path=db_path,
        seed_demo_data=seed_demo_data,
        admin_token=resolve_admin_token(admin_token)[0],
        paystack_secret=resolve_paystack_secret(paystack_secret),
    )
    ctx = ServiceContext(settings)
    page = booking_page()

    async def home(request: Request) -> HTMLResponse:
        day = local_day(utc_now())
        # A visit that cannot be counted (database down) must not stop the page loading.
        with contextlib.suppress(ApiError):
            await ctx.write(lambda connection: record_visit(connection, day))
        return HTMLResponse(page, headers=_PAGE_HEADERS)

    async def openapi(request: Request) -> JSONResponse:
        return JSONResponse(document)

    routes: list[BaseRoute] = [
        Route("/", home, methods=["GET"]),
        Route("/api/openapi.json", openapi, methods=["GET"]),
        *routes_ops.routes(ctx),
        *routes_bookings.routes(ctx),
        *payments.routes(ctx),
        *routes_calendar.routes(ctx),
        *routes_auth.routes(ctx),
        *routes_admin.routes(ctx),
    ]
    document = openapi_document()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        ctx.calendar_last_sync = await anyio.to_thread.run_sync(
            lambda: prepare(ctx.store, seed_demo_data=seed_demo_data, now=utc_now())
        )
        ctx.executor.start()
        try:
            yield
        finally:
            ctx.executor.stop()
            ctx.store.close()

    app = Starlette(
        routes=routes,
        middleware=[Middleware(ObservabilityMiddleware, ctx=ctx, routes=routes)],
        exception_handlers={ApiError: _api_error, HTTPException: _http_error},
        lifespan=lifespan,
    )
    app.state.ctx = ctx
    return app


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    if exc.status >= 500:
        request.scope[ERROR_MESSAGE_KEY] = exc.message
    return error_response(exc.status, exc.code, exc.message, exc.headers)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    headers = dict(exc.headers or {})
    if exc.status_code == 404:
        return error_response(
            404, "not_found", f"no route for {request.method} {request.url.path[:200]}", headers
        )
    if exc.status_code == 405:
        allowed = headers.get("Allow", "")
        return error_response(
            405,
            "method_not_allowed",
            f"{request.method} is not allowed on {request.url.path[:200]}; use {allowed}",
            headers,
        )
    return error_response(exc.status_code, "http_error", str(exc.detail), headers)
