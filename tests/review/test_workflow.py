"""The review workflow: the one transition table, and the rules the board relies on."""

from __future__ import annotations

import pytest

from curbside import articles
from curbside.errors import Conflict, Forbidden, InputError
from curbside.review import audit, workflow
from curbside.store import Store
from tests.review.conftest import SignIn, user


def take(store: Store, aid: str, action: str, name: str | None, **kw: object) -> dict:
    return workflow.transition(store, aid, action, user(store, name) if name else None,
                               **kw)  # type: ignore[arg-type]


EDIT = [{"op": "replace", "loc": "sections.0.1", "text": "Gabapentin can slow breathing."}]
ROLE_FOR = {"claim": "reviewer", "assign": "editor", "request_changes": "reviewer",
            "approve": "reviewer", "revise": "editor", "retract": "editor"}


def test_the_whole_cycle_appends_one_audit_row_per_step(store: Store, aid: str) -> None:
    take(store, aid, "claim", "reviewer")
    take(store, aid, "request_changes", "reviewer", note="Statement 2 overstates it.")
    take(store, aid, "revise", "editor", edits=EDIT, note="softened")
    info = take(store, aid, "approve", "reviewer")
    assert info["status"] == "approved" and info["revision"] == 2
    assert info["reviewed_by"] == "Dr. A. Smith, PharmD" and info["approved_revision"] == 2
    info = take(store, aid, "retract", "editor", note="Withdrawn pending a new label.")
    assert info["status"] == "retracted"
    assert info["retraction_notice"] == "Withdrawn pending a new label."
    rows = audit.rows(store, article_id=aid)
    assert [(r["action"], r["from_state"], r["to_state"], r["actor"]) for r in rows] == [
        ("claim", "submitted", "under_review", "reviewer"),
        ("request_changes", "under_review", "changes_requested", "reviewer"),
        ("revise", "changes_requested", "under_review", "editor"),
        ("approve", "under_review", "approved", "reviewer"),
        ("retract", "approved", "retracted", "editor")]
    assert rows[1]["note"] == "Statement 2 overstates it." and rows[2]["revision"] == 2
    assert all(r["at"] for r in rows)


def test_a_reviewer_cannot_approve_without_claiming(store: Store, aid: str) -> None:
    take(store, aid, "assign", "editor", assignee="reviewer2")
    with pytest.raises(Conflict, match="only the reviewer who claimed"):
        take(store, aid, "approve", "reviewer")
    with pytest.raises(Conflict, match="already claimed by Dr. B. Jones"):
        take(store, aid, "claim", "reviewer")


def test_approving_an_unclaimed_article_says_to_claim_it(store: Store, aid: str) -> None:
    articles.set_status(store, aid, "under_review")  # e.g. a claim released by an admin
    with pytest.raises(Conflict, match="claim this article before you approve it"):
        take(store, aid, "approve", "reviewer")
    take(store, aid, "claim", "reviewer")
    assert take(store, aid, "approve", "reviewer")["status"] == "approved"


def test_a_reviewer_cannot_edit(store: Store, aid: str, sign_in: SignIn) -> None:
    take(store, aid, "claim", "reviewer")
    take(store, aid, "request_changes", "reviewer", note="please fix")
    with pytest.raises(Forbidden, match="only an editor can revise; you are a reviewer"):
        take(store, aid, "revise", "reviewer", edits=EDIT)
    client, token = sign_in("reviewer")
    r = client.post(f"/api/v1/articles/{aid}/revisions", json={"edits": EDIT},
                    headers={"X-CSRF-Token": token})
    assert r.status_code == 403 and "only an editor" in r.json()["detail"]
    page = client.get(f"/review/articles/{aid}").text
    assert "Text of statement" not in page  # no revise form for a reviewer
    assert articles.get_article(store, aid)["revision"] == 1


def test_an_editor_cannot_approve_their_own_revision(store: Store, aid: str,
                                                     sign_in: SignIn) -> None:
    take(store, aid, "claim", "editor")
    take(store, aid, "request_changes", "editor", note="tighten the wording")
    take(store, aid, "revise", "editor", edits=EDIT)
    with pytest.raises(Conflict, match="you wrote revision 2: another reviewer must approve"):
        take(store, aid, "approve", "editor")
    client, token = sign_in("editor")
    r = client.post(f"/api/v1/articles/{aid}/transitions", json={"action": "approve"},
                    headers={"X-CSRF-Token": token})
    assert r.status_code == 409 and "you wrote revision 2" in r.json()["detail"]
    take(store, aid, "assign", "editor2", assignee="editor2")
    assert take(store, aid, "approve", "editor2")["reviewed_by"] == "Ed Second"


@pytest.mark.parametrize("state", workflow.STATES)
@pytest.mark.parametrize("action", sorted(ROLE_FOR))
def test_only_the_table_moves_an_article(store: Store, aid: str, state: str,
                                         action: str) -> None:
    """Every (state, action) outside TRANSITIONS is refused with what is allowed instead."""
    articles.set_status(store, aid, state)
    t = workflow.BY_ACTION[action]
    if state in t.sources:
        return  # allowed by the table; the rules around it are tested above
    with pytest.raises(Conflict, match=f"that is {state.replace('_', ' ')}; allowed now"):
        take(store, aid, action, ROLE_FOR[action], note="n", assignee="reviewer", edits=EDIT)
    assert articles.get_article(store, aid)["status"] == state


def test_unknown_actions_and_missing_notes_are_refused(store: Store, aid: str) -> None:
    with pytest.raises(InputError, match="unknown action 'publish'"):
        take(store, aid, "publish", "editor")
    with pytest.raises(InputError, match="choose one of claim, assign, request_changes"):
        take(store, aid, "no_such", "editor")
    take(store, aid, "claim", "reviewer")
    with pytest.raises(InputError, match="request changes needs a note"):
        take(store, aid, "request_changes", "reviewer", note="   ")


def test_people_cannot_take_the_system_transition(store: Store, aid: str) -> None:
    take(store, aid, "claim", "reviewer")
    with pytest.raises(Forbidden):
        take(store, aid, "sources_updated", "admin")


def test_comments_per_statement(store: Store, aid: str) -> None:
    c = workflow.comment(store, aid, user(store, "reviewer"), "Which section says so?",
                         "sections.0.1")
    assert c["statement"] == "sections.0.1" and c["by"] == "Dr. A. Smith, PharmD"
    with pytest.raises(InputError, match="no statement at 'sections.9.9'"):
        workflow.comment(store, aid, user(store, "reviewer"), "x", "sections.9.9")
    with pytest.raises(Forbidden):
        workflow.comment(store, aid, user(store, "admin"), "x")
    assert [r["action"] for r in audit.rows(store, article_id=aid)] == ["comment"]


def test_a_retracted_article_shows_its_notice_and_leaves_the_library(
        store: Store, aid: str, sign_in: SignIn) -> None:
    take(store, aid, "claim", "reviewer")
    take(store, aid, "approve", "reviewer")
    take(store, aid, "retract", "admin", note="Withdrawn: the label was recalled.")
    client, _ = sign_in("anonymous")
    art = client.get(f"/api/v1/articles/{aid}").json()
    assert art["review"]["status"] == "retracted"
    assert art["review"]["retraction_notice"] == "Withdrawn: the label was recalled."
    html = client.get(art["url"]).text
    assert "Retracted" in html and "Withdrawn: the label was recalled." in html
    assert articles.list_articles(store)["total"] == 0
