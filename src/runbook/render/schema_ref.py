"""The document reference page, generated from the JSON Schema so it can never drift from it.

The schema is walked into plain rows (field, type, required, description); the template
lays them out. Types are written for people: ``list of step``, ``one of weekly, monthly``,
``duration`` linking to its definition.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from runbook.render.text import cell, code

_REF_PREFIX = "#/$defs/"


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    required: bool
    description: str


@dataclass(frozen=True)
class Definition:
    name: str
    anchor: str
    description: str
    type: str
    fields: tuple[Field, ...]
    required_keys: tuple[str, ...]
    required_rule: str  # "exactly one of" (oneOf) or "at least one of" (anyOf)


@dataclass(frozen=True)
class SchemaReference:
    title: str
    description: str
    schema_id: str
    common: tuple[Field, ...]
    kinds: tuple[tuple[str, Definition], ...]
    definitions: tuple[Definition, ...]


def anchor(name: str) -> str:
    return "def-" + name.replace("_", "-")


def type_of(schema: Any) -> str:
    """A Markdown description of what a schema accepts."""
    if not isinstance(schema, Mapping):
        return "any value"
    if "$ref" in schema:
        return _ref(str(schema["$ref"]))
    if "const" in schema:
        return code(_json(schema["const"]))
    if "enum" in schema:
        return "one of " + ", ".join(code(_json(value)) for value in schema["enum"])
    for combinator in ("anyOf", "oneOf"):
        if combinator in schema and not schema.get("type"):
            options = [type_of(option) for option in schema[combinator] if _describable(option)]
            if options:
                return " or ".join(dict.fromkeys(options))
    if "allOf" in schema:
        parts = [type_of(part) for part in schema["allOf"] if "$ref" in part or "type" in part]
        return " and ".join(parts) if parts else "any value"
    kind = schema.get("type")
    if isinstance(kind, list):
        return " or ".join(str(name) for name in kind)
    if kind == "array":
        return f"list of {type_of(schema.get('items', {}))}"
    if kind == "object":
        values = schema.get("additionalProperties")
        if isinstance(values, Mapping):
            return f"map of name → {type_of(values)}"
        return "object"
    if kind == "string" and "pattern" in schema:
        return f"string matching {code(schema['pattern'])}"
    if kind in ("integer", "number"):
        low, high = schema.get("minimum"), schema.get("maximum")
        if low is not None and high is not None:
            return f"{kind} {low}–{high}"
        if low is not None or high is not None:
            return f"{kind} {'≥' if low is not None else '≤'} {low if low is not None else high}"
    if kind:
        return str(kind)
    if "items" in schema:
        return f"list of {type_of(schema['items'])}"
    if isinstance(schema.get("properties"), Mapping):
        parts = [f"{code(name)}: {type_of(spec)}" for name, spec in schema["properties"].items()]
        return "object with " + "; ".join(parts)
    return "any value"


def _describable(option: Any) -> bool:
    # ``{"required": [...]}`` branches say which key must be present, not a type.
    return isinstance(option, Mapping) and bool(set(option) - {"required", "not"})


def _ref(ref: str) -> str:
    if not ref.startswith(_REF_PREFIX):
        return code(ref)
    name = ref[len(_REF_PREFIX) :].split("/")[0]
    return f"[{name.replace('_', ' ')}](#{anchor(name)})"


def _json(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fields(schema: Mapping[str, Any]) -> tuple[Field, ...]:
    required = set(schema.get("required", ()))
    properties = schema.get("properties", {})
    return tuple(
        Field(
            name=name,
            type=type_of(spec),
            required=name in required,
            description=cell(spec.get("description", "")) if isinstance(spec, Mapping) else "",
        )
        for name, spec in properties.items()
    )


def _required_keys(schema: Mapping[str, Any]) -> tuple[tuple[str, ...], str]:
    """``oneOf``/``anyOf`` branches that each only require a key: which keys, and the rule."""
    for combinator, rule in (("oneOf", "exactly one of"), ("anyOf", "at least one of")):
        branches = schema.get(combinator) or ()
        keys = [
            branch["required"][0]
            for branch in branches
            if isinstance(branch, Mapping) and set(branch) == {"required"} and branch["required"]
        ]
        if keys and len(keys) == len(branches):
            return tuple(keys), rule
    return (), ""


def _definition(name: str, schema: Mapping[str, Any]) -> Definition:
    kind = schema.get("type")
    keys, rule = _required_keys(schema)
    return Definition(
        name=name,
        anchor=anchor(name),
        description=str(schema.get("description", "")),
        type="" if kind == "object" and "properties" in schema else type_of(schema),
        fields=_fields(schema),
        required_keys=keys,
        required_rule=rule,
    )


def _kind_sections(schema: Mapping[str, Any]) -> tuple[tuple[str, Definition], ...]:
    """The ``if kind == X then $ref`` branches: which extra fields each kind has."""
    definitions = schema.get("$defs", {})
    found: list[tuple[str, Definition]] = []
    for branch in schema.get("allOf", ()):
        kind = branch.get("if", {}).get("properties", {}).get("kind", {}).get("const")
        ref = str(branch.get("then", {}).get("$ref", ""))
        name = ref[len(_REF_PREFIX) :] if ref.startswith(_REF_PREFIX) else ""
        if kind and name in definitions:
            found.append((str(kind), _definition(name, definitions[name])))
    return tuple(found)


def build_reference(schema: Mapping[str, Any]) -> SchemaReference:
    definitions = schema.get("$defs", {})
    return SchemaReference(
        title=str(schema.get("title", "Document schema")),
        description=str(schema.get("description", "")),
        schema_id=str(schema.get("$id", "")),
        common=_fields(schema),
        kinds=_kind_sections(schema),
        definitions=tuple(_definition(name, spec) for name, spec in sorted(definitions.items())),
    )
