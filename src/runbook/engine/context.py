"""Template variables: typed parameters, --var overrides, and checking names before a run."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from runbook.engine.protocols import Templater
from runbook.errors import UsageError
from runbook.model import (
    CommandAction,
    Document,
    Environment,
    HttpAction,
    IncludeAction,
    ParallelAction,
    Parameter,
    Step,
)

ROOTS = ("env", "vars", "params", "secrets", "steps", "run")
_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


def split_variables(
    given: Mapping[str, str], document: Document, environment: Environment
) -> tuple[dict[str, str], dict[str, str]]:
    """``--var k=v`` sets a document parameter, else overrides an environment variable."""
    params: dict[str, str] = {}
    overrides: dict[str, str] = {}
    names = {parameter.name for parameter in document.parameters}
    for key, value in given.items():
        if key in names:
            params[key] = value
        elif key in environment.variables:
            overrides[key] = value
        else:
            known = sorted(names | set(environment.variables))
            raise UsageError(
                f"unknown variable {key!r} for {document.id} in environment {environment.id}",
                hint=_suggest(key, known, "parameters and environment variables"),
            )
    return params, overrides


def resolve_parameters(
    document: Document, given: Mapping[str, Any], *, where: str = ""
) -> dict[str, Any]:
    """Typed, validated parameters with defaults applied; unknown or bad values are errors."""
    declared = {parameter.name: parameter for parameter in document.parameters}
    origin = where or document.id
    for name in given:
        if name not in declared:
            raise UsageError(
                f"{origin}: {document.id} has no parameter {name!r}",
                hint=_suggest(name, sorted(declared), "parameters"),
            )
    resolved: dict[str, Any] = {}
    for name, parameter in declared.items():
        if name in given:
            resolved[name] = coerce_parameter(parameter, given[name], origin)
        elif parameter.default is not None:
            resolved[name] = coerce_parameter(parameter, parameter.default, origin)
        elif parameter.required:
            raise UsageError(
                f"{origin}: parameter {name!r} of {document.id} is required",
                hint=f"pass --var {name}=VALUE",
            )
        else:
            resolved[name] = None
    return resolved


def coerce_parameter(parameter: Parameter, value: Any, origin: str) -> Any:
    name = parameter.name

    def bad(why: str) -> UsageError:
        return UsageError(f"{origin}: parameter {name}={value!r} {why}")

    result: Any
    if parameter.type == "integer":
        if isinstance(value, bool):
            raise bad("is not an integer")
        try:
            result = int(value)
        except (TypeError, ValueError):
            raise bad("is not an integer") from None
        if parameter.minimum is not None and result < parameter.minimum:
            raise bad(f"is below the minimum {parameter.minimum}")
        if parameter.maximum is not None and result > parameter.maximum:
            raise bad(f"is above the maximum {parameter.maximum}")
    elif parameter.type == "boolean":
        text = str(value).lower()
        if isinstance(value, bool):
            result = value
        elif text in _TRUE or text in _FALSE:
            result = text in _TRUE
        else:
            raise bad("is not a boolean (true/false)")
    else:
        result = str(value)
    if parameter.allowed:
        matches = [item for item in parameter.allowed if str(item) == str(result)]
        if not matches:
            allowed = ", ".join(str(item) for item in parameter.allowed)
            raise bad(f"is not one of: {allowed}")
        result = matches[0] if parameter.type == "enum" else result
    if parameter.pattern and not re.fullmatch(parameter.pattern, str(result)):
        raise bad(f"does not match the pattern {parameter.pattern!r}")
    return result


@dataclass(frozen=True)
class TemplateSite:
    """One template string in a step, with where it sits for error messages."""

    step: Step
    field: str
    source: str


def template_sites(step: Step) -> Iterator[TemplateSite]:
    if step.instructions:
        yield TemplateSite(step, "instructions", step.instructions)
    action = step.action
    if isinstance(action, HttpAction):
        yield TemplateSite(step, "http.url", action.url)
        for key, value in action.headers.items():
            yield TemplateSite(step, f"http.headers.{key}", value)
        for key, item in action.query.items():
            if isinstance(item, str):
                yield TemplateSite(step, f"http.query.{key}", item)
        if action.has_json:
            for path, text in _json_strings(action.json, "http.json"):
                yield TemplateSite(step, path, text)
        if action.body is not None:
            yield TemplateSite(step, "http.body", action.body)
    elif isinstance(action, CommandAction):
        for index, arg in enumerate(action.argv):
            yield TemplateSite(step, f"command.argv[{index}]", arg)
        for key, value in action.env.items():
            yield TemplateSite(step, f"command.env.{key}", value)
        if action.stdin is not None:
            yield TemplateSite(step, "command.stdin", action.stdin)
    elif isinstance(action, IncludeAction):
        for key, item in action.parameters.items():
            if isinstance(item, str):
                yield TemplateSite(step, f"include.parameters.{key}", item)


def _json_strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _json_strings(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _json_strings(item, f"{path}[{index}]")


def outputs_shape(
    document: Document,
    get: Callable[[str], Document | None],
    trail: tuple[str, ...] = (),
) -> dict[str, dict[str, Any]]:
    """``steps.STEP.OUTPUT`` names a document's templates may read, ``None`` at the leaves.

    An include step also publishes what the included document's steps capture, one level
    down: ``steps.INCLUDE_STEP.INNER_STEP.OUTPUT``, as SSM's nested automations expose
    their outputs to the parent.
    """
    shape: dict[str, dict[str, Any]] = {}
    for step in document.all_steps():
        names: dict[str, Any] = {output.name: None for output in step.outputs}
        if isinstance(step.action, IncludeAction) and document.id not in trail:
            target = get(step.action.document)
            if target is not None and target.id not in trail:
                inner = outputs_shape(target, get, (*trail, document.id))
                names.update({key: value for key, value in inner.items() if value})
        shape[step.id] = names
    return shape


def check_templates(
    document: Document,
    templater: Templater,
    shape: Mapping[str, Any],
    order: Mapping[str, int],
) -> list[str]:
    """Problems with the names templates read; ``order`` gives each step's position.

    ``shape`` maps each root to the names under it (``None`` where any deeper access is
    allowed, because the value is data, e.g. an output holding a JSON object).
    """
    problems: list[str] = []
    for step in document.all_steps():
        if isinstance(step.action, ParallelAction):
            sites: list[TemplateSite] = [TemplateSite(step, "instructions", step.instructions)]
        else:
            sites = list(template_sites(step))
        for site in sites:
            try:
                references = templater.references(site.source)
            except UsageError as error:
                problems.append(f"{document.id}: step {step.id} ({site.field}): {error.message}")
                continue
            for chain in references:
                problem = _check_chain(chain, shape, order, order.get(step.id, 0))
                if problem:
                    problems.append(f"{document.id}: step {step.id} ({site.field}): {problem}")
    return problems


def _check_chain(
    chain: tuple[str, ...], shape: Mapping[str, Any], order: Mapping[str, int], position: int
) -> str | None:
    if chain[0] not in shape:
        return f"unknown variable {chain[0]!r}; " + _suggest(chain[0], list(shape), "variables")
    if chain[0] == "steps" and len(chain) > 1 and chain[1] in order:
        if order[chain[1]] >= position:
            return (
                f"{'.'.join(chain)} is captured by step {chain[1]}, which has not run yet "
                "at this point (outputs are available to later steps)"
            )
    current: Any = shape
    for depth, name in enumerate(chain):
        if current is None:
            return None
        if name not in current:
            dotted = ".".join(chain[: depth + 1])
            known = [".".join((*chain[:depth], key)) for key in current]
            return f"unknown variable {dotted}; " + _suggest(dotted, known, "names here")
        current = current[name]
    return None


def _suggest(name: str, known: list[str], what: str) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    if close:
        return f"did you mean {close[0]}?"
    listed = ", ".join(known[:12]) + (", ..." if len(known) > 12 else "")
    return f"known {what}: {listed}" if known else f"there are no {what}"
