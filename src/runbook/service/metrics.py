"""Rolling request figures, the Sentry stand-in error log, and Prometheus rendering."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from runbook.service.domain import iso_utc

# Per-second latency samples kept for percentiles; beyond this a busy second is sampled,
# which keeps memory and the cost of /api/metrics bounded under a flood.
_SAMPLES_PER_SECOND = 500
# Real sustained traffic above this (over the last 10 s) is treated as a suspected flood.
FLOOD_RPS_THRESHOLD = 2000.0
_MAX_ERROR_GROUPS = 1000


@dataclass
class _Bucket:
    second: int
    requests: int = 0
    probe_requests: int = 0
    app_requests: int = 0
    server_errors: int = 0
    rejected: int = 0
    latencies: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class WindowFigures:
    requests: int
    probe_requests: int
    app_requests: int
    errors: int
    rejected: int
    error_rate_percent: float
    availability_percent: float
    p50: float
    p95: float
    p99: float
    observed_rps: float
    recent_rps: float


def percentile(ordered: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an already sorted list (0.0 when empty)."""
    if not ordered:
        return 0.0
    rank = max(1, math.ceil(fraction * len(ordered)))
    return round(ordered[rank - 1], 3)


class RequestWindow:
    """Requests served in the last ``window_seconds``, bucketed per second."""

    def __init__(self, window_seconds: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.window_seconds = window_seconds
        self._clock = clock
        self._started = clock()
        self._buckets: deque[_Bucket] = deque()

    def record(self, status: int, latency_ms: float, probe: bool) -> None:
        second = int(self._clock())
        if not self._buckets or self._buckets[-1].second != second:
            self._buckets.append(_Bucket(second))
            self._prune(second)
        bucket = self._buckets[-1]
        bucket.requests += 1
        if status == 429:
            bucket.rejected += 1
        if probe:
            # Probes (health, metrics) count as traffic but not in latency or error figures,
            # so watching the service does not change what is seen.
            bucket.probe_requests += 1
            return
        bucket.app_requests += 1
        if status >= 500:
            bucket.server_errors += 1
        if len(bucket.latencies) < _SAMPLES_PER_SECOND:
            bucket.latencies.append(latency_ms)

    def _prune(self, now_second: int) -> None:
        horizon = now_second - self.window_seconds
        while self._buckets and self._buckets[0].second <= horizon:
            self._buckets.popleft()

    def figures(self) -> WindowFigures:
        now = self._clock()
        self._prune(int(now))
        requests = probes = app = errors = rejected = recent = 0
        latencies: list[float] = []
        for bucket in self._buckets:
            requests += bucket.requests
            probes += bucket.probe_requests
            app += bucket.app_requests
            errors += bucket.server_errors
            rejected += bucket.rejected
            latencies.extend(bucket.latencies)
            if bucket.second > now - 10:
                recent += bucket.requests
        latencies.sort()
        span = max(1.0, min(float(self.window_seconds), now - self._started))
        recent_span = max(1.0, min(10.0, now - self._started))
        return WindowFigures(
            requests=requests,
            probe_requests=probes,
            app_requests=app,
            errors=errors,
            rejected=rejected,
            error_rate_percent=round(errors / app * 100.0, 3) if app else 0.0,
            availability_percent=round((app - errors) / app * 100.0, 3) if app else 100.0,
            p50=percentile(latencies, 0.50),
            p95=percentile(latencies, 0.95),
            p99=percentile(latencies, 0.99),
            observed_rps=round(requests / span, 3),
            recent_rps=round(recent / recent_span, 3),
        )


@dataclass
class _ErrorGroup:
    route: str
    status: int
    message: str
    first_seen: datetime
    last_seen: datetime
    count: int = 1
    order: int = 0


class ErrorLog:
    """Every 5xx the service answered, grouped by route and message like an error tracker."""

    def __init__(self) -> None:
        self._groups: dict[tuple[str, str], _ErrorGroup] = {}
        self._sequence = 0

    def record(self, route: str, status: int, message: str, when: datetime) -> None:
        self._sequence += 1
        key = (route, message)
        group = self._groups.get(key)
        if group is None:
            if len(self._groups) >= _MAX_ERROR_GROUPS:
                stalest = min(self._groups.values(), key=lambda item: item.order)
                del self._groups[(stalest.route, stalest.message)]
            self._groups[key] = _ErrorGroup(
                route, status, message, when, when, order=self._sequence
            )
            return
        group.count += 1
        group.status = status
        group.last_seen = when
        group.order = self._sequence

    def listing(self, limit: int) -> dict[str, Any]:
        groups = sorted(self._groups.values(), key=lambda item: item.order, reverse=True)
        return {
            "errors": [
                {
                    "time": iso_utc(group.first_seen),
                    "last_seen": iso_utc(group.last_seen),
                    "route": group.route,
                    "status": group.status,
                    "message": group.message,
                    "count": group.count,
                }
                for group in groups[:limit]
            ],
            "total": len(groups),
            "events": sum(group.count for group in groups),
        }


_PROMETHEUS_HELP: dict[str, tuple[str, str]] = {
    "requests": ("requests_in_window", "Requests served in the rolling window."),
    "errors": ("errors_in_window", "5xx responses to application requests in the window."),
    "error_rate_percent": ("error_rate_percent", "5xx share of application requests."),
    "requests_per_second": ("requests_per_second", "Request rate, including flood traffic."),
    "availability_percent": ("availability_percent", "Non-5xx share of application requests."),
    "bookings_today": ("bookings_today", "Bookings created today (SAST)."),
    "booking_conversion_percent": (
        "booking_conversion_percent",
        "Bookings created today per booking-page visit today.",
    ),
    "payment_failure_rate_percent": (
        "payment_failure_rate_percent",
        "Failed share of payment attempts settled today.",
    ),
    "flood_suspected": ("flood_suspected", "1 when a request flood is suspected."),
}


def render_prometheus(payload: dict[str, Any], prefix: str = "runbook_service") -> str:
    lines: list[str] = []
    for key, (name, help_text) in _PROMETHEUS_HELP.items():
        value = payload[key]
        lines.append(f"# HELP {prefix}_{name} {help_text}")
        lines.append(f"# TYPE {prefix}_{name} gauge")
        lines.append(f"{prefix}_{name} {_number(value)}")
    name = f"{prefix}_latency_ms"
    lines.append(f"# HELP {name} Application request latency percentiles in the window.")
    lines.append(f"# TYPE {name} gauge")
    for quantile, key in (("0.5", "p50"), ("0.95", "p95"), ("0.99", "p99")):
        lines.append(f'{name}{{quantile="{quantile}"}} {_number(payload["latency_ms"][key])}')
    name = f"{prefix}_window_seconds"
    lines.append(f"# HELP {name} Length of the rolling window.")
    lines.append(f"# TYPE {name} gauge")
    lines.append(f"{name} {payload['window_seconds']}")
    return "\n".join(lines) + "\n"


def _number(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        return repr(float(value)) if isinstance(value, float) else str(value)
    raise TypeError(f"not a number: {value!r}")
