"""Helpers shared by the service tests (importable, unlike conftest)."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from runbook.service.domain import SAST, is_open

ADMIN_TOKEN = "test-admin-token-7f3a"
PAYSTACK_SECRET = "sk_test_unit_suite"


@dataclass(frozen=True)
class Slot:
    staff_id: str
    start: datetime

    @property
    def iso(self) -> str:
        return self.start.isoformat()

    def at(self, minutes: int) -> str:
        """The slot's start shifted by some minutes, as ISO-8601 with offset."""
        return (self.start + timedelta(minutes=minutes)).isoformat()


class SlotAllocator:
    """Hands out distinct stylist/start pairs (09:00, 12:00, 15:00) a month ahead.

    Each owns the three hours around it (an hour before to two after), so tests sharing one
    service never collide with each other or with the demo bookings.
    """

    STAFF = ("stf-thandi", "stf-lerato", "stf-aisha", "stf-naledi")

    def __init__(self, first_day: date) -> None:
        self._lock = threading.Lock()
        self._slots = self._generate(first_day)

    def _generate(self, first_day: date) -> Iterator[Slot]:
        for offset in itertools.count():
            day = first_day + timedelta(days=offset)
            if not is_open(day):
                continue
            for hour in (9, 12, 15):
                for staff_id in self.STAFF:
                    yield Slot(staff_id, datetime.combine(day, time(hour, 0), SAST))

    def next(self) -> Slot:
        with self._lock:
            return next(self._slots)


def admin_headers(token: str = ADMIN_TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def booking_body(slot: Slot, service_id: str = "svc-wash-blowdry", **overrides: object) -> dict:
    body: dict[str, object] = {
        "service_id": service_id,
        "staff_id": slot.staff_id,
        "start": slot.iso,
        "customer": {"name": "Lindiwe Test", "email": "lindiwe@example.co.za"},
    }
    body.update(overrides)
    return body
