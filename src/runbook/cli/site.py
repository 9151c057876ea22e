"""``runbook build``, ``serve``, ``render`` and ``publish``: the documentation site.

Thin wrappers: the work is in ``runbook.render`` (pages) and ``runbook.render.sitebuild``
(MkDocs and mike); these commands parse options and print.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click

from runbook.errors import NotFoundError
from runbook.loader import find_corpus_root, load_corpus
from runbook.loader.schema import schema
from runbook.render import Renderer, find_templates, today
from runbook.render.sitebuild import (
    DEFAULT_BRANCH,
    build_site,
    find_project,
    publish_version,
    serve_site,
    write_pages,
)

DROPPING = ("file", "yaml", "schema", "semantic")


def _print_log(level: str, message: str) -> None:
    colour = {"WARNING": "yellow", "ERROR": "red"}.get(level)
    click.secho(f"{level.lower()}: {message}", fg=colour, err=True)


as_of_option = click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Date for review badges and today's runbooks (default: today in Johannesburg).",
)


def _date(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


@click.command("build")
@click.option(
    "--site-dir",
    "-d",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write the site (default: site-build/).",
)
@click.option("--strict/--no-strict", default=True, show_default=True, help="Fail on any warning.")
@as_of_option
@click.option("--verbose", "-v", is_flag=True, help="Show MkDocs' progress messages.")
def build_command(
    site_dir: Path | None, strict: bool, as_of: datetime | None, verbose: bool
) -> None:
    """Build the documentation site with MkDocs (mkdocs.yml at the repository root)."""
    result = build_site(
        find_project(),
        site_dir=site_dir,
        strict=strict,
        as_of=_date(as_of),
        sink=_print_log,
        verbose=verbose,
    )
    click.echo(f"built {result.pages} pages into {result.site_dir} in {result.seconds:.1f} s")


@click.command("serve")
@click.option(
    "--dev-addr",
    "-a",
    default="127.0.0.1:8000",
    show_default=True,
    metavar="IP:PORT",
    help="Address to serve on.",
)
@as_of_option
def serve_command(dev_addr: str, as_of: datetime | None) -> None:
    """Serve the site locally; editing a YAML file or template reloads the page."""
    serve_site(find_project(), dev_addr=dev_addr, as_of=_date(as_of), sink=_print_log, verbose=True)


@click.command("render")
@click.option(
    "--out",
    "-o",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the Markdown pages into.",
)
@click.option("--force", is_flag=True, help="Write into a folder that is not empty.")
@as_of_option
def render_command(out: Path, force: bool, as_of: datetime | None) -> None:
    """Write the generated pages as plain Markdown files, independent of any site engine."""
    root = find_corpus_root()
    if root is None:
        raise NotFoundError(
            "no runbooks/ folder here or above", hint="run from the repository checkout"
        )
    templates = find_templates(root.resolve().parent)
    result = load_corpus(corpus_root=root)
    for problem in result.problems:
        if problem.code in DROPPING:
            _print_log("WARNING", f"{problem.format()} - not rendered; run `runbook validate`")
    renderer = Renderer(templates, schema=schema(), source_root=root.resolve().parent)
    pages = renderer.render(result.corpus, _date(as_of) or today())
    written = write_pages(pages, out, force=force)
    click.echo(f"wrote {len(written)} pages from {len(result.corpus)} documents to {out}")


@click.command("publish")
@click.argument("version")
@click.option(
    "--alias",
    "aliases",
    multiple=True,
    metavar="ALIAS",
    help="Alias to point at this version, e.g. latest (repeatable; the first is the default).",
)
@click.option("--title", help="Title in the version selector (default: the version).")
@click.option("--branch", default=DEFAULT_BRANCH, show_default=True, help="Branch to commit to.")
@as_of_option
def publish_command(
    version: str,
    aliases: tuple[str, ...],
    title: str | None,
    branch: str,
    as_of: datetime | None,
) -> None:
    """Publish VERSION of the site with mike to a local branch (nothing is pushed)."""
    result = publish_version(
        find_project(), version, aliases, title=title, branch=branch, as_of=_date(as_of)
    )
    named = f"{result.version} ({', '.join(result.aliases)})" if result.aliases else result.version
    click.echo(f"published {named} to branch {result.branch}; default version: {result.default}")
    if result.versions:
        click.echo(result.versions)
    click.echo(
        f"preview: mike serve --branch {result.branch}; "
        f"deploy: push {result.branch} to your static host"
    )
