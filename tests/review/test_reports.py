"""Readers' problem reports: the form on the article, the review queue, the audit trail."""

from __future__ import annotations

import re

import lxml.html
import pytest
from fastapi.testclient import TestClient

from curbside import articles
from curbside.config import Settings
from curbside.errors import Forbidden, InputError
from curbside.review import audit, reports
from curbside.review.queue import queue
from curbside.store import Store
from curbside.web import create_app
from tests.review.conftest import SignIn, user


def _form(client: TestClient, store: Store, aid: str) -> tuple[str, str, list[str]]:
    """Open the article as a reader; (its URL, the report form's token, statement choices)."""
    url = articles.get_article(store, aid)["url"]
    doc = lxml.html.fromstring(client.get(url).text)
    form = doc.xpath("//form[contains(@action,'/report')]")[0]
    token = form.xpath("string(.//input[@name='csrf_token']/@value)")
    choices = form.xpath(".//select[@name='statement']/option/@value")
    return url, token, choices


def test_a_reader_report_reaches_the_editors_queue_and_the_audit(
        store: Store, aid: str, sign_in: SignIn) -> None:
    reader, _ = sign_in("anonymous")
    url, token, choices = _form(reader, store, aid)
    assert choices[0] == "" and len(choices) > 1
    r = reader.post(f"/articles/{aid}/report", follow_redirects=False,
                    data={"what": "Statement says 'slow breathing' but the label says more.",
                          "statement": choices[1], "email": "reader@example.org",
                          "csrf_token": token})
    assert r.status_code == 303 and r.headers["location"].startswith(url + "?reported=1")
    thanks = lxml.html.fromstring(reader.get(r.headers["location"]).text)
    assert "Your report is with the editors" in thanks.xpath("string(//p[@role='status'])")
    editor, _ = sign_in("editor")
    counts = queue(store, user(store, "editor"))["counts"]
    assert counts["open_reports"] == 1 and counts["reported"] == 1
    doc = lxml.html.fromstring(editor.get("/review").text)
    assert doc.xpath("string(//*[@data-count='open_reports'])") == "1"
    assert doc.xpath("string(//section[@id='reported']//a/@href)") == f"/review/articles/{aid}"
    page = lxml.html.fromstring(editor.get(f"/review/articles/{aid}").text)
    listed = page.xpath("string(//section[@class='reports'])")
    assert "label says more" in listed and "reader@example.org" in listed
    row = [r for r in audit.rows(store, article_id=aid) if r["action"] == "report"]
    assert len(row) == 1 and row[0]["actor"] == "reader"
    assert "label says more" in row[0]["note"] and "example.org" not in row[0]["note"]


def test_an_editor_resolves_a_report_and_a_reviewer_cannot(store: Store, aid: str,
                                                           sign_in: SignIn) -> None:
    rep = reports.submit(store, aid, "Out of date")
    with pytest.raises(Forbidden):
        reports.resolve(store, rep["id"], user(store, "reviewer"), "no")
    reviewer, csrf = sign_in("reviewer")
    page = lxml.html.fromstring(reviewer.get(f"/review/articles/{aid}").text)
    assert not page.xpath("//form[contains(@action,'/resolve')]")
    editor, csrf = sign_in("editor")
    r = editor.post(f"/review/articles/{aid}/reports/{rep['id']}/resolve",
                    data={"note": "Checked: the label is current.", "csrf_token": csrf},
                    follow_redirects=False)
    assert r.status_code == 303
    assert reports.count_open(store) == 0
    done = reports.get(store, rep["id"])
    assert done["status"] == "resolved" and done["resolution"] == "Checked: the label is current."
    actions = [r["action"] for r in audit.rows(store, article_id=aid)]
    assert actions[-2:] == ["report", "report_resolved"]
    again = editor.post(f"/review/articles/{aid}/reports/{rep['id']}/resolve",
                        data={"csrf_token": csrf})
    assert again.status_code == 409


def test_reports_need_the_form_token_and_good_input(store: Store, aid: str,
                                                    sign_in: SignIn) -> None:
    reader, _ = sign_in("anonymous")
    _, token, _ = _form(reader, store, aid)
    before = store.db.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    stranger = TestClient(reader.app)  # no cookie: a cross-site post cannot carry one
    assert stranger.post(f"/articles/{aid}/report",
                         data={"what": "x", "csrf_token": token}).status_code == 403
    for data, message in (({"what": " "}, "What is wrong"),
                          ({"what": "x", "statement": "s-bottom-99"}, "no statement"),
                          ({"what": "x", "email": "not an email"}, "email"),
                          ({"what": "x" * 2001}, "limit is 2000")):
        r = reader.post(f"/articles/{aid}/report", data=data | {"csrf_token": token})
        assert r.status_code == 422 and message in r.text, (data, r.text[:200])
    assert reader.post("/articles/0000000000000000/report",
                       data={"what": "x", "csrf_token": token}).status_code == 404
    assert store.db.execute("SELECT count(*) FROM reports").fetchone()[0] == 0
    assert store.db.execute("SELECT count(*) FROM audit_log").fetchone()[0] == before
    with pytest.raises(InputError):
        reports.submit(store, aid, "")


def test_reports_are_rate_limited_per_visitor(db_path: object, store: Store, aid: str) -> None:
    app = create_app(Settings(db=db_path), report_per_minute=0.001, report_burst=2)
    client = TestClient(app)
    url = articles.get_article(store, aid)["url"]
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).text)
    assert token
    codes = [client.post(f"/articles/{aid}/report", follow_redirects=False,
                         data={"what": f"report {i}", "csrf_token": token.group(1)}).status_code
             for i in range(3)]
    assert codes == [303, 303, 429]
    assert reports.count_open(store) == 2
    app.state.pool.close()
