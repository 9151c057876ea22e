"""Terminal rendering of runs with rich: live progress, prompts, summary, dry run, history."""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import IO, Any, Literal

from rich.console import Console
from rich.markdown import Markdown
from rich.markup import escape
from rich.prompt import Confirm, Prompt
from rich.status import Status
from rich.table import Table
from rich.text import Text

from runbook.engine import Approval, ApprovalRequest, DryRun, ManualAnswer, RunRecord, StepResult
from runbook.engine.records import iso, iso_sast, now_utc
from runbook.model import Step

STYLES = {
    "ok": "green",
    "warning": "yellow",
    "critical": "bold red",
    "skipped": "dim",
    "interrupted": "magenta",
    "running": "cyan",
}
MARKS = {"ok": "✓", "warning": "!", "critical": "✗", "skipped": "-", "interrupted": "■"}
WORDS = {
    "ok": "OK",
    "warning": "WARNINGS",
    "critical": "FAILED",
    "interrupted": "INTERRUPTED",
    "running": "RUNNING",
}


def make_console(stream: IO[str] | None = None) -> Console:
    file = stream or sys.stdout
    console = Console(file=file, highlight=False, soft_wrap=False)
    if not console.is_terminal:
        console = Console(file=file, highlight=False, width=max(console.width, 120))
    return console


def operator_name() -> str:
    try:
        return os.environ.get("RUNBOOK_USER") or getpass.getuser()
    except (KeyError, OSError):
        return "operator"


class LiveProgress:
    """A line per finished step, and a spinner for the steps in flight on a terminal."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self._running: dict[str, str] = {}
        self._status: Status | None = None

    def run_started(self, record: RunRecord) -> None:
        resumed = " (resumed)" if record.resumes or record.status != "running" else ""
        self.console.print(
            Text.assemble(
                ("runbook exec ", "bold"),
                (record.document, "bold cyan"),
                f" {record.version} · {record.environment}",
                f" ({record.base_url})" if record.base_url else "",
                f" · run {record.run_id}{resumed}",
            )
        )

    def step_started(self, key: str, step: Step, depth: int) -> None:
        if step.action_name in ("parallel", "include"):
            # Members finish before their group does; announce the group first.
            self.console.print(
                Text.assemble(
                    "  " + "    " * depth,
                    ("▸ ", "cyan"),
                    (key.split("/")[-1], "bold"),
                    f"  {step.title}",
                    (f"  [{step.action_name}]", "dim"),
                ),
                soft_wrap=True,
            )
        self._running[key] = step.title
        self._refresh()

    def step_finished(self, result: StepResult, depth: int) -> None:
        self._running.pop(result.key, None)
        self._refresh()
        self.console.print(step_line(result, depth), soft_wrap=True)
        for check in result.checks:
            # The first failing check is already the step line's reason.
            if check.grade in ("warning", "critical") and check.message != result.reason:
                self.console.print(
                    Text("    " * (depth + 1) + f"  {check.message}", style=STYLES[check.grade]),
                    soft_wrap=True,
                )
        if result.note and result.status != "ok":
            self.console.print(
                Text("    " * (depth + 1) + f"  note: {result.note}", style="dim"), soft_wrap=True
            )

    def run_finished(self, record: RunRecord) -> None:
        self._stop()

    @contextmanager
    def paused(self) -> Iterator[None]:
        self._stop()
        try:
            yield
        finally:
            self._refresh()

    def _refresh(self) -> None:
        if not self.console.is_terminal:
            return
        if not self._running:
            self._stop()
            return
        label = ", ".join(list(self._running.values())[:3])
        if self._status is None:
            self._status = self.console.status(label)
            self._status.start()
        else:
            self._status.update(label)

    def _stop(self) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None


def step_line(result: StepResult, depth: int = 0) -> Text:
    style = STYLES[result.status]
    timing = f"{result.duration_ms:.0f} ms" if result.status != "skipped" else ""
    attempts = f" ({result.attempts} attempts)" if result.attempts > 1 else ""
    return Text.assemble(
        "  " + "    " * depth,
        (MARKS[result.status] + " ", style),
        (result.key.split("/")[-1] if depth else result.key, "bold"),
        f"  {result.title}",
        (f"  {timing}{attempts}", "dim"),
        (f"  {result.reason}" if result.reason else "", style if result.status != "ok" else "dim"),
    )


class TerminalPrompter:
    """Asks the person at the terminal; implements runbook.engine.Prompter."""

    def __init__(self, console: Console, progress: LiveProgress | None = None) -> None:
        self.console = console
        self.progress = progress

    @contextmanager
    def _quiet(self) -> Iterator[None]:
        if self.progress is None:
            yield
        else:
            with self.progress.paused():
                yield

    def manual(self, step: Step, instructions: str, checklist: Sequence[str]) -> ManualAnswer:
        with self._quiet():
            self.console.rule(Text(f"manual: {step.title}", style="bold"))
            if instructions.strip():
                self.console.print(Markdown(instructions))
            for item in checklist:
                self.console.print(f"  [ ] {escape(item)}")
            choice = Prompt.ask(
                "done, skip or fail?",
                choices=["done", "skip", "fail"],
                default="done",
                console=self.console,
            )
            note = Prompt.ask(
                "note (optional)", default="", show_default=False, console=self.console
            )
        outcome: Literal["done", "skip", "fail"] = (
            "done" if choice == "done" else "skip" if choice == "skip" else "fail"
        )
        return ManualAnswer(outcome, note, operator_name())

    def approval(self, step: Step, request: ApprovalRequest) -> Sequence[Approval]:
        given: list[Approval] = []
        with self._quiet():
            self.console.rule(Text(f"approval: {request.title}", style="bold"))
            if request.instructions.strip():
                self.console.print(Markdown(request.instructions))
            who = ", ".join(request.approvers) if request.approvers else f"role {request.role}"
            self.console.print(f"Needs {request.min_approvals} approval(s) from {escape(who)}.")
            deadline = (
                datetime.fromisoformat(request.deadline.replace("Z", "+00:00"))
                if request.deadline
                else None
            )
            if deadline is not None:
                self.console.print(f"Approvals given after {iso_sast(deadline)} do not count.")
            while len(given) < request.min_approvals:
                if deadline is not None and now_utc() > deadline:
                    self.console.print("[red]the approval window has closed[/red]")
                    break
                name = Prompt.ask(
                    f"approver {len(given) + 1} of {request.min_approvals} "
                    + (f"({', '.join(request.approver_ids)})" if request.approver_ids else "(name)")
                    + ", empty to refuse",
                    default="",
                    show_default=False,
                    console=self.console,
                ).strip()
                if not name:
                    break
                if request.approver_ids and name not in request.approver_ids:
                    self.console.print(f"[red]{escape(name)} may not approve this step[/red]")
                    continue
                if any(item.approver == name for item in given):
                    self.console.print("[red]each approver counts once[/red]")
                    continue
                note = Prompt.ask(
                    "note (optional)", default="", show_default=False, console=self.console
                )
                given.append(Approval(name, iso(now_utc()), note))
        return given

    def confirm(self, step: Step, message: str) -> bool:
        with self._quiet():
            return Confirm.ask(
                Text(message, style="bold yellow"), default=False, console=self.console
            )


def render_summary(console: Console, record: RunRecord) -> None:
    table = Table(title=f"{record.title} ({record.run_id})", title_justify="left", expand=False)
    table.add_column("Step", no_wrap=True)
    table.add_column("Result")
    table.add_column("Time", justify="right")
    table.add_column("Details", overflow="fold")
    for step in record.steps:
        depth = step.key.count("/") + (1 if step.parent else 0)
        name = "  " * depth + step.key.split("/")[-1]
        timing = f"{step.duration_ms:.0f} ms" if step.status != "skipped" else ""
        table.add_row(name, Text(step.status, STYLES[step.status]), timing, step.reason)
    console.print(table)
    counts = record.counts()
    totals = ", ".join(f"{count} {name}" for name, count in counts.items() if count)
    word = WORDS.get(record.status, record.status.upper())
    console.print(
        Text.assemble(
            ("Result: ", "bold"),
            (word, STYLES.get(record.status, "bold")),
            f" (exit {record.exit_code}) · {totals} · {record.duration_ms / 1000:.2f} s",
            f" · {record.reason}" if record.reason else "",
        )
    )
    when = f"started {record.started_at_sast} SAST ({record.started_at} UTC) by {record.user}"
    console.print(Text(when, style="dim"))
    if record.path is not None:
        console.print(Text(f"record: {record.path}", style="dim"))


def render_record(console: Console, record: RunRecord) -> None:
    """``runbook show``: the header, every step with its checks, then the summary."""
    console.print(
        Text.assemble(
            ("run ", "bold"),
            (record.run_id, "bold cyan"),
            f" · {record.document} {record.version} · {record.environment}",
            f" ({record.base_url})" if record.base_url else "",
        )
    )
    for resume in record.resumes:
        console.print(Text(f"  resumed {resume.get('at')} by {resume.get('user')}", style="dim"))
    for step in record.steps:
        depth = step.key.count("/") + (1 if step.parent else 0)
        console.print(step_line(step, depth))
        for check in step.checks:
            mark = MARKS.get(check.grade, "-")
            console.print(
                Text("    " * (depth + 1) + f"{mark} {check.message}", STYLES[check.grade])
            )
        if step.note:
            console.print(Text("    " * (depth + 1) + f"note: {step.note}", style="dim"))
        for approval in step.approvals:
            console.print(
                Text("    " * (depth + 1) + f"approved by {approval.approver} at {approval.at}")
            )
    render_summary(console, record)


def render_dry_run(console: Console, plan: DryRun) -> None:
    console.print(
        Text.assemble(
            ("dry run ", "bold"),
            (plan.document, "bold cyan"),
            f" {plan.version} · {plan.environment} ({plan.base_url}) · nothing is sent or run",
        )
    )
    if plan.parameters:
        console.print("parameters: " + ", ".join(f"{k}={v}" for k, v in plan.parameters.items()))
    for step in plan.steps:
        pad = "  " + "    " * step.depth
        flags = [
            flag
            for flag, on in (("destructive", step.destructive), ("rollback", step.rollback))
            if on
        ]
        head = Text.assemble(
            pad,
            (step.key, "bold"),
            f"  {step.title}",
            f"  [{step.action}]",
            (f"  ({', '.join(flags)})" if flags else "", "yellow"),
            (f"  skipped: {step.skip}" if step.skip else "", "dim"),
        )
        console.print(head)
        for line in _detail_lines(step.detail):
            console.print(Text(pad + "    " + line))
        for line in step.expect:
            console.print(Text(pad + "    expect " + line, style="cyan"))
        extras = [
            f"on_failure {step.on_failure}" if step.on_failure != "stop" else "",
            f"retry {step.retry}" if step.retry else "",
            f"timeout {step.timeout}" if step.timeout else "",
        ]
        if any(extras):
            console.print(Text(pad + "    " + " · ".join(e for e in extras if e), style="dim"))
        if step.instructions.strip():
            for line in step.instructions.strip().splitlines():
                console.print(Text(pad + "    │ " + line, style="dim"))


def _detail_lines(detail: dict[str, Any] | Any) -> list[str]:
    lines: list[str] = []
    for key, value in dict(detail).items():
        if value in (None, [], {}, ""):
            continue
        if key == "argv":
            lines.append("argv: " + " ".join(_quote(arg) for arg in value))
        elif key in ("method", "url") and "method" in detail:
            if key == "method":
                lines.append(f"{detail['method']} {detail['url']}")
        elif isinstance(value, dict):
            lines.append(f"{key}: " + ", ".join(f"{k}={v}" for k, v in value.items()))
        elif isinstance(value, list):
            lines.append(f"{key}:")
            lines.extend(f"  - {item}" for item in value)
        else:
            lines.append(f"{key}: {value}")
    return lines


def _quote(arg: str) -> str:
    return arg if arg and all(ch.isalnum() or ch in "-_./:=%@{}" for ch in arg) else repr(arg)


def render_history(console: Console, records: Sequence[RunRecord]) -> None:
    table = Table(title="Runs", title_justify="left")
    for column in ("Run", "Document", "Env", "Started (SAST)", "By", "Result", "Steps"):
        table.add_column(column, no_wrap=True)
    for record in records:
        counts = record.counts()
        summary = ", ".join(f"{count} {name}" for name, count in counts.items() if count)
        table.add_row(
            record.run_id,
            f"{record.document} {record.version}",
            record.environment,
            record.started_at_sast.replace("T", " ")[:16],
            record.user,
            Text(record.status, STYLES.get(record.status, "")),
            summary,
        )
    console.print(table)
