"""The audit trail: one append-only row per sign-in, transition, edit and comment.

Nothing in Curbside updates or deletes an audit row, and the store refuses it anyway:
triggers in the schema (migration 3) RAISE on any UPDATE or DELETE of `audit_log`.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Any

from curbside.store.sqlite import Store

SYSTEM = "system"
"""The actor name of changes no person made (living evidence)."""


def now() -> str:
    """The current time as stored everywhere in review tables (UTC, seconds)."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def record(db: sqlite3.Connection | Store, action: str, *, user: dict[str, Any] | None = None,
           actor: str | None = None, article_id: str | None = None,
           revision: int | None = None, from_state: str | None = None,
           to_state: str | None = None, note: str | None = None,
           at: str | None = None) -> None:
    """Append one row (inside the caller's transaction when there is one)."""
    conn = db.db if isinstance(db, Store) else db
    who = actor or (user["username"] if user else SYSTEM)
    conn.execute(
        "INSERT INTO audit_log(at, user_id, actor, action, article_id, revision, from_state, "
        "to_state, note) VALUES (?,?,?,?,?,?,?,?,?)",
        (at or now(), user["id"] if user else None, who, action, article_id, revision,
         from_state, to_state, note))


def rows(store: Store, *, article_id: str | None = None, limit: int = 500
         ) -> list[dict[str, Any]]:
    """Audit rows, oldest first (for one article when told which)."""
    sql = "SELECT id, at, actor, action, article_id, revision, from_state, to_state, note " \
          "FROM audit_log"
    args: list[Any] = []
    if article_id is not None:
        sql += " WHERE article_id = ?"
        args.append(article_id)
    sql += " ORDER BY id LIMIT ?"
    args.append(limit)
    return [dict(r) for r in store.db.execute(sql, args)]
