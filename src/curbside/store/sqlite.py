"""The embedded evidence store: one SQLite file (WAL mode), the source of truth, and the
tantivy index of its passages beside it (store/index.py), kept in step through an outbox.

Writers take the lock with BEGIN IMMEDIATE; readers keep reading (WAL). After each commit
that changed passages, the index applies the outbox (unless the caller defers it, as bulk
ingest does, to apply once per file).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from curbside.errors import NotFound, StoreError
from curbside.model import Source
from curbside.store import journal
from curbside.store.schema import MIGRATIONS, SCHEMA_VERSION

if TYPE_CHECKING:
    from curbside.store.index import EvidenceIndex


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def _version_key(version: str | None, effective: str | None) -> tuple[int, float, str]:
    """Order versions of one document: numeric version first, then effective date."""
    try:
        num = float(version) if version is not None else -1.0
    except ValueError:
        num = -1.0
    return (1 if num >= 0 else 0, num, effective or "")


@dataclass
class PutResult:
    """What storing one source did: 'added', 'unchanged', 'updated' (same id, new content)."""

    source_id: str
    action: str
    superseded: list[str]


class Store:
    """A Curbside store in one SQLite file."""

    def __init__(self, path: Path, busy_timeout_ms: int = 10000):
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(str(self.path), isolation_level=None,
                                      check_same_thread=False)
        except (OSError, sqlite3.Error) as e:
            raise StoreError(f"cannot open the store at {self.path}: {e}") from e
        self.db.row_factory = sqlite3.Row
        self._index: EvidenceIndex | None = None
        self.defer_index = False       # True: commits leave the outbox for catch_up_index()
        self._outbox_at_begin = 0
        self._prune_to = 0             # outbox rows the index has applied (safe to delete)
        self.journal: tuple[str, str] | None = None   # (run, file): ingest journals changes
        try:
            self.db.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = NORMAL")
            self.db.execute("PRAGMA foreign_keys = ON")
            self._migrate()
        except sqlite3.DatabaseError as e:
            self.db.close()
            raise StoreError(f"{self.path} is not a usable Curbside store: {e}") from e

    # -- schema -------------------------------------------------------------------------
    def _migrate(self) -> None:
        have = self.db.execute("PRAGMA user_version").fetchone()[0]
        if have > SCHEMA_VERSION:
            raise StoreError(f"{self.path} was made by a newer Curbside (schema {have}, this "
                             f"version knows {SCHEMA_VERSION}); upgrade Curbside")
        for n in range(have, SCHEMA_VERSION):
            with self.transaction():
                for stmt in _split_sql(MIGRATIONS[n]):
                    self.db.execute(stmt)
                self.db.execute(f"PRAGMA user_version = {n + 1}")

    @property
    def schema_version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; rolled back on any exception."""
        if self.db.in_transaction:
            yield self.db  # nested use joins the outer transaction
            return
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as e:
            raise StoreError(f"the store at {self.path} is busy: {e}") from e
        try:
            self._prune_outbox()
            self._outbox_at_begin = self._outbox_top()
            yield self.db
            changed = self._outbox_top() != self._outbox_at_begin
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        else:
            self.db.execute("COMMIT")
        if changed and not self.defer_index:
            self.catch_up_index()

    # -- the search index -----------------------------------------------------------------
    @property
    def index(self) -> EvidenceIndex:
        """The tantivy index, opened on first use and brought up to date (replay on open)."""
        if self._index is None:
            from curbside.store.index import open_index

            self._index = open_index(self.path)
            self.catch_up_index()
        return self._index

    def catch_up_index(self) -> int:
        """Apply the outbox to the index now (see store/index.py); -1 if another process
        holds the index writer, 0 inside a transaction (applied after its commit)."""
        idx = self.index
        if self.db.in_transaction:
            return 0
        n = idx.catch_up(self.db, self.store_id)
        if n >= 0:
            self._prune_to = idx.meta()[0] or 0
        return n

    def rebuild_index(self) -> int:
        """Rebuild the index from SQLite; returns the passages indexed."""
        from curbside.store.index import open_index

        self._index = open_index(self.path)
        n = self._index.rebuild(self.db, self.store_id)
        self._prune_to = self._index.meta()[0] or 0
        return n

    def check_index(self) -> dict[str, Any]:
        """Compare the index with the tables (ids, counts, pending outbox rows)."""
        from curbside.store.index import open_index

        return open_index(self.path).check(self.db, self.store_id).as_dict()

    @property
    def store_id(self) -> str:
        return self.get_meta("store_id") or ""

    def _outbox_top(self) -> int:
        try:
            row = self.db.execute("SELECT seq FROM sqlite_sequence WHERE name = "
                                  "'index_outbox'").fetchone()
        except sqlite3.OperationalError:
            return 0      # a store still being migrated: no outbox yet
        return int(row[0]) if row else 0

    def _prune_outbox(self) -> None:
        """Delete outbox rows the index has applied (inside a write transaction we hold)."""
        if self._prune_to <= 0 or self.schema_version < 7:
            return
        self.db.execute("DELETE FROM index_outbox WHERE seq <= ?", (self._prune_to,))
        self.db.execute("INSERT INTO meta(key, value) VALUES ('index_outbox_pruned', ?) ON "
                        "CONFLICT(key) DO UPDATE SET value = max(CAST(value AS INTEGER), "
                        "CAST(excluded.value AS INTEGER))", (str(self._prune_to),))
        self._prune_to = 0

    def close(self) -> None:
        self.db.close()

    # -- meta ---------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction():
            self.db.execute("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) "
                            "DO UPDATE SET value = excluded.value", (key, value))

    # -- sources ------------------------------------------------------------------------
    def put_source(self, src: Source, origin: str) -> PutResult:
        """Store one source version (inside the caller's transaction); idempotent."""
        sid = src.source_id
        digest = src.content_hash()
        row = self.db.execute("SELECT content_hash FROM sources WHERE id = ?", (sid,)).fetchone()
        if row and (row[0] == digest or not str(row[0]).startswith("h2:")
                    and row[0] == src.legacy_content_hash()):
            return PutResult(sid, "unchanged", [])   # (a store from before "h2:" hashes)
        action = "updated" if row else "added"
        if row:
            if self.journal:
                journal.record(self.db, *self.journal, sid, "replaced",
                               journal.snapshot(self.db, sid))
            self.db.execute("DELETE FROM sources WHERE id = ?", (sid,))
        elif self.journal:
            journal.record(self.db, *self.journal, sid, "added")
        status, superseded_by = src.status, src.superseded_by
        newer = self._newer_version_of(src)
        if newer:
            status, superseded_by = "superseded", newer
        self.db.execute(
            "INSERT INTO sources(id, key, tier, title, version, issuer, year, published, "
            "effective, url, identifiers, status, superseded_by, supersedes, classes, meta, "
            "content_hash, origin, retrieved_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (sid, src.key, src.tier, src.title, src.version, src.issuer, src.year, src.published,
             src.effective, src.url, json.dumps(src.identifiers), status, superseded_by,
             src.supersedes, json.dumps(src.classes), json.dumps(src.meta, default=str), digest,
             origin, _now()))
        self.db.executemany("INSERT OR IGNORE INTO source_drugs(source_id, drug) VALUES (?, ?)",
                            [(sid, d) for d in src.drugs])
        self.db.executemany(
            "INSERT INTO passages(source_id, position, section, title, number, text, "
            "grade_scheme, grade_strength, grade_evidence, about, concerns, facts) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            [(sid, i, p.section, p.title, p.number, p.text,
              p.grade.scheme if p.grade else None, p.grade.strength if p.grade else None,
              p.grade.evidence if p.grade else None, _json(p.about), _json(p.concerns),
              _json(p.facts))
             for i, p in enumerate(src.passages)])
        passage_ids = self._passage_ids(sid)
        tagged = [(tag, pid) for pid, p in zip(passage_ids, src.passages, strict=True)
                  for tag in {a.lower() for a in p.about}]
        self.db.executemany("INSERT OR IGNORE INTO passage_tags(tag, passage_id) VALUES (?, ?)",
                            tagged)
        superseded = [] if newer else self._supersede_older(src)
        if src.supersedes:
            superseded += self._supersede_document(src.supersedes, sid)
        return PutResult(sid, action, superseded)

    def _passage_ids(self, sid: str) -> list[int]:
        return [r[0] for r in self.db.execute(
            "SELECT id FROM passages WHERE source_id = ? ORDER BY position", (sid,))]

    def _newer_version_of(self, src: Source) -> str | None:
        mine = _version_key(src.version, src.effective)
        for row in self.db.execute("SELECT id, version, effective FROM sources WHERE key = ? "
                                   "AND id != ?", (src.key, src.source_id)):
            if _version_key(row["version"], row["effective"]) > mine:
                return str(row["id"])
        return None

    def _supersede_older(self, src: Source) -> list[str]:
        sid, mine = src.source_id, _version_key(src.version, src.effective)
        older = [row["id"] for row in self.db.execute(
            "SELECT id, version, effective FROM sources WHERE key = ? AND id != ?",
            (src.key, sid)) if _version_key(row["version"], row["effective"]) < mine]
        for oid in older:
            self._set_superseded(oid, sid)
        return older

    def _set_superseded(self, oid: str, by: str) -> None:
        if self.journal:
            old = self.db.execute("SELECT status, superseded_by FROM sources WHERE id = ?",
                                  (oid,)).fetchone()
            journal.record(self.db, *self.journal, oid, "status", dict(old))
        self.db.execute("UPDATE sources SET status = 'superseded', superseded_by = ? "
                        "WHERE id = ?", (by, oid))

    def _supersede_document(self, doc: str, by: str) -> list[str]:
        """Mark every version of another document (e.g. an older guideline) superseded."""
        key = doc if ":" in doc else f"guideline:{doc}"
        ids = [r[0] for r in self.db.execute("SELECT id FROM sources WHERE key = ? OR id = ?",
                                             (key, doc))]
        for oid in ids:
            self._set_superseded(oid, by)
        return ids

    def delete_key(self, key: str) -> int:
        """Remove every version of a document (PubMed DeleteCitation); returns how many."""
        if self.journal:
            for (sid,) in self.db.execute("SELECT id FROM sources WHERE key = ?",
                                          (key,)).fetchall():
                journal.record(self.db, *self.journal, sid, "deleted",
                               journal.snapshot(self.db, sid))
        cur = self.db.execute("DELETE FROM sources WHERE key = ?", (key,))
        return cur.rowcount

    def get_source(self, source_id: str) -> dict[str, Any]:
        row = self.db.execute("SELECT * FROM sources WHERE id = ?", (source_id,)).fetchone()
        if row is None:
            row = self.db.execute("SELECT * FROM sources WHERE key = ? ORDER BY status = "
                                  "'current' DESC LIMIT 1", (source_id,)).fetchone()
        if row is None:
            raise NotFound(f"no source with id {source_id!r}")
        out = source_row(row)
        out["drugs"] = [r[0] for r in self.db.execute(
            "SELECT drug FROM source_drugs WHERE source_id = ? ORDER BY drug", (out["id"],))]
        out["passages"] = [passage_row(r) for r in self.db.execute(
            "SELECT * FROM passages WHERE source_id = ? ORDER BY position", (out["id"],))]
        out["versions"] = [dict(r) for r in self.db.execute(
            "SELECT id, version, effective, status FROM sources WHERE key = ? ORDER BY id",
            (out["key"],))]
        return out

    def list_sources(self, tier: str | None = None, status: str | None = None,
                     limit: int = 1000) -> list[dict[str, Any]]:
        sql = ("SELECT s.*, (SELECT count(*) FROM passages p WHERE p.source_id = s.id) AS n "
               "FROM sources s WHERE 1=1")
        args: list[Any] = []
        if tier:
            sql += " AND tier = ?"
            args.append(tier)
        if status:
            sql += " AND status = ?"
            args.append(status)
        sql += " ORDER BY tier, title LIMIT ?"
        args.append(limit)
        return [source_row(r) | {"passages": r["n"]} for r in self.db.execute(sql, args)]

    def passages_by_ids(self, ids: list[int]) -> dict[int, dict[str, Any]]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        return {r["id"]: passage_row(r) for r in self.db.execute(
            f"SELECT * FROM passages WHERE id IN ({marks})", ids)}

    def stats(self) -> dict[str, Any]:
        q = self.db.execute
        by_tier = {r[0]: {"sources": r[1], "current": r[2]} for r in q(
            "SELECT tier, count(*), sum(status = 'current') FROM sources GROUP BY tier")}
        return {
            "path": str(self.path),
            "schema_version": self.schema_version,
            "pack_version": self.get_meta("pack_version"),
            "sources": q("SELECT count(*) FROM sources").fetchone()[0],
            "passages": q("SELECT count(*) FROM passages").fetchone()[0],
            "drugs": q("SELECT count(*) FROM drugs").fetchone()[0],
            "interaction_rules": q("SELECT count(*) FROM interactions").fetchone()[0],
            "by_tier": by_tier,
            "size_bytes": self.path.stat().st_size if self.path.exists() else 0,
        }


def state_stamp(db: sqlite3.Connection) -> tuple[int, int]:
    """What moves whenever the store's evidence changes: the last sources rowid (every new or
    replaced source) and the index outbox's sequence (every passage inserted, changed or
    deleted, every status change). Two index seeks, for caches of derived data."""
    row = db.execute("SELECT coalesce((SELECT max(rowid) FROM sources), 0), coalesce((SELECT "
                     "seq FROM sqlite_sequence WHERE name = 'index_outbox'), 0)").fetchone()
    return int(row[0]), int(row[1])


def _json(value: Any) -> str:
    """JSON text of a passage field; most are empty, so skip the encoder for those."""
    if not value:
        return "{}" if isinstance(value, dict) else "[]"
    return json.dumps(value, default=str)


def source_row(row: sqlite3.Row) -> dict[str, Any]:
    d = dict(row)
    for k in ("identifiers", "classes", "meta"):
        if k in d:
            d[k] = json.loads(d[k])
    return d


def passage_row(row: sqlite3.Row) -> dict[str, Any]:
    d = dict(row)
    for k in ("about", "concerns", "facts"):
        if k in d:
            d[k] = json.loads(d[k])
    return d


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements (trigger bodies stay whole)."""
    out, buf = [], ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    return [s for s in out if s]
