from __future__ import annotations

import asyncio
from pathlib import Path

from runbook.engine import ExecOptions, execute
from runbook.loader import load_corpus
from runbook.templating import JinjaTemplater
from tests.conftest import CORPUS


def test_execute_works_inside_a_running_event_loop(tmp_path: Path) -> None:
    """Library callers may hold a loop (an async app, a notebook); the run gets its own."""
    corpus = load_corpus(corpus_root=CORPUS).corpus

    async def caller() -> int:
        record = execute(
            corpus,
            ExecOptions(document="daily-morning", runs_dir=tmp_path),
            templater=JinjaTemplater(),
        )
        return record.exit_code

    assert asyncio.run(caller()) == 0
