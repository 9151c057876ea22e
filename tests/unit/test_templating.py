"""The Jinja sandbox: strict, immutable, and able to list the names a template reads."""

from __future__ import annotations

import pytest

from runbook.templating import JinjaTemplater, TemplateProblem

CONTEXT = {
    "env": {"base_url": "http://svc"},
    "params": {"count": 3, "flag": True},
    "steps": {"login": {"token": None, "user": {"id": 7}}},
    "vars": {"items": "not a method"},
}


@pytest.fixture
def templater() -> JinjaTemplater:
    return JinjaTemplater()


def test_plain_text_is_returned_untouched(templater: JinjaTemplater) -> None:
    assert templater.render("/api/health", CONTEXT) == "/api/health"


def test_render_fills_values_and_shows_uncaptured_outputs_as_na(templater: JinjaTemplater) -> None:
    source = "{{ env.base_url }}/x?n={{ params.count }}&t={{ steps.login.token }}\n"
    assert templater.render(source, CONTEXT) == "http://svc/x?n=3&t=n/a\n"


def test_single_expressions_keep_their_type(templater: JinjaTemplater) -> None:
    assert templater.render_value("{{ params.count }}", CONTEXT) == 3
    assert templater.render_value(" {{ params.flag }} ", CONTEXT) is True
    assert templater.render_value("{{ steps.login.user }}", CONTEXT) == {"id": 7}
    assert templater.render_value("n={{ params.count }}", CONTEXT) == "n=3"


def test_undefined_names_fail_loudly(templater: JinjaTemplater) -> None:
    with pytest.raises(TemplateProblem, match="has no attribute 'missing'"):
        templater.render("{{ params.missing }}", CONTEXT)


def test_the_sandbox_refuses_unsafe_access(templater: JinjaTemplater) -> None:
    with pytest.raises(TemplateProblem):
        templater.render("{{ env.__class__.__mro__ }}", CONTEXT)
    with pytest.raises(TemplateProblem):
        templater.render("{{ params.update(count=4) }}", CONTEXT)


def test_syntax_errors_name_the_template(templater: JinjaTemplater) -> None:
    with pytest.raises(TemplateProblem, match=r"does not parse: .* \(line 1\)"):
        templater.references("{{ steps.login.token ")


def test_references_are_the_dotted_names_read(templater: JinjaTemplater) -> None:
    source = (
        "{{ steps.health.version }} {{ vars.x | default('y') }} {{ secrets['token'] }}"
        "{% for key, value in vars.items() %}{{ key }}{% endfor %}"
        "{% set local = 1 %}{{ local }} {{ steps[params.which].value }} {{ run.id ~ env.id }}"
    )
    assert list(templater.references(source)) == [
        ("steps", "health", "version"),
        ("vars", "x"),
        ("secrets", "token"),
        ("vars",),
        ("steps",),
        ("params", "which"),
        ("run", "id"),
        ("env", "id"),
    ]


def test_dotted_names_read_keys_before_dict_methods() -> None:
    templater = JinjaTemplater()
    context = {"steps": {"get": {"token": "t1"}, "items": {"count": 3}}}
    assert templater.render("{{ steps.get.token }}/{{ steps.items.count }}", context) == "t1/3"
    assert templater.render_value("{{ steps.items.count + 1 }}", context) == 4
    # Names that are not keys still go through the sandbox's attribute rules.
    with pytest.raises(TemplateProblem, match="unsafe"):
        templater.render("{{ steps.__class__.__mro__ }}", context)
