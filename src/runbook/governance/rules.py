"""The document-control rules a change must follow, and the report that collects them.

1. A changed document's version is bumped at least as far as its change needs.
2. A new version comes with a changelog entry for it.
3. A document that requires approval records, in that entry's ``approved_by``, one of the
   approvers the document listed before the change.
4. Every document at the head loads (otherwise nothing about it can be checked).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Literal

from runbook.governance import snapshot
from runbook.governance.diff import DocumentChange, compare
from runbook.governance.git import Repository
from runbook.governance.snapshot import Snapshot
from runbook.governance.versions import Level, bump_level, required_version
from runbook.loader import Problem

Rule = Literal["version-bump", "changelog", "approval", "invalid"]


@dataclass(frozen=True)
class RuleViolation:
    rule: Rule
    document: str  # document id, or the file name when it did not load
    path: str
    message: str
    hint: str | None = None
    line: int | None = None


@dataclass(frozen=True)
class DiffReport:
    base: str
    head: str
    base_commit: str | None
    head_commit: str | None  # None: the working tree
    documents: tuple[DocumentChange, ...]
    violations: tuple[RuleViolation, ...]
    notes: tuple[str, ...]  # base files that did not load: compared as if absent

    @property
    def ok(self) -> bool:
        return not self.violations

    def count(self, status: str) -> int:
        return sum(1 for change in self.documents if change.status == status)


def diff_revisions(
    repository: Repository,
    base: str,
    head: str | None,
    corpus: PurePosixPath,
    *,
    merge_base: bool = False,
) -> DiffReport:
    """Compare ``corpus`` at revision ``base`` with ``head`` (None: the working tree)."""
    head_commit = repository.resolve(head) if head else None
    base_commit = repository.resolve(base)
    base_label = base
    if merge_base:
        base_commit = repository.merge_base(base_commit, head_commit or "HEAD")
        base_label = f"merge-base of {base}"
    before = snapshot.at_revision(repository, base_label, base_commit, corpus)
    if head and head_commit:
        after = snapshot.at_revision(repository, head, head_commit, corpus)
    else:
        after = snapshot.working_tree(repository, repository.root / corpus)
    return build_report(before, after)


def build_report(base: Snapshot, head: Snapshot) -> DiffReport:
    changes = compare(base, head)
    violations = [violation for change in changes for violation in check(change)]
    violations += [_unloadable(problem) for problem in head.problems]
    notes = tuple(
        f"{problem.file}: did not load at {base.label} ({problem.message}); treated as absent"
        for problem in base.problems
    )
    return DiffReport(
        base=base.label,
        head=head.label,
        base_commit=base.commit,
        head_commit=head.commit,
        documents=changes,
        violations=tuple(violations),
        notes=notes,
    )


def check(change: DocumentChange) -> list[RuleViolation]:
    if change.status == "removed":
        return []  # nothing left to carry a version or an approval; the diff shows it
    found: list[RuleViolation] = []
    if change.status != "added":
        found += _version_rules(change)
    if change.requires_approval and (
        change.status == "added" or change.level or change.version_changed
    ):
        found += _approval_rule(change)
    return found


def _violation(change: DocumentChange, rule: Rule, message: str, hint: str) -> RuleViolation:
    return RuleViolation(rule, change.id, change.path, message, hint)


def _version_rules(change: DocumentChange) -> list[RuleViolation]:
    assert change.base_version is not None and change.head_version is not None
    before, after, needed = change.base_version, change.head_version, change.level
    bumped = bump_level(before, after)
    if bumped is None:
        return [
            _violation(
                change,
                "version-bump",
                f"version went from {before} to {after}: versions only move forward",
                f"set version to {required_version(before, max(needed, Level.PATCH))}",
            )
        ]
    if bumped < needed:
        what = _needs(change)
        target = required_version(before, needed)
        if bumped is Level.NONE:
            message = f"{what} needs a {needed.label} version bump, but version is still {before}"
        else:
            message = (
                f"{what} needs a {needed.label} version bump, but {before} → {after} "
                f"is a {bumped.label} bump"
            )
        return [
            _violation(
                change,
                "version-bump",
                message,
                f"set version to {target} and add a changelog entry for {target}",
            )
        ]
    if bumped is not Level.NONE and not _entry_for_head(change):
        return [
            _violation(
                change,
                "changelog",
                f"version {after} has no new changelog entry",
                f"add a changelog entry with version: {after}, the date and a summary",
            )
        ]
    return []


def _needs(change: DocumentChange) -> str:
    """The biggest reason for the required bump, as a reviewer would say it."""
    reasons: list[tuple[Level, str]] = []
    for step in change.steps:
        if step.kind == "removed":
            reasons.append((step.level, f"removing step {step.step_id}"))
        elif step.kind == "added":
            reasons.append((step.level, f"adding step {step.step_id}"))
        elif step.reason == "order":
            reasons.append((step.level, f"moving step {step.step_id}"))
        else:
            reasons.append((step.level, f"{_a(step.reason)} change in step {step.step_id}"))
    reasons += [
        (field.level, f"{_a(field.reason)} change ({field.path})") for field in change.fields
    ]
    # The first of the biggest: documents list steps in order, so this is the earliest one.
    return max(reasons, key=lambda pair: pair[0])[1]


def _a(noun: str) -> str:
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


def _entry_for_head(change: DocumentChange) -> bool:
    return any(entry.version == change.head_version for entry in change.new_changelog)


def _approval_rule(change: DocumentChange) -> list[RuleViolation]:
    if not change.approvers:
        return [
            _violation(
                change,
                "approval",
                "requires approval but lists no approvers",
                "add approvers (contact ids) to the document",
            )
        ]
    entries = [entry for entry in change.new_changelog if entry.version == change.head_version]
    approved = {name for entry in entries for name in entry.approved_by}
    if approved & set(change.approvers):
        return []
    allowed = ", ".join(change.approvers)
    if not entries:
        message = f"requires approval, and version {change.head_version} has no new changelog entry"
    elif approved:
        message = (
            f"requires approval from one of {allowed}; "
            f"approved_by lists only {', '.join(sorted(approved))}"
        )
    else:
        message = f"requires approval from one of {allowed}, but none is recorded"
    return [
        _violation(
            change,
            "approval",
            message,
            f"record the approver in the changelog entry for {change.head_version}: "
            f"approved_by: [{change.approvers[0]}]",
        )
    ]


def _unloadable(problem: Problem) -> RuleViolation:
    return RuleViolation(
        "invalid",
        problem.file.name,
        problem.file.as_posix(),
        f"does not load: {problem.message}",
        problem.hint or "run runbook validate on it",
        problem.line,
    )
