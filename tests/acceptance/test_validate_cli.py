"""``runbook validate`` end to end: the real console script in a subprocess."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.conftest import REPO


def runbook(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["runbook", *args], capture_output=True, text=True, cwd=cwd, check=False, timeout=60
    )


def test_the_project_corpus_is_valid() -> None:
    result = runbook("validate")
    assert result.returncode == 0, result.stdout
    assert result.stdout.strip().startswith("ok: ")


def test_text_report_has_location_path_message_and_hint() -> None:
    result = runbook("validate", "tests/examples/invalid/unknown-field.yaml")
    assert result.returncode == 1
    assert (
        "tests/examples/invalid/unknown-field.yaml:13:7: steps[0].http.tmeout: "
        "unknown field 'tmeout'" in result.stdout
    )
    assert "hint: did you mean 'timeout'?" in result.stdout
    assert "Traceback" not in result.stderr


def test_json_report() -> None:
    result = runbook("validate", "--format", "json", "tests/examples/invalid/wrong-type.yaml")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["valid"] is False
    [problem] = report["problems"]
    assert problem["line"] == 14 and problem["column"] == 15
    assert problem["path"] == "steps[0].expect.status"


def test_github_annotations_escape_properties_and_data() -> None:
    result = runbook("validate", "--format", "github", "tests/examples/invalid/wrong-type.yaml")
    assert result.returncode == 1
    first = result.stdout.splitlines()[0]
    assert first.startswith(
        "::error file=tests/examples/invalid/wrong-type.yaml,line=14,col=15,"
        "title=runbook schema%3A steps[0].expect.status::"
    )


def test_every_problem_is_reported_not_just_the_first() -> None:
    result = runbook("validate", "--format", "json", "tests/examples/invalid")
    assert result.returncode == 1
    files = {Path(p["file"]).name for p in json.loads(result.stdout)["problems"]}
    assert len(files) == len(list((REPO / "tests/examples/invalid").glob("*.yaml")))


def test_usage_errors_exit_2_without_traceback(tmp_path: Path) -> None:
    missing = runbook("validate", "no/such/file.yaml")
    assert missing.returncode == 2
    assert "no/such/file.yaml: no such file or folder" in missing.stderr
    bad_option = runbook("validate", "--format", "xml")
    assert bad_option.returncode == 2
    nowhere = runbook("validate", cwd=tmp_path)
    assert nowhere.returncode == 2
    assert "no runbooks/ folder" in nowhere.stderr
    for result in (missing, bad_option, nowhere):
        assert "Traceback" not in result.stderr


def test_new_scaffolds_a_document_that_validates(tmp_path: Path) -> None:
    corpus = tmp_path / "runbooks"
    for name in ("contacts", "sla-targets", "environments", "maintenance-windows"):
        source = next((REPO / "runbooks").rglob(f"{name}.yaml"))
        (corpus / "reference").mkdir(parents=True, exist_ok=True)
        (corpus / "reference" / source.name).write_bytes(source.read_bytes())
    for kind in ("runbook", "playbook", "maintenance", "troubleshooting", "reference"):
        created = runbook("new", kind, f"my-{kind}", cwd=tmp_path)
        assert created.returncode == 0, created.stderr
    created_files = sorted(str(p.relative_to(tmp_path)) for p in corpus.rglob("my-*.yaml"))
    assert len(created_files) == 5
    assert runbook("validate", *created_files, cwd=tmp_path).returncode == 0
    again = runbook("new", "runbook", "my-runbook", cwd=tmp_path)
    assert again.returncode == 2 and "already exists" in again.stderr
    unknown_owner = runbook("new", "runbook", "x", "--owner", "nobody", cwd=tmp_path)
    assert unknown_owner.returncode == 2 and "unknown contact 'nobody'" in unknown_owner.stderr


def test_schema_command_prints_the_schema() -> None:
    result = runbook("schema")
    assert json.loads(result.stdout)["$schema"].endswith("2020-12/schema")
    assert Path(runbook("schema", "--path").stdout.strip()).is_file()
