from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from runbook.governance.git import Repository
from runbook.governance.rules import DiffReport, diff_revisions
from tests.unit.governance.git_repo import GitRepo


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    """A repository whose first commit, on main, holds the base documents."""
    created = GitRepo.create(tmp_path / "repo")
    created.commit("base documents")
    return created


def semantic_diff(repo: GitRepo, base: str = "main", head: str | None = None) -> DiffReport:
    return diff_revisions(Repository(repo.root), base, head, PurePosixPath("runbooks"))
