"""Every example under tests/examples is checked: valid ones load cleanly, invalid ones
report exactly the expected message at the expected line and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from runbook.loader import Problem, load_corpus
from tests.conftest import CORPUS, EXAMPLES

INVALID = EXAMPLES / "invalid"
VALID = EXAMPLES / "valid"


def _expected() -> dict[str, list[str]]:
    expected: dict[str, list[str]] = {}
    for line in (INVALID / "expected.tsv").read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        name, message = line.split("\t", 1)
        expected.setdefault(name, []).append(message)
    return expected


EXPECTED = _expected()


def _shown(problem: Problem) -> str:
    where = f"{problem.line}:{problem.column}: " if problem.line is not None else ""
    path = f"{problem.path_text}: " if problem.json_path else ""
    return where + path + problem.message


@pytest.fixture(scope="module")
def invalid_problems() -> dict[str, list[str]]:
    # Loaded together so that cross-file cases (include cycles) see each other.
    result = load_corpus([INVALID], corpus_root=CORPUS)
    found: dict[str, list[str]] = {}
    for problem in result.problems:
        found.setdefault(problem.file.name, []).append(_shown(problem))
    return found


@pytest.mark.parametrize("name", sorted(p.name for p in INVALID.glob("*.yaml")))
def test_invalid_example_reports_expected_problem(
    name: str, invalid_problems: dict[str, list[str]]
) -> None:
    assert name in EXPECTED, f"add the expected problem for {name} to expected.tsv"
    reported = invalid_problems.get(name, [])
    for expected in EXPECTED[name]:
        assert any(shown.startswith(expected) for shown in reported), (expected, reported)
    assert len(reported) == len(EXPECTED[name]), reported


def test_every_expectation_names_an_existing_example() -> None:
    assert set(EXPECTED) <= {p.name for p in INVALID.glob("*.yaml")}


@pytest.mark.parametrize("path", sorted(VALID.glob("*.yaml")), ids=lambda p: p.name)
def test_valid_example_loads_cleanly(path: Path) -> None:
    result = load_corpus([path], corpus_root=CORPUS)
    assert result.problems == (), [p.format() for p in result.problems]
    assert [document.path for document in result.corpus if document.path == path] == [path]
