"""Checks on steps: ids, jumps, references from probes and expectations, playbook phases,
and include cycles across documents."""

from __future__ import annotations

from collections.abc import Iterator

from runbook.loader.findings import Finding, KnownIds, PathSegment, bad_regex, missing
from runbook.model import ApprovalAction, Document, IncludeAction, ParallelAction, Step
from runbook.model.documents import PLAYBOOK_PHASES


def check_steps(document: Document, index: KnownIds, known_ids: set[str]) -> Iterator[Finding]:
    seen: dict[str, tuple[PathSegment, ...]] = {}
    located = list(_located_steps(document.steps, ("steps",)))
    for path, step in located:
        if step.id in seen:
            yield Finding(
                document,
                (*path, "id"),
                f"duplicate step id '{step.id}'",
                "step ids must be unique within a document",
            )
        seen.setdefault(step.id, path)
    for path, step in located:
        if step.on_failure not in ("stop", "continue"):
            if step.on_failure not in seen:
                yield Finding(
                    document,
                    (*path, "on_failure"),
                    f"on_failure names unknown step '{step.on_failure}'",
                    "use stop, continue or the id of a step in this document",
                )
            elif step.on_failure == step.id:
                yield Finding(
                    document, (*path, "on_failure"), "on_failure cannot jump to the step itself"
                )
        for number, environment in enumerate(step.environments):
            yield from missing(
                document,
                (*path, "environments", number),
                "environment",
                environment,
                index.environments,
            )
        for environment in step.environment_notes:
            yield from missing(
                document,
                (*path, "environment_notes", environment),
                "environment",
                environment,
                index.environments,
            )
        if step.expect:
            yield from _expectation(document, (*path, "expect"), step, index)
        if step.retry and step.retry.until:
            for sla in step.retry.until.sla_ids():
                yield from missing(
                    document, (*path, "retry", "until"), "SLA threshold", sla, index.sla
                )
        for output in step.outputs:
            if output.regex:
                yield from bad_regex(
                    document, (*path, "outputs", output.name, "regex"), output.regex
                )
        action = step.action
        if isinstance(action, IncludeAction):
            yield from missing(
                document, (*path, "include", "document"), "document", action.document, known_ids
            )
        if isinstance(action, ApprovalAction):
            for number, approver in enumerate(action.approvers):
                yield from missing(
                    document,
                    (*path, "approval", "approvers", number),
                    "contact",
                    approver,
                    index.contacts,
                )


def _expectation(
    document: Document, path: tuple[PathSegment, ...], step: Step, index: KnownIds
) -> Iterator[Finding]:
    expect = step.expect
    assert expect is not None
    if expect.latency and expect.latency.sla:
        yield from missing(
            document, (*path, "latency", "sla"), "SLA threshold", expect.latency.sla, index.sla
        )
    for number, check in enumerate(expect.json):
        if check.sla:
            yield from missing(
                document, (*path, "json", number, "sla"), "SLA threshold", check.sla, index.sla
            )
        pattern = check.operators.get("matches")
        if isinstance(pattern, str):
            yield from bad_regex(document, (*path, "json", number, "matches"), pattern)
    for field in ("body_matches", "output_matches"):
        pattern = getattr(expect, field)
        if pattern:
            yield from bad_regex(document, (*path, field), pattern)


def _located_steps(
    steps: tuple[Step, ...], prefix: tuple[PathSegment, ...]
) -> Iterator[tuple[tuple[PathSegment, ...], Step]]:
    for position, step in enumerate(steps):
        path = (*prefix, position)
        yield path, step
        if isinstance(step.action, ParallelAction):
            yield from _located_steps(step.action.steps, (*path, "parallel"))


def check_phases(document: Document) -> Iterator[Finding]:
    order = {phase: rank for rank, phase in enumerate(PLAYBOOK_PHASES)}
    previous = -1
    for position, step in enumerate(document.steps):
        rank = order.get(step.phase or "", -1)
        if rank < previous:
            yield Finding(
                document,
                ("steps", position, "phase"),
                f"phase '{step.phase}' comes after '{PLAYBOOK_PHASES[previous]}'",
                "keep playbook steps in phase order: " + " → ".join(PLAYBOOK_PHASES),
            )
        previous = max(previous, rank)
    present = {step.phase for step in document.steps}
    missing = [phase for phase in PLAYBOOK_PHASES if phase not in present]
    if missing:
        yield Finding(
            document,
            ("steps",),
            f"playbook has no steps in phase(s): {', '.join(missing)}",
            "every playbook covers " + " → ".join(PLAYBOOK_PHASES),
        )


def include_cycles(documents: list[Document], by_id: dict[str, Document]) -> Iterator[Finding]:
    graph: dict[str, list[tuple[str, tuple[PathSegment, ...]]]] = {
        document.id: [
            (step.action.document, (*path, "include", "document"))
            for path, step in _located_steps(document.steps, ("steps",))
            if isinstance(step.action, IncludeAction)
        ]
        for document in documents
    }
    reported: set[frozenset[str]] = set()
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    stack: list[str] = []

    def visit(node: str) -> Iterator[Finding]:
        state[node] = 1
        stack.append(node)
        for target, _include_path in graph.get(node, []):
            if state.get(target) == 1:
                cycle = stack[stack.index(target) :] + [target]
                key = frozenset(cycle)
                if key not in reported:
                    reported.add(key)
                    # Every document on the cycle gets the finding at its include step.
                    for member, following in zip(cycle, cycle[1:], strict=False):
                        where = next(p for t, p in graph[member] if t == following)
                        yield Finding(
                            by_id[member],
                            where,
                            "include cycle: " + " → ".join(cycle),
                            "an included document must not include its includer",
                        )
            elif target in graph and state.get(target) is None:
                yield from visit(target)
        stack.pop()
        state[node] = 2

    for document_id in graph:
        if state.get(document_id) is None:
            yield from visit(document_id)
