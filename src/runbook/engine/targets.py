"""Where a run points: a given URL, the environment's URL, or the embedded reference service."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from runbook.errors import ServiceError, UsageError
from runbook.model import Environment

# The embedded service's credentials stand in for these secrets when their variables are unset.
INJECTED_SECRETS = ("admin_token", "paystack_secret")
DRY_RUN_BASE_URL = "http://127.0.0.1:<port>"


@dataclass(frozen=True)
class Target:
    base_url: str
    embedded: bool = False
    injected: Mapping[str, str] = field(default_factory=dict, repr=False)


def uses_embedded(environment: Environment, base_url: str | None) -> bool:
    return base_url is None and environment.embedded


def check_target(environment: Environment, base_url: str | None) -> None:
    if base_url is None and not environment.embedded and not environment.base_url:
        raise UsageError(
            f"environment {environment.id} has no base_url",
            hint="pass --base-url URL of the service to run against",
        )
    if base_url is not None and not base_url.startswith(("http://", "https://")):
        raise UsageError(f"--base-url {base_url!r} is not an http(s) URL")


@contextmanager
def open_target(
    environment: Environment,
    base_url: str | None,
    secrets: Mapping[str, str | None],
    state: Path | None = None,
) -> Iterator[Target]:
    """Yield the target, starting the embedded service for the run's lifetime if needed.

    ``state`` is the embedded service's database file (created if missing); without it the
    service uses a throwaway database.
    """
    check_target(environment, base_url)
    if not uses_embedded(environment, base_url):
        yield Target(base_url=(base_url or environment.base_url or "").rstrip("/"))
        return
    # Imported here: a run against a remote environment should not pay for uvicorn.
    from runbook.service.server import ServiceConfig, ServiceStartError, start_service

    if state is not None:
        state.parent.mkdir(parents=True, exist_ok=True)
    config = ServiceConfig(
        db_path=state,
        admin_token=secrets.get("admin_token") or None,
        paystack_secret=secrets.get("paystack_secret") or None,
    )
    try:
        service = start_service(config)
    except ServiceStartError as error:
        raise ServiceError(f"the local reference service did not start: {error}") from None
    with service:
        injected = {"admin_token": service.admin_token, "paystack_secret": service.paystack_secret}
        yield Target(base_url=service.base_url, embedded=True, injected=injected)
