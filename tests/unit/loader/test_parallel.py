from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from runbook.loader import parallel
from tests.conftest import CORPUS, EXAMPLES


def _items() -> list[tuple[Path, str]]:
    paths = sorted(CORPUS.rglob("*.yaml")) + sorted((EXAMPLES / "invalid").glob("*.yaml"))
    return [(path, path.read_bytes().decode("utf-8", "replace")) for path in paths]


_COMPARE = """
import sys
import subprocess
import sys
from pathlib import Path
from runbook.loader import parallel
assert parallel._can_fork(), "a fresh interpreter runs one thread"
paths = [Path(p) for p in sys.argv[1:]]
items = [(p, p.read_bytes().decode("utf-8", "replace")) for p in paths]
sequential = list(parallel.check_texts(items))
parallel.PARALLEL_THRESHOLD = 2
forked = list(parallel.check_texts(items))
assert [p for p, _, _ in forked] == paths
assert forked == sequential
assert any(problems for _, _, problems in forked)
print("same")
"""


def test_forked_checks_match_the_sequential_ones() -> None:
    # A fresh interpreter: this test process may run other threads, and then the loader
    # rightly refuses to fork.
    paths = [str(path) for path, _ in _items()]
    result = subprocess.run(
        [sys.executable, "-c", _COMPARE, *paths], capture_output=True, text=True, check=False
    )
    assert result.stdout.strip() == "same", result.stderr


def test_small_batches_and_threaded_processes_stay_in_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(parallel.threading, "active_count", lambda: 2)
    assert not parallel._can_fork()
    items = _items()[:3]
    assert [path for path, _, _ in list(parallel.check_texts(items))] == [p for p, _ in items]
