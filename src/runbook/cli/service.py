"""``runbook service``: run the reference booking service and inject faults into it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import httpx

from runbook.errors import ServiceError, UsageError

DEFAULT_URL = "http://127.0.0.1:8787"
_TIMEOUT_SECONDS = 10.0


@click.group(name="service")
def group() -> None:
    """Run the reference booking service, or inject faults into a running one."""


@group.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8787, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="SQLite database file (default: a temporary one, deleted on exit).",
)
@click.option(
    "--seed-demo-data", is_flag=True, help="Add a demo day: bookings, visits, owner login."
)
@click.option(
    "--admin-token",
    envvar="RUNBOOK_ADMIN_TOKEN",
    default=None,
    help="Bearer token for /api/admin (env RUNBOOK_ADMIN_TOKEN; generated and shown if unset).",
)
@click.option(
    "--paystack-secret",
    envvar="PAYSTACK_SECRET_KEY",
    default=None,
    help="Webhook signing secret (env PAYSTACK_SECRET_KEY; default a fixed test secret).",
)
def serve_command(
    host: str,
    port: int,
    db_path: Path | None,
    seed_demo_data: bool,
    admin_token: str | None,
    paystack_secret: str | None,
) -> None:
    """Run the service in the foreground until Ctrl-C."""
    from runbook.service import ServeInfo, ServiceConfig, ServiceStartError, serve

    def announce(info: ServeInfo) -> None:
        click.echo(f"runbook service listening on {info.base_url} (database {info.db_path})")
        if info.generated_admin_token is not None:
            click.echo(f"admin token (generated, shown once): {info.generated_admin_token}")
            click.echo("  export RUNBOOK_ADMIN_TOKEN=<token> to use `runbook service fault`")

    config = ServiceConfig(
        host=host,
        port=port,
        db_path=db_path,
        seed_demo_data=seed_demo_data,
        admin_token=admin_token,
        paystack_secret=paystack_secret,
    )
    try:
        serve(config, on_ready=announce)
    except ServiceStartError as error:
        raise ServiceError(
            str(error), hint=f"is something else listening on {host}:{port}? try --port"
        ) from None


def _connection_options(command: Any) -> Any:
    command = click.option(
        "--token",
        envvar="RUNBOOK_ADMIN_TOKEN",
        default=None,
        help="Admin bearer token (env RUNBOOK_ADMIN_TOKEN).",
    )(command)
    command = click.option(
        "--base-url",
        envvar="RUNBOOK_SERVICE_URL",
        default=DEFAULT_URL,
        show_default=True,
        help="Service address (env RUNBOOK_SERVICE_URL).",
    )(command)
    return command


@group.group("fault")
def fault_group() -> None:
    """Set, list and clear injected faults on a running service."""


def _fault_names() -> list[str]:
    from runbook.service.faults import FAULT_NAMES

    return list(FAULT_NAMES)


@fault_group.command("set")
@click.argument("name", type=click.Choice(_fault_names()))
@click.option("--ms", type=click.IntRange(1, 60_000), default=None, help="latency: delay in ms.")
@click.option(
    "--rate",
    type=click.FloatRange(0.0, 1.0),
    default=None,
    help="error_rate: share of requests that fail; flood: share answered 429.",
)
@click.option("--rps", type=click.IntRange(1), default=None, help="flood: synthetic req/s.")
@_connection_options
def fault_set(
    name: str,
    ms: int | None,
    rate: float | None,
    rps: int | None,
    base_url: str,
    token: str | None,
) -> None:
    """Inject fault NAME (e.g. `latency --ms 500`, `error_rate --rate 0.2`)."""
    body: dict[str, Any] = {"fault": name}
    for key, value in (("ms", ms), ("rate", rate), ("rps", rps)):
        if value is not None:
            body[key] = value
    result = _admin_call("POST", base_url, token, "/api/admin/faults", body)
    params = _describe(result["active"])
    click.echo(f"fault {name} set{f' ({params})' if params else ''}")


@fault_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the service's JSON as is.")
@_connection_options
def fault_list(as_json: bool, base_url: str, token: str | None) -> None:
    """Show the active faults."""
    result = _admin_call("GET", base_url, token, "/api/admin/faults")
    faults: dict[str, dict[str, Any]] = result["faults"]
    if as_json:
        click.echo(json.dumps({"faults": faults}, indent=2))
        return
    if not faults:
        click.echo("no active faults")
        return
    for name, params in faults.items():
        described = _describe(params)
        click.echo(f"{name}  since {params['since']}{f'  {described}' if described else ''}")


@fault_group.command("clear")
@click.argument("name", required=False)
@_connection_options
def fault_clear(name: str | None, base_url: str, token: str | None) -> None:
    """Clear fault NAME, or every fault when no name is given."""
    path = "/api/admin/faults" if name is None else f"/api/admin/faults/{name}"
    result = _admin_call("DELETE", base_url, token, path)
    cleared: list[str] = result["cleared"]
    if cleared:
        click.echo(f"cleared {', '.join(cleared)}")
    elif name is None:
        click.echo("no active faults")
    else:
        click.echo(f"fault {name} was not active")


def _describe(params: dict[str, Any]) -> str:
    return ", ".join(f"{key}={value}" for key, value in params.items() if key != "since")


def _admin_call(
    method: str, base_url: str, token: str | None, path: str, body: dict[str, Any] | None = None
) -> dict[str, Any]:
    if not token:
        raise UsageError(
            "no admin token",
            hint="pass --token or set RUNBOOK_ADMIN_TOKEN "
            "(`runbook service serve` prints a generated one at start-up)",
        )
    url = base_url.rstrip("/") + path
    try:
        with httpx.Client(timeout=_TIMEOUT_SECONDS) as client:
            response = client.request(
                method, url, json=body, headers={"Authorization": f"Bearer {token}"}
            )
    except httpx.InvalidURL as error:
        raise UsageError(f"invalid --base-url {base_url!r}: {error}") from None
    except httpx.TransportError as error:
        raise ServiceError(
            f"cannot reach the service at {base_url}: {error or type(error).__name__}",
            hint="start it with `runbook service serve`, or pass --base-url",
        ) from None
    payload = _json_or_none(response)
    message = _error_message(payload) or response.reason_phrase
    if response.status_code == 401:
        raise UsageError(f"the service refused the request: {message}", hint="pass --token")
    if response.status_code == 403:
        raise UsageError(
            f"the service rejected the admin token: {message}",
            hint="use the token the service was started with (RUNBOOK_ADMIN_TOKEN)",
        )
    if 400 <= response.status_code < 500:
        raise UsageError(f"{message} (HTTP {response.status_code})")
    if response.status_code >= 500 or not isinstance(payload, dict):
        raise ServiceError(f"the service answered HTTP {response.status_code}: {message}")
    return payload


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _error_message(payload: Any) -> str | None:
    if isinstance(payload, dict) and isinstance(payload.get("error"), dict):
        message = payload["error"].get("message")
        return str(message) if message else None
    return None
