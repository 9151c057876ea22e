"""What a run produces: plain frozen data, serialisable to the run record and back."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

from runbook.errors import ExitCode

Grade = Literal["ok", "warning", "critical", "skipped"]
StepStatus = Literal["ok", "warning", "critical", "skipped", "interrupted"]
RunStatus = Literal["ok", "warning", "critical", "interrupted", "running"]

_SEVERITY = {"skipped": 0, "ok": 1, "warning": 2, "critical": 3, "interrupted": 4}
_STATUSES: dict[str, StepStatus] = {
    "skipped": "skipped",
    "ok": "ok",
    "warning": "warning",
    "critical": "critical",
    "interrupted": "interrupted",
}


@dataclass(frozen=True)
class CheckResult:
    """One evaluated expectation, worded like Gatus: what came back against what was wanted."""

    name: str
    grade: Grade
    expected: str
    actual: str
    message: str
    # The SLA threshold that graded it; an SLA warning is degraded, not failed.
    sla: str | None = None

    @property
    def failed(self) -> bool:
        return self.grade == "critical" or (self.grade == "warning" and self.sla is None)


@dataclass(frozen=True)
class Approval:
    approver: str
    at: str
    note: str = ""


@dataclass(frozen=True)
class StepResult:
    key: str  # unique in the run: the step id, prefixed "include_step/" inside an include
    step_id: str
    title: str
    action: str
    status: StepStatus
    document: str
    parent: str | None = None
    started_at: str | None = None
    duration_ms: float = 0.0
    attempts: int = 0
    checks: tuple[CheckResult, ...] = ()
    outputs: Mapping[str, Any] = field(default_factory=dict)
    reason: str = ""
    note: str = ""
    approvals: tuple[Approval, ...] = ()
    detail: Mapping[str, Any] = field(default_factory=dict)
    rollback: bool = False

    @property
    def failed(self) -> bool:
        if self.status in ("critical", "interrupted"):
            return True
        return any(check.failed for check in self.checks) or (
            self.status == "warning" and not self.checks
        )

    def to_dict(self) -> dict[str, Any]:
        # Shallow by hand: dataclasses.asdict deep-copies and costs more than the request.
        data = {name: getattr(self, name) for name in _STEP_FIELDS}
        data["checks"] = [dict(check.__dict__) for check in self.checks]
        data["approvals"] = [dict(approval.__dict__) for approval in self.approvals]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StepResult:
        known = {f.name for f in fields(cls)}
        values = {key: value for key, value in data.items() if key in known}
        values["checks"] = tuple(CheckResult(**check) for check in data.get("checks", ()))
        values["approvals"] = tuple(Approval(**item) for item in data.get("approvals", ()))
        return cls(**values)


_STEP_FIELDS = tuple(f.name for f in fields(StepResult))


@dataclass(frozen=True)
class RunRecord:
    run_id: str
    document: str
    title: str
    version: str
    environment: str
    started_at: str
    started_at_sast: str
    user: str
    host: str = ""
    base_url: str | None = None
    documents: Mapping[str, str] = field(default_factory=dict)
    parameters: Mapping[str, Any] = field(default_factory=dict)
    options: Mapping[str, Any] = field(default_factory=dict)
    status: RunStatus = "running"
    exit_code: int | None = None
    finished_at: str | None = None
    reason: str = ""
    stopped_at: str | None = None
    steps: tuple[StepResult, ...] = ()
    resumes: tuple[Mapping[str, Any], ...] = ()
    pid: int | None = None
    path: Path | None = field(default=None, compare=False)

    @property
    def duration_ms(self) -> float:
        return sum(step.duration_ms for step in self.steps if step.parent is None)

    def counts(self) -> dict[str, int]:
        found = {"ok": 0, "warning": 0, "critical": 0, "skipped": 0, "interrupted": 0}
        for step in self.steps:
            if step.action != "parallel" and step.action != "include":
                found[step.status] += 1
        return found

    def header(self) -> dict[str, Any]:
        data = self.to_dict()
        for key in ("steps", "status", "exit_code", "finished_at", "reason", "stopped_at"):
            data.pop(key)
        data.pop("resumes")
        return data

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("path")
        data["steps"] = [step.to_dict() for step in self.steps]
        return data

    @classmethod
    def from_header(cls, data: Mapping[str, Any]) -> RunRecord:
        known = {f.name for f in fields(cls)} - {"steps", "resumes", "path"}
        return cls(**{key: value for key, value in data.items() if key in known})


def worst(statuses: Iterable[str]) -> StepStatus:
    """The most severe status; skipped only when nothing else happened."""
    chosen: StepStatus = "skipped"
    for status in statuses:
        if _SEVERITY[status] > _SEVERITY[chosen]:
            chosen = _STATUSES[status]
    return chosen


def run_status(steps: Iterable[StepResult]) -> RunStatus:
    status = worst(step.status for step in steps)
    return "ok" if status == "skipped" else status


EXIT_CODES: Mapping[str, ExitCode] = {
    "ok": ExitCode.OK,
    "warning": ExitCode.WARNINGS,
    "critical": ExitCode.FAILURE,
    "interrupted": ExitCode.INTERRUPTED,
    "running": ExitCode.INTERRUPTED,
}
