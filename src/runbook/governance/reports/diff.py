"""``runbook diff`` output: Markdown for a pull-request comment, JSON for tools, plain text."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import asdict
from enum import Enum
from typing import Any

from runbook.governance.diff import DocumentChange, FieldChange, StepChange
from runbook.governance.rules import DiffReport, RuleViolation
from runbook.governance.versions import Level

# Lets a workflow find and update its earlier comment instead of adding one per push.
COMMENT_MARKER = "<!-- runbook-diff -->"
CELL_LIMIT = 80
STATUS_ICONS = {"added": "➕", "removed": "➖", "changed": "✏️", "renamed": "🚚"}


def _value(value: Any) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = " ".join(text.split())
    return text if len(text) <= CELL_LIMIT else text[: CELL_LIMIT - 1] + "…"


def _code(value: Any) -> str:
    text = _value(value)
    if not text:
        return ""
    cell = text.replace("|", "\\|")
    return cell if "`" in cell else f"`{cell}`"


def _headline(report: DiffReport) -> str:
    counts = [
        f"{report.count(status)} {status}"
        for status in ("changed", "added", "removed", "renamed")
        if report.count(status)
    ]
    return ", ".join(counts) if counts else "no documents changed"


def _rows(change: DocumentChange) -> Iterator[tuple[str, str, str, str]]:
    """(what, before, after, bump) for every change in a document, steps in order."""
    if change.renamed_from:
        yield "file renamed", _code(change.renamed_from), _code(change.path), "none"
    for step in change.steps:
        yield from _step_rows(step)
    for field in change.fields:
        yield _field_row(f"`{field.path}`", field)


def _bump(level: Level, reason: str) -> str:
    return f"{level.label} ({reason})" if reason else level.label


def _field_row(what: str, field: FieldChange) -> tuple[str, str, str, str]:
    label = {"added": "added", "removed": "removed", "changed": "changed"}[field.kind]
    return (
        f"{what} {label}",
        _code(field.before),
        _code(field.after),
        _bump(field.level, field.reason),
    )


def _step_rows(step: StepChange) -> Iterator[tuple[str, str, str, str]]:
    name = f"step `{step.step_id}`"
    if step.kind == "added":
        yield f"{name} added", "", _code(step.title), _bump(step.level, "")
    elif step.kind == "removed":
        yield f"{name} removed", _code(step.title), "", _bump(step.level, "")
    if step.moved:
        yield (
            f"{name} moved",
            f"position {step.before_position}",
            f"position {step.after_position}",
            _bump(Level.MAJOR, "order"),
        )
    for field in step.fields:
        yield _field_row(f"{name} `{field.path}`", field)


def _version_line(change: DocumentChange) -> str:
    if change.status == "added":
        return f"version {change.head_version}"
    if change.status == "removed":
        return f"was version {change.base_version}"
    if change.version_changed:
        return f"version {change.base_version} → {change.head_version}"
    return f"version {change.base_version} (unchanged)"


def _violation_line(violation: RuleViolation) -> str:
    hint = f" — _{violation.hint}_" if violation.hint else ""
    return f"- **`{violation.document}`** ({violation.rule}): {violation.message}{hint}"


def markdown(report: DiffReport) -> str:
    verdict = "✅ all rules pass" if report.ok else f"❌ {len(report.violations)} rule(s) broken"
    lines = [
        COMMENT_MARKER,
        f"## Runbook changes: `{report.base}` → {_label(report.head)}",
        "",
        f"**{_headline(report)}** · {verdict}",
    ]
    if report.violations:
        lines += ["", "### Rules broken", ""]
        lines += [_violation_line(violation) for violation in report.violations]
    broken = {violation.document for violation in report.violations}
    for change in report.documents:
        lines += ["", *_document_markdown(change, change.id in broken)]
    if report.notes:
        lines += ["", "### Notes", ""] + [f"- {note}" for note in report.notes]
    return "\n".join(lines) + "\n"


def _label(head: str) -> str:
    return head if head == "working tree" else f"`{head}`"


def _document_markdown(change: DocumentChange, broken: bool) -> list[str]:
    icon = STATUS_ICONS[change.status]
    lines = [f"### {icon} `{change.id}` — {change.title} ({change.status})", ""]
    facts = [f"`{change.path}`", _version_line(change)]
    if change.status in ("changed", "renamed"):
        facts.append(f"needs **{change.level.label}**")
        facts.append("❌" if broken else "✅")
    if change.requires_approval:
        facts.append(f"requires approval ({', '.join(change.approvers) or 'no approvers'})")
    lines.append(" · ".join(facts))
    if change.reviewed:
        old, new = change.reviewed
        lines += ["", f"Reviewed: {old.isoformat()} → {new.isoformat()}"]
    for entry in change.new_changelog if change.status != "added" else ():
        approved = f" (approved by {', '.join(entry.approved_by)})" if entry.approved_by else ""
        lines += ["", f"Changelog {entry.version}: {entry.summary}{approved}"]
    rows = list(_rows(change))
    if rows:
        lines += ["", "| Change | Before | After | Bump |", "| --- | --- | --- | --- |"]
        lines += [f"| {what} | {before} | {after} | {bump} |" for what, before, after, bump in rows]
    return lines


def text(report: DiffReport) -> str:
    lines = [f"{report.base} → {report.head}: {_headline(report)}"]
    for change in report.documents:
        header = f"{change.status:<8} {change.id} ({change.path}, {_version_line(change)}"
        if change.status in ("changed", "renamed"):
            header += f", needs {change.level.label}"
        lines.append(header + ")")
        for what, before, after, bump in _rows(change):
            plain = what.replace("`", "")
            if before and after:
                arrow = f": {before} → {after}"
            elif before or after:
                arrow = f": {before or after}"
            else:
                arrow = ""
            arrow = arrow.replace("`", "")
            lines.append(f"    {plain}{arrow}  [{bump}]")
    for note in report.notes:
        lines.append(f"note: {note}")
    for violation in report.violations:
        lines.append(f"error: {violation.path}: {violation.rule}: {violation.message}")
        if violation.hint:
            lines.append(f"  hint: {violation.hint}")
    lines.append(
        "ok: every rule passes" if report.ok else f"{len(report.violations)} rule(s) broken"
    )
    return "\n".join(lines)


def _plain(value: Any) -> Any:
    if isinstance(value, Level):
        return value.label
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def json_(report: DiffReport) -> str:
    data = _plain(asdict(report))
    data["ok"] = report.ok
    return json.dumps(data, indent=2, default=str, ensure_ascii=False)


REPORTERS: dict[str, Callable[[DiffReport], str]] = {
    "markdown": markdown,
    "json": json_,
    "text": text,
}
