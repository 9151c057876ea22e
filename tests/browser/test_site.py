"""The built site in a real browser: what staff see, and that nothing leaves the machine."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PLAYBOOK = "playbooks/payment-system-failure/"


def table_after(page: Any, heading_id: str) -> Any:
    return page.locator(f"xpath=//h2[@id='{heading_id}']/following-sibling::div[1]//table")


def test_home_page_shows_contacts_and_sla_table(visit: Any, site: Any) -> None:
    tab = visit(site)
    page = tab.open()
    assert page.locator("h1").inner_text().startswith("Emergency quick reference")
    contacts = table_after(page, "contacts")
    assert "Incident Commander" in contacts.inner_text()
    assert contacts.locator("a[href='mailto:ops-team@company.com']").count() >= 1
    assert contacts.locator("a[href^='tel:']").count() >= 1
    sla = table_after(page, "sla-thresholds")
    text = sla.inner_text()
    for expected in ("Target", "Critical", "api-response-time", "uptime", "error-rate"):
        assert expected in text
    assert table_after(page, "severity-levels").locator("text=SEV1").count() >= 1
    tab.assert_clean()


def test_search_for_payment_finds_the_payment_playbook(visit: Any, site: Any) -> None:
    tab = visit(site)
    page = tab.open()
    page.locator("input.md-search__input").click()
    page.keyboard.type("payment")
    hit = page.locator(f".md-search-result__item a[href*='{PLAYBOOK.rstrip('/')}']").first
    hit.wait_for(state="visible", timeout=15_000)
    assert "Payment system failure" in hit.inner_text()
    tab.assert_clean()


def test_playbook_shows_steps_diagram_and_badge(visit: Any, site: Any) -> None:
    tab = visit(site)
    page = tab.open(PLAYBOOK)
    steps = page.locator("article h3[id]").all_inner_texts()
    assert len(steps) >= 10
    assert steps[0].startswith("1. ")
    assert page.locator("article h3#check_payments_component").count() == 1
    diagram = page.locator("article div.mermaid svg").first
    diagram.wait_for(state="attached", timeout=15_000)
    assert "Detection" in (diagram.text_content() or "")
    assert page.locator("article pre.mermaid").count() == 0  # every diagram was drawn
    badge = page.locator("article .rb-badge").first
    assert badge.is_visible()
    assert badge.get_attribute("class").split()[-1] in {
        "rb-badge--fresh",
        "rb-badge--due-soon",
        "rb-badge--overdue",
    }
    # Communication templates and commands come with a copy button.
    assert page.locator("article button[data-md-type='copy']").count() >= 3
    tab.assert_clean()


def test_instant_navigation_still_draws_diagrams(visit: Any, site: Any) -> None:
    tab = visit(site)
    page = tab.open()
    page.locator("article a[href$='payment-system-failure/']").first.click()
    page.wait_for_url(f"**/{PLAYBOOK}")
    page.locator("article div.mermaid svg").first.wait_for(state="attached", timeout=15_000)
    tab.assert_clean()


def test_troubleshooting_decision_flow_and_tabs(visit: Any, site: Any) -> None:
    tab = visit(site)
    page = tab.open("troubleshooting/quick-diagnosis/")
    flow = page.locator("article div.mermaid svg").first
    flow.wait_for(state="attached", timeout=15_000)
    assert "Q1." in (flow.text_content() or "")
    page = tab.open("reference/environments/")
    labels = page.locator("article .tabbed-labels label")
    assert labels.count() >= 3
    labels.nth(1).click()
    assert page.locator("article .tabbed-block").nth(1).is_visible()
    tab.assert_clean()


def test_version_selector_lists_both_published_versions(visit: Any, versions: Any) -> None:
    tab = visit(versions)
    page = tab.open()  # the root redirects to the default version
    page.wait_for_url("**/latest/")
    current = page.locator(".md-version__current")
    current.wait_for(state="attached", timeout=15_000)
    assert current.inner_text().strip() == "2.0"
    listed = [text.strip() for text in page.locator(".md-version__link").all_text_contents()]
    assert "1.0" in listed and "2.0" in listed
    old = tab.open("1.0/")
    assert "older version" in old.locator("[data-md-component='outdated']").inner_text()
    tab.assert_clean()
