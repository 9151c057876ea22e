"""Every procedure's automated steps pass against a healthy local reference service, and
every procedure resolves its templates for staging and production (a dry run)."""

from __future__ import annotations

from pathlib import Path

import pytest

from runbook.engine import ExecOptions, dry_run, execute
from runbook.loader import load_corpus
from runbook.model import Corpus
from runbook.templating import JinjaTemplater
from tests.conftest import CORPUS


def _corpus() -> Corpus:
    return load_corpus(corpus_root=CORPUS).corpus


PROCEDURES = sorted(document.id for document in _corpus() if document.steps)
# Secrets some production steps name; a dry run needs a value to mask.
FAKE_SECRETS = {
    "CLOUDFLARE_API_TOKEN": "fake-cloudflare-token",
    "PAYSTACK_SECRET_KEY": "sk_test_fake",
    "RUNBOOK_ADMIN_TOKEN": "fake-admin-token",
}


def test_the_corpus_has_procedures_of_every_runnable_kind() -> None:
    kinds = {document.kind for document in _corpus() if document.steps}
    assert kinds == {"runbook", "playbook", "maintenance", "troubleshooting"}
    assert len(PROCEDURES) >= 30


@pytest.mark.parametrize("document_id", PROCEDURES)
def test_automated_steps_pass_on_a_healthy_local_service(document_id: str, tmp_path: Path) -> None:
    record = execute(
        _corpus(),
        ExecOptions(document=document_id, interactive=False, runs_dir=tmp_path),
        templater=JinjaTemplater(),
    )
    failed = [
        (step.step_id, step.status, step.message)
        for step in record.steps
        if step.status not in ("ok", "skipped")
    ]
    assert record.exit_code == 0, failed
    assert any(step.status == "ok" for step in record.steps), "no step actually ran"


@pytest.mark.parametrize("environment", ["staging", "production"])
@pytest.mark.parametrize("document_id", PROCEDURES)
def test_templates_resolve_for_remote_environments(document_id: str, environment: str) -> None:
    plan = dry_run(
        _corpus(),
        ExecOptions(
            document=document_id, environment=environment, environ=FAKE_SECRETS, dry_run=True
        ),
        templater=JinjaTemplater(),
    )
    assert plan.steps
    rendered = repr(plan)
    for value in FAKE_SECRETS.values():
        assert value not in rendered
