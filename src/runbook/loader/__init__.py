"""Loading documents: files -> safe YAML -> schema -> model -> cross-document checks.

Every problem is collected, none raised: ``load_corpus`` returns what loaded and what did
not, each problem with its file, line, column and JSON path. Only a path that does not
exist is an error (``NotFoundError``), because then there is nothing to report on.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from runbook.errors import NotFoundError
from runbook.loader import schema
from runbook.loader.build import build_document
from runbook.loader.cache import ParseCache, cache_dir_for
from runbook.loader.parallel import check_texts
from runbook.loader.problems import Problem, format_json_path
from runbook.loader.references import check_corpus
from runbook.loader.yaml_source import SourceError, decode, load, locate
from runbook.model import Corpus, Document

__all__ = [
    "DEFAULT_CORPUS",
    "LoadResult",
    "Problem",
    "discover",
    "find_corpus_root",
    "format_json_path",
    "load_corpus",
    "parse_document",
]

DEFAULT_CORPUS = "runbooks"
SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class LoadResult:
    corpus: Corpus
    problems: tuple[Problem, ...]
    files: tuple[Path, ...]
    texts: dict[Path, str] = field(default_factory=dict, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return not self.problems


def find_corpus_root(start: Path | None = None) -> Path | None:
    """The nearest ``runbooks/`` folder at or above ``start`` (default: the working directory)."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if folder.name == DEFAULT_CORPUS:
            return _relative(folder)
        if (folder / DEFAULT_CORPUS).is_dir():
            return _relative(folder / DEFAULT_CORPUS)
    return None


def _relative(path: Path) -> Path:
    """Paths under the working directory are shown relative to it, as people type them."""
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def discover(paths: Iterable[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file()))
        elif path.is_file():
            found.append(path)
        else:
            raise NotFoundError(
                f"{path}: no such file or folder", hint="pass YAML files or folders of them"
            )
    return list(dict.fromkeys(found))


def parse_document(
    text: str, path: Path, cache: ParseCache | None = None
) -> tuple[Document | None, list[Problem]]:
    """One document from its text: the model, or the problems that stop it loading."""
    key = cache.key(text) if cache is not None else ""
    if cache is not None:
        cached = cache.get(key)
        if isinstance(cached, dict):
            return build_document(cached, path), []
    raw, problems = check_text(text, path)
    if raw is None:
        return None, problems
    if cache is not None:
        cache.put(key, raw)
    return build_document(raw, path), []


def check_text(text: str, path: Path) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The per-file checks: safe YAML, the schema, real dates. Plain data in and out."""
    try:
        raw = load(text)
    except SourceError as error:
        return None, [
            Problem(path, error.message, "yaml", error.line, error.column, hint=error.hint)
        ]
    if not isinstance(raw, dict):
        return None, [
            Problem(
                path,
                f"a document is a mapping of fields, not a {type(raw).__name__}",
                "schema",
                1,
                1,
                hint="start with 'id:', 'title:' and 'kind:'",
            )
        ]
    if not schema.is_valid(raw):
        return None, [_schema_problem(text, path, error) for error in schema.errors(raw)]
    bad_dates = list(_bad_dates(raw))
    if bad_dates:
        return None, [
            _located(text, path, where, f"'{value}' is not a real calendar date", "semantic")
            for where, value in bad_dates
        ]
    return raw, []


def _bad_dates(raw: dict[str, Any]) -> Iterable[tuple[tuple[str | int, ...], str]]:
    candidates: list[tuple[tuple[str | int, ...], str]] = [
        (("last_reviewed",), raw["last_reviewed"])
    ]
    candidates += [
        (("changelog", n, "date"), entry["date"])
        for n, entry in enumerate(raw.get("changelog", []))
    ]
    for where, value in candidates:
        try:
            date.fromisoformat(value)
        except ValueError:
            yield where, value


def _schema_problem(text: str, path: Path, error: schema.SchemaError) -> Problem:
    line, column = locate(text, error.path, key=error.points_at_key)
    return Problem(path, error.message, "schema", line, column, error.path, error.hint)


def _located(
    text: str,
    path: Path,
    where: Sequence[str | int],
    message: str,
    code: Any,
    hint: str | None = None,
) -> Problem:
    line, column = locate(text, where)
    return Problem(path, message, code, line, column, tuple(where), hint)


def _read(path: Path) -> tuple[str | None, Problem | None]:
    try:
        data = path.read_bytes()
    except OSError as error:
        return None, Problem(path, f"cannot read file: {error.strerror}", "file")
    try:
        return decode(data), None
    except SourceError as error:
        return None, Problem(path, error.message, "file", error.line, error.column, hint=error.hint)


@contextmanager
def _without_cyclic_gc() -> Iterator[None]:
    """Loading allocates about a million objects, none of them in a reference cycle.

    Reference counting frees the temporary ones; the cyclic collector would only rescan the
    growing set of loaded documents over and over (40% of a large load), and the first
    collection after re-enabling it would still walk every one of them (another 20%). The
    documents live as long as the process needs them, so they are frozen: moved out of the
    collector's sight, though still freed by reference counting when dropped. Garbage that
    already exists is collected first (3 ms in the CLI): frozen with the documents, it could
    never be freed, and a long ``mkdocs serve`` would grow with every rebuild.
    """
    enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def load_corpus(
    paths: Sequence[Path] = (),
    *,
    corpus_root: Path | None = None,
    include_corpus: bool = True,
    use_cache: bool = True,
) -> LoadResult:
    """Load ``paths`` (default: the corpus) and check references against the whole corpus.

    Problems are reported for ``paths`` only; the rest of the corpus is loaded so that
    references from the named files can be resolved, as a compiler reads imports.
    """
    root = corpus_root if corpus_root is not None else find_corpus_root()
    targets = discover(paths) if paths else discover([root] if root else [])
    if not paths and root is None:
        raise NotFoundError(
            "no runbooks/ folder here or above",
            hint="run from a repository with a runbooks/ folder, or pass paths",
        )
    support: list[Path] = []
    # With no paths the targets are the corpus already: nothing to add, nothing to resolve.
    if paths and include_corpus and root is not None and root.is_dir():
        resolved_targets = {target.resolve() for target in targets}
        support = [p for p in discover([root]) if p.resolve() not in resolved_targets]
    cache = ParseCache.open(cache_dir_for(root) if use_cache else None)
    with _without_cyclic_gc():
        result = _load(targets, support, cache)
    cache.save()
    return result


def _load(targets: list[Path], support: list[Path], cache: ParseCache) -> LoadResult:
    texts: dict[Path, str] = {}
    problems: list[Problem] = []
    target_set = set(targets)
    loaded: dict[Path, Document] = {}
    keys: dict[Path, str] = {}
    unread: list[tuple[Path, str]] = []
    for path in [*targets, *support]:
        text, problem = _read(path)
        if text is None:
            if problem is not None and path in target_set:
                problems.append(problem)
            continue
        texts[path] = text
        cached = cache.get(keys.setdefault(path, cache.key(text))) if cache.enabled else None
        if isinstance(cached, dict):
            loaded[path] = build_document(cached, path)
        else:
            unread.append((path, text))
    for path, raw, found in check_texts(unread):
        if raw is not None:
            if cache.enabled:
                cache.put(keys[path], raw)
            loaded[path] = build_document(raw, path)
        elif path in target_set:
            problems.extend(found)
    # Files keep their discovery order, whichever way they were loaded.
    documents = [loaded[path] for path in texts if path in loaded]
    for finding in check_corpus(documents):
        path = finding.document.path
        if path in target_set:
            problems.append(
                _located(
                    texts[path], path, finding.path, finding.message, "reference", finding.hint
                )
            )
    problems.sort(key=lambda p: (str(p.file), p.line or 0, p.column or 0))
    corpus = Corpus(tuple(documents))
    return LoadResult(corpus=corpus, problems=tuple(problems), files=tuple(targets), texts=texts)
