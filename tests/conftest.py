from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "runbooks"
EXAMPLES = REPO / "tests" / "examples"


@pytest.fixture
def in_repo() -> Iterator[Path]:
    """Run with the repository as the working directory, as users do."""
    before = Path.cwd()
    os.chdir(REPO)
    try:
        yield REPO
    finally:
        os.chdir(before)


SITE_FILES = ("mkdocs.yml", "generator", "site")


def copy_site_project(target: Path, *, runbooks: str = "runbooks") -> Path:
    """A copy of what builds the site (config, generator, pages) and ``runbooks`` below it."""
    target.mkdir(parents=True, exist_ok=True)
    for name in (*SITE_FILES, runbooks):
        source = REPO / name
        destination = target / name
        if source.is_dir():
            shutil.copytree(source, destination, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, destination)
    return target
