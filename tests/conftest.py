from __future__ import annotations

import os
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
