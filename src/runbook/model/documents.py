"""Documents and the facts reference documents hold, and the corpus that indexes them."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from runbook.model.steps import Step, iter_steps

Kind = Literal["runbook", "playbook", "maintenance", "troubleshooting", "reference"]
KINDS: tuple[Kind, ...] = ("runbook", "playbook", "maintenance", "troubleshooting", "reference")
PLAYBOOK_PHASES = (
    "detection",
    "assessment",
    "containment",
    "investigation",
    "recovery",
    "post-incident",
)
MAINTENANCE_PHASES = ("pre-check", "procedure", "rollback", "verification")


@dataclass(frozen=True)
class ChangelogEntry:
    version: str
    date: date
    summary: str
    author: str | None = None
    approved_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class Parameter:
    name: str
    type: Literal["string", "integer", "boolean", "enum"]
    description: str = ""
    default: str | int | bool | None = None
    allowed: tuple[str | int, ...] = ()
    pattern: str | None = None
    minimum: int | None = None
    maximum: int | None = None
    required: bool = False


@dataclass(frozen=True)
class Secret:
    name: str
    env: str
    description: str = ""
    required: bool = False


@dataclass(frozen=True)
class Schedule:
    cron: str
    timezone: str = "Africa/Johannesburg"
    description: str = ""


@dataclass(frozen=True)
class EscalationEntry:
    """A playbook's escalation level, or a row of a troubleshooting escalation matrix."""

    contact: str
    after: timedelta | None = None
    level: int | None = None
    when: str = ""
    severity: str | None = None
    channel: str = ""


@dataclass(frozen=True)
class Communication:
    id: str
    title: str
    audience: str
    body: str
    channel: str = ""
    subject: str = ""
    when: str = ""


@dataclass(frozen=True)
class Resolution:
    cause: str
    fix: str
    escalate_to: str | None = None


@dataclass(frozen=True)
class ErrorCode:
    code: str
    category: Literal["http", "application", "database"]
    meaning: str
    action: str = ""


@dataclass(frozen=True)
class DecisionOutcome:
    next: str | None = None
    document: str | None = None
    conclusion: str | None = None


@dataclass(frozen=True)
class Decision:
    id: str
    question: str
    yes: DecisionOutcome
    no: DecisionOutcome


@dataclass(frozen=True)
class Contact:
    id: str
    role: str
    name: str = ""
    email: str = ""
    phone: str = ""
    github: str = ""
    url: str = ""
    response_time: timedelta | None = None
    scope: Literal["internal", "external"] = "internal"
    notes: str = ""

    @property
    def label(self) -> str:
        """How a person is named in output: role, then the best way to reach them."""
        reach = self.name or self.email or self.phone or self.url
        return f"{self.role} ({reach})" if reach else self.role


@dataclass(frozen=True)
class Severity:
    id: str
    name: str
    response_time: timedelta
    description: str = ""
    examples: tuple[str, ...] = ()
    notify: tuple[str, ...] = ()


@dataclass(frozen=True)
class SlaThreshold:
    id: str
    metric: str
    unit: Literal["ms", "s", "percent", "count", "rating"]
    direction: Literal["lower-is-better", "higher-is-better"]
    target: float
    warning: float
    critical: float
    description: str = ""


@dataclass(frozen=True)
class Environment:
    id: str
    name: str
    base_url: str | None = None
    embedded: bool = False
    protected: bool = False
    description: str = ""
    variables: Mapping[str, str | int | float | bool] = field(default_factory=dict)
    secrets: tuple[Secret, ...] = ()


@dataclass(frozen=True)
class Link:
    title: str
    url: str
    description: str = ""


@dataclass(frozen=True)
class Baseline:
    metric: str
    value: float
    unit: str
    sla: str | None = None
    description: str = ""


@dataclass(frozen=True)
class MaintenanceWindow:
    id: str
    title: str
    frequency: Literal["weekly", "monthly", "quarterly"]
    weekday: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    start: str
    end: str
    week_of_month: int | None = None
    months: tuple[int, ...] = ()
    timezone: str = "Africa/Johannesburg"
    tasks: tuple[str, ...] = ()


@dataclass(frozen=True)
class SectionTable:
    columns: tuple[str, ...]
    rows: tuple[tuple[str | int | float | bool, ...], ...]


@dataclass(frozen=True)
class Section:
    title: str
    body: str = ""
    id: str | None = None
    table: SectionTable | None = None


@dataclass(frozen=True)
class Document:
    """One YAML file. Fields a kind does not use stay empty."""

    id: str
    title: str
    kind: Kind
    version: str
    owner: str
    last_reviewed: date
    review_every: str
    path: Path
    summary: str = ""
    reviewers: tuple[str, ...] = ()
    approvers: tuple[str, ...] = ()
    requires_approval: bool = False
    review_after_incident: bool = False
    audience: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    changelog: tuple[ChangelogEntry, ...] = ()
    parameters: tuple[Parameter, ...] = ()
    secrets: tuple[Secret, ...] = ()
    steps: tuple[Step, ...] = ()
    # runbook
    schedule: Schedule | None = None
    # playbook
    severity: str | None = None
    response_target: timedelta | None = None
    triggers: tuple[str, ...] = ()
    escalation: tuple[EscalationEntry, ...] = ()
    communications: tuple[Communication, ...] = ()
    # maintenance
    window: str | None = None
    expected_duration: timedelta | None = None
    impact: str = ""
    # troubleshooting
    symptoms: tuple[str, ...] = ()
    resolutions: tuple[Resolution, ...] = ()
    error_codes: tuple[ErrorCode, ...] = ()
    decisions: tuple[Decision, ...] = ()
    escalation_matrix: tuple[EscalationEntry, ...] = ()
    # reference
    contacts: tuple[Contact, ...] = ()
    severities: tuple[Severity, ...] = ()
    sla: tuple[SlaThreshold, ...] = ()
    environments: tuple[Environment, ...] = ()
    links: tuple[Link, ...] = ()
    baselines: tuple[Baseline, ...] = ()
    windows: tuple[MaintenanceWindow, ...] = ()
    sections: tuple[Section, ...] = ()
    # The validated mapping as loaded, for renderers and diffs that want every field.
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def all_steps(self) -> Iterator[Step]:
        return iter_steps(self.steps)

    def step(self, step_id: str) -> Step | None:
        return next((step for step in self.all_steps() if step.id == step_id), None)


@dataclass(frozen=True)
class Corpus:
    """All documents of a repository, indexed for the lookups every layer needs."""

    documents: tuple[Document, ...]

    def __iter__(self) -> Iterator[Document]:
        return iter(self.documents)

    def __len__(self) -> int:
        return len(self.documents)

    def get(self, document_id: str) -> Document | None:
        return self._by_id.get(document_id)

    # Derived indexes: cached_property writes to __dict__ directly, which frozen allows.
    @cached_property
    def _by_id(self) -> Mapping[str, Document]:
        return {document.id: document for document in self.documents}

    @cached_property
    def contacts(self) -> Mapping[str, Contact]:
        return {c.id: c for d in self.documents for c in reversed(d.contacts)}

    @cached_property
    def sla(self) -> Mapping[str, SlaThreshold]:
        return {t.id: t for d in self.documents for t in reversed(d.sla)}

    @cached_property
    def environments(self) -> Mapping[str, Environment]:
        return {e.id: e for d in self.documents for e in reversed(d.environments)}

    @cached_property
    def windows(self) -> Mapping[str, MaintenanceWindow]:
        return {w.id: w for d in self.documents for w in reversed(d.windows)}

    @cached_property
    def severities(self) -> Mapping[str, Severity]:
        return {s.id: s for d in self.documents for s in reversed(d.severities)}

    def of_kind(self, kind: Kind) -> tuple[Document, ...]:
        return tuple(document for document in self.documents if document.kind == kind)
