"""``runbook show``: one recorded run, as text or in a report format."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import click

from runbook.cli.run_report import make_console, render_record
from runbook.engine import RENDERERS, find_run, runs_dir_from

FORMATS = ("text", "json", "junit", "markdown")


@dataclass(frozen=True)
class ShowOptions:
    run: str
    runs_dir: Path
    format: str


def run_show(options: ShowOptions) -> int:
    record = find_run(options.runs_dir, options.run)
    if options.format == "text":
        render_record(make_console(sys.stdout), record)
    else:
        click.echo(RENDERERS[options.format](record), nl=False)
    return 0


@click.command("show")
@click.argument("run")
@click.option(
    "--runs-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Run records folder [env RUNBOOK_RUNS_DIR; default .runbook/runs].",
)
@click.option("--format", "format_", type=click.Choice(FORMATS), default="text", show_default=True)
def command(run: str, runs_dir: Path | None, format_: str) -> int:
    """Print one run: RUN is its id, a unique prefix of it, 'last', or a record file."""
    return run_show(ShowOptions(run, runs_dir_from(runs_dir, os.environ), format_))
