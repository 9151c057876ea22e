"""Limits, defaults and secret resolution shared by the service modules."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from importlib import metadata
from pathlib import Path

MAX_BODY_BYTES = 64 * 1024
METRICS_WINDOW_SECONDS = 300
SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
MAX_SESSIONS_PER_USER = 3
# Paystack's own test keys start with sk_test_; a fixed one keeps local runs reproducible.
DEFAULT_PAYSTACK_SECRET = "sk_test_reference"
ADMIN_TOKEN_ENV = "RUNBOOK_ADMIN_TOKEN"
PAYSTACK_SECRET_ENV = "PAYSTACK_SECRET_KEY"


def service_version() -> str:
    try:
        return metadata.version("runbook")
    except metadata.PackageNotFoundError:
        return "0.0.0+unknown"


def resolve_admin_token(explicit: str | None) -> tuple[str, bool]:
    """Return the admin token and whether it was generated (so only then is it shown)."""
    if explicit:
        return explicit, False
    from_env = os.environ.get(ADMIN_TOKEN_ENV)
    if from_env:
        return from_env, False
    return secrets.token_urlsafe(24), True


def resolve_paystack_secret(explicit: str | None) -> str:
    return explicit or os.environ.get(PAYSTACK_SECRET_ENV) or DEFAULT_PAYSTACK_SECRET


@dataclass(frozen=True)
class Settings:
    db_path: Path
    seed_demo_data: bool
    # repr=False: settings get logged and printed in tracebacks; secrets must not be.
    admin_token: str = field(repr=False)
    paystack_secret: str = field(repr=False)
