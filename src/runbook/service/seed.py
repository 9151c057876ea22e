"""Start-up preparation: the salon catalogue always, and demo traffic when asked for."""

from __future__ import annotations

import sqlite3
from datetime import datetime, time

from runbook.service import ledger, sessions
from runbook.service.domain import (
    SAST,
    SERVICES,
    SERVICES_BY_ID,
    STAFF,
    BookingRequest,
    Customer,
    iso_utc,
    local_day,
    next_open_days,
)
from runbook.service.store import Store, get_meta, set_meta
from runbook.service.wire import ApiError

DEMO_OWNER_EMAIL = "owner@instylehairboutique.co.za"
DEMO_OWNER_PASSWORD = "demo-password"
CALENDAR_LAST_SYNC_KEY = "calendar_last_sync"
# Five visits per booking: a 20 % conversion, a healthy figure for a booking page.
DEMO_VISITS_PER_BOOKING = 5

# (open day index, staff index, start hour, service id, confirmed)
_DEMO_BOOKINGS = (
    (0, 0, 9, "svc-wash-blowdry", True),
    (0, 1, 9, "svc-knotless-braids", True),
    (0, 2, 13, "svc-colour", True),
    (1, 3, 10, "svc-cut-style", True),
    (1, 0, 14, "svc-silk-press", True),
    (1, 2, 9, "svc-treatment", True),
    (2, 3, 11, "svc-wash-blowdry", False),
    (2, 1, 15, "svc-cut-style", False),
)
_DEMO_CUSTOMERS = (
    ("Zanele Mthembu", "zanele@example.co.za", "+27 82 555 0101"),
    ("Ayanda Nkosi", "ayanda@example.co.za", "+27 83 555 0102"),
    ("Precious Sithole", "precious@example.co.za", None),
    ("Refilwe Molefe", "refilwe@example.co.za", "+27 72 555 0104"),
    ("Kgomotso Ndlovu", "kgomotso@example.co.za", None),
    ("Busisiwe Zulu", "busi@example.co.za", "+27 61 555 0106"),
    ("Palesa Mahlangu", "palesa@example.co.za", "+27 79 555 0107"),
    ("Nomsa Radebe", "nomsa@example.co.za", None),
)


def prepare(store: Store, *, seed_demo_data: bool, now: datetime) -> datetime | None:
    """Open the database, seed it, and return the calendar's last sync time."""
    store.open()
    store.write(_seed_catalogue)
    if seed_demo_data:
        store.write(lambda connection: _seed_demo(connection, now))
    last_sync = store.read(lambda connection: get_meta(connection, CALENDAR_LAST_SYNC_KEY))
    return None if last_sync is None else datetime.fromisoformat(last_sync)


def _seed_catalogue(connection: sqlite3.Connection) -> None:
    # Upserts keep an existing database in step with the catalogue in code.
    for service in SERVICES:
        connection.execute(
            "INSERT INTO services (id, name, duration_minutes, price_zar) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET name = excluded.name, "
            "duration_minutes = excluded.duration_minutes, price_zar = excluded.price_zar",
            (service.id, service.name, service.duration_minutes, service.price_zar),
        )
    for member in STAFF:
        connection.execute(
            "INSERT INTO staff (id, name, role) VALUES (?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET name = excluded.name, role = excluded.role",
            (member.id, member.name, member.role),
        )


def _seed_demo(connection: sqlite3.Connection, now: datetime) -> None:
    sessions.add_user(connection, "usr-owner", DEMO_OWNER_EMAIL, "Salon owner", DEMO_OWNER_PASSWORD)
    today = local_day(now)
    # Once per day per database: a restart on the same day must not inflate the figures.
    if get_meta(connection, "demo_seeded_day") == today:
        return
    days = next_open_days(now.astimezone(SAST).date(), 3)
    created = 0
    for (day_index, staff_index, hour, service_id, confirmed), customer in zip(
        _DEMO_BOOKINGS, _DEMO_CUSTOMERS, strict=True
    ):
        request = BookingRequest(
            service=SERVICES_BY_ID[service_id],
            staff=STAFF[staff_index],
            start=datetime.combine(days[day_index], time(hour, 0), SAST),
            customer=Customer(*customer),
        )
        try:
            booking = ledger.insert_booking(connection, request, now, calendar_synced=True)
        except ApiError:
            continue  # an earlier day's demo booking holds the slot; skip rather than fail
        created += 1
        ledger.create_payment(
            connection,
            str(booking["id"]),
            customer[1],
            now,
            status="success" if confirmed else "pending",
        )
    ledger.mark_calendar_synced(connection)
    ledger.record_visit(connection, today, created * DEMO_VISITS_PER_BOOKING)
    set_meta(connection, CALENDAR_LAST_SYNC_KEY, iso_utc(now))
    set_meta(connection, "demo_seeded_day", today)
