"""The review queue: what waits for whom, with counts for the dashboard."""

from __future__ import annotations

from typing import Any

from curbside.store.sqlite import Store

LIMIT = 50
_SELECT = ("SELECT a.id, a.slug, a.question, a.audience, a.status, a.revision, a.updated_at, "
           "r.approved_at, r.claimed_at, coalesce(r.sources_updated, 0) AS sources_updated, "
           "u.display_name AS assignee FROM articles a "
           "LEFT JOIN article_review r ON r.article_id = a.id "
           "LEFT JOIN users u ON u.id = r.assignee_id ")
LISTS: dict[str, tuple[str, str, str]] = {
    # key: (heading, WHERE, ORDER BY); '?' is the signed-in user's id where used
    "unassigned": ("Unassigned",
                   "a.status = 'submitted' OR (a.status = 'under_review' AND "
                   "r.assignee_id IS NULL)", "a.updated_at, a.seq"),
    "mine": ("Mine", "a.status IN ('under_review', 'changes_requested') AND "
             "r.assignee_id = ?", "a.updated_at DESC"),
    "changes_requested": ("Changes requested", "a.status = 'changes_requested'",
                          "a.updated_at"),
    "recently_approved": ("Recently approved", "a.status = 'approved'",
                          "r.approved_at DESC"),
    # Readers' reports (review.reports), for editors: articles with a report still open.
    "reported": ("Reported by readers",
                 "EXISTS (SELECT 1 FROM reports p WHERE p.article_id = a.id AND "
                 "p.status = 'open')", "a.updated_at DESC"),
}


def queue(store: Store, user: dict[str, Any]) -> dict[str, Any]:
    """Each list (at most `LIMIT` items) and its full count."""
    out: dict[str, Any] = {"lists": [], "counts": {}}
    for key, (heading, where, order) in LISTS.items():
        args = [user["id"]] if "?" in where else []
        base = (f"FROM articles a LEFT JOIN article_review r ON r.article_id = a.id "
                f"WHERE {where}")
        total = store.db.execute(f"SELECT count(*) {base}", args).fetchone()[0]
        rows = store.db.execute(f"{_SELECT} WHERE {where} ORDER BY {order} LIMIT ?",
                                [*args, LIMIT]).fetchall()
        items = [dict(r) | {"url": f"/review/articles/{r['id']}"} for r in rows]
        out["lists"].append({"key": key, "heading": heading, "count": total, "items": items})
        out["counts"][key] = total
    out["counts"]["sources_updated"] = store.db.execute(
        "SELECT count(*) FROM article_review WHERE sources_updated = 1").fetchone()[0]
    out["counts"]["open_reports"] = store.db.execute(
        "SELECT count(*) FROM reports WHERE status = 'open'").fetchone()[0]
    return out
