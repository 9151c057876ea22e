"""Expectations graded ok / warning / critical, worded with the values filled in."""

from __future__ import annotations

from typing import Any

import pytest

from runbook.engine import jsonpath
from runbook.engine.expectations import evaluate
from runbook.engine.grading import grade_sla
from runbook.engine.observation import Observation, percentiles
from runbook.model import Expectation, JsonCheck, LatencyCheck, SlaThreshold

API = SlaThreshold("api-response-time", "p95", "ms", "lower-is-better", 200, 500, 1000)
PAGE = SlaThreshold("page-load-time", "load", "s", "lower-is-better", 2.5, 5, 10)
UPTIME = SlaThreshold("uptime", "availability", "percent", "higher-is-better", 99.9, 99.5, 99)
THRESHOLDS = {t.id: t for t in (API, PAGE, UPTIME)}


def http(
    body: str = "{}", status: int = 200, latencies: tuple[float, ...] = (10.0,)
) -> Observation:
    return Observation(
        kind="http",
        status=status,
        statuses=[status] * len(latencies),
        body=body,
        latencies_ms=list(latencies),
        headers={"content-type": "application/json; charset=utf-8"},
    )


def messages(
    expect: Expectation, seen: Observation, grade: Any = "critical"
) -> list[tuple[str, str]]:
    return [(c.grade, c.message) for c in evaluate(expect, seen, THRESHOLDS, grade)]


def test_status_says_what_came_back_and_what_was_expected() -> None:
    assert messages(Expectation(status=(200,)), http(status=503)) == [
        ("critical", "status 503, expected 200")
    ]
    assert messages(Expectation(status=(200, 204)), http(status=204)) == [("ok", "status 204")]


@pytest.mark.parametrize(
    ("value", "grade", "message"),
    [
        (150, "ok", "p95 150 ms ≤ target 200 ms (api-response-time)"),
        (
            412,
            "warning",
            "p95 412 ms > critical 1000 ms? no: warning above 200 ms (api-response-time)",
        ),
        (1412, "critical", "p95 1412 ms > critical 1000 ms (api-response-time)"),
    ],
)
def test_latency_graded_against_an_sla(value: float, grade: str, message: str) -> None:
    check = grade_sla("p95", value, API, "latency p95")
    assert (check.grade, check.message) == (grade, message)
    assert check.sla == "api-response-time"
    assert check.failed is (grade == "critical")


def test_latency_in_ms_is_converted_to_an_sla_in_seconds() -> None:
    seen = http(latencies=(6100.0,))
    expect = Expectation(latency=LatencyCheck(sla="page-load-time"))
    assert messages(expect, seen) == [
        ("warning", "latency 6.1 s > critical 10 s? no: warning above 2.5 s (page-load-time)")
    ]


def test_higher_is_better() -> None:
    assert grade_sla("$.a", 99.7, UPTIME, "x").message == (
        "$.a 99.7 % < critical 99 %? no: warning below 99.9 % (uptime)"
    )
    assert grade_sla("$.a", 98.2, UPTIME, "x").grade == "critical"
    assert grade_sla("$.a", 99.95, UPTIME, "x").grade == "ok"


def test_percentiles_over_samples_are_nearest_rank() -> None:
    values = percentiles([float(n) for n in range(1, 21)])
    assert (values["p50"], values["p95"], values["max"], values["mean"]) == (10, 19, 20, 10.5)
    seen = http(latencies=tuple(float(n) for n in range(1, 21)))
    expect = Expectation(latency=LatencyCheck(percentile="p90", max_ms=15))
    assert messages(expect, seen) == [("critical", "p90 18 ms > 15 ms")]


def json_check(path: str, **operators: Any) -> Expectation:
    return Expectation(json=(JsonCheck(path, operators),))


BODY = '{"status": "healthy", "count": 3, "flag": true, "items": [{"id": "a"}], "rate": 0.3}'


@pytest.mark.parametrize(
    ("expect", "grade", "message"),
    [
        (json_check("$.status", equals="healthy"), "ok", "$.status is 'healthy'"),
        (json_check("$.status", equals="up"), "critical", "$.status is 'healthy', expected 'up'"),
        (
            json_check("$.missing", exists=True),
            "critical",
            "$.missing is (missing), expected present",
        ),
        (json_check("$.count", equals=True), "critical", "$.count is 3, expected true"),
        (json_check("$.flag", equals=True), "ok", "$.flag is true"),
        (json_check("$.count", type="integer"), "ok", "$.count is 3"),
        (
            json_check("$.rate", type="integer"),
            "critical",
            "$.rate is 0.3, expected of type integer",
        ),
        (json_check("$.count", min=1, max=2), "critical", "$.count is 3, expected ≤ 2"),
        (json_check("$.items[0].id", **{"in": ["a", "b"]}), "ok", "$.items[0].id is 'a'"),
        (
            json_check("$.items", min_length=2),
            "critical",
            '$.items is [{"id": "a"}], expected length ≥ 2',
        ),
        (json_check("$.status", matches="^heal"), "ok", "$.status is 'healthy'"),
        (json_check("$.rate", sla="uptime"), "critical", "$.rate 0.3 % < critical 99 % (uptime)"),
    ],
)
def test_json_operators(expect: Expectation, grade: str, message: str) -> None:
    checks = evaluate(expect, http(BODY), THRESHOLDS, "critical")
    assert (checks[-1].grade, checks[-1].message) == (grade, message)


def test_failure_grade_applies_to_checks_without_an_sla() -> None:
    assert messages(Expectation(status=(200,)), http(status=500), "warning") == [
        ("warning", "status 500, expected 200")
    ]


def test_body_headers_exit_code_and_output() -> None:
    seen = http('{"a": 1}')
    expect = Expectation(
        body_contains=('"a"',), body_not_contains=("error",), headers={"Content-Type": "json"}
    )
    assert [c.grade for c in evaluate(expect, seen, THRESHOLDS, "critical")] == ["ok"] * 3
    command = Observation(kind="command", exit_code=2, stdout="200 0.12\n")
    expect = Expectation(exit_code=(0,), output_matches="^200 ", output_contains=("0.5",))
    assert messages(expect, command) == [
        ("critical", "exit code 2, expected 0"),
        ("critical", "output does not contain '0.5': '200 0.12'"),
        ("ok", "output matches /^200 /"),
    ]


def test_jsonpath_subset() -> None:
    document = {"a": {"b": [{"c": 1}]}}
    assert jsonpath.find(document, "$.a.b[0].c") == 1
    assert jsonpath.find(document, "$.a.x") is jsonpath.MISSING
    assert jsonpath.find(document, "$.a.b[3]") is jsonpath.MISSING
    assert jsonpath.find(document, "$") == document
    with pytest.raises(ValueError, match="unsupported JSON path"):
        jsonpath.parse("$..a")
