"""Catalogue, availability and booking routes."""

from __future__ import annotations

import sqlite3
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from runbook.service import ledger
from runbook.service.context import ServiceContext
from runbook.service.domain import (
    check_bookable,
    day_bounds,
    free_slots,
    is_open,
    iso_local,
    parse_booking_request,
    parse_day,
    parse_start,
    service_by_id,
    staff_by_id,
    utc_now,
)
from runbook.service.wire import invalid, read_json_object


def routes(ctx: ServiceContext) -> list[BaseRoute]:
    async def list_services(request: Request) -> JSONResponse:
        rows = await ctx.read(
            lambda c: c.execute(
                "SELECT id, name, duration_minutes, price_zar FROM services ORDER BY rowid"
            ).fetchall()
        )
        return JSONResponse({"services": [dict(row) for row in rows]})

    async def list_staff(request: Request) -> JSONResponse:
        rows = await ctx.read(
            lambda c: c.execute("SELECT id, name, role FROM staff ORDER BY rowid").fetchall()
        )
        return JSONResponse({"staff": [dict(row) for row in rows]})

    async def availability(request: Request) -> JSONResponse:
        query = request.query_params
        staff = staff_by_id(_query(query.get("staff_id"), "staff_id"))
        service = service_by_id(_query(query.get("service_id"), "service_id"))
        day = parse_day(query.get("date"))
        start, end = day_bounds(day)

        def busy(connection: sqlite3.Connection) -> list[Any]:
            return ledger.busy_intervals(connection, staff.id, start, end)

        taken = await ctx.read(busy)
        slots = free_slots(day, service.duration, taken, utc_now())
        return JSONResponse(
            {
                "date": day.isoformat(),
                "staff_id": staff.id,
                "service_id": service.id,
                "open": is_open(day),
                "slots": [{"start": iso_local(a), "end": iso_local(b)} for a, b in slots],
            }
        )

    async def create_booking(request: Request) -> JSONResponse:
        booking_request = parse_booking_request(await read_json_object(request))
        now = utc_now()
        check_bookable(booking_request.start, booking_request.service.duration, now)
        booking = await ctx.write(lambda c: ledger.insert_booking(c, booking_request, now))
        return JSONResponse(booking, status_code=201)

    async def get_booking(request: Request) -> JSONResponse:
        booking_id = str(request.path_params["booking_id"])
        return JSONResponse(await ctx.read(lambda c: ledger.get_booking(c, booking_id)))

    async def reschedule(request: Request) -> JSONResponse:
        booking_id = str(request.path_params["booking_id"])
        start = parse_start((await read_json_object(request)).get("start"))
        now = utc_now()

        def move(connection: sqlite3.Connection) -> dict[str, Any]:
            service = service_by_id(ledger.booking_service_id(connection, booking_id))
            check_bookable(start, service.duration, now)
            return ledger.reschedule_booking(connection, booking_id, start, now)

        return JSONResponse(await ctx.write(move))

    async def cancel(request: Request) -> JSONResponse:
        booking_id = str(request.path_params["booking_id"])
        now = utc_now()
        return JSONResponse(await ctx.write(lambda c: ledger.cancel_booking(c, booking_id, now)))

    return [
        Route("/api/services", list_services, methods=["GET"]),
        Route("/api/staff", list_staff, methods=["GET"]),
        Route("/api/availability", availability, methods=["GET"]),
        Route("/api/bookings", create_booking, methods=["POST"]),
        Route("/api/bookings/{booking_id}", get_booking, methods=["GET"]),
        Route("/api/bookings/{booking_id}/reschedule", reschedule, methods=["POST"]),
        Route("/api/bookings/{booking_id}/cancel", cancel, methods=["POST"]),
    ]


def _query(value: str | None, name: str) -> str:
    if not value:
        raise invalid(f"query parameter '{name}' is required")
    return value
