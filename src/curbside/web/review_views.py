"""What the review page shows, gathered for its template; and its edit form read back."""

from __future__ import annotations

import re
from typing import Any

from starlette.datastructures import FormData

from curbside import articles
from curbside.answer import render
from curbside.errors import Conflict, InputError
from curbside.review import audit, reports, revisions, workflow
from curbside.store import Store
from curbside.web import views

ACTION_HINTS = {
    "claim": "Take this article for review; you will be the one to approve it or send it back.",
    "assign": "Choose the reviewer who will hold this article.",
    "request_changes": "Send it to the editors, saying what to change.",
    "approve": "You have checked every statement against its sources.",
    "retract": "Withdraw the approval; the note is shown publicly on the article.",
}

NOTED = ("request_changes", "revise", "approve", "retract", "sources_updated", "assign")


def _revisions(store: Store, aid: str) -> list[dict[str, Any]]:
    return [dict(r) for r in store.db.execute(
        "SELECT r.revision, r.created_at, r.kind, r.note, u.display_name AS author "
        "FROM article_revisions r LEFT JOIN users u ON u.id = r.author_id "
        "WHERE r.article_id = ? ORDER BY r.revision", (aid,))]


def article_context(store: Store, user: dict[str, Any], aid: str, base: int | None,
                    to: int | None) -> dict[str, Any]:
    """Everything the review page of `aid` shows to `user`."""
    art = articles.get_article(store, aid)
    review = workflow.review_info(store, art)
    current = int(art["revision"])
    to = to if to and to <= current else current
    if base is None or base >= to:
        approved = review["approved_revision"]
        base = approved if review["sources_updated"] and approved and approved < to \
            else (to - 1 if to > 1 else None)
    new = art["answer"] if to == current else \
        articles.get_article(store, aid, revision=to)["answer"]
    old = articles.get_article(store, aid, revision=base)["answer"] if base else None
    notes = workflow.comments(store, aid)
    stmts = [s | {"comments": [c for c in notes if c["revision"] == to
                                and c["statement"] == s["loc"]]}
             for s in revisions.statements(new)]
    return {
        "art": art, "review": review, "revisions": _revisions(store, aid),
        "base": base, "to": to, "current": current,
        "diff": revisions.diff(old, new) if old else None,
        "source_changes": revisions.source_changes(old, new) if old else None,
        "statements": stmts,
        "general_comments": [c for c in notes if c["revision"] != to or not c["statement"]],
        "notes": [r for r in audit.rows(store, article_id=aid)
                  if r["note"] and r["action"] in NOTED],
        "refs": {r["n"]: r for r in new.get("references", [])},
        "transitions": workflow.allowed(store, art, user) if to == current else [],
        "hints": ACTION_HINTS,
        "reviewers": [dict(r) for r in store.db.execute(
            "SELECT username, display_name, role FROM users WHERE disabled = 0 AND role IN "
            "('reviewer', 'editor') ORDER BY display_name")],
        "tiers": [s["tier"] for s in new.get("sections", [])],
        "status_labels": views.STATUS_LABELS, "tier_labels": views.TIER_LABELS,
        "nice_date": views.nice_date,
        "reports": reports.for_article(store, aid),
        "can_resolve": user["role"] in reports.RESOLVERS,
        "statement_labels": {s["anchor"]: s["label"] for s in render.statements(new)},
    }


def edits_from_form(form: FormData, art: dict[str, Any]) -> list[dict[str, Any]]:
    """The revise form as edits: changed texts, ticked removals, one added statement."""
    if str(form.get("revision") or "") != str(art["revision"]):
        raise Conflict("the article has a newer revision than the one you edited; reload "
                       "the page and edit again")
    edits: list[dict[str, Any]] = []
    for st in revisions.statements(art["answer"]):
        if form.get(f"remove:{st['loc']}"):
            edits.append({"op": "remove", "loc": st["loc"]})
            continue
        text = form.get(f"text:{st['loc']}")
        if isinstance(text, str) and " ".join(text.split()) != " ".join(st["text"].split()):
            edits.append({"op": "replace", "loc": st["loc"], "text": text})
    add_text = str(form.get("add_text") or "").strip()
    if add_text:
        raw = str(form.get("add_citations") or "")
        if not re.fullmatch(r"[\d,\s]*", raw):
            raise InputError("citations of the added statement: reference numbers, e.g. 1, 3")
        edits.append({"op": "add", "section": str(form.get("add_section") or ""),
                      "text": add_text, "citations": [int(n) for n in re.findall(r"\d+", raw)]})
    return edits
