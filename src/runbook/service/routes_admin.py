"""Admin routes for fault injection, behind the admin bearer token."""

from __future__ import annotations

import hmac

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from runbook.service.context import ServiceContext, log
from runbook.service.faults import FAULT_DESCRIPTIONS
from runbook.service.routes_auth import bearer_token
from runbook.service.wire import ApiError, get_str, read_json_object


def routes(ctx: ServiceContext) -> list[BaseRoute]:
    expected = ctx.settings.admin_token.encode()

    def require_admin(request: Request) -> None:
        if "authorization" not in request.headers:
            raise ApiError(
                401,
                "unauthorized",
                "admin routes need Authorization: Bearer <admin token>",
                headers={"WWW-Authenticate": "Bearer"},
            )
        token = bearer_token(request)
        if token is None:
            raise ApiError(
                401,
                "unauthorized",
                "the Authorization header must use the Bearer scheme",
                headers={"WWW-Authenticate": "Bearer"},
            )
        if not hmac.compare_digest(token.encode(), expected):
            raise ApiError(403, "forbidden", "the admin token is not valid for this service")

    def listing() -> dict[str, object]:
        return {"faults": ctx.faults.snapshot(), "available": FAULT_DESCRIPTIONS}

    async def list_faults(request: Request) -> JSONResponse:
        require_admin(request)
        return JSONResponse(listing())

    async def set_fault(request: Request) -> JSONResponse:
        require_admin(request)
        body = await read_json_object(request)
        name = get_str(body, "fault", max_length=64)
        params = {key: value for key, value in body.items() if key != "fault"}
        fault = ctx.faults.set(name, params)
        log.warning("fault set: %s %s", name, fault.params)
        return JSONResponse({"fault": name, "active": fault.as_json(), **listing()})

    async def clear_fault(request: Request) -> JSONResponse:
        require_admin(request)
        name = str(request.path_params["name"])
        was_active = ctx.faults.active(name)
        ctx.faults.clear(name)
        if was_active:
            log.warning("fault cleared: %s", name)
        return JSONResponse({"cleared": [name] if was_active else [], **listing()})

    async def clear_all(request: Request) -> JSONResponse:
        require_admin(request)
        cleared = ctx.faults.names()
        ctx.faults.clear_all()
        if cleared:
            log.warning("faults cleared: %s", ", ".join(cleared))
        return JSONResponse({"cleared": cleared, **listing()})

    async def faults_collection(request: Request) -> JSONResponse:
        # One route per path, so a 405 lists every method the path accepts.
        handlers = {"GET": list_faults, "POST": set_fault, "DELETE": clear_all}
        return await handlers.get(request.method, list_faults)(request)  # HEAD acts as GET

    return [
        Route("/api/admin/faults", faults_collection, methods=["GET", "POST", "DELETE"]),
        Route("/api/admin/faults/{name}", clear_fault, methods=["DELETE"]),
    ]
