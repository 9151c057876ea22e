"""The per-file checks of many files, on a second core when it pays.

Parsing is CPU-bound Python, so threads do not help; a forked child takes half the files
and sends back plain data (mappings and problems), which pickles fast. Forking a process
that runs other threads can deadlock the child on a lock held at fork time, so with other
threads alive (an embedded service, a test server) everything stays in this process.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from runbook.loader.problems import Problem

# Below this many files a fork costs more than it saves (measured: ~30 ms to start).
PARALLEL_THRESHOLD = 200

Checked = tuple[Path, dict[str, Any] | None, list[Problem]]


def _check_all(items: Sequence[tuple[Path, str]]) -> list[Checked]:
    from runbook.loader import check_text  # the package imports this module

    return [(path, *check_text(text, path)) for path, text in items]


def _can_fork() -> bool:
    return (
        hasattr(os, "fork")
        and threading.active_count() == 1
        and (os.cpu_count() or 1) > 1
        and not os.environ.get("RUNBOOK_NO_PARALLEL")
    )


def check_texts(items: Sequence[tuple[Path, str]]) -> Iterator[Checked]:
    """Results in the order of ``items``; with a fork, this process's half comes first and
    while the caller works on it (building models) the child is still parsing."""
    if len(items) < PARALLEL_THRESHOLD or not _can_fork():
        yield from _check_all(items)
        return
    # Imported here: a small corpus never pays for them.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    middle = len(items) // 2
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        second_half = pool.submit(_check_all, items[middle:])
        yield from _check_all(items[:middle])
        yield from second_half.result()
