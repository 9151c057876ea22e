"""SQLite work off the event loop: one writer thread with group commit, one reader thread.

Handing each query to a generic thread pool costs a thread wake-up and a loop wake-up per
request, and under concurrency the pool's threads mostly queue on the single write lock
anyway. Dedicated threads instead drain whatever work has queued up: the writer runs a
batch as one ``BEGIN IMMEDIATE`` transaction with a savepoint per job (one job's failure
rolls back only that job) and one fsync for the lot, and every result in a batch is handed
back to the event loop in one call. A job is answered only after its batch has committed,
so an acknowledged write is still durable.
"""

from __future__ import annotations

import asyncio
import queue
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from runbook.service.store import Outcome, Store

T = TypeVar("T")
J = TypeVar("J")
_MAX_BATCH = 64


@dataclass(frozen=True)
class _Job(Generic[J]):
    work: J
    future: asyncio.Future[Any]
    loop: asyncio.AbstractEventLoop


class _Lane(Generic[J]):
    def __init__(self, name: str, run_batch: Callable[[list[J]], list[Outcome]]) -> None:
        self._run_batch = run_batch
        self._queue: queue.SimpleQueue[_Job[J] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._serve, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()

    async def submit(self, work: J) -> Any:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        if not self._thread.is_alive():
            raise sqlite3.OperationalError("the database executor is not running")
        self._queue.put(_Job(work, future, loop))
        return await future

    def _serve(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < _MAX_BATCH:
                try:
                    job = self._queue.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    stopping = True
                    break
                batch.append(job)
            try:
                outcomes = self._run_batch([job.work for job in batch])
            except Exception as error:  # the batch as a whole failed (BEGIN or COMMIT)
                outcomes = [Outcome(error=error) for _ in batch]
            self._deliver(batch, outcomes)

    @staticmethod
    def _deliver(batch: list[_Job[J]], outcomes: list[Outcome]) -> None:
        by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[Any], Outcome]]] = {}
        for job, outcome in zip(batch, outcomes, strict=True):
            by_loop.setdefault(job.loop, []).append((job.future, outcome))
        for loop, settled in by_loop.items():
            try:
                loop.call_soon_threadsafe(_settle, settled)
            except RuntimeError:
                pass  # the loop has closed: nobody is waiting for these answers


def _settle(settled: list[tuple[asyncio.Future[Any], Outcome]]) -> None:
    for future, outcome in settled:
        if future.cancelled():
            continue
        if outcome.error is not None:
            future.set_exception(outcome.error)
        else:
            future.set_result(outcome.value)


def _run_each(jobs: list[Callable[[], object]]) -> list[Outcome]:
    outcomes: list[Outcome] = []
    for job in jobs:
        try:
            outcomes.append(Outcome(value=job()))
        except Exception as error:
            outcomes.append(Outcome(error=error))
    return outcomes


class SqliteExecutor:
    def __init__(self, store: Store) -> None:
        self._writer: _Lane[Callable[[sqlite3.Connection], object]] = _Lane(
            "runbook-sqlite-writer", store.write_many
        )
        self._reader: _Lane[Callable[[], object]] = _Lane("runbook-sqlite-reader", _run_each)
        self._store = store

    def start(self) -> None:
        self._writer.start()
        self._reader.start()

    def stop(self) -> None:
        self._writer.stop()
        self._reader.stop()

    async def write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        result: T = await self._writer.submit(work)
        return result

    async def read(self, work: Callable[[sqlite3.Connection], T]) -> T:
        result: T = await self._reader.submit(lambda: self._store.read(work))
        return result

    async def call(self, work: Callable[[], T]) -> T:
        """Run any blocking database call (e.g. a timed ping) on the reader thread."""
        result: T = await self._reader.submit(work)
        return result
