"""Escaping user text for the places it lands: table cells, headings, code, Mermaid labels.

Fields the schema types as Markdown (summary, instructions, notes) pass through untouched;
everything else is plain text and must not be able to break the page structure around it:
a ``|`` would split a table row, a trailing ``{...}`` would become heading attributes, a
``"`` would end a Mermaid label, a ``<`` would open raw HTML.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from runbook.model import format_duration

_BACKTICKS = re.compile(r"`+")
_WHITESPACE = re.compile(r"\s+")
_CODE_SPAN = re.compile(r"(`+[^`]*?`+)")


def one_line(text: object) -> str:
    """Collapse newlines and runs of spaces: table cells and list items are one line."""
    return _WHITESPACE.sub(" ", str(text)).strip()


def _outside_code(text: str, change: Any) -> str:
    # Code spans show their content verbatim, so escaping inside them would show up.
    parts = _CODE_SPAN.split(text)
    return "".join(part if part.startswith("`") else change(part) for part in parts)


def inline(text: object) -> str:
    """Plain text placed inline in Markdown: one line, no raw HTML outside code spans."""
    return _outside_code(one_line(text), lambda part: part.replace("<", "&lt;"))


def cell(value: object) -> str:
    """A table cell: inline text with the column separator escaped.

    Python-Markdown's tables never split inside a code span, and there ``\\|`` would show
    its backslash, so pipes are escaped only outside backtick spans.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return _outside_code(inline(value), lambda part: part.replace("|", "\\|"))


def heading(text: object) -> str:
    """Heading text: braces would be read as an attribute list, ``#`` as a closing marker."""

    def escape(part: str) -> str:
        part = part.replace("\\", "\\\\")
        for char in "{}#[]":
            part = part.replace(char, "\\" + char)
        return part.replace("<", "&lt;")

    return _outside_code(one_line(text), escape)


def code(value: object) -> str:
    """An inline code span that survives backticks in the value."""
    text = one_line(value)
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def fence(body: str, language: str = "text", indent_by: int = 0) -> str:
    """A fenced code block long enough that the body cannot close it."""
    longest = max((len(run) for run in _BACKTICKS.findall(body)), default=0)
    marker = "`" * max(3, longest + 1)
    block = f"{marker}{language}\n{body.rstrip()}\n{marker}"
    return indent(block, indent_by) if indent_by else block


def indent(text: str, width: int = 4) -> str:
    """Indent every non-blank line: the body of an admonition, a tab or a list item."""
    pad = " " * width
    return "\n".join(pad + line if line.strip() else "" for line in str(text).splitlines())


def quoted(text: object) -> str:
    """Text for a double-quoted admonition or tab title."""
    return inline(text).replace('"', "&quot;")


def mermaid_label(text: object) -> str:
    """A Mermaid node label, to be placed inside ``["..."]``.

    Mermaid reads ``#name;`` as an entity, ends the label at ``"`` and renders labels as
    HTML, so those characters become entity codes; brackets are safe inside quotes.
    """
    escaped = one_line(text).replace("#", "#35;")
    replacements = {'"': "#quot;", "<": "#lt;", ">": "#gt;", "&": "#amp;", "`": "#96;"}
    for char, entity in replacements.items():
        escaped = escaped.replace(char, entity)
    return escaped


def mermaid_id(text: str) -> str:
    """A node id Mermaid accepts: letters, digits and underscores, never a keyword."""
    return "n_" + re.sub(r"[^A-Za-z0-9_]", "_", text)


def literal(value: Any) -> str:
    """A value from an expectation as JSON, the way the YAML author meant it."""
    return json.dumps(value, ensure_ascii=False)


def duration(value: timedelta | None) -> str:
    return format_duration(value) if value is not None else ""


def join_words(items: Iterable[str], last: str = "or") -> str:
    """``a``, ``a or b``, ``a, b or c``."""
    words = list(items)
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {last} {words[-1]}"


_LIST_ITEM = re.compile(r"^\s{0,3}(?:[-*+]|\d+[.)])\s+\S")
_FENCE = re.compile(r"^\s*(```|~~~)")


def markdown(text: object) -> str:
    """A Markdown field as authors write it, made safe for Python-Markdown.

    Authors write lists straight after a paragraph line, as GitHub and editors accept;
    Python-Markdown needs a blank line first or the list runs into the paragraph. Code
    fences are left alone.
    """
    lines = str(text).strip("\n").splitlines()
    out: list[str] = []
    in_fence = False
    for line in lines:
        if _FENCE.match(line):
            in_fence = not in_fence
        elif (
            not in_fence
            and _LIST_ITEM.match(line)
            and out
            and out[-1].strip()
            and not _LIST_ITEM.match(out[-1])
            and not out[-1].startswith((" ", "\t"))
        ):
            out.append("")
        out.append(line)
    return "\n".join(out)
