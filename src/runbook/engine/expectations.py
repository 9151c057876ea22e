"""Evaluating a step's expectations against what was observed; every check is graded."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from runbook.engine import jsonpath
from runbook.engine.grading import convert, grade_sla, number, with_unit
from runbook.engine.observation import Observation
from runbook.engine.results import CheckResult, Grade
from runbook.errors import UsageError
from runbook.model import Expectation, JsonCheck, LatencyCheck, SlaThreshold

EXCERPT = 200

Thresholds = Mapping[str, SlaThreshold]


def evaluate(
    expect: Expectation | None,
    seen: Observation,
    thresholds: Thresholds,
    failure_grade: Grade,
    redact: Callable[[str], str] = str,
) -> list[CheckResult]:
    """All checks of ``expect`` (or the implicit ones when there is none), graded.

    ``redact`` is applied before anything is shortened: an excerpt cut through the middle
    of a secret would leave a prefix no redactor recognises.
    """
    expect = expect or _implicit(seen)
    graded = _Grader(seen, thresholds, failure_grade, redact)
    if seen.error is not None:
        fault = graded.check("request", False, "a response", seen.error, seen.error)
        return [fault, *graded.skipped(expect, seen.error)]
    return list(graded.all(expect))


def _implicit(seen: Observation) -> Expectation:
    if seen.kind == "http":
        return Expectation(status=tuple(range(200, 400)))
    return Expectation(exit_code=(0,))


def excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT else flat[:EXCERPT] + "…"


def show(value: Any) -> str:
    return excerpt(show_full(value)) if not isinstance(value, str) else show_full(value)


def show_full(value: Any) -> str:
    if value is jsonpath.MISSING:
        return "(missing)"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return number(value)
    return json.dumps(value, default=str)


def _statuses(codes: tuple[int, ...]) -> str:
    if codes == tuple(range(200, 400)):
        return "2xx or 3xx"
    return " or ".join(str(code) for code in codes)


class _Grader:
    def __init__(
        self,
        seen: Observation,
        thresholds: Thresholds,
        failure_grade: Grade,
        redact: Callable[[str], str],
    ) -> None:
        self.seen = seen
        self.thresholds = thresholds
        self.failure_grade = failure_grade
        self.redact = redact

    def excerpt(self, text: str) -> str:
        return excerpt(self.redact(text))

    def show(self, value: Any) -> str:
        if isinstance(value, str) or value is jsonpath.MISSING:
            return show(value)
        return self.excerpt(show_full(value))

    def check(self, name: str, ok: bool, expected: str, actual: str, message: str) -> CheckResult:
        grade: Grade = "ok" if ok else self.failure_grade
        return CheckResult(name, grade, expected, actual, message)

    def skipped(self, expect: Expectation, why: str) -> Iterator[CheckResult]:
        for name in _names(expect):
            yield CheckResult(name, "skipped", "", "", f"not checked: {why}")

    def threshold(self, sla: str) -> SlaThreshold:
        try:
            return self.thresholds[sla]
        except KeyError:
            raise UsageError(f"unknown SLA threshold {sla!r}") from None

    def all(self, expect: Expectation) -> Iterator[CheckResult]:
        seen = self.seen
        if expect.status:
            yield self.status(expect.status)
        if expect.latency is not None:
            yield self.latency(expect.latency)
        for header, wanted in expect.headers.items():
            value = seen.headers.get(header.lower(), seen.headers.get(header))
            ok = value is not None and wanted.lower() in value.lower()
            actual = "(missing)" if value is None else repr(value)
            yield self.check(
                f"header {header}",
                ok,
                f"contains {wanted!r}",
                actual,
                f"header {header} {actual}" + ("" if ok else f", expected to contain {wanted!r}"),
            )
        if expect.exit_code:
            ok = seen.exit_code in expect.exit_code
            wanted_codes = " or ".join(str(code) for code in expect.exit_code)
            yield self.check(
                "exit code",
                ok,
                wanted_codes,
                str(seen.exit_code),
                f"exit code {seen.exit_code}" + ("" if ok else f", expected {wanted_codes}"),
            )
        body_checks = bool(
            expect.json or expect.body_contains or expect.body_not_contains or expect.body_matches
        )
        if seen.body_error is not None:
            yield self.check("body", False, "a complete body", seen.body_error, seen.body_error)
            if body_checks:
                yield from self.skipped(
                    Expectation(
                        json=expect.json,
                        body_contains=expect.body_contains,
                        body_not_contains=expect.body_not_contains,
                        body_matches=expect.body_matches,
                    ),
                    seen.body_error,
                )
        else:
            for check in expect.json:
                yield from self.json(check)
            yield from self.text("body", seen.body, expect.body_contains, expect.body_not_contains)
            if expect.body_matches:
                yield self.matches("body", seen.body, expect.body_matches)
        yield from self.text(
            "output", seen.stdout, expect.output_contains, expect.output_not_contains
        )
        if expect.output_matches:
            yield self.matches("output", seen.stdout, expect.output_matches)

    def status(self, wanted: tuple[int, ...]) -> CheckResult:
        seen = self.seen
        bad = [code for code in seen.statuses if code not in wanted]
        expected = _statuses(wanted)
        if not bad:
            return self.check("status", True, expected, str(seen.status), f"status {seen.status}")
        actual = str(bad[0])
        if len(seen.statuses) > 1:
            actual = f"{bad[0]} in {len(bad)} of {len(seen.statuses)} samples"
        return self.check(
            "status", False, expected, actual, f"status {actual}, expected {expected}"
        )

    def latency(self, check: LatencyCheck) -> CheckResult:
        values = self.seen.percentiles()
        label = check.percentile if len(self.seen.latencies_ms) > 1 else "latency"
        name = f"latency {check.percentile}"
        if not values:
            return self.check(name, False, "a measurement", "none", "no latency was measured")
        value = values[check.percentile]
        if check.sla is not None:
            threshold = self.threshold(check.sla)
            converted = convert(value, "ms", threshold.unit)
            return grade_sla(label, converted, threshold, name)
        limit = check.max_ms or 0.0
        ok = value <= limit
        shown = with_unit(value, "ms")
        message = f"{label} {shown} {'≤' if ok else '>'} {with_unit(limit, 'ms')}"
        return self.check(name, ok, f"≤ {with_unit(limit, 'ms')}", shown, message)

    def json(self, check: JsonCheck) -> Iterator[CheckResult]:
        document, problem = self.seen.json()
        for operator, wanted in check.operators.items():
            name = f"{check.path} {operator}"
            if problem is not None:
                yield self.check(name, False, _wanted(operator, wanted), "not JSON", problem)
                continue
            value = jsonpath.find(document, check.path)
            if operator == "sla":
                yield self.json_sla(check.path, value, str(wanted), name)
                continue
            ok, expected = _OPERATORS[operator](value, wanted)
            message = f"{check.path} is {self.show(value)}"
            if not ok:
                message += f", expected {expected}"
            yield self.check(name, ok, expected, self.show(value), message)

    def json_sla(self, path: str, value: Any, sla: str, name: str) -> CheckResult:
        threshold = self.threshold(sla)
        if isinstance(value, bool) or not isinstance(value, int | float):
            expected = f"a number graded by {sla}"
            return self.check(
                name,
                False,
                expected,
                self.show(value),
                f"{path} is {self.show(value)}, expected {expected}",
            )
        return grade_sla(path, float(value), threshold, name)

    def text(
        self, where: str, text: str, contains: tuple[str, ...], absent: tuple[str, ...]
    ) -> Iterator[CheckResult]:
        for wanted in contains:
            ok = wanted in text
            message = (
                f"{where} contains {wanted!r}"
                if ok
                else (f"{where} does not contain {wanted!r}: {self.excerpt(text)!r}")
            )
            yield self.check(f"{where} contains", ok, repr(wanted), self.excerpt(text), message)
        for unwanted in absent:
            ok = unwanted not in text
            message = (
                f"{where} does not contain {unwanted!r}"
                if ok
                else (f"{where} contains {unwanted!r}, expected it not to")
            )
            yield self.check(
                f"{where} not contains", ok, f"no {unwanted!r}", self.excerpt(text), message
            )

    def matches(self, where: str, text: str, pattern: str) -> CheckResult:
        ok = re.search(pattern, text) is not None
        message = (
            f"{where} matches /{pattern}/"
            if ok
            else (f"{where} {self.excerpt(text)!r} does not match /{pattern}/")
        )
        return self.check(f"{where} matches", ok, f"/{pattern}/", self.excerpt(text), message)


def _names(expect: Expectation) -> Iterator[str]:
    if expect.status:
        yield "status"
    if expect.latency:
        yield f"latency {expect.latency.percentile}"
    for header in expect.headers:
        yield f"header {header}"
    if expect.exit_code:
        yield "exit code"
    for check in expect.json:
        for operator in check.operators:
            yield f"{check.path} {operator}"
    for where, items in (
        ("body contains", expect.body_contains),
        ("body not contains", expect.body_not_contains),
        ("output contains", expect.output_contains),
        ("output not contains", expect.output_not_contains),
    ):
        for _ in items:
            yield where
    if expect.body_matches:
        yield "body matches"
    if expect.output_matches:
        yield "output matches"


def _wanted(operator: str, wanted: Any) -> str:
    return f"{operator} {show(wanted)}"


def _same(left: Any, right: Any) -> bool:
    # YAML true must not equal JSON 1, as Python would say.
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    return bool(left == right)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


_TYPES: Mapping[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "number": _is_number,
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
    "null": lambda v: v is None,
}

Operator = Callable[[Any, Any], tuple[bool, str]]
_HERE = jsonpath.MISSING


def _length(value: Any) -> int | None:
    return len(value) if isinstance(value, str | list | dict) else None


_OPERATORS: Mapping[str, Operator] = {
    "equals": lambda v, w: (v is not _HERE and _same(v, w), show(w)),
    "not_equals": lambda v, w: (v is not _HERE and not _same(v, w), f"not {show(w)}"),
    "in": lambda v, w: (any(_same(v, item) for item in w), f"one of {show(w)}"),
    "not_in": lambda v, w: (
        v is not _HERE and not any(_same(v, item) for item in w),
        f"none of {show(w)}",
    ),
    "exists": lambda v, w: ((v is not _HERE) == bool(w), "present" if w else "absent"),
    "matches": lambda v, w: (
        v is not _HERE and re.search(w, v if isinstance(v, str) else json.dumps(v)) is not None,
        f"matching /{w}/",
    ),
    "contains": lambda v, w: (
        (isinstance(v, str) and isinstance(w, str) and w in v)
        or (isinstance(v, list) and any(_same(item, w) for item in v)),
        f"containing {show(w)}",
    ),
    "type": lambda v, w: (v is not _HERE and _TYPES[w](v), f"of type {w}"),
    "min": lambda v, w: (_is_number(v) and v >= w, f"≥ {number(w)}"),
    "max": lambda v, w: (_is_number(v) and v <= w, f"≤ {number(w)}"),
    "min_length": lambda v, w: (
        (length := _length(v)) is not None and length >= w,
        f"length ≥ {w}",
    ),
    "max_length": lambda v, w: (
        (length := _length(v)) is not None and length <= w,
        f"length ≤ {w}",
    ),
}
