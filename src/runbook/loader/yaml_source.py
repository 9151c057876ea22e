"""Safe YAML reading: one document per file, no tags, no duplicate keys, bounded aliases.

Values are built by yaml-rs, a YAML 1.2 parser in Rust, so every file gets the same scalar
rules: dates stay strings (the schema checks their shape), only ``true``/``false`` are
booleans (``yes:``, ``no:`` and ``NO`` for Norway stay strings), ``012`` is twelve and
``1:30`` is text, not the YAML 1.1 sexagesimal ninety.

The policy is enforced in two tiers. Most files hold no tag and no alias: yaml-rs reads
them with aliases forbidden and duplicate keys refused, a scan for ``!`` at the start of a
node sends any tagged file elsewhere, and libyaml checks the syntax without building
anything. Everything else (a tag, an alias, a duplicate, a non-text key, a syntax error,
several documents, no document) goes the careful way: libyaml composes the node graph,
which knows where each node is, and every refusal is explained there with its line and
column before yaml-rs builds the values. A property test holds the two tiers to the same
verdicts.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import yaml_rs

if TYPE_CHECKING:
    from yaml.nodes import Node

MAX_NODES = 100_000  # a 200-line document has about 1,000; this leaves room and stops bombs
MAX_ALIASES = 100
MAX_DEPTH = 100  # levels of nested mappings and lists; runbooks need fewer than ten

_STR = "tag:yaml.org,2002:str"
_ALLOWED_TAGS = {
    _STR,
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}

# A tag can only open a node, and a node opens at the start of the text or after white
# space, a flow indicator or the ':' of a quoted key. '!' elsewhere is prose ("now!").
_TAG_START = re.compile(r"(?<![^\s\[{,:])!")
_NO_ALIASES = yaml_rs.AliasLimits(max_alias_expansions_per_anchor=0)
# The careful tier has already counted every node an alias expands to.
_ALIASES_COUNTED = yaml_rs.AliasLimits(max_total_replayed_events=MAX_NODES * 2)
_RS_POSITION = re.compile(r"at line (\d+), column (\d+)")


@dataclass(eq=False)  # not frozen: Python and contextlib assign an exception's __traceback__
class SourceError(Exception):
    """A file that cannot be read as one safe YAML document. Lines and columns are 1-based."""

    message: str
    line: int | None = None
    column: int | None = None
    hint: str | None = None


def decode(data: bytes) -> str:
    """Bytes to text, refusing binary and non-UTF-8 files with a position."""
    if b"\x00" in data:
        raise SourceError("binary file: it contains NUL bytes", hint="runbooks are UTF-8 YAML text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line = before.count(b"\n") + 1
        column = error.start - (before.rfind(b"\n") + 1) + 1
        raise SourceError(
            f"not UTF-8: byte 0x{data[error.start]:02x} cannot be decoded",
            line,
            column,
            hint="save the file as UTF-8",
        ) from None
    return text.removeprefix("\ufeff")


def load(text: str) -> Any:
    """Parse and build plain Python values (dict, list, str, int, float, bool, None)."""
    value = _load_plain(text)
    return value if value is not None else _load_carefully(text)


def _load_plain(text: str) -> dict[str, Any] | None:
    """The document, when it needs none of the careful tier's judgement; otherwise None."""
    if "!" in text and _TAG_START.search(text) is not None:
        return None
    try:
        value = yaml_rs.loads(text, parse_datetime=False, alias_limits=_NO_ALIASES)
    except Exception:  # whatever went wrong, the careful tier finds it and says where
        return None
    # libyaml second: it takes quadratic time on deep flow nesting, which yaml-rs refuses.
    if type(value) is dict and _plain_keys(value) and _libyaml_accepts(text):
        return value
    return None


def _libyaml_accepts(text: str) -> bool:
    """libyaml's verdict on the syntax, at C speed: no Python object per event.

    The two parsers disagree in corners (yaml-rs takes '{>}' and a tab before a flow
    collection; libyaml takes a tab after ':'). A file must satisfy both, whichever tier
    reads it, or whether it loads would depend on an unrelated '!' elsewhere in it.
    """
    parser_class = _raw_parser_class()
    if parser_class is None:
        return False  # no libyaml: every file goes the careful way
    import yaml

    parser = parser_class(text)
    try:
        parser.raw_parse()
    except yaml.YAMLError:
        return False
    finally:
        parser.dispose()
    return True


@functools.cache
def _raw_parser_class() -> Any:
    try:
        from yaml._yaml import CParser
    except ImportError:  # pragma: no cover - PyYAML wheels ship libyaml
        return None
    return CParser


def _plain_keys(document: dict[Any, Any]) -> bool:
    """Every key is text and not '<<', and no more than MAX_DEPTH levels of nesting.

    Level by level rather than recursively, so a hostile depth costs no stack.
    """
    level: list[Any] = [document]
    for _ in range(MAX_DEPTH):
        deeper: list[Any] = []
        for container in level:
            if type(container) is dict:
                if "<<" in container:
                    return False
                for key in container:
                    if type(key) is not str:
                        return False
                container = container.values()
            deeper += [item for item in container if type(item) is dict or type(item) is list]
        if not deeper:
            return True
        level = deeper
    return False


def _load_carefully(text: str) -> Any:
    node = compose(text)
    _Policy().check(node, 1)
    try:
        value = yaml_rs.loads(text, parse_datetime=False, alias_limits=_ALIASES_COUNTED)
    except yaml_rs.YAMLDecodeError as error:
        raise _rs_error(error, text) from None
    _check_keys(node, value)
    return value


def _rs_error(error: Exception, text: str) -> SourceError:
    """yaml-rs reports 'YAML parse error at line L, column C', a snippet, then the problem."""
    lines = str(error).strip().splitlines()
    position = _RS_POSITION.search(lines[0]) if lines else None
    if position is None:
        return SourceError(f"invalid YAML: {' '.join(lines)}")
    line, column = int(position.group(1)), int(position.group(2))
    source_lines = text.splitlines()
    # libyaml, which read the file first, allows a tab after ':'; YAML 1.2 parsers do not.
    tabbed = line <= len(source_lines) and "\t" in source_lines[line - 1]
    hint = "YAML separates with spaces: replace the tab on this line" if tabbed else None
    return SourceError(f"invalid YAML: {lines[-1]}", line, column, hint)


@functools.cache
def _loader_class() -> Any:
    """libyaml's parser, resolving plain scalars only to the tags a policy check allows.

    Which value a plain scalar becomes is yaml-rs's business; here the tags only tell an
    explicit '!tag' from plain text, and '<<' from an ordinary key.
    """
    import yaml  # only the careful tier and error positions need libyaml

    base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    merge = "tag:yaml.org,2002:merge"
    loader: Any = type("_Loader", (base,), {})
    loader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag == merge]
        for first, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
    }
    return loader


def compose(text: str) -> Node:
    """The single document's node graph, or SourceError."""
    import yaml

    _check_depth(text)
    loader = _loader_class()(text)
    try:
        node: Node | None = loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or "invalid YAML"
        if "expected a single document" in str(error):
            problem = "more than one YAML document in the file ('---' separators)"
            raise SourceError(
                problem,
                *_position(mark),
                hint="put each document in a file of its own",
            ) from None
        context = None
        if error.context and error.context_mark is not None:
            context = f"{error.context} that starts at line {error.context_mark.line + 1}"
        raise SourceError(f"invalid YAML: {problem}", *_position(mark), hint=context) from None
    except yaml.YAMLError as error:
        raise SourceError(f"invalid YAML: {error}") from None
    finally:
        loader.dispose()
    if node is None:
        raise SourceError("empty document: the file has no YAML content", 1, 1)
    return node


def _check_depth(text: str) -> None:
    """Refuse deep nesting from the event stream, before libyaml's recursive composer meets it
    (a hundred thousand '[' would overflow the C stack)."""
    import yaml
    from yaml.events import CollectionEndEvent, CollectionStartEvent

    loader = _loader_class()(text)
    depth = 0
    try:
        while (event := loader.get_event()) is not None:
            if isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise _too_deep(event.start_mark)
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
    except yaml.MarkedYAMLError as error:
        # Newer libyaml stops at 1,000 levels while scanning ahead, before any event here.
        if "nesting depth" in str(error.problem):
            raise _too_deep(error.problem_mark) from None
        # Anything else: composing meets the same problem and reports it.
    except yaml.YAMLError:
        pass
    finally:
        loader.dispose()


def _too_deep(mark: Any) -> SourceError:
    return SourceError(
        f"values nested more than {MAX_DEPTH} levels deep",
        *_position(mark),
        hint="flatten the structure; a runbook needs a handful of levels",
    )


def _position(mark: Any) -> tuple[int | None, int | None]:
    if mark is None:
        return None, None
    return mark.line + 1, mark.column + 1


class _Policy:
    """Walks the node graph as the values will be built, aliases expanded, and refuses what a
    runbook must not contain, each at its position."""

    def __init__(self) -> None:
        self.nodes = 0
        self.aliases = 0
        self.seen: set[int] = set()

    def check(self, node: Node, level: int) -> None:
        """``level`` counts the mappings and lists enclosing ``node``, itself included."""
        from yaml.nodes import MappingNode, SequenceNode

        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise SourceError(
                f"document expands to more than {MAX_NODES:,} values",
                *_position(node.start_mark),
                hint="aliases (*name) multiply content; a runbook never needs this many",
            )
        if node.tag not in _ALLOWED_TAGS:
            raise SourceError(
                f"YAML tag {node.tag!r} is not allowed",
                *_position(node.start_mark),
                hint="runbooks use plain YAML values only; remove the '!' tag",
            )
        if not isinstance(node, MappingNode | SequenceNode):
            return
        if level > MAX_DEPTH:  # reachable through aliases, which the event check cannot see
            raise _too_deep(node.start_mark)
        if id(node) in self.seen:
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                raise SourceError(
                    f"more than {MAX_ALIASES} alias references",
                    *_position(node.start_mark),
                    hint="write the values out instead of using anchors and aliases",
                )
        self.seen.add(id(node))
        if isinstance(node, SequenceNode):
            for child in node.value:
                self.check(child, level + 1)
            return
        first_seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            self._key(key_node, first_seen)
            self.check(value_node, level + 1)

    def _key(self, key_node: Node, first_seen: dict[str, int]) -> None:
        from yaml.nodes import ScalarNode

        if key_node.tag == "tag:yaml.org,2002:merge":
            raise SourceError(
                "merge keys ('<<') are not supported",
                *_position(key_node.start_mark),
                hint="write the fields out in full",
            )
        if not isinstance(key_node, ScalarNode):
            raise SourceError("mapping keys must be plain scalars", *_position(key_node.start_mark))
        self.check(key_node, 1)
        line = key_node.start_mark.line + 1
        if key_node.value in first_seen:
            raise SourceError(
                f"duplicate key {key_node.value!r} (first defined on line "
                f"{first_seen[key_node.value]})",
                line,
                key_node.start_mark.column + 1,
                hint="each key may appear once in a mapping; remove or rename one",
            )
        first_seen[key_node.value] = line


def _check_keys(node: Node, value: Any) -> None:
    """Keys that YAML reads as numbers, booleans or null, pointed at in the source."""
    from yaml.nodes import MappingNode, SequenceNode

    if isinstance(node, SequenceNode) and isinstance(value, list):
        for child, item in zip(node.value, value, strict=False):
            _check_keys(child, item)
    elif isinstance(node, MappingNode) and isinstance(value, dict):
        for (key_node, value_node), (key, item) in zip(node.value, value.items(), strict=False):
            if not isinstance(key, str):
                raise SourceError(
                    f"key {key_node.value!r} is read as {_yaml_type(key)}, not text",
                    *_position(key_node.start_mark),
                    hint=f"quote it, as '{key_node.value}', to keep it as text",
                )
            _check_keys(value_node, item)


def _yaml_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    return "a number" if isinstance(value, int | float) else type(value).__name__


# A file with many problems is located once per problem; the graph is only read here.
_compose_for_locate = functools.lru_cache(maxsize=4)(compose)


def locate(text: str, path: Sequence[str | int], *, key: bool = False) -> tuple[int, int]:
    """Line and column (1-based) of the node at ``path``, or of its deepest existing parent.

    With ``key`` the position of the last segment's key is returned instead of its value,
    which is where an unknown field should be pointed at.
    """
    from yaml.nodes import MappingNode, SequenceNode

    try:
        node: Node = _compose_for_locate(text)
    except SourceError:
        return 1, 1
    position = node.start_mark
    for index, segment in enumerate(path):
        last = index == len(path) - 1
        if isinstance(node, MappingNode):
            for key_node, value_node in node.value:
                if key_node.value == segment:
                    position = key_node.start_mark if (last and key) else value_node.start_mark
                    node = value_node
                    break
            else:
                break
        elif isinstance(node, SequenceNode) and isinstance(segment, int):
            if segment >= len(node.value):
                break
            node = node.value[segment]
            position = node.start_mark
        else:
            break
    return position.line + 1, position.column + 1
