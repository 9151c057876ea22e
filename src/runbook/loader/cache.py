"""A content-addressed cache of documents that passed the per-file checks.

Parsing YAML is most of the cost of loading a corpus. A document's per-file result
depends only on its bytes, the schema and this loader, so the checked mapping is kept
under a digest of the three, as ruff and mypy keep theirs; cross-document checks always
run afresh. Invalid files are never cached: their problems need positions, so they are
re-read every time. The cache is JSON (no code is ever loaded from it), written
atomically, and a damaged or foreign file is simply ignored.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from runbook import __version__
from runbook.loader.schema import schema_path

FORMAT = 2  # 2: values follow YAML 1.2 (yaml-rs)
CACHE_FILE = "documents.json"


@cache
def _salt() -> bytes:
    # Any change to the schema or the loader's version starts a fresh cache.
    return hashlib.sha256(f"{FORMAT}:{__version__}:".encode() + schema_path().read_bytes()).digest()


def cache_dir_for(corpus_root: Path | None) -> Path | None:
    """``$RUNBOOK_CACHE_DIR``, else ``.runbook/cache`` beside the corpus.

    ``RUNBOOK_NO_CACHE`` set to anything turns the cache off.
    """
    if os.environ.get("RUNBOOK_NO_CACHE"):
        return None
    configured = os.environ.get("RUNBOOK_CACHE_DIR")
    if configured:
        return Path(configured)
    if corpus_root is None:
        return None
    return corpus_root.resolve().parent / ".runbook" / "cache"


@dataclass
class ParseCache:
    folder: Path | None
    entries: dict[str, Any] = field(default_factory=dict)
    fresh: dict[str, Any] = field(default_factory=dict)
    changed: bool = False

    @classmethod
    def open(cls, folder: Path | None) -> ParseCache:
        if folder is None:
            return cls(None)
        try:
            stored = json.loads((folder / CACHE_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls(folder)
        if not isinstance(stored, dict) or stored.get("format") != FORMAT:
            return cls(folder)
        entries = stored.get("documents")
        return cls(folder, entries if isinstance(entries, dict) else {})

    @property
    def enabled(self) -> bool:
        return self.folder is not None

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha256(_salt() + text.encode("utf-8")).hexdigest()

    def get(self, key: str) -> Any:
        raw = self.entries.get(key)
        if raw is not None:
            self.fresh[key] = raw
        return raw

    def put(self, key: str, raw: Any) -> None:
        self.fresh[key] = raw
        self.changed = True

    def save(self) -> None:
        """Keep exactly the documents seen in this load, so the file never grows stale."""
        if self.folder is None or not (self.changed or len(self.fresh) != len(self.entries)):
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                json.dump({"format": FORMAT, "documents": self.fresh}, handle)
            os.replace(temporary, self.folder / CACHE_FILE)
        except OSError:
            pass  # a cache that cannot be written only costs speed
