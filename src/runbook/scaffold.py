"""Skeleton documents for ``runbook new``: the smallest useful document of each kind."""

from __future__ import annotations

import re
from datetime import date

from runbook.errors import UsageError

FOLDERS = {
    "runbook": "daily",
    "playbook": "playbooks",
    "maintenance": "maintenance",
    "troubleshooting": "troubleshooting",
    "reference": "reference",
}
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

_HEADER = """\
# yaml-language-server: $schema={schema}
id: {id}
title: {title}
kind: {kind}
version: 0.1.0
summary: >-
  One paragraph: when to use this document and what it achieves.
owner: {owner}
reviewers: [{owner}]
last_reviewed: {today}
review_every: {cadence}
tags: [{kind}]
changelog:
  - version: 0.1.0
    date: {today}
    summary: First draft.
"""

_HEALTH_STEP = """\
  - id: check_health
    title: Service answers its health check
    phase: {phase}
    instructions: |
      The health endpoint reports every component. If it fails, open the troubleshooting
      guide linked from this document.
    http:
      url: /api/health
      timeout: 5s
    expect:
      status: 200
      json:
        - path: $.status
          in: [healthy, degraded]
"""

_BODIES = {
    "runbook": """\
schedule:
  cron: "0 9 * * 1-5"
  timezone: Africa/Johannesburg
steps:
"""
    + _HEALTH_STEP.format(phase="Checks")
    + """\
  - id: confirm_dashboard
    title: Look at the dashboard
    manual:
      checklist:
        - Nothing unusual on the dashboard
""",
    "playbook": """\
severity: SEV3
response_target: PT4H
triggers:
  - Describe the alert or report that starts this playbook
steps:
"""
    + _HEALTH_STEP.format(phase="detection")
    + "".join(
        f"""\
  - id: {phase.replace("-", "_")}
    title: {phase.replace("-", " ").capitalize()}
    phase: {phase}
    manual: true
"""
        for phase in ("assessment", "containment", "investigation", "recovery", "post-incident")
    ),
    "maintenance": """\
window: weekly
steps:
"""
    + _HEALTH_STEP.format(phase="pre-check")
    + """\
  - id: do_the_work
    title: Do the work
    phase: procedure
    manual: true
""",
    "troubleshooting": """\
symptoms:
  - What the user or the alert reports
steps:
"""
    + _HEALTH_STEP.format(phase="Diagnosis")
    + """\
resolutions:
  - cause: The most common cause
    fix: What to do about it.
""",
    "reference": """\
sections:
  - title: Facts
    body: Facts other documents point at.
""",
}

_CADENCE = {
    "runbook": "weekly",
    "playbook": "quarterly",
    "maintenance": "monthly",
    "troubleshooting": "weekly",
    "reference": "quarterly",
}


def scaffold(kind: str, document_id: str, *, owner: str, today: date, schema: str) -> str:
    if kind not in _BODIES:
        raise UsageError(f"unknown kind '{kind}'", hint="one of: " + ", ".join(sorted(_BODIES)))
    if not _SLUG.match(document_id):
        raise UsageError(
            f"'{document_id}' is not a valid id",
            hint="use lower-case words joined by hyphens, such as weekly-backup-check",
        )
    title = document_id.replace("-", " ").capitalize()
    if len(title) < 3:  # the schema wants a title a reader can find
        title = f"{kind.capitalize()} {title}"
    header = _HEADER.format(
        schema=schema,
        id=document_id,
        title=title,
        kind=kind,
        owner=owner,
        today=today.isoformat(),
        cadence=_CADENCE[kind],
    )
    return header + _BODIES[kind]
