"""Checks the schema cannot express: within a document and across the corpus.

Each check yields ``Finding``s (document, JSON path, message, hint); the loader turns them
into located problems. Checks read the frozen model, never the YAML.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from runbook.loader.findings import Finding, KnownIds, PathSegment, bad_regex, missing
from runbook.loader.step_checks import check_phases, check_steps, include_cycles
from runbook.model import Document


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
    index = KnownIds(documents)
    for document in documents:
        yield from _check_document(document, index, by_id)
    yield from include_cycles(documents, by_id)


def _check_document(
    document: Document, index: KnownIds, by_id: dict[str, Document]
) -> Iterator[Finding]:
    contacts, known_ids = index.contacts, set(by_id)
    yield from (finding for finding in index.duplicates if finding.document is document)
    yield from missing(document, ("owner",), "contact", document.owner, contacts)
    for field in ("reviewers", "approvers"):
        for position, contact in enumerate(getattr(document, field)):
            yield from missing(document, (field, position), "contact", contact, contacts)
    for position, related in enumerate(document.related):
        yield from missing(document, ("related", position), "document", related, known_ids)
    for position, entry in enumerate(document.changelog):
        for number, approver in enumerate(entry.approved_by):
            where: tuple[PathSegment, ...] = ("changelog", position, "approved_by", number)
            yield from missing(document, where, "contact", approver, contacts)
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
            yield from missing(document, where, "contact", level.contact, contacts)
    for position, resolution in enumerate(document.resolutions):
        if resolution.escalate_to:
            where = ("resolutions", position, "escalate_to")
            yield from missing(document, where, "contact", resolution.escalate_to, contacts)
    for position, severity in enumerate(document.severities):
        for number, contact in enumerate(severity.notify):
            where = ("severities", position, "notify", number)
            yield from missing(document, where, "contact", contact, contacts)
    for position, baseline in enumerate(document.baselines):
        if baseline.sla:
            where = ("baselines", position, "sla")
            yield from missing(document, where, "SLA threshold", baseline.sla, index.sla)
    if document.window:
        yield from missing(
            document, ("window",), "maintenance window", document.window, index.windows
        )
    for position, window in enumerate(document.windows):
        yield from _timezone(document, ("windows", position, "timezone"), window.timezone)
    if document.schedule:
        yield from _timezone(document, ("schedule", "timezone"), document.schedule.timezone)
        yield from _cron(document, document.schedule.cron)
    yield from _decisions(document, known_ids)
    yield from check_steps(document, index, known_ids)
    if document.kind == "playbook":
        yield from check_phases(document)
    for position, parameter in enumerate(document.parameters):
        if parameter.pattern:
            yield from bad_regex(
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
                yield from missing(
                    document, (*path, "next"), "decision", outcome.next, decision_ids
                )
            if outcome.document is not None:
                yield from missing(
                    document, (*path, "document"), "document", outcome.document, known_ids
                )
