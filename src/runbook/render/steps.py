"""How a step reads on a page: its number, the exact probe, what it expects, how to run it.

The probe is shown as written (templates such as ``{{ vars.worker_name }}`` included), so
what a reader sees is exactly what ``runbook exec`` sends; SLA checks name the threshold
they are graded against, with its numbers looked up from the reference document.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from runbook.model import (
    CommandAction,
    Expectation,
    HttpAction,
    JsonCheck,
    OutputSpec,
    ParallelAction,
    Retry,
    SlaThreshold,
    Step,
)
from runbook.render.links import Linker
from runbook.render.text import code, duration, join_words, literal

UNITS = {"ms": " ms", "s": " s", "percent": "%", "count": "", "rating": ""}


@dataclass(frozen=True)
class NumberedStep:
    """A step with its display number: ``3`` at the top level, ``3.2`` inside a group."""

    number: str
    step: Step
    depth: int
    members: tuple[NumberedStep, ...] = ()


def number_steps(steps: Iterable[Step], prefix: str = "", depth: int = 0) -> list[NumberedStep]:
    numbered: list[NumberedStep] = []
    for position, step in enumerate(steps, start=1):
        number = f"{prefix}{position}"
        members: tuple[NumberedStep, ...] = ()
        if isinstance(step.action, ParallelAction):
            members = tuple(number_steps(step.action.steps, f"{number}.", depth + 1))
        numbered.append(NumberedStep(number, step, depth, members))
    return numbered


def flatten(numbered: Iterable[NumberedStep]) -> dict[str, str]:
    """Step id -> display number, nested steps included (for jump targets)."""
    found: dict[str, str] = {}
    for item in numbered:
        found[item.step.id] = item.number
        found.update(flatten(item.members))
    return found


def group_by_phase(numbered: list[NumberedStep]) -> list[tuple[str | None, list[NumberedStep]]]:
    """Consecutive steps sharing a phase, in document order."""
    groups: list[tuple[str | None, list[NumberedStep]]] = []
    for item in numbered:
        if groups and groups[-1][0] == item.step.phase:
            groups[-1][1].append(item)
        else:
            groups.append((item.step.phase, [item]))
    return groups


def phase_title(phase: str) -> str:
    """``post-incident`` -> ``Post-incident``; free-text phases are kept as written."""
    return phase[:1].upper() + phase[1:] if phase.islower() else phase


def http_probe(action: HttpAction) -> str:
    """The request as an HTTP message: request line, headers, then the body."""
    target = action.url
    if action.query:
        pairs = "&".join(f"{key}={_scalar(value)}" for key, value in action.query.items())
        target += ("&" if "?" in target else "?") + pairs
    lines = [f"{action.method} {target}"]
    headers = dict(action.headers)
    if action.has_json and not any(name.lower() == "content-type" for name in headers):
        headers["Content-Type"] = "application/json"
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if action.has_json:
        lines += ["", json.dumps(action.json, indent=2, ensure_ascii=False)]
    elif action.body is not None:
        lines += ["", action.body.rstrip("\n")]
    return "\n".join(lines)


def http_options(action: HttpAction) -> list[str]:
    options = []
    if action.samples > 1:
        options.append(f"sent {action.samples} times to measure latency percentiles")
    if action.timeout is not None:
        options.append(f"times out after {duration(action.timeout)}")
    if action.follow_redirects:
        options.append("follows redirects")
    if action.max_body_bytes is not None:
        options.append(f"reads at most {action.max_body_bytes} bytes of the body")
    return options


COMMAND_WIDTH = 76  # beyond this a command scrolls sideways in the page column


def command_line(action: CommandAction) -> str:
    """The command as a shell line (never run through a shell: argv is passed as is).

    Long commands are wrapped with backslash continuations, which a shell reads as one
    line, so the copy button still gives a command that runs.
    """
    words = [f"{name}={shlex.quote(value)}" for name, value in action.env.items()]
    words += [shlex.quote(word) for word in action.argv]
    units: list[str] = []  # an option stays on the same line as its value
    for word in words:
        if units and units[-1].startswith("-") and " " not in units[-1] and word[:1] != "-":
            units[-1] += " " + word
        else:
            units.append(word)
    lines = [units[0]]
    for unit in units[1:]:
        if len(lines[-1]) + 1 + len(unit) <= COMMAND_WIDTH:
            lines[-1] += " " + unit
        else:
            lines.append("    " + unit)
    line = " \\\n".join(lines)
    return f"cd {shlex.quote(action.cwd)}\n{line}" if action.cwd else line


def command_options(action: CommandAction) -> list[str]:
    options = []
    if action.timeout is not None:
        options.append(f"times out after {duration(action.timeout)}")
    if action.stdin is not None:
        options.append("reads the input shown below on stdin")
    return options


def threshold(sla: SlaThreshold) -> str:
    """How the engine grades it: ok up to the target, critical beyond critical, else warning."""
    unit = UNITS.get(sla.unit, f" {sla.unit}")
    good, bad = ("≤", ">") if sla.direction == "lower-is-better" else ("≥", "<")
    return (
        f"ok {good} {sla.target:g}{unit}, critical {bad} {sla.critical:g}{unit}, warning in between"
    )


def graded(sla_id: str, link: Linker) -> str:
    sla = link.corpus.sla.get(sla_id)
    reference = link.holder("sla", sla_id, sla_id)
    if sla is None:
        return f"graded against SLA {reference}"
    return f"graded against SLA {reference}: {threshold(sla)}"


_OPERATORS: Mapping[str, str] = {
    "equals": "equals {}",
    "not_equals": "does not equal {}",
    "in": "is one of {}",
    "not_in": "is none of {}",
    "matches": "matches the pattern {}",
    "contains": "contains {}",
    "type": "is of type {}",
    "min": "is at least {}",
    "max": "is at most {}",
    "min_length": "has at least {} items",
    "max_length": "has at most {} items",
}


def _json_check(check: JsonCheck, link: Linker) -> list[str]:
    parts: list[str] = []
    for operator, value in check.operators.items():
        if operator == "sla":
            parts.append(graded(str(value), link))
        elif operator == "exists":
            parts.append("exists" if value else "is absent")
        elif operator in ("in", "not_in") and isinstance(value, list):
            options = join_words([code(literal(item)) for item in value])
            parts.append(_OPERATORS[operator].format(options))
        elif operator in ("matches", "type"):
            parts.append(_OPERATORS[operator].format(code(value)))
        elif operator in _OPERATORS:
            parts.append(_OPERATORS[operator].format(code(literal(value))))
    return [f"{code(check.path)} {join_words(parts, 'and')}"]


def expectations(expect: Expectation | None, link: Linker) -> list[str]:
    """One Markdown line per check, in the order a reader verifies them."""
    if expect is None:
        return []
    lines: list[str] = []
    if expect.status:
        lines.append("HTTP status " + join_words([str(status) for status in expect.status]))
    if expect.latency is not None:
        latency = expect.latency
        if latency.sla:
            lines.append(f"latency ({latency.percentile}) {graded(latency.sla, link)}")
        elif latency.max_ms is not None:
            lines.append(f"latency ({latency.percentile}) at most {latency.max_ms:g} ms")
    for check in expect.json:
        lines += _json_check(check, link)
    lines += [f"body contains {code(text)}" for text in expect.body_contains]
    lines += [f"body does not contain {code(text)}" for text in expect.body_not_contains]
    if expect.body_matches:
        lines.append(f"body matches the pattern {code(expect.body_matches)}")
    lines += [f"header {code(name)} is {code(value)}" for name, value in expect.headers.items()]
    if expect.exit_code:
        lines.append("exit code " + join_words([str(value) for value in expect.exit_code]))
    lines += [f"output contains {code(text)}" for text in expect.output_contains]
    lines += [f"output does not contain {code(text)}" for text in expect.output_not_contains]
    if expect.output_matches:
        lines.append(f"output matches the pattern {code(expect.output_matches)}")
    return lines


def retry_text(retry: Retry | None) -> str:
    if retry is None or retry.attempts <= 1:
        return ""
    text = f"up to {retry.attempts} attempts"
    if retry.delay:
        text += f", {duration(retry.delay)} apart"
    if retry.backoff > 1:
        text += f" (the wait grows ×{retry.backoff:g} each time)"
    return text


def output_text(output: OutputSpec) -> str:
    if output.json:
        return f"{code(output.name)} from {code(output.json)}"
    if output.regex:
        return f"{code(output.name)} from {output.source or 'the output'} by {code(output.regex)}"
    if output.header:
        return f"{code(output.name)} from header {code(output.header)}"
    return f"{code(output.name)} = the {output.value}"


def failure_text(step: Step, numbers: Mapping[str, str]) -> str:
    """What happens when the step fails, in words; a jump names the target step."""
    if step.on_failure == "continue":
        return f"graded {step.failure_grade}, the run continues"
    if step.on_failure == "stop":
        return f"graded {step.failure_grade}, the run stops"
    number = numbers.get(step.on_failure)
    target = f"[step {number}](#{step.on_failure})" if number else code(step.on_failure)
    return f"graded {step.failure_grade}, the run jumps to {target}"


def exec_command(document_id: str, step_id: str | None = None) -> str:
    return f"runbook exec {document_id}" + (f" --only {step_id}" if step_id else "")


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
