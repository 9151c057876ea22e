"""What an action observed, in one shape for HTTP and commands, for expectations and outputs."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from runbook.engine.jsonpath import MISSING

PERCENTILES = ("p50", "p90", "p95", "p99", "max", "mean")


@dataclass
class Observation:
    kind: str  # "http" or "command"
    # A fault of the target (refused, DNS, TLS, timeout, ...): nothing else is trustworthy.
    error: str | None = None
    status: int | None = None
    statuses: list[int] = field(default_factory=list)
    headers: Mapping[str, str] = field(default_factory=dict)
    body: str = ""
    # The body was not read completely (too large); checks on its content cannot be made.
    body_error: str | None = None
    latencies_ms: list[float] = field(default_factory=list)
    exit_code: int | None = None
    stdout: str = ""
    stderr: str = ""
    duration_ms: float = 0.0
    request: dict[str, Any] = field(default_factory=dict)
    _json: Any = field(default=MISSING, repr=False)
    _json_error: str | None = field(default=None, repr=False)

    def json(self) -> tuple[Any, str | None]:
        """The parsed body and, when it is not JSON, why not."""
        if self._json is MISSING and self._json_error is None:
            text = self.body if self.kind == "http" else self.stdout
            try:
                self._json = json.loads(text)
            except ValueError as error:
                self._json_error = f"body is not valid JSON ({error})"
        return self._json, self._json_error

    @property
    def latency_ms(self) -> float | None:
        return self.latencies_ms[-1] if self.latencies_ms else None

    def percentiles(self) -> dict[str, float]:
        return percentiles(self.latencies_ms)


def percentiles(values: Sequence[float]) -> dict[str, float]:
    """Nearest-rank percentiles: each one is a latency that was actually observed."""
    if not values:
        return {}
    ordered = sorted(values)

    def rank(fraction: float) -> float:
        return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]

    return {
        "p50": rank(0.50),
        "p90": rank(0.90),
        "p95": rank(0.95),
        "p99": rank(0.99),
        "max": ordered[-1],
        "mean": sum(ordered) / len(ordered),
    }
