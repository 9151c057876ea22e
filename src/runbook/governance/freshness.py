"""When each document is next due for review, and whether it is fresh, due soon or overdue.

The site's freshness badges and ``runbook freshness`` both call ``assess``, so a page and
the CI gate can never disagree.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from runbook.model import Document, review_interval

Status = Literal["fresh", "due-soon", "overdue"]
DEFAULT_WARN_DAYS = 7


@dataclass(frozen=True)
class Freshness:
    document: Document
    next_review: date
    status: Status
    days_left: int  # negative when overdue

    @property
    def label(self) -> str:
        if self.status == "overdue":
            days = -self.days_left
            return f"overdue by {days} day{'s' if days != 1 else ''}"
        if self.status == "due-soon":
            if self.days_left == 0:
                return "due today"
            return f"due in {self.days_left} day{'s' if self.days_left != 1 else ''}"
        return f"fresh until {self.next_review.isoformat()}"


def add_months(day: date, months: int) -> date:
    """Calendar months, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_review(document: Document) -> date:
    months, rest = review_interval(document.review_every)
    return add_months(document.last_reviewed, months) + timedelta(days=rest.days)


def assess(document: Document, as_of: date, warn_days: int = DEFAULT_WARN_DAYS) -> Freshness:
    """Overdue once the due date has passed; due soon within ``warn_days`` of it (inclusive)."""
    due = next_review(document)
    days_left = (due - as_of).days
    status: Status
    if days_left < 0:
        status = "overdue"
    elif days_left <= warn_days:
        status = "due-soon"
    else:
        status = "fresh"
    return Freshness(document, due, status, days_left)


def assess_all(
    documents: Iterable[Document], as_of: date, warn_days: int = DEFAULT_WARN_DAYS
) -> list[Freshness]:
    """Most urgent first: overdue by most days, then due soonest."""
    results = [assess(document, as_of, warn_days) for document in documents]
    return sorted(results, key=lambda item: (item.days_left, item.document.id))
