"""The dry run touches nothing; JUnit and Markdown reports carry every step's result."""

from __future__ import annotations

import asyncio
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, NoReturn

import httpx
import pytest

import runbook.service.server
from runbook.engine import ExecOptions, dry_run, render_junit, render_markdown
from runbook.engine.reports import render_dry_run_markdown
from runbook.templating import JinjaTemplater
from tests.unit.engine.conftest import Runner, load
from tests.unit.engine.support import Misbehaving, document


def full_document() -> list[dict[str, Any]]:
    inner = document(
        "inner-checks",
        [{"id": "inner_probe", "title": "Inner", "http": {"url": "/ok?who={{ params.who }}"}}],
        parameters={"who": {"type": "string", "default": "nobody"}},
    )
    outer = document(
        "everything",
        [
            {
                "id": "probe",
                "title": "Probe",
                "http": {"url": "/api/health", "samples": 3},
                "expect": {"status": 200, "latency": {"sla": "api-response-time"}},
                "outputs": {"version": {"json": "$.version"}},
                "retry": {"attempts": 2},
            },
            {
                "id": "tool",
                "title": "Tool",
                "command": {"argv": [sys.executable, "-c", "1", "{{ steps.probe.version }}"]},
                "expect": {"exit_code": 0},
                "environments": ["production"],
            },
            {
                "id": "group",
                "title": "Group",
                "parallel": [{"id": "member", "title": "Member", "wait": {"duration": "1h"}}],
            },
            {
                "id": "nested",
                "title": "Nested",
                "include": {"document": "inner-checks", "parameters": {"who": "ops"}},
            },
            {"id": "person", "title": "Person", "manual": {"checklist": ["Look"]}},
        ],
    )
    return [outer, inner]


# The order a dry run lists full_document's steps in: members and included steps inline.
STEP_KEYS = ["probe", "tool", "group", "member", "nested", "nested/inner_probe", "person"]


def refuse(*args: Any, **kwargs: Any) -> NoReturn:
    raise AssertionError("the dry run touched the outside world")


def test_dry_run_touches_no_network_no_process_and_starts_no_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, misbehaving: Misbehaving
) -> None:
    monkeypatch.setattr(runbook.service.server, "start_service", refuse)
    monkeypatch.setattr(asyncio, "create_subprocess_exec", refuse)
    monkeypatch.setattr(httpx.AsyncClient, "send", refuse)
    before = len(misbehaving.requests)
    corpus = load(tmp_path, *full_document())
    options = ExecOptions(document="everything", dry_run=True, runs_dir=tmp_path / "runs")
    plan = dry_run(corpus, options, JinjaTemplater())
    assert len(misbehaving.requests) == before
    assert not (tmp_path / "runs").exists()
    steps = {step.key: step for step in plan.steps}
    assert list(steps) == STEP_KEYS
    assert steps["probe"].detail == {
        "method": "GET",
        "url": "http://127.0.0.1:<port>/api/health",
        "samples": 3,
    }
    assert steps["probe"].expect[1].startswith("latency p95 graded by api-response-time")
    assert steps["tool"].detail["argv"][-1] == "<steps.probe.version>"
    assert steps["tool"].skip == "runs only in production"
    assert steps["nested/inner_probe"].detail["url"].endswith("/ok?who=ops")
    assert steps["member"].depth == 1 and steps["member"].detail["duration"] == "1 h"


def test_dry_run_as_a_markdown_change_request(tmp_path: Path) -> None:
    corpus = load(tmp_path, *full_document())
    options = ExecOptions(document="everything", dry_run=True, runs_dir=tmp_path / "runs")
    text = render_dry_run_markdown(dry_run(corpus, options, JinjaTemplater()))
    lines = text.splitlines()
    assert lines[0] == "## Dry run: Test everything"
    assert "nothing was sent or run" in lines[2]
    rows = [line for line in lines if line.startswith("| ") and line[2].isdigit()]
    assert [row.split("|")[2].split("`")[1] for row in rows] == STEP_KEYS
    assert "`GET http://127.0.0.1:<port>/api/health`<br>samples: 3" in rows[0]
    assert "skipped: runs only in production" in rows[1]
    assert "1 '<steps.probe.version>'`" in rows[1]
    assert "↳ `member`" in rows[3]
    assert "checklist: Look" in rows[6]


def test_junit_and_markdown(run: Runner) -> None:
    doc = document(
        "report",
        [
            {"id": "good", "title": "Good", "http": {"url": "/ok"}},
            {
                "id": "bad",
                "title": "Bad | piped",
                "http": {"url": "/status/503"},
                "expect": {"status": 200},
                "on_failure": "continue",
            },
            {
                "id": "meh",
                "title": "Meh",
                "http": {"url": "/status/503"},
                "expect": {"status": 200},
                "failure_grade": "warning",
                "on_failure": "continue",
            },
            {"id": "look", "title": "Look", "manual": True},
        ],
    )
    record = run(doc)
    suite = ET.fromstring(render_junit(record)).find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("4", "1", "1")
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    failure = cases["bad: Bad | piped"].find("failure")
    assert failure is not None and failure.get("message") == "status 503, expected 200"
    out = cases["meh: Meh"].find("system-out")
    assert out is not None and "warning: status 503, expected 200" in (out.text or "")
    markdown = render_markdown(record)
    assert markdown.startswith("## ❌ Test report — CRITICAL")
    assert "| ❌ | `bad` Bad \\| piped | critical |" in markdown
    assert "- **bad** (critical): status 503, expected 200" in markdown
