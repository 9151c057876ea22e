"""The documents of a repository as they were at a revision, or as they are on disk now.

Documents are keyed by id, not path, so a moved file is the same document.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from runbook.governance.git import Repository
from runbook.loader import SUFFIXES, Problem, discover, parse_document
from runbook.loader.yaml_source import SourceError, decode
from runbook.model import Document


@dataclass(frozen=True)
class Snapshot:
    label: str  # as the user named it: "main", "HEAD~1", "working tree"
    commit: str | None  # None for the working tree
    documents: Mapping[str, Document]
    problems: tuple[Problem, ...]  # files that did not load, and duplicate ids


def at_revision(
    repository: Repository, revision: str, commit: str, corpus: PurePosixPath
) -> Snapshot:
    texts = ((Path(blob.path), blob.data) for blob in repository.blobs(commit, corpus, SUFFIXES))
    return _snapshot(revision, commit, texts)


def working_tree(repository: Repository, corpus: Path) -> Snapshot:
    files = discover([corpus]) if corpus.is_dir() else []

    def read() -> Iterable[tuple[Path, bytes]]:
        for path in files:
            # Paths relative to the root match those read from git, so renames compare.
            yield Path(repository.relative(path)), path.read_bytes()

    return _snapshot("working tree", None, read())


def _snapshot(label: str, commit: str | None, files: Iterable[tuple[Path, bytes]]) -> Snapshot:
    documents: dict[str, Document] = {}
    problems: list[Problem] = []
    for path, data in files:
        try:
            text = decode(data)
        except SourceError as error:
            problems.append(Problem(path, error.message, "file", error.line, error.column))
            continue
        document, found = parse_document(text, path)
        if document is None:
            problems.extend(found)
            continue
        first = documents.setdefault(document.id, document)
        if first is not document:
            problems.append(
                Problem(
                    path,
                    f"duplicate document id '{document.id}' (also used by {first.path})",
                    "reference",
                    hint="ids must be unique; the diff follows documents by id",
                )
            )
    return Snapshot(label, commit, documents, tuple(problems))
