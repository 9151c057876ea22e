"""Real git repositories in temporary folders, holding small but complete runbook corpora.

Commits use a fixed identity and date, so commit ids (and the golden files) never vary.
"""

from __future__ import annotations

import copy
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from runbook.loader import parse_document
from tests.conftest import CORPUS

MODELINE = "# yaml-language-server: $schema=../../schema/runbook.schema.json\n"
WHEN = "2026-01-15T12:00:00+0000"
IDENTITY = {
    "GIT_AUTHOR_NAME": "Runbook Tests",
    "GIT_AUTHOR_EMAIL": "tests@example.com",
    "GIT_COMMITTER_NAME": "Runbook Tests",
    "GIT_COMMITTER_EMAIL": "tests@example.com",
    "GIT_AUTHOR_DATE": WHEN,
    "GIT_COMMITTER_DATE": WHEN,
    # Keep the developer's own git configuration (signing, hooks, templates) out of it.
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}

HEALTH_CHECK: dict[str, Any] = {
    "id": "health-check",
    "title": "Service health check",
    "kind": "runbook",
    "version": "1.0.0",
    "summary": "Checks that the booking service answers and is fast enough.",
    "owner": "operations-team",
    "reviewers": ["devops-team"],
    "last_reviewed": "2026-01-15",
    "review_every": "monthly",
    "tags": ["daily"],
    "changelog": [
        {
            "version": "1.0.0",
            "date": "2026-01-15",
            "author": "operations-team",
            "summary": "First version.",
        }
    ],
    "steps": [
        {
            "id": "check_health",
            "title": "Check the health endpoint",
            "instructions": "The service must report healthy.",
            "http": {"url": "/api/health"},
            "expect": {"status": 200, "latency": {"sla": "api-response-time"}},
        },
        {
            "id": "check_metrics",
            "title": "Check the error rate",
            "http": {"url": "/api/metrics"},
            "expect": {
                "status": 200,
                "json": [{"path": "$.error_rate_percent", "sla": "error-rate"}],
            },
        },
        {
            "id": "tell_the_team",
            "title": "Tell the team",
            "instructions": "Post the result in the operations channel.",
            "manual": True,
        },
    ],
}

PHASES = ("detection", "assessment", "containment", "investigation", "recovery", "post-incident")
DATABASE_DOWN: dict[str, Any] = {
    "id": "database-down",
    "title": "Database down",
    "kind": "playbook",
    "version": "1.0.0",
    "summary": "The booking database does not answer.",
    "owner": "devops-team",
    "reviewers": ["operations-team"],
    "approvers": ["technical-lead"],
    "requires_approval": True,
    "last_reviewed": "2026-01-15",
    "review_every": "quarterly",
    "severity": "SEV1",
    "changelog": [
        {
            "version": "1.0.0",
            "date": "2026-01-15",
            "author": "devops-team",
            "summary": "First version.",
            "approved_by": ["technical-lead"],
        }
    ],
    "steps": [
        {
            "id": "detect",
            "title": "Confirm the database is down",
            "phase": "detection",
            "http": {"url": "/api/health"},
            "expect": {"json": [{"path": "$.components.database.status", "equals": "up"}]},
        },
        *(
            {
                "id": phase.replace("-", "_"),
                "title": phase.capitalize(),
                "phase": phase,
                "manual": True,
            }
            for phase in PHASES[1:]
        ),
    ],
}

SMALL_CONTACTS: dict[str, Any] = {
    "id": "contacts",
    "title": "Contacts",
    "kind": "reference",
    "version": "1.0.0",
    "owner": "operations-team",
    "last_reviewed": "2026-01-15",
    "review_every": "quarterly",
    "changelog": [{"version": "1.0.0", "date": "2026-01-15", "summary": "First version."}],
    "contacts": [
        {
            "id": "operations-team",
            "role": "Operations Team",
            "email": "ops-team@company.com",
            "github": "@instyle/operations",
        },
        {
            "id": "devops-team",
            "role": "DevOps Team",
            "email": "devops@company.com",
            "github": "@instyle/devops",
        },
        {
            "id": "security-team",
            "role": "Security Team",
            "email": "security@company.com",
            "github": "@instyle/security",
        },
        {"id": "technical-lead", "role": "Technical Lead", "email": "tech-lead@company.com"},
        {"id": "security-lead", "role": "Security Lead", "email": "security@company.com"},
    ],
}

SMALL_SLA: dict[str, Any] = {
    "id": "sla-targets",
    "title": "SLA targets",
    "kind": "reference",
    "version": "1.0.0",
    "owner": "operations-team",
    "last_reviewed": "2026-01-15",
    "review_every": "quarterly",
    "changelog": [{"version": "1.0.0", "date": "2026-01-15", "summary": "First version."}],
    "sla": [
        {
            "id": "api-response-time",
            "metric": "API response time (p95)",
            "unit": "ms",
            "direction": "lower-is-better",
            "target": 200,
            "warning": 500,
            "critical": 1000,
        },
        {
            "id": "error-rate",
            "metric": "Error rate",
            "unit": "percent",
            "direction": "lower-is-better",
            "target": 0.1,
            "warning": 0.5,
            "critical": 1,
        },
    ],
}


def reference(name: str, fallback: dict[str, Any]) -> dict[str, Any]:
    """The project's own reference document when it loads, else a small stand-in.

    ``related`` is dropped: it names documents these small corpora do not have.
    """
    path = CORPUS / "reference" / f"{name}.yaml"
    if path.is_file():
        text = path.read_text(encoding="utf-8")
        document, _ = parse_document(text, path)
        if document is not None:
            raw = dict(yaml.safe_load(text))
            raw.pop("related", None)
            return raw
    return copy.deepcopy(fallback)


class GitRepo:
    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def create(cls, root: Path, *, documents: bool = True) -> GitRepo:
        root.mkdir(parents=True, exist_ok=True)
        repo = cls(root)
        repo.git("init", "-q", "-b", "main")
        repo.write("runbooks/reference/contacts.yaml", reference("contacts", SMALL_CONTACTS))
        repo.write("runbooks/reference/sla-targets.yaml", reference("sla-targets", SMALL_SLA))
        if documents:
            repo.write("runbooks/daily/health-check.yaml", copy.deepcopy(HEALTH_CHECK))
            repo.write("runbooks/playbooks/database-down.yaml", copy.deepcopy(DATABASE_DOWN))
        return repo

    def git(self, *args: str) -> str:
        environment = {
            key: value for key, value in os.environ.items() if not key.startswith("GIT_")
        }
        completed = subprocess.run(
            ["git", *args],
            cwd=self.root,
            env={**environment, **IDENTITY},
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        return completed.stdout.strip()

    def write(self, relative: str, document: dict[str, Any] | str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        text = (
            document
            if isinstance(document, str)
            else MODELINE + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
        )
        path.write_text(text, encoding="utf-8")
        return path

    def read(self, relative: str) -> dict[str, Any]:
        loaded: dict[str, Any] = yaml.safe_load((self.root / relative).read_text("utf-8"))
        return loaded

    def edit(self, relative: str, change: Callable[[dict[str, Any]], None]) -> None:
        document = self.read(relative)
        change(document)
        self.write(relative, document)

    def move(self, old: str, new: str) -> None:
        (self.root / new).parent.mkdir(parents=True, exist_ok=True)
        self.git("mv", old, new)

    def commit(self, message: str = "change") -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "--no-verify", "-m", message)
        return self.git("rev-parse", "HEAD")

    def shallow_clone(self, destination: Path) -> Path:
        """A one-commit clone, as CI checkouts make by default."""
        subprocess.run(
            ["git", "clone", "-q", "--depth", "1", self.root.as_uri(), str(destination)],
            check=True,
            capture_output=True,
        )
        return destination


def bump(document: dict[str, Any], version: str, summary: str = "Changed.", **entry: Any) -> None:
    """Set the version and add its changelog entry, as an author finishing a change does."""
    document["version"] = version
    document["changelog"].append(
        {"version": version, "date": "2026-02-01", "summary": summary, **entry}
    )
