"""The schema's JSON path subset: ``$``, ``.name`` and ``[index]``, nothing else."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

_TOKEN = re.compile(r"\.([A-Za-z_][A-Za-z0-9_-]*)|\[([0-9]+)\]")
MISSING = object()


@lru_cache(maxsize=1024)
def parse(path: str) -> tuple[str | int, ...]:
    if not path.startswith("$"):
        raise ValueError(f"a JSON path starts with '$': {path!r}")
    parts: list[str | int] = []
    position = 1
    while position < len(path):
        match = _TOKEN.match(path, position)
        if match is None:
            raise ValueError(f"unsupported JSON path {path!r} at {path[position:]!r}")
        name, index = match.groups()
        parts.append(name if name is not None else int(index))
        position = match.end()
    return tuple(parts)


def find(document: Any, path: str) -> Any:
    """The value at ``path``, or ``MISSING`` when any part of it is absent."""
    current = document
    for part in parse(path):
        if isinstance(part, str):
            if not isinstance(current, dict) or part not in current:
                return MISSING
            current = current[part]
        else:
            if not isinstance(current, list) or part >= len(current):
                return MISSING
            current = current[part]
    return current
