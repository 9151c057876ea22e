from __future__ import annotations

import time

import pytest

from runbook.loader.yaml_source import MAX_NODES, SourceError, decode, load, locate


def test_yaml_12_scalars_keep_yes_no_and_dates_as_strings() -> None:
    loaded = load("yes: no\nday: 2026-11-25\ncountry: NO\nflag: true\noff: false\n")
    assert loaded == {
        "yes": "no",
        "day": "2026-11-25",
        "country": "NO",
        "flag": True,
        "off": False,
    }


def test_aliases_within_budget_are_expanded() -> None:
    assert load("a: &x [1, 2]\nb: *x\n") == {"a": [1, 2], "b": [1, 2]}


def test_billion_laughs_fails_fast() -> None:
    levels = ["a: &a [" + ", ".join(["lol"] * 9) + "]"]
    for index in range(1, 10):
        previous, name = chr(96 + index), chr(97 + index)
        levels.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    started = time.perf_counter()
    with pytest.raises(SourceError, match="alias references"):
        load("\n".join(levels) + "\n")
    assert time.perf_counter() - started < 1.0


def test_wide_documents_hit_the_node_budget() -> None:
    text = "items:\n" + "".join(f"  - {n}\n" for n in range(MAX_NODES + 1))
    with pytest.raises(SourceError, match="expands to more than"):
        load(text)


@pytest.mark.parametrize(
    ("text", "message", "line", "column"),
    [
        ("a: 1\na: 2\n", "duplicate key 'a' (first defined on line 1)", 2, 1),
        ("a: !!python/name:os.system x\n", "YAML tag", 1, 4),
        ("a: !!binary aGVsbG8=\n", "YAML tag", 1, 4),
        ("a: !Env HOME\n", "YAML tag '!Env' is not allowed", 1, 4),
        ("a: 1\n---\nb: 2\n", "more than one YAML document", 2, 1),
        ("", "empty document", 1, 1),
        ("? [a, b]\n: 1\n", "mapping keys must be plain scalars", 1, 3),
        ("base: &b {x: 1}\nother:\n  <<: *b\n", "merge keys", 3, 3),
    ],
)
def test_unsafe_or_ambiguous_yaml_is_refused_with_position(
    text: str, message: str, line: int, column: int
) -> None:
    with pytest.raises(SourceError) as caught:
        load(text)
    assert message in caught.value.message
    assert (caught.value.line, caught.value.column) == (line, column)


def test_decode_rejects_binary_and_reports_bad_byte_position() -> None:
    with pytest.raises(SourceError, match="binary"):
        decode(b"a: 1\x00")
    with pytest.raises(SourceError) as caught:
        decode(b"a: 1\nb: caf\xe9\n")
    assert (caught.value.line, caught.value.column) == (2, 7)
    assert decode("\ufeffa: 1".encode()) == "a: 1"


def test_locate_points_at_value_or_key_and_falls_back_to_parent() -> None:
    text = "steps:\n  - id: a\n    http:\n      url: /x\n"
    assert locate(text, ["steps", 0, "http", "url"]) == (4, 12)
    assert locate(text, ["steps", 0, "http", "url"], key=True) == (4, 7)
    assert locate(text, ["steps", 0, "http", "missing"]) == (4, 7)
    assert locate(text, ["steps", 5]) == (2, 3)


def test_fast_path_builds_exactly_what_the_careful_path_builds() -> None:
    from runbook.loader.yaml_source import _Builder, _load_events, compose
    from tests.conftest import CORPUS, EXAMPLES

    paths = sorted(CORPUS.rglob("*.yaml")) + sorted((EXAMPLES / "valid").glob("*.yaml"))
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert _load_events(text) == _Builder().build(compose(text)), path
    mixed = "a: 1\nb: 1.5\nc: null\nd: ~\ne: 'x'\nf: \"y\"\ng: [true, FALSE]\nh: 0x1f\n"
    assert _load_events(mixed) == _Builder().build(compose(mixed))


@pytest.mark.parametrize(
    "text",
    [
        "a: &x 1\nb: *x\n",  # anchors and aliases
        "a: !!str 1\n",  # explicit tags
        "1: one\n",  # non-string keys
        "a: 1\na: 2\n",  # duplicates
        "a: 1\n---\nb: 2\n",  # two documents
        "",  # nothing
        "a: [1, 2\n",  # broken
    ],
)
def test_unusual_input_leaves_the_fast_path(text: str) -> None:
    from runbook.loader.yaml_source import _load_events, _Unusual

    with pytest.raises(_Unusual):
        _load_events(text)
