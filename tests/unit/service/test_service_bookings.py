"""Bookings end to end, and the no-double-booking invariant under concurrency."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from runbook.service import RunningService
from runbook.service.domain import SAST
from runbook.service.store import Store
from tests.unit.service.service_helpers import SlotAllocator, booking_body


def test_catalogue(client: httpx.Client) -> None:
    services = client.get("/api/services").json()["services"]
    assert {"id", "name", "duration_minutes", "price_zar"} <= set(services[0])
    assert any(s["id"] == "svc-wash-blowdry" and s["duration_minutes"] == 60 for s in services)
    staff = client.get("/api/staff").json()["staff"]
    assert {member["id"] for member in staff} >= set(SlotAllocator.STAFF)


def test_booking_lifecycle(client: httpx.Client, slots: SlotAllocator) -> None:
    slot = slots.next()
    created = client.post("/api/bookings", json=booking_body(slot))
    assert created.status_code == 201, created.text
    booking = created.json()
    assert booking["id"].startswith("bk_")
    assert booking["status"] == "pending_payment"
    assert datetime.fromisoformat(booking["start"]) == slot.start
    assert datetime.fromisoformat(booking["end"]) == slot.start + timedelta(minutes=60)
    assert booking["customer"]["email"] == "lindiwe@example.co.za"
    assert booking["amount_kobo"] == 35000
    assert client.get(f"/api/bookings/{booking['id']}").json() == booking

    moved = client.post(f"/api/bookings/{booking['id']}/reschedule", json={"start": slot.at(60)})
    assert moved.status_code == 200, moved.text
    assert datetime.fromisoformat(moved.json()["start"]) == slot.start + timedelta(minutes=60)

    cancelled = client.post(f"/api/bookings/{booking['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    again = client.post(f"/api/bookings/{booking['id']}/cancel")
    assert again.status_code == 200 and again.json()["status"] == "cancelled"
    refused = client.post(f"/api/bookings/{booking['id']}/reschedule", json={"start": slot.iso})
    assert refused.status_code == 409
    # The cancelled time is free again.
    assert client.post("/api/bookings", json=booking_body(slot)).status_code == 201


def test_overlap_is_refused_for_the_same_stylist_only(
    client: httpx.Client, slots: SlotAllocator
) -> None:
    slot = slots.next()
    assert client.post("/api/bookings", json=booking_body(slot)).status_code == 201
    overlapping = booking_body(slot, service_id="svc-treatment", start=slot.at(30))
    response = client.post("/api/bookings", json=overlapping)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "slot_taken"
    before = booking_body(slot, service_id="svc-cut-style", start=slot.at(-30))
    assert client.post("/api/bookings", json=before).status_code == 409
    back_to_back = booking_body(slot, service_id="svc-treatment", start=slot.at(60))
    assert client.post("/api/bookings", json=back_to_back).status_code == 201
    other = slots.next()
    same_time_other_stylist = booking_body(slot, staff_id=other.staff_id)
    if other.staff_id != slot.staff_id:
        assert client.post("/api/bookings", json=same_time_other_stylist).status_code == 201


def test_reschedule_onto_another_booking_is_refused(
    client: httpx.Client, slots: SlotAllocator
) -> None:
    slot = slots.next()
    first = client.post("/api/bookings", json=booking_body(slot)).json()
    second = client.post(
        "/api/bookings", json=booking_body(slot, service_id="svc-treatment", start=slot.at(60))
    ).json()
    response = client.post(f"/api/bookings/{second['id']}/reschedule", json={"start": slot.at(15)})
    assert response.status_code == 409
    assert client.get(f"/api/bookings/{second['id']}").json()["start"] == second["start"]
    assert client.get(f"/api/bookings/{first['id']}").json()["status"] == "pending_payment"


@pytest.mark.parametrize(
    ("local_time", "service_id", "code"),
    [
        ("07:30", "svc-treatment", "outside_business_hours"),
        ("17:30", "svc-wash-blowdry", "outside_business_hours"),  # would end 18:30
    ],
)
def test_outside_business_hours(
    client: httpx.Client, slots: SlotAllocator, local_time: str, service_id: str, code: str
) -> None:
    slot = slots.next()
    start = f"{slot.start.date().isoformat()}T{local_time}:00+02:00"
    response = client.post("/api/bookings", json=booking_body(slot, service_id, start=start))
    assert response.status_code == 422
    assert response.json()["error"]["code"] == code


def test_closed_days_and_the_past_are_refused(client: httpx.Client, slots: SlotAllocator) -> None:
    slot = slots.next()
    monday = slot.start - timedelta(days=slot.start.weekday())
    response = client.post("/api/bookings", json=booking_body(slot, start=monday.isoformat()))
    assert response.status_code == 422
    assert "Monday" in response.json()["error"]["message"]
    past = datetime.now(SAST) - timedelta(days=7)
    response = client.post("/api/bookings", json=booking_body(slot, start=past.isoformat()))
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "start_in_past"
    in_utc = (slot.start.astimezone(SAST) - timedelta(hours=2)).replace(tzinfo=None)
    utc_iso = in_utc.isoformat() + "Z"
    assert client.post("/api/bookings", json=booking_body(slot, start=utc_iso)).status_code == 201


def test_availability_excludes_taken_times(client: httpx.Client, slots: SlotAllocator) -> None:
    slot = slots.next()
    params = {
        "staff_id": slot.staff_id,
        "service_id": "svc-treatment",
        "date": slot.start.date().isoformat(),
    }
    before = client.get("/api/availability", params=params).json()
    assert before["open"] is True
    starts_before = {datetime.fromisoformat(s["start"]) for s in before["slots"]}
    assert slot.start in starts_before
    client.post("/api/bookings", json=booking_body(slot)).raise_for_status()
    after = client.get("/api/availability", params=params).json()
    starts_after = {datetime.fromisoformat(s["start"]) for s in after["slots"]}
    taken = {slot.start + timedelta(minutes=m) for m in (-15, 0, 15, 30, 45)}
    assert starts_after == starts_before - taken
    monday = slot.start.date() - timedelta(days=slot.start.weekday())
    closed = client.get("/api/availability", params={**params, "date": monday.isoformat()})
    assert closed.json() == {**closed.json(), "open": False, "slots": []}


async def _post_all(base_url: str, bodies: list[dict[str, object]]) -> list[int]:
    limits = httpx.Limits(max_connections=len(bodies), max_keepalive_connections=len(bodies))
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60) as http:
        responses = await asyncio.gather(*(http.post("/api/bookings", json=b) for b in bodies))
    return [response.status_code for response in responses]


def test_hundred_concurrent_bookings_for_one_slot_give_one_booking(
    running_service: RunningService, slots: SlotAllocator
) -> None:
    slot = slots.next()
    statuses = asyncio.run(_post_all(running_service.base_url, [booking_body(slot)] * 100))
    assert statuses.count(201) == 1
    assert statuses.count(409) == 99


def test_concurrent_overlapping_starts_give_one_booking(
    running_service: RunningService, slots: SlotAllocator
) -> None:
    slot = slots.next()
    # Every start lies within the first hour, and each booking lasts an hour: all overlap.
    bodies = [booking_body(slot, start=slot.at(offset % 4 * 15)) for offset in range(60)]
    statuses = asyncio.run(_post_all(running_service.base_url, bodies))
    assert statuses.count(201) == 1
    assert statuses.count(409) == 59


def test_database_refuses_overlap_even_without_the_application_check(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    store.open()
    try:
        store.write(
            lambda c: c.executemany(
                "INSERT INTO services VALUES (?, ?, ?, ?)", [("s", "Service", 60, 100)]
            )
        )
        store.write(lambda c: c.execute("INSERT INTO staff VALUES ('t', 'T', 'Stylist')"))
        insert = (
            "INSERT INTO bookings (id, service_id, staff_id, start_ts, end_ts, status, "
            "customer_name, customer_email, created_at, updated_at, created_day) "
            "VALUES (?, 's', 't', ?, ?, ?, 'n', 'e', 'x', 'x', 'd')"
        )
        store.write(lambda c: c.execute(insert, ("a", 1000, 4600, "pending_payment")))
        with pytest.raises(sqlite3.IntegrityError, match="booking_overlap"):
            store.write(lambda c: c.execute(insert, ("b", 4000, 8000, "confirmed")))
        store.write(lambda c: c.execute(insert, ("c", 4600, 8200, "confirmed")))  # touching
        store.write(lambda c: c.execute(insert, ("d", 4000, 8000, "cancelled")))
        with pytest.raises(sqlite3.IntegrityError, match="booking_overlap"):
            store.write(lambda c: c.execute("UPDATE bookings SET status='confirmed' WHERE id='d'"))
        assert store.pragma("journal_mode") == "wal"
        assert store.pragma("synchronous") == 2  # FULL
    finally:
        store.close()


def test_demo_bookings_are_in_the_future(client: httpx.Client) -> None:
    tomorrow = datetime.now(SAST).date() + timedelta(days=1)
    found = 0
    for offset in range(8):
        day: date = tomorrow + timedelta(days=offset)
        for staff in SlotAllocator.STAFF:
            params = {"staff_id": staff, "service_id": "svc-treatment", "date": day.isoformat()}
            body = client.get("/api/availability", params=params).json()
            if body["open"] and len(body["slots"]) < 37:
                found += 1
    assert found >= 6


def test_group_commit_rolls_back_only_the_failing_job(tmp_path: Path) -> None:
    store = Store(tmp_path / "batch.sqlite3")
    store.open()
    try:

        def put(key: str) -> Callable[[sqlite3.Connection], str]:
            def work(connection: sqlite3.Connection) -> str:
                connection.execute("INSERT INTO meta (key, value) VALUES (?, 'v')", (key,))
                if key == "bad":
                    raise ValueError("refused")
                return key

            return work

        outcomes = store.write_many([put("one"), put("bad"), put("two")])
        assert [o.value for o in outcomes] == ["one", None, "two"]
        assert isinstance(outcomes[1].error, ValueError)
        keys = store.read(lambda c: [r[0] for r in c.execute("SELECT key FROM meta ORDER BY key")])
        assert keys == ["one", "two"]
    finally:
        store.close()


def test_booking_page_is_small_self_contained_and_counts_visits(
    fresh_client: httpx.Client,
) -> None:
    before = fresh_client.get("/api/metrics").json()
    page = fresh_client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert len(page.content) < 50 * 1024
    assert "<form" in page.text and "Thandi Mokoena" in page.text and "Silk press" in page.text
    assert "http://" not in page.text and "https://" not in page.text  # nothing external
    assert "default-src 'none'" in page.headers["content-security-policy"]
    after = fresh_client.get("/api/metrics").json()
    assert after["page_visits_today"] == before["page_visits_today"] + 1
    assert after["booking_conversion_percent"] < before["booking_conversion_percent"]
