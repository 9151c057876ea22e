"""Where each page lives, and links between pages written relative to the page they are on.

Links are relative ``.md`` paths so MkDocs checks every one of them (``validation:`` in
mkdocs.yml) and the same Markdown also works as plain files from ``runbook render``. A
reference to a document that does not exist becomes plain text rather than a broken link:
``runbook validate`` reports it, the site should still build.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from runbook.model import Contact, Corpus, Document
from runbook.model.documents import KINDS, Kind
from runbook.render.text import cell, code

FOLDERS: Mapping[Kind, str] = {
    "runbook": "runbooks",
    "playbook": "playbooks",
    "maintenance": "maintenance",
    "troubleshooting": "troubleshooting",
    "reference": "reference",
}
KIND_TITLES: Mapping[Kind, str] = {
    "runbook": "Runbooks",
    "playbook": "Incident playbooks",
    "maintenance": "Maintenance",
    "troubleshooting": "Troubleshooting",
    "reference": "Reference",
}

HOME = "index.md"
SEVERITY_PAGE = "severity.md"
OWNERS_PAGE = "owners.md"
TAGS_PAGE = "tags.md"
CALENDAR_PAGE = "calendar.md"
SCHEMA_PAGE = "schema.md"
CHANGELOG_PAGE = "changelog.md"
REVIEWS_PAGE = "reviews.md"


def document_page(document: Document) -> str:
    return f"{FOLDERS[document.kind]}/{document.id}.md"


def kind_page(kind: Kind) -> str:
    return f"{FOLDERS[kind]}/index.md"


def generated_folders() -> tuple[str, ...]:
    return tuple(FOLDERS[kind] for kind in KINDS)


def relative_path(target: str, page: str) -> str:
    """``target`` relative to the folder of ``page``; both are paths inside the site.

    posixpath.relpath would do, but it asks the OS for the working directory on every call,
    which dominated rendering a large corpus.
    """
    here = page.split("/")[:-1]
    there = target.split("/")
    common = 0
    while common < len(here) and common < len(there) - 1 and here[common] == there[common]:
        common += 1
    return "/".join([".."] * (len(here) - common) + there[common:])


def reach_link(contact: Contact) -> str:
    """The best way to reach a contact, as a link a phone or mail client opens."""
    if contact.phone:
        digits = re.sub(r"[^+0-9]", "", contact.phone)
        return f"[{cell(contact.phone)}](tel:{digits})"
    if contact.email:
        return f"[{cell(contact.email)}](mailto:{contact.email})"
    if contact.url:
        return f"[{cell(contact.url)}]({contact.url})"
    return cell(contact.name or contact.github)


@dataclass(frozen=True)
class Holders:
    """Which document defines each contact, SLA, window and severity, to link to it."""

    contacts: Mapping[str, str] = field(default_factory=dict)
    sla: Mapping[str, str] = field(default_factory=dict)
    windows: Mapping[str, str] = field(default_factory=dict)
    severities: Mapping[str, str] = field(default_factory=dict)
    environments: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, corpus: Corpus) -> Holders:
        found: dict[str, dict[str, str]] = {
            name: {} for name in ("contacts", "sla", "windows", "severities", "environments")
        }
        for document in corpus:
            for name, table in found.items():
                for item in getattr(document, name):
                    table.setdefault(item.id, document.id)
        return cls(**found)


@dataclass(frozen=True)
class Linker:
    """Links from one page: ``page`` is the path of the page being written."""

    corpus: Corpus
    holders: Holders
    page: str

    def url(self, target: str, anchor: str = "") -> str:
        if target == self.page:
            return f"#{anchor}" if anchor else target.rsplit("/", 1)[-1]
        relative = relative_path(target, self.page)
        return f"{relative}#{anchor}" if anchor else relative

    def to(self, target: str, text: str, anchor: str = "") -> str:
        # cell() escapes pipes too, so a link is safe inside a table row.
        return f"[{cell(text)}]({self.url(target, anchor)})"

    def doc(self, document_id: str, text: str | None = None, anchor: str = "") -> str:
        """``[Title](../kind/id.md)``, or the id in code when no such document exists."""
        document = self.corpus.get(document_id)
        if document is None:
            return f"{code(document_id)} (not found)"
        return self.to(document_page(document), text or document.title, anchor)

    def step(self, document: Document, step_id: str, text: str) -> str:
        return self.to(document_page(document), text, step_id)

    def contact(self, contact_id: str, *, reach: bool = True) -> str:
        """The contact's role linked to the document defining it, then how to reach them."""
        contact = self.corpus.contacts.get(contact_id)
        if contact is None:
            return f"{code(contact_id)} (unknown contact)"
        role = self.doc(self.holders.contacts[contact_id], contact.role)
        how = reach_link(contact)
        return f"{role} ({how})" if reach and how else role

    def holder(self, kind: str, item_id: str, text: str | None = None) -> str:
        """A link to the reference document defining an SLA, window, severity or environment."""
        table: Mapping[str, str] = getattr(self.holders, kind)
        document_id = table.get(item_id)
        if document_id is None:
            return f"{code(item_id)} (not found)"
        return self.doc(document_id, text or item_id)
