"""``runbook history``: the runs recorded under the runs folder, newest first."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import click

from runbook.cli.run_report import make_console, render_history
from runbook.engine import list_runs, runs_dir_from


@dataclass(frozen=True)
class HistoryOptions:
    document: str | None
    runs_dir: Path
    limit: int
    format: str


def run_history(options: HistoryOptions) -> int:
    records = list_runs(options.runs_dir, options.document)[: options.limit]
    if options.format == "json":
        rows = []
        for record in records:
            row = record.header()
            row.update(
                status=record.status,
                exit_code=record.exit_code,
                finished_at=record.finished_at,
                reason=record.reason,
                counts=record.counts(),
                record=str(record.path),
            )
            rows.append(row)
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False, default=str))
        return 0
    console = make_console(sys.stdout)
    if not records:
        what = f" of {options.document}" if options.document else ""
        console.print(f"no runs{what} recorded in {options.runs_dir}")
        return 0
    render_history(console, records)
    return 0


@click.command("history")
@click.argument("document", required=False)
@click.option(
    "--runs-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Run records folder [env RUNBOOK_RUNS_DIR; default .runbook/runs].",
)
@click.option("--limit", "-n", type=click.IntRange(min=1), default=20, show_default=True)
@click.option(
    "--format", "format_", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def command(document: str | None, runs_dir: Path | None, limit: int, format_: str) -> int:
    """List recorded runs, newest first; only DOCUMENT's when given."""
    return run_history(
        HistoryOptions(document, runs_dir_from(runs_dir, os.environ), limit, format_)
    )
