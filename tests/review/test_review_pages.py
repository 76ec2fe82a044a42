"""What people see: the public article's review marks, the queue and its counts, the review
page's forms per allowed transition."""

from __future__ import annotations

import lxml.html

from curbside import articles
from curbside.review import workflow
from curbside.review.queue import queue
from curbside.store import Store
from tests.review.conftest import SignIn, user

REVIEW_KEYS = {"status", "reviewed_by", "reviewed_at", "revision"}


def test_the_public_page_and_api_after_approval(store: Store, aid: str,
                                                sign_in: SignIn) -> None:
    client, _ = sign_in("anonymous")
    before = client.get(f"/api/v1/articles/{aid}").json()["review"]
    assert REVIEW_KEYS <= set(before) and "assignee" not in before
    assert {k: before[k] for k in REVIEW_KEYS} == {
        "status": "submitted", "reviewed_by": None, "reviewed_at": None, "revision": 1}
    workflow.transition(store, aid, "claim", user(store, "reviewer"))
    info = workflow.transition(store, aid, "approve", user(store, "reviewer"))
    review = client.get(f"/api/v1/articles/{aid}").json()["review"]
    assert review["status"] == "approved" and review["revision"] == 1
    assert review["reviewed_by"] == "Dr. A. Smith, PharmD"
    assert review["reviewed_at"] == info["reviewed_at"] == review["last_updated"]
    doc = lxml.html.fromstring(client.get(articles.get_article(store, aid)["url"]).text)
    assert doc.xpath("string(//li[@aria-current='step'])").strip() == "Approved"
    reviewed = " ".join(doc.xpath("string(//p[@class='reviewed-by'])").split())
    assert reviewed.startswith("Reviewed by Dr. A. Smith, PharmD on ")
    assert doc.xpath("//p[@class='meta']/time/@datetime")[0] == info["reviewed_at"]
    assert not doc.xpath("//p[@class='banner']")


def test_changes_requested_shows_as_under_review_publicly(store: Store, aid: str,
                                                          sign_in: SignIn) -> None:
    workflow.transition(store, aid, "claim", user(store, "reviewer"))
    workflow.transition(store, aid, "request_changes", user(store, "reviewer"), note="fix")
    client, _ = sign_in("anonymous")
    doc = lxml.html.fromstring(client.get(articles.get_article(store, aid)["url"]).text)
    assert doc.xpath("string(//li[@aria-current='step'])").strip() == "Under Review"
    assert doc.xpath("//p[@class='banner']")
    assert articles.list_articles(store)["total"] == 1  # still listed


def test_the_queue_and_its_counts(store: Store, aid: str, sign_in: SignIn) -> None:
    second, _ = articles.ask_article(store, "Gabapentin and opioids in older adults?")
    me = user(store, "reviewer")
    counts = queue(store, me)["counts"]
    assert counts == {"unassigned": 2, "mine": 0, "changes_requested": 0,
                      "recently_approved": 0, "sources_updated": 0, "reported": 0,
                      "open_reports": 0}
    workflow.transition(store, aid, "claim", me)
    workflow.transition(store, second["id"], "claim", me)
    workflow.transition(store, second["id"], "approve", me)
    assert queue(store, me)["counts"] == {"unassigned": 0, "mine": 1, "changes_requested": 0,
                                         "recently_approved": 1, "sources_updated": 0,
                                         "reported": 0, "open_reports": 0}
    assert queue(store, user(store, "reviewer2"))["counts"]["mine"] == 0
    client, _ = sign_in("reviewer")
    doc = lxml.html.fromstring(client.get("/review").text)
    assert doc.xpath("string(//*[@data-count='mine'])") == "1"
    assert doc.xpath("string(//section[@id='mine']//a)") == articles.get_article(
        store, aid)["question"]


def test_one_form_per_allowed_transition(store: Store, aid: str, sign_in: SignIn) -> None:
    def actions(name: str) -> list[str]:
        client, _ = sign_in(name)
        doc = lxml.html.fromstring(client.get(f"/review/articles/{aid}").text)
        return doc.xpath("//form[contains(@class,'transition')]//input[@name='action']/@value")

    assert actions("reviewer") == ["claim"]
    assert actions("editor") == ["claim", "assign"]
    assert actions("admin") == ["assign"]
    workflow.transition(store, aid, "claim", user(store, "reviewer"))
    assert actions("reviewer") == ["request_changes", "approve"]
    assert actions("reviewer2") == []
    workflow.transition(store, aid, "request_changes", user(store, "reviewer"), note="fix")
    assert actions("editor") == ["revise"]
    assert actions("reviewer") == []


def test_comments_and_revise_through_the_forms(store: Store, aid: str,
                                               sign_in: SignIn) -> None:
    workflow.transition(store, aid, "claim", user(store, "reviewer"))
    client, token = sign_in("reviewer")
    r = client.post(f"/review/articles/{aid}/comments",
                    data={"csrf_token": token, "statement": "sections.0.1",
                          "body": "Say plainly that breathing can stop."})
    assert r.status_code == 200 and "Say plainly that breathing can stop." in r.text
    workflow.transition(store, aid, "request_changes", user(store, "reviewer"), note="fix")
    client, token = sign_in("editor")
    r = client.post(f"/review/articles/{aid}/transition",
                    data={"csrf_token": token, "action": "revise", "revision": "1",
                          "text:sections.0.1": "Breathing can stop.", "remove:key_concerns.1":
                          "1", "add_section": "label", "add_text": "Watch closely.",
                          "add_citations": "1, 2"})
    assert r.status_code == 200, r.text  # followed back to the review page
    art = articles.get_article(store, aid)
    assert art["revision"] == 2 and art["status"] == "under_review"
    label = [s["text"] for s in art["answer"]["sections"][0]["statements"]]
    assert label[1] == "Breathing can stop." and label[-1] == "Watch closely."
    r = client.post(f"/review/articles/{aid}/transition",
                    data={"csrf_token": token, "action": "revise", "revision": "1",
                          "text:sections.0.1": "Stale edit."})
    assert r.status_code == 409  # not changes_requested any more
    assert "Changes from revision 1 to 2" in client.get(f"/review/articles/{aid}").text


def test_review_pages_have_no_inline_script_or_style(aid: str, sign_in: SignIn) -> None:
    import re

    client, _ = sign_in("editor")
    for url in ("/login", "/logout", "/review", f"/review/articles/{aid}"):
        r = client.get(url)
        assert r.status_code == 200, url
        assert "unsafe-inline" not in r.headers["content-security-policy"]
        doc = lxml.html.fromstring(r.text)
        assert all(s.get("src", "").startswith("/static/") and not (s.text or "").strip()
                   for s in doc.xpath("//script")), url
        assert not doc.xpath("//*[@style]") and not doc.xpath("//style"), url
        assert not re.search(r"\son[a-z]+\s*=", r.text), url
