from __future__ import annotations

from pathlib import Path

import pytest

from runbook.loader import parallel
from tests.conftest import CORPUS, EXAMPLES


def _items() -> list[tuple[Path, str]]:
    paths = sorted(CORPUS.rglob("*.yaml")) + sorted((EXAMPLES / "invalid").glob("*.yaml"))
    return [(path, path.read_bytes().decode("utf-8", "replace")) for path in paths]


def test_forked_checks_match_the_sequential_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    if not parallel._can_fork():
        pytest.skip("this process runs other threads, so the loader would not fork here")
    items = _items()
    sequential = parallel.check_texts(items)
    monkeypatch.setattr(parallel, "PARALLEL_THRESHOLD", 2)
    forked = parallel.check_texts(items)
    assert [path for path, _, _ in forked] == [path for path, _ in items]
    assert forked == sequential
    assert any(problems for _, _, problems in forked)


def test_small_batches_and_threaded_processes_stay_in_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(parallel.threading, "active_count", lambda: 2)
    assert not parallel._can_fork()
    items = _items()[:3]
    assert [path for path, _, _ in parallel.check_texts(items)] == [p for p, _ in items]
