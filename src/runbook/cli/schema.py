"""``runbook schema``: the JSON Schema, for editors and other validators."""

from __future__ import annotations

import click

from runbook.loader.schema import schema_path


@click.command("schema")
@click.option("--path", "show_path", is_flag=True, help="Print the schema's file path instead.")
def command(show_path: bool) -> None:
    """Print the document JSON Schema (draft 2020-12)."""
    path = schema_path()
    click.echo(str(path) if show_path else path.read_text(encoding="utf-8"), nl=show_path)
