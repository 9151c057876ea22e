"""load_corpus as a whole: what it leaves behind in the process."""

from __future__ import annotations

import gc
import weakref

from runbook.loader import load_corpus
from tests.conftest import CORPUS


class _Cycle:
    me: object = None


def test_loading_never_freezes_garbage_that_already_existed() -> None:
    was_enabled = gc.isenabled()
    gc.disable()  # so the cycle is certainly still uncollected when the load starts
    try:
        garbage = _Cycle()
        garbage.me = garbage
        still_there = weakref.ref(garbage)
        del garbage
        assert load_corpus(use_cache=False, corpus_root=CORPUS).ok
        gc.collect()
        assert still_there() is None
    finally:
        if was_enabled:
            gc.enable()
