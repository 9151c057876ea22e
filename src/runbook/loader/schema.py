"""Validation against the JSON Schema, with messages a person can act on.

jsonschema-rs is built once per process and answers ``is_valid`` fast; only documents that
fail are walked again for their errors, which are then rewritten: an unknown field names
the fields that are allowed, an ``anyOf`` says what was expected, a "one of these keys"
``oneOf`` says which keys were found.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs

SCHEMA_FILE_NAME = "runbook.schema.json"


def schema_path() -> Path:
    """The schema shipped with the package (the repository's schema/ file)."""
    # Beside this module in both a checkout and an installed wheel; importlib.resources
    # would cost more start-up time than the whole lookup is worth.
    return (Path(__file__).parent / SCHEMA_FILE_NAME).resolve()


@cache
def schema() -> Mapping[str, Any]:
    loaded: Mapping[str, Any] = json.loads(schema_path().read_text(encoding="utf-8"))
    return loaded


@cache
def _validator() -> Any:
    return jsonschema_rs.validator_for(dict(schema()))


@dataclass(frozen=True)
class SchemaError:
    path: tuple[str | int, ...]
    message: str
    hint: str | None = None
    points_at_key: bool = False


def is_valid(instance: Any) -> bool:
    return bool(_validator().is_valid(instance))


def errors(instance: Any) -> list[SchemaError]:
    found = [
        explained
        for error in _validator().iter_errors(instance)
        for explained in _explain(error, instance)
    ]
    kinds = schema()["properties"]["kind"]["enum"]
    if isinstance(instance, Mapping) and instance.get("kind") not in kinds:
        # Without a known kind no kind's fields are allowed; the kind error says it all.
        found = [e for e in found if not (e.points_at_key and len(e.path) == 1)]
    unique: dict[tuple[tuple[str | int, ...], str], SchemaError] = {}
    for item in found:
        unique.setdefault((item.path, item.message), item)
    return sorted(unique.values(), key=lambda item: [str(part) for part in item.path])


def _explain(error: Any, instance: Any) -> list[SchemaError]:
    path = tuple(error.instance_path)
    schema_path = tuple(error.schema_path)
    kind = type(error.kind).__name__
    node = _schema_at(schema_path[:-1])
    value = _value_at(instance, path)
    if kind in ("AdditionalProperties", "UnevaluatedProperties"):
        allowed = sorted(_allowed_properties(node, instance if not path else value))
        return [
            _unknown_field(path, name, allowed)
            for name in getattr(error.kind, "unexpected", []) or []
        ]
    if kind == "OneOfNotValid" or kind == "OneOfMultipleValid":
        choices = _required_choices(node.get("oneOf", []))
        if choices and isinstance(value, Mapping):
            present = [choice for choice in choices if choice in value]
            found = ", ".join(present) if present else "none"
            return [
                SchemaError(path, f"needs exactly one of {', '.join(choices)} (found: {found})")
            ]
    if kind == "AnyOf":
        expected = _sentence(node.get("description")) or _describe_alternatives(
            node.get("anyOf", [])
        )
        return [SchemaError(path, f"{_short(value)} is not valid: expected {expected}")]
    if kind == "Required":
        missing = getattr(error.kind, "property", None)
        if isinstance(missing, str):
            return [SchemaError(path, f"missing required field '{missing}'")]
    if kind == "Pattern" and "description" in node:
        return [
            SchemaError(path, f"{_short(value)} is not valid: {_sentence(node['description'])}")
        ]
    if kind == "Enum":
        options = ", ".join(repr(option) for option in node.get("enum", []))
        return [SchemaError(path, f"{_short(value)} is not one of {options}")]
    return [SchemaError(path, error.message)]


def _unknown_field(path: tuple[str | int, ...], name: str, allowed: list[str]) -> SchemaError:
    close = difflib.get_close_matches(name, allowed, n=1)
    return SchemaError(
        (*path, name),
        f"unknown field '{name}'; allowed here: {', '.join(allowed)}",
        f"did you mean '{close[0]}'?" if close else None,
        points_at_key=True,
    )


def _sentence(text: object) -> str:
    """A schema description as part of a sentence: no capital, no full stop."""
    if not isinstance(text, str) or not text:
        return ""
    return (text[0].lower() + text[1:]).rstrip(".")


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _value_at(instance: Any, path: Sequence[str | int]) -> Any:
    for part in path:
        try:
            instance = instance[part]
        except (KeyError, IndexError, TypeError):
            return None
    return instance


def _resolve(node: Mapping[str, Any]) -> Mapping[str, Any]:
    while "$ref" in node and isinstance(node["$ref"], str) and node["$ref"].startswith("#/"):
        node = _schema_at(tuple(node["$ref"][2:].split("/")))
    return node


def _schema_at(schema_path: Sequence[str | int]) -> Mapping[str, Any]:
    node: Any = schema()
    for part in schema_path:
        if isinstance(node, Mapping) and "$ref" in node and part not in node:
            node = _resolve(node)
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return {}
    return node if isinstance(node, Mapping) else {}


def _allowed_properties(node: Mapping[str, Any], value: Any) -> set[str]:
    """Property names a schema node accepts, following allOf/if-then branches that apply."""
    node = _resolve(node)
    names = set(node.get("properties", {}))
    for branch in node.get("allOf", []):
        branch = _resolve(branch)
        condition = branch.get("if")
        if condition is not None:
            if isinstance(value, Mapping) and _condition_holds(condition, value):
                names |= _allowed_properties(branch.get("then", {}), value)
        else:
            names |= _allowed_properties(branch, value)
    return names


def _condition_holds(condition: Mapping[str, Any], value: Mapping[str, Any]) -> bool:
    for name, rule in condition.get("properties", {}).items():
        if "const" in rule and value.get(name) != rule["const"]:
            return False
    return all(name in value for name in condition.get("required", []))


def _required_choices(branches: Sequence[Mapping[str, Any]]) -> list[str]:
    choices: list[str] = []
    for branch in branches:
        required = branch.get("required")
        if set(branch) != {"required"} or not isinstance(required, list) or len(required) != 1:
            return []
        choices.append(required[0])
    return choices


def _describe_alternatives(branches: Sequence[Mapping[str, Any]]) -> str:
    described: list[str] = []
    for branch in branches:
        resolved = _resolve(branch)
        if "description" in resolved:
            described.append(_sentence(resolved["description"]))
        elif "const" in resolved:
            described.append(repr(resolved["const"]))
        elif "enum" in resolved:
            described.append("one of " + ", ".join(repr(option) for option in resolved["enum"]))
        elif resolved.get("type") == "array":
            item = _resolve(resolved.get("items", {})).get("type", "value")
            described.append(f"a list of {item} values")
        elif "type" in resolved:
            described.append(f"a value of type {resolved['type']}")
    return " or ".join(dict.fromkeys(described)) or "a different value"


def iter_schema_files() -> Iterator[Path]:
    yield schema_path()
