"""The freshness gate: which documents are due or overdue, and whom to chase about them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from runbook.governance.freshness import DEFAULT_WARN_DAYS, Freshness, assess_all
from runbook.loader import LoadResult, Problem
from runbook.loader.yaml_source import locate
from runbook.model import Contact

TEAM_TIMEZONE = "Africa/Johannesburg"


def today() -> date:
    """The date where the team works: a review due "today" is due on their calendar."""
    try:
        return datetime.now(ZoneInfo(TEAM_TIMEZONE)).date()
    except ZoneInfoNotFoundError:
        return date.today()


@dataclass(frozen=True)
class Owner:
    id: str
    label: str  # "Operations Team"
    github: str = ""
    email: str = ""

    @property
    def reach(self) -> str:
        """``operations-team (@instyle/operations, ops-team@company.com)``."""
        ways = [way for way in (self.github, self.email) if way]
        return f"{self.id} ({', '.join(ways)})" if ways else self.id


@dataclass(frozen=True)
class ReviewItem:
    freshness: Freshness
    owner: Owner
    line: int  # of last_reviewed, where an annotation points

    @property
    def path(self) -> str:
        return self.freshness.document.path.as_posix()


@dataclass(frozen=True)
class FreshnessReport:
    as_of: date
    warn_days: int
    gating: bool  # False with --warn-only: report, never fail
    items: tuple[ReviewItem, ...]  # most urgent first
    problems: tuple[Problem, ...]  # files that did not load, so could not be assessed

    def of_status(self, status: str) -> tuple[ReviewItem, ...]:
        return tuple(item for item in self.items if item.freshness.status == status)

    @property
    def failed(self) -> bool:
        return self.gating and bool(self.of_status("overdue") or self.problems)


def freshness_report(
    result: LoadResult,
    as_of: date,
    warn_days: int = DEFAULT_WARN_DAYS,
    *,
    gating: bool = True,
) -> FreshnessReport:
    """Assess the files ``result`` was asked to load (not the corpus loaded to support them)."""
    wanted = {path.resolve() for path in result.files}
    documents = [doc for doc in result.corpus if doc.path.resolve() in wanted]
    loaded = {doc.path.resolve() for doc in documents}
    contacts = result.corpus.contacts
    items = tuple(
        ReviewItem(
            freshness,
            _owner(freshness.document.owner, contacts.get(freshness.document.owner)),
            _line(result, freshness.document.path),
        )
        for freshness in assess_all(documents, as_of, warn_days)
    )
    # Only problems that stopped a file loading: a broken reference does not hide a date.
    problems = tuple(p for p in result.problems if p.file.resolve() not in loaded)
    return FreshnessReport(as_of, warn_days, gating, items, problems)


def _owner(contact_id: str, contact: Contact | None) -> Owner:
    if contact is None:
        return Owner(contact_id, contact_id)
    return Owner(contact_id, contact.role, contact.github, contact.email)


def _line(result: LoadResult, path: Path) -> int:
    text = result.texts.get(path)
    return locate(text, ("last_reviewed",))[0] if text is not None else 1


def problems_by_file(problems: Sequence[Problem]) -> dict[Path, list[Problem]]:
    grouped: dict[Path, list[Problem]] = {}
    for problem in problems:
        grouped.setdefault(problem.file, []).append(problem)
    return grouped
