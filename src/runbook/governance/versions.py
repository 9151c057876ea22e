"""Semantic versions of documents, and how big a bump each kind of change needs.

A document's version tells an operator whether what they learned still holds: a major
bump means the procedure now behaves differently (a probe, an expectation, a threshold,
the order of steps), a minor one that something was added, a patch that only wording
changed. The tables below are the whole policy; ``classify`` applies them to one change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum
from typing import Literal

ChangeKind = Literal["added", "removed", "changed"]

_SEMVER = re.compile(
    r"^(?P<major>0|[1-9]\d*)\.(?P<minor>0|[1-9]\d*)\.(?P<patch>0|[1-9]\d*)"
    r"(?:-(?P<pre>[0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$"
)


class Level(IntEnum):
    """The size of a change, and of a version bump; ordered so ``max`` picks the larger."""

    NONE = 0
    PATCH = 1
    MINOR = 2
    MAJOR = 3

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, order=True)
class Version:
    major: int
    minor: int
    patch: int
    prerelease: str = ""

    @classmethod
    def parse(cls, text: str) -> Version:
        match = _SEMVER.match(text)
        if not match:
            raise ValueError(f"not a semantic version: {text!r}")
        return cls(
            int(match["major"]), int(match["minor"]), int(match["patch"]), match["pre"] or ""
        )

    @property
    def core(self) -> tuple[int, int, int]:
        return (self.major, self.minor, self.patch)

    def bumped(self, level: Level) -> Version:
        if level is Level.MAJOR:
            return Version(self.major + 1, 0, 0)
        if level is Level.MINOR:
            return Version(self.major, self.minor + 1, 0)
        if level is Level.PATCH:
            return Version(self.major, self.minor, self.patch + 1)
        return self

    def __str__(self) -> str:
        return ".".join(map(str, self.core)) + (f"-{self.prerelease}" if self.prerelease else "")


def bump_level(before: str, after: str) -> Level | None:
    """How far ``after`` moved from ``before``; None when it went backwards or is not semver."""
    try:
        old, new = Version.parse(before), Version.parse(after)
    except ValueError:
        return None
    if new.core < old.core:
        return None
    if new.major > old.major:
        return Level.MAJOR
    if new.minor > old.minor:
        return Level.MINOR
    if new.patch > old.patch:
        return Level.PATCH
    # Same numbers: a pre-release tag changing is no bump for the purpose of these rules.
    return Level.NONE


def required_version(before: str, level: Level) -> str:
    try:
        return str(Version.parse(before).bumped(level))
    except ValueError:
        return f"a {level.label} bump of {before}"


# Keys whose whole subtree is behaviour: any change inside is major.
BEHAVIOUR = {
    "http": "probe",
    "command": "probe",
    "wait": "probe",
    "include": "probe",
    "approval": "approval gate",
    "expect": "expectation",
    "until": "expectation",
    "schedule": "schedule",
    "escalation": "escalation",
    "escalation_matrix": "escalation",
    "outputs": "outputs",
}

# Leaf keys that carry meaning wherever they appear.
SEMANTIC = {
    "kind": "kind",
    "severity": "severity",
    "response_target": "severity",
    "response_time": "response time",
    "requires_approval": "approval",
    "target": "threshold",
    "warning": "threshold",
    "critical": "threshold",
    "direction": "threshold",
    "unit": "threshold",
    "value": "threshold",
    "on_failure": "on_failure",
    "destructive": "destructive",
    "failure_grade": "failure grade",
    "rollback": "rollback",
    "environments": "environments",
    "required": "required",
    "window": "schedule",
    "weekday": "schedule",
    "start": "schedule",
    "end": "schedule",
    "week_of_month": "schedule",
    "months": "schedule",
    "timezone": "schedule",
    "base_url": "environment",
    "protected": "environment",
    "embedded": "environment",
    "next": "flow",
    "conclusion": "flow",
    "document": "flow",
    "type": "parameter",
    "default": "parameter",
    "allowed": "parameter",
    "pattern": "parameter",
    "minimum": "parameter",
    "maximum": "parameter",
    "env": "secret source",
}

# Prose: changing it changes what people read, not what the procedure does.
WORDING = {
    "title",
    "summary",
    "instructions",
    "description",
    "notes",
    "body",
    "subject",
    "question",
    "meaning",
    "action",
    "impact",
    "symptoms",
    "triggers",
    "checklist",
    "environment_notes",
    "tags",
    "audience",
    "related",
    "examples",
    "tasks",
    "metric",
    "role",
    "name",
    "when",
    "channel",
    "cause",
    "fix",
    "reason",
    "sections",
}

OWNERSHIP = {"owner", "reviewers", "approvers"}

# Collections other documents or later steps refer to by id or name: removing an item
# breaks whoever pointed at it.
REFERENCED = {
    "contacts",
    "sla",
    "severities",
    "environments",
    "windows",
    "parameters",
    "secrets",
    "outputs",
    "variables",
    "decisions",
    "baselines",
}


def classify(keys: tuple[str, ...], kind: ChangeKind, *, item: bool = False) -> tuple[Level, str]:
    """The bump a change needs, and why.

    ``keys`` are the field names from the document (or step) down to the change, outermost
    first; ``item`` says the change is a whole entry of an id-keyed list or named mapping
    (a contact, an SLA threshold, a parameter), whose last key is the collection.
    """
    leaf = keys[-1] if keys else ""
    if item:
        for key in keys[:-1]:
            if key in BEHAVIOUR:
                return Level.MAJOR, BEHAVIOUR[key]
        if kind == "removed":
            if keys and keys[0] in REFERENCED:
                return Level.MAJOR, f"{leaf} entry removed"
            return Level.MINOR, "removal"
        return Level.MINOR, "addition"
    for key in keys:
        if key in BEHAVIOUR:
            return Level.MAJOR, BEHAVIOUR[key]
    if leaf in OWNERSHIP:
        return Level.MINOR, "ownership"
    if leaf in WORDING:
        return Level.PATCH, "wording"
    for key in reversed(keys):
        if key in SEMANTIC:
            return Level.MAJOR, SEMANTIC[key]
    if kind == "added":
        return Level.MINOR, "new field"
    return Level.MINOR, "content"
