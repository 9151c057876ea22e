"""A generated corpus of realistic documents for the benchmarks (imported, not run)."""

from __future__ import annotations

from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
REFERENCE_IDS = ("contacts", "sla-targets", "environments", "maintenance-windows")

_HEADER = """\
# yaml-language-server: $schema=../../schema/runbook.schema.json
id: generated-{n:04d}
title: Generated procedure number {n}
kind: runbook
version: 1.{minor}.0
summary: >-
  A generated document shaped like the daily checks: probes with expectations graded
  against the SLA thresholds, manual checklists and production-only commands.
owner: operations-team
reviewers: [devops-team, support-team]
approvers: [technical-lead]
last_reviewed: 2026-11-20
review_every: weekly
audience: [operations]
tags: [generated, daily, health]
related: [{related}]
changelog:
  - version: 1.{minor}.0
    date: 2026-11-20
    summary: Generated for the benchmark.
schedule:
  cron: "0 9 * * *"
  timezone: Africa/Johannesburg
steps:
"""

_STEP = """\
  - id: probe_{k}
    title: Probe number {k}
    phase: System health verification
    instructions: |
      Check the health endpoint and the database latency. If the status is not
      healthy, open the troubleshooting guide and follow the quick diagnosis flow.
      Record the values in the shift log.
    http:
      url: /api/health
      timeout: 5s
      samples: 3
    expect:
      status: 200
      latency:
        sla: api-response-time
        percentile: p95
      json:
        - path: $.status
          equals: healthy
        - path: $.components.database.latency_ms
          sla: database-query-time
    outputs:
      status_{k}:
        json: $.status
  - id: check_{k}
    title: Look at dashboard {k}
    manual:
      checklist:
        - Error rate is flat in Cloudflare Analytics
        - No new issue in Sentry since the last check
  - id: query_{k}
    title: Production query {k}
    environments: [production]
    command:
      argv: [wrangler, d1, execute, instyle-booking-db, --remote, --command, "SELECT 1"]
      timeout: 30s
    expect:
      exit_code: 0
"""


def write_corpus(target: Path, count: int = 1000, groups: int = 6) -> list[Path]:
    """Write ``count`` documents (~200 lines each) plus the reference documents they use."""
    reference = target / "reference"
    reference.mkdir(parents=True, exist_ok=True)
    for name in REFERENCE_IDS:
        source = next((REPO / "runbooks").rglob(f"{name}.yaml"))
        # Their `related` lists point into the real corpus; the generated one has none of it.
        document = yaml.safe_load(source.read_text(encoding="utf-8"))
        document.pop("related", None)
        (reference / source.name).write_text(
            yaml.safe_dump(document, sort_keys=False, allow_unicode=True), encoding="utf-8"
        )
    generated = target / "generated"
    generated.mkdir(exist_ok=True)
    paths = []
    for n in range(count):
        related = ", ".join(f"generated-{(n + d) % count:04d}" for d in (1, 2, 3))
        text = _HEADER.format(n=n, minor=n % 7, related=related)
        text += "".join(_STEP.format(k=k) for k in range(groups))
        if n > 0:
            text += (
                f"  - id: shared\n    title: Shared checks\n"
                f"    include:\n      document: generated-{n - 1:04d}\n"
            )
        path = generated / f"generated-{n:04d}.yaml"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths
