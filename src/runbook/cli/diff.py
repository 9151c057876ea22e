"""``runbook diff BASE [HEAD]``: the semantic diff of the runbooks, and the version rules."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click

from runbook.errors import ExitCode, UsageError
from runbook.governance.git import Repository
from runbook.governance.reports.diff import REPORTERS
from runbook.governance.rules import DiffReport, diff_revisions
from runbook.loader import DEFAULT_CORPUS, find_corpus_root


@dataclass(frozen=True)
class DiffOptions:
    base: str
    head: str | None  # None: the working tree
    format: str
    corpus: Path | None
    merge_base: bool


def run_diff(options: DiffOptions) -> tuple[DiffReport, str]:
    repository = Repository.discover()
    if options.corpus is not None:
        folder = repository.relative(options.corpus)
        if options.head is None and not options.corpus.is_dir():
            raise UsageError(f"no such folder: {options.corpus}", hint="pass the runbooks/ folder")
    else:
        found = find_corpus_root()
        inside = found is not None and found.resolve().is_relative_to(repository.root)
        # A runbooks/ above the repository belongs to someone else; the base may still have one.
        folder = repository.relative(
            found if found and inside else repository.root / DEFAULT_CORPUS
        )
    report = diff_revisions(
        repository, options.base, options.head, folder, merge_base=options.merge_base
    )
    return report, REPORTERS[options.format](report)


@click.command("diff")
@click.argument("base")
@click.argument("head", required=False)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(list(REPORTERS)),
    default="text",
    show_default=True,
    help="markdown for a pull-request comment, json for tools, text for people.",
)
@click.option(
    "--corpus",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The documents folder (default: the nearest runbooks/).",
)
@click.option(
    "--merge-base",
    is_flag=True,
    help="Compare from where HEAD branched off BASE, as a pull request does.",
)
def command(
    base: str, head: str | None, output_format: str, corpus: Path | None, merge_base: bool
) -> int:
    """Compare documents at git revision BASE with HEAD (default: the working tree).

    \b
    Reports documents and steps added, removed, reordered and changed, classifies each
    change (major, minor, patch) and checks that versions, changelogs and approvals
    follow. Exit 1 when a rule is broken.
    """
    options = DiffOptions(
        base=base, head=head, format=output_format, corpus=corpus, merge_base=merge_base
    )
    report, output = run_diff(options)
    click.echo(output, nl=not output.endswith("\n"))
    return int(ExitCode.OK if report.ok else ExitCode.FAILURE)
