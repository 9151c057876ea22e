"""``runbook freshness``, ``runbook diff`` and ``runbook owners`` end to end.

The real console script runs in a subprocess against real git repositories made in
temporary folders, as a developer or a CI job would run it.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.unit.governance.git_repo import GitRepo, bump

HEALTH = "runbooks/daily/health-check.yaml"
PLAYBOOK = "runbooks/playbooks/database-down.yaml"


def runbook(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    return subprocess.run(
        ["runbook", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**environment, "NO_COLOR": "1"},
        check=False,
        timeout=60,
    )


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    created = GitRepo.create(tmp_path / "repo")
    created.commit("base documents")
    return created


def test_the_temporary_corpus_is_valid(repo: GitRepo) -> None:
    result = runbook("validate", cwd=repo.root)
    assert result.returncode == 0, result.stdout


# health-check was last reviewed 2026-01-15 and is reviewed monthly: due 2026-02-15.
@pytest.mark.parametrize(
    ("as_of", "extra", "code", "first_word"),
    [
        ("2026-02-14", [], 0, "DUE SOON"),
        ("2026-02-14", ["--warn-days", "0"], 0, "0 overdue, 0 due soon, 1 fresh"),
        ("2026-02-15", [], 0, "DUE SOON"),
        ("2026-02-16", [], 1, "OVERDUE"),
        ("2026-02-16", ["--warn-only"], 0, "OVERDUE"),
    ],
)
def test_freshness_around_the_due_date(
    repo: GitRepo, as_of: str, extra: list[str], code: int, first_word: str
) -> None:
    result = runbook("freshness", HEALTH, "--as-of", as_of, *extra, cwd=repo.root)
    assert result.returncode == code, result.stdout + result.stderr
    assert result.stdout.startswith(first_word)


def test_freshness_names_the_owner_to_chase(repo: GitRepo) -> None:
    result = runbook("freshness", HEALTH, "--as-of", "2026-02-16", cwd=repo.root)
    assert "overdue by 1 day" in result.stdout
    assert "chase operations-team (@instyle/operations" in result.stdout


def test_freshness_formats(repo: GitRepo) -> None:
    args = ("freshness", HEALTH, "--as-of", "2026-02-16")
    data = json.loads(runbook(*args, "--format", "json", cwd=repo.root).stdout)
    assert data["documents"][0]["status"] == "overdue" and data["ok"] is False
    github = runbook(*args, "--format", "github", cwd=repo.root).stdout
    assert github.startswith(f"::error file={HEALTH},line=")
    junit = runbook(*args, "--format", "junit", cwd=repo.root).stdout
    assert junit.startswith("<?xml") and "<failure" in junit


def test_freshness_rejects_a_bad_date(repo: GitRepo) -> None:
    result = runbook("freshness", "--as-of", "15/02/2026", cwd=repo.root)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_diff_exit_codes(repo: GitRepo) -> None:
    repo.edit(HEALTH, lambda doc: doc["steps"].pop())
    broken = runbook("diff", "main", cwd=repo.root)
    assert broken.returncode == 1
    assert "removing step tell_the_team needs a major version bump" in broken.stdout
    assert "hint: set version to 2.0.0" in broken.stdout
    repo.edit(HEALTH, lambda doc: bump(doc, "2.0.0"))
    fixed = runbook("diff", "main", cwd=repo.root)
    assert fixed.returncode == 0, fixed.stdout
    assert fixed.stdout.rstrip().endswith("ok: every rule passes")


def test_diff_between_two_revisions_as_json_and_markdown(repo: GitRepo) -> None:
    repo.edit(
        PLAYBOOK,
        lambda doc: (
            doc.update(severity="SEV2"),
            bump(doc, "2.0.0", approved_by=["security-lead"]),
        ),
    )
    repo.commit("downgrade")
    result = runbook("diff", "HEAD~1", "HEAD", "--format", "json", cwd=repo.root)
    assert result.returncode == 1
    report = json.loads(result.stdout)
    [violation] = report["violations"]
    assert violation["rule"] == "approval" and violation["document"] == "database-down"
    [change] = report["documents"]
    assert change["level"] == "major" and change["fields"][0]["path"] == "severity"
    markdown = runbook("diff", "HEAD~1", "HEAD", "--format", "markdown", cwd=repo.root).stdout
    assert markdown.startswith("<!-- runbook-diff -->\n## Runbook changes: `HEAD~1` → `HEAD`")


def test_diff_from_a_subfolder(repo: GitRepo) -> None:
    repo.edit(HEALTH, lambda doc: doc.update(title="Health"))
    result = runbook("diff", "main", cwd=repo.root / "runbooks" / "daily")
    assert result.returncode == 1
    assert "runbooks/daily/health-check.yaml" in result.stdout


@pytest.mark.parametrize(
    ("args", "message", "hint"),
    [
        (["diff", "no-such-branch"], "unknown revision 'no-such-branch'", "git fetch"),
        (["diff", "main", "--corpus", "/"], "path outside the repository", "inside"),
        (["owners", "--output", "/tmp/CODEOWNERS"], "path outside the repository", "inside"),
    ],
)
def test_git_errors_are_one_line_with_a_hint(
    repo: GitRepo, args: list[str], message: str, hint: str
) -> None:
    result = runbook(*args, cwd=repo.root)
    assert result.returncode == 2
    first, second = result.stderr.splitlines()[:2]
    assert first.startswith("error: ") and message in first
    assert second.startswith("hint: ") and hint in second
    assert "Traceback" not in result.stderr


def test_not_a_git_repository(tmp_path: Path) -> None:
    result = runbook("diff", "main", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("error: not a git repository")


def test_shallow_clone_missing_the_base(repo: GitRepo, tmp_path: Path) -> None:
    repo.edit(HEALTH, lambda doc: bump(doc, "1.0.1"))
    repo.commit("second")
    clone = repo.shallow_clone(tmp_path / "clone")
    result = runbook("diff", "HEAD~1", cwd=clone)
    assert result.returncode == 2
    assert "shallow clone" in result.stderr
    assert "git fetch --unshallow" in result.stderr and "fetch-depth: 0" in result.stderr


def test_owners_writes_and_checks_codeowners(repo: GitRepo) -> None:
    missing = runbook("owners", "--check", cwd=repo.root)
    assert missing.returncode == 2 and "no CODEOWNERS file" in missing.stderr
    written = runbook("owners", "--output", ".github/CODEOWNERS", cwd=repo.root)
    assert written.returncode == 0, written.stderr
    text = (repo.root / ".github/CODEOWNERS").read_text()
    assert "/runbooks/daily/health-check.yaml @instyle/operations @instyle/devops\n" in text
    assert runbook("owners", "--check", cwd=repo.root).returncode == 0
    repo.edit(HEALTH, lambda doc: doc.update(reviewers=["security-team"]))
    stale = runbook("owners", "--check", cwd=repo.root)
    assert stale.returncode == 1
    assert (
        "+/runbooks/daily/health-check.yaml @instyle/operations @instyle/security" in stale.stdout
    )
    assert "hint: run runbook owners --output" in stale.stderr


def test_owners_prints_to_stdout_by_default(repo: GitRepo) -> None:
    result = runbook("owners", cwd=repo.root)
    assert result.returncode == 0
    assert result.stdout.startswith("# Generated by `runbook owners`")
