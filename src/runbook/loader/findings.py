"""What a cross-document check reports, and the lookups the checks share."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass

from runbook.model import Document

PathSegment = str | int


@dataclass(frozen=True)
class Finding:
    document: Document
    path: tuple[PathSegment, ...]
    message: str
    hint: str | None = None


class KnownIds:
    def __init__(self, documents: list[Document]) -> None:
        self.contacts: set[str] = set()
        self.sla: set[str] = set()
        self.environments: set[str] = set()
        self.windows: set[str] = set()
        self.duplicates: list[Finding] = []
        for document in documents:
            for name, ids in (
                ("contacts", [item.id for item in document.contacts]),
                ("sla", [item.id for item in document.sla]),
                ("environments", [item.id for item in document.environments]),
                ("windows", [item.id for item in document.windows]),
            ):
                seen: set[str] = getattr(self, name)
                for position, item_id in enumerate(ids):
                    if item_id in seen:
                        self.duplicates.append(
                            Finding(
                                document,
                                (name, position, "id"),
                                f"'{item_id}' is defined more than once in the corpus",
                            )
                        )
                    seen.add(item_id)


def missing(
    document: Document,
    path: tuple[PathSegment, ...],
    what: str,
    wanted: str,
    known: set[str],
) -> Iterator[Finding]:
    if wanted in known:
        return
    close = difflib.get_close_matches(wanted, known, n=3)
    if close:
        hint = f"did you mean {' or '.join(repr(name) for name in close)}?"
    elif not known:
        hint = f"no {what}s are defined in the corpus"
    elif len(known) <= 8:
        hint = f"known {what}s: {', '.join(sorted(known))}"
    else:
        hint = None
    yield Finding(document, path, f"unknown {what} '{wanted}'", hint)


def bad_regex(document: Document, path: tuple[PathSegment, ...], pattern: str) -> Iterator[Finding]:
    try:
        re.compile(pattern)
    except re.error as error:
        yield Finding(document, path, f"invalid regular expression: {error}")
