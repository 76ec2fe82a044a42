"""A person using the site in a real browser: ask, read, personalise, follow up."""

from __future__ import annotations

import re
from typing import Any

from tests.browser.conftest import shot

SEED = ("What are the concerns of a patient remaining on opioid medication and "
        "clonazepam (Klonopin)?")
TIERS = ("From the Guidelines", "From the FDA Drug Label", "From the Research")


def ask_seed(page: Any) -> str:
    page.goto("/")
    page.get_by_label("Your question").fill(SEED)
    page.get_by_role("button", name="Ask", exact=True).click()
    page.wait_for_url(re.compile(r"/articles/[0-9a-f]{16}/"))
    return str(page.url)


def test_ask_the_seed_question_and_read_the_article(page: Any) -> None:
    ask_seed(page)
    assert page.get_by_role("heading", level=1).inner_text() == SEED
    for heading in TIERS:
        assert page.get_by_role("heading", name=heading).is_visible()
    assert page.get_by_text("Educational purpose only • Exercise caution as content is "
                            "pending human review").is_visible()
    assert page.get_by_text("Medical Advisory Board").is_visible()
    # Every inline citation leads to a reference that exists, and following one scrolls there.
    cites = page.locator("sup.cites a")
    assert cites.count() > 0
    targets = set(cites.evaluate_all("els => els.map(e => e.getAttribute('href'))"))
    for href in targets:
        assert page.locator(href).count() == 1, href
    first = cites.first
    href = first.get_attribute("href")
    first.click()
    assert page.url.endswith(href)
    assert page.locator(href).is_visible()
    refs = page.locator("section.references li[id^='ref-']")
    assert refs.count() == len(targets)
    assert page.locator("a.ref-link[href^='https://pubmed.ncbi.nlm.nih.gov/']").count() > 0
    assert page.console_errors == [], page.console_errors
    shot(page, "article-desktop")


def test_switching_audience_changes_the_text(page: Any) -> None:
    url = ask_seed(page)
    bottom = page.locator("section.bottom-line")
    before = bottom.inner_text()
    page.get_by_label("Patient or caregiver").check()  # htmx swaps the article in place
    page.wait_for_function(
        "t => document.querySelector('section.bottom-line').innerText !== t", arg=before)
    after = page.locator("section.bottom-line").inner_text()
    assert "doctor or pharmacist" in after
    assert "audience=patient" in page.url
    # Remembered: the article's plain address now opens in the patient register.
    page.goto(url.split("?")[0])
    assert page.locator("section.bottom-line").inner_text() == after
    assert page.get_by_label("Patient or caregiver").is_checked()
    assert page.console_errors == [], page.console_errors
    shot(page, "article-patient-desktop")


def test_personalise_works_by_keyboard(page: Any) -> None:
    ask_seed(page)
    page.get_by_label("Nurse").focus()
    page.keyboard.press("Space")
    page.wait_for_url(re.compile(r"audience=nurse"))
    assert page.get_by_label("Nurse").is_checked()


def test_follow_up_carries_the_drugs_over(page: Any) -> None:
    ask_seed(page)
    page.get_by_label("Your follow-up question").fill("what about gabapentin instead?")
    page.get_by_role("button", name="Ask follow-up").click()
    page.wait_for_url(re.compile(r"/articles/[0-9a-f]{16}/what-about-gabapentin-instead"))
    assert page.get_by_role("heading", level=1).inner_text() == "what about gabapentin instead?"
    text = page.locator("article").inner_text().lower()
    assert "gabapentin" in text and ("clonazepam" in text or "opioid" in text)
    assert page.get_by_role("link", name=SEED).is_visible()  # "Follow-up to" the seed
    shot(page, "follow-up-desktop")


def test_suggested_follow_up_link(page: Any) -> None:
    ask_seed(page)
    link = page.locator("ul.suggested a").first
    question = link.inner_text()
    link.click()
    page.wait_for_url(re.compile(r"/articles/[0-9a-f]{16}/"))
    assert page.get_by_role("heading", level=1).inner_text() == question


def test_phone_width_is_readable(browser: Any, base_url: str) -> None:
    context = browser.new_context(base_url=base_url, viewport={"width": 375, "height": 812},
                                  is_mobile=True, device_scale_factor=2)
    page = context.new_page()
    ask_seed(page)
    for url in (page.url, "/", "/library", "/editorial-policy"):
        page.goto(url)
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= 375, f"{url} scrolls sideways ({overflow}px)"
    page.goto("/")
    ask_seed(page)
    shot(page, "article-375")
    page.goto("/library")
    shot(page, "library-375")
    context.close()


def test_library_search_and_escaped_script(page: Any) -> None:
    page.goto("/")
    page.get_by_label("Your question").fill("<script>window.pwned=1</script> clonazepam?")
    page.get_by_role("button", name="Ask", exact=True).click()
    page.wait_for_url(re.compile(r"/articles/"))
    assert page.evaluate("window.pwned") is None
    assert "<script>" in page.get_by_role("heading", level=1).inner_text()
    page.goto("/library")
    page.get_by_label("Search questions and answers").fill("clonazepam")
    page.locator("main").get_by_role("button", name="Search").click()
    assert page.locator("ul.article-list li").count() >= 1
    shot(page, "library-desktop")


def test_error_page_in_site_style(page: Any) -> None:
    response = page.goto("/no/such/page")
    assert response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Page not found"
    assert page.get_by_role("link", name="Library").first.is_visible()
