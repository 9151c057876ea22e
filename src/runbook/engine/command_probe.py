"""Commands as argv lists (never a shell), bounded output, timeouts that kill the group."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from runbook.engine.observation import Observation
from runbook.model.durations import format_duration

MAX_OUTPUT_BYTES = 1024 * 1024
DEFAULT_TIMEOUT = 300.0
KILL_GRACE = 2.0


@dataclass(frozen=True)
class CommandRequest:
    argv: tuple[str, ...]
    env: Mapping[str, str] = field(default_factory=dict)
    cwd: str | None = None
    stdin: str | None = None
    timeout: float = DEFAULT_TIMEOUT

    def describe(self) -> dict[str, Any]:
        described: dict[str, Any] = {"argv": list(self.argv)}
        if self.env:
            described["env"] = dict(self.env)
        if self.cwd:
            described["cwd"] = self.cwd
        if self.stdin is not None:
            described["stdin"] = self.stdin
        return described


async def run_command(request: CommandRequest) -> Observation:
    seen = Observation(kind="command", request=request.describe())
    started = time.perf_counter()
    try:
        process = await asyncio.create_subprocess_exec(
            *request.argv,
            stdin=asyncio.subprocess.PIPE
            if request.stdin is not None
            else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            cwd=request.cwd,
            env={**os.environ, **request.env},
            # Its own process group, so a timeout or Ctrl-C can stop everything it started.
            start_new_session=True,
        )
    except FileNotFoundError:
        seen.error = f"command not found: {request.argv[0]}"
        return seen
    except PermissionError:
        seen.error = f"permission denied running {request.argv[0]}"
        return seen
    except NotADirectoryError:
        seen.error = f"working directory {request.cwd} is not a folder"
        return seen
    try:
        async with asyncio.timeout(request.timeout):
            stdout, stderr, _ = await asyncio.gather(
                _bounded(process.stdout), _bounded(process.stderr), _feed(process, request.stdin)
            )
            seen.exit_code = await process.wait()
    except TimeoutError:
        await _kill(process)
        limit = format_duration(timedelta(seconds=request.timeout))
        seen.error = f"{request.argv[0]} timed out after {limit} and was killed"
        return seen
    except asyncio.CancelledError:
        await _kill(process)
        raise
    finally:
        seen.duration_ms = (time.perf_counter() - started) * 1000
    seen.stdout, seen.stderr = stdout, stderr
    seen.latencies_ms.append(seen.duration_ms)
    return seen


async def _feed(process: asyncio.subprocess.Process, stdin: str | None) -> str:
    if stdin is not None and process.stdin is not None:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            process.stdin.write(stdin.encode())
            await process.stdin.drain()
        process.stdin.close()
    return ""


async def _bounded(stream: asyncio.StreamReader | None) -> str:
    """Keep the first MiB; read and drop the rest so the process never blocks on a full pipe."""
    if stream is None:
        return ""
    kept = bytearray()
    dropped = 0
    while chunk := await stream.read(65536):
        room = MAX_OUTPUT_BYTES - len(kept)
        kept.extend(chunk[:room])
        dropped += max(0, len(chunk) - room)
    text = kept.decode(errors="replace")
    return text + (f"\n[{dropped} more bytes not kept]" if dropped else "")


async def _kill(process: asyncio.subprocess.Process) -> None:
    if process.returncode is not None:
        return
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            async with asyncio.timeout(KILL_GRACE):
                await process.wait()
            return
        except TimeoutError:
            continue
