"""Faults of the target are failed checks with a clear reason, never crashes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from runbook.engine.http_probe import HttpRequest, probe
from tests.unit.engine.conftest import Runner, by_key
from tests.unit.engine.support import Misbehaving, closed_port, document


def http_step(url: str, **extra: Any) -> dict[str, Any]:
    return {"id": "probe", "title": "Probe", "http": {"url": url, **extra.pop("http", {})}, **extra}


def one_failure(run: Runner, step: dict[str, Any], **options: Any) -> tuple[str, Any]:
    record = run(document("fault", [step]), **options)
    result = by_key(record)["probe"]
    assert record.status == "critical" and record.exit_code == 1
    assert result.status == "critical"
    return result.reason, result


def test_connection_refused(run: Runner) -> None:
    with closed_port() as port:
        reason, result = one_failure(run, http_step(f"http://127.0.0.1:{port}/api/health"))
    assert reason == f"connection refused by 127.0.0.1:{port}"
    assert [check.grade for check in result.checks] == ["critical", "skipped"]
    assert result.checks[1].message == f"not checked: {reason}"


def test_dns_failure(run: Runner) -> None:
    reason, _ = one_failure(run, http_step("http://runbook-engine-test.invalid/health"))
    assert reason.startswith("DNS lookup failed for runbook-engine-test.invalid")


def test_tls_error_speaking_https_to_a_plain_port(run: Runner, misbehaving: Misbehaving) -> None:
    url = misbehaving.url.replace("http://", "https://") + "/ok"
    reason, _ = one_failure(run, http_step(url, http={"timeout": "5s"}))
    assert reason.startswith(f"TLS handshake with 127.0.0.1:{misbehaving.port} failed")


def test_timeout_waiting_for_headers(run: Runner) -> None:
    reason, _ = one_failure(run, http_step("/slow-headers", http={"timeout": "300ms"}))
    assert reason == "timed out after 300 ms waiting for the response"


def test_slow_body_is_bounded_by_the_timeout(run: Runner) -> None:
    reason, _ = one_failure(run, http_step("/slow-body", http={"timeout": "300ms"}))
    assert reason == "timed out after 300 ms reading the body (status 200 received)"


def test_huge_body_read_is_bounded(run: Runner) -> None:
    step = http_step("/huge", expect={"status": 200, "body_contains": "xxx"})
    reason, result = one_failure(run, step)
    assert reason.startswith("body larger than 1 MiB; read stopped at 1 MiB")
    grades = {check.name: check.grade for check in result.checks}
    assert grades == {"status": "ok", "body": "critical", "body contains": "skipped"}


def test_max_body_bytes_raises_the_bound(run: Runner) -> None:
    step = http_step("/huge", http={"max_body_bytes": 4 * 1024 * 1024}, expect={"status": 200})
    record = run(document("fault", [step]))
    assert record.status == "ok"


def test_invalid_json(run: Runner) -> None:
    step = http_step("/invalid-json", expect={"json": [{"path": "$.status", "equals": "ok"}]})
    reason, result = one_failure(run, step)
    assert reason.startswith("body is not valid JSON (")
    assert result.checks[0].actual == "not JSON"


@pytest.mark.parametrize("code", [500, 503])
def test_5xx_status(run: Runner, code: int) -> None:
    reason, _ = one_failure(run, http_step(f"/status/{code}", expect={"status": 200}))
    assert reason == f"status {code}, expected 200"


def test_5xx_without_expectations_fails_the_implicit_status_check(run: Runner) -> None:
    reason, _ = one_failure(run, http_step("/status/502"))
    assert reason == "status 502, expected 2xx or 3xx"


def test_connection_dropped_without_a_response(run: Runner, misbehaving: Misbehaving) -> None:
    reason, _ = one_failure(run, http_step("/drop"))
    assert reason.startswith(f"127.0.0.1:{misbehaving.port} broke the HTTP protocol")


def test_command_not_found_and_timeout(run: Runner) -> None:
    steps = [
        {
            "id": "missing",
            "title": "Missing",
            "command": {"argv": ["no-such-tool-xyz"]},
            "on_failure": "continue",
        },
        {"id": "slow", "title": "Slow", "command": {"argv": ["sleep", "30"], "timeout": "200ms"}},
    ]
    record = run(document("commands", steps))
    results = by_key(record)
    assert results["missing"].reason == "command not found: no-such-tool-xyz"
    assert results["slow"].reason == "sleep timed out after 200 ms and was killed"


def test_a_fault_no_real_server_produces_a_decoding_error() -> None:
    """A body that claims gzip but is not: only a mock transport can send it reliably."""

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-encoding": "gzip"}, content=b"not gzip")

    async def go() -> str | None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
            seen = await probe(
                client, HttpRequest("GET", "http://mock.test/", headers={}, query={})
            )
        return seen.error

    import asyncio

    error = asyncio.run(go())
    assert error is not None and error.startswith("mock.test sent a body that cannot be decoded")
