from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from runbook.errors import RunbookError
from runbook.model import Corpus
from runbook.render import Renderer, TemplatesNotFound, find_templates, navigation
from tests.unit.render.conftest import AS_OF, TEMPLATES

PLAYBOOK = "playbooks/example-small-playbook.md"
RUNBOOK = "runbooks/example-every-step-feature.md"
GUIDE = "troubleshooting/example-troubleshooting-flow.md"
FACTS = "reference/facts.md"


def section(page: str, title: str) -> str:
    """The Markdown from a ``## title`` heading to the next ``## `` heading."""
    start = page.index(f"\n## {title}")
    end = page.find("\n## ", start + 1)
    return page[start : end if end != -1 else None]


def test_one_page_per_document_and_every_index(pages: dict[str, str], corpus: Corpus) -> None:
    documents = {p for p in pages if not p.endswith("index.md") and "/" in p}
    assert len(documents) == len(corpus)
    for index in (
        "index.md",
        "playbooks/index.md",
        "runbooks/index.md",
        "maintenance/index.md",
        "troubleshooting/index.md",
        "reference/index.md",
        "severity.md",
        "owners.md",
        "tags.md",
        "calendar.md",
        "schema.md",
        "changelog.md",
        "reviews.md",
    ):
        assert index in pages


def test_rendering_is_pure(renderer: Renderer, corpus: Corpus, pages: dict[str, str]) -> None:
    assert renderer.render(corpus, AS_OF) == pages


def test_header_has_owner_version_dates_and_badge(pages: dict[str, str]) -> None:
    page = pages[PLAYBOOK]
    assert page.startswith("---\n")
    assert "# Example playbook" in page
    row = next(line for line in page.splitlines() if "rb-badge" in line)
    assert "[Security Team](../reference/facts.md)" in row
    assert "| 1.0.0 | 2026-11-20 | 2027-02-20 |" in row
    assert 'class="rb-badge rb-badge--fresh"' in row


@pytest.mark.parametrize(
    ("as_of", "status", "label"),
    [
        (date(2026, 11, 25), "fresh", "fresh until 2026-12-04"),
        (date(2026, 11, 30), "due-soon", "due in 4 days"),
        (date(2026, 12, 6), "overdue", "overdue by 2 days"),
    ],
)
def test_badge_follows_freshness(
    renderer: Renderer, corpus: Corpus, as_of: date, status: str, label: str
) -> None:
    page = renderer.render(corpus, as_of)[RUNBOOK]  # reviewed 2026-11-20, every P14D
    assert f"rb-badge--{status}" in page
    assert label in page
    assert ("This document is overdue for review" in page) == (status == "overdue")


def test_steps_are_numbered_sections_with_anchors(pages: dict[str, str]) -> None:
    page = pages[RUNBOOK]
    headings = re.findall(r"^(#{3,4}) (\S+) (.*) \{#(\w+)\}$", page, flags=re.MULTILINE)
    assert [(level, number, anchor) for level, number, _, anchor in headings] == [
        ("###", "1.", "probes"),
        ("####", "1.1.", "health"),
        ("####", "1.2.", "latency"),
        ("###", "2.", "version"),
        ("###", "3.", "settle"),
        ("###", "4.", "deploy"),
        ("###", "5.", "sign_off"),
        ("###", "6.", "shared_checks"),
        ("###", "7.", "roll_back"),
        ("###", "8.", "look"),
    ]
    # A title holding a template keeps its braces literal instead of becoming attributes.
    assert r"### 4. Deploy (\{\{ params.region \}\}) {#deploy}" in page


def test_executable_step_shows_probe_expectations_and_command(pages: dict[str, str]) -> None:
    page = pages[RUNBOOK]
    health = page[page.index("{#health}") : page.index("{#latency}")]
    assert "```http\nGET /api/health\nAuthorization: Bearer {{ secrets.api_token }}\n```" in health
    assert "(times out after 5 s)" in health
    assert "- HTTP status 200 or 503" in health
    assert "graded against SLA [database-query-time](../reference/facts.md)" in health
    assert "ok ≤ 100 ms, critical > 500 ms, warning in between" in health
    assert '`$.status` is one of `"healthy"` or `"degraded"`' in health
    assert "runbook exec example-every-step-feature --only health" in health
    version = page[page.index("{#version}") : page.index("{#settle}")]
    assert "```shell\npython3 --version\n```" in version
    assert "- exit code 0" in version
    assert "- output matches the pattern `Python 3\\.[0-9]+`" in version


def test_whole_document_run_command(pages: dict[str, str]) -> None:
    assert "```shell\nrunbook exec example-every-step-feature\n```" in pages[RUNBOOK]


def test_checklists_become_task_lists(pages: dict[str, str]) -> None:
    assert "- [ ] Error rate is flat\n- [ ] No new issue in Sentry" in pages[RUNBOOK]


def test_destructive_rollback_and_environment_admonitions(pages: dict[str, str]) -> None:
    page = pages[RUNBOOK]
    deploy = page[page.index("{#deploy}") : page.index("{#sign_off}")]
    assert '!!! danger "Destructive: changes state"' in deploy
    assert '!!! note "Only in production"' in deploy
    assert "the run jumps to [step 7](#roll_back)" in deploy
    assert "**Retry** up to 3 attempts, 2 s apart (the wait grows ×2 each time)." in deploy
    rollback = page[page.index("{#roll_back}") : page.index("{#look}")]
    assert '!!! warning "Rollback step"' in rollback
    approval = page[page.index("{#sign_off}") : page.index("{#shared_checks}")]
    assert '!!! warning "Approval required before the run continues"' in approval
    assert (
        "    - [Technical Lead](../reference/facts.md) ([tl@example.com](mailto:tl@example.com))"
        in (approval)
    )


def test_environment_notes_become_content_tabs(pages: dict[str, str]) -> None:
    page = pages[RUNBOOK]
    assert '=== "Production"\n\n    Watch the Cloudflare dashboard while this runs.' in page


def test_environment_values_list_the_variables_each_environment_sets(
    renderer: Renderer, corpus: Corpus, pages: dict[str, str]
) -> None:
    # The examples use no vars.*, so give one a step that does.
    assert "## Environment values" not in pages[RUNBOOK]
    document = corpus.get("example-every-step-feature")
    assert document is not None
    raw = dict(document.raw)
    raw["steps"] = [{"id": "x", "title": "X", "instructions": "`{{ vars.worker_name }}`"}]
    patched = Corpus(tuple(replace(d, raw=raw) if d is document else d for d in corpus.documents))
    page = renderer.render(patched, AS_OF)[RUNBOOK]
    values = section(page, "Environment values")
    assert '=== "Local"' in values and "| `worker_name` | `booking-local` |" in values
    assert '=== "Production"' in values and "| `worker_name` | `booking` |" in values


def test_include_links_the_included_document_or_names_a_missing_one(
    pages: dict[str, str],
) -> None:
    assert "Runs every step of `sla-targets` (not found)." in pages[RUNBOOK]


def test_playbook_severity_escalation_diagram_and_messages(pages: dict[str, str]) -> None:
    page = pages[PLAYBOOK]
    assert '!!! danger "SEV1 · Critical · respond within 15 min"' in page
    commander = (
        "[Incident Commander](../reference/facts.md) ([ic@example.com](mailto:ic@example.com))"
    )
    assert f"| 1 | immediately | {commander} |" in page
    diagram = page[page.index("```mermaid") : page.index("```", page.index("```mermaid") + 3)]
    assert diagram.startswith("```mermaid\nflowchart TB")
    assert 'subgraph n_phase_1["1 · Detection"]' in diagram
    assert "n_phase_5 --> n_phase_6" in diagram
    messages = section(page, "Communication templates")
    assert "```text\nService disruption\n```" in messages
    assert "```text\nWe are investigating a problem with bookings. [DETAILS]\n```" in messages
    assert "search:\n  boost: 2" in page


def test_troubleshooting_flow_diagram_and_table(pages: dict[str, str]) -> None:
    page = pages[GUIDE]
    assert "```mermaid\nflowchart TD" in page
    assert 'n_loads["Q1. Does the home page load?"]' in page
    assert "n_loads -->|Yes| n_api" in page
    assert "| Q1 | Does the home page load? | → Q2 | Check DNS and Cloudflare status. |" in page
    assert "open `sla-targets` (not found)" in page
    assert "| `503` | Service unavailable | Check health. |" in page
    assert "| [SEV1](../reference/facts.md) | [Incident Commander]" in page


def test_reference_tables_escape_user_text(pages: dict[str, str]) -> None:
    page = pages[FACTS]
    assert "# Facts | with a pipe" in page  # headings need no pipe escaping
    assert "**Support \\| Help desk**" in page
    assert "| [Health check](https://example.com/api/health) | 200 \\| 503 |" in page
    assert "| 99.9% | 99.5% | 99% |" in page
    table = pages["reference/example-reference-facts.md"]
    assert "| Name | Value |\n|---|---|\n| a | 1 |\n| b | yes |" in table


def test_home_page_is_the_emergency_quick_reference(pages: dict[str, str]) -> None:
    home = pages["index.md"]
    assert "# Emergency quick reference" in home
    contacts = section(home, "Contacts")
    # Fastest responders first; phone numbers are tel: links.
    assert contacts.index("Incident Commander") < contacts.index("Security Lead")
    assert "[+27 69 917 1527](tel:+27699171527)" in contacts
    severity = section(home, "Severity levels")
    assert "[Example playbook](playbooks/example-small-playbook.md)" in severity
    sla = section(home, "SLA thresholds")
    assert "| API p95 | [api-response-time](reference/facts.md) | ≤ 200\u00a0ms |" in sla
    urls = section(home, "Emergency URLs")
    assert "[Health check](https://example.com/api/health)" in urls
    today = section(home, "Today: Wednesday 25 November 2026")
    assert "| 08:30 | [Example using every step feature]" in today
    assert "No maintenance window today. Next: **Tuesday 01 December, 02:00–04:00**" in today


def test_home_lists_maintenance_windows_on_their_day(renderer: Renderer, corpus: Corpus) -> None:
    home = renderer.render(corpus, date(2026, 12, 1))["index.md"]
    assert '!!! warning "Maintenance window today: Weekly window"' in home


def test_index_pages(pages: dict[str, str]) -> None:
    assert "[Example playbook](example-small-playbook.md)" in pages["playbooks/index.md"]
    assert "## SEV1 · Critical: respond within 15 min" in pages["severity.md"]
    assert "## Security Team" in pages["owners.md"]
    assert "<!-- material/tags -->" in pages["tags.md"]
    changelog = pages["changelog.md"]
    assert changelog.index("2026-11-20") < changelog.index("2026-11-01")
    calendar = pages["calendar.md"]
    assert "| Tue 01 Dec | 02:00–04:00 | [Weekly window](reference/facts.md) |" in calendar
    assert "| Sat 05 Dec | 01:00–05:00 | [Monthly window](reference/facts.md) |" in calendar
    reviews = pages["reviews.md"]
    assert reviews.index("example-troubleshooting-flow") < reviews.index("example-reference")


def test_schema_page_lists_every_field_with_working_anchors(pages: dict[str, str]) -> None:
    page = pages["schema.md"]
    for field in ("id", "title", "kind", "steps", "review_every"):
        assert f"| `{field}` |" in page
    anchors = set(re.findall(r"\{#(def-[\w-]+)\}", page))
    targets = set(re.findall(r"\]\(#(def-[\w-]+)\)", page))
    assert targets and targets <= anchors


def test_navigation_lists_documents_in_index_order(corpus: Corpus) -> None:
    nav = navigation(corpus)
    assert nav["playbooks/index.md"] == ["playbooks/example-small-playbook.md"]
    assert nav["reference/index.md"] == [
        "reference/example-reference-facts.md",
        "reference/facts.md",
    ]


def test_find_templates_from_inside_the_repository() -> None:
    assert find_templates(TEMPLATES.parent / "templates") == TEMPLATES


def test_missing_templates_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(TemplatesNotFound) as raised:
        find_templates(tmp_path)
    assert raised.value.hint and "repository checkout" in raised.value.hint
    with pytest.raises(TemplatesNotFound):
        Renderer(tmp_path / "missing")


def test_a_misspelt_name_fails_the_render(tmp_path: Path, corpus: Corpus) -> None:
    for template in TEMPLATES.glob("*.j2"):
        (tmp_path / template.name).write_text(template.read_text(encoding="utf-8"))
    (tmp_path / "severity.md.j2").write_text("# {{ page.no_such_helper }}\n")
    with pytest.raises(RunbookError) as raised:
        Renderer(tmp_path).render(corpus, AS_OF)
    assert "severity.md" in raised.value.message
    assert "no_such_helper" in raised.value.message


def test_templates_run_in_the_sandbox(tmp_path: Path, corpus: Corpus) -> None:
    for template in TEMPLATES.glob("*.j2"):
        (tmp_path / template.name).write_text(template.read_text(encoding="utf-8"))
    (tmp_path / "tags.md.j2").write_text("{{ page.__class__.__mro__ }}\n")
    with pytest.raises(RunbookError):
        Renderer(tmp_path).render(corpus, AS_OF)
