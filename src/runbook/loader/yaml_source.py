"""Safe YAML reading: one document per file, no tags, no duplicate keys, bounded aliases.

Parsing uses libyaml when present. Values are built from the node graph by our own small
constructor, which is where duplicate keys, tags and alias expansion are policed. Dates stay
strings (the schema checks their shape) and only ``true``/``false`` are booleans, as in YAML
1.2, so ``yes:`` and ``no:`` keys and ``NO`` (Norway) stay strings.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.events import (
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_NODES = 100_000  # a 200-line document has about 1,000; this leaves room and stops bombs
MAX_ALIASES = 100

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


class _Loader(_BaseLoader):  # type: ignore[valid-type,misc]
    """libyaml parser with YAML 1.2-like implicit typing."""


_Loader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")
    ]
    for first, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
}
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
for _first in "tTfF":
    _Loader.yaml_implicit_resolvers.setdefault(_first, []).insert(
        0, ("tag:yaml.org,2002:bool", _BOOL)
    )


@dataclass(frozen=True)
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


def compose(text: str) -> Node:
    """The single document's node graph, or SourceError."""
    loader = _Loader(text)
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


def load(text: str) -> Any:
    """Parse and build plain Python values (dict, list, str, int, float, bool, None).

    Well-formed plain documents are built straight from parser events; anything unusual
    (a tag, an anchor, a duplicate or non-string key, a syntax error, more than one
    document, too many values) goes the careful way through the node graph, which is
    where every refusal is explained with its position.
    """
    try:
        return _load_events(text)
    except _Unusual:
        return _Builder().build(compose(text))


class _Unusual(Exception):
    """The fast path met something only the careful path may judge."""


_PLAIN_CACHE_LIMIT = 50_000
_plain_values: dict[str, Any] = {}  # plain scalar text -> value; values are immutable


def _load_events(text: str) -> Any:
    loader = _Loader(text)
    get = loader.get_event
    budget = [MAX_NODES]

    def plain(value: str) -> Any:
        try:
            return _plain_values[value]
        except KeyError:
            pass
        tag = loader.resolve(ScalarNode, value, (True, False))
        if tag == _STR:
            result: Any = value
        elif tag in _ALLOWED_TAGS:
            result = loader.yaml_constructors[tag](loader, ScalarNode(tag, value))
        else:
            raise _Unusual
        if len(_plain_values) < _PLAIN_CACHE_LIMIT:
            _plain_values[value] = result
        return result

    def value(event: Any) -> Any:
        budget[0] -= 1
        if budget[0] < 0 or event.anchor is not None or event.tag not in (None, "!"):
            raise _Unusual
        kind = type(event)
        if kind is ScalarEvent:
            return plain(event.value) if event.implicit[0] else event.value
        if kind is MappingStartEvent:
            mapping: dict[str, Any] = {}
            while True:
                key_event = get()
                if type(key_event) is MappingEndEvent:
                    return mapping
                if type(key_event) is not ScalarEvent:
                    raise _Unusual
                key = value(key_event)
                if not isinstance(key, str) or key in mapping or key == "<<":
                    raise _Unusual
                mapping[key] = value(get())
        if kind is SequenceStartEvent:
            sequence: list[Any] = []
            while True:
                item = get()
                if type(item) is SequenceEndEvent:
                    return sequence
                sequence.append(value(item))
        raise _Unusual  # an alias

    try:
        get()  # stream start
        if type(get()) is not DocumentStartEvent:
            raise _Unusual  # empty
        root = value(get())
        get()  # document end
        if type(get()) is not StreamEndEvent:
            raise _Unusual  # a second document
        return root
    except (yaml.YAMLError, AttributeError) as error:
        # AttributeError: an end-of-document event where a value was due (a broken stream).
        raise _Unusual from error
    finally:
        loader.dispose()


def _position(mark: Any) -> tuple[int | None, int | None]:
    if mark is None:
        return None, None
    return mark.line + 1, mark.column + 1


class _Builder:
    def __init__(self) -> None:
        self.nodes = 0
        self.aliases = 0
        self.seen: set[int] = set()
        self.scalars = _Loader("")

    def build(self, node: Node) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise SourceError(
                f"document expands to more than {MAX_NODES:,} values",
                *_position(node.start_mark),
                hint="aliases (*name) multiply content; a runbook never needs this many",
            )
        tag = node.tag
        if tag == _STR:  # most values: skip the constructor lookup
            return node.value
        if tag not in _ALLOWED_TAGS:
            raise SourceError(
                f"YAML tag {tag!r} is not allowed",
                *_position(node.start_mark),
                hint="runbooks use plain YAML values only; remove the '!' tag",
            )
        if isinstance(node, ScalarNode):
            return self.scalars.yaml_constructors[tag](self.scalars, node)
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
            return [self.build(child) for child in node.value]
        if isinstance(node, MappingNode):
            return self._mapping(node)
        raise SourceError("unsupported YAML node", *_position(node.start_mark))  # pragma: no cover

    def _mapping(self, node: MappingNode) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise SourceError(
                    "merge keys ('<<') are not supported",
                    *_position(key_node.start_mark),
                    hint="write the fields out in full",
                )
            if not isinstance(key_node, ScalarNode):
                raise SourceError(
                    "mapping keys must be plain scalars", *_position(key_node.start_mark)
                )
            key = str(self.build(key_node)) if key_node.tag != _STR else key_node.value
            line = key_node.start_mark.line + 1
            if key in result:
                raise SourceError(
                    f"duplicate key {key!r} (first defined on line {first_seen[key]})",
                    line,
                    key_node.start_mark.column + 1,
                    hint="each key may appear once in a mapping; remove or rename one",
                )
            first_seen[key] = line
            result[key] = self.build(value_node)
        return result


def locate(text: str, path: Sequence[str | int], *, key: bool = False) -> tuple[int, int]:
    """Line and column (1-based) of the node at ``path``, or of its deepest existing parent.

    With ``key`` the position of the last segment's key is returned instead of its value,
    which is where an unknown field should be pointed at.
    """
    try:
        node: Node = compose(text)
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
