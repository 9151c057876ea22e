"""What templates can ask for: the corpus indexed once per render, and helpers bound to a page.

``Site`` is computed once per render (freshness, holders, groupings); ``Page`` is the object
templates call, bound to the path of the page being written so links come out relative.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from runbook.governance.freshness import DEFAULT_WARN_DAYS, Freshness, assess
from runbook.model import (
    CommandAction,
    Contact,
    Corpus,
    Document,
    Environment,
    HttpAction,
    MaintenanceWindow,
    Step,
)
from runbook.model.documents import KINDS, PLAYBOOK_PHASES, Kind
from runbook.render import diagrams, schedule, steps
from runbook.render.links import KIND_TITLES, Holders, Linker, document_page
from runbook.render.text import code, fence, inline, literal, one_line

_VARIABLE = re.compile(r"\{\{-?\s*vars\.([A-Za-z_][A-Za-z0-9_]*)")
_SEVERITY_ORDER = ("SEV1", "SEV2", "SEV3", "SEV4")
BADGE_TEXT = {"fresh": "✓ Fresh", "due-soon": "⚠ Review due soon", "overdue": "✗ Review overdue"}
CALENDAR_DAYS = 92  # about a quarter ahead: every window kind shows at least once


@dataclass(frozen=True)
class Site:
    corpus: Corpus
    as_of: date
    holders: Holders
    freshness: Mapping[str, Freshness]
    source_root: Path | None = None
    schema: Any = None

    @classmethod
    def build(
        cls,
        corpus: Corpus,
        as_of: date,
        *,
        source_root: Path | None = None,
        schema: Any = None,
        warn_days: int = DEFAULT_WARN_DAYS,
    ) -> Site:
        freshness = {document.id: assess(document, as_of, warn_days) for document in corpus}
        return cls(corpus, as_of, Holders.of(corpus), freshness, source_root, schema)

    def of_kind(self, kind: Kind) -> list[Document]:
        return ordered(self.corpus, kind)


def ordered(corpus: Corpus, kind: Kind) -> list[Document]:
    """The order index pages and the navigation list a kind in: playbooks most severe first."""
    documents = list(corpus.of_kind(kind))
    if kind == "playbook":
        return sorted(documents, key=lambda d: (_severity_rank(d.severity), d.title.lower()))
    return sorted(documents, key=lambda d: d.title.lower())


def _severity_rank(severity: str | None) -> int:
    return _SEVERITY_ORDER.index(severity) if severity in _SEVERITY_ORDER else len(_SEVERITY_ORDER)


ACTION_LABELS = {
    "http": "HTTP probe",
    "command": "Command",
    "manual": "Manual step",
    "approval": "Approval",
    "include": "Runs another document",
    "wait": "Wait",
    "parallel": "Parallel group",
}


@dataclass(frozen=True)
class StepView:
    """Everything a template shows about a step, computed once.

    Each attribute a sandboxed template reads is checked by Jinja, so the step macro reads
    these ready-made strings rather than walking the model itself (most of the render time
    of a large corpus went into those checks).
    """

    kind: str
    label: str
    failure: str
    probe: str
    options: str
    expectations: list[str]
    retry: str
    until: list[str]
    outputs: str
    run: str


@dataclass(frozen=True)
class Page:
    """Helpers for one page. Templates reach everything through ``page``."""

    site: Site
    path: str
    link: Linker
    _numbered: dict[str, list[steps.NumberedStep]] = field(default_factory=dict, repr=False)

    @property
    def corpus(self) -> Corpus:
        return self.site.corpus

    @property
    def as_of(self) -> date:
        return self.site.as_of

    # ---------------------------------------------------------------- documents
    def documents(self, kind: str | None = None) -> list[Document]:
        if kind is None:
            return sorted(self.corpus, key=lambda d: (KINDS.index(d.kind), d.title.lower()))
        return self.site.of_kind(_kind(kind))

    def kind_title(self, kind: str) -> str:
        return KIND_TITLES[_kind(kind)]

    def doc(self, document_id: str, text: str | None = None) -> str:
        return self.link.doc(document_id, text)

    def source(self, document: Document) -> str:
        path = document.path
        root = self.site.source_root
        if root is not None:
            try:
                path = path.resolve().relative_to(root.resolve())
            except ValueError:
                pass
        return path.as_posix()

    def first_sentence(self, text: str) -> str:
        sentence = one_line(text)
        match = re.search(r"(?<=[.!?])\s", sentence)
        return sentence[: match.start()] if match else sentence

    # ---------------------------------------------------------------- freshness
    def freshness(self, document: Document) -> Freshness:
        return self.site.freshness[document.id]

    def badge(self, document: Document) -> str:
        found = self.freshness(document)
        title = f"Next review {found.next_review.isoformat()}; as of {self.as_of.isoformat()}"
        return (
            f'<span class="rb-badge rb-badge--{found.status}" title="{title}" '
            f'data-next-review="{found.next_review.isoformat()}">'
            f"{BADGE_TEXT[found.status]}</span> {inline(found.label)}"
        )

    def by_urgency(self) -> list[Freshness]:
        return sorted(self.site.freshness.values(), key=lambda f: (f.days_left, f.document.id))

    # ---------------------------------------------------------------- contacts
    def contact(self, contact_id: str, reach: bool = True) -> str:
        return self.link.contact(contact_id, reach=reach)

    def contacts(self) -> list[Contact]:
        """Fastest responders first, then internal teams, then vendors."""
        return sorted(
            self.corpus.contacts.values(),
            key=lambda c: (
                c.response_time is None,
                c.response_time or timedelta(0),
                c.scope != "internal",
                c.role.lower(),
            ),
        )

    def reach(self, contact: Contact) -> str:
        """Every way to reach a contact, as links a phone or mail client opens."""
        ways: list[str] = []
        if contact.phone:
            digits = re.sub(r"[^+0-9]", "", contact.phone)
            ways.append(f"[{inline(contact.phone)}](tel:{digits})")
        if contact.email:
            ways.append(f"[{inline(contact.email)}](mailto:{contact.email})")
        if contact.github:
            ways.append(code(contact.github))
        if contact.url:
            ways.append(f"[{inline(contact.url)}]({contact.url})")
        return " · ".join(ways)

    def holder(self, kind: str, item_id: str, text: str | None = None) -> str:
        return self.link.holder(kind, item_id, text)

    def emergency_links(self) -> list[tuple[Document, Any]]:
        """Links from documents tagged ``emergency``; every link when none is tagged so."""
        holders = [d for d in self.documents("reference") if d.links]
        tagged = [d for d in holders if "emergency" in d.tags] or holders
        return [(document, item) for document in tagged for item in document.links]

    def measure(self, value: float, unit: str) -> str:
        """``200 ms``, ``99.9%``: no trailing ``.0``, and the unit never wraps to a new line."""
        suffix = steps.UNITS.get(unit, f" {unit}").replace(" ", "\u00a0")
        return f"{value:g}{suffix}"

    def severity_playbooks(self, severity: str) -> list[Document]:
        return [d for d in self.site.of_kind("playbook") if d.severity == severity]

    def severities(self) -> list[Any]:
        return sorted(self.in_order("severities"), key=lambda s: _severity_rank(s.id))

    def owners(self) -> list[tuple[str, list[Document]]]:
        grouped: dict[str, list[Document]] = {}
        for document in self.documents():
            grouped.setdefault(document.owner, []).append(document)
        return sorted(grouped.items())

    # ---------------------------------------------------------------- steps
    def numbered(self, document: Document) -> list[steps.NumberedStep]:
        if document.id not in self._numbered:
            self._numbered[document.id] = steps.number_steps(document.steps)
        return self._numbered[document.id]

    def phases(self, document: Document) -> list[tuple[str | None, list[steps.NumberedStep]]]:
        return steps.group_by_phase(self.numbered(document))

    def phase_title(self, phase: str | None) -> str:
        return steps.phase_title(phase) if phase else "Steps"

    def numbers(self, document: Document) -> dict[str, str]:
        return steps.flatten(self.numbered(document))

    def view(self, step: Step, document: Document, numbers: Mapping[str, str]) -> StepView:
        kind = step.action_name
        runnable = kind in ("http", "command", "parallel") and step.executable
        return StepView(
            kind=kind,
            label=ACTION_LABELS[kind],
            failure="" if kind == "manual" else self.on_failure(step, numbers),
            probe=self.probe(step),
            options=self.probe_options(step),
            expectations=self.expectations(step),
            retry=self.retry(step),
            until=self.retry_until(step),
            outputs=", ".join(self.outputs(step)),
            run=fence(self.exec_command(document, step), "shell") if runnable else "",
        )

    def probe(self, step: Step) -> str:
        if isinstance(step.action, HttpAction):
            return fence(steps.http_probe(step.action), "http")
        if isinstance(step.action, CommandAction):
            block = fence(steps.command_line(step.action), "shell")
            if step.action.stdin is not None:
                block += "\n\nInput on stdin:\n\n" + fence(step.action.stdin)
            return block
        return ""

    def probe_options(self, step: Step) -> str:
        if isinstance(step.action, HttpAction):
            return "; ".join(steps.http_options(step.action))
        if isinstance(step.action, CommandAction):
            return "; ".join(steps.command_options(step.action))
        return ""

    def expectations(self, step: Step) -> list[str]:
        return steps.expectations(step.expect, self.link)

    def retry(self, step: Step) -> str:
        return steps.retry_text(step.retry)

    def retry_until(self, step: Step) -> list[str]:
        return steps.expectations(step.retry.until if step.retry else None, self.link)

    def outputs(self, step: Step) -> list[str]:
        return [steps.output_text(output) for output in step.outputs]

    def on_failure(self, step: Step, numbers: Mapping[str, str]) -> str:
        return steps.failure_text(step, numbers)

    def exec_command(self, document: Document, step: Step | None = None) -> str:
        return steps.exec_command(document.id, step.id if step else None)

    def executable(self, document: Document) -> bool:
        return any(step.executable for step in document.all_steps())

    def environment(self, environment_id: str) -> Environment | None:
        return self.corpus.environments.get(environment_id)

    def environment_name(self, environment_id: str) -> str:
        environment = self.environment(environment_id)
        return environment.name if environment else environment_id

    def variables_used(self, document: Document) -> list[str]:
        """``vars.NAME`` referenced anywhere in the document's templates, in order."""
        # One regex over the serialised steps is far cheaper than walking every string.
        text = json.dumps(document.raw.get("steps", []), ensure_ascii=False, default=str)
        return list(dict.fromkeys(_VARIABLE.findall(text)))

    def variable(self, environment: Environment, name: str) -> str:
        value = environment.variables.get(name)
        return code(literal(value) if not isinstance(value, str) else value) if value else "—"

    # ---------------------------------------------------------------- diagrams
    def phase_flow(self, document: Document) -> str:
        return fence(diagrams.phase_flow(self.numbered(document)), "mermaid")

    def decision_flow(self, document: Document) -> str:
        return fence(diagrams.decision_flow(document.decisions, self.corpus), "mermaid")

    def has_incident_phases(self, document: Document) -> bool:
        phases = {step.phase for step in document.steps}
        return bool(document.steps) and phases <= set(PLAYBOOK_PHASES) and len(phases) > 1

    # ---------------------------------------------------------------- schedule
    def runs_today(self) -> list[tuple[str, Document]]:
        """(times, document) for every schedule that fires on the build date, earliest first."""
        found: list[tuple[str, Document]] = []
        for document in self.documents():
            if document.schedule is None:
                continue
            times = schedule.runs_on(document.schedule, self.as_of)
            if times:
                found.append((schedule.describe_times(times), document))
        return sorted(found, key=lambda item: (item[0], item[1].title))

    def scheduled(self) -> list[Document]:
        return [d for d in self.documents() if d.schedule is not None]

    def windows(self) -> list[MaintenanceWindow]:
        return self.in_order("windows")

    def sla(self) -> list[Any]:
        return self.in_order("sla")

    def environments(self) -> list[Environment]:
        return self.in_order("environments")

    def in_order(self, attribute: str) -> list[Any]:
        """Contacts, SLAs, windows... in the order their documents list them.

        The corpus indexes answer lookups; pages want the authors' order (local, staging,
        production), which the indexes do not keep.
        """
        index: Mapping[str, Any] = getattr(self.corpus, attribute)
        found: dict[str, Any] = {}
        for document in self.corpus:
            for item in getattr(document, attribute):
                found.setdefault(item.id, index.get(item.id, item))
        return list(found.values())

    def window_hours(self, window: MaintenanceWindow) -> str:
        return schedule.window_hours(window)

    def window_procedures(self, window_id: str) -> list[Document]:
        return [d for d in self.site.of_kind("maintenance") if d.window == window_id]

    def windows_between(self, days: int = CALENDAR_DAYS) -> list[tuple[date, MaintenanceWindow]]:
        found = [
            (day, window)
            for window in self.windows()
            for day in schedule.window_dates(window, self.as_of, days)
        ]
        return sorted(found, key=lambda item: (item[0], item[1].start))

    def windows_by_month(self) -> list[tuple[str, list[tuple[date, MaintenanceWindow]]]]:
        months: dict[str, list[tuple[date, MaintenanceWindow]]] = {}
        for day, window in self.windows_between():
            months.setdefault(day.strftime("%B %Y"), []).append((day, window))
        return list(months.items())

    def next_window(self, window_id: str) -> date | None:
        window = self.corpus.windows.get(window_id)
        if window is None:
            return None
        return next(schedule.window_dates(window, self.as_of, 400), None)

    def today_windows(self) -> list[MaintenanceWindow]:
        return [w for w in self.windows() if schedule.window_falls_on(w, self.as_of)]

    # ---------------------------------------------------------------- changelog
    def changelog(self) -> list[tuple[Any, Document]]:
        entries = [(entry, document) for document in self.corpus for entry in document.changelog]
        return sorted(entries, key=lambda item: (item[0].date, item[1].id), reverse=True)


def _kind(kind: str) -> Kind:
    for candidate in KINDS:
        if candidate == kind:
            return candidate
    raise ValueError(f"unknown kind {kind!r}")


def page_for(site: Site, path: str) -> Page:
    return Page(site, path, Linker(site.corpus, site.holders, path))


__all__ = ["Page", "Site", "document_page", "page_for"]
