"""CODEOWNERS from the documents' owners and reviewers."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

import pytest

from runbook.governance import owners
from runbook.governance.git import Repository
from runbook.loader import load_corpus
from tests.unit.governance.git_repo import GitRepo


def generate(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> owners.OwnersFile:
    monkeypatch.chdir(repo.root)
    result = load_corpus()
    return owners.build(
        result.corpus, list(result.corpus), Repository(repo.root), ".github/CODEOWNERS"
    )


def test_one_line_per_document_with_owner_then_reviewers(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    generated = generate(repo, monkeypatch)
    lines = [line for line in generated.text.splitlines() if line and not line.startswith("#")]
    assert "/runbooks/daily/health-check.yaml @instyle/operations @instyle/devops" in lines
    assert "/runbooks/playbooks/database-down.yaml @instyle/devops @instyle/operations" in lines
    assert len(lines) == len(generated.lines)
    paths = [str(line.path) for line in generated.lines]
    assert paths == sorted(paths)


def test_contacts_without_a_handle_are_reported_once(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.edit(
        "runbooks/daily/health-check.yaml",
        lambda doc: doc.update(reviewers=["technical-lead", "devops-team"]),
    )
    generated = generate(repo, monkeypatch)
    [warning] = [text for text in generated.warnings if "technical-lead" in text]
    assert re.search(r"not requested: .*technical-lead \(\d+\)", warning)
    assert "/runbooks/daily/health-check.yaml @instyle/operations @instyle/devops" in generated.text


def test_check_reports_a_stale_file(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    generated = generate(repo, monkeypatch)
    target = repo.root / ".github" / "CODEOWNERS"
    target.parent.mkdir()
    target.write_text(generated.text)
    assert owners.check(target, generated.text).up_to_date
    repo.edit("runbooks/daily/health-check.yaml", lambda doc: doc.update(owner="security-team"))
    stale = owners.check(target, generate(repo, monkeypatch).text)
    assert not stale.up_to_date
    assert "+/runbooks/daily/health-check.yaml @instyle/security @instyle/devops" in stale.diff


def test_default_location(repo: GitRepo) -> None:
    repository = Repository(repo.root)
    assert owners.default_location(repository) is None
    (repo.root / "CODEOWNERS").write_text("")
    assert owners.default_location(repository) == repo.root / "CODEOWNERS"


def test_paths_with_spaces_are_escaped() -> None:
    assert owners._escape(PurePosixPath("runbooks/a b#c.yaml")) == "runbooks/a\\ b\\#c.yaml"
