"""Run records: one append-only JSON Lines file per run, written event by event.

Each step's result is written before the next step starts, so a kill loses at most the step
in flight. Reading folds the events back into a RunRecord; a record without a final event
belongs to a run that is still going or was killed.
"""

from __future__ import annotations

import json
import os
import socket
import threading
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from runbook.engine.redaction import Redactor
from runbook.engine.results import RunRecord, RunStatus, StepResult
from runbook.errors import NotFoundError, UsageError

SAST = timezone(timedelta(hours=2), "SAST")
SUFFIX = ".jsonl"
DEFAULT_RUNS_DIR = Path(".runbook") / "runs"
FINAL_EVENTS = ("run_finished", "run_interrupted")
SYNC_INTERVAL = 0.05  # seconds


def now_utc() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def iso_sast(moment: datetime) -> str:
    return moment.astimezone(SAST).isoformat(timespec="seconds")


def runs_dir_from(option: Path | None, environ: Mapping[str, str]) -> Path:
    if option is not None:
        return option
    configured = environ.get("RUNBOOK_RUNS_DIR")
    return Path(configured) if configured else DEFAULT_RUNS_DIR


class RecordWriter:
    """Appends events; every event reaches the OS before the run moves on.

    An event the OS has survives a kill of this process, so Ctrl-C or a kill loses at most
    the step in flight. fsync, against power loss, runs on a small thread so the event loop
    never waits on the disk, at most every SYNC_INTERVAL: one fsync covers every event
    written since the last, because fsync per step costs more CPU than a loopback check.
    """

    def __init__(self, path: Path, redactor: Redactor) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._redactor = redactor
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        # What was written, as written: the run's record without reading the file back.
        self.events: list[Mapping[str, Any]] = []
        self._dirty = threading.Event()
        self._closing = threading.Event()
        self._syncer = threading.Thread(target=self._sync_loop, name="runbook-fsync", daemon=True)
        self._syncer.start()

    def write(self, event: Mapping[str, Any], *, durable: bool = True) -> None:
        written = self._redactor.value(dict(event))
        self.events.append(written)
        line = json.dumps(written, ensure_ascii=False, default=str)
        data = (line + "\n").encode()
        while data:
            data = data[os.write(self._fd, data) :]
        if durable and not self._dirty.is_set():
            self._dirty.set()

    def write_now(self, event: Mapping[str, Any]) -> None:
        self.write(event, durable=False)
        os.fsync(self._fd)

    def close(self) -> None:
        self._closing.set()
        self._dirty.set()
        self._syncer.join()
        os.fsync(self._fd)
        os.close(self._fd)

    def _sync_loop(self) -> None:
        while True:
            self._dirty.wait()
            self._dirty.clear()
            if self._closing.is_set():
                return
            os.fsync(self._fd)
            if self._closing.wait(SYNC_INTERVAL):
                return


def record_path(runs_dir: Path, run_id: str) -> Path:
    return runs_dir / f"{run_id}{SUFFIX}"


def service_state_path(runs_dir: Path, run_id: str) -> Path:
    """The embedded service's database for a local run, beside the run's record.

    A run that fails or is interrupted keeps it, so ``--resume`` continues against the
    bookings and payments its earlier steps made; a run that finishes ok or with warnings
    cannot be resumed, and its database is removed.
    """
    return runs_dir / f"{run_id}.sqlite3"


def discard_service_state(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def load_record(path: Path) -> RunRecord:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise NotFoundError(f"cannot read run record {path}: {error.strerror}") from None
    events: list[Mapping[str, Any]] = []
    for line in lines:
        try:
            events.append(json.loads(line))
        except ValueError:
            continue  # a line cut short by a kill; everything before it stands
    return fold(events, path)


def fold(events: Iterable[Mapping[str, Any]], path: Path) -> RunRecord:
    """The run as its events describe it; the latest result of a step wins."""
    header: Mapping[str, Any] | None = None
    results: dict[str, StepResult] = {}
    in_flight: dict[str, Mapping[str, Any]] = {}
    final: Mapping[str, Any] | None = None
    resumes: list[dict[str, Any]] = []
    # Document order, not finishing order: a group starts before its members finish.
    order: dict[str, int] = {}
    for event in events:
        kind = event.get("event")
        if kind == "run_started":
            header = event["run"]
        elif kind == "step_started":
            order.setdefault(event["key"], len(order))
            in_flight[event["key"]] = event
        elif kind == "step_finished":
            result = StepResult.from_dict(event["result"])
            order.setdefault(result.key, len(order))
            results[result.key] = result
            in_flight.pop(result.key, None)
        elif kind == "resumed":
            resumes.append({k: v for k, v in event.items() if k != "event"})
            if header is not None and event.get("pid"):
                header = {**header, "pid": event["pid"]}
            final = None
            in_flight.clear()
        elif kind in FINAL_EVENTS:
            final = event
    if header is None:
        raise UsageError(f"{path} is not a run record (no run_started event)")
    record = RunRecord.from_header(header)
    steps = list(results.values())
    if final is None:
        alive = _alive(record)
        for key, started in in_flight.items():
            steps.append(_unfinished(key, started, "running" if alive else "killed"))
    steps.sort(key=lambda step: order.get(step.key, len(order)))
    if final is None:
        status: RunStatus = "running" if alive else "interrupted"
        return replace(
            record,
            steps=tuple(steps),
            status=status,
            exit_code=None if alive else 130,
            reason="" if alive else "the process ended without finishing the record (killed?)",
            resumes=tuple(resumes),
            path=path,
        )
    return replace(
        record,
        steps=tuple(steps),
        status=final["status"],
        exit_code=final.get("exit_code"),
        finished_at=final.get("at"),
        reason=final.get("reason", ""),
        stopped_at=final.get("stopped_at"),
        resumes=tuple(resumes),
        path=path,
    )


def _unfinished(key: str, started: Mapping[str, Any], how: str) -> StepResult:
    return StepResult(
        key=key,
        step_id=started.get("step_id", key),
        title=started.get("title", ""),
        action=started.get("action", ""),
        status="interrupted",
        document=started.get("document", ""),
        parent=started.get("parent"),
        started_at=started.get("at"),
        reason="still running" if how == "running" else "in flight when the process ended",
    )


def _alive(record: RunRecord) -> bool:
    if record.pid is None or record.host != socket.gethostname():
        return False
    try:
        os.kill(record.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def list_runs(runs_dir: Path, document: str | None = None) -> list[RunRecord]:
    """Every readable run, newest first; unreadable files are skipped, not fatal."""
    if not runs_dir.is_dir():
        return []
    found: list[RunRecord] = []
    for path in runs_dir.glob(f"*{SUFFIX}"):
        try:
            record = load_record(path)
        except (UsageError, KeyError, TypeError):
            continue
        if document is None or record.document == document:
            found.append(record)
    found.sort(key=lambda record: record.started_at, reverse=True)
    return found


def find_run(runs_dir: Path, run: str) -> RunRecord:
    """A run by id, unique id prefix, a record file path, or ``last``."""
    candidate = Path(run)
    if candidate.suffix == SUFFIX and candidate.is_file():
        return load_record(candidate)
    if run in ("last", "latest"):
        runs = list_runs(runs_dir)
        if not runs:
            raise NotFoundError(f"no runs recorded in {runs_dir}")
        return runs[0]
    exact = record_path(runs_dir, run)
    if exact.is_file():
        return load_record(exact)
    matches = sorted(runs_dir.glob(f"{run}*{SUFFIX}")) if runs_dir.is_dir() else []
    if len(matches) == 1:
        return load_record(matches[0])
    if matches:
        names = ", ".join(path.stem for path in matches[:5])
        raise UsageError(f"run {run!r} is ambiguous: {names}", hint="give more of the id")
    raise NotFoundError(f"no run {run!r} in {runs_dir}", hint="list runs with 'runbook history'")
