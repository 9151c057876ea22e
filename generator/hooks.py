"""MkDocs hook: a page for every document under runbooks/, plus the generated index pages.

Registered in mkdocs.yml (``hooks: [generator/hooks.py]``). On every build, including each
rebuild of ``mkdocs serve``, it loads the corpus, renders it with ``runbook.render`` and adds
the pages to the build as generated files; nothing is written into site/. ``mkdocs serve``
also watches runbooks/, generator/ and the schema, so saving a YAML file reloads the page.

The date the badges and "today" are computed for is today in Africa/Johannesburg, or
``RUNBOOK_AS_OF`` (YYYY-MM-DD) when set, for reproducible builds and tests. The version
selector (``extra.version``) is kept only in builds made by mike, the only ones that come
with the versions.json it reads.
"""

from __future__ import annotations

import logging
import os
from datetime import date
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

from runbook.errors import RunbookError
from runbook.loader import load_corpus
from runbook.loader.schema import schema, schema_path
from runbook.render import Renderer, navigation, today

AS_OF_VARIABLE = "RUNBOOK_AS_OF"
MIKE_VERSION_VARIABLE = "MIKE_DOCS_VERSION"  # set by mike while it builds a version
CORPUS_FOLDER = "runbooks"
TEMPLATES = Path(__file__).resolve().parent / "templates"
# Problems that keep a document off the site; reference problems only make a link plain text.
DROPPING = ("file", "yaml", "schema", "semantic")

log = logging.getLogger("mkdocs.plugins.runbook")

# This module is loaded afresh with each config, so the state lives for one build.
_generated: dict[str, str] = {}


def build_date() -> date:
    value = os.environ.get(AS_OF_VARIABLE, "").strip()
    if not value:
        return today()
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise PluginError(f"{AS_OF_VARIABLE}={value!r} is not a date (use YYYY-MM-DD)") from error


def repository_root(config: MkDocsConfig) -> Path:
    return Path(config.config_file_path or ".").resolve().parent


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    root = repository_root(config)
    corpus_root = root / CORPUS_FOLDER
    if not corpus_root.is_dir():
        raise PluginError(f"no {CORPUS_FOLDER}/ folder next to {config.config_file_path}")
    try:
        result = load_corpus(corpus_root=corpus_root)
        renderer = Renderer(
            TEMPLATES, schema=schema(), source_root=root, cache=root / ".cache" / "jinja"
        )
        pages = renderer.render(result.corpus, build_date())
    except RunbookError as error:
        hint = f" ({error.hint})" if error.hint else ""
        raise PluginError(f"runbook site generator: {error.message}{hint}") from error
    unresolved = 0
    for problem in result.problems:
        if problem.code in DROPPING:
            log.warning(f"{problem.format()} - left off the site; run `runbook validate`")
        else:
            unresolved += 1
            log.debug(f"{problem.format()} - shown as plain text")
    if unresolved:
        log.info(
            f"{unresolved} reference(s) to unknown ids are shown as plain text; "
            "`runbook validate` lists them"
        )
    if not os.environ.get(MIKE_VERSION_VARIABLE):
        # Outside a mike deploy there is no versions.json; the selector would only 404.
        config.extra.pop("version", None)
    _generated.clear()
    _generated.update(pages)
    config.nav = _expand(config.nav, navigation(result.corpus))
    log.info(f"generated {len(pages)} pages from {len(result.corpus)} documents")
    return config


def _expand(nav: Any, sections: dict[str, list[str]]) -> Any:
    """``Playbooks: playbooks/index.md`` -> a section of the index and every playbook."""
    if isinstance(nav, list):
        return [_expand(item, sections) for item in nav]
    if isinstance(nav, dict):
        expanded: dict[str, Any] = {}
        for title, value in nav.items():
            if isinstance(value, str) and value in sections:
                expanded[title] = [value, *sections[value]]
            else:
                expanded[title] = _expand(value, sections)
        return expanded
    return nav


def on_files(files: Files, config: MkDocsConfig) -> Files:
    for path, markdown in _generated.items():
        existing = files.get_file_from_path(path)
        if existing is not None and not existing.generated_by:
            raise PluginError(
                f"site/{path} is written by hand but the generator also writes {path}; "
                "rename or remove the hand-written page"
            )
        files.append(File.generated(config, path, content=markdown))
    return files


def on_serve(server: Any, config: MkDocsConfig, builder: Any) -> Any:
    root = repository_root(config)
    for path in (root / CORPUS_FOLDER, TEMPLATES.parent, schema_path()):
        server.watch(str(path))
    return server
