from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from runbook.loader import load_corpus
from runbook.loader.cache import CACHE_FILE, ParseCache, cache_dir_for
from tests.conftest import CORPUS


@pytest.fixture
def corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("RUNBOOK_NO_CACHE", raising=False)
    monkeypatch.delenv("RUNBOOK_CACHE_DIR", raising=False)
    root = tmp_path / "runbooks"
    shutil.copytree(CORPUS, root)
    return root


def _cached(root: Path) -> dict[str, object]:
    stored = json.loads((root.parent / ".runbook/cache" / CACHE_FILE).read_text())
    documents: dict[str, object] = stored["documents"]
    return documents


def test_second_load_is_served_from_the_cache_with_the_same_result(corpus: Path) -> None:
    first = load_corpus(corpus_root=corpus)
    assert first.ok
    assert len(_cached(corpus)) == len(first.corpus)
    second = load_corpus(corpus_root=corpus)
    assert [d.raw for d in second.corpus] == [d.raw for d in first.corpus]
    assert second.corpus.documents == first.corpus.documents


def test_a_changed_file_is_read_again_and_problems_are_never_cached(corpus: Path) -> None:
    load_corpus(corpus_root=corpus)
    target = corpus / "daily" / "daily-morning.yaml"
    target.write_text(target.read_text().replace("kind: runbook", "kind: checklist"))
    result = load_corpus(corpus_root=corpus)
    [problem] = [p for p in result.problems if p.file.name == "daily-morning.yaml"]
    assert problem.line == 4 and "checklist" in problem.message
    assert len(_cached(corpus)) == len(result.corpus)  # the broken file is not kept
    again = load_corpus(corpus_root=corpus)
    assert again.problems == result.problems


def test_a_damaged_cache_is_ignored(corpus: Path) -> None:
    load_corpus(corpus_root=corpus)
    (corpus.parent / ".runbook/cache" / CACHE_FILE).write_text("{not json")
    assert load_corpus(corpus_root=corpus).ok
    assert isinstance(_cached(corpus), dict)


def test_cache_can_be_turned_off(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUNBOOK_NO_CACHE", "1")
    assert cache_dir_for(corpus) is None
    assert load_corpus(corpus_root=corpus).ok
    assert not (corpus.parent / ".runbook").exists()


def test_keys_depend_on_content() -> None:
    assert ParseCache.key("a: 1\n") != ParseCache.key("a: 2\n")
    assert ParseCache.key("a: 1\n") == ParseCache.key("a: 1\n")
