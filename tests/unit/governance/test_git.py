"""Git failures become one-line errors with a hint (exit 2), never a traceback."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from runbook.errors import ExitCode, GitError
from runbook.governance.git import Repository
from runbook.governance.rules import diff_revisions
from tests.unit.governance.git_repo import HEALTH_CHECK, GitRepo, bump


def test_unknown_revision(repo: GitRepo) -> None:
    with pytest.raises(GitError) as caught:
        Repository(repo.root).resolve("no-such-branch")
    assert caught.value.message == "unknown revision 'no-such-branch'"
    assert caught.value.hint and "git fetch" in caught.value.hint
    assert caught.value.exit_code == ExitCode.USAGE


def test_option_like_revision_is_refused(repo: GitRepo) -> None:
    with pytest.raises(GitError, match="not a revision"):
        Repository(repo.root).resolve("--output=/tmp/x")


def test_not_a_git_repository(tmp_path: Path) -> None:
    with pytest.raises(GitError) as caught:
        Repository.discover(tmp_path)
    assert caught.value.message.startswith("not a git repository")


def test_path_outside_the_repository(repo: GitRepo, tmp_path: Path) -> None:
    with pytest.raises(GitError) as caught:
        Repository(repo.root).relative(tmp_path / "elsewhere")
    assert caught.value.message.startswith("path outside the repository")


def test_discover_from_a_subfolder(repo: GitRepo) -> None:
    found = Repository.discover(repo.root / "runbooks" / "daily")
    assert found.root == repo.root.resolve()


def test_shallow_clone_missing_the_base(repo: GitRepo, tmp_path: Path) -> None:
    repo.edit("runbooks/daily/health-check.yaml", lambda doc: bump(doc, "1.0.1"))
    repo.commit("second")
    clone = repo.shallow_clone(tmp_path / "clone")
    shallow = Repository(clone)
    assert shallow.is_shallow()
    with pytest.raises(GitError) as caught:
        diff_revisions(shallow, "HEAD~1", None, PurePosixPath("runbooks"))
    assert "shallow clone" in caught.value.message
    assert caught.value.hint and "git fetch --unshallow" in caught.value.hint
    assert "fetch-depth: 0" in caught.value.hint


def test_reads_every_document_at_a_revision(repo: GitRepo) -> None:
    repository = Repository(repo.root)
    commit = repository.resolve("main")
    blobs = repository.blobs(commit, PurePosixPath("runbooks"), (".yaml",))
    names = sorted(blob.path.name for blob in blobs)
    assert names == ["contacts.yaml", "database-down.yaml", "health-check.yaml", "sla-targets.yaml"]
    [health] = [blob for blob in blobs if blob.path.name == "health-check.yaml"]
    assert HEALTH_CHECK["title"].encode() in health.data


def test_merge_base(repo: GitRepo) -> None:
    repo.git("checkout", "-q", "-b", "feature")
    repo.edit("runbooks/daily/health-check.yaml", lambda doc: bump(doc, "1.0.1"))
    repo.commit("feature work")
    repo.git("checkout", "-q", "main")
    repo.edit("runbooks/playbooks/database-down.yaml", lambda doc: doc.update(title="DB down"))
    repo.commit("main moved on")
    repo.git("checkout", "-q", "feature")
    repository = Repository(repo.root)
    plain = diff_revisions(repository, "main", "feature", PurePosixPath("runbooks"))
    assert {change.id for change in plain.documents} == {"health-check", "database-down"}
    branched = diff_revisions(
        repository, "main", "feature", PurePosixPath("runbooks"), merge_base=True
    )
    assert {change.id for change in branched.documents} == {"health-check"}
