"""The audit trail: one append-only row per sign-in, transition, edit and comment, chained.

Nothing in Curbside updates or deletes an audit row, and the store refuses it anyway:
triggers (migration 3) RAISE on UPDATE, DELETE and INSERT OR REPLACE. Each row also
carries `hash` = SHA-256 of the previous row's hash and the row's own fields (id, time,
actor, action, payload), so a row forged, altered, deleted or moved in the file by someone
who went around the triggers breaks the chain from that row on: `verify` names it
(`curbside audit verify`, exit 1). What the chain cannot show: someone with write access to
the file can recompute the whole chain, or cut rows off its end. Anchor it: keep the head
hash that `curbside audit verify` prints in backups or logs, and check it later with
`curbside audit verify --anchor HASH` (the row holding that hash must still be there, with
the same chain before it). Rows written before migration 9 stay unchained (the triggers
forbid adding their hash); `verify` counts them as `legacy`, a prefix only.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from curbside.errors import StoreError
from curbside.store.sqlite import Store

SYSTEM = "system"
"""The actor name of changes no person made (living evidence)."""
GENESIS = "0" * 64
"""The `prev_hash` of the first row."""
TRIGGERS = ("audit_log_no_update", "audit_log_no_delete", "audit_log_no_replace")
_COLUMNS = ("id", "at", "user_id", "actor", "action", "article_id", "revision", "from_state",
            "to_state", "note")


def now() -> str:
    """The current time as stored everywhere in review tables (UTC, seconds)."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def row_hash(prev: str, row: dict[str, Any] | sqlite3.Row) -> str:
    """The chained hash of one row: SHA-256 over the previous hash and the row's fields."""
    body = json.dumps([prev, *[row[c] for c in _COLUMNS]], ensure_ascii=False,
                      separators=(",", ":"))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def record(db: sqlite3.Connection | Store, action: str, *, user: dict[str, Any] | None = None,
           actor: str | None = None, article_id: str | None = None,
           revision: int | None = None, from_state: str | None = None,
           to_state: str | None = None, note: str | None = None,
           at: str | None = None) -> None:
    """Append one chained row (inside the caller's transaction when there is one)."""
    conn = db.db if isinstance(db, Store) else db
    who = actor or (user["username"] if user else SYSTEM)
    try:
        if not conn.in_transaction:
            conn.execute("BEGIN IMMEDIATE")
            try:
                _append(conn, at, user, who, action, article_id, revision, from_state,
                        to_state, note)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        else:
            _append(conn, at, user, who, action, article_id, revision, from_state, to_state,
                    note)
    except sqlite3.Error as e:
        raise StoreError(f"the audit trail cannot be written ({e}); run `curbside audit "
                         "verify`") from None


def _append(conn: sqlite3.Connection, at: str | None, user: dict[str, Any] | None, who: str,
            action: str, article_id: str | None, revision: int | None,
            from_state: str | None, to_state: str | None, note: str | None) -> None:
    # The previous *chained* row: a row forged in without a hash stays out of the chain, so
    # `verify` names it (it is never sealed in after the fact).
    last = conn.execute("SELECT hash FROM audit_log WHERE hash IS NOT NULL ORDER BY id DESC "
                        "LIMIT 1").fetchone()
    prev = last[0] if last else GENESIS
    top = conn.execute("SELECT coalesce(max(id), 0) FROM audit_log").fetchone()[0]
    row = {"id": top + 1, "at": at or now(),
           "user_id": user["id"] if user else None, "actor": who, "action": action,
           "article_id": article_id, "revision": revision, "from_state": from_state,
           "to_state": to_state, "note": note}
    conn.execute(
        "INSERT INTO audit_log(id, at, user_id, actor, action, article_id, revision, "
        "from_state, to_state, note, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        (*[row[c] for c in _COLUMNS], prev, row_hash(prev, row)))


@dataclass
class Verdict:
    """What `verify` found: `problems` empty when the chain and triggers are intact."""

    rows: int = 0
    legacy: int = 0  # rows from before migration 9, never chained
    head: str = GENESIS
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def missing_triggers(store: Store) -> list[str]:
    """The protective triggers (and the table) the store lacks; [] when all are there."""
    have = {r[0] for r in store.db.execute(
        "SELECT name FROM sqlite_master WHERE type IN ('trigger', 'table')")}
    wanted = ["audit_log", *TRIGGERS]
    return [name for name in wanted if name not in have]


def require_intact(store: Store) -> None:
    """StoreError unless the audit table and its triggers are there (checked on open)."""
    missing = missing_triggers(store)
    if missing:
        raise StoreError(f"the audit trail of {store.path} is not protected ({', '.join(missing)} "
                         "missing): run `curbside audit verify`; review is refused until it "
                         "is restored")


def verify(store: Store, *, anchor: str | None = None) -> Verdict:
    """Check the chain row by row and the triggers; the first bad row is named."""
    verdict = Verdict()
    missing = missing_triggers(store)
    if "audit_log" in missing:
        verdict.problems.append("the audit_log table is missing")
        return verdict
    verdict.problems += [f"protective trigger {t} is missing" for t in missing]
    prev, expected_id, anchored = GENESIS, None, anchor is None
    for r in store.db.execute("SELECT * FROM audit_log ORDER BY id"):
        verdict.rows += 1
        where = f"row {r['id']} ({r['at']}, {r['action']} by {r['actor']})"
        if expected_id is not None and r["id"] != expected_id:
            verdict.problems.append(f"rows {expected_id}..{r['id'] - 1} are missing before "
                                    f"{where}")
            break
        if r["hash"] is None:
            if expected_id is None or verdict.legacy == verdict.rows - 1:
                verdict.legacy += 1  # written before the chain began (migration 9)
                expected_id = r["id"] + 1
                continue
            verdict.problems.append(f"{where} is not chained (no hash: inserted around the "
                                    "application)")
            break
        if r["prev_hash"] != prev:
            verdict.problems.append(f"{where} does not follow the row before it (deleted, "
                                    "inserted or reordered rows)")
            break
        if row_hash(prev, r) != r["hash"]:
            verdict.problems.append(f"{where} was altered or forged (its hash does not match "
                                    "its content)")
            break
        prev, expected_id = r["hash"], r["id"] + 1
        anchored = anchored or r["hash"] == anchor
    verdict.head = prev
    if not anchored and not verdict.problems:
        verdict.problems.append(f"the anchored hash {anchor} is not in the chain (rows cut off "
                                "its end, or the chain was rewritten)")
    return verdict


def restore_triggers(store: Store) -> list[str]:
    """Re-create the protective triggers that are missing; returns their names."""
    from curbside.store.schema import AUDIT_TRIGGERS

    missing = [t for t in missing_triggers(store) if t != "audit_log"]
    if "audit_log" in missing_triggers(store):
        raise StoreError("the audit_log table itself is missing: restore the store from a "
                         "backup")
    with store.transaction() as db:
        for name in missing:
            db.execute(AUDIT_TRIGGERS[name])
        if missing:
            _append(db, None, None, "cli", "audit_triggers_restored", None, None, None, None,
                    ", ".join(missing))
    return missing


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
