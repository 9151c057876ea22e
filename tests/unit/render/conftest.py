"""A small, stable corpus for render tests: the valid examples plus the facts they refer to."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from runbook.loader import load_corpus
from runbook.loader.schema import schema
from runbook.model import Corpus
from runbook.render import Renderer
from tests.conftest import EXAMPLES, REPO

AS_OF = date(2026, 11, 25)  # a Wednesday
TEMPLATES = REPO / "generator" / "templates"

FACTS = """\
id: facts
title: Facts | with a pipe
kind: reference
version: 1.0.0
owner: operations-team
last_reviewed: 2026-11-20
review_every: yearly
tags: [emergency]
contacts:
  - {id: incident-commander, role: Incident Commander, email: ic@example.com, response_time: PT0S}
  - {id: security-lead, role: Security Lead, email: sec@example.com, response_time: PT15M}
  - {id: operations-team, role: Operations Team, email: ops@example.com}
  - {id: security-team, role: Security Team, email: secteam@example.com}
  - {id: support-team, role: Support | Help desk, phone: "+27 11 000 0000"}
  - {id: devops-team, role: DevOps Team, github: "@example/devops"}
  - {id: technical-lead, role: Technical Lead, email: tl@example.com, response_time: PT1H}
  - {id: business-owner, role: Business Owner, name: Zanele, phone: "+27 69 917 1527"}
severities:
  - {id: SEV1, name: Critical, response_time: PT15M, examples: [Outage],
     notify: [incident-commander]}
  - {id: SEV2, name: High, response_time: PT1H}
sla:
  - {id: database-query-time, metric: DB query time, unit: ms, direction: lower-is-better,
     target: 100, warning: 250, critical: 500}
  - {id: api-response-time, metric: API p95, unit: ms, direction: lower-is-better,
     target: 200, warning: 500, critical: 1000}
  - {id: uptime, metric: Availability, unit: percent, direction: higher-is-better,
     target: 99.9, warning: 99.5, critical: 99}
environments:
  - {id: local, name: Local, embedded: true, variables: {worker_name: booking-local}}
  - {id: production, name: Production, base_url: "https://example.com", protected: true,
     variables: {worker_name: booking}}
windows:
  - {id: weekly, title: Weekly window, frequency: weekly, weekday: tue,
     start: "02:00", end: "04:00"}
  - {id: monthly, title: Monthly window, frequency: monthly, weekday: sat, week_of_month: 1,
     start: "01:00", end: "05:00"}
links:
  - {title: Health check, url: "https://example.com/api/health", description: "200 | 503"}
"""


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    root = tmp_path_factory.mktemp("corpus") / "runbooks"
    root.mkdir()
    for example in (EXAMPLES / "valid").glob("*.yaml"):
        shutil.copy(example, root / example.name)
    (root / "facts.yaml").write_text(FACTS, encoding="utf-8")
    result = load_corpus(corpus_root=root)
    assert not [p for p in result.problems if p.code != "reference"], result.problems
    return result.corpus


@pytest.fixture(scope="session")
def renderer() -> Renderer:
    return Renderer(TEMPLATES, schema=schema(), source_root=REPO)


@pytest.fixture(scope="session")
def pages(renderer: Renderer, corpus: Corpus) -> dict[str, str]:
    return renderer.render(corpus, AS_OF)


def repo_path(*parts: str) -> Path:
    return REPO.joinpath(*parts)
