"""Entry point: the ``runbook`` group and the one place errors become exit codes.

Subcommands live one per module and are imported lazily, so ``runbook validate`` does not
pay for uvicorn or mkdocs imports.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from runbook import __version__
from runbook.errors import ExitCode, RunbookError

# name -> "module:attribute" of a click command, relative to runbook.cli
SUBCOMMANDS: dict[str, str] = {
    "validate": "validate:command",
    "new": "new:command",
    "schema": "schema:command",
    "exec": "exec_:command",
    "history": "history:command",
    "show": "show:command",
    "service": "service:group",
    "build": "site:build_command",
    "serve": "site:serve_command",
    "render": "site:render_command",
    "publish": "site:publish_command",
    "freshness": "freshness:command",
    "diff": "diff:command",
    "owners": "owners:command",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(SUBCOMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = SUBCOMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attribute = target.split(":")
        try:
            module = importlib.import_module(f"runbook.cli.{module_name}")
        except ModuleNotFoundError as error:
            if error.name == f"runbook.cli.{module_name}":
                return None  # not built yet in this checkout
            raise
        command: click.Command = getattr(module, attribute)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="runbook")
def cli() -> None:
    """Operational runbooks as validated, executable YAML.

    \b
    Exit codes: 0 ok, 1 failure (invalid, critical, overdue), 2 usage error,
    3 warnings only, 130 interrupted.
    """


def report_error(error: RunbookError) -> None:
    click.secho(f"error: {error.message}", fg="red", err=True)
    if error.hint:
        click.echo(f"hint: {error.hint}", err=True)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI and exit with a code from the documented table, never a traceback."""
    code = run(argv)
    sys.exit(int(code))


def run(argv: list[str] | None = None) -> int:
    try:
        result: Any = cli.main(args=argv, prog_name="runbook", standalone_mode=False)
    except RunbookError as error:
        report_error(error)
        return int(error.exit_code)
    except click.exceptions.Abort:
        click.echo("interrupted", err=True)
        return int(ExitCode.INTERRUPTED)
    except click.ClickException as error:
        error.show()
        return int(ExitCode.USAGE)
    except click.exceptions.Exit as error:
        return int(error.exit_code)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        return int(ExitCode.INTERRUPTED)
    except BrokenPipeError:
        return int(ExitCode.OK)
    return int(result) if isinstance(result, int) else int(ExitCode.OK)
