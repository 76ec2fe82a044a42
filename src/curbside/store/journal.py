"""The ingest journal: what each batch of an ingest run changed, so a failed file's batches
can be taken back.

Ingest commits in short batches (so the site's own writes — articles, sign-ins, review
actions — wait at most one batch for the write lock, never a whole file). Every change a
batch makes to the evidence tables is journalled in the same transaction under the run's
id and the file's path: a source added, a source replaced or deleted (with a snapshot of
its rows), a status change (with the old status). When a file fails, `undo` reverts its
journal in reverse order, in one transaction, so a bad file still leaves nothing behind.
When it succeeds, its journal rows are dropped. A run whose process died (kill -9) leaves
its journal behind; the next ingest (`undo_orphans`) reverts those files first, so a file
is never left half-applied once another ingest has started.
"""

from __future__ import annotations

import json
import os
import sqlite3
from typing import Any

_TABLES = (("sources", "id"), ("source_drugs", "source_id"), ("passages", "source_id"))


def record(db: sqlite3.Connection, run: str, file: str, source_id: str, action: str,
           before: Any = None) -> None:
    db.execute("INSERT INTO ingest_journal(run, file, source_id, action, before) "
               "VALUES (?, ?, ?, ?, ?)", (run, file, source_id, action,
                                          None if before is None else json.dumps(before)))


def snapshot(db: sqlite3.Connection, source_id: str) -> dict[str, Any]:
    """Every row of one source version (to put it back as it was); rows are sqlite3.Row."""
    out: dict[str, Any] = {}
    for table, col in _TABLES:
        out[table] = [dict(r) for r in db.execute(f"SELECT * FROM {table} WHERE {col} = ?",
                                                  (source_id,))]
    out["passage_tags"] = [dict(r) for r in db.execute(
        "SELECT t.* FROM passage_tags t JOIN passages p ON p.id = t.passage_id "
        "WHERE p.source_id = ?", (source_id,))]
    return out


def _restore(db: sqlite3.Connection, snap: dict[str, Any]) -> None:
    for table in ("sources", "source_drugs", "passages", "passage_tags"):
        for row in snap.get(table, []):
            cols = list(row)
            db.execute(f"INSERT OR REPLACE INTO {table}({', '.join(cols)}) VALUES "
                       f"({', '.join('?' * len(cols))})", [row[c] for c in cols])


def undo(db: sqlite3.Connection, run: str, file: str) -> int:
    """Revert one file's journal, newest first (inside the caller's transaction)."""
    rows = db.execute("SELECT source_id, action, before FROM ingest_journal WHERE run = ? AND "
                      "file = ? ORDER BY seq DESC", (run, file)).fetchall()
    for source_id, action, before in rows:
        if action in ("added", "replaced"):
            db.execute("DELETE FROM sources WHERE id = ?", (source_id,))
        if action in ("replaced", "deleted"):
            _restore(db, json.loads(before))
        if action == "status":
            old = json.loads(before)
            db.execute("UPDATE sources SET status = ?, superseded_by = ? WHERE id = ?",
                       (old["status"], old["superseded_by"], source_id))
    forget(db, run, file)
    return len(rows)


def forget(db: sqlite3.Connection, run: str, file: str | None = None) -> None:
    """Drop a run's journal (a file that completed, or the whole run)."""
    if file is None:
        db.execute("DELETE FROM ingest_journal WHERE run = ?", (run,))
        db.execute("DELETE FROM ingest_runs WHERE id = ?", (run,))
    else:
        db.execute("DELETE FROM ingest_journal WHERE run = ? AND file = ?", (run, file))


def start_run(db: sqlite3.Connection, run: str, started_at: str) -> None:
    db.execute("INSERT INTO ingest_runs(id, pid, started_at) VALUES (?, ?, ?)",
               (run, os.getpid(), started_at))


def undo_orphans(db: sqlite3.Connection) -> list[str]:
    """Revert the files of runs whose process is gone; returns those runs' ids."""
    orphans = [run for run, pid in db.execute("SELECT id, pid FROM ingest_runs").fetchall()
               if not _alive(int(pid))]
    for run in orphans:
        for (file,) in db.execute("SELECT DISTINCT file FROM ingest_journal WHERE run = ?",
                                  (run,)).fetchall():
            undo(db, run, file)
        forget(db, run)
    return orphans


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True     # someone else's live process
    return True
