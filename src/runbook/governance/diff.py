"""What changed between two snapshots of the corpus, in terms a reviewer cares about.

Documents are matched by id and steps by step id, so a moved file or a reordered step is
reported as such rather than as a removal plus an addition. Whether something changed is
decided on the loaded model, so reformatting YAML, spelling a duration another way or
writing a default out explicitly is no change; the raw mapping only supplies the detail
(which key, before and after) for what did change.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields
from datetime import date
from typing import Any, Literal

from runbook.governance.snapshot import Snapshot
from runbook.governance.versions import ChangeKind, Level, classify
from runbook.model import ChangelogEntry, Document, Step

DocumentStatus = Literal["added", "removed", "changed", "renamed"]
StepChangeKind = Literal["added", "removed", "moved", "changed"]

# Bookkeeping rather than content: checked by the rules, not classified as changes.
ADMINISTRATIVE = {"id", "version", "changelog", "last_reviewed", "steps", "path", "raw"}
ACTIONS = ("http", "command", "manual", "approval", "include", "wait", "parallel")
# Mappings keyed by a user-chosen name: their keys are entries, not field names.
NAMED_MAPS = {
    "parameters",
    "secrets",
    "outputs",
    "environment_notes",
    "headers",
    "query",
    "env",
    "variables",
}


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


MISSING: Any = _Missing()


@dataclass(frozen=True)
class FieldChange:
    path: str  # "sla[api-response-time].warning", "expect.status"
    kind: ChangeKind
    before: Any  # None when added
    after: Any  # None when removed
    level: Level
    reason: str


@dataclass(frozen=True)
class StepChange:
    step_id: str
    title: str
    kind: StepChangeKind
    level: Level
    reason: str
    before_position: int | None  # 1-based, depth first through parallel groups
    after_position: int | None
    moved: bool = False
    fields: tuple[FieldChange, ...] = ()


@dataclass(frozen=True)
class DocumentChange:
    id: str
    title: str
    kind: str
    status: DocumentStatus
    path: str  # where it is now, or where it was when removed
    renamed_from: str | None
    base_version: str | None
    head_version: str | None
    reviewed: tuple[date, date] | None  # last_reviewed before and after, when it moved
    requires_approval: bool
    approvers: tuple[str, ...]  # those who may approve: the base's, so no one self-appoints
    new_changelog: tuple[ChangelogEntry, ...]  # entries the head has and the base had not
    fields: tuple[FieldChange, ...] = ()
    steps: tuple[StepChange, ...] = ()
    level: Level = Level.NONE  # the bump the content change needs

    @property
    def version_changed(self) -> bool:
        return self.base_version != self.head_version

    def steps_of(self, kind: StepChangeKind) -> tuple[StepChange, ...]:
        return tuple(step for step in self.steps if step.kind == kind)


def compare(base: Snapshot, head: Snapshot) -> tuple[DocumentChange, ...]:
    changes: list[DocumentChange] = []
    for document_id in sorted(set(base.documents) | set(head.documents)):
        before, after = base.documents.get(document_id), head.documents.get(document_id)
        if before is None and after is not None:
            changes.append(_added(after))
        elif after is None and before is not None:
            changes.append(_removed(before))
        elif before is not None and after is not None:
            change = _changed(before, after)
            if change is not None:
                changes.append(change)
    return tuple(sorted(changes, key=lambda change: (change.path, change.id)))


def _added(document: Document) -> DocumentChange:
    return DocumentChange(
        id=document.id,
        title=document.title,
        kind=document.kind,
        status="added",
        path=document.path.as_posix(),
        renamed_from=None,
        base_version=None,
        head_version=document.version,
        reviewed=None,
        requires_approval=document.requires_approval,
        approvers=document.approvers,
        new_changelog=document.changelog,
        level=Level.MINOR,
    )


def _removed(document: Document) -> DocumentChange:
    return DocumentChange(
        id=document.id,
        title=document.title,
        kind=document.kind,
        status="removed",
        path=document.path.as_posix(),
        renamed_from=None,
        base_version=document.version,
        head_version=None,
        reviewed=None,
        requires_approval=document.requires_approval,
        approvers=document.approvers,
        new_changelog=(),
        level=Level.MAJOR,
    )


def _changed(before: Document, after: Document) -> DocumentChange | None:
    field_changes = tuple(_document_fields(before, after))
    step_changes = tuple(_steps(before, after))
    known = {entry.version for entry in before.changelog}
    new_entries = tuple(entry for entry in after.changelog if entry.version not in known)
    renamed = before.path != after.path
    reviewed = (
        (before.last_reviewed, after.last_reviewed)
        if before.last_reviewed != after.last_reviewed
        else None
    )
    edited = bool(
        field_changes or step_changes or reviewed or new_entries or before.version != after.version
    )
    if not (edited or renamed):
        return None
    levels = [change.level for change in field_changes] + [step.level for step in step_changes]
    return DocumentChange(
        id=after.id,
        title=after.title,
        kind=after.kind,
        status="changed" if edited else "renamed",
        path=after.path.as_posix(),
        renamed_from=before.path.as_posix() if renamed else None,
        base_version=before.version,
        head_version=after.version,
        reviewed=reviewed,
        # Switching approval off is itself a change that needs the approval it removes.
        requires_approval=before.requires_approval or after.requires_approval,
        approvers=before.approvers,
        new_changelog=new_entries,
        fields=field_changes,
        steps=step_changes,
        level=max(levels, default=Level.NONE),
    )


def _document_fields(before: Document, after: Document) -> Iterator[FieldChange]:
    model_fields = {field.name for field in fields(Document)}
    for key in _keys(before.raw, after.raw):
        if key in ADMINISTRATIVE:
            continue
        if key in model_fields and getattr(before, key) == getattr(after, key):
            continue
        yield from _walk(before.raw.get(key, MISSING), after.raw.get(key, MISSING), (key,), key)


def _keys(*mappings: Mapping[str, Any]) -> list[str]:
    """Keys of all mappings in first-seen order, so output follows the documents' layout."""
    return list(dict.fromkeys(key for mapping in mappings for key in mapping))


def _walk(before: Any, after: Any, keys: tuple[str, ...], where: str) -> Iterator[FieldChange]:
    if before == after:
        return
    if before is MISSING or after is MISSING:
        yield _field(keys, where, before, after)
        return
    if isinstance(before, dict) and isinstance(after, dict):
        named = keys[-1] in NAMED_MAPS
        for key in _keys(before, after):
            old, new = before.get(key, MISSING), after.get(key, MISSING)
            if not named:
                yield from _walk(old, new, (*keys, key), f"{where}.{key}")
            elif old is MISSING or new is MISSING:
                yield _field(keys, f"{where}[{key}]", old, new, item=True)
            else:
                yield from _walk(old, new, keys, f"{where}[{key}]")
        return
    old_items, new_items = _by_id(before), _by_id(after)
    if old_items is not None and new_items is not None:
        for item_id in _keys(old_items, new_items):
            old, new = old_items.get(item_id, MISSING), new_items.get(item_id, MISSING)
            if old is MISSING or new is MISSING:
                yield _field(keys, f"{where}[{item_id}]", old, new, item=True)
            else:
                yield from _walk(old, new, keys, f"{where}[{item_id}]")
        return
    yield _field(keys, where, before, after)


def _by_id(value: Any) -> dict[str, Any] | None:
    """A list of mappings that all have an id, indexed by it; None for any other value."""
    if not isinstance(value, list) or not value:
        return None
    if not all(isinstance(item, dict) and isinstance(item.get("id"), str) for item in value):
        return None
    indexed = {item["id"]: item for item in value}
    return indexed if len(indexed) == len(value) else None


def _field(
    keys: tuple[str, ...], where: str, before: Any, after: Any, *, item: bool = False
) -> FieldChange:
    kind: ChangeKind = (
        "added" if before is MISSING else "removed" if after is MISSING else "changed"
    )
    level, reason = classify(keys, kind, item=item)
    return FieldChange(
        path=where,
        kind=kind,
        before=None if before is MISSING else before,
        after=None if after is MISSING else after,
        level=level,
        reason=reason,
    )


@dataclass(frozen=True)
class _Placed:
    step: Step
    raw: Mapping[str, Any]
    parent: str | None
    position: int


def _placed(document: Document) -> dict[str, _Placed]:
    models = {step.id: step for step in document.all_steps()}
    placed: dict[str, _Placed] = {}

    def visit(raw_steps: list[Mapping[str, Any]], parent: str | None) -> None:
        for raw in raw_steps:
            placed[raw["id"]] = _Placed(models[raw["id"]], raw, parent, len(placed) + 1)
            if "parallel" in raw:
                visit(raw["parallel"], raw["id"])

    visit(document.raw.get("steps", []), None)
    return placed


def _steps(before: Document, after: Document) -> Iterator[StepChange]:
    old, new = _placed(before), _placed(after)
    common_before = [step_id for step_id in old if step_id in new]
    common_after = [step_id for step_id in new if step_id in old]
    in_order = _longest_common_subsequence(common_before, common_after)
    for step_id, placed in new.items():
        if step_id not in old:
            yield StepChange(
                step_id,
                placed.step.title,
                "added",
                Level.MINOR,
                "step added",
                None,
                placed.position,
            )
            continue
        was = old[step_id]
        moved = step_id not in in_order or was.parent != placed.parent
        changes = tuple(_step_fields(was, placed))
        if not (moved or changes):
            continue
        levels = [change.level for change in changes] + ([Level.MAJOR] if moved else [])
        level = max(levels)
        reason = "order" if moved else max(changes, key=lambda change: change.level).reason
        yield StepChange(
            step_id,
            placed.step.title,
            "changed" if changes else "moved",
            level,
            reason,
            was.position,
            placed.position,
            moved=moved,
            fields=changes,
        )
    for step_id, was in old.items():
        if step_id not in new:
            yield StepChange(
                step_id, was.step.title, "removed", Level.MAJOR, "step removed", was.position, None
            )


def _step_fields(before: _Placed, after: _Placed) -> Iterator[FieldChange]:
    for key in _keys(before.raw, after.raw):
        if key in ("id", "parallel"):
            continue  # a parallel group's members are compared as steps of their own
        if key in ACTIONS:
            old_action, new_action = before.step.action, after.step.action
            if type(old_action) is type(new_action) and old_action == new_action:
                continue
        elif getattr(before.step, key, MISSING) == getattr(after.step, key, MISSING):
            continue
        yield from _walk(before.raw.get(key, MISSING), after.raw.get(key, MISSING), (key,), key)


def _longest_common_subsequence(first: list[str], second: list[str]) -> set[str]:
    """Steps that kept their relative order; the rest moved (n is small: a few dozen steps)."""
    rows, columns = len(first), len(second)
    table = [[0] * (columns + 1) for _ in range(rows + 1)]
    for i in range(rows - 1, -1, -1):
        for j in range(columns - 1, -1, -1):
            table[i][j] = (
                table[i + 1][j + 1] + 1
                if first[i] == second[j]
                else max(table[i + 1][j], table[i][j + 1])
            )
    kept: set[str] = set()
    i = j = 0
    while i < rows and j < columns:
        if first[i] == second[j]:
            kept.add(first[i])
            i, j = i + 1, j + 1
        elif table[i + 1][j] >= table[i][j + 1]:
            i += 1
        else:
            j += 1
    return kept
