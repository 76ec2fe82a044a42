"""Reading an article as a clinician would: grouped references, source pages, contents,
collapsing, reporting a problem, print, dark mode, a phone, and no console errors."""

from __future__ import annotations

import re
from typing import Any

from tests.browser.conftest import shot
from tests.browser.test_browser_site import ask_seed


def test_a_reference_opens_its_readable_source_page(page: Any) -> None:
    ask_seed(page)
    group = page.locator("li.ref-group").filter(has_text="CDC Guideline for Prescribing "
                                                         "Opioids for Chronic Pain")
    assert group.count() == 1
    assert group.get_by_text("Superseded by").is_visible()
    group.locator("a.source-link").click()
    page.wait_for_url(re.compile(r"/sources/"))
    assert "2016" in page.get_by_role("heading", level=1).inner_text()
    note = page.locator(".alert-superseded")
    assert note.is_visible() and "Superseded" in note.inner_text()
    assert page.get_by_role("heading", name="How recommendations are graded").is_visible()
    assert page.get_by_role("link", name="PubMed").get_attribute("href") == \
        "https://pubmed.ncbi.nlm.nih.gov/26987082/"
    shot(page, "source-superseded-desktop")
    # Its successor is one click away, and is marked current.
    note.get_by_role("link").click()
    page.wait_for_url(re.compile(r"/sources/"))
    assert "2022" in page.get_by_role("heading", level=1).inner_text()
    assert page.locator(".current-mark").inner_text() == "Current version"
    assert page.get_by_role("link", name=re.compile("What are the concerns")).count() == 1 \
        or page.locator("section[aria-labelledby='citing-heading'] li").count() >= 1
    shot(page, "source-current-desktop")
    assert page.console_errors == [], page.console_errors


def test_grouped_references_link_back_to_their_statements(page: Any) -> None:
    ask_seed(page)
    fda = page.locator("li.ref-group").filter(has_text="FDA warns about serious risks")
    assert fda.count() == 1
    items = fda.locator("li[id^='ref-']")
    assert items.count() >= 2
    first = items.first
    ref_id = first.get_attribute("id")
    back = first.locator(".cited-by a").first
    target = back.get_attribute("href")
    back.click()
    assert page.url.endswith(target)
    statement = page.locator(target)
    assert statement.is_visible()
    assert statement.locator(f"sup.cites a[href='#{ref_id}']").count() == 1
    assert page.console_errors == [], page.console_errors
