"""SQLite connections and schema.

One writer connection behind a lock (SQLite allows one writer anyway) plus a pool of reader
connections, which WAL lets run alongside the writer. Every write is a ``BEGIN IMMEDIATE``
transaction so invariants checked inside it cannot race, and ``synchronous=FULL`` makes a
committed (acknowledged) write survive a SIGKILL or power cut.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS services (
    id TEXT PRIMARY KEY, name TEXT NOT NULL,
    duration_minutes INTEGER NOT NULL, price_zar INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS staff (id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS bookings (
    id TEXT PRIMARY KEY,
    service_id TEXT NOT NULL REFERENCES services(id),
    staff_id TEXT NOT NULL REFERENCES staff(id),
    start_ts INTEGER NOT NULL,
    end_ts INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending_payment', 'confirmed', 'cancelled')),
    customer_name TEXT NOT NULL,
    customer_email TEXT NOT NULL,
    customer_phone TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_day TEXT NOT NULL,
    calendar_synced INTEGER NOT NULL DEFAULT 0,
    CHECK (end_ts > start_ts)
);
CREATE INDEX IF NOT EXISTS bookings_staff_start ON bookings (staff_id, start_ts);
CREATE INDEX IF NOT EXISTS bookings_created_day ON bookings (created_day);
CREATE INDEX IF NOT EXISTS bookings_unsynced ON bookings (calendar_synced);
-- The database itself refuses overlapping live bookings for one stylist, so no code path
-- (or second process on the same file) can double-book even if it skips the explicit check.
CREATE TRIGGER IF NOT EXISTS bookings_no_overlap_insert
BEFORE INSERT ON bookings
WHEN NEW.status != 'cancelled' AND EXISTS (
    SELECT 1 FROM bookings AS b
    WHERE b.staff_id = NEW.staff_id AND b.status != 'cancelled'
      AND b.start_ts < NEW.end_ts AND b.end_ts > NEW.start_ts
)
BEGIN SELECT RAISE(ABORT, 'booking_overlap'); END;
CREATE TRIGGER IF NOT EXISTS bookings_no_overlap_update
BEFORE UPDATE OF start_ts, end_ts, status, staff_id ON bookings
WHEN NEW.status != 'cancelled' AND EXISTS (
    SELECT 1 FROM bookings AS b
    WHERE b.id != NEW.id AND b.staff_id = NEW.staff_id AND b.status != 'cancelled'
      AND b.start_ts < NEW.end_ts AND b.end_ts > NEW.start_ts
)
BEGIN SELECT RAISE(ABORT, 'booking_overlap'); END;
CREATE TABLE IF NOT EXISTS payments (
    reference TEXT PRIMARY KEY,
    booking_id TEXT NOT NULL REFERENCES bookings(id),
    email TEXT NOT NULL,
    amount_kobo INTEGER NOT NULL,
    currency TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'success', 'failed')),
    access_code TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    resolved_day TEXT
);
CREATE INDEX IF NOT EXISTS payments_resolved_day ON payments (resolved_day);
CREATE TABLE IF NOT EXISTS webhook_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    reference TEXT NOT NULL,
    event TEXT NOT NULL,
    outcome TEXT NOT NULL,
    received_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS page_visits (day TEXT PRIMARY KEY, visits INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS users (
    id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
    password_salt BLOB NOT NULL, password_hash BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    created_ts REAL NOT NULL,
    last_used_ts REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions (user_id, created_ts);
"""


class StoreClosed(RuntimeError):
    pass


@dataclass(frozen=True)
class Outcome:
    """One job's result within a batch: a value, or the exception it raised."""

    value: object = None
    error: Exception | None = None


class Store:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._writer: sqlite3.Connection | None = None
        self._write_lock = threading.Lock()
        self._pool_lock = threading.Lock()
        self._idle_readers: list[sqlite3.Connection] = []
        self._all_readers: list[sqlite3.Connection] = []
        self._closed = False

    def open(self) -> bool:
        """Open the database, creating the schema; returns True when the file was new."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        writer = self._connect()
        writer.execute("PRAGMA journal_mode=WAL")
        self._writer = writer
        created = self.write(_create_schema)
        return created

    def _connect(self) -> sqlite3.Connection:
        # isolation_level=None: transactions are begun explicitly, never implicitly by the driver.
        connection = sqlite3.connect(
            self.path, timeout=10.0, isolation_level=None, check_same_thread=False
        )
        connection.row_factory = sqlite3.Row
        connection.execute("PRAGMA synchronous=FULL")
        connection.execute("PRAGMA foreign_keys=ON")
        connection.execute("PRAGMA busy_timeout=10000")
        return connection

    def write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        with self._write_lock:
            writer = self._writer
            if writer is None or self._closed:
                raise StoreClosed("the database is closed")
            writer.execute("BEGIN IMMEDIATE")
            try:
                result = work(writer)
            except BaseException:
                writer.execute("ROLLBACK")
                raise
            writer.execute("COMMIT")
            return result

    def write_many(self, jobs: list[Callable[[sqlite3.Connection], object]]) -> list[Outcome]:
        """Run jobs in one transaction, each in its own savepoint, with a single commit.

        A job that raises is rolled back alone and its exception returned; if the commit
        itself fails, it raises and no job's work is kept.
        """
        with self._write_lock:
            writer = self._writer
            if writer is None or self._closed:
                raise StoreClosed("the database is closed")
            writer.execute("BEGIN IMMEDIATE")
            outcomes: list[Outcome] = []
            try:
                for job in jobs:
                    writer.execute("SAVEPOINT job")
                    try:
                        value = job(writer)
                    except Exception as error:
                        writer.execute("ROLLBACK TO job")
                        writer.execute("RELEASE job")
                        outcomes.append(Outcome(error=error))
                    else:
                        writer.execute("RELEASE job")
                        outcomes.append(Outcome(value=value))
                writer.execute("COMMIT")
            except BaseException:
                if writer.in_transaction:
                    writer.execute("ROLLBACK")
                raise
            return outcomes

    def read(self, work: Callable[[sqlite3.Connection], T]) -> T:
        reader = self._checkout()
        try:
            return work(reader)
        finally:
            with self._pool_lock:
                if self._closed:
                    reader.close()
                else:
                    self._idle_readers.append(reader)

    def _checkout(self) -> sqlite3.Connection:
        with self._pool_lock:
            if self._closed or self._writer is None:
                raise StoreClosed("the database is closed")
            if self._idle_readers:
                return self._idle_readers.pop()
            reader = self._connect()
            reader.execute("PRAGMA query_only=1")
            self._all_readers.append(reader)
            return reader

    def ping_ms(self) -> float:
        started = time.perf_counter()
        self.read(lambda connection: connection.execute("SELECT 1").fetchone())
        return (time.perf_counter() - started) * 1000.0

    def pragma(self, name: str) -> object:
        if not name.isidentifier():
            raise ValueError(f"not a pragma name: {name!r}")
        return self.read(lambda connection: connection.execute(f"PRAGMA {name}").fetchone()[0])

    def close(self) -> None:
        with self._write_lock, self._pool_lock:
            self._closed = True
            for reader in self._idle_readers:
                reader.close()
            self._idle_readers.clear()
            self._all_readers.clear()
            if self._writer is not None:
                self._writer.close()
                self._writer = None


def _create_schema(connection: sqlite3.Connection) -> bool:
    existed = (
        connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'meta'").fetchone() is not None
    )
    for statement in _split(SCHEMA):
        connection.execute(statement)
    return not existed


def _split(script: str) -> list[str]:
    """Split the schema script; triggers contain ';' so split on complete statements."""
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        if line.lstrip().startswith("--"):
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    return [statement for statement in statements if statement]


def get_meta(connection: sqlite3.Connection, key: str) -> str | None:
    row = connection.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row["value"])


def set_meta(connection: sqlite3.Connection, key: str, value: str) -> None:
    connection.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )
