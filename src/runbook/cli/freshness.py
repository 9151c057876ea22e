"""``runbook freshness``: which documents are due for review, and whom to chase."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import click

from runbook.errors import ExitCode
from runbook.governance.freshness import DEFAULT_WARN_DAYS
from runbook.governance.reports.freshness import REPORTERS
from runbook.governance.review import FreshnessReport, freshness_report, today
from runbook.loader import load_corpus


@dataclass(frozen=True)
class FreshnessOptions:
    paths: tuple[Path, ...]
    as_of: date
    warn_days: int
    format: str
    warn_only: bool


def run_freshness(options: FreshnessOptions) -> tuple[FreshnessReport, str]:
    result = load_corpus(options.paths)
    report = freshness_report(
        result, options.as_of, options.warn_days, gating=not options.warn_only
    )
    return report, REPORTERS[options.format](report)


@click.command("freshness")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    metavar="YYYY-MM-DD",
    help="Assess as if today were this date (YYYY-MM-DD). Default: today in Africa/Johannesburg.",
)
@click.option(
    "--warn-days",
    type=click.IntRange(min=0),
    default=DEFAULT_WARN_DAYS,
    show_default=True,
    help="Warn about documents due within this many days.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(list(REPORTERS)),
    default="text",
    show_default=True,
    help="text for people, json for tools, github for annotations, junit for test reports.",
)
@click.option(
    "--warn-only",
    is_flag=True,
    help="Report what is due or overdue but exit 0, so the calendar cannot block a merge.",
)
def command(
    paths: tuple[Path, ...],
    as_of: datetime | None,
    warn_days: int,
    output_format: str,
    warn_only: bool,
) -> int:
    """Check review dates: overdue documents fail (exit 1), ones due soon warn.

    A document's next review is its last_reviewed date plus review_every.
    """
    options = FreshnessOptions(
        paths=paths,
        as_of=as_of.date() if as_of else today(),
        warn_days=warn_days,
        format=output_format,
        warn_only=warn_only,
    )
    report, output = run_freshness(options)
    click.echo(output)
    return int(ExitCode.FAILURE if report.failed else ExitCode.OK)
