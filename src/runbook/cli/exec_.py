"""``runbook exec``: run a document's steps against an environment and record the run."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import click

from runbook.cli.run_report import (
    LiveProgress,
    TerminalPrompter,
    make_console,
    render_dry_run,
    render_summary,
)
from runbook.engine import RENDERERS, ExecOptions, dry_run, execute, runs_dir_from
from runbook.engine.reports import DRY_RUN_RENDERERS
from runbook.errors import DocumentError, UsageError
from runbook.loader import find_corpus_root, load_corpus
from runbook.model import Corpus, parse_duration
from runbook.templating import JinjaTemplater

FORMATS = ("text", "json", "junit", "markdown")


@dataclass(frozen=True)
class ExecCommand:
    """What the engine runs, plus how this command reports it."""

    options: ExecOptions
    format: str = "text"
    output: Path | None = None
    corpus: Path | None = None


def parse_variables(pairs: tuple[str, ...]) -> dict[str, str]:
    variables: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise UsageError(f"--var {pair!r} is not NAME=VALUE")
        variables[name.strip()] = value
    return variables


def load_documents(corpus_root: Path | None, document: str | None) -> Corpus:
    result = load_corpus(corpus_root=corpus_root or find_corpus_root())
    if document is not None and result.corpus.get(document) is None:
        broken = [problem for problem in result.problems if Path(problem.file).stem == document]
        if broken:
            raise DocumentError(
                f"{document} does not load: {broken[0].format()}",
                tuple(broken),
                hint="run 'runbook validate' for every problem",
            )
    return result.corpus


def run_exec(command: ExecCommand) -> int:
    if command.output is not None and command.format == "text":
        raise UsageError("--output needs --format json, junit or markdown")
    options = command.options
    corpus = load_documents(command.corpus, options.document)
    templater = JinjaTemplater()
    to_file = command.output is not None
    # A machine-readable report on stdout must not be mixed with progress lines.
    terminal = make_console(sys.stdout if command.format == "text" or to_file else sys.stderr)
    if options.dry_run:
        plan = dry_run(corpus, options, templater)
        if command.format == "text":
            render_dry_run(terminal, plan)
        elif command.format in DRY_RUN_RENDERERS:
            _emit(DRY_RUN_RENDERERS[command.format](plan), command.output)
        else:
            raise UsageError(
                f"--dry-run reports as text, {' or '.join(DRY_RUN_RENDERERS)}",
                hint="junit describes results, and a dry run has none",
            )
        return 0
    progress = LiveProgress(terminal)
    record = execute(
        corpus,
        options,
        templater=templater,
        prompter=TerminalPrompter(terminal, progress),
        listener=progress,
    )
    if command.format == "text" or to_file:
        render_summary(terminal, record)
    if command.format != "text":
        _emit(RENDERERS[command.format](record), command.output)
    return int(record.exit_code if record.exit_code is not None else 1)


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot write {output}: {error.strerror}") from None


def _duration(ctx: click.Context, param: click.Parameter, value: str | None) -> timedelta | None:
    if value is None:
        return None
    try:
        return parse_duration(float(value) if value.replace(".", "", 1).isdigit() else value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


@click.command("exec")
@click.argument("document", required=False)
@click.option("--env", "environment", metavar="ENV", help="Environment id (default: local).")
@click.option("--base-url", metavar="URL", help="Run against a service already running here.")
@click.option(
    "--var",
    "variables",
    multiple=True,
    metavar="NAME=VALUE",
    help="A document parameter or environment variable; repeatable.",
)
@click.option("--only", metavar="STEP", help="Run just this step.")
@click.option("--from", "from_step", metavar="STEP", help="Start at this top-level step.")
@click.option("--dry-run", is_flag=True, help="Print every resolved step; send and run nothing.")
@click.option(
    "--non-interactive", is_flag=True, help="Never prompt (implied when stdin is not a terminal)."
)
@click.option(
    "--yes",
    "assume_yes",
    is_flag=True,
    help="Confirm destructive steps in a protected environment in advance.",
)
@click.option(
    "--format",
    "format_",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="Report format (a --dry-run plan: text, json or markdown).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the report to this file.",
)
@click.option(
    "--timeout",
    callback=_duration,
    metavar="DURATION",
    help="Stop the whole run after this long (30s, 5m, PT1H).",
)
@click.option(
    "--runs-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Run records folder [env RUNBOOK_RUNS_DIR; default .runbook/runs].",
)
@click.option("--resume", metavar="RUN", help="Continue an interrupted or failed run.")
@click.option(
    "--corpus",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="The runbooks/ folder (default: found from the current directory).",
)
def command(
    document: str | None,
    environment: str | None,
    base_url: str | None,
    variables: tuple[str, ...],
    only: str | None,
    from_step: str | None,
    dry_run: bool,
    non_interactive: bool,
    assume_yes: bool,
    format_: str,
    output: Path | None,
    timeout: timedelta | None,
    runs_dir: Path | None,
    resume: str | None,
    corpus: Path | None,
) -> int:
    """Run DOCUMENT's steps against an environment, grading every check.

    \b
    Exit codes: 0 all ok, 1 a critical failure, 3 warnings only, 2 usage, 130 interrupted.
    Every run is recorded under the runs folder; see 'runbook history' and 'runbook show'.
    """
    if (document is None) == (resume is None):
        raise UsageError("name a DOCUMENT to run, or --resume RUN (not both)")
    options = ExecOptions(
        document=document,
        environment=environment,
        base_url=base_url,
        variables=parse_variables(variables),
        only=only,
        from_step=from_step,
        dry_run=dry_run,
        interactive=not non_interactive and sys.stdin.isatty(),
        assume_yes=assume_yes,
        timeout=timeout,
        runs_dir=runs_dir_from(runs_dir, os.environ),
        resume=resume,
    )
    return run_exec(ExecCommand(options, format=format_, output=output, corpus=corpus))
