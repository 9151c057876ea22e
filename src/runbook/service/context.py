"""Per-app state shared by routes and middleware, and the async bridge to SQLite."""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar

from runbook.service.config import METRICS_WINDOW_SECONDS, Settings
from runbook.service.domain import utc_now
from runbook.service.executor import SqliteExecutor
from runbook.service.faults import Faults
from runbook.service.ledger import DailyFigures
from runbook.service.metrics import ErrorLog, RequestWindow
from runbook.service.store import Store, StoreClosed
from runbook.service.wire import ApiError

T = TypeVar("T")
log = logging.getLogger("runbook.service")


class ServiceContext:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store = Store(settings.db_path)
        self.executor = SqliteExecutor(self.store)
        self.faults = Faults()
        self.window = RequestWindow(METRICS_WINDOW_SECONDS)
        self.errors = ErrorLog()
        self.started_at = utc_now()
        self.started_monotonic = time.monotonic()
        self.calendar_last_sync: datetime | None = None
        # Last daily figures read, so /api/metrics still answers while the database is down.
        self.last_figures: DailyFigures | None = None

    def uptime_seconds(self) -> float:
        return round(time.monotonic() - self.started_monotonic, 3)

    def _database_guard(self) -> None:
        if self.faults.active("database_down"):
            raise ApiError(
                503, "database_unavailable", "the database is unavailable (fault: database_down)"
            )

    async def read(self, work: Callable[[sqlite3.Connection], T]) -> T:
        self._database_guard()
        return await self._guarded(self.executor.read(work))

    async def write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        self._database_guard()
        return await self._guarded(self.executor.write(work))

    async def ping_ms(self) -> float:
        return await self._guarded(self.executor.call(self.store.ping_ms))

    async def _guarded(self, pending: Awaitable[T]) -> T:
        # SQLite blocks (an fsync on every commit), so it runs on the executor's threads
        # while the event loop keeps serving; its failures become 503s, not 500s.
        try:
            return await pending
        except (sqlite3.DatabaseError, StoreClosed) as error:
            if isinstance(error, sqlite3.IntegrityError):
                raise  # a broken invariant is a bug, not an outage
            log.error("database error: %s", error)
            raise ApiError(
                503, "database_unavailable", f"the database is unavailable: {error}"
            ) from None
