"""Steps: what a procedure does, one action each, with expectations on the result."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Literal

Grade = Literal["warning", "critical"]
Percentile = Literal["p50", "p90", "p95", "p99", "max", "mean"]


@dataclass(frozen=True)
class HttpAction:
    url: str
    method: str = "GET"
    headers: Mapping[str, str] = field(default_factory=dict)
    query: Mapping[str, str | int | float | bool] = field(default_factory=dict)
    json: Any = None
    has_json: bool = False
    body: str | None = None
    timeout: timedelta | None = None
    samples: int = 1
    follow_redirects: bool = False
    max_body_bytes: int | None = None


@dataclass(frozen=True)
class CommandAction:
    argv: tuple[str, ...]
    timeout: timedelta | None = None
    cwd: str | None = None
    env: Mapping[str, str] = field(default_factory=dict)
    stdin: str | None = None


@dataclass(frozen=True)
class ManualAction:
    checklist: tuple[str, ...] = ()
    required: bool = False


@dataclass(frozen=True)
class ApprovalAction:
    approvers: tuple[str, ...] = ()
    role: str | None = None
    min_approvals: int = 1
    timeout: timedelta | None = None


@dataclass(frozen=True)
class IncludeAction:
    document: str
    parameters: Mapping[str, str | int | bool] = field(default_factory=dict)


@dataclass(frozen=True)
class WaitAction:
    duration: timedelta
    reason: str | None = None


@dataclass(frozen=True)
class ParallelAction:
    steps: tuple[Step, ...]


Action = (
    HttpAction
    | CommandAction
    | ManualAction
    | ApprovalAction
    | IncludeAction
    | WaitAction
    | ParallelAction
)

ACTION_NAMES: Mapping[type, str] = {
    HttpAction: "http",
    CommandAction: "command",
    ManualAction: "manual",
    ApprovalAction: "approval",
    IncludeAction: "include",
    WaitAction: "wait",
    ParallelAction: "parallel",
}


@dataclass(frozen=True)
class LatencyCheck:
    percentile: Percentile = "p95"
    max_ms: float | None = None
    sla: str | None = None


@dataclass(frozen=True)
class JsonCheck:
    """One assertion on a value found by ``path``; ``operators`` keeps the YAML order."""

    path: str
    operators: Mapping[str, Any]

    @property
    def sla(self) -> str | None:
        value = self.operators.get("sla")
        return value if isinstance(value, str) else None


@dataclass(frozen=True)
class Expectation:
    status: tuple[int, ...] = ()
    latency: LatencyCheck | None = None
    json: tuple[JsonCheck, ...] = ()
    body_contains: tuple[str, ...] = ()
    body_not_contains: tuple[str, ...] = ()
    body_matches: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    exit_code: tuple[int, ...] = ()
    output_contains: tuple[str, ...] = ()
    output_not_contains: tuple[str, ...] = ()
    output_matches: str | None = None

    def sla_ids(self) -> Iterator[str]:
        if self.latency and self.latency.sla:
            yield self.latency.sla
        for check in self.json:
            if check.sla:
                yield check.sla


@dataclass(frozen=True)
class Retry:
    attempts: int = 1
    delay: timedelta = timedelta(0)
    backoff: float = 1.0
    until: Expectation | None = None


@dataclass(frozen=True)
class OutputSpec:
    """Where an output comes from: one of json path, regex (on source), header, or value."""

    name: str
    json: str | None = None
    regex: str | None = None
    source: Literal["body", "stdout", "stderr"] | None = None
    header: str | None = None
    value: Literal["status", "latency_ms", "exit_code", "body", "stdout"] | None = None


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    action: Action
    instructions: str = ""
    phase: str | None = None
    expect: Expectation | None = None
    retry: Retry | None = None
    timeout: timedelta | None = None
    on_failure: str = "stop"
    failure_grade: Grade = "critical"
    outputs: tuple[OutputSpec, ...] = ()
    destructive: bool = False
    rollback: bool = False
    environments: tuple[str, ...] = ()
    environment_notes: Mapping[str, str] = field(default_factory=dict)

    @property
    def action_name(self) -> str:
        return ACTION_NAMES[type(self.action)]

    @property
    def executable(self) -> bool:
        """Whether the engine can run this step without a person (http, command, wait)."""
        if isinstance(self.action, ParallelAction):
            return all(step.executable for step in self.action.steps)
        return isinstance(self.action, HttpAction | CommandAction | WaitAction)

    def runs_in(self, environment: str) -> bool:
        return not self.environments or environment in self.environments


def iter_steps(steps: tuple[Step, ...]) -> Iterator[Step]:
    """Every step, depth first, parallel groups before their members."""
    for step in steps:
        yield step
        if isinstance(step.action, ParallelAction):
            yield from iter_steps(step.action.steps)
