"""The execution engine: runs a document's steps and records what happened.

Programmatic use::

    from runbook.engine import ExecOptions, execute
    from runbook.loader import load_corpus
    from runbook.templating import JinjaTemplater

    corpus = load_corpus().corpus
    record = execute(corpus, ExecOptions(document="daily-morning"), templater=JinjaTemplater())
    record.status, record.exit_code, record.steps

The engine prints nothing and never exits: results are data (``RunRecord``), progress goes
to an optional ``Listener`` and questions to an optional ``Prompter``; only ``runbook.errors``
types are raised, and only for problems found before the first step.
"""

from __future__ import annotations

from runbook.engine.dryrun import DryRun, ResolvedStep, dry_run
from runbook.engine.plan import ExecOptions
from runbook.engine.protocols import (
    ApprovalRequest,
    Listener,
    ManualAnswer,
    NonInteractivePrompter,
    Prompter,
    SilentListener,
    Templater,
)
from runbook.engine.records import find_run, list_runs, load_record, runs_dir_from
from runbook.engine.redaction import Redactor
from runbook.engine.reports import RENDERERS, render_json, render_junit, render_markdown
from runbook.engine.results import (
    EXIT_CODES,
    Approval,
    CheckResult,
    RunRecord,
    StepResult,
)
from runbook.engine.session import execute

__all__ = [
    "EXIT_CODES",
    "RENDERERS",
    "Approval",
    "ApprovalRequest",
    "CheckResult",
    "DryRun",
    "ExecOptions",
    "Listener",
    "ManualAnswer",
    "NonInteractivePrompter",
    "Prompter",
    "Redactor",
    "ResolvedStep",
    "RunRecord",
    "SilentListener",
    "StepResult",
    "Templater",
    "dry_run",
    "execute",
    "find_run",
    "list_runs",
    "load_record",
    "render_json",
    "render_junit",
    "render_markdown",
    "runs_dir_from",
]
