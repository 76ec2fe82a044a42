"""Reading an article as a clinician would: grouped references, source pages, contents,
collapsing, reporting a problem, print, dark mode, a phone, axe-core and no console errors.

One server on a starter-pack store with an editor account; screenshots go to
test-artifacts/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest

from curbside import articles
from curbside.config import Settings
from curbside.review import accounts
from curbside.store import init_store
from tests.browser.conftest import axe_violations, serving, shot

SEED = ("What are the concerns of a patient remaining on opioid medication and "
        "clonazepam (Klonopin)?")
EDITOR = ("eve", "fixes the words 7 times")
CDC_2016 = "guideline:cdc-opioids-2016@2016"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A server on a starter-pack store with an editor and the seed article."""
    from curbside.web import create_app

    db = tmp_path_factory.mktemp("pages-browser") / "t.db"
    store = init_store(db)
    accounts.create_user(store, EDITOR[0], role="editor", display_name="Eve Editor",
                         password=EDITOR[1])
    art, _ = articles.ask_article(store, SEED)
    label = next(r["source_id"] for r in art["answer"]["references"] if r["tier"] == "label")
    store.close()
    app = create_app(Settings(db=db), ask_per_minute=6000, ask_burst=1000)
    with serving(app) as url:
        yield {"url": url, "article": art["url"], "article_id": art["id"], "label": label}


def _context(browser: Any, site: dict[str, str], **kw: Any) -> tuple[Any, Any]:
    ctx = browser.new_context(base_url=site["url"], **({"viewport": {"width": 1280,
                                                                     "height": 900}} | kw))
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.console_errors = errors
    return ctx, pg


@pytest.fixture
def reader(browser: Any, site: dict[str, str]) -> Iterator[Any]:
    ctx, pg = _context(browser, site)
    yield pg
    ctx.close()


def _sign_in(pg: Any) -> None:
    pg.goto("/login")
    pg.get_by_label("Username").fill(EDITOR[0])
    pg.get_by_label("Password").fill(EDITOR[1])
    pg.get_by_role("button", name="Sign in").click()
    pg.wait_for_url(re.compile(r"/review$"))


def _pages(site: dict[str, str]) -> list[tuple[str, str]]:
    """(name, path) of every kind of page a reader or an editor meets."""
    return [("home", "/"), ("library", "/library"), ("policy", "/editorial-policy"),
            ("api-docs", "/docs"), ("article", site["article"]),
            ("source-guideline", f"/sources/{quote(CDC_2016)}"),
            ("source-label", f"/sources/{quote(site['label'])}"),
            ("source-research", "/sources/" + quote("pack:research:sun-2017-bmj")),
            ("not-found", "/no/such/page"), ("login", "/login")]


def _staff_pages(site: dict[str, str]) -> list[tuple[str, str]]:
    return [("review-queue", "/review"), ("review-article", f"/review/articles/"
                                                           f"{site['article_id']}")]


def test_a_reference_opens_its_readable_source_page(reader: Any, site: dict[str, str]) -> None:
    reader.goto(site["article"])
    group = reader.locator("li.ref-group").filter(has_text="CDC Guideline for Prescribing "
                                                           "Opioids for Chronic Pain")
    assert group.count() == 1
    assert group.get_by_text("Superseded by").is_visible()
    group.locator("a.source-link").click()
    reader.wait_for_url(re.compile(r"/sources/"))
    assert "2016" in reader.get_by_role("heading", level=1).inner_text()
    note = reader.locator(".alert-superseded")
    assert note.is_visible() and "Superseded" in note.inner_text()
    assert reader.get_by_role("heading", name="How recommendations are graded").is_visible()
    assert reader.get_by_role("link", name="PubMed").get_attribute("href") == \
        "https://pubmed.ncbi.nlm.nih.gov/26987082/"
    assert reader.locator("section[aria-labelledby='citing-heading'] a").get_attribute(
        "href") == site["article"]
    shot(reader, "source-superseded-desktop")
    # Its successor is one click away, and is marked current.
    note.get_by_role("link").click()
    reader.wait_for_url(re.compile(r"/sources/"))
    assert "2022" in reader.get_by_role("heading", level=1).inner_text()
    assert reader.locator(".current-mark").inner_text() == "Current version"
    shot(reader, "source-current-desktop")
    assert reader.console_errors == [], reader.console_errors


def test_grouped_references_link_back_to_their_statements(reader: Any,
                                                          site: dict[str, str]) -> None:
    reader.goto(site["article"])
    fda = reader.locator("li.ref-group").filter(has_text="FDA warns about serious risks")
    assert fda.count() == 1
    items = fda.locator("li[id^='ref-']")
    assert items.count() >= 2
    first = items.first
    ref_id = first.get_attribute("id")
    back = first.locator(".cited-by a").first
    target = back.get_attribute("href")
    back.click()
    assert reader.url.endswith(target)
    statement = reader.locator(target)
    assert statement.is_visible()
    assert statement.locator(f"sup.cites a[href='#{ref_id}']").count() == 1
    shot(reader, "article-references-desktop")
    assert reader.console_errors == [], reader.console_errors


def test_contents_jump_to_sections_that_collapse(reader: Any, site: dict[str, str]) -> None:
    reader.goto(site["article"])
    toc = reader.get_by_role("navigation", name="On this page")
    # The contents come right after the bottom line.
    assert reader.locator("section.bottom-line + nav.toc").count() == 1
    names = toc.get_by_role("link").all_inner_texts()
    assert names[:1] == ["Key concerns"] and "From the FDA Drug Label" in names
    assert "References" in names and "Report a problem" in names
    toc.get_by_role("link", name="References").click()
    assert reader.url.endswith("#references-heading")
    assert reader.get_by_role("heading", name="References").is_visible()
    # Collapsing a section hides its statements; opening it shows them again.
    statement = reader.locator("#s-label-1")
    assert statement.is_visible()
    reader.locator("section.tier-label > details > summary").click()
    assert not statement.is_visible()
    shot(reader, "article-label-collapsed")
    # A citation into a collapsed section still leads there (the browser opens it).
    reader.locator("section.tier-label > details > summary").click()
    assert statement.is_visible()
    assert reader.console_errors == [], reader.console_errors


def test_a_reported_problem_reaches_the_review_queue_and_the_audit(
        browser: Any, site: dict[str, str]) -> None:
    ctx, pg = _context(browser, site)
    pg.goto(site["article"])
    pg.get_by_text("Report a problem", exact=True).last.click()  # the summary opens it
    pg.get_by_label("What is wrong?").fill("Key concern 1 reads as if it were about "
                                           "every benzodiazepine dose.")
    pg.get_by_label("Which statement (optional)").select_option("s-concern-1")
    pg.get_by_label("Your email, if you would like a reply (optional)").fill(
        "reader@example.org")
    pg.get_by_role("button", name="Send report").click()
    pg.wait_for_url(re.compile(r"reported=1"))
    assert pg.get_by_role("status").filter(has_text="Your report is with the editors") \
        .is_visible()
    shot(pg, "article-report-sent")
    _sign_in(pg)
    count = pg.locator("[data-count='open_reports']")
    assert count.inner_text() == "1"
    shot(pg, "review-queue-report")
    pg.locator("section#reported").get_by_role("link").first.click()
    reports = pg.locator("section.reports")
    assert "every benzodiazepine dose" in reports.inner_text()
    assert "Key concern 1" in reports.inner_text()
    audit = pg.locator("section.audit")
    assert audit.locator("tr", has_text="report").count() >= 1
    pg.get_by_label("What was done (optional)").fill("Wording checked against the label.")
    pg.get_by_role("button", name="Mark resolved").click()
    pg.wait_for_url(re.compile(r"/review/articles/"))
    assert "Resolved by Eve Editor" in pg.locator("section.reports").inner_text()
    assert pg.locator("section.audit tr", has_text="report_resolved").count() == 1
    shot(pg, "review-article-report-resolved")
    pg.goto("/review")
    assert pg.locator("[data-count='open_reports']").inner_text() == "0"
    assert pg.console_errors == [], pg.console_errors
    ctx.close()


def test_the_printout_has_no_navigation_and_every_reference(reader: Any,
                                                            site: dict[str, str]) -> None:
    reader.goto(site["article"])
    reader.locator("section.references > details > summary").click()  # collapsed on screen
    assert not reader.locator("#ref-1").is_visible()
    reader.emulate_media(media="print")
    for hidden in (".site-header", ".personalize", ".toc", ".follow-up", ".report",
                   ".site-search"):
        assert not reader.locator(hidden).first.is_visible(), hidden
    assert reader.get_by_role("heading", level=1).is_visible()
    refs = reader.locator("section.references li[id^='ref-']")
    assert refs.count() > 0 and all(refs.nth(i).is_visible() for i in range(refs.count()))
    after = reader.evaluate("getComputedStyle(document.querySelector("
                            "'.ref-link[href^=\"https://pubmed\"]'), '::after').content")
    assert "https://pubmed.ncbi.nlm.nih.gov/" in after
    shot(reader, "article-print")
    assert reader.console_errors == [], reader.console_errors


def test_copy_citation_copies_the_ama_text(browser: Any, site: dict[str, str]) -> None:
    ctx, pg = _context(browser, site)
    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=site["url"])
    pg.goto(site["article"])
    pg.get_by_text("Cite this article").click()
    text = pg.locator("#ama-article").inner_text()
    assert text.startswith(SEED + " Curbside. Updated ") and site["article"] in text
    pg.locator("button[data-copy='ama-article']").click()
    pg.get_by_text("Copied").wait_for()
    assert pg.evaluate("navigator.clipboard.readText()") == text
    assert pg.console_errors == [], pg.console_errors
    ctx.close()


def test_personalize_swap_injects_no_inline_styles(reader: Any, site: dict[str, str]) -> None:
    reader.goto(site["article"])
    before = reader.locator("section.bottom-line").inner_text()
    reader.get_by_label("Patient or caregiver").check()
    reader.wait_for_function(
        "t => document.querySelector('section.bottom-line').innerText !== t", arg=before)
    assert reader.evaluate("document.querySelectorAll('style, [style]').length") == 0
    assert reader.console_errors == [], reader.console_errors
    # The swapped-in article keeps working: its copy button is shown (wired) again.
    reader.get_by_text("Cite this article").click()
    assert reader.locator("button[data-copy='ama-article']").is_visible()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_passes_axe_without_console_errors(browser: Any, site: dict[str, str],
                                                      scheme: str) -> None:
    ctx, pg = _context(browser, site, color_scheme=scheme)
    # axe does find problems here: an image without alternative text is one.
    pg.goto("/")
    pg.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', "
                "'<img src=\"/static/favicon.svg\">')")
    assert "image-alt" in [v["id"] for v in axe_violations(pg)]
    found: dict[str, Any] = {}
    for signed_in, pages in ((False, _pages(site)), (True, _staff_pages(site))):
        if signed_in:
            _sign_in(pg)
        for name, path in pages:
            pg.goto(path)
            if name == "not-found":  # the browser logs the page's own 404 status; only that
                pg.console_errors[:] = [e for e in pg.console_errors
                                        if "status of 404 (Not Found)" not in e]
            for d in pg.locator("details").all():  # check what collapsed sections hold too
                d.evaluate("d => d.open = true")
            violations = axe_violations(pg)
            if violations:
                found[name] = violations
            shot(pg, f"{name}-{scheme}")
    assert found == {}, found
    assert pg.console_errors == [], pg.console_errors
    if scheme == "dark":
        bg = pg.evaluate("getComputedStyle(document.body).backgroundColor")
        assert bg == "rgb(18, 23, 29)", bg
    ctx.close()


def test_a_phone_gets_tap_targets_of_at_least_24_px(browser: Any, site: dict[str, str]) -> None:
    ctx, pg = _context(browser, site, viewport={"width": 375, "height": 812}, is_mobile=True,
                       has_touch=True, device_scale_factor=2)
    small: dict[str, list[str]] = {}
    for name, path in _pages(site):
        pg.goto(path)
        if name == "not-found":
            pg.console_errors[:] = [e for e in pg.console_errors
                                    if "status of 404 (Not Found)" not in e]
        for d in pg.locator("details").all():
            d.evaluate("d => d.open = true")
        width = pg.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{name} scrolls sideways ({width}px)"
        tiny = pg.evaluate("""() => [...document.querySelectorAll(
              'a[href], button, summary, input, select, textarea')]
            .filter(e => e.offsetParent !== null && !e.closest('.skip-link'))
            .filter(e => { const r = e.getBoundingClientRect();
                           return r.width < 24 || r.height < 24; })
            .map(e => `${e.tagName} ${(e.innerText || e.name || '').trim().slice(0, 30)} `
                      + `${Math.round(e.getBoundingClientRect().width)}x`
                      + `${Math.round(e.getBoundingClientRect().height)}`)""")
        if tiny:
            small[name] = tiny[:8]
        shot(pg, f"{name}-375")
    assert small == {}, small
    assert pg.console_errors == [], pg.console_errors
    ctx.close()
