"""The order of steps: sequence, parallel groups, on_failure jumps, rollback and include."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from runbook.engine import actions
from runbook.engine.actions import ActionEnv, Outcome
from runbook.engine.context import outputs_shape, resolve_parameters
from runbook.engine.protocols import Listener
from runbook.engine.records import RecordWriter, iso, now_utc
from runbook.engine.redaction import Redactor
from runbook.engine.results import StepResult, StepStatus, worst
from runbook.errors import UsageError
from runbook.model import (
    ApprovalAction,
    CommandAction,
    Document,
    Environment,
    HttpAction,
    IncludeAction,
    ManualAction,
    ParallelAction,
    Step,
    WaitAction,
)
from runbook.model.durations import format_duration

ROLLBACK_ONLY = "rollback step: runs only when a failing step jumps to it"


@dataclass
class Scope:
    """One document being run: the main one, or one included by a step."""

    document: Document
    context: dict[str, Any]  # template variables; its "steps" fill in as steps finish
    prefix: str = ""
    trail: tuple[str, ...] = ()

    @property
    def outputs(self) -> dict[str, dict[str, Any]]:
        outputs: dict[str, dict[str, Any]] = self.context["steps"]
        return outputs


@dataclass(frozen=True)
class Flow:
    """Why a sequence ended early: the step that failed and what happened next."""

    stopped_at: str
    reason: str
    rolled_back: bool = False


@dataclass
class Runner:
    env: ActionEnv
    environment: Environment
    base_context: Mapping[str, Any]
    secrets: Mapping[str, Mapping[str, str | None]]
    corpus_get: Callable[[str], Document | None]
    writer: RecordWriter
    listener: Listener
    redactor: Redactor
    interrupt: Callable[[str], None]
    assume_yes: bool = False
    previous_starts: Mapping[str, str] = field(default_factory=dict)
    # Set before the main task is cancelled, so in-flight steps record why they stopped.
    cancel_reason: str | None = None
    results: dict[str, StepResult] = field(default_factory=dict)
    members: dict[str, list[tuple[Step, StepResult]]] = field(default_factory=dict)

    def scope(
        self,
        document: Document,
        params: Mapping[str, Any],
        restored: Mapping[str, Mapping[str, Any]] = {},  # noqa: B006 - never mutated
        prefix: str = "",
        trail: tuple[str, ...] = (),
    ) -> Scope:
        outputs = outputs_shape(document, self.corpus_get, trail)
        for step_id, values in restored.items():
            if step_id in outputs:
                outputs[step_id].update(values)
        context = {
            **self.base_context,
            "params": dict(params),
            "secrets": dict(self.secrets.get(document.id, {})),
            "steps": outputs,
        }
        return Scope(document, context, prefix, trail)

    async def sequence(
        self, scope: Scope, steps: tuple[Step, ...], start: int, depth: int
    ) -> Flow | None:
        index = start
        while index < len(steps):
            step = steps[index]
            if step.rollback:
                await self.skip(scope, step, ROLLBACK_ONLY, depth)
                index += 1
                continue
            result = await self.step(scope, step, depth)
            target = self.decision(step, result)
            if target is None or target == "continue":
                index += 1
                continue
            if target == "stop":
                return Flow(result.key, f"stopped after {result.key} failed")
            position = next((n for n, item in enumerate(steps) if item.id == target), None)
            if position is None:
                nested = scope.document.step(target)
                if nested is not None:
                    await self.step(scope, nested, depth)
                return Flow(result.key, f"{result.key} failed; ran {target}", rolled_back=True)
            if steps[position].rollback:
                ran: list[str] = []
                for follower in steps[position:]:
                    if ran and not follower.rollback:
                        break
                    await self.step(scope, follower, depth)
                    ran.append(follower.id)
                return Flow(
                    result.key,
                    f"{result.key} failed; rolled back with {', '.join(ran)}",
                    rolled_back=True,
                )
            if position <= index:
                return Flow(result.key, f"{result.key} failed; on_failure {target} is not ahead")
            for skipped in steps[index + 1 : position]:
                await self.skip(
                    scope, skipped, f"skipped: {result.key} failed and jumped to {target}", depth
                )
            index = position
        return None

    def decision(self, step: Step, result: StepResult) -> str | None:
        """What on_failure says to do next, or None when the step did not fail."""
        if isinstance(step.action, ParallelAction):
            failing = [
                member
                for member, outcome in self.members.get(result.key, [])
                if outcome.failed and member.on_failure != "continue"
            ]
            if not failing:
                return None
            if step.on_failure == "stop":
                jumps = [member.on_failure for member in failing if member.on_failure != "stop"]
                return jumps[0] if jumps else "stop"
            return step.on_failure
        return step.on_failure if result.failed else None

    async def skip(
        self, scope: Scope, step: Step, reason: str, depth: int, parent: str | None = None
    ) -> StepResult:
        result = self._result(
            scope, step, Outcome(status="skipped", reason=reason, attempts=0), None, 0.0, parent
        )
        self._finish(result, depth)
        return result

    async def step(
        self, scope: Scope, step: Step, depth: int, parent: str | None = None
    ) -> StepResult:
        key = scope.prefix + step.id
        if not step.runs_in(self.environment.id):
            where = ", ".join(step.environments)
            return await self.skip(scope, step, f"runs only in {where}", depth, parent)
        self.listener.step_started(key, step, depth)
        started_at = iso(now_utc())
        self.writer.write(
            {
                "event": "step_started",
                "at": started_at,
                "key": key,
                "step_id": step.id,
                "title": step.title,
                "action": step.action_name,
                "document": scope.document.id,
                "parent": parent,
            },
            durable=False,
        )
        clock = time.perf_counter()
        try:
            async with asyncio.timeout(step.timeout.total_seconds() if step.timeout else None):
                outcome = await self._perform(scope, step, key, depth)
        except TimeoutError:
            limit = format_duration(step.timeout or timedelta(0))
            outcome = Outcome(status="critical", reason=f"step timed out after {limit}")
        except (asyncio.CancelledError, KeyboardInterrupt) as stop:
            if isinstance(stop, KeyboardInterrupt):
                # Ctrl-C during a prompt: cancel the whole run, not just this step.
                self.interrupt("SIGINT")
            status: StepStatus = "critical"
            if self.cancel_reason is None:
                # Nobody cancelled the run: the timeout of an enclosing group ran out.
                why = "stopped: the enclosing step timed out"
            elif self.cancel_reason == "timeout":
                why = "run timeout reached"
            else:
                status, why = "interrupted", f"interrupted ({self.cancel_reason})"
            result = self._result(
                scope,
                step,
                Outcome(status=status, reason=why, attempts=0),
                started_at,
                clock,
                parent,
            )
            self.results[key] = result
            self.writer.write_now(
                {"event": "step_finished", "at": iso(now_utc()), "result": result.to_dict()}
            )
            self.listener.step_finished(result, depth)
            raise asyncio.CancelledError from None
        except UsageError as error:
            # A template that cannot be filled at run time (a bad include parameter, ...).
            outcome = Outcome(status="critical", reason=error.message, attempts=0)
        result = self._result(scope, step, outcome, started_at, clock, parent)
        scope.outputs[step.id] = {**scope.outputs.get(step.id, {}), **outcome.outputs}
        self._finish(result, depth)
        return result

    async def _perform(self, scope: Scope, step: Step, key: str, depth: int) -> Outcome:
        action = step.action
        context = scope.context
        if step.destructive and self.environment.protected:
            refused = self._confirm(step)
            if refused is not None:
                return refused
        if isinstance(action, HttpAction | CommandAction):
            return await actions.probe(step, self.env, context)
        if isinstance(action, WaitAction):
            already = actions.elapsed_since(self.previous_starts.get(key))
            return await actions.wait(action, already)
        if isinstance(action, ManualAction):
            text = self.env.templater.render(step.instructions, context)
            return actions.manual(step, action, self.env, text)
        if isinstance(action, ApprovalAction):
            text = self.env.templater.render(step.instructions, context)
            return actions.approval(step, action, self.env, text)
        if isinstance(action, ParallelAction):
            return await self._parallel(scope, step, key, depth)
        assert isinstance(action, IncludeAction)
        return await self._include(scope, step, action, key, depth)

    def _confirm(self, step: Step) -> Outcome | None:
        if self.assume_yes:
            return None
        message = f"{step.title}: this step is destructive in {self.environment.name}. Run it?"
        with self.env.blocking():
            if self.env.prompter.confirm(step, message):
                return None
        return Outcome(status="critical", reason="destructive step not confirmed by the operator")

    async def _parallel(self, scope: Scope, step: Step, key: str, depth: int) -> Outcome:
        assert isinstance(step.action, ParallelAction)
        members = step.action.steps
        results = await asyncio.gather(
            *(self.step(scope, member, depth + 1, parent=key) for member in members)
        )
        self.members[key] = list(zip(members, results, strict=True))
        status = worst(result.status for result in results)
        failed = [result for result in results if result.failed]
        ran = sum(1 for result in results if result.status != "skipped")
        reason = f"{ran} of {len(results)} steps ran"
        if failed:
            reason = f"{len(failed)} of {len(results)} failed: " + "; ".join(
                f"{result.step_id}: {result.reason}" for result in failed
            )
        return Outcome(status="ok" if status == "skipped" and ran else status, reason=reason)

    async def _include(
        self, scope: Scope, step: Step, action: IncludeAction, key: str, depth: int
    ) -> Outcome:
        target: Document | None = self.corpus_get(action.document)
        trail = (*scope.trail, scope.document.id)
        if target is None:
            return Outcome(status="critical", reason=f"unknown document {action.document!r}")
        if target.id in trail:
            cycle = " -> ".join((*trail, target.id))
            return Outcome(status="critical", reason=f"include cycle refused: {cycle}")
        given = {
            name: self.env.templater.render_value(value, scope.context)
            if isinstance(value, str)
            else value
            for name, value in action.parameters.items()
        }
        params = resolve_parameters(target, given, where=f"{scope.document.id}:{step.id}")
        child = self.scope(target, params, prefix=f"{key}/", trail=trail)
        flow = await self.sequence(child, target.steps, 0, depth + 1)
        inner = [result for name, result in self.results.items() if name.startswith(f"{key}/")]
        status = worst(result.status for result in inner)
        reason = f"ran {target.id} {target.version}"
        if flow is not None:
            status = "critical"
            reason += f": {flow.reason}"
        published = {step_id: values for step_id, values in child.outputs.items() if values}
        return Outcome(
            status="ok" if status == "skipped" else status, reason=reason, outputs=published
        )

    def _result(
        self,
        scope: Scope,
        step: Step,
        outcome: Outcome,
        started_at: str | None,
        clock: float | None,
        parent: str | None,
    ) -> StepResult:
        result = StepResult(
            key=scope.prefix + step.id,
            step_id=step.id,
            title=step.title,
            action=step.action_name,
            status=outcome.status,
            document=scope.document.id,
            parent=parent,
            started_at=started_at,
            duration_ms=round((time.perf_counter() - clock) * 1000, 2) if clock else 0.0,
            attempts=outcome.attempts,
            checks=outcome.checks,
            outputs=outcome.outputs,
            reason=outcome.reason,
            note=outcome.note,
            approvals=outcome.approvals,
            detail=outcome.detail,
            rollback=step.rollback,
        )
        if not self.redactor:
            return result
        # Terminal, record and reports all read this object: no secret may stay in it.
        return StepResult.from_dict(self.redactor.value(result.to_dict()))

    def _finish(self, result: StepResult, depth: int) -> None:
        self.results[result.key] = result
        event = {"event": "step_finished", "at": iso(now_utc()), "result": result.to_dict()}
        self.writer.write(event)
        self.listener.step_finished(result, depth)
