"""Checks the schema cannot express: within a document and across the corpus.

Each check yields ``Finding``s (document, JSON path, message, hint); the loader turns them
into located problems. Checks read the frozen model, never the YAML.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from runbook.model import (
    ApprovalAction,
    Document,
    IncludeAction,
    ParallelAction,
    Step,
)
from runbook.model.documents import PLAYBOOK_PHASES

PathSegment = str | int


@dataclass(frozen=True)
class Finding:
    document: Document
    path: tuple[PathSegment, ...]
    message: str
    hint: str | None = None


def check_corpus(documents: Iterable[Document]) -> Iterator[Finding]:
    documents = list(documents)
    by_id: dict[str, Document] = {}
    for document in documents:
        first = by_id.setdefault(document.id, document)
        if first is not document:
            # Reported on both files: either may be the one being validated.
            for here, there in ((document, first), (first, document)):
                yield Finding(
                    here,
                    ("id",),
                    f"duplicate document id '{document.id}' (also used by {there.path})",
                    "ids must be unique across the corpus; rename one of them",
                )
    index = _Index(documents)
    for document in documents:
        yield from _check_document(document, index, by_id)
    yield from _include_cycles(documents, by_id)


class _Index:
    def __init__(self, documents: list[Document]) -> None:
        self.contacts: set[str] = set()
        self.sla: set[str] = set()
        self.environments: set[str] = set()
        self.windows: set[str] = set()
        self.duplicates: list[Finding] = []
        for document in documents:
            for name, ids in (
                ("contacts", [item.id for item in document.contacts]),
                ("sla", [item.id for item in document.sla]),
                ("environments", [item.id for item in document.environments]),
                ("windows", [item.id for item in document.windows]),
            ):
                seen: set[str] = getattr(self, name)
                for position, item_id in enumerate(ids):
                    if item_id in seen:
                        self.duplicates.append(
                            Finding(
                                document,
                                (name, position, "id"),
                                f"'{item_id}' is defined more than once in the corpus",
                            )
                        )
                    seen.add(item_id)


def _missing(
    document: Document,
    path: tuple[PathSegment, ...],
    what: str,
    wanted: str,
    known: set[str],
) -> Iterator[Finding]:
    if wanted in known:
        return
    close = difflib.get_close_matches(wanted, known, n=3)
    if close:
        hint = f"did you mean {' or '.join(repr(name) for name in close)}?"
    elif not known:
        hint = f"no {what}s are defined in the corpus"
    elif len(known) <= 8:
        hint = f"known {what}s: {', '.join(sorted(known))}"
    else:
        hint = None
    yield Finding(document, path, f"unknown {what} '{wanted}'", hint)


def _check_document(
    document: Document, index: _Index, by_id: dict[str, Document]
) -> Iterator[Finding]:
    contacts, known_ids = index.contacts, set(by_id)
    yield from (finding for finding in index.duplicates if finding.document is document)
    yield from _missing(document, ("owner",), "contact", document.owner, contacts)
    for field in ("reviewers", "approvers"):
        for position, contact in enumerate(getattr(document, field)):
            yield from _missing(document, (field, position), "contact", contact, contacts)
    for position, related in enumerate(document.related):
        yield from _missing(document, ("related", position), "document", related, known_ids)
    for position, entry in enumerate(document.changelog):
        for number, approver in enumerate(entry.approved_by):
            where: tuple[PathSegment, ...] = ("changelog", position, "approved_by", number)
            yield from _missing(document, where, "contact", approver, contacts)
    if document.changelog:
        newest = max(document.changelog, key=lambda entry: _version_key(entry.version))
        if newest.version != document.version:
            yield Finding(
                document,
                ("version",),
                f"version {document.version} has no changelog entry "
                f"(the newest entry is {newest.version})",
                "add a changelog entry for this version",
            )
    for field in ("escalation", "escalation_matrix"):
        for position, level in enumerate(getattr(document, field)):
            where = (field, position, "contact")
            yield from _missing(document, where, "contact", level.contact, contacts)
    for position, resolution in enumerate(document.resolutions):
        if resolution.escalate_to:
            where = ("resolutions", position, "escalate_to")
            yield from _missing(document, where, "contact", resolution.escalate_to, contacts)
    for position, severity in enumerate(document.severities):
        for number, contact in enumerate(severity.notify):
            where = ("severities", position, "notify", number)
            yield from _missing(document, where, "contact", contact, contacts)
    for position, baseline in enumerate(document.baselines):
        if baseline.sla:
            where = ("baselines", position, "sla")
            yield from _missing(document, where, "SLA threshold", baseline.sla, index.sla)
    if document.window:
        yield from _missing(
            document, ("window",), "maintenance window", document.window, index.windows
        )
    for position, window in enumerate(document.windows):
        yield from _timezone(document, ("windows", position, "timezone"), window.timezone)
    if document.schedule:
        yield from _timezone(document, ("schedule", "timezone"), document.schedule.timezone)
        yield from _cron(document, document.schedule.cron)
    yield from _decisions(document, known_ids)
    yield from _steps(document, index, known_ids)
    if document.kind == "playbook":
        yield from _phases(document)
    for position, parameter in enumerate(document.parameters):
        if parameter.pattern:
            yield from _regex(
                document, ("parameters", parameter.name, "pattern"), parameter.pattern
            )
        if (
            parameter.default is not None
            and parameter.allowed
            and parameter.default not in parameter.allowed
        ):
            yield Finding(
                document,
                ("parameters", parameter.name, "default"),
                f"default {parameter.default!r} is not among the allowed values",
            )
        del position


def _version_key(version: str) -> tuple[int, ...]:
    core = version.split("-", 1)[0]
    return tuple(int(part) for part in core.split("."))


def _timezone(document: Document, path: tuple[PathSegment, ...], name: str) -> Iterator[Finding]:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        yield Finding(
            document,
            path,
            f"unknown time zone '{name}'",
            "use an IANA name such as Africa/Johannesburg",
        )


_CRON_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))
_CRON_NAMES = {
    3: "jan feb mar apr may jun jul aug sep oct nov dec".split(),
    4: "sun mon tue wed thu fri sat".split(),
}


def _cron(document: Document, cron: str) -> Iterator[Finding]:
    for position, field in enumerate(cron.split()):
        low, high = _CRON_RANGES[position]
        for part in field.split(","):
            base, _, step = part.partition("/")
            if step and not step.isdigit():
                break
            if base == "*":
                continue
            bounds = base.split("-")
            values: list[int] = []
            for bound in bounds:
                if bound.isdigit():
                    values.append(int(bound))
                elif bound.lower() in _CRON_NAMES.get(position, []):
                    values.append(_CRON_NAMES[position].index(bound.lower()) + (position == 3))
                else:
                    values = []
                    break
            if not values or len(values) > 2 or any(not low <= v <= high for v in values):
                break
        else:
            continue
        yield Finding(
            document,
            ("schedule", "cron"),
            f"cron field {position + 1} ('{field}') is not valid: expected values {low}-{high}",
        )
        return


def _decisions(document: Document, known_ids: set[str]) -> Iterator[Finding]:
    decision_ids = {decision.id for decision in document.decisions}
    for position, decision in enumerate(document.decisions):
        for answer in ("yes", "no"):
            outcome = getattr(decision, answer)
            path: tuple[PathSegment, ...] = ("decisions", position, answer)
            if outcome.next is not None:
                yield from _missing(
                    document, (*path, "next"), "decision", outcome.next, decision_ids
                )
            if outcome.document is not None:
                yield from _missing(
                    document, (*path, "document"), "document", outcome.document, known_ids
                )


def _steps(document: Document, index: _Index, known_ids: set[str]) -> Iterator[Finding]:
    seen: dict[str, tuple[PathSegment, ...]] = {}
    located = list(_located_steps(document.steps, ("steps",)))
    for path, step in located:
        if step.id in seen:
            yield Finding(
                document,
                (*path, "id"),
                f"duplicate step id '{step.id}'",
                "step ids must be unique within a document",
            )
        seen.setdefault(step.id, path)
    for path, step in located:
        if step.on_failure not in ("stop", "continue"):
            if step.on_failure not in seen:
                yield Finding(
                    document,
                    (*path, "on_failure"),
                    f"on_failure names unknown step '{step.on_failure}'",
                    "use stop, continue or the id of a step in this document",
                )
            elif step.on_failure == step.id:
                yield Finding(
                    document, (*path, "on_failure"), "on_failure cannot jump to the step itself"
                )
        for number, environment in enumerate(step.environments):
            yield from _missing(
                document,
                (*path, "environments", number),
                "environment",
                environment,
                index.environments,
            )
        for environment in step.environment_notes:
            yield from _missing(
                document,
                (*path, "environment_notes", environment),
                "environment",
                environment,
                index.environments,
            )
        if step.expect:
            yield from _expectation(document, (*path, "expect"), step, index)
        if step.retry and step.retry.until:
            for sla in step.retry.until.sla_ids():
                yield from _missing(
                    document, (*path, "retry", "until"), "SLA threshold", sla, index.sla
                )
        for output in step.outputs:
            if output.regex:
                yield from _regex(document, (*path, "outputs", output.name, "regex"), output.regex)
        action = step.action
        if isinstance(action, IncludeAction):
            yield from _missing(
                document, (*path, "include", "document"), "document", action.document, known_ids
            )
        if isinstance(action, ApprovalAction):
            for number, approver in enumerate(action.approvers):
                yield from _missing(
                    document,
                    (*path, "approval", "approvers", number),
                    "contact",
                    approver,
                    index.contacts,
                )


def _expectation(
    document: Document, path: tuple[PathSegment, ...], step: Step, index: _Index
) -> Iterator[Finding]:
    expect = step.expect
    assert expect is not None
    if expect.latency and expect.latency.sla:
        yield from _missing(
            document, (*path, "latency", "sla"), "SLA threshold", expect.latency.sla, index.sla
        )
    for number, check in enumerate(expect.json):
        if check.sla:
            yield from _missing(
                document, (*path, "json", number, "sla"), "SLA threshold", check.sla, index.sla
            )
        pattern = check.operators.get("matches")
        if isinstance(pattern, str):
            yield from _regex(document, (*path, "json", number, "matches"), pattern)
    for field in ("body_matches", "output_matches"):
        pattern = getattr(expect, field)
        if pattern:
            yield from _regex(document, (*path, field), pattern)


def _regex(document: Document, path: tuple[PathSegment, ...], pattern: str) -> Iterator[Finding]:
    try:
        re.compile(pattern)
    except re.error as error:
        yield Finding(document, path, f"invalid regular expression: {error}")


def _located_steps(
    steps: tuple[Step, ...], prefix: tuple[PathSegment, ...]
) -> Iterator[tuple[tuple[PathSegment, ...], Step]]:
    for position, step in enumerate(steps):
        path = (*prefix, position)
        yield path, step
        if isinstance(step.action, ParallelAction):
            yield from _located_steps(step.action.steps, (*path, "parallel"))


def _phases(document: Document) -> Iterator[Finding]:
    order = {phase: rank for rank, phase in enumerate(PLAYBOOK_PHASES)}
    previous = -1
    for position, step in enumerate(document.steps):
        rank = order.get(step.phase or "", -1)
        if rank < previous:
            yield Finding(
                document,
                ("steps", position, "phase"),
                f"phase '{step.phase}' comes after '{PLAYBOOK_PHASES[previous]}'",
                "keep playbook steps in phase order: " + " → ".join(PLAYBOOK_PHASES),
            )
        previous = max(previous, rank)
    present = {step.phase for step in document.steps}
    missing = [phase for phase in PLAYBOOK_PHASES if phase not in present]
    if missing:
        yield Finding(
            document,
            ("steps",),
            f"playbook has no steps in phase(s): {', '.join(missing)}",
            "every playbook covers " + " → ".join(PLAYBOOK_PHASES),
        )


def _include_cycles(documents: list[Document], by_id: dict[str, Document]) -> Iterator[Finding]:
    graph: dict[str, list[tuple[str, tuple[PathSegment, ...]]]] = {
        document.id: [
            (step.action.document, (*path, "include", "document"))
            for path, step in _located_steps(document.steps, ("steps",))
            if isinstance(step.action, IncludeAction)
        ]
        for document in documents
    }
    reported: set[frozenset[str]] = set()
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    stack: list[str] = []

    def visit(node: str) -> Iterator[Finding]:
        state[node] = 1
        stack.append(node)
        for target, _include_path in graph.get(node, []):
            if state.get(target) == 1:
                cycle = stack[stack.index(target) :] + [target]
                key = frozenset(cycle)
                if key not in reported:
                    reported.add(key)
                    # Every document on the cycle gets the finding at its include step.
                    for member, following in zip(cycle, cycle[1:], strict=False):
                        where = next(p for t, p in graph[member] if t == following)
                        yield Finding(
                            by_id[member],
                            where,
                            "include cycle: " + " → ".join(cycle),
                            "an included document must not include its includer",
                        )
            elif target in graph and state.get(target) is None:
                yield from visit(target)
        stack.pop()
        state[node] = 2

    for document_id in graph:
        if state.get(document_id) is None:
            yield from visit(document_id)
