"""Injectable faults, so runbooks can rehearse incidents against a real service.

Rates are applied with a deterministic counter rather than randomly: with ``rate=0.25``
exactly one request in four fails, which keeps runbook assertions and tests exact.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from typing import Any

from runbook.service.domain import iso_utc, utc_now
from runbook.service.wire import ApiError

DEFAULT_FLOOD_RPS = 5000
DEFAULT_FLOOD_REJECT_RATE = 0.5

# name -> {param: (kind, required, minimum, maximum, default)}
_ParamSpec = tuple[type, bool, float, float, float | None]
FAULT_PARAMS: dict[str, dict[str, _ParamSpec]] = {
    "database_down": {},
    "latency": {"ms": (int, True, 1, 60_000, None)},
    "error_rate": {"rate": (float, True, 0.0, 1.0, None)},
    "payments_down": {},
    "calendar_down": {},
    "auth_down": {},
    "flood": {
        "rps": (int, False, 1, 10_000_000, DEFAULT_FLOOD_RPS),
        "rate": (float, False, 0.0, 1.0, DEFAULT_FLOOD_REJECT_RATE),
    },
}
FAULT_NAMES: tuple[str, ...] = tuple(FAULT_PARAMS)
FAULT_DESCRIPTIONS: dict[str, str] = {
    "database_down": "database routes answer 503; health reports the database down (503)",
    "latency": "adds {ms} milliseconds to every non-admin request and to database latency",
    "error_rate": "answers that share ({rate}) of application requests with 500",
    "payments_down": "payment routes answer 503; health reports payments down (degraded)",
    "calendar_down": "calendar sync answers 503; health reports calendar down (degraded)",
    "auth_down": "login and session routes answer 503; health reports auth down (503)",
    "flood": "simulates a request flood: synthetic {rps} req/s and a share ({rate}) of 429s",
}


@dataclass
class ActiveFault:
    name: str
    params: dict[str, int | float]
    since: datetime
    rate: Fraction | None = None
    seen: int = field(default=0)

    def as_json(self) -> dict[str, Any]:
        return {**self.params, "since": iso_utc(self.since)}

    def take(self) -> bool:
        """Count one eligible request; True when it is one of the affected share."""
        if self.rate is None:
            return False
        self.seen += 1
        return math.floor(self.seen * self.rate) > math.floor((self.seen - 1) * self.rate)


def _validate(name: str, raw: Mapping[str, Any]) -> dict[str, int | float]:
    specs = FAULT_PARAMS[name]
    unknown = sorted(set(raw) - set(specs))
    if unknown:
        allowed = ", ".join(specs) or "none"
        raise ApiError(
            422,
            "invalid_fault_params",
            f"fault '{name}' takes no parameter {', '.join(unknown)} (allowed: {allowed})",
        )
    params: dict[str, int | float] = {}
    for param, (kind, required, low, high, default) in specs.items():
        value = raw.get(param)
        if value is None:
            if required:
                raise ApiError(422, "invalid_fault_params", f"fault '{name}' needs '{param}'")
            assert default is not None
            params[param] = kind(default)
            continue
        ok_type = isinstance(value, int | float) and not isinstance(value, bool)
        if kind is int and ok_type and isinstance(value, float) and not value.is_integer():
            ok_type = False
        if (
            not ok_type
            or not (low <= value <= high)
            or (isinstance(value, float) and not math.isfinite(value))
        ):
            raise ApiError(
                422,
                "invalid_fault_params",
                f"'{param}' for fault '{name}' must be a {kind.__name__} from {low:g} to {high:g}",
            )
        params[param] = kind(value)
    return params


class Faults:
    """Active faults; touched only from the event loop thread, so no lock is needed."""

    def __init__(self) -> None:
        self._active: dict[str, ActiveFault] = {}

    def set(self, name: str, raw_params: Mapping[str, Any]) -> ActiveFault:
        if name not in FAULT_PARAMS:
            raise ApiError(
                422,
                "unknown_fault",
                f"unknown fault '{name[:60]}'; known faults: {', '.join(FAULT_NAMES)}",
            )
        params = _validate(name, raw_params)
        rate = params.get("rate")
        fault = ActiveFault(
            name=name,
            params=params,
            since=utc_now(),
            rate=None if rate is None else Fraction(str(rate)),
        )
        self._active[name] = fault
        return fault

    def clear(self, name: str) -> None:
        if name not in FAULT_PARAMS:
            raise ApiError(404, "unknown_fault", f"unknown fault '{name[:60]}'")
        self._active.pop(name, None)

    def clear_all(self) -> None:
        self._active.clear()

    def active(self, name: str) -> bool:
        return name in self._active

    def get(self, name: str) -> ActiveFault | None:
        return self._active.get(name)

    def names(self) -> list[str]:
        return sorted(self._active)

    def snapshot(self) -> dict[str, dict[str, Any]]:
        return {name: self._active[name].as_json() for name in sorted(self._active)}

    def latency_ms(self) -> int:
        fault = self._active.get("latency")
        return int(fault.params["ms"]) if fault else 0

    def flood_rps(self) -> int:
        fault = self._active.get("flood")
        return int(fault.params["rps"]) if fault else 0

    def take(self, name: str) -> bool:
        fault = self._active.get(name)
        return fault.take() if fault else False
