"""Bookings, payments and daily figures as SQL; each function runs inside a Store transaction."""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from runbook.service.domain import (
    SERVICES_BY_ID,
    BookingRequest,
    from_epoch,
    iso_local,
    iso_utc,
    local_day,
)
from runbook.service.wire import ApiError

_BOOKING_COLUMNS = (
    "id, service_id, staff_id, start_ts, end_ts, status, customer_name, customer_email, "
    "customer_phone, created_at, updated_at"
)


def new_booking_id() -> str:
    return f"bk_{secrets.token_hex(8)}"


def booking_json(
    row: sqlite3.Row | Mapping[str, Any], payment: sqlite3.Row | None = None
) -> dict[str, Any]:
    service = SERVICES_BY_ID[str(row["service_id"])]
    return {
        "id": row["id"],
        "status": row["status"],
        "start": iso_local(from_epoch(int(row["start_ts"]))),
        "end": iso_local(from_epoch(int(row["end_ts"]))),
        "service_id": row["service_id"],
        "staff_id": row["staff_id"],
        "customer": {
            "name": row["customer_name"],
            "email": row["customer_email"],
            "phone": row["customer_phone"],
        },
        "price_zar": service.price_zar,
        "amount_kobo": service.price_zar * 100,
        "payment_reference": None if payment is None else payment["reference"],
        "payment_status": None if payment is None else payment["status"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def _conflict(
    connection: sqlite3.Connection, staff_id: str, start: int, end: int, exclude: str
) -> None:
    clash = connection.execute(
        "SELECT id, start_ts, end_ts FROM bookings WHERE staff_id = ? AND status != 'cancelled' "
        "AND start_ts < ? AND end_ts > ? AND id != ? LIMIT 1",
        (staff_id, end, start, exclude),
    ).fetchone()
    if clash is not None:
        raise ApiError(
            409,
            "slot_taken",
            f"{staff_id} already has an appointment from "
            f"{iso_local(from_epoch(int(clash['start_ts'])))} to "
            f"{iso_local(from_epoch(int(clash['end_ts'])))}",
        )


def _write_guarded(
    connection: sqlite3.Connection, sql: str, params: tuple[object, ...] | Mapping[str, object]
) -> None:
    try:
        connection.execute(sql, params)
    except sqlite3.IntegrityError as error:
        if "booking_overlap" in str(error):
            raise ApiError(409, "slot_taken", "that time overlaps another appointment") from None
        raise


def insert_booking(
    connection: sqlite3.Connection,
    request: BookingRequest,
    now: datetime,
    booking_id: str | None = None,
    status: str = "pending_payment",
    calendar_synced: bool = False,
) -> dict[str, Any]:
    booking_id = booking_id or new_booking_id()
    start, end = int(request.start.timestamp()), int(request.end.timestamp())
    _conflict(connection, request.staff.id, start, end, exclude="")
    stamp = iso_utc(now)
    row: dict[str, Any] = {
        "id": booking_id,
        "service_id": request.service.id,
        "staff_id": request.staff.id,
        "start_ts": start,
        "end_ts": end,
        "status": status,
        "customer_name": request.customer.name,
        "customer_email": request.customer.email,
        "customer_phone": request.customer.phone,
        "created_at": stamp,
        "updated_at": stamp,
    }
    _write_guarded(
        connection,
        f"INSERT INTO bookings ({_BOOKING_COLUMNS}, created_day, calendar_synced) "
        "VALUES (:id, :service_id, :staff_id, :start_ts, :end_ts, :status, :customer_name, "
        ":customer_email, :customer_phone, :created_at, :updated_at, :created_day, :synced)",
        {**row, "created_day": local_day(now), "synced": int(calendar_synced)},
    )
    # Built from what was written rather than read back: a new booking has no payment yet.
    return booking_json(row)


def find_booking(connection: sqlite3.Connection, booking_id: str) -> dict[str, Any] | None:
    row = connection.execute(
        f"SELECT {_BOOKING_COLUMNS} FROM bookings WHERE id = ?", (booking_id,)
    ).fetchone()
    if row is None:
        return None
    payment = connection.execute(
        "SELECT reference, status FROM payments WHERE booking_id = ? "
        "ORDER BY (status = 'success') DESC, created_at DESC, rowid DESC LIMIT 1",
        (booking_id,),
    ).fetchone()
    return booking_json(row, payment)


def get_booking(connection: sqlite3.Connection, booking_id: str) -> dict[str, Any]:
    booking = find_booking(connection, booking_id)
    if booking is None:
        raise ApiError(404, "booking_not_found", f"no booking with id '{booking_id[:60]}'")
    return booking


def reschedule_booking(
    connection: sqlite3.Connection, booking_id: str, start: datetime, now: datetime
) -> dict[str, Any]:
    row = connection.execute(
        "SELECT staff_id, service_id, status FROM bookings WHERE id = ?", (booking_id,)
    ).fetchone()
    if row is None:
        raise ApiError(404, "booking_not_found", f"no booking with id '{booking_id[:60]}'")
    if row["status"] == "cancelled":
        raise ApiError(409, "booking_cancelled", "a cancelled booking cannot be rescheduled")
    service = SERVICES_BY_ID[str(row["service_id"])]
    start_ts = int(start.timestamp())
    end_ts = int((start + service.duration).timestamp())
    _conflict(connection, str(row["staff_id"]), start_ts, end_ts, exclude=booking_id)
    _write_guarded(
        connection,
        "UPDATE bookings SET start_ts = ?, end_ts = ?, updated_at = ?, calendar_synced = 0 "
        "WHERE id = ?",
        (start_ts, end_ts, iso_utc(now), booking_id),
    )
    return get_booking(connection, booking_id)


def booking_service_id(connection: sqlite3.Connection, booking_id: str) -> str:
    row = connection.execute(
        "SELECT service_id FROM bookings WHERE id = ?", (booking_id,)
    ).fetchone()
    if row is None:
        raise ApiError(404, "booking_not_found", f"no booking with id '{booking_id[:60]}'")
    return str(row["service_id"])


def cancel_booking(
    connection: sqlite3.Connection, booking_id: str, now: datetime
) -> dict[str, Any]:
    booking = get_booking(connection, booking_id)
    if booking["status"] != "cancelled":
        connection.execute(
            "UPDATE bookings SET status = 'cancelled', updated_at = ?, calendar_synced = 0 "
            "WHERE id = ?",
            (iso_utc(now), booking_id),
        )
        booking = get_booking(connection, booking_id)
    return booking


def busy_intervals(
    connection: sqlite3.Connection, staff_id: str, start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    rows = connection.execute(
        "SELECT start_ts, end_ts FROM bookings WHERE staff_id = ? AND status != 'cancelled' "
        "AND start_ts < ? AND end_ts > ?",
        (staff_id, int(end.timestamp()), int(start.timestamp())),
    ).fetchall()
    return [(from_epoch(int(row["start_ts"])), from_epoch(int(row["end_ts"]))) for row in rows]


def payment_json(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "reference": row["reference"],
        "booking_id": row["booking_id"],
        "email": row["email"],
        "amount_kobo": row["amount_kobo"],
        "currency": row["currency"],
        "status": row["status"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def create_payment(
    connection: sqlite3.Connection,
    booking_id: str,
    email: str,
    now: datetime,
    status: str = "pending",
) -> dict[str, Any]:
    booking = find_booking(connection, booking_id)
    if booking is None:
        raise ApiError(422, "unknown_booking", f"no booking with id '{booking_id[:60]}'")
    if booking["status"] == "cancelled":
        raise ApiError(409, "booking_cancelled", "a cancelled booking cannot be paid for")
    if booking["status"] == "confirmed":
        raise ApiError(409, "booking_already_paid", "this booking is already paid and confirmed")
    reference = f"rb_{secrets.token_hex(8)}"
    stamp = iso_utc(now)
    connection.execute(
        "INSERT INTO payments (reference, booking_id, email, amount_kobo, currency, status, "
        "access_code, created_at, updated_at, resolved_day) "
        "VALUES (?, ?, ?, ?, 'ZAR', ?, ?, ?, ?, ?)",
        (
            reference,
            booking_id,
            email,
            booking["amount_kobo"],
            status,
            secrets.token_urlsafe(9),
            stamp,
            stamp,
            None if status == "pending" else local_day(now),
        ),
    )
    if status == "success":
        _confirm(connection, booking_id, stamp)
    row = connection.execute("SELECT * FROM payments WHERE reference = ?", (reference,)).fetchone()
    result = payment_json(row)
    result["access_code"] = row["access_code"]
    return result


def find_payment(connection: sqlite3.Connection, reference: str) -> dict[str, Any] | None:
    row = connection.execute("SELECT * FROM payments WHERE reference = ?", (reference,)).fetchone()
    return None if row is None else payment_json(row)


@dataclass(frozen=True)
class ChargeOutcome:
    applied: bool
    payment: dict[str, Any]
    reason: str


def apply_charge(
    connection: sqlite3.Connection,
    reference: str,
    event: str,
    amount_kobo: int | None,
    now: datetime,
) -> ChargeOutcome:
    """Apply a verified Paystack charge event; a reference already settled is left alone."""
    row = connection.execute("SELECT * FROM payments WHERE reference = ?", (reference,)).fetchone()
    if row is None:
        raise ApiError(404, "payment_not_found", f"no payment with reference '{reference[:60]}'")
    stamp = iso_utc(now)
    if row["status"] != "pending":
        outcome = ChargeOutcome(False, payment_json(row), f"already {row['status']}")
    elif amount_kobo is not None and amount_kobo != row["amount_kobo"]:
        raise ApiError(
            422,
            "amount_mismatch",
            f"charged {amount_kobo} kobo but the payment expects {row['amount_kobo']}",
        )
    else:
        status = "success" if event == "charge.success" else "failed"
        connection.execute(
            "UPDATE payments SET status = ?, updated_at = ?, resolved_day = ? WHERE reference = ?",
            (status, stamp, local_day(now), reference),
        )
        if status == "success":
            _confirm(connection, str(row["booking_id"]), stamp)
        fresh = connection.execute(
            "SELECT * FROM payments WHERE reference = ?", (reference,)
        ).fetchone()
        outcome = ChargeOutcome(True, payment_json(fresh), status)
    connection.execute(
        "INSERT INTO webhook_events (reference, event, outcome, received_at) VALUES (?, ?, ?, ?)",
        (reference, event, "applied" if outcome.applied else "ignored", stamp),
    )
    return outcome


def _confirm(connection: sqlite3.Connection, booking_id: str, stamp: str) -> None:
    # A booking cancelled while the customer was paying stays cancelled (refund is manual).
    connection.execute(
        "UPDATE bookings SET status = 'confirmed', updated_at = ?, calendar_synced = 0 "
        "WHERE id = ? AND status = 'pending_payment'",
        (stamp, booking_id),
    )


def record_visit(connection: sqlite3.Connection, day: str, count: int = 1) -> None:
    connection.execute(
        "INSERT INTO page_visits (day, visits) VALUES (?, ?) "
        "ON CONFLICT (day) DO UPDATE SET visits = visits + excluded.visits",
        (day, count),
    )


@dataclass(frozen=True)
class DailyFigures:
    day: str
    bookings: int
    visits: int
    payments_succeeded: int
    payments_failed: int

    @property
    def conversion_percent(self) -> float:
        return round(self.bookings / self.visits * 100.0, 2) if self.visits else 0.0

    @property
    def payment_failure_percent(self) -> float:
        attempts = self.payments_succeeded + self.payments_failed
        return round(self.payments_failed / attempts * 100.0, 2) if attempts else 0.0


def daily_figures(connection: sqlite3.Connection, day: str) -> DailyFigures:
    bookings = connection.execute(
        "SELECT COUNT(*) FROM bookings WHERE created_day = ?", (day,)
    ).fetchone()[0]
    visits_row = connection.execute(
        "SELECT visits FROM page_visits WHERE day = ?", (day,)
    ).fetchone()
    payments = dict(
        connection.execute(
            "SELECT status, COUNT(*) FROM payments WHERE resolved_day = ? GROUP BY status", (day,)
        ).fetchall()
    )
    return DailyFigures(
        day=day,
        bookings=int(bookings),
        visits=0 if visits_row is None else int(visits_row[0]),
        payments_succeeded=int(payments.get("success", 0)),
        payments_failed=int(payments.get("failed", 0)),
    )


def calendar_pending(connection: sqlite3.Connection) -> int:
    return int(
        connection.execute("SELECT COUNT(*) FROM bookings WHERE calendar_synced = 0").fetchone()[0]
    )


def mark_calendar_synced(connection: sqlite3.Connection) -> int:
    return connection.execute(
        "UPDATE bookings SET calendar_synced = 1 WHERE calendar_synced = 0"
    ).rowcount
