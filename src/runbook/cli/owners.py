"""``runbook owners``: a CODEOWNERS file from the documents' owners and reviewers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click

from runbook.errors import DocumentError, ExitCode, UsageError
from runbook.governance import owners
from runbook.governance.git import Repository
from runbook.loader import load_corpus


@dataclass(frozen=True)
class OwnersOptions:
    output: Path | None
    check: bool


def run_owners(options: OwnersOptions) -> tuple[owners.OwnersFile, Path | None]:
    repository = Repository.discover()
    output = options.output
    if output is None and options.check:
        output = owners.default_location(repository)
        if output is None:
            raise UsageError(
                "no CODEOWNERS file to check",
                hint="create one: runbook owners --output .github/CODEOWNERS",
            )
    shown = str(repository.relative(output)) if output else owners.LOCATIONS[0]
    result = load_corpus()
    loaded = {document.path.resolve() for document in result.corpus}
    broken = [path for path in result.files if path.resolve() not in loaded]
    if broken:
        # Leaving them out would drop their reviewers silently.
        raise DocumentError(
            f"{len(broken)} document(s) did not load: {', '.join(map(str, broken[:3]))}",
            tuple(result.problems),
            hint="run runbook validate to see why",
        )
    wanted = {path.resolve() for path in result.files}
    documents = [doc for doc in result.corpus if doc.path.resolve() in wanted]
    return owners.build(result.corpus, documents, repository, shown), output


@click.command("owners")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write CODEOWNERS here (default: print it). With --check, the file to compare.",
)
@click.option(
    "--check",
    is_flag=True,
    help="Exit 1 if the file is out of date instead of writing it "
    "(default file: .github/CODEOWNERS, CODEOWNERS or docs/CODEOWNERS).",
)
def command(output: Path | None, check: bool) -> int:
    """Generate CODEOWNERS so each document's owner and reviewers are asked to review it."""
    generated, target = run_owners(OwnersOptions(output=output, check=check))
    for warning in generated.warnings:
        click.echo(f"warning: {warning}", err=True)
    if check:
        assert target is not None
        result = owners.check(target, generated.text)
        if result.up_to_date:
            click.echo(f"ok: {target} is up to date ({len(generated.lines)} document(s))")
            return int(ExitCode.OK)
        click.echo(result.diff, nl=False)
        click.secho(f"{target} is out of date", fg="red", err=True)
        click.echo(f"hint: run runbook owners --output {target}", err=True)
        return int(ExitCode.FAILURE)
    if target is None:
        click.echo(generated.text, nl=False)
        return int(ExitCode.OK)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(generated.text, encoding="utf-8")
    click.echo(f"wrote {target} ({len(generated.lines)} document(s))")
    return int(ExitCode.OK)
