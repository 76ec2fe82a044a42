"""Problems readers report on an article ("Report a problem"), for the editors.

A report says what is wrong, optionally which statement (its anchor on the page, e.g.
`s-label-2`) and optionally an email for a reply. It is stored open, with an audit row
(actor `reader`; the email is never written to the audit trail), counted in the review
queue and listed on the article's review page until an editor or admin resolves it (with
a note, and another audit row).

    >>> r = submit(store, "3f1c0e9a2b7d4c51", "The dose in Bottom line 1 looks wrong",
    ...            statement="s-bottom-1")
    >>> count_open(store)
    1
"""

from __future__ import annotations

import re
from typing import Any

from curbside import articles
from curbside.answer.render import statements
from curbside.errors import Conflict, Forbidden, InputError, NotFound
from curbside.review import audit
from curbside.store.sqlite import Store

READER = "reader"
"""The audit actor of a report: readers have no account."""
MAX_BODY = 2000
MAX_EMAIL = 254
RESOLVERS = ("editor", "admin")
_EMAIL = re.compile(r"[^@\s<>\"]{1,64}@[^@\s<>\"]+\.[^@\s<>\"]+")


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def submit(store: Store, article_id: str, body: str, *, statement: str | None = None,
           email: str | None = None) -> dict[str, Any]:
    """Store a reader's report on the article's current revision; the report."""
    art = articles.get_article(store, article_id)
    text = (body or "").strip()
    if not text:
        raise InputError("say what is wrong in the box 'What is wrong?'")
    if len(text) > MAX_BODY:
        raise InputError(f"the report is {len(text)} characters; the limit is {MAX_BODY}")
    where = _clean(statement) or None
    if where and where not in {s["anchor"] for s in statements(art["answer"])}:
        raise InputError(f"this article has no statement {where!r}; choose one from the list "
                         f"or leave it empty")
    mail = _clean(email) or None
    if mail and (len(mail) > MAX_EMAIL or not _EMAIL.fullmatch(mail)):
        raise InputError("the email address does not look like one (name@example.org); "
                         "leave it empty for no reply")
    now = audit.now()
    with store.transaction() as db:
        cur = db.execute("INSERT INTO reports(article_id, revision, statement, body, email, "
                         "created_at) VALUES (?,?,?,?,?,?)",
                         (art["id"], art["revision"], where, text, mail, now))
        rid = int(cur.lastrowid or 0)
        audit.record(db, "report", actor=READER, article_id=art["id"],
                     revision=int(art["revision"]),
                     note=f"report {rid}" + (f" on {where}" if where else "") + f": {text}",
                     at=now)
    return get(store, rid)


def get(store: Store, report_id: int) -> dict[str, Any]:
    row = store.db.execute("SELECT * FROM reports WHERE id = ?", (report_id,)).fetchone()
    if row is None:
        raise NotFound(f"no report {report_id}")
    return dict(row)


def for_article(store: Store, article_id: str, *, status: str | None = None
                ) -> list[dict[str, Any]]:
    """The article's reports, open first, then newest first."""
    sql = ("SELECT p.*, u.display_name AS resolved_by_name FROM reports p LEFT JOIN users u "
           "ON u.id = p.resolved_by WHERE p.article_id = ?")
    args: list[Any] = [article_id]
    if status:
        sql += " AND p.status = ?"
        args.append(status)
    sql += " ORDER BY p.status = 'open' DESC, p.id DESC"
    return [dict(r) for r in store.db.execute(sql, args)]


def count_open(store: Store) -> int:
    return int(store.db.execute("SELECT count(*) FROM reports WHERE status = 'open'")
               .fetchone()[0])


def resolve(store: Store, report_id: int, user: dict[str, Any], note: str | None = None
            ) -> dict[str, Any]:
    """Close a report (editors and admins), saying what was done; the report."""
    if user.get("role") not in RESOLVERS:
        raise Forbidden("only an editor or an admin can resolve a reader's report")
    report = get(store, report_id)
    if report["status"] != "open":
        raise Conflict(f"report {report_id} is already resolved")
    text = (note or "").strip()
    if len(text) > MAX_BODY:
        raise InputError(f"the note is {len(text)} characters; the limit is {MAX_BODY}")
    now = audit.now()
    with store.transaction() as db:
        db.execute("UPDATE reports SET status = 'resolved', resolved_at = ?, resolved_by = ?, "
                   "resolution = ? WHERE id = ? AND status = 'open'",
                   (now, user["id"], text or None, report_id))
        audit.record(db, "report_resolved", user=user, article_id=report["article_id"],
                     revision=report["revision"],
                     note=f"report {report_id}" + (f": {text}" if text else ""), at=now)
    return get(store, report_id)
