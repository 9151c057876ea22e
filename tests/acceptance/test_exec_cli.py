"""``runbook exec``, ``history`` and ``show`` end to end: the console script in a subprocess."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO
from tests.unit.engine.support import Misbehaving, document, make_corpus

CANARY = "canary-0a1b2c3d4e5f"


@pytest.fixture(scope="module")
def server() -> Iterator[Misbehaving]:
    running = Misbehaving().start()
    yield running
    running.stop()


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    probe = {"id": "probe", "title": "Probe", "http": {"url": "/ok"}, "expect": {"status": 200}}
    make_corpus(
        tmp_path,
        document(
            "interruptible",
            [
                probe,
                {"id": "pause", "title": "Pause", "wait": {"duration": "3s"}},
                {**probe, "id": "after"},
            ],
        ),
        document("forever", [{"id": "pause", "title": "Pause", "wait": {"duration": "1h"}}]),
        document(
            "leaky",
            [
                {
                    "id": "echoed",
                    "title": "Echo",
                    "http": {
                        "url": "/echo?token={{ secrets.canary }}",
                        "headers": {"Authorization": "Bearer {{ secrets.canary }}"},
                    },
                    "expect": {"body_not_contains": "Bearer"},
                },
            ],
            secrets={"canary": {"env": "RUNBOOK_TEST_CANARY"}},
            parameters={"count": {"type": "integer", "default": 1}},
        ),
        document(
            "danger", [{"id": "wipe", "title": "Wipe", "http": {"url": "/ok"}, "destructive": True}]
        ),
        document(
            "typo", [{"id": "probe", "title": "Probe", "http": {"url": "/x?{{ vars.zonee }}"}}]
        ),
    )
    return tmp_path


def environ(workspace: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "RUNBOOK_RUNS_DIR": str(workspace / "runs"), **extra}
    env.pop("RUNBOOK_TEST_CANARY", None)
    env.update(extra)
    return env


def runbook(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["runbook", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env or environ(cwd),
        check=False,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def records(workspace: Path) -> list[Path]:
    return sorted((workspace / "runs").glob("*.jsonl"))


def events(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.endswith("}")]


def test_daily_morning_against_the_local_reference_service(tmp_path: Path) -> None:
    result = runbook("exec", "daily-morning", cwd=REPO, env=environ(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Result: OK (exit 0)" in result.stdout
    assert "health_check" in result.stdout and "record: " in result.stdout


def test_an_unknown_variable_is_a_usage_error_before_anything_runs(
    workspace: Path, server: Misbehaving
) -> None:
    before = len(server.requests)
    result = runbook("exec", "typo", "--base-url", server.url, cwd=workspace)
    assert result.returncode == 2
    assert "unknown variable vars.zonee; did you mean vars.zone?" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(server.requests) == before and not records(workspace)


def test_report_formats(workspace: Path, server: Misbehaving) -> None:
    base = ("exec", "interruptible", "--base-url", server.url, "--only", "probe")
    as_json = runbook(*base, "--format", "json", cwd=workspace)
    assert as_json.returncode == 0, as_json.stderr
    assert json.loads(as_json.stdout)["status"] == "ok"
    junit = workspace / "out" / "junit.xml"
    result = runbook(*base, "--format", "junit", "--output", str(junit), cwd=workspace)
    assert result.returncode == 0 and "Result: OK" in result.stdout
    assert ET.parse(junit).getroot().find("testsuite") is not None
    markdown = runbook(*base, "--format", "markdown", cwd=workspace)
    assert markdown.stdout.startswith("## ✅ Test interruptible — OK")


def test_canary_secret_is_masked_everywhere(workspace: Path, server: Misbehaving) -> None:
    env = environ(workspace, RUNBOOK_TEST_CANARY=CANARY)
    outputs = []
    for fmt in ("text", "json", "junit", "markdown"):
        result = runbook(
            "exec", "leaky", "--base-url", server.url, "--format", fmt, cwd=workspace, env=env
        )
        assert result.returncode == 1
        outputs += [result.stdout, result.stderr]
    assert "Bearer ***" in outputs[2]  # the json report carries the echoed body
    dry = runbook("exec", "leaky", "--dry-run", cwd=workspace, env=env)
    assert "/echo?token=***" in dry.stdout
    dry_markdown = runbook(
        "exec", "leaky", "--dry-run", "--format", "markdown", cwd=workspace, env=env
    )
    assert dry_markdown.returncode == 0 and "/echo?token=***" in dry_markdown.stdout
    outputs.append(dry_markdown.stdout)
    error = runbook("exec", "leaky", "--var", f"count={CANARY}", cwd=workspace, env=env)
    assert error.returncode == 2 and "parameter count='***' is not an integer" in error.stderr
    shown = runbook("show", "last", cwd=workspace, env=env)
    history = runbook("history", "--format", "json", cwd=workspace, env=env)
    files = [path.read_text() for path in records(workspace)]
    for text in [
        *outputs,
        dry.stdout,
        dry.stderr,
        error.stderr,
        shown.stdout,
        history.stdout,
        *files,
    ]:
        assert CANARY not in text


def start_until_paused(
    workspace: Path, server: Misbehaving, document: str
) -> tuple[subprocess.Popen[str], Path]:
    """``runbook exec DOCUMENT`` in the background, once its step ``pause`` has started."""
    process = subprocess.Popen(
        ["runbook", "exec", document, "--base-url", server.url],
        cwd=workspace,
        env=environ(workspace),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    return process, wait_for_step_start(workspace / "runs", "pause", process)


def wait_for_step_start(path_glob: Path, step: str, process: subprocess.Popen[str]) -> Path:
    """Poll the runs folder until the record says ``step`` started (no fixed sleep)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        for path in path_glob.glob("*.jsonl"):
            if any(e.get("event") == "step_started" and e.get("key") == step for e in events(path)):
                return path
        time.sleep(0.02)
    raise AssertionError(f"step {step} never started")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_mid_run_leaves_an_interrupted_record_and_exit_130(
    workspace: Path, server: Misbehaving, sig: signal.Signals
) -> None:
    process, path = start_until_paused(workspace, server, "forever")
    process.send_signal(sig)
    stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 130, stdout + stderr
    assert "INTERRUPTED" in stdout
    last = events(path)[-1]
    assert last["event"] == "run_interrupted" and last["reason"] == f"interrupted by {sig.name}"
    assert events(path)[-2]["result"]["status"] == "interrupted"


def test_ctrl_c_then_resume_completes_the_run(workspace: Path, server: Misbehaving) -> None:
    process, path = start_until_paused(workspace, server, "interruptible")
    process.send_signal(signal.SIGINT)
    process.communicate(timeout=30)
    assert process.returncode == 130
    run_id = path.stem
    shown = runbook("show", run_id, "--format", "json", cwd=workspace)
    assert json.loads(shown.stdout)["status"] == "interrupted"
    resumed = runbook("exec", "--resume", run_id, "--base-url", server.url, cwd=workspace)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    record = json.loads(runbook("show", run_id, "--format", "json", cwd=workspace).stdout)
    assert record["status"] == "ok"
    assert [(s["key"], s["status"]) for s in record["steps"]] == [
        ("probe", "ok"),
        ("pause", "ok"),
        ("after", "ok"),
    ]
    assert "resumed with" in record["steps"][1]["reason"]
    history = runbook("history", "interruptible", cwd=workspace)
    assert run_id in history.stdout


def test_protected_environment_and_destructive_steps(workspace: Path, server: Misbehaving) -> None:
    refused = runbook(
        "exec", "danger", "--env", "production", "--base-url", server.url, cwd=workspace
    )
    assert refused.returncode == 2
    assert "destructive steps need confirmation" in refused.stderr
    confirmed = runbook(
        "exec", "danger", "--env", "production", "--base-url", server.url, "--yes", cwd=workspace
    )
    assert confirmed.returncode == 0, confirmed.stdout + confirmed.stderr


def test_usage_errors(workspace: Path) -> None:
    assert runbook("exec", cwd=workspace).returncode == 2
    missing = runbook("exec", "interuptible", cwd=workspace)
    assert missing.returncode == 2 and "did you mean interruptible?" in missing.stderr
    assert runbook("show", "nope", cwd=workspace).returncode == 2


def test_python_dash_m_entry_point_works(workspace: Path, server: Misbehaving) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "runbook",
            "exec",
            "interruptible",
            "--only",
            "probe",
            "--base-url",
            server.url,
        ],
        cwd=workspace,
        env=environ(workspace),
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
