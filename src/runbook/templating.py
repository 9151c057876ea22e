"""Templates in documents: a Jinja sandbox with StrictUndefined, handed to the engine.

The sandbox is immutable so a runbook cannot change the values it is given, and undefined
names fail loudly rather than rendering as empty strings into a production request.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, meta, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

from runbook.errors import UsageError

__all__ = ["JinjaTemplater", "TemplateProblem"]

_MARKERS = ("{{", "{%", "{#")
_SINGLE_EXPRESSION = re.compile(r"^\{\{(?P<expression>(?:(?!\}\}|\{\{).)*)\}\}$", re.DOTALL)
NOT_CAPTURED = "n/a"


class TemplateProblem(UsageError):
    """A template that does not parse or cannot be filled."""


def _finalize(value: Any) -> Any:
    # An output that a skipped step never captured renders visibly, not as "None".
    return NOT_CAPTURED if value is None else value


class _KeysFirstEnvironment(ImmutableSandboxedEnvironment):
    """``steps.get`` and ``steps.items.count`` mean the steps named get and items.

    Jinja tries an attribute before an item for dotted names, so a step, output or
    variable named like a dict method (get, items, keys, values, update, pop, copy)
    would silently read the method instead.
    """

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, Mapping) and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)


class JinjaTemplater:
    """Implements ``runbook.engine.protocols.Templater``."""

    def __init__(self) -> None:
        self._env = _KeysFirstEnvironment(
            undefined=StrictUndefined,
            autoescape=False,
            keep_trailing_newline=True,
            finalize=_finalize,
        )
        self._compile = lru_cache(maxsize=4096)(self._compile_uncached)
        self._expression = lru_cache(maxsize=4096)(self._expression_uncached)
        self._references = lru_cache(maxsize=4096)(self._references_uncached)

    def render(self, source: str, context: Mapping[str, Any]) -> str:
        if not any(marker in source for marker in _MARKERS):
            return source
        try:
            rendered: str = self._compile(source).render(context)
            return rendered
        except TemplateError as error:
            raise TemplateProblem(f"template {source!r}: {error.message or error}") from None

    def render_value(self, source: str, context: Mapping[str, Any]) -> Any:
        match = _SINGLE_EXPRESSION.match(source.strip())
        if match is None:
            return self.render(source, context)
        try:
            return self._expression(match["expression"])(**context)
        except TemplateError as error:
            raise TemplateProblem(f"template {source!r}: {error.message or error}") from None

    def references(self, source: str) -> Sequence[tuple[str, ...]]:
        if not any(marker in source for marker in _MARKERS):
            return ()
        return self._references(source)

    def _compile_uncached(self, source: str) -> Any:
        try:
            return self._env.from_string(source)
        except TemplateSyntaxError as error:
            raise _syntax(source, error) from None

    def _expression_uncached(self, expression: str) -> Any:
        try:
            return self._env.compile_expression(expression, undefined_to_none=False)
        except TemplateSyntaxError as error:
            raise _syntax("{{" + expression + "}}", error) from None

    def _references_uncached(self, source: str) -> tuple[tuple[str, ...], ...]:
        try:
            tree = self._env.parse(source)
        except TemplateSyntaxError as error:
            raise _syntax(source, error) from None
        free = meta.find_undeclared_variables(tree)
        found: list[tuple[str, ...]] = []
        _collect(tree, free, found)
        return tuple(dict.fromkeys(found))


def _syntax(source: str, error: TemplateSyntaxError) -> TemplateProblem:
    return TemplateProblem(
        f"template {source!r} does not parse: {error.message} (line {error.lineno})",
        hint="templates use Jinja syntax: {{ steps.STEP.OUTPUT }}, {{ vars.NAME }}",
    )


def _chain(node: nodes.Node) -> tuple[tuple[str, ...], nodes.Node | None, list[nodes.Node]]:
    """Unwind ``a.b['c']`` into ("a", "b", "c"); also the names' root and unresolved parts."""
    parts: list[str] = []
    extra: list[nodes.Node] = []
    current: nodes.Node = node
    while True:
        if isinstance(current, nodes.Getattr):
            parts.append(current.attr)
            current = current.node
        elif isinstance(current, nodes.Getitem):
            if isinstance(current.arg, nodes.Const) and isinstance(current.arg.value, str):
                parts.append(current.arg.value)
            else:
                # A computed key: only the prefix before it can be checked.
                parts.clear()
                extra.append(current.arg)
            current = current.node
        elif isinstance(current, nodes.Name):
            return (current.name, *reversed(parts)), current, extra
        else:
            return (), current, extra


def _collect(
    node: nodes.Node, free: set[str], found: list[tuple[str, ...]], call: bool = False
) -> None:
    if isinstance(node, nodes.Getattr | nodes.Getitem | nodes.Name):
        chain, root, extra = _chain(node)
        if chain and chain[0] in free:
            # A method call (vars.items()) names the method, not a variable.
            found.append(chain[:-1] if call and len(chain) > 1 else chain)
        elif root is not None and not isinstance(root, nodes.Name):
            _collect(root, free, found)
        for item in extra:
            _collect(item, free, found)
        return
    if isinstance(node, nodes.Call):
        _collect(node.node, free, found, call=True)
        children: list[nodes.Node | None] = [
            *node.args,
            *node.kwargs,
            node.dyn_args,
            node.dyn_kwargs,
        ]
        for child in children:
            if child is not None:
                _collect(child, free, found)
        return
    for child in node.iter_child_nodes():
        _collect(child, free, found)
