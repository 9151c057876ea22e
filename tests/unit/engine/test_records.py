"""Run records: events on disk, folding them back, history, and resuming."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from runbook.engine import find_run, list_runs, load_record
from runbook.errors import NotFoundError, UsageError
from tests.unit.engine.conftest import Runner, by_key
from tests.unit.engine.support import Misbehaving, document


def http(step_id: str, url: str, **extra: Any) -> dict[str, Any]:
    return {"id": step_id, "title": step_id, "http": {"url": url}, **extra}


def events(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_the_record_is_a_sequence_of_events_with_who_and_when(run: Runner) -> None:
    record = run(document("plain", [http("one", "/ok"), http("two", "/ok")]), user="thandi")
    assert record.path is not None
    kinds = [event["event"] for event in events(record.path)]
    assert kinds == [
        "run_started",
        "step_started",
        "step_finished",
        "step_started",
        "step_finished",
        "run_finished",
    ]
    assert record.user == "thandi"
    assert record.started_at.endswith("Z") and record.started_at_sast.endswith("+02:00")
    assert record.documents == {"plain": "1.0.0"}
    assert load_record(record.path) == record


def test_a_killed_run_reads_as_interrupted(run: Runner, tmp_path: Path) -> None:
    record = run(document("plain", [http("one", "/ok"), http("two", "/ok")]))
    assert record.path is not None
    lines = record.path.read_text().splitlines()
    header = json.loads(lines[0])
    header["run"]["pid"] = 2**22 + 1  # no such process
    started_two = lines[3]
    killed = tmp_path / "killed.jsonl"
    # As if the process died while step two was in flight, mid-way through writing a line.
    killed.write_text("\n".join([json.dumps(header), *lines[1:3], started_two, '{"eve']) + "\n")
    loaded = load_record(killed)
    assert loaded.status == "interrupted" and loaded.exit_code == 130
    assert by_key(loaded)["two"].status == "interrupted"
    assert by_key(loaded)["one"].status == "ok"


def test_resume_a_failed_run_from_the_failed_step_with_outputs_restored(
    run: Runner, misbehaving: Misbehaving
) -> None:
    key = uuid.uuid4().hex
    doc = document(
        "resumable",
        [
            http("first", "/json?token=t0k3n", outputs={"token": {"json": "$.query.token"}}),
            http(
                "second",
                f"/flaky?key={key}&fail=1&t={{{{ steps.first.token }}}}",
                expect={"status": 200},
            ),
            http("third", "/ok"),
        ],
    )
    failed = run(doc)
    assert failed.status == "critical" and failed.stopped_at == "second"
    assert "third" not in by_key(failed)
    resumed = run(doc, document=None, resume=failed.run_id)
    assert resumed.run_id == failed.run_id and resumed.path == failed.path
    assert resumed.status == "ok" and resumed.exit_code == 0
    assert [step.key for step in resumed.steps] == ["first", "second", "third"]
    assert len(resumed.resumes) == 1
    assert misbehaving.requests[-2] == f"GET /flaky?key={key}&fail=1&t=t0k3n"
    # The first step was not run again.
    assert sum("/json?token=t0k3n" in line for line in misbehaving.requests[-3:]) == 0


def test_a_finished_run_has_nothing_to_resume(run: Runner) -> None:
    record = run(document("done", [http("one", "/ok")]))
    with pytest.raises(UsageError, match="nothing to resume"):
        run(document("done", [http("one", "/ok")]), document=None, resume=record.run_id)


def test_a_changed_document_cannot_be_resumed(run: Runner) -> None:
    doc = document("change", [http("one", "/status/500", expect={"status": 200})])
    record = run(doc)
    doc["version"] = "1.1.0"
    with pytest.raises(UsageError, match=r"changed since run .* \(1.0.0 -> 1.1.0\)"):
        run(doc, document=None, resume=record.run_id)


def test_history_lists_newest_first_and_finds_by_prefix(run: Runner, tmp_path: Path) -> None:
    first = run(document("alpha", [http("one", "/ok")]))
    second = run(document("beta", [http("one", "/status/500", expect={"status": 200})]))
    runs_dir = tmp_path / "runs"
    assert {r.run_id for r in list_runs(runs_dir)} == {first.run_id, second.run_id}
    assert [r.run_id for r in list_runs(runs_dir, "beta")] == [second.run_id]
    assert find_run(runs_dir, second.run_id[:-2]).run_id == second.run_id
    assert find_run(runs_dir, "last").run_id in {first.run_id, second.run_id}
    with pytest.raises(NotFoundError):
        find_run(runs_dir, "19990101")
    assert list_runs(tmp_path / "nowhere") == []
