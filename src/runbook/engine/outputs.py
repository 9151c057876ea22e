"""Capturing a step's outputs for later steps' templates."""

from __future__ import annotations

import re
from typing import Any

from runbook.engine import jsonpath
from runbook.engine.observation import Observation
from runbook.model import OutputSpec


def capture(specs: tuple[OutputSpec, ...], seen: Observation) -> tuple[dict[str, Any], list[str]]:
    """The values captured (None where not found) and a note for each one that was not."""
    values: dict[str, Any] = {}
    missing: list[str] = []
    for spec in specs:
        value, why = _one(spec, seen)
        values[spec.name] = value
        if why:
            missing.append(f"output {spec.name}: {why}")
    return values, missing


def _one(spec: OutputSpec, seen: Observation) -> tuple[Any, str | None]:
    if seen.error is not None:
        return None, "no response"
    if spec.json is not None:
        document, problem = seen.json()
        if problem is not None:
            return None, problem
        value = jsonpath.find(document, spec.json)
        return (None, f"{spec.json} not found") if value is jsonpath.MISSING else (value, None)
    if spec.regex is not None:
        source = spec.source or ("body" if seen.kind == "http" else "stdout")
        text = {"body": seen.body, "stdout": seen.stdout, "stderr": seen.stderr}[source]
        match = re.search(spec.regex, text)
        if match is None:
            return None, f"/{spec.regex}/ did not match the {source}"
        return (match.group(1) if match.groups() else match.group(0)), None
    if spec.header is not None:
        value = seen.headers.get(spec.header.lower(), seen.headers.get(spec.header))
        return (None, f"no {spec.header} header") if value is None else (value, None)
    chosen = {
        "status": seen.status,
        "latency_ms": round(seen.latency_ms, 1) if seen.latency_ms is not None else None,
        "exit_code": seen.exit_code,
        "body": seen.body,
        "stdout": seen.stdout,
    }.get(spec.value or "")
    return chosen, None if chosen is not None else f"no {spec.value}"
