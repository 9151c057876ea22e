"""HTTP requests with a bounded read, timings, sampling, and faults turned into reasons."""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx

from runbook.engine.observation import Observation
from runbook.model.durations import format_duration

MAX_BODY_BYTES = 1024 * 1024
DEFAULT_TIMEOUT = 30.0


@dataclass(frozen=True)
class HttpRequest:
    method: str
    url: str
    headers: Mapping[str, str]
    query: Mapping[str, Any]
    json: Any = None
    has_json: bool = False
    body: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    samples: int = 1
    follow_redirects: bool = False
    max_body_bytes: int = MAX_BODY_BYTES

    def describe(self) -> dict[str, Any]:
        described: dict[str, Any] = {"method": self.method, "url": self.url}
        if self.query:
            described["query"] = dict(self.query)
        if self.headers:
            described["headers"] = dict(self.headers)
        if self.has_json:
            described["json"] = self.json
        if self.body is not None:
            described["body"] = self.body
        if self.samples > 1:
            described["samples"] = self.samples
        return described


def new_client(concurrency: int = 100) -> httpx.AsyncClient:
    """One pooled client per run, shared by every step and parallel group."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    return httpx.AsyncClient(limits=limits, timeout=DEFAULT_TIMEOUT)


async def probe(client: httpx.AsyncClient, request: HttpRequest) -> Observation:
    seen = Observation(kind="http", request=request.describe())
    started = time.perf_counter()
    for _ in range(request.samples):
        await _one(client, request, seen)
        if seen.error is not None or seen.body_error is not None:
            break
    seen.duration_ms = (time.perf_counter() - started) * 1000
    return seen


async def _one(client: httpx.AsyncClient, request: HttpRequest, seen: Observation) -> None:
    query = {key: _query_value(value) for key, value in request.query.items()}
    phase = "waiting for the response"
    started = time.perf_counter()
    try:
        async with asyncio.timeout(request.timeout):
            outgoing = client.build_request(
                request.method,
                request.url,
                headers=dict(request.headers),
                params=query or None,
                json=request.json if request.has_json else None,
                content=request.body,
                timeout=httpx.Timeout(request.timeout),
            )
            response = await client.send(
                outgoing, stream=True, follow_redirects=request.follow_redirects
            )
            try:
                phase = f"reading the body (status {response.status_code} received)"
                body, complete = await _bounded_read(response, request.max_body_bytes)
            finally:
                await response.aclose()
    except (TimeoutError, httpx.TimeoutException):
        seen.error = (
            f"timed out after {format_duration(timedelta(seconds=request.timeout))} {phase}"
        )
        return
    except httpx.HTTPError as error:
        seen.error = describe_fault(error, request.url)
        return
    seen.latencies_ms.append((time.perf_counter() - started) * 1000)
    seen.status = response.status_code
    seen.statuses.append(response.status_code)
    seen.headers = {key.lower(): value for key, value in response.headers.items()}
    seen.body = body.decode(response.encoding or "utf-8", errors="replace")
    if not complete:
        limit = format_bytes(request.max_body_bytes)
        seen.body_error = (
            f"body larger than {limit}; read stopped at {limit} (raise http.max_body_bytes "
            "if the response is meant to be this large)"
        )


def _query_value(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


async def _bounded_read(response: httpx.Response, limit: int) -> tuple[bytes, bool]:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            return b"".join(chunks)[:limit], False
    return b"".join(chunks), True


def format_bytes(count: int) -> str:
    if count >= 1024 * 1024 and count % (1024 * 1024) == 0:
        return f"{count // (1024 * 1024)} MiB"
    if count >= 1024 and count % 1024 == 0:
        return f"{count // 1024} KiB"
    return f"{count} bytes"


def describe_fault(error: httpx.HTTPError, url: str) -> str:
    """A reason a person can act on, from the exception chain httpx raises."""
    parts = urlsplit(url)
    where = parts.netloc or url
    host = parts.hostname or where
    for cause in _chain(error):
        if isinstance(cause, socket.gaierror):
            return f"DNS lookup failed for {host}: {cause.strerror or cause}"
        if isinstance(cause, ssl.SSLError):
            reason = cause.reason or cause.strerror or str(cause)
            return f"TLS handshake with {where} failed: {reason}"
        if isinstance(cause, ConnectionRefusedError):
            return f"connection refused by {where}"
        if isinstance(cause, ConnectionResetError):
            return f"connection reset by {where}"
    if isinstance(error, httpx.RemoteProtocolError):
        return f"{where} broke the HTTP protocol: {error}"
    if isinstance(error, httpx.TooManyRedirects):
        return f"too many redirects from {url}"
    if isinstance(error, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return f"invalid URL {url!r}: {error}"
    if isinstance(error, httpx.DecodingError):
        return f"{where} sent a body that cannot be decoded: {error}"
    if isinstance(error, httpx.ConnectError):
        return f"cannot connect to {where}: {error}"
    return f"request to {where} failed: {type(error).__name__}: {error}"


def _chain(error: BaseException) -> list[BaseException]:
    found: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in found:
        found.append(current)
        current = current.__cause__ or current.__context__
    return found
