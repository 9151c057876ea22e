"""Grading a number against an SLA threshold, and saying so with the numbers filled in."""

from __future__ import annotations

from runbook.engine.results import CheckResult, Grade
from runbook.model import SlaThreshold

UNIT_LABELS = {"ms": " ms", "s": " s", "percent": " %", "count": "", "rating": ""}


def number(value: float) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if float(value).is_integer():
        return str(int(value))
    return f"{round(value, 3):.6g}" if abs(value) < 100 else f"{value:.1f}".rstrip("0").rstrip(".")


def with_unit(value: float, unit: str) -> str:
    if unit == "ms":
        value = round(value, 1)
    return f"{number(value)}{UNIT_LABELS.get(unit, ' ' + unit)}"


def convert(value: float, from_unit: str, to_unit: str) -> float:
    """Latency is measured in ms; an SLA may be written in seconds."""
    if from_unit == to_unit:
        return value
    if from_unit == "ms" and to_unit == "s":
        return value / 1000
    if from_unit == "s" and to_unit == "ms":
        return value * 1000
    return value


def grade_sla(label: str, value: float, threshold: SlaThreshold, name: str) -> CheckResult:
    """ok when the target is met, critical beyond the critical threshold, warning between.

    Worded as a question answered, Gatus-style: ``p95 412 ms > critical 1000 ms? no:
    warning above 200 ms``.
    """
    unit = threshold.unit
    shown = with_unit(value, unit)
    target = with_unit(threshold.target, unit)
    critical = with_unit(threshold.critical, unit)
    lower = threshold.direction == "lower-is-better"
    beyond, meets = (">", "≤") if lower else ("<", "≥")
    side = "above" if lower else "below"
    meets_target = value <= threshold.target if lower else value >= threshold.target
    is_critical = value > threshold.critical if lower else value < threshold.critical
    grade: Grade
    if meets_target:
        grade = "ok"
        message = f"{label} {shown} {meets} target {target}"
    elif is_critical:
        grade = "critical"
        message = f"{label} {shown} {beyond} critical {critical}"
    else:
        grade = "warning"
        message = f"{label} {shown} {beyond} critical {critical}? no: warning {side} {target}"
    expected = f"{meets} {target} (critical {beyond} {critical})"
    return CheckResult(
        name=name,
        grade=grade,
        expected=expected,
        actual=shown,
        message=f"{message} ({threshold.id})",
        sla=threshold.id,
    )
