"""The Markdown a pull request sees, compared with reviewed golden files.

Regenerate after an intended change with ``UPDATE_GOLDEN=1 pytest tests/unit/governance``
and review the difference in git before committing it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from runbook.governance.reports.diff import COMMENT_MARKER, markdown
from tests.unit.governance.conftest import semantic_diff
from tests.unit.governance.git_repo import GitRepo, bump
from tests.unit.governance.test_diff_rules import HEALTH, PLAYBOOK, add_step, reorder, reword

GOLDEN = Path(__file__).parent / "golden"


def assert_golden(name: str, actual: str) -> None:
    path = GOLDEN / f"{name}.md"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(actual, encoding="utf-8")
        return
    assert path.is_file(), f"{path} is missing: run with UPDATE_GOLDEN=1 to create it"
    assert actual == path.read_text(encoding="utf-8"), (
        f"{path.name} differs; if the change is intended, rerun with UPDATE_GOLDEN=1"
    )


def wording(repo: GitRepo) -> None:
    repo.edit(HEALTH, lambda doc: (reword(doc), bump(doc, "1.0.1", "Clearer wording.")))


def steps(repo: GitRepo) -> None:
    def change(document: dict[str, Any]) -> None:
        reorder(document)
        add_step(document)
        document["steps"][0]["expect"]["status"] = [200, 204]
        del document["steps"][-1]
        bump(document, "1.1.0", "Checks the booking page too.")

    repo.edit(HEALTH, change)


def approval(repo: GitRepo) -> None:
    def change(document: dict[str, Any]) -> None:
        document["severity"] = "SEV2"
        document["steps"][0]["http"]["url"] = "/api/health?deep=1"
        bump(document, "2.0.0", "Downgraded to SEV2 after the replica was added.")

    repo.edit(PLAYBOOK, change)
    repo.move(HEALTH, "runbooks/operations/health-check.yaml")


def added_and_removed(repo: GitRepo) -> None:
    (repo.root / PLAYBOOK).unlink()
    repo.edit(HEALTH, lambda doc: doc.update(id="service-health", title="Service health"))


def nothing(repo: GitRepo) -> None:
    repo.edit(HEALTH, lambda doc: doc.update(last_reviewed="2026-01-15"))


SCENARIOS: dict[str, Callable[[GitRepo], None]] = {
    "patch-wording": wording,
    "steps-changed": steps,
    "approval-and-rename": approval,
    "added-and-removed": added_and_removed,
    "no-changes": nothing,
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_markdown_matches_golden(repo: GitRepo, name: str) -> None:
    SCENARIOS[name](repo)
    output = markdown(semantic_diff(repo))
    assert output.startswith(COMMENT_MARKER)
    assert_golden(name, output)


def test_every_golden_file_has_a_scenario() -> None:
    assert {path.stem for path in GOLDEN.glob("*.md")} == set(SCENARIOS)
