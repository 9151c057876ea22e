"""``runbook new KIND ID``: write a skeleton document that validates."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import click

from runbook.errors import DocumentError, UsageError
from runbook.loader import DEFAULT_CORPUS, find_corpus_root, load_corpus, parse_document
from runbook.loader.schema import schema_path
from runbook.scaffold import FOLDERS, scaffold


@dataclass(frozen=True)
class NewOptions:
    kind: str
    document_id: str
    owner: str
    output: Path | None


def create(options: NewOptions) -> Path:
    root = find_corpus_root() or Path(DEFAULT_CORPUS)
    target = options.output or root / FOLDERS[options.kind] / f"{options.document_id}.yaml"
    if target.exists():
        raise UsageError(f"{target} already exists", hint="choose another id or --output path")
    repo_schema = root.parent / "schema" / schema_path().name
    schema_ref = Path(
        os.path.relpath(repo_schema if repo_schema.exists() else schema_path(), target.parent)
    )
    text = scaffold(
        options.kind,
        options.document_id,
        owner=options.owner,
        today=date.today(),
        schema=schema_ref.as_posix(),
    )
    document, problems = parse_document(text, target)
    if document is None:  # a bug in the skeletons, not in the user's input
        raise DocumentError("the skeleton does not validate", tuple(problems))
    if root.is_dir():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        result = load_corpus([target], corpus_root=root)
        if not result.ok:
            target.unlink()
            first = result.problems[0]
            raise UsageError(
                f"the new document would not validate: {first.message}",
                hint=first.hint or "check --owner names a contact id",
            )
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target


@click.command("new")
@click.argument("kind", type=click.Choice(sorted(FOLDERS)))
@click.argument("document_id", metavar="ID")
@click.option("--owner", default="operations-team", show_default=True, help="A contact id.")
@click.option("--output", type=click.Path(path_type=Path), help="Where to write the file.")
def command(kind: str, document_id: str, owner: str, output: Path | None) -> None:
    """Write a skeleton document of KIND with id ID that validates."""
    path = create(NewOptions(kind, document_id, owner, output))
    click.echo(f"created {path}")
