from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from runbook.loader import schema
from tests.conftest import CORPUS, EXAMPLES, REPO


def _document(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "id": "x",
        "title": "Example",
        "kind": "runbook",
        "version": "1.0.0",
        "owner": "operations-team",
        "last_reviewed": "2026-11-20",
        "review_every": "weekly",
        "steps": [{"id": "a", "title": "A", "manual": True}],
    }
    document.update(changes)
    return document


def _messages(document: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    return [
        (".".join(map(str, error.path)), error.message, error.hint)
        for error in schema.errors(document)
    ]


def test_valid_minimal_document() -> None:
    assert schema.is_valid(_document())
    assert schema.errors(_document()) == []


def test_unknown_field_at_top_level_knows_the_kind_specific_fields() -> None:
    [(path, message, hint)] = _messages(_document(schedul={"cron": "0 9 * * *"}))
    assert path == "schedul"
    assert "schedule" in message and "steps" in message
    assert hint == "did you mean 'schedule'?"


def test_kind_specific_fields_are_refused_on_other_kinds() -> None:
    [(path, message, _)] = _messages(_document(severity="SEV1"))
    assert path == "severity"
    assert message.startswith("unknown field 'severity'")


def test_one_of_actions_names_what_was_found() -> None:
    step = {"id": "a", "title": "A", "manual": True, "wait": {"duration": 1}}
    [(path, message, _)] = _messages(_document(steps=[step]))
    assert path == "steps.0"
    assert message.endswith("(found: manual, wait)")


def test_any_of_uses_the_description() -> None:
    step = {"id": "a", "title": "A", "wait": {"duration": "soon"}}
    [(_, message, _)] = _messages(_document(steps=[step]))
    assert message.startswith('"soon" is not valid: expected seconds as a number')


def test_reserved_step_ids_are_refused() -> None:
    assert not schema.is_valid(_document(steps=[{"id": "stop", "title": "A", "manual": True}]))


def test_schema_is_valid_2020_12_for_a_third_party() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.Draft202012Validator.check_schema(json.loads(schema.schema_path().read_text()))


def test_packaged_schema_is_the_repository_schema() -> None:
    assert schema.schema_path().read_bytes() == (REPO / "schema/runbook.schema.json").read_bytes()


def _check_jsonschema(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )


def test_check_jsonschema_accepts_the_schema_and_the_corpus() -> None:
    pytest.importorskip("check_jsonschema")
    metaschema = _check_jsonschema("--check-metaschema", "schema/runbook.schema.json")
    assert metaschema.returncode == 0, metaschema.stdout + metaschema.stderr
    files = sorted(str(p.relative_to(REPO)) for p in CORPUS.rglob("*.yaml"))
    files += sorted(str(p.relative_to(REPO)) for p in (EXAMPLES / "valid").glob("*.yaml"))
    result = _check_jsonschema("--schemafile", "schema/runbook.schema.json", *files)
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_jsonschema_agrees_on_an_invalid_example() -> None:
    pytest.importorskip("check_jsonschema")
    bad = Path("tests/examples/invalid/wrong-type.yaml")
    result = _check_jsonschema("--schemafile", "schema/runbook.schema.json", str(bad))
    assert result.returncode == 1
