"""Google Calendar sync stand-in: bookings changed since the last sync are pending."""

from __future__ import annotations

import sqlite3

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from runbook.service import ledger
from runbook.service.context import ServiceContext
from runbook.service.domain import iso_utc, utc_now
from runbook.service.store import set_meta
from runbook.service.wire import ApiError

LAST_SYNC_KEY = "calendar_last_sync"


def routes(ctx: ServiceContext) -> list[BaseRoute]:
    async def status(request: Request) -> JSONResponse:
        pending = await ctx.read(ledger.calendar_pending)
        last = ctx.calendar_last_sync
        return JSONResponse(
            {
                "status": "down" if ctx.faults.active("calendar_down") else "ok",
                "last_sync": None if last is None else iso_utc(last),
                "pending": pending,
            }
        )

    async def sync(request: Request) -> JSONResponse:
        if ctx.faults.active("calendar_down"):
            raise ApiError(
                503, "calendar_unavailable", "Google Calendar is unreachable (fault: calendar_down)"
            )
        now = utc_now()

        def push(connection: sqlite3.Connection) -> int:
            synced = ledger.mark_calendar_synced(connection)
            set_meta(connection, LAST_SYNC_KEY, iso_utc(now))
            return synced

        synced = await ctx.write(push)
        ctx.calendar_last_sync = now
        return JSONResponse(
            {"status": "ok", "synced": synced, "pending": 0, "last_sync": iso_utc(now)}
        )

    return [
        Route("/api/calendar/status", status, methods=["GET"]),
        Route("/api/calendar/sync", sync, methods=["POST"]),
    ]
