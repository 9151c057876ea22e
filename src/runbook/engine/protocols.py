"""What the engine needs from outside: templates, a person at a terminal, a progress display.

The engine never imports jinja2 or click; the CLI hands it objects that fit these shapes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from runbook.engine.results import Approval, RunRecord, StepResult
from runbook.model import Step


class Templater(Protocol):
    def render(self, source: str, context: Mapping[str, Any]) -> str:
        """Fill a template; raise a ``runbook.errors.UsageError`` when it cannot."""
        ...

    def render_value(self, source: str, context: Mapping[str, Any]) -> Any:
        """Like ``render``, but a template that is one expression keeps the value's type."""
        ...

    def references(self, source: str) -> Sequence[tuple[str, ...]]:
        """Every dotted name the template reads (``("steps", "health", "version")``)."""
        ...


@dataclass(frozen=True)
class ManualAnswer:
    outcome: Literal["done", "skip", "fail"]
    note: str = ""
    by: str = ""


@dataclass(frozen=True)
class ApprovalRequest:
    title: str
    instructions: str
    approvers: tuple[str, ...]  # labels of the people allowed, empty when a role decides
    approver_ids: tuple[str, ...]
    role: str | None
    min_approvals: int
    # ISO 8601 UTC; approvals given later do not count, as in SSM's aws:approve timeout.
    deadline: str | None = None


class Prompter(Protocol):
    def manual(self, step: Step, instructions: str, checklist: Sequence[str]) -> ManualAnswer: ...

    def approval(self, step: Step, request: ApprovalRequest) -> Sequence[Approval]:
        """The approvals given, possibly fewer than needed (then the step fails)."""
        ...

    def confirm(self, step: Step, message: str) -> bool: ...


class Listener(Protocol):
    def run_started(self, record: RunRecord) -> None: ...

    def step_started(self, key: str, step: Step, depth: int) -> None: ...

    def step_finished(self, result: StepResult, depth: int) -> None: ...

    def run_finished(self, record: RunRecord) -> None: ...


class SilentListener:
    def run_started(self, record: RunRecord) -> None:
        pass

    def step_started(self, key: str, step: Step, depth: int) -> None:
        pass

    def step_finished(self, result: StepResult, depth: int) -> None:
        pass

    def run_finished(self, record: RunRecord) -> None:
        pass


class NonInteractivePrompter:
    """Used when nobody is at the terminal; the runner never asks it anything it must answer."""

    def manual(self, step: Step, instructions: str, checklist: Sequence[str]) -> ManualAnswer:
        return ManualAnswer("skip", "non-interactive run")

    def approval(self, step: Step, request: ApprovalRequest) -> Sequence[Approval]:
        return ()

    def confirm(self, step: Step, message: str) -> bool:
        return False
