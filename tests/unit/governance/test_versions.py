from __future__ import annotations

import pytest

from runbook.governance.versions import Level, Version, bump_level, classify, required_version


@pytest.mark.parametrize(
    ("before", "after", "level"),
    [
        ("1.2.3", "1.2.3", Level.NONE),
        ("1.2.3", "1.2.4", Level.PATCH),
        ("1.2.3", "1.3.0", Level.MINOR),
        ("1.2.3", "1.10.0", Level.MINOR),
        ("1.2.3", "2.0.0", Level.MAJOR),
        ("1.2.3", "1.2.2", None),
        ("2.0.0", "1.9.9", None),
        ("1.0.0", "not-semver", None),
    ],
)
def test_bump_level(before: str, after: str, level: Level | None) -> None:
    assert bump_level(before, after) is level


def test_required_version() -> None:
    assert required_version("1.2.3", Level.MAJOR) == "2.0.0"
    assert required_version("1.2.3", Level.MINOR) == "1.3.0"
    assert required_version("1.2.3", Level.PATCH) == "1.2.4"
    assert str(Version.parse("1.0.0-rc.1")) == "1.0.0-rc.1"


@pytest.mark.parametrize(
    ("keys", "kind", "item", "expected"),
    [
        (("title",), "changed", False, (Level.PATCH, "wording")),
        (("http", "url"), "changed", False, (Level.MAJOR, "probe")),
        (("command", "argv"), "changed", False, (Level.MAJOR, "probe")),
        (("http", "json", "title"), "changed", False, (Level.MAJOR, "probe")),
        (("expect", "status"), "changed", False, (Level.MAJOR, "expectation")),
        (("retry", "until"), "added", False, (Level.MAJOR, "expectation")),
        (("retry",), "added", False, (Level.MINOR, "new field")),
        (("sla", "critical"), "changed", False, (Level.MAJOR, "threshold")),
        (("sla", "description"), "changed", False, (Level.PATCH, "wording")),
        (("sla",), "added", True, (Level.MINOR, "addition")),
        (("sla",), "removed", True, (Level.MAJOR, "sla entry removed")),
        (("links",), "changed", False, (Level.MINOR, "content")),
        (("severity",), "changed", False, (Level.MAJOR, "severity")),
        (("on_failure",), "changed", False, (Level.MAJOR, "on_failure")),
        (("destructive",), "added", False, (Level.MAJOR, "destructive")),
        (("owner",), "changed", False, (Level.MINOR, "ownership")),
        (("manual", "checklist"), "changed", False, (Level.PATCH, "wording")),
        (("manual", "required"), "added", False, (Level.MAJOR, "required")),
        (("outputs",), "added", True, (Level.MINOR, "addition")),
        (("outputs",), "removed", True, (Level.MAJOR, "outputs entry removed")),
        (("outputs", "json"), "changed", False, (Level.MAJOR, "outputs")),
        (("http", "headers"), "added", True, (Level.MAJOR, "probe")),
        (("schedule", "cron"), "changed", False, (Level.MAJOR, "schedule")),
    ],
)
def test_classify(
    keys: tuple[str, ...], kind: str, item: bool, expected: tuple[Level, str]
) -> None:
    assert classify(keys, kind, item=item) == expected  # type: ignore[arg-type]
