"""`runbook service ...` as an operator runs it: real processes against a real service."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from runbook.service import RunningService, ServiceConfig, start_service

TOKEN = "acceptance-admin-token"


@pytest.fixture(scope="module")
def service() -> Iterator[RunningService]:
    with start_service(ServiceConfig(admin_token=TOKEN)) as running:
        yield running


def runbook(*args: str, token: str | None = TOKEN) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "RUNBOOK_ADMIN_TOKEN"}
    if token is not None:
        env["RUNBOOK_ADMIN_TOKEN"] = token
    return subprocess.run(
        [sys.executable, "-m", "runbook", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def active_faults(service: RunningService) -> dict[str, dict[str, object]]:
    with httpx.Client(base_url=service.base_url) as client:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        faults: dict[str, dict[str, object]] = client.get(
            "/api/admin/faults", headers=headers
        ).json()["faults"]
        return faults


def test_fault_set_list_clear(service: RunningService) -> None:
    url = ("--base-url", service.base_url)
    result = runbook("service", "fault", "set", "latency", "--ms", "25", *url)
    assert result.returncode == 0, result.stderr
    assert "fault latency set (ms=25)" in result.stdout
    assert active_faults(service)["latency"]["ms"] == 25

    result = runbook("service", "fault", "set", "error_rate", "--rate", "0.5", *url)
    assert result.returncode == 0, result.stderr
    listed = runbook("service", "fault", "list", *url)
    assert listed.returncode == 0
    lines = listed.stdout.splitlines()
    assert any(line.startswith("latency") and "ms=25" in line for line in lines)
    assert any(line.startswith("error_rate") and "rate=0.5" in line for line in lines)

    cleared = runbook("service", "fault", "clear", "latency", *url)
    assert cleared.returncode == 0 and "cleared latency" in cleared.stdout
    assert set(active_faults(service)) == {"error_rate"}
    cleared_all = runbook("service", "fault", "clear", *url)
    assert cleared_all.returncode == 0 and "cleared error_rate" in cleared_all.stdout
    assert runbook("service", "fault", "list", *url).stdout.strip() == "no active faults"


def test_token_option_beats_nothing_and_json_listing(service: RunningService) -> None:
    result = runbook(
        "service",
        "fault",
        "list",
        "--json",
        "--base-url",
        service.base_url,
        "--token",
        TOKEN,
        token=None,
    )
    assert result.returncode == 0, result.stderr
    assert '"faults"' in result.stdout


def test_wrong_token_is_a_usage_error_with_a_hint(service: RunningService) -> None:
    result = runbook("service", "fault", "list", "--base-url", service.base_url, token="nope")
    assert result.returncode == 2
    assert "error:" in result.stderr and "hint:" in result.stderr
    assert "nope" not in result.stderr
    assert TOKEN not in result.stderr + result.stdout


def test_missing_token_is_a_usage_error(service: RunningService) -> None:
    result = runbook("service", "fault", "list", "--base-url", service.base_url, token=None)
    assert result.returncode == 2
    assert "RUNBOOK_ADMIN_TOKEN" in result.stderr


def test_unreachable_service_is_a_service_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound but not listening: connections are refused
        result = runbook("service", "fault", "list", "--base-url", f"http://127.0.0.1:{port}")
    assert result.returncode == 1
    assert "cannot reach the service" in result.stderr
    assert "runbook service serve" in result.stderr


def test_bad_parameters_are_refused_before_or_by_the_service(service: RunningService) -> None:
    url = ("--base-url", service.base_url)
    assert runbook("service", "fault", "set", "meteor", *url).returncode == 2
    assert runbook("service", "fault", "set", "latency", "--ms", "0", *url).returncode == 2
    missing = runbook("service", "fault", "set", "latency", *url)
    assert missing.returncode == 2
    assert "needs 'ms'" in missing.stderr


def test_serve_prints_a_generated_token_once() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k != "RUNBOOK_ADMIN_TOKEN"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "runbook",
            "service",
            "serve",
            "--port",
            str(port),
            "--seed-demo-data",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        listening = process.stdout.readline()
        assert f"listening on http://127.0.0.1:{port}" in listening
        token_line = process.stdout.readline()
        assert token_line.startswith("admin token (generated, shown once): ")
        token = token_line.rsplit(" ", 1)[1].strip()
        result = runbook(
            "service", "fault", "list", "--base-url", f"http://127.0.0.1:{port}", token=token
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "no active faults"
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=30)
    # uvicorn shuts down gracefully, then re-raises SIGTERM so the exit status says why.
    assert process.returncode in (0, -signal.SIGTERM), stderr
    assert token not in stderr
    database = Path(listening.split("(database ", 1)[1].rstrip(")\n"))
    assert not database.parent.exists()  # the throwaway database went with the server
