"""Against the real reference service: the engine starts it, injects its admin token as the
local environment's secret, and grades what a faulty service returns."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from runbook.engine import ExecOptions, ManualAnswer, execute
from runbook.templating import JinjaTemplater
from tests.unit.engine.conftest import by_key, load
from tests.unit.engine.support import document

ADMIN = {"Authorization": "Bearer {{ secrets.admin_token }}"}


def fault(step_id: str, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": step_id,
        "title": f"Inject {body['fault']}",
        "http": {"url": "/api/admin/faults", "method": "POST", "headers": ADMIN, "json": body},
        "expect": {"status": 200},
    }


def test_embedded_service_with_injected_faults(tmp_path: Path) -> None:
    steps = [
        {
            "id": "healthy",
            "title": "Healthy",
            "http": {"url": "/api/health"},
            "expect": {"status": 200, "json": [{"path": "$.status", "equals": "healthy"}]},
        },
        fault("slow", {"fault": "latency", "ms": 300}),
        {
            "id": "slow_health",
            "title": "Slow",
            "http": {"url": "/api/health", "samples": 3},
            "expect": {"latency": {"sla": "api-response-time", "percentile": "p50"}},
        },
        fault("break_db", {"fault": "database_down"}),
        {
            "id": "down",
            "title": "Down",
            "http": {"url": "/api/health"},
            "expect": {"status": 200},
            "on_failure": "continue",
        },
        {
            "id": "clear",
            "title": "Clear",
            "http": {"url": "/api/admin/faults", "method": "DELETE", "headers": ADMIN},
        },
    ]
    corpus = load(tmp_path, document("faulty", steps))
    options = ExecOptions(document="faulty", runs_dir=tmp_path / "runs", environ={})
    record = execute(corpus, options, templater=JinjaTemplater())
    results = by_key(record)
    assert record.base_url is not None and record.base_url.startswith("http://127.0.0.1:")
    assert results["healthy"].status == "ok"
    assert results["break_db"].status == "ok"  # the injected token was accepted
    latency = results["slow_health"].checks[0]
    assert latency.grade == "warning" and latency.sla == "api-response-time"
    assert "> critical 1000 ms? no: warning above 200 ms" in latency.message
    assert results["down"].reason == "status 503, expected 200"
    assert results["clear"].status == "ok"
    assert record.status == "critical" and record.exit_code == 1
    # The generated admin token is a secret too: it never reaches the record.
    text = record.path.read_text() if record.path else ""
    assert "Bearer ***" in text and not re.search(r"Bearer (?!\*\*\*)", text)


class _Confirms:
    """An operator who ticks every manual step."""

    def manual(self, step: Any, instructions: str, checklist: Any) -> ManualAnswer:
        return ManualAnswer("done", "checked", "tester")

    def approval(self, step: Any, request: Any) -> tuple[()]:
        return ()

    def confirm(self, step: Any, message: str) -> bool:
        return True


def test_a_resumed_local_run_finds_what_its_earlier_steps_created(tmp_path: Path) -> None:
    booking = {
        "service_id": "svc-wash-blowdry",
        "staff_id": "stf-thandi",
        "start": "2027-03-10T10:00:00+02:00",
        "customer": {"name": "Lindiwe Test", "email": "lindiwe@example.co.za"},
    }
    steps = [
        {
            "id": "create",
            "title": "Create a test booking",
            "http": {"url": "/api/bookings", "method": "POST", "json": booking},
            "expect": {"status": 201},
            "outputs": {"booking": {"json": "$.id"}},
        },
        {"id": "confirm", "title": "Confirm on the dashboard", "manual": {"required": True}},
        {
            "id": "read",
            "title": "The booking is still there",
            "http": {"url": "/api/bookings/{{ steps.create.booking }}"},
            "expect": {"status": 200, "json": [{"path": "$.status", "equals": "pending_payment"}]},
        },
    ]
    corpus = load(tmp_path, document("stateful", steps))
    runs = tmp_path / "runs"
    options = ExecOptions(document="stateful", runs_dir=runs, environ={})
    failed = execute(corpus, options, templater=JinjaTemplater())
    assert failed.status == "critical" and by_key(failed)["confirm"].status == "critical"
    state = runs / f"{failed.run_id}.sqlite3"
    assert state.is_file()  # kept for --resume

    resume = ExecOptions(resume=failed.run_id, runs_dir=runs, environ={}, interactive=True)
    resumed = execute(corpus, resume, templater=JinjaTemplater(), prompter=_Confirms())
    assert resumed.status == "ok", by_key(resumed)["read"].reason
    assert by_key(resumed)["read"].status == "ok"
    assert not state.exists()  # nothing left to resume
