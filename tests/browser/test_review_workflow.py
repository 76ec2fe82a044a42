"""The Medical Advisory Board's workflow end to end in a real browser: a reviewer claims and
requests changes, an editor revises a statement, the reviewer approves, and the public page
shows Approved with the reviewer's name."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from curbside import articles
from curbside.config import Settings
from curbside.ingest import ingest_file
from curbside.review import accounts
from curbside.store import init_store
from tests.browser.conftest import serving, shot

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "openfda" / "living_v1.json"
QUESTION = "Is gabapentin safe with opioids?"
PEOPLE = {"smith": ("reviewer", "Dr. A. Smith", "PharmD", "checks every source 9"),
          "eve": ("editor", "Eve Editor", None, "fixes the words 7 times")}
EDITED = "Gabapentin taken with an opioid can slow or stop breathing; watch closely."

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A server on a small store: one label, a reviewer, an editor, one article."""
    from curbside.web import create_app

    db = tmp_path_factory.mktemp("review-browser") / "t.db"
    store = init_store(db, starter_pack=False)
    assert ingest_file(store, "openfda", str(FIXTURE)).error is None
    for name, (role, display, creds, pw) in PEOPLE.items():
        accounts.create_user(store, name, role=role, display_name=display, credentials=creds,
                             password=pw)
    art, _ = articles.ask_article(store, QUESTION)
    store.close()
    with serving(create_app(Settings(db=db))) as url:
        yield url, str(art["id"])


def sign_in(pg: Any, name: str) -> None:
    pg.goto("/login")
    pg.get_by_label("Username").fill(name)
    pg.get_by_label("Password").fill(PEOPLE[name][3])
    pg.get_by_role("button", name="Sign in").click()
    pg.wait_for_url(re.compile(r"/review$"))


def sign_out(pg: Any) -> None:
    pg.goto("/logout")
    pg.get_by_role("button", name="Sign out").click()
    pg.wait_for_url(re.compile(r"/$"))


def test_claim_request_changes_revise_approve(browser: Any, site: tuple[str, str]) -> None:
    base_url, aid = site
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))

    # Signed out, the queue sends you to sign in.
    pg.goto("/review")
    assert "/login" in pg.url

    # The reviewer claims the article from the unassigned list and requests changes.
    sign_in(pg, "smith")
    unassigned = pg.locator("section#unassigned")
    assert unassigned.get_by_role("heading").inner_text() == "Unassigned (1)"
    unassigned.get_by_role("link", name=QUESTION).click()
    pg.wait_for_url(re.compile(f"/review/articles/{aid}$"))
    pg.get_by_role("button", name="Claim for review").click()
    assert "claimed by Dr. A. Smith" in pg.locator(".review-state").inner_text()
    pg.locator("form.transition-request_changes textarea[name=note]").fill(
        "Statement 2 should say plainly that breathing can stop.")
    pg.get_by_role("button", name="Request changes").click()
    assert "Changes Requested" in pg.locator(".review-state").inner_text()
    assert pg.get_by_role("button", name="Approve").count() == 0
    assert pg.locator("form.transition-revise").count() == 0  # reviewers do not edit
    shot(pg, "review-changes-requested")
    sign_out(pg)

    # The editor revises one statement's text.
    sign_in(pg, "eve")
    assert pg.locator("section#changes_requested").get_by_role("link", name=QUESTION).count()
    pg.goto(f"/review/articles/{aid}")
    pg.locator("textarea[name='text:sections.0.1']").fill(EDITED)
    pg.get_by_role("button", name="Save a new revision and return it for review").click()
    assert "revision 2" in pg.locator(".review-state").inner_text()
    assert "Under Review" in pg.locator(".review-state").inner_text()
    assert pg.locator(".diff ins").filter(has_text="stop breathing").count() == 1
    assert pg.get_by_role("button", name="Approve").count() == 0
    sign_out(pg)

    # The reviewer sees the change and approves revision 2.
    sign_in(pg, "smith")
    pg.locator("section#mine").get_by_role("link", name=QUESTION).click()
    assert pg.get_by_role("heading", name="Changes from revision 1 to 2").is_visible()
    pg.locator("form.transition-approve").get_by_role("button", name="Approve").click()
    assert "Approved" in pg.locator(".review-state").inner_text()
    shot(pg, "review-approved")

    # The public page shows Approved with the reviewer's name, and the edited text.
    pg.get_by_role("link", name="Public page").click()
    pg.wait_for_url(re.compile(f"/articles/{aid}/"))
    current = pg.locator(".steps .step.current")
    assert current.inner_text() == "Approved"
    reviewed = pg.locator(".reviewed-by").inner_text()
    assert re.fullmatch(r"Reviewed by Dr\. A\. Smith, PharmD on \w+ \d{1,2}, \d{4}", reviewed)
    assert pg.get_by_text(EDITED).count() >= 1
    assert pg.get_by_text("pending human review").count() == 0
    shot(pg, "article-approved")
    assert errors == [], errors
    context.close()
