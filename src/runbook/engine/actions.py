"""One step's action: build the request from templates, run it with retries, grade it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx

from runbook.engine import command_probe, http_probe
from runbook.engine.expectations import evaluate
from runbook.engine.observation import Observation
from runbook.engine.outputs import capture
from runbook.engine.protocols import ApprovalRequest, Prompter, Templater
from runbook.engine.records import iso, now_utc
from runbook.engine.results import Approval, CheckResult, StepStatus, worst
from runbook.model import (
    ApprovalAction,
    CommandAction,
    Contact,
    HttpAction,
    ManualAction,
    SlaThreshold,
    Step,
    WaitAction,
)
from runbook.model.durations import format_duration


@dataclass
class Outcome:
    status: StepStatus
    checks: tuple[CheckResult, ...] = ()
    outputs: dict[str, Any] = field(default_factory=dict)
    reason: str = ""
    note: str = ""
    approvals: tuple[Approval, ...] = ()
    detail: dict[str, Any] = field(default_factory=dict)
    attempts: int = 1


@dataclass
class ActionEnv:
    """What every action needs from the run, shared by all steps."""

    templater: Templater
    client: httpx.AsyncClient
    base_url: str
    thresholds: Mapping[str, SlaThreshold]
    contacts: Mapping[str, Contact]
    prompter: Prompter
    interactive: bool
    blocking: Callable[[], AbstractContextManager[None]]
    redact: Callable[[str], str] = str


def graded(checks: list[CheckResult]) -> tuple[StepStatus, str]:
    status = worst(check.grade for check in checks)
    status = "ok" if status == "skipped" else status
    first = next((check for check in checks if check.grade == status and status != "ok"), None)
    return status, first.message if first else ""


def join_url(base_url: str, url: str) -> str:
    if url.startswith(("http://", "https://")):
        return url
    return base_url.rstrip("/") + "/" + url.lstrip("/")


def _seconds(value: timedelta | None, default: float) -> float:
    return value.total_seconds() if value is not None else default


def http_request(
    step: Step, action: HttpAction, templater: Templater, base_url: str, context: Any
) -> http_probe.HttpRequest:
    render = templater.render
    return http_probe.HttpRequest(
        method=action.method,
        url=join_url(base_url, render(action.url, context)),
        headers={key: render(value, context) for key, value in action.headers.items()},
        query={
            key: render(value, context) if isinstance(value, str) else value
            for key, value in action.query.items()
        },
        json=_render_json(action.json, templater, context) if action.has_json else None,
        has_json=action.has_json,
        body=render(action.body, context) if action.body is not None else None,
        timeout=_seconds(action.timeout or step.timeout, http_probe.DEFAULT_TIMEOUT),
        samples=action.samples,
        follow_redirects=action.follow_redirects,
        max_body_bytes=action.max_body_bytes or http_probe.MAX_BODY_BYTES,
    )


def command_request(
    step: Step, action: CommandAction, templater: Templater, context: Any
) -> command_probe.CommandRequest:
    render = templater.render
    return command_probe.CommandRequest(
        argv=tuple(render(arg, context) for arg in action.argv),
        env={key: render(value, context) for key, value in action.env.items()},
        cwd=action.cwd,
        stdin=render(action.stdin, context) if action.stdin is not None else None,
        timeout=_seconds(action.timeout or step.timeout, command_probe.DEFAULT_TIMEOUT),
    )


def _render_json(value: Any, templater: Templater, context: Any) -> Any:
    if isinstance(value, str):
        return templater.render_value(value, context)
    if isinstance(value, Mapping):
        return {key: _render_json(item, templater, context) for key, item in value.items()}
    if isinstance(value, list):
        return [_render_json(item, templater, context) for item in value]
    return value


async def probe(step: Step, env: ActionEnv, context: Any) -> Outcome:
    """An http or command step, retried with backoff until its checks (or ``until``) pass."""
    action = step.action
    retry = step.retry
    attempts = retry.attempts if retry else 1
    delay = retry.delay.total_seconds() if retry else 0.0
    attempt = 0
    while True:
        attempt += 1
        seen = await _observe(step, env, context)
        checks = evaluate(step.expect, seen, env.thresholds, step.failure_grade, env.redact)
        if retry is not None and retry.until is not None:
            until = evaluate(retry.until, seen, env.thresholds, step.failure_grade, env.redact)
            done = not any(check.failed for check in until)
        else:
            done = not any(check.failed for check in checks)
        if done or attempt >= attempts:
            break
        await asyncio.sleep(delay)
        delay *= retry.backoff if retry else 1.0
    status, reason = graded(checks)
    if status == "ok":
        reason = _summary(seen, checks)
    outputs, missing = capture(step.outputs, seen)
    detail = _detail(seen, isinstance(action, HttpAction), env.redact)
    return Outcome(
        status=status,
        checks=tuple(checks),
        outputs=outputs,
        reason=reason,
        note="; ".join(missing),
        detail=detail,
        attempts=attempt,
    )


async def _observe(step: Step, env: ActionEnv, context: Any) -> Observation:
    action = step.action
    if isinstance(action, HttpAction):
        request = http_request(step, action, env.templater, env.base_url, context)
        return await http_probe.probe(env.client, request)
    assert isinstance(action, CommandAction)
    return await command_probe.run_command(command_request(step, action, env.templater, context))


def _summary(seen: Observation, checks: list[CheckResult]) -> str:
    """The figures worth seeing for a passing step: what came back, how fast, SLA gradings."""
    if seen.kind == "http":
        parts = [f"status {seen.status}"]
        if len(seen.latencies_ms) > 1:
            values = seen.percentiles()
            parts.append(f"p95 {values['p95']:.1f} ms over {len(seen.latencies_ms)} requests")
        elif seen.latency_ms is not None:
            parts.append(f"{seen.latency_ms:.1f} ms")
    else:
        parts = [f"exit code {seen.exit_code}", f"{seen.duration_ms:.0f} ms"]
    parts += [check.message for check in checks if check.sla is not None]
    return "; ".join(parts)


def _detail(seen: Observation, http: bool, redact: Callable[[str], str]) -> dict[str, Any]:
    detail: dict[str, Any] = {"request": seen.request}
    if seen.error:
        detail["error"] = seen.error
    if http:
        detail["status"] = seen.status
        if len(seen.latencies_ms) > 1:
            detail["latency_ms"] = {k: round(v, 2) for k, v in seen.percentiles().items()}
            detail["samples"] = len(seen.latencies_ms)
        elif seen.latency_ms is not None:
            detail["latency_ms"] = round(seen.latency_ms, 2)
        if seen.body and (seen.error or seen.status is None or seen.status >= 400):
            detail["body_excerpt"] = redact(seen.body)[:500]
    else:
        detail["exit_code"] = seen.exit_code
        detail["stdout_tail"] = redact(seen.stdout)[-2000:]
        detail["stderr_tail"] = redact(seen.stderr)[-2000:]
    return detail


async def wait(action: WaitAction, already: timedelta) -> Outcome:
    """Sleep, interruptibly; a resumed wait only sleeps what remains of the original."""
    remaining = max(0.0, (action.duration - already).total_seconds())
    await asyncio.sleep(remaining)
    reason = f"waited {format_duration(action.duration)}"
    if already:
        reason += f" (resumed with {format_duration(timedelta(seconds=remaining))} left)"
    if action.reason:
        reason += f": {action.reason}"
    return Outcome(status="ok", reason=reason)


def manual(step: Step, action: ManualAction, env: ActionEnv, instructions: str) -> Outcome:
    if not env.interactive:
        if action.required:
            return Outcome(
                status=step.failure_grade,
                reason="required manual step not done: nobody to do it in a non-interactive run",
                checks=(_person_check(step, "done", "not done (non-interactive)"),),
            )
        return Outcome(status="skipped", reason="manual step: skipped in a non-interactive run")
    with env.blocking():
        answer = env.prompter.manual(step, instructions, action.checklist)
    by = f" by {answer.by}" if answer.by else ""
    if answer.outcome == "done":
        return Outcome(status="ok", reason=f"done{by}", note=answer.note)
    if answer.outcome == "skip" and not action.required:
        return Outcome(status="skipped", reason=f"skipped{by}", note=answer.note)
    said = "skipped" if answer.outcome == "skip" else "failed"
    return Outcome(
        status=step.failure_grade,
        reason=f"marked {said}{by}" + (" (the step is required)" if action.required else ""),
        note=answer.note,
        checks=(_person_check(step, "done", said),),
    )


def _person_check(step: Step, expected: str, actual: str) -> CheckResult:
    return CheckResult(
        name="operator",
        grade=step.failure_grade,
        expected=expected,
        actual=actual,
        message=f"{step.action_name} step {actual}, expected {expected}",
    )


def approval(step: Step, action: ApprovalAction, env: ActionEnv, instructions: str) -> Outcome:
    labels = tuple(
        env.contacts[ident].label if ident in env.contacts else ident for ident in action.approvers
    )
    who = ", ".join(labels) if labels else f"role {action.role}"
    needed = action.min_approvals
    wanted = f"{needed} approval{'s' if needed > 1 else ''} from {who}"
    if not env.interactive:
        return Outcome(
            status=step.failure_grade,
            reason=f"needs {wanted}; approvals cannot be given in a non-interactive run",
            checks=(
                CheckResult(
                    "approvals",
                    step.failure_grade,
                    wanted,
                    "none",
                    f"no approvals, expected {wanted}",
                ),
            ),
        )
    deadline = now_utc() + action.timeout if action.timeout is not None else None
    request = ApprovalRequest(
        title=step.title,
        instructions=instructions,
        approvers=labels,
        approver_ids=action.approvers,
        role=action.role,
        min_approvals=needed,
        deadline=iso(deadline) if deadline is not None else None,
    )
    with env.blocking():
        given = list(env.prompter.approval(step, request))
    valid: list[Approval] = []
    late: list[Approval] = []
    for item in given:
        allowed = not action.approvers or item.approver in action.approvers
        if not allowed or item.approver in {seen.approver for seen in valid}:
            continue
        if deadline is not None and _parse_iso(item.at) > deadline:
            late.append(item)
        else:
            valid.append(item)
    names = ", ".join(f"{item.approver} at {item.at}" for item in valid) or "nobody"
    ok = len(valid) >= needed
    reason = f"approved by {names}" if ok else f"only {len(valid)} of {needed} approvals"
    if late and action.timeout is not None:
        reason += (
            f"; {', '.join(item.approver for item in late)} approved after the "
            f"{format_duration(action.timeout)} timeout"
        )
    check = CheckResult(
        "approvals",
        "ok" if ok else step.failure_grade,
        wanted,
        f"{len(valid)}",
        f"{len(valid)} of {needed} approvals: {names}",
    )
    return Outcome(
        status="ok" if ok else step.failure_grade,
        reason=reason,
        approvals=tuple(valid),
        checks=(check,),
    )


def _parse_iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def confirmed_at() -> str:
    return iso(now_utc())


def elapsed_since(started_at: str | None) -> timedelta:
    if not started_at:
        return timedelta(0)
    return max(timedelta(0), now_utc() - _parse_iso(started_at))
