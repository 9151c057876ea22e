"""Run reports as pure functions: the JSON record, JUnit XML for CI, Markdown for people."""

from __future__ import annotations

import json
import shlex
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from typing import Any

from runbook.engine.dryrun import DryRun
from runbook.engine.results import RunRecord, StepResult

FORMATS = ("text", "json", "junit", "markdown")
ICONS = {
    "ok": "✅",
    "warning": "⚠️",
    "critical": "❌",
    "skipped": "⏭️",
    "interrupted": "⏹️",
    "running": "⏳",
}


def render_json(record: RunRecord) -> str:
    data = record.to_dict()
    data["counts"] = record.counts()
    data["record"] = str(record.path) if record.path else None
    return json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"


def render_dry_run_json(plan: DryRun) -> str:
    return json.dumps(plan.to_dict(), indent=2, ensure_ascii=False, default=str) + "\n"


def render_dry_run_markdown(plan: DryRun) -> str:
    """The resolved plan as a change-request attachment: what will be sent, in order."""
    destructive = [step.key for step in plan.steps if step.destructive]
    lines = [
        f"## Dry run: {_cell(plan.title)}",
        "",
        f"**Document** `{plan.document}` {plan.version} · **Environment** {plan.environment} "
        f"(`{plan.base_url}`) · nothing was sent or run",
        "",
    ]
    if plan.parameters:
        listed = ", ".join(f"`{name}={value}`" for name, value in plan.parameters.items())
        lines += [f"**Parameters** {listed}", ""]
    if destructive:
        lines += [f"> Destructive steps: {', '.join(f'`{key}`' for key in destructive)}", ""]
    lines += ["| | Step | Action | Does | Expects |", "|---|---|---|---|---|"]
    for number, step in enumerate(plan.steps, 1):
        indent = "↳ " * step.depth
        flags = " ".join(
            label
            for label, on in (
                ("**destructive**", step.destructive),
                ("rollback", step.rollback),
                (f"skipped: {_cell(step.skip or '')}", bool(step.skip)),
            )
            if on
        )
        does = "<br>".join(_cell(line) for line in _dry_run_detail(step.detail))
        expects = "<br>".join(_cell(line) for line in step.expect)
        title = " ".join(
            part for part in (f"{indent}`{step.key}`", _cell(step.title), flags) if part
        )
        lines.append(f"| {number} | {title} | {step.action} | {does} | {expects} |")
    return "\n".join(lines).rstrip() + "\n"


def _dry_run_detail(detail: Mapping[str, Any]) -> list[str]:
    """One line per fact, with code in backticks so the table shows it verbatim."""
    lines: list[str] = []
    if "method" in detail:
        lines.append(f"`{detail['method']} {detail['url']}`")
    if "argv" in detail:
        lines.append("`" + " ".join(shlex.quote(str(arg)) for arg in detail["argv"]) + "`")
    for key, value in detail.items():
        if key in ("method", "url", "argv") or value in (None, [], {}, "", False):
            continue
        if isinstance(value, Mapping):
            value = ", ".join(f"{name}={item}" for name, item in value.items())
        elif isinstance(value, list):
            value = "; ".join(str(item) for item in value)
        lines.append(f"{key}: {value}")
    return lines


def seconds(ms: float) -> str:
    return f"{ms / 1000:.3f}"


def render_junit(record: RunRecord) -> str:
    leaves = [step for step in record.steps if step.action not in ("parallel", "include")]
    counts = record.counts()
    suites = ET.Element("testsuites", name=f"runbook {record.document}")
    suite = ET.SubElement(
        suites,
        "testsuite",
        name=f"{record.document} ({record.environment})",
        tests=str(len(leaves)),
        failures=str(sum(1 for step in leaves if step.status == "critical")),
        errors=str(counts["interrupted"]),
        skipped=str(counts["skipped"]),
        time=seconds(record.duration_ms),
        timestamp=record.started_at,
        hostname=record.host or "localhost",
    )
    properties = ET.SubElement(suite, "properties")
    for name, value in (
        ("run_id", record.run_id),
        ("document_version", record.version),
        ("environment", record.environment),
        ("base_url", record.base_url or ""),
        ("user", record.user),
        ("status", record.status),
        ("started_at_sast", record.started_at_sast),
    ):
        ET.SubElement(properties, "property", name=name, value=str(value))
    for step in leaves:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=f"{record.document}.{step.document}",
            name=f"{step.key}: {step.title}",
            time=seconds(step.duration_ms),
        )
        lines = "\n".join(f"[{check.grade}] {check.message}" for check in step.checks)
        if step.status == "critical":
            failure = ET.SubElement(case, "failure", message=step.reason, type="critical")
            failure.text = lines or step.reason
        elif step.status == "interrupted":
            ET.SubElement(case, "error", message=step.reason, type="interrupted")
        elif step.status == "skipped":
            ET.SubElement(case, "skipped", message=step.reason)
        if step.status == "warning" or step.note:
            out = ET.SubElement(case, "system-out")
            out.text = "\n".join(
                part
                for part in (
                    f"warning: {step.reason}" if step.status == "warning" else "",
                    lines,
                    f"note: {step.note}" if step.note else "",
                )
                if part
            )
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, "unicode") + "\n"


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _duration(ms: float) -> str:
    return f"{ms:.0f} ms" if ms < 1000 else f"{ms / 1000:.1f} s"


def render_markdown(record: RunRecord) -> str:
    counts = record.counts()
    icon = ICONS.get(record.status, "")
    lines = [
        f"## {icon} {record.title} — {record.status.upper()}",
        "",
        f"**Run** `{record.run_id}` · **Document** `{record.document}` {record.version} · "
        f"**Environment** {record.environment} · **By** {record.user}",
        "",
        f"**Started** {record.started_at_sast} SAST ({record.started_at} UTC) · "
        f"**Duration** {_duration(record.duration_ms)} · "
        + " · ".join(f"{count} {name}" for name, count in counts.items() if count),
        "",
    ]
    if record.reason:
        lines += [f"> {_cell(record.reason)}", ""]
    lines += ["| | Step | Result | Time | Details |", "|---|---|---|---|---|"]
    for step in record.steps:
        indent = "↳ " if step.parent or "/" in step.key else ""
        lines.append(
            f"| {ICONS.get(step.status, '')} | {indent}`{step.key}` {_cell(step.title)} | "
            f"{step.status} | {_duration(step.duration_ms)} | {_cell(step.reason)} |"
        )
    findings = [step for step in record.steps if step.status in ("warning", "critical")]
    findings = [step for step in findings if step.checks]
    if findings:
        lines += ["", "### Findings", ""]
        for step in findings:
            for check in step.checks:
                if check.grade in ("warning", "critical"):
                    lines.append(f"- **{step.key}** ({check.grade}): {_cell(check.message)}")
    notes = [step for step in record.steps if step.note or step.approvals]
    if notes:
        lines += ["", "### Notes and approvals", ""]
        for step in notes:
            if step.note:
                lines.append(f"- **{step.key}**: {_cell(step.note)}")
            for approval in step.approvals:
                lines.append(f"- **{step.key}** approved by {approval.approver} at {approval.at}")
    return "\n".join(lines) + "\n"


DRY_RUN_RENDERERS: Mapping[str, Callable[[DryRun], str]] = {
    "json": render_dry_run_json,
    "markdown": render_dry_run_markdown,
}

RENDERERS: Mapping[str, Callable[[RunRecord], str]] = {
    "json": render_json,
    "junit": render_junit,
    "markdown": render_markdown,
}


def leaf_results(record: RunRecord) -> list[StepResult]:
    return [step for step in record.steps if step.action not in ("parallel", "include")]
