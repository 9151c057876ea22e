"""Login sessions for salon staff (a stand-in for the production auth provider)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from runbook.service import sessions
from runbook.service.context import ServiceContext
from runbook.service.domain import iso_utc, parse_email
from runbook.service.wire import ApiError, get_str, read_json_object


def _iso(epoch: float) -> str:
    return iso_utc(datetime.fromtimestamp(epoch, UTC))


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def _unauthorised(message: str) -> ApiError:
    return ApiError(401, "unauthorized", message, headers={"WWW-Authenticate": "Bearer"})


def routes(ctx: ServiceContext) -> list[BaseRoute]:
    def guard() -> None:
        if ctx.faults.active("auth_down"):
            raise ApiError(503, "auth_unavailable", "sign-in is unavailable (fault: auth_down)")

    async def login(request: Request) -> JSONResponse:
        guard()
        body = await read_json_object(request)
        email = parse_email(body)
        password = get_str(body, "password", max_length=200)
        now = time.time()
        user_id = await ctx.read(lambda c: sessions.check_password(c, email, password))
        if user_id is None:
            raise ApiError(401, "invalid_credentials", "email or password is wrong")
        token, expires = await ctx.write(lambda c: sessions.open_session(c, user_id, now))
        return JSONResponse({"token": token, "expires_at": _iso(expires), "token_type": "Bearer"})

    async def session(request: Request) -> JSONResponse:
        guard()
        token = bearer_token(request)
        if token is None:
            raise _unauthorised("send Authorization: Bearer <token> from /api/auth/login")
        now = time.time()
        info = await ctx.write(lambda c: sessions.touch_session(c, token, now))
        if info is None:
            raise _unauthorised("the session is unknown or has expired; log in again")
        return JSONResponse(
            {
                "user": {"id": info.user_id, "email": info.email, "name": info.name},
                "created_at": _iso(info.created_ts),
                "expires_at": _iso(info.expires_ts),
            }
        )

    async def logout(request: Request) -> JSONResponse:
        guard()
        token = bearer_token(request)
        if token is None:
            raise _unauthorised("send Authorization: Bearer <token> from /api/auth/login")
        closed = await ctx.write(lambda c: sessions.close_session(c, token))
        if not closed:
            raise _unauthorised("the session is unknown or has expired")
        return JSONResponse({"status": "logged_out"})

    return [
        Route("/api/auth/login", login, methods=["POST"]),
        Route("/api/auth/session", session, methods=["GET"]),
        Route("/api/auth/logout", logout, methods=["POST"]),
    ]
