"""Rendering: (corpus, as_of) -> {page path: Markdown}, one pure function for every consumer.

The MkDocs hook, ``runbook render`` and the benchmark all call ``Renderer.render``; none of
them reads files or the clock while rendering. Templates live in the repository's
``generator/templates`` (one per kind plus the index pages) and run in Jinja's sandbox with
``StrictUndefined``, so a misspelt name fails the build instead of printing nothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import FileSystemBytecodeCache, FileSystemLoader, StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from runbook.errors import RunbookError, UsageError
from runbook.governance.freshness import DEFAULT_WARN_DAYS
from runbook.model import Corpus
from runbook.model.documents import KINDS
from runbook.render import links, text
from runbook.render.context import Site, ordered, page_for
from runbook.render.schema_ref import build_reference

TEMPLATES_FOLDER = ("generator", "templates")

# Index pages: path -> template. Kind indexes are added per kind.
INDEX_PAGES: Mapping[str, str] = {
    links.HOME: "home.md.j2",
    links.SEVERITY_PAGE: "severity.md.j2",
    links.OWNERS_PAGE: "owners.md.j2",
    links.TAGS_PAGE: "tags.md.j2",
    links.CALENDAR_PAGE: "calendar.md.j2",
    links.SCHEMA_PAGE: "schema.md.j2",
    links.CHANGELOG_PAGE: "changelog.md.j2",
    links.REVIEWS_PAGE: "reviews.md.j2",
}


class TemplatesNotFound(UsageError):
    """The generator templates are part of the repository, not of the installed package."""


def find_templates(start: Path | None = None) -> Path:
    """``generator/templates`` in ``start`` (default: the working directory) or above it."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder.joinpath(*TEMPLATES_FOLDER)
        if candidate.is_dir():
            return candidate
    raise TemplatesNotFound(
        f"no generator/templates/ folder in {here} or above it",
        hint="run from the repository checkout: the site generator lives in generator/, "
        "next to mkdocs.yml, and is not installed with the package",
    )


def _trusted_types() -> frozenset[type]:
    """The render's own frozen dataclasses: the only objects templates read attributes of."""
    from runbook import model
    from runbook.governance.freshness import Freshness
    from runbook.render import context, schema_ref, steps

    found = {Freshness, context.Page, context.StepView, steps.NumberedStep}
    for module in (model, schema_ref):
        found.update(
            value
            for value in vars(module).values()
            if isinstance(value, type) and dataclasses.is_dataclass(value)
        )
    return frozenset(found)


class Sandbox(SandboxedEnvironment):
    """Jinja's sandbox with a fast path for attributes of our own frozen dataclasses.

    For those the stock check comes down to "the name does not start with an underscore",
    which is what the fast path tests; everything else (strings, dicts, modules, functions)
    still goes through the full check. Rendering a 1,000-document corpus spent a third of
    its time in that check.
    """

    trusted: frozenset[type] = frozenset()

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) in self.trusted and not attribute.startswith("_"):
            try:
                return getattr(obj, attribute)
            except AttributeError:
                pass
        return super().getattr(obj, attribute)


def make_environment(templates: Path, cache: Path | None = None) -> SandboxedEnvironment:
    if not Sandbox.trusted:
        Sandbox.trusted = _trusted_types()
    bytecode = None
    if cache is not None:
        # Compiling the templates is the largest fixed cost of a build; keep the result.
        cache.mkdir(parents=True, exist_ok=True)
        bytecode = FileSystemBytecodeCache(str(cache))
    environment = Sandbox(
        loader=FileSystemLoader(str(templates)),
        bytecode_cache=bytecode,
        undefined=StrictUndefined,
        autoescape=False,  # the output is Markdown; escaping is explicit, per context
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters.update(
        cell=text.cell,
        inline=text.inline,
        heading=text.heading,
        code=text.code,
        fence=text.fence,
        block=text.indent,
        quoted=text.quoted,
        duration=text.duration,
        literal=text.literal,
        markdown=text.markdown,
        one_line=text.one_line,
        join_words=text.join_words,
    )
    return environment


class Renderer:
    """Templates loaded once; ``render`` may then be called for any corpus and date."""

    def __init__(
        self,
        templates: Path,
        *,
        schema: Mapping[str, Any] | None = None,
        source_root: Path | None = None,
        warn_days: int = DEFAULT_WARN_DAYS,
        cache: Path | None = None,
    ) -> None:
        """``cache``: a folder for compiled templates, reused by later builds."""
        if not templates.is_dir():
            raise TemplatesNotFound(
                f"{templates}: no such templates folder", hint="pass the generator/templates folder"
            )
        self.templates = templates
        self.environment = make_environment(templates, cache)
        self.schema = build_reference(schema) if schema is not None else None
        self.source_root = source_root
        self.warn_days = warn_days

    def render(self, corpus: Corpus, as_of: date) -> dict[str, str]:
        """Every generated page, keyed by its path relative to the docs folder."""
        site = Site.build(
            corpus,
            as_of,
            source_root=self.source_root,
            schema=self.schema,
            warn_days=self.warn_days,
        )
        pages: dict[str, str] = {}
        for document in corpus:
            path = links.document_page(document)
            pages[path] = self._render(f"{document.kind}.md.j2", site, path, doc=document)
        for kind in KINDS:
            path = links.kind_page(kind)
            pages[path] = self._render("kind.md.j2", site, path, kind=kind)
        for path, template in INDEX_PAGES.items():
            if path == links.SCHEMA_PAGE and self.schema is None:
                continue
            pages[path] = self._render(template, site, path)
        return pages

    def _render(self, template: str, site: Site, path: str, **values: Any) -> str:
        try:
            page = page_for(site, path)
            return self.environment.get_template(template).render(page=page, **values)
        except TemplateError as error:
            where = f"{template}, line {error.lineno}" if hasattr(error, "lineno") else template
            raise RunbookError(
                f"rendering {path} failed in {where}: {error.message or error}",
                hint=f"fix the template in {self.templates}",
            ) from error


def navigation(corpus: Corpus) -> dict[str, list[str]]:
    """Kind index page -> its documents' pages, in the order the index lists them."""
    return {
        links.kind_page(kind): [links.document_page(d) for d in ordered(corpus, kind)]
        for kind in KINDS
    }


def render_site(
    corpus: Corpus,
    as_of: date,
    *,
    templates: Path | None = None,
    schema: Mapping[str, Any] | None = None,
    source_root: Path | None = None,
) -> dict[str, str]:
    """One-call form of ``Renderer(...).render``."""
    renderer = Renderer(templates or find_templates(), schema=schema, source_root=source_root)
    return renderer.render(corpus, as_of)
