"""The reference booking service: a salon's booking platform with injectable faults.

Self-contained (imports nothing else from ``runbook``) so the engine can embed it as the
default target and operators can run it alone with ``python -m runbook.service``.
"""

from __future__ import annotations

from runbook.service.server import (
    RunningService,
    ServeInfo,
    ServiceConfig,
    ServiceStartError,
    create_app,
    serve,
    start_service,
)

__all__ = [
    "RunningService",
    "ServeInfo",
    "ServiceConfig",
    "ServiceStartError",
    "create_app",
    "serve",
    "start_service",
]
