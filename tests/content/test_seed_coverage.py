"""Every heading of the seed operational documentation suite is covered by a document.

The seed (``shared/seed/operational-documentation-suite.md``, beside the repository) is the
source the corpus under ``runbooks/`` was ported from. ``seed_coverage.yaml`` maps each of its
headings, with emoji stripped, to the ids of the documents that cover it. These tests fail when a
heading is added to the seed without a mapping, when a mapping names a document that does not
exist, or when the map keeps a heading the seed no longer has.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
SEED = REPO_ROOT.parent / "shared" / "seed" / "operational-documentation-suite.md"
COVERAGE = Path(__file__).with_name("seed_coverage.yaml")
RUNBOOKS = REPO_ROOT / "runbooks"

SEED_MISSING = f"seed not found at {SEED} (shared/ must sit beside the repository)"

HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")
# Emoji modifiers, variation selectors and joiners that travel with pictographs.
EMOJI_EXTRAS = {"\u200d", "\ufe0e", "\ufe0f", "\u20e3"} | {chr(c) for c in range(0x1F3FB, 0x1F400)}


def is_emoji(char: str) -> bool:
    return char in EMOJI_EXTRAS or unicodedata.category(char) == "So"


def normalise_heading(text: str) -> str:
    """Heading text with emoji (and the space after each) removed, whitespace collapsed."""
    kept: list[str] = []
    skip_space = False
    for char in text:
        if is_emoji(char):
            skip_space = True
            continue
        if skip_space and char.isspace():
            continue
        skip_space = False
        kept.append(char)
    return " ".join("".join(kept).split())


def headings_of(markdown: str) -> list[str]:
    """ATX headings (#..######) outside fenced code blocks, normalised, in document order."""
    found: list[str] = []
    in_fence = False
    for line in markdown.splitlines():
        if FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        match = HEADING.match(line)
        if match:
            found.append(normalise_heading(match.group(2)))
    return found


@cache
def seed_headings() -> tuple[str, ...]:
    if not SEED.is_file():
        return ()
    return tuple(headings_of(SEED.read_text(encoding="utf-8")))


@cache
def coverage() -> dict[str, list[str]]:
    data: Any = yaml.safe_load(COVERAGE.read_text(encoding="utf-8"))
    assert isinstance(data, dict) and isinstance(data.get("headings"), dict), (
        f"{COVERAGE.name} must have a 'headings' mapping of heading -> [document ids]"
    )
    mapping: dict[str, list[str]] = {}
    for heading, ids in data["headings"].items():
        mapping[str(heading)] = [ids] if isinstance(ids, str) else list(ids or [])
    return mapping


@cache
def document_ids() -> frozenset[str]:
    ids: set[str] = set()
    for path in sorted(RUNBOOKS.rglob("*.y*ml")):
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError:
            continue  # a broken file is `runbook validate`'s to report, not this test's
        if isinstance(document, dict) and isinstance(document.get("id"), str):
            ids.add(document["id"])
    return frozenset(ids)


def seed_params() -> list[Any]:
    headings = seed_headings()
    if not headings:
        return [pytest.param(None, marks=pytest.mark.skip(reason=SEED_MISSING), id="no-seed")]
    return sorted(set(headings))


def test_normalise_heading_strips_emoji_and_keeps_links() -> None:
    assert normalise_heading("📚 Operational Documentation") == "Operational Documentation"
    assert normalise_heading("🏗️ Architecture Summary") == "Architecture Summary"
    assert (
        normalise_heading("1. [📋 Operational Runbook](OPERATIONAL_RUNBOOK.md)")
        == "1. [Operational Runbook](OPERATIONAL_RUNBOOK.md)"
    )
    assert normalise_heading("Monitoring & Alerting") == "Monitoring & Alerting"


def test_headings_of_ignores_fenced_code() -> None:
    markdown = "# 🎯 Title\n```\n# not a heading\n```\n## Sub ##\ntext #1\n"
    assert headings_of(markdown) == ["Title", "Sub"]


def test_seed_has_headings() -> None:
    if not SEED.is_file():
        pytest.skip(SEED_MISSING)
    assert seed_headings(), f"no headings found in {SEED}"


@pytest.mark.parametrize("heading", seed_params())
def test_seed_heading_is_mapped(heading: str) -> None:
    ids = coverage().get(heading)
    assert ids, f"seed heading {heading!r} is not mapped to any document in {COVERAGE.name}"


@pytest.mark.parametrize("heading", sorted(coverage()))
def test_mapped_heading_is_in_seed(heading: str) -> None:
    if not SEED.is_file():
        pytest.skip(SEED_MISSING)
    assert heading in seed_headings(), (
        f"{COVERAGE.name} maps {heading!r}, which is no longer a heading of the seed"
    )


@pytest.mark.parametrize("heading", sorted(coverage()))
def test_mapped_documents_exist(heading: str) -> None:
    missing = [doc_id for doc_id in coverage()[heading] if doc_id not in document_ids()]
    assert not missing, (
        f"{heading!r} is mapped to {missing}, but no document under runbooks/ has that id"
    )
