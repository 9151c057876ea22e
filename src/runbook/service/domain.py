"""The salon's rules: catalogue, business hours, and validation of booking input."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any, TypeVar

from runbook.service.wire import get_optional_str, get_str, invalid

# South Africa has had no daylight saving since 1944, so a fixed offset is exact and avoids
# depending on the host's tz database.
SAST = timezone(timedelta(hours=2), "SAST")
OPEN_WEEKDAYS = frozenset({1, 2, 3, 4, 5})  # Tuesday..Saturday; Monday is 0
OPENING = time(8, 0)
CLOSING = time(18, 0)
SLOT_STEP = timedelta(minutes=15)
MAX_ADVANCE = timedelta(days=365)
MIN_YEAR, MAX_YEAR = 2000, 2100
BOOKING_STATUSES = ("pending_payment", "confirmed", "cancelled")

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{6,19}$")


@dataclass(frozen=True)
class Service:
    id: str
    name: str
    duration_minutes: int
    price_zar: int

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "duration_minutes": self.duration_minutes,
            "price_zar": self.price_zar,
        }


@dataclass(frozen=True)
class StaffMember:
    id: str
    name: str
    role: str

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "role": self.role}


SERVICES: tuple[Service, ...] = (
    Service("svc-wash-blowdry", "Wash and blow-dry", 60, 350),
    Service("svc-cut-style", "Cut and style", 45, 280),
    Service("svc-silk-press", "Silk press", 90, 650),
    Service("svc-colour", "Full colour", 120, 950),
    Service("svc-knotless-braids", "Knotless braids", 240, 1200),
    Service("svc-treatment", "Deep conditioning treatment", 30, 200),
)
STAFF: tuple[StaffMember, ...] = (
    StaffMember("stf-thandi", "Thandi Mokoena", "Senior stylist"),
    StaffMember("stf-lerato", "Lerato Dlamini", "Braider"),
    StaffMember("stf-aisha", "Aisha Patel", "Colourist"),
    StaffMember("stf-naledi", "Naledi Khumalo", "Stylist"),
)
SERVICES_BY_ID = {service.id: service for service in SERVICES}
STAFF_BY_ID = {member.id: member for member in STAFF}


@dataclass(frozen=True)
class Customer:
    name: str
    email: str
    phone: str | None

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "email": self.email, "phone": self.phone}


@dataclass(frozen=True)
class BookingRequest:
    service: Service
    staff: StaffMember
    start: datetime
    customer: Customer

    @property
    def end(self) -> datetime:
        return self.start + self.service.duration


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def iso_local(moment: datetime) -> str:
    """Appointment times are shown in salon time, as customers and staff read them."""
    return moment.astimezone(SAST).isoformat(timespec="seconds")


def from_epoch(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def local_day(moment: datetime) -> str:
    return moment.astimezone(SAST).date().isoformat()


_Item = TypeVar("_Item")


def service_by_id(value: object) -> Service:
    return _by_id(SERVICES_BY_ID, value, "service_id", "unknown_service")


def staff_by_id(value: object) -> StaffMember:
    return _by_id(STAFF_BY_ID, value, "staff_id", "unknown_staff")


def _by_id(table: Mapping[str, _Item], value: object, field: str, code: str) -> _Item:
    if not isinstance(value, str):
        raise invalid(f"'{field}' must be a string")
    item = table.get(value)
    if item is None:
        raise invalid(f"unknown {field} '{value[:60]}'", code)
    return item


def parse_start(value: object, name: str = "start") -> datetime:
    if value is None:
        raise invalid(f"'{name}' is required")
    if not isinstance(value, str):
        raise invalid(f"'{name}' must be an ISO-8601 string")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise invalid(f"'{name}' is not an ISO-8601 date-time: '{value[:60]}'") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise invalid(f"'{name}' needs a UTC offset, e.g. 2025-03-04T09:00:00+02:00")
    _check_year(moment.year, name)
    # Whole seconds keep the integer-second overlap arithmetic in the database exact.
    return moment.replace(microsecond=0)


def parse_day(value: object, name: str = "date") -> date:
    if not isinstance(value, str) or not value:
        raise invalid(f"'{name}' is required as YYYY-MM-DD")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise invalid(f"'{name}' is not a YYYY-MM-DD date: '{value[:40]}'") from None
    _check_year(day.year, name)
    return day


def _check_year(year: int, name: str) -> None:
    # Keeps date arithmetic (end times, day bounds) clear of datetime's year 1 and 9999 limits.
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise invalid(f"'{name}' must be between the years {MIN_YEAR} and {MAX_YEAR}")


def parse_email(body: Mapping[str, Any]) -> str:
    email = get_str(body, "email", max_length=254)
    if not _EMAIL.match(email):
        raise invalid(f"'email' is not an email address: '{email[:60]}'")
    return email


def parse_customer(value: object) -> Customer:
    if value is None:
        raise invalid("'customer' is required")
    if not isinstance(value, Mapping):
        raise invalid("'customer' must be an object with name, email and optional phone")
    name = get_str(value, "name", max_length=100)
    email = parse_email(value)
    phone = get_optional_str(value, "phone", max_length=20)
    if phone is not None and not _PHONE.match(phone):
        raise invalid(f"'phone' is not a phone number: '{phone}'")
    return Customer(name=name, email=email, phone=phone)


def parse_booking_request(body: Mapping[str, Any]) -> BookingRequest:
    return BookingRequest(
        service=service_by_id(_required(body, "service_id")),
        staff=staff_by_id(_required(body, "staff_id")),
        start=parse_start(body.get("start")),
        customer=parse_customer(body.get("customer")),
    )


def _required(body: Mapping[str, Any], name: str) -> object:
    if body.get(name) is None:
        raise invalid(f"'{name}' is required")
    return body[name]


def is_open(day: date) -> bool:
    return day.weekday() in OPEN_WEEKDAYS


def check_bookable(start: datetime, duration: timedelta, now: datetime) -> None:
    """Raise a 422 unless the appointment is in the future and inside business hours."""
    if start <= now:
        raise invalid("appointments cannot start in the past", "start_in_past")
    if start - now > MAX_ADVANCE:
        raise invalid("appointments can be booked at most 365 days ahead", "too_far_ahead")
    local_start = start.astimezone(SAST)
    local_end = local_start + duration
    opening = datetime.combine(local_start.date(), OPENING, SAST)
    closing = datetime.combine(local_start.date(), CLOSING, SAST)
    if not is_open(local_start.date()):
        raise invalid(
            "the salon is open Tuesday to Saturday; "
            f"{local_start.date().isoformat()} is a {local_start.strftime('%A')}",
            "outside_business_hours",
        )
    if local_start < opening or local_end > closing:
        raise invalid(
            "appointments must start and finish between 08:00 and 18:00 "
            f"(SAST); this one runs {local_start:%H:%M}-{local_end:%H:%M}",
            "outside_business_hours",
        )


def free_slots(
    day: date,
    duration: timedelta,
    busy: Iterable[tuple[datetime, datetime]],
    now: datetime,
) -> list[tuple[datetime, datetime]]:
    if not is_open(day):
        return []
    taken = sorted(busy)
    slots: list[tuple[datetime, datetime]] = []
    start = datetime.combine(day, OPENING, SAST)
    closing = datetime.combine(day, CLOSING, SAST)
    while start + duration <= closing:
        end = start + duration
        if start > now and all(not (b_start < end and b_end > start) for b_start, b_end in taken):
            slots.append((start, end))
        start += SLOT_STEP
    return slots


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0, 0), SAST)
    return start, start + timedelta(days=1)


def next_open_days(after: date, count: int) -> list[date]:
    days: list[date] = []
    current = after
    while len(days) < count:
        current += timedelta(days=1)
        if is_open(current):
            days.append(current)
    return days
