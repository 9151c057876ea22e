"""The freshness gate around a due date, and its reporters."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from xml.etree import ElementTree

import pytest

from runbook.annotations import annotation, escape_data, escape_property
from runbook.governance.reports import freshness as reporters
from runbook.governance.review import FreshnessReport, freshness_report
from runbook.loader import load_corpus
from tests.unit.governance.git_repo import GitRepo

# health-check: last reviewed 2026-01-15, monthly: due 2026-02-15.
DUE = date(2026, 2, 15)
HEALTH = Path("runbooks/daily/health-check.yaml")


@pytest.fixture
def corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    GitRepo.create(tmp_path / "docs")
    monkeypatch.chdir(tmp_path / "docs")
    return tmp_path / "docs"


def report(as_of: date, warn_days: int = 7, *, gating: bool = True) -> FreshnessReport:
    return freshness_report(load_corpus([HEALTH]), as_of, warn_days, gating=gating)


@pytest.mark.parametrize(
    ("as_of", "warn_days", "status", "failed"),
    [
        (date(2026, 2, 7), 7, "fresh", False),
        (date(2026, 2, 8), 7, "due-soon", False),
        (date(2026, 2, 14), 7, "due-soon", False),
        (date(2026, 2, 14), 0, "fresh", False),
        (DUE, 7, "due-soon", False),
        (DUE, 0, "due-soon", False),
        (date(2026, 2, 16), 7, "overdue", True),
    ],
)
def test_status_on_both_sides_of_the_due_date(
    corpus: Path, as_of: date, warn_days: int, status: str, failed: bool
) -> None:
    result = report(as_of, warn_days)
    [item] = result.items
    assert item.freshness.next_review == DUE
    assert item.freshness.status == status
    assert result.failed is failed


def test_warn_only_never_fails(corpus: Path) -> None:
    result = report(date(2027, 1, 1), gating=False)
    assert result.of_status("overdue") and not result.failed


def test_only_the_named_files_are_assessed_but_owners_come_from_the_corpus(corpus: Path) -> None:
    [item] = report(DUE).items
    assert item.owner.id == "operations-team"
    assert item.owner.github == "@instyle/operations"
    assert item.owner.reach.startswith("operations-team (@instyle/operations")


def test_a_file_that_does_not_load_fails_the_gate(corpus: Path) -> None:
    (corpus / "runbooks/daily/broken.yaml").write_text("id: [unclosed\n")
    result = freshness_report(load_corpus(), date(2026, 1, 20))
    assert result.failed and result.problems
    assert not freshness_report(load_corpus(), date(2026, 1, 20), gating=False).failed


def test_text_names_the_owner_to_chase(corpus: Path) -> None:
    output = reporters.text(report(date(2026, 2, 16)))
    first, summary = output.splitlines()
    assert first.startswith("OVERDUE   health-check  overdue by 1 day")
    assert "chase operations-team (@instyle/operations" in first
    assert first.endswith(str(HEALTH))
    assert summary.startswith("1 overdue, 0 due soon, 0 fresh as of 2026-02-16")


def test_text_lists_nothing_when_all_is_fresh(corpus: Path) -> None:
    assert reporters.text(report(date(2026, 1, 20))).startswith("0 overdue, 0 due soon, 1 fresh")


def test_json(corpus: Path) -> None:
    data = json.loads(reporters.json_(report(DUE)))
    assert data["ok"] is True and data["counts"] == {"overdue": 0, "due-soon": 1, "fresh": 0}
    [document] = data["documents"]
    assert document["next_review"] == "2026-02-15" and document["label"] == "due today"
    assert document["owner"]["github"] == "@instyle/operations"


def test_github_annotations(corpus: Path) -> None:
    lines = reporters.github(report(date(2026, 2, 16))).splitlines()
    assert lines[0].startswith(
        f"::error file={HEALTH},line=10,title=Review overdue%3A health-check::health-check: "
    )
    warned = reporters.github(report(date(2026, 2, 16), gating=False)).splitlines()
    assert warned[0].startswith("::warning ")


def test_junit_has_one_testcase_per_document(corpus: Path) -> None:
    paths = [HEALTH, Path("runbooks/playbooks/database-down.yaml")]
    result = freshness_report(load_corpus(paths), date(2026, 2, 16))
    root = ElementTree.fromstring(reporters.junit(result))
    suite = root.find("testsuite")
    assert suite is not None and suite.get("tests") == "2" and suite.get("failures") == "1"
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert set(cases) == {"health-check", "database-down"}
    assert cases["health-check"].find("failure") is not None
    assert cases["database-down"].find("failure") is None


def test_workflow_command_escaping() -> None:
    assert escape_data("50%\r\nnext") == "50%25%0D%0Anext"
    assert escape_property("a:b,c") == "a%3Ab%2Cc"
    assert annotation("warning", "m", file="f,1.yaml", line=3, title="t: x") == (
        "::warning file=f%2C1.yaml,line=3,title=t%3A x::m"
    )
