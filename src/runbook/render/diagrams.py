"""Mermaid source for the diagrams: a playbook's phases and a troubleshooting decision flow.

Every label goes through ``mermaid_label`` and every id through ``mermaid_id``, so a quote,
bracket or ``#`` in a title cannot end a label or break the diagram.
"""

from __future__ import annotations

from collections.abc import Sequence

from runbook.model import Corpus, Decision, DecisionOutcome
from runbook.render.steps import NumberedStep, group_by_phase, phase_title
from runbook.render.text import mermaid_id, mermaid_label

# Keeps a phase box readable: longer titles wrap, very long ones are cut.
MAX_LABEL = 60


def _short(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1].rstrip() + "…"


def phase_flow(numbered: Sequence[NumberedStep]) -> str:
    """Phases top to bottom, each a box of its steps from left to right.

    Stacking the phases keeps the diagram about as wide as the longest phase, so its text
    stays legible in the page column instead of being scaled down to fit six phases abreast.
    """
    lines = ["flowchart TB"]
    phases: list[str] = []
    for index, (phase, items) in enumerate(group_by_phase(list(numbered)), start=1):
        box = mermaid_id(f"phase_{index}")
        phases.append(box)
        title = phase_title(phase) if phase else "Steps"
        lines.append(f'  subgraph {box}["{index} · {mermaid_label(title)}"]')
        lines.append("    direction LR")
        previous = None
        for item in items:
            node = mermaid_id(item.step.id)
            label = mermaid_label(f"{item.number}. {_short(item.step.title)}")
            lines.append(f'    {node}["{label}"]')
            if previous:
                lines.append(f"    {previous} --> {node}")
            previous = node
        lines.append("  end")
    lines += [f"  {first} --> {second}" for first, second in zip(phases, phases[1:], strict=False)]
    return "\n".join(lines)


def decision_flow(decisions: Sequence[Decision], corpus: Corpus) -> str:
    """Questions as boxes numbered Q1.., answers leading to the next question or an outcome.

    Each outcome gets its own node, so the flow draws as a tree without crossing edges, and
    the diagram keeps its natural size (scrolling sideways if need be) so the text stays
    readable rather than being shrunk to the column width.
    """
    lines = ["flowchart TD"]
    numbers = {decision.id: index for index, decision in enumerate(decisions, start=1)}
    outcomes: list[str] = []
    for decision in decisions:
        label = mermaid_label(f"Q{numbers[decision.id]}. {decision.question}")
        lines.append(f'  {mermaid_id(decision.id)}["{label}"]')
    for decision in decisions:
        for answer, outcome in (("Yes", decision.yes), ("No", decision.no)):
            if outcome.next and outcome.next in numbers:
                target = mermaid_id(outcome.next)
            else:
                target = mermaid_id(f"end_{decision.id}_{answer.lower()}")
                lines.append(f'  {target}(["{mermaid_label(_outcome_text(outcome, corpus))}"])')
                outcomes.append(target)
            lines.append(f"  {mermaid_id(decision.id)} -->|{answer}| {target}")
    if outcomes:
        lines.append(f"  class {','.join(outcomes)} outcome")
        lines.append("  classDef outcome stroke-width:3px")
    return "\n".join(lines)


def _outcome_text(outcome: DecisionOutcome, corpus: Corpus) -> str:
    if outcome.document:
        document = corpus.get(outcome.document)
        return f"Open: {document.title if document else outcome.document}"
    if outcome.conclusion:
        return _short(outcome.conclusion)
    return f"{outcome.next} (not found)"
