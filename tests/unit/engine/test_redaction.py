"""A canary secret never appears in any output: terminal, reports, records, errors, dry run."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from runbook.cli.run_report import LiveProgress, make_console, render_record, render_summary
from runbook.engine import (
    ExecOptions,
    Redactor,
    dry_run,
    render_json,
    render_junit,
    render_markdown,
)
from runbook.engine.reports import render_dry_run_json
from runbook.errors import UsageError
from runbook.templating import JinjaTemplater
from tests.unit.engine.conftest import Runner, by_key, load
from tests.unit.engine.support import Misbehaving, document

CANARY = "canary-9f8e7d6c5b4a"
ENVIRON = {"RUNBOOK_TEST_CANARY": CANARY}


def canary_document() -> dict[str, Any]:
    echo_script = "import sys; print('token', sys.argv[1]); sys.exit(3)"
    return document(
        "canary",
        [
            {
                "id": "echoed",
                "title": "Server echoes the secret back",
                "instructions": "Uses {{ secrets.canary }} against {{ env.base_url }}",
                "http": {
                    "url": "/echo?token={{ secrets.canary }}",
                    "headers": {"Authorization": "Bearer {{ secrets.canary }}"},
                    "json": {"token": "{{ secrets.canary }}"},
                    "method": "POST",
                },
                "expect": {"status": 200, "body_not_contains": "Bearer"},
                "outputs": {"echo": {"value": "body"}},
                "on_failure": "continue",
            },
            {
                "id": "printed",
                "title": "A command prints the secret",
                "command": {"argv": [sys.executable, "-c", echo_script, "{{ secrets.canary }}"]},
                "expect": {"exit_code": 0, "output_contains": "nothing"},
                "on_failure": "continue",
            },
            {"id": "noted", "title": "Note", "manual": True},
        ],
        secrets={"canary": {"env": "RUNBOOK_TEST_CANARY"}},
    )


def test_redactor_masks_every_form_of_a_secret() -> None:
    redactor = Redactor(["p@ss word/+=", "abc", None])
    text = (
        'raw p@ss word/+= json "p@ss word/+=" url p%40ss%20word%2F%2B%3D plus p%40ss+word%2F%2B%3D'
    )
    assert redactor.text(text) == 'raw *** json "***" url *** plus ***'
    assert redactor.text("abc is too short to mask") == "abc is too short to mask"
    nested = {"a": ["x p@ss word/+= y", {"p@ss word/+=": 1}], "b": 2}
    assert redactor.value(nested) == {"a": ["x *** y", {"***": 1}], "b": 2}


def test_canary_never_appears_in_any_sink(
    run: Runner, tmp_path: Path, misbehaving: Misbehaving
) -> None:
    terminal = io.StringIO()
    console = make_console(terminal)
    record = run(canary_document(), environ=ENVIRON, listener=LiveProgress(console))
    results = by_key(record)
    # The secret was really used: the server saw it and echoed it back.
    assert misbehaving.requests[-1].startswith("POST /echo?token=")
    assert results["echoed"].status == "critical"
    assert "***" in results["echoed"].outputs["echo"]
    assert "Bearer ***" in results["echoed"].checks[1].actual
    assert "token ***" in results["printed"].detail["stdout_tail"]
    render_summary(console, record)
    render_record(console, record)
    assert record.path is not None
    sinks = {
        "terminal": terminal.getvalue(),
        "json": render_json(record),
        "junit": render_junit(record),
        "markdown": render_markdown(record),
        "history file": record.path.read_text(),
    }
    for name, text in sinks.items():
        assert CANARY not in text, name
        assert "***" in text, name


def test_canary_is_masked_in_the_dry_run(tmp_path: Path) -> None:
    corpus = load(tmp_path, canary_document())
    options = ExecOptions(document="canary", environ=ENVIRON, dry_run=True, runs_dir=tmp_path)
    plan = dry_run(corpus, options, JinjaTemplater())
    text = render_dry_run_json(plan)
    assert CANARY not in text
    echoed = plan.steps[0]
    assert echoed.detail["url"] == "http://127.0.0.1:<port>/echo?token=***"
    assert echoed.detail["headers"] == {"Authorization": "Bearer ***"}
    assert echoed.instructions == "Uses *** against http://127.0.0.1:<port>"
    unset = dry_run(
        corpus, ExecOptions(document="canary", environ={}, dry_run=True), JinjaTemplater()
    )
    assert unset.steps[0].detail["json"] == {"token": "***"}


def test_canary_is_masked_in_error_messages(tmp_path: Path, run: Runner) -> None:
    doc = document(
        "canary-param",
        [{"id": "probe", "title": "Probe", "http": {"url": "/ok?n={{ params.count }}"}}],
        parameters={"count": {"type": "integer"}},
        secrets={"canary": {"env": "RUNBOOK_TEST_CANARY"}},
    )
    with pytest.raises(UsageError) as caught:
        run(doc, environ=ENVIRON, variables={"count": CANARY})
    assert CANARY not in str(caught.value) and "***" in caught.value.message


def test_missing_secrets_are_a_usage_error_naming_the_variable(run: Runner) -> None:
    with pytest.raises(UsageError, match=r"secrets not set: canary \(\$RUNBOOK_TEST_CANARY\)"):
        run(canary_document(), environ={})


def test_json_report_is_the_record(run: Runner) -> None:
    record = run(canary_document(), environ=ENVIRON)
    data = json.loads(render_json(record))
    assert data["run_id"] == record.run_id
    assert data["counts"] == {"ok": 0, "warning": 0, "critical": 2, "skipped": 1, "interrupted": 0}
    assert [step["key"] for step in data["steps"]] == ["echoed", "printed", "noted"]
