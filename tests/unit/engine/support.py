"""Test support: a misbehaving HTTP server on loopback and throwaway corpora.

The server speaks raw HTTP/1.1 over asyncio so it can do what a healthy service never does:
stall mid-body, send megabytes, answer with broken JSON, drop the connection.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import yaml

from tests.conftest import CORPUS

HUGE_BYTES = 3 * 1024 * 1024


class Misbehaving:
    """Routes: /ok /json /status/N /invalid-json /huge /slow-body /slow-headers /echo /drop
    /flaky?key=K&fail=N (503 N times, then 200) and /barrier?key=K&n=N (answers only once N
    requests with that key are waiting, which proves they were in flight together)."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.flaky: Counter[str] = Counter()
        self._barriers: dict[str, tuple[asyncio.Event, list[int]]] = {}
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._server: asyncio.Server | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Misbehaving:
        self._thread.start()
        self._ready.wait(10)
        return self

    def stop(self) -> None:
        async def close() -> None:
            assert self._server is not None
            self._server.close()
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)

        async def serve() -> None:
            self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
            self.port = self._server.sockets[0].getsockname()[1]
            self._ready.set()

        self._loop.run_until_complete(serve())
        self._loop.run_forever()
        self._loop.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            first = await reader.readexactly(1)
            if not first.isalpha():
                # Not HTTP (a TLS ClientHello, say): answer as any plain HTTP server would.
                writer.write(b"HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n")
                await writer.drain()
                writer.close()
                return
            head = first + await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            writer.close()
            return
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = (lines[0].split(" ") + ["", ""])[:3]
        headers = {
            name.strip().lower(): value.strip()
            for name, _, value in (line.partition(":") for line in lines[1:] if line)
        }
        length = int(headers.get("content-length", "0") or 0)
        body = await reader.readexactly(length) if length else b""
        self.requests.append(f"{method} {target}")
        parts = urlsplit(target)
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        try:
            await self._route(parts.path, query, head + body, writer)
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def _route(
        self, path: str, query: dict[str, str], raw: bytes, writer: asyncio.StreamWriter
    ) -> None:
        if path == "/ok" or path == "/json":
            await _respond(writer, 200, json.dumps({"status": "ok", "query": query}).encode())
        elif path.startswith("/status/"):
            code = int(path.rsplit("/", 1)[1])
            await _respond(writer, code, json.dumps({"status": "unhealthy"}).encode())
        elif path == "/invalid-json":
            await _respond(writer, 200, b'{"status": "ok",,,')
        elif path == "/huge":
            await _respond(writer, 200, b"x" * HUGE_BYTES, "text/plain")
        elif path == "/slow-body":
            writer.write(
                b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                b'transfer-encoding: chunked\r\nconnection: close\r\n\r\n5\r\n{"a":\r\n'
            )
            await writer.drain()
            await asyncio.sleep(60)
        elif path == "/slow-headers":
            await asyncio.sleep(60)
        elif path == "/echo":
            await _respond(writer, 200, raw, "text/plain")
        elif path == "/drop":
            return
        elif path == "/flaky":
            key = query.get("key", "")
            self.flaky[key] += 1
            failing = self.flaky[key] <= int(query.get("fail", "1"))
            status = 503 if failing else 200
            body = {"attempt": self.flaky[key], "status": "down" if failing else "up"}
            await _respond(writer, status, json.dumps(body).encode())
        elif path == "/barrier":
            key, needed = query.get("key", ""), int(query.get("n", "2"))
            event, count = self._barriers.setdefault(key, (asyncio.Event(), [0]))
            count[0] += 1
            if count[0] >= needed:
                event.set()
            await event.wait()
            await _respond(writer, 200, json.dumps({"waiting": count[0]}).encode())
        else:
            await _respond(writer, 404, b'{"error": "not found"}')


async def _respond(
    writer: asyncio.StreamWriter, status: int, body: bytes, kind: str = "application/json"
) -> None:
    reason = {200: "OK", 404: "Not Found", 500: "Internal Server Error"}.get(status, "Status")
    writer.write(
        f"HTTP/1.1 {status} {reason}\r\ncontent-type: {kind}\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n".encode()
        + body
    )
    await writer.drain()


@contextmanager
def closed_port() -> Iterator[int]:
    """A port that refuses connections: bound (so nobody else takes it) but not listening."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()


def document(doc_id: str, steps: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "id": doc_id,
        "title": f"Test {doc_id}",
        "kind": "runbook",
        "version": "1.0.0",
        "owner": "operations-team",
        "last_reviewed": "2026-11-20",
        "review_every": "monthly",
        **extra,
        "steps": steps,
    }


def make_corpus(root: Path, *documents: dict[str, Any]) -> Path:
    """A runbooks/ folder with the project's reference documents and ``documents``."""
    corpus = root / "runbooks"
    (corpus / "reference").mkdir(parents=True, exist_ok=True)
    for path in (CORPUS / "reference").glob("*.yaml"):
        shutil.copy(path, corpus / "reference" / path.name)
    (corpus / "tests").mkdir(exist_ok=True)
    for doc in documents:
        text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
        (corpus / "tests" / f"{doc['id']}.yaml").write_text(text, encoding="utf-8")
    return corpus
