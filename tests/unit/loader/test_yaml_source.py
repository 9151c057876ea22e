from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runbook.loader import yaml_source
from runbook.loader.yaml_source import MAX_DEPTH, MAX_NODES, SourceError, decode, load, locate


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


def test_aliases_that_multiply_a_big_list_hit_the_node_budget() -> None:
    items = ", ".join(str(n) for n in range(2_000))
    copies = "".join(f"c{n}: *big\n" for n in range(60))  # 60 aliases, 120,000 values
    with pytest.raises(SourceError, match="expands to more than"):
        load(f"big: &big [{items}]\n{copies}")


def test_plain_wide_documents_are_only_as_big_as_their_text() -> None:
    text = "items:\n" + "".join(f"  - {n}\n" for n in range(MAX_NODES + 1))
    assert len(load(text)["items"]) == MAX_NODES + 1


def test_yaml_12_numbers_and_no_sexagesimal() -> None:
    loaded = load("a: 012\nb: 0o12\nc: 1:30\nd: 1e3\ne: 0x1F\nf: ~\ng: .inf\nh: '12'\n")
    assert loaded == {
        "a": 12,
        "b": 10,
        "c": "1:30",
        "d": 1000.0,
        "e": 31,
        "f": None,
        "g": float("inf"),
        "h": "12",
    }


def _nested(levels: int, *, flow: bool) -> str:
    """A document whose root mapping encloses ``levels - 1`` lists."""
    if flow:
        return "a: " + "[" * (levels - 1) + "]" * (levels - 1) + "\n"
    return "a:\n" + "".join(" " * n + "- \n" for n in range(1, levels))


@pytest.mark.parametrize("flow", [True, False])
def test_both_tiers_draw_the_nesting_limit_at_the_same_level(flow: bool) -> None:
    deepest = _nested(MAX_DEPTH, flow=flow)
    assert yaml_source._load_plain(deepest) == yaml_source._load_carefully(deepest)
    too_deep = _nested(MAX_DEPTH + 1, flow=flow)
    assert yaml_source._load_plain(too_deep) is None
    with pytest.raises(SourceError, match=f"nested more than {MAX_DEPTH} levels") as caught:
        load(too_deep)
    assert caught.value.line == (1 if flow else MAX_DEPTH + 1)


def test_hostile_nesting_is_refused_without_exhausting_the_stack() -> None:
    started = time.perf_counter()
    with pytest.raises(SourceError, match="nested more than") as caught:
        load("a: " + "[" * 200_000 + "]" * 200_000)
    # Older libyaml lets the event check stop at the first level too many; newer libyaml
    # stops by itself at 1,000 while scanning ahead. Both are over the limit.
    assert caught.value.line == 1
    assert caught.value.column in (3 + MAX_DEPTH, 1003)
    assert time.perf_counter() - started < 5


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("1: one\n", "key '1' is read as a number, not text", (1, 1)),
        ("a:\n  true: x\n", "key 'true' is read as a boolean, not text", (2, 3)),
        ("a:\n  - ~: x\n", "key '~' is read as null, not text", (2, 5)),
    ],
)
def test_keys_that_yaml_reads_as_other_types_are_refused(
    text: str, message: str, position: tuple[int, int]
) -> None:
    with pytest.raises(SourceError) as caught:
        load(text)
    assert caught.value.message == message
    assert (caught.value.line, caught.value.column) == position
    assert caught.value.hint is not None and caught.value.hint.startswith("quote it")


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


def test_both_tiers_build_the_same_values() -> None:
    from tests.conftest import CORPUS, EXAMPLES

    paths = sorted(CORPUS.rglob("*.yaml")) + sorted((EXAMPLES / "valid").glob("*.yaml"))
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert yaml_source._load_carefully(text) == load(text), path
    mixed = "a: 1\nb: 1.5\nc: null\nd: ~\ne: 'x'\nf: \"y\"\ng: [true, FALSE]\nh: 0x1f\n"
    assert yaml_source._load_plain(mixed) == yaml_source._load_carefully(mixed)


@pytest.mark.parametrize(
    "text",
    [
        "a: &x 1\nb: *x\n",  # an alias
        "a: !!str 1\n",  # explicit tags, wherever a node may start
        "a: [x, !Env HOME]\n",
        "a:\n  !Env HOME\n",
        '{"a":!Env HOME}\n',
        "!Env HOME\n",
        "1: one\n",  # keys that are not text
        "a:\n  - b: [{true: x}]\n",
        "? [a, b]\n: 1\n",
        "a: {<<: {b: 1}}\n",  # a merge key, even without an alias
        "a: 1\na: 2\n",  # duplicates
        "a: 1\n---\nb: 2\n",  # two documents
        "a: 1\n---\n",
        "",  # nothing
        "- a\n",  # not a mapping
        "a: [1, 2\n",  # broken
    ],
)
def test_unusual_input_goes_the_careful_way(text: str) -> None:
    assert yaml_source._load_plain(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "a: Do not restart!\nb: '!important'\n",  # '!' inside text
        "a: x&y\nb: 2 * 3\nc: '*'\n",
        "a: &anchor-without-alias 1\n",
    ],
)
def test_ordinary_punctuation_stays_on_the_fast_path(text: str) -> None:
    assert yaml_source._load_plain(text) == yaml_source._load_carefully(text)


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet="ab1:- \n\t[]{},!&*'\"#?|>~.<%0", max_size=40))
def test_the_fast_tier_never_accepts_what_the_careful_tier_refuses(text: str) -> None:
    """Found by this test before the fast tier asked libyaml too: '{>}', a tab before '{}'."""
    fast = yaml_source._load_plain(text)
    if fast is not None:
        assert yaml_source._load_carefully(text) == fast


def test_a_tab_after_a_colon_is_refused_with_a_hint() -> None:
    # libyaml reads it; yaml-rs, which builds the values, does not: one verdict, explained.
    with pytest.raises(SourceError) as caught:
        load("id: x\ntitle:\tTabbed\n")
    assert caught.value.message.startswith("invalid YAML: ")
    assert caught.value.line == 2
    assert caught.value.hint == "YAML separates with spaces: replace the tab on this line"
