"""``runbook validate``: schema and cross-reference checks, reported as text, JSON or GitHub."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import click

from runbook.annotations import annotation
from runbook.errors import ExitCode
from runbook.loader import LoadResult, Problem, load_corpus


@dataclass(frozen=True)
class ValidateOptions:
    paths: tuple[Path, ...]
    format: str
    use_cache: bool = True


def _text(result: LoadResult) -> str:
    lines: list[str] = []
    for problem in result.problems:
        lines.append(click.style(problem.format(), fg="red"))
        if problem.hint:
            lines.append(f"  hint: {problem.hint}")
    files = len(result.files)
    broken = len({problem.file for problem in result.problems})
    if result.problems:
        lines.append(
            click.style(
                f"{len(result.problems)} problem(s) in {broken} of {files} file(s)",
                fg="red",
                bold=True,
            )
        )
    else:
        lines.append(click.style(f"ok: {files} file(s) valid", fg="green"))
    return "\n".join(lines)


def _problem_json(problem: Problem) -> dict[str, object]:
    return {
        "file": str(problem.file),
        "line": problem.line,
        "column": problem.column,
        "path": problem.path_text,
        "message": problem.message,
        "hint": problem.hint,
        "code": problem.code,
    }


def _json(result: LoadResult) -> str:
    return json.dumps(
        {
            "valid": result.ok,
            "files": [str(path) for path in result.files],
            "problems": [_problem_json(problem) for problem in result.problems],
        },
        indent=2,
    )


def _github(result: LoadResult) -> str:
    lines = [
        annotation(
            "error",
            problem.message + (f" (hint: {problem.hint})" if problem.hint else ""),
            file=str(problem.file),
            line=problem.line or 1,
            column=problem.column,
            title=f"runbook {problem.code}"
            + (f": {problem.path_text}" if problem.json_path else ""),
        )
        for problem in result.problems
    ]
    summary = "ok" if result.ok else f"{len(result.problems)} problem(s)"
    lines.append(f"runbook validate: {summary} in {len(result.files)} file(s)")
    return "\n".join(lines)


REPORTERS: dict[str, Callable[[LoadResult], str]] = {
    "text": _text,
    "json": _json,
    "github": _github,
}


def run_validate(options: ValidateOptions) -> tuple[LoadResult, str]:
    result = load_corpus(options.paths, use_cache=options.use_cache)
    return result, REPORTERS[options.format](result)


@click.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(sorted(REPORTERS)),
    default="text",
    show_default=True,
    help="text for people, json for tools, github for workflow annotations.",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Re-read every file (the cache lives in .runbook/cache; RUNBOOK_NO_CACHE=1 also works).",
)
def command(paths: tuple[Path, ...], output_format: str, no_cache: bool) -> int:
    """Check documents against the schema and each other (default: runbooks/)."""
    options = ValidateOptions(paths=paths, format=output_format, use_cache=not no_cache)
    result, report = run_validate(options)
    click.echo(report)
    return int(ExitCode.OK if result.ok else ExitCode.FAILURE)
