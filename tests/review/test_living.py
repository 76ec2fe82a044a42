"""Living evidence: a newer version of a cited label sends an approved article back to review
with a new generated revision and the "sources updated since approval" mark."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from curbside import articles
from curbside.config import Settings
from curbside.ingest import ingest_file
from curbside.review import accounts, audit, living, workflow
from curbside.store import Store
from curbside.web import create_app
from tests.conftest import run_cli
from tests.review.conftest import LABEL_V1, LABEL_V2, QUESTION, user

V1 = "setid:5e1c0d7a-0000-4000-8000-00000000f001@1"
V2 = "setid:5e1c0d7a-0000-4000-8000-00000000f001@2"


def test_a_new_label_version_sends_the_approved_article_back(tmp_path: Path) -> None:
    db = tmp_path / "living.db"
    assert run_cli("init", "--no-starter-pack", db=db).returncode == 0
    assert run_cli("ingest", "openfda", str(LABEL_V1), "-q", db=db).returncode == 0
    store = Store(db)
    art, _ = articles.ask_article(store, QUESTION)
    assert {r["source_id"] for r in art["answer"]["references"]} == {V1}
    accounts.create_user(store, "smith", role="reviewer", display_name="Dr. A. Smith",
                         credentials="PharmD", password="checks every source 9")
    workflow.transition(store, art["id"], "claim", user(store, "smith"))
    workflow.transition(store, art["id"], "approve", user(store, "smith"))
    store.close()

    res = run_cli("ingest", "openfda", str(LABEL_V2), "--format", "json", db=db)
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert out["superseded"] == 1 and out["articles_redone"] == [art["id"]]

    store = Store(db)
    now = articles.get_article(store, art["id"])
    assert now["status"] == "under_review" and now["revision"] == 2
    assert {r["source_id"] for r in now["answer"]["references"]} == {V2}
    assert articles.get_article(store, art["id"], revision=1)["answer"] == art["answer"]
    info = workflow.review_info(store, now)
    assert info["sources_updated"] is True
    assert info["sources_changed"] == [{"old": V1, "new": V2,
                                        "title": "Neurontin (gabapentin) — label"}]
    assert info["reviewed_by"] == "Dr. A. Smith, PharmD" and info["approved_revision"] == 1
    last = audit.rows(store, article_id=art["id"])[-1]
    assert (last["actor"], last["action"], last["from_state"], last["to_state"]) == \
        ("system", "sources_updated", "approved", "under_review")

    app = create_app(Settings(db=db))
    client = TestClient(app)
    html = client.get(now["url"]).text
    assert "Sources updated since approval" in html and "Under Review" in html
    assert "Reviewed by" not in html  # no longer approved
    api = client.get(f"/api/v1/articles/{art['id']}").json()["review"]
    assert api["status"] == "under_review" and api["sources_updated"] is True

    # The reviewer sees which sources changed and the diff, then re-approves: mark gone.
    token, sess = _session(store, "smith")
    client.cookies.set("curbside_session", token)
    page = client.get(f"/review/articles/{art['id']}").text
    assert V1 in page and V2 in page and "Changes from revision 1 to 2" in page
    assert "<ins>" in page
    r = client.post(f"/review/articles/{art['id']}/transition",
                    data={"action": "approve", "csrf_token": sess}, follow_redirects=False)
    assert r.status_code == 303
    info = workflow.review_info(store, articles.get_article(store, art["id"]))
    assert info["status"] == "approved" and info["sources_updated"] is False
    assert "Sources updated since approval" not in client.get(now["url"]).text
    app.state.pool.close()
    store.close()


def _session(store: Store, name: str) -> tuple[str, str]:
    from curbside.review import sessions

    token, sess = sessions.create(store, user(store, name))
    return token, sess.csrf_token


def test_submitted_articles_get_a_new_revision_and_retracted_ones_are_left(
        store: Store, aid: str) -> None:
    other, _ = articles.ask_article(store, "Gabapentin and opioids: risks for older adults?")
    workflow.transition(store, other["id"], "claim", user(store, "reviewer"))
    workflow.transition(store, other["id"], "approve", user(store, "reviewer"))
    workflow.transition(store, other["id"], "retract", user(store, "editor"), note="Withdrawn.")
    res = ingest_file(store, "openfda", str(LABEL_V2))
    assert res.error is None and res.articles_redone == [aid]
    art = articles.get_article(store, aid)
    assert art["status"] == "submitted" and art["revision"] == 2
    assert not workflow.review_info(store, art)["sources_updated"]  # never approved
    assert articles.get_article(store, other["id"])["revision"] == 1


def test_ingesting_the_same_version_again_changes_nothing(store: Store, aid: str) -> None:
    res = ingest_file(store, "openfda", str(LABEL_V1))
    assert res.unchanged == 1 and res.articles_redone == []
    assert living.affected(store, [V1]) == [aid]
    assert living.affected(store, ["setid:unknown@1"]) == []
