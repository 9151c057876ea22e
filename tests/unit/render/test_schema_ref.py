from __future__ import annotations

from runbook.loader.schema import schema
from runbook.render.schema_ref import anchor, build_reference, type_of


def test_types_read_as_words() -> None:
    assert type_of({"$ref": "#/$defs/step"}) == "[step](#def-step)"
    assert type_of({"$ref": "#/$defs/json_expectation/properties/path"}) == (
        "[json expectation](#def-json-expectation)"
    )
    assert type_of({"enum": ["weekly", "monthly"]}) == "one of `weekly`, `monthly`"
    assert type_of({"type": "array", "items": {"type": "string"}}) == "list of string"
    assert type_of({"type": "object", "additionalProperties": {"type": "string"}}) == (
        "map of name → string"
    )
    assert type_of({"type": "integer", "minimum": 1, "maximum": 5}) == "integer 1–5"
    assert type_of({"type": "integer", "minimum": 1}) == "integer ≥ 1"
    assert type_of({"anyOf": [{"type": "number"}, {"$ref": "#/$defs/iso_duration"}]}) == (
        "number or [iso duration](#def-iso-duration)"
    )
    assert type_of({"const": True}) == "`true`"


def test_reference_covers_every_field_and_kind() -> None:
    reference = build_reference(schema())
    assert {field.name for field in reference.common} == set(schema()["properties"])
    assert [kind for kind, _ in reference.kinds] == [
        "runbook",
        "playbook",
        "maintenance",
        "troubleshooting",
        "reference",
    ]
    names = {definition.name for definition in reference.definitions}
    assert names == set(schema()["$defs"])
    step = next(d for d in reference.definitions if d.name == "step")
    assert step.anchor == anchor("step") == "def-step"
    assert step.required_rule == "exactly one of"
    assert "http" in step.required_keys and "parallel" in step.required_keys
    required = {field.name for field in step.fields if field.required}
    assert required == {"id", "title"}
