from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from runbook.engine import ExecOptions, RunRecord, execute
from runbook.loader import load_corpus
from runbook.model import Corpus
from runbook.templating import JinjaTemplater
from tests.unit.engine.support import Misbehaving, make_corpus


@pytest.fixture(scope="session")
def misbehaving() -> Iterator[Misbehaving]:
    server = Misbehaving().start()
    yield server
    server.stop()


def load(tmp_path: Path, *documents: dict[str, Any], lenient: bool = False) -> Corpus:
    corpus_dir = make_corpus(tmp_path, *documents)
    result = load_corpus(corpus_root=corpus_dir)
    tests = {doc["id"] for doc in documents}
    problems = [p for p in result.problems if Path(p.file).stem in tests]
    # Lenient: documents `runbook validate` rejects, to prove the engine refuses them too.
    assert lenient or not problems, [p.format() for p in problems]
    return result.corpus


Runner = Callable[..., RunRecord]


@pytest.fixture
def run(tmp_path: Path, misbehaving: Misbehaving) -> Runner:
    """Run a document against the misbehaving server (or ``base_url``), non-interactively."""

    def go(*documents: dict[str, Any], **options: Any) -> RunRecord:
        corpus = load(tmp_path, *documents, lenient=options.pop("lenient", False))
        options.setdefault("document", documents[0]["id"])
        options.setdefault("base_url", misbehaving.url)
        options.setdefault("runs_dir", tmp_path / "runs")
        options.setdefault("environ", {})
        extra = {key: options.pop(key) for key in ("prompter", "listener") if key in options}
        return execute(corpus, ExecOptions(**options), templater=JinjaTemplater(), **extra)

    return go


def by_key(record: RunRecord) -> dict[str, Any]:
    return {step.key: step for step in record.steps}
