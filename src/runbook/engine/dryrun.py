"""``--dry-run``: every step resolved as it would run, touching no network and no process."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from runbook.engine.actions import command_request, http_request
from runbook.engine.context import resolve_parameters
from runbook.engine.grading import with_unit
from runbook.engine.plan import ExecOptions, Plan, prepare, shape_of
from runbook.engine.protocols import Templater
from runbook.engine.records import iso, now_utc
from runbook.engine.redaction import MASK, Redactor
from runbook.engine.session import corpus_secret_values
from runbook.engine.targets import DRY_RUN_BASE_URL
from runbook.errors import RunbookError, UsageError
from runbook.model import (
    ApprovalAction,
    CommandAction,
    Corpus,
    Document,
    Expectation,
    HttpAction,
    IncludeAction,
    ManualAction,
    ParallelAction,
    SlaThreshold,
    Step,
    WaitAction,
)
from runbook.model.durations import format_duration


@dataclass(frozen=True)
class ResolvedStep:
    key: str
    title: str
    action: str
    document: str
    depth: int
    detail: Mapping[str, Any] = field(default_factory=dict)
    expect: tuple[str, ...] = ()
    instructions: str = ""
    skip: str | None = None
    on_failure: str = "stop"
    retry: str | None = None
    timeout: str | None = None
    destructive: bool = False
    rollback: bool = False


@dataclass(frozen=True)
class DryRun:
    document: str
    title: str
    version: str
    environment: str
    base_url: str
    parameters: Mapping[str, Any]
    steps: tuple[ResolvedStep, ...]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def dry_run(corpus: Corpus, options: ExecOptions, templater: Templater) -> DryRun:
    redactor = Redactor(corpus_secret_values(corpus, options))
    try:
        plan = prepare(corpus, options, templater)
    except RunbookError as error:
        error.message = redactor.text(error.message)
        raise
    base_url = (options.base_url or plan.environment.base_url or DRY_RUN_BASE_URL).rstrip("/")
    try:
        steps = tuple(
            _resolve_document(plan, plan.document, plan.params, base_url, templater, "", ())
        )
    except RunbookError as error:
        error.message = redactor.text(error.message)
        raise
    resolved = DryRun(
        document=plan.document.id,
        title=plan.document.title,
        version=plan.document.version,
        environment=plan.environment.id,
        base_url=base_url,
        parameters=dict(plan.params),
        steps=steps,
    )
    data = redactor.value(resolved.to_dict())
    data["steps"] = tuple(ResolvedStep(**step) for step in data["steps"])
    return DryRun(**data)


def _context(
    plan: Plan, document: Document, params: Mapping[str, Any], base_url: str
) -> dict[str, Any]:
    secrets = {
        name: plan.environ.get(variable) or MASK
        for name, variable in plan.secret_env[document.id].items()
    }
    shape = shape_of(document, plan.variables, set(secrets), plan.corpus.get)
    outputs = _placeholders(shape["steps"], "steps")
    started = now_utc()
    return {
        "env": {"id": plan.environment.id, "name": plan.environment.name, "base_url": base_url},
        "vars": dict(plan.variables),
        "params": dict(params),
        "secrets": secrets,
        "steps": outputs,
        "run": {"id": "<run id>", "date": started.date().isoformat(), "started_at": iso(started)},
    }


def _placeholders(shape: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    """What a dry run shows for values only a real run captures: ``<steps.STEP.NAME>``."""
    return {
        name: f"<{prefix}.{name}>" if inner is None else _placeholders(inner, f"{prefix}.{name}")
        for name, inner in shape.items()
    }


def _resolve_document(
    plan: Plan,
    document: Document,
    params: Mapping[str, Any],
    base_url: str,
    templater: Templater,
    prefix: str,
    trail: tuple[str, ...],
) -> Iterator[ResolvedStep]:
    context = _context(plan, document, params, base_url)
    steps = document.steps
    if document is plan.document:
        if plan.only is not None:
            only = document.step(plan.only)
            steps = (only,) if only is not None else ()
        else:
            steps = steps[plan.start :]
    for step in steps:
        yield from _resolve_step(
            plan, document, step, context, templater, prefix, trail, len(trail)
        )


def _resolve_step(
    plan: Plan,
    document: Document,
    step: Step,
    context: dict[str, Any],
    templater: Templater,
    prefix: str,
    trail: tuple[str, ...],
    depth: int,
) -> Iterator[ResolvedStep]:
    environment = plan.environment.id
    action = step.action
    detail: dict[str, Any] = {}
    if isinstance(action, HttpAction):
        base_url = context["env"]["base_url"]
        detail = http_request(step, action, templater, base_url, context).describe()
    elif isinstance(action, CommandAction):
        detail = command_request(step, action, templater, context).describe()
    elif isinstance(action, WaitAction):
        detail = {"duration": format_duration(action.duration), "reason": action.reason}
    elif isinstance(action, ManualAction):
        detail = {"checklist": list(action.checklist), "required": action.required}
    elif isinstance(action, ApprovalAction):
        detail = {
            "approvers": list(action.approvers),
            "role": action.role,
            "min_approvals": action.min_approvals,
        }
    elif isinstance(action, IncludeAction):
        detail = {
            "document": action.document,
            "parameters": {
                name: templater.render_value(value, context) if isinstance(value, str) else value
                for name, value in action.parameters.items()
            },
        }
    retry = step.retry
    yield ResolvedStep(
        key=prefix + step.id,
        title=step.title,
        action=step.action_name,
        document=document.id,
        depth=depth,
        detail=detail,
        expect=tuple(describe_expectation(step.expect, plan.corpus.sla)),
        instructions=templater.render(step.instructions, context) if step.instructions else "",
        skip=None if step.runs_in(environment) else f"runs only in {', '.join(step.environments)}",
        on_failure=step.on_failure,
        retry=(
            f"{retry.attempts} attempts, delay {format_duration(retry.delay)}, "
            f"backoff ×{retry.backoff:g}"
            if retry
            else None
        ),
        timeout=format_duration(step.timeout) if step.timeout else None,
        destructive=step.destructive,
        rollback=step.rollback,
    )
    if isinstance(action, ParallelAction):
        for member in action.steps:
            yield from _resolve_step(
                plan, document, member, context, templater, prefix, trail, depth + 1
            )
    elif isinstance(action, IncludeAction):
        target = plan.corpus.get(action.document)
        if target is None or target.id in (*trail, document.id):
            raise UsageError(f"{document.id}: step {step.id} cannot include {action.document}")
        params = resolve_parameters(target, detail["parameters"], where=f"{document.id}:{step.id}")
        yield from _resolve_document(
            plan,
            target,
            params,
            context["env"]["base_url"],
            templater,
            f"{prefix}{step.id}/",
            (*trail, document.id),
        )


def describe_expectation(
    expect: Expectation | None, thresholds: Mapping[str, SlaThreshold]
) -> Iterator[str]:
    if expect is None:
        return
    if expect.status:
        yield "status " + " or ".join(str(code) for code in expect.status)
    if expect.latency is not None:
        latency = expect.latency
        if latency.sla is not None:
            yield f"latency {latency.percentile} " + _sla(latency.sla, thresholds)
        else:
            yield f"latency {latency.percentile} ≤ {with_unit(latency.max_ms or 0, 'ms')}"
    for name, value in expect.headers.items():
        yield f"header {name} contains {value!r}"
    for check in expect.json:
        for operator, wanted in check.operators.items():
            if operator == "sla":
                yield f"{check.path} " + _sla(str(wanted), thresholds)
            else:
                yield f"{check.path} {operator} {wanted!r}"
    for text in expect.body_contains:
        yield f"body contains {text!r}"
    for text in expect.body_not_contains:
        yield f"body does not contain {text!r}"
    if expect.body_matches:
        yield f"body matches /{expect.body_matches}/"
    if expect.exit_code:
        yield "exit code " + " or ".join(str(code) for code in expect.exit_code)
    for text in expect.output_contains:
        yield f"output contains {text!r}"
    for text in expect.output_not_contains:
        yield f"output does not contain {text!r}"
    if expect.output_matches:
        yield f"output matches /{expect.output_matches}/"


def _sla(sla: str, thresholds: Mapping[str, SlaThreshold]) -> str:
    threshold = thresholds.get(sla)
    if threshold is None:
        return f"graded by {sla}"
    unit = threshold.unit
    return (
        f"graded by {sla} (target {with_unit(threshold.target, unit)}, "
        f"critical {with_unit(threshold.critical, unit)}, {threshold.direction})"
    )
