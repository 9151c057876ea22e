"""``runbook freshness`` output: text for people, JSON for tools, GitHub annotations, JUnit."""

from __future__ import annotations

import json
from collections.abc import Callable
from xml.etree import ElementTree

from runbook.annotations import Severity, annotation
from runbook.governance.review import FreshnessReport, ReviewItem

STATUS_WORDS = {"overdue": "OVERDUE", "due-soon": "DUE SOON", "fresh": "fresh"}


def summary(report: FreshnessReport) -> str:
    counts = ", ".join(
        f"{len(report.of_status(status))} {status.replace('-', ' ')}"
        for status in ("overdue", "due-soon", "fresh")
    )
    text = f"{counts} as of {report.as_of.isoformat()} (due soon = within {report.warn_days} days)"
    if report.problems:
        text += f"; {len({p.file for p in report.problems})} file(s) could not be assessed"
    if not report.gating:
        text += "; report only (--warn-only), not failing"
    return text


def _describe(item: ReviewItem) -> str:
    freshness = item.freshness
    document = freshness.document
    return (
        f"{document.id}: {freshness.label} (last reviewed {document.last_reviewed.isoformat()}, "
        f"review every {document.review_every}, next review {freshness.next_review.isoformat()}); "
        f"owner: {item.owner.reach}"
    )


def text(report: FreshnessReport) -> str:
    """Documents that need attention, one line each, then a summary line."""
    attention = [item for item in report.items if item.freshness.status != "fresh"]
    width = max((len(item.freshness.document.id) for item in attention), default=0)
    label_width = max((len(item.freshness.label) for item in attention), default=0)
    lines = []
    for item in attention:
        freshness = item.freshness
        lines.append(
            f"{STATUS_WORDS[freshness.status]:<8}  {freshness.document.id:<{width}}  "
            f"{freshness.label:<{label_width}}  next review {freshness.next_review.isoformat()}  "
            f"chase {item.owner.reach}  {item.path}"
        )
    for problem in report.problems:
        lines.append(f"ERROR     {problem.format()}")
    lines.append(summary(report))
    return "\n".join(lines)


def _item_json(item: ReviewItem) -> dict[str, object]:
    freshness = item.freshness
    document = freshness.document
    return {
        "id": document.id,
        "title": document.title,
        "path": item.path,
        "status": freshness.status,
        "label": freshness.label,
        "last_reviewed": document.last_reviewed.isoformat(),
        "review_every": document.review_every,
        "next_review": freshness.next_review.isoformat(),
        "days_left": freshness.days_left,
        "owner": {
            "id": item.owner.id,
            "name": item.owner.label,
            "github": item.owner.github or None,
            "email": item.owner.email or None,
        },
    }


def json_(report: FreshnessReport) -> str:
    return json.dumps(
        {
            "as_of": report.as_of.isoformat(),
            "warn_days": report.warn_days,
            "gating": report.gating,
            "ok": not report.failed,
            "counts": {
                status: len(report.of_status(status)) for status in ("overdue", "due-soon", "fresh")
            },
            "documents": [_item_json(item) for item in report.items],
            "problems": [
                {"file": str(p.file), "line": p.line, "message": p.message, "hint": p.hint}
                for p in report.problems
            ],
        },
        indent=2,
    )


def github(report: FreshnessReport) -> str:
    """Annotations on each document's last_reviewed line; a warning only in report mode."""
    lines = []
    overdue: Severity = "error" if report.gating else "warning"
    for item in report.items:
        status = item.freshness.status
        if status == "fresh":
            continue
        title = "Review overdue" if status == "overdue" else "Review due soon"
        lines.append(
            annotation(
                overdue if status == "overdue" else "warning",
                _describe(item),
                file=item.path,
                line=item.line,
                title=f"{title}: {item.freshness.document.id}",
            )
        )
    for problem in report.problems:
        lines.append(
            annotation(
                overdue,
                f"cannot assess freshness: {problem.message}",
                file=str(problem.file),
                line=problem.line or 1,
                title="Document does not load",
            )
        )
    lines.append(f"runbook freshness: {summary(report)}")
    return "\n".join(lines)


def junit(report: FreshnessReport) -> str:
    """One testcase per document: overdue ones fail, due-soon ones pass with a note."""
    suite = ElementTree.Element(
        "testsuite",
        name="runbook freshness",
        tests=str(len(report.items) + len(report.problems)),
        failures=str(len(report.of_status("overdue"))),
        errors=str(len(report.problems)),
        skipped="0",
        timestamp=report.as_of.isoformat(),
    )
    for item in report.items:
        case = ElementTree.SubElement(
            suite,
            "testcase",
            classname="runbook.freshness",
            name=item.freshness.document.id,
            file=item.path,
        )
        if item.freshness.status == "overdue":
            failure = ElementTree.SubElement(case, "failure", message=item.freshness.label)
            failure.text = _describe(item)
        elif item.freshness.status == "due-soon":
            ElementTree.SubElement(case, "system-out").text = _describe(item)
    for problem in report.problems:
        case = ElementTree.SubElement(
            suite, "testcase", classname="runbook.freshness", name=str(problem.file)
        )
        ElementTree.SubElement(case, "error", message=problem.message).text = problem.format()
    root = ElementTree.Element("testsuites", name="runbook")
    root.append(suite)
    ElementTree.indent(root)
    body = ElementTree.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}'


REPORTERS: dict[str, Callable[[FreshnessReport], str]] = {
    "text": text,
    "json": json_,
    "github": github,
    "junit": junit,
}
