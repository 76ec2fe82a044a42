"""The passage and document index: tantivy, in a folder beside the SQLite file.

SQLite is the record store and the source of truth; the index is derived from it and can
always be rebuilt. Consistency comes from an outbox: triggers (migration 7) write the id of
every passage, and of every research source's whole-abstract document, that a transaction
inserts, changes or deletes into `index_outbox`, in that same transaction. After the
commit, `EvidenceIndex.catch_up` applies the outbox rows above the sequence the index last
applied — for each id: delete by its id term, then add it again as SQLite holds it *now*
(or not at all if it is gone). Applying is idempotent, so replaying rows twice is harmless;
the applied sequence is a field of a meta document committed with the changes, so the
index and its sequence cannot disagree. A process killed at any moment leaves committed
SQLite rows whose outbox rows the next open replays (`Store.index`).

Filters (tier, status, drug, section) are indexed terms, so a filtered query ranks inside
tantivy and never joins SQLite tables before ranking.

Only one process at a time may hold tantivy's writer (a lock file released when the process
dies). A process that finds it held leaves its outbox rows for the holder, which applies
every row above its sequence, whoever wrote them.
"""

from __future__ import annotations

import shutil
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tantivy

from curbside.errors import StoreError

ANALYZER = "curbside_en"      # simple words, lower case, ASCII-folded, English stemmer
WRITER_HEAP = 64_000_000      # per catch-up; tantivy flushes a segment when it fills
REBUILD_HEAP = 256_000_000
CHUNK = 900                   # ids per SQLite IN (...) (below SQLite's variable limit)
_SEP = "\x1f"                 # joins a source's drug names in one SQL value

_lock = threading.Lock()
_open: dict[str, EvidenceIndex] = {}


def index_path(db_path: Path) -> Path:
    """The index folder of a store file: `<store>.index/` beside it."""
    return Path(str(db_path) + ".index")


def _schema(kind: str) -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("kind", tokenizer_name="raw")              # p, d or meta
    sb.add_integer_field("seq", fast=True)                       # meta: last applied seq
    sb.add_text_field("store", stored=True, tokenizer_name="raw")  # meta: the store's id
    sb.add_text_field("status", tokenizer_name="raw")
    # `text` is the title twice, then the body. FTS5's bm25() with column weights (1, 2)
    # adds weighted term counts before saturating them, which a repeated title reproduces;
    # a separate boosted field would saturate the title on its own and let a short title
    # outweigh the body.
    sb.add_text_field("text", tokenizer_name=ANALYZER)
    if kind == "passages":
        sb.add_integer_field("pid", indexed=True, fast=True)     # passages.id
        sb.add_integer_field("owner", fast=True)                 # research: sources.rowid
        for name in ("tier", "section", "drug"):
            sb.add_text_field(name, tokenizer_name="raw")
        sb.add_text_field("title", tokenizer_name=ANALYZER)      # the section filter
    else:
        sb.add_integer_field("doc", indexed=True, fast=True)     # sources.rowid
    return sb.build()


def _analyzer() -> tantivy.TextAnalyzer:
    # FTS5 used porter stemming with diacritics removed; the same here.
    return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.remove_long(40))
            .filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.ascii_fold())
            .filter(tantivy.Filter.stemmer("english"))
            .build())


@dataclass
class IndexCheck:
    """What `curbside index check` reports."""

    passages_store: int
    passages_index: int
    documents_store: int
    documents_index: int
    applied_seq: int
    outbox_seq: int
    missing: list[int] = field(default_factory=list)   # passage ids not in the index
    extra: list[int] = field(default_factory=list)     # in the index, not in the store
    store_id_matches: bool = True

    @property
    def pending(self) -> int:
        return max(0, self.outbox_seq - self.applied_seq)

    @property
    def ok(self) -> bool:
        return (not self.missing and not self.extra and self.store_id_matches
                and self.passages_store == self.passages_index
                and self.documents_store == self.documents_index)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__) | {"pending": self.pending, "ok": self.ok,
                                      "missing": self.missing[:20], "extra": self.extra[:20]}


class Part:
    """One tantivy index: the passages, or the whole research documents. They are kept
    apart because BM25 statistics (document count, average length) are per index: mixed,
    abstracts would be scored against passage statistics."""

    def __init__(self, path: Path, kind: str):
        self.path = path
        self.schema = _schema(kind)
        try:
            path.mkdir(parents=True, exist_ok=True)
            try:
                self.index = tantivy.Index(self.schema, path=str(path), reuse=True)
            except ValueError as e:
                if "schema does not match" not in str(e):
                    raise
                # An index made by another Curbside version: it is derived data, so it is
                # made again (the empty index is then rebuilt from SQLite on first use).
                shutil.rmtree(path)
                path.mkdir(parents=True)
                self.index = tantivy.Index(self.schema, path=str(path), reuse=True)
        except (OSError, ValueError) as e:
            raise StoreError(f"cannot open the search index at {path}: {e}") from e
        self.index.register_tokenizer(ANALYZER, _analyzer())

    def searcher(self) -> tantivy.Searcher:
        return self.index.searcher()

    def term(self, name: str, value: str | int) -> tantivy.Query:
        return tantivy.Query.term_query(self.schema, name, value)

    def parse(self, text: str, fields: list[str]) -> tantivy.Query:
        query, _errors = self.index.parse_query_lenient(text, fields)
        return query

    def meta(self) -> tuple[int | None, str | None]:
        """(last applied outbox sequence, store id) recorded here; None, None if new."""
        s = self.searcher()
        hits = s.search(self.term("kind", "meta"), 1, count=False).hits
        if not hits:
            return None, None
        addr = hits[0][1]
        seq = s.fast_field_values("seq", [addr])[0]
        store = s.doc(addr).get_first("store")
        return ints([seq])[0], (str(store) if store is not None else None)

    def count(self, kind: str) -> int:
        found = self.searcher().search(self.term("kind", kind), 1, count=True)
        return int(found.count)  # type: ignore[attr-defined]  # present, missing from stubs

    def ids(self, kind: str, name: str) -> set[int]:
        s = self.searcher()
        n = self.count(kind)
        if not n:
            return set()
        hits = s.search(self.term("kind", kind), n, count=False).hits
        return set(ints(s.fast_field_values(name, [a for _, a in hits])))

    def writer(self, heap: int, threads: int = 0) -> tantivy.IndexWriter:
        return self.index.writer(heap, threads)


def _set_meta(writer: tantivy.IndexWriter, seq: int, store_id: str) -> None:
    writer.delete_documents_by_term("kind", "meta")
    writer.add_document(tantivy.Document(kind="meta", seq=seq, store=store_id))


class EvidenceIndex:
    """The tantivy index of one store (passages and documents); one object per folder per
    process (see `open_index`)."""

    def __init__(self, path: Path):
        self.path = path
        self.lock = threading.RLock()
        self.passages = Part(path / "passages", "passages")
        self.documents = Part(path / "documents", "documents")

    def meta(self) -> tuple[int | None, str | None]:
        """The sequence both parts have applied (the lower), and the store id they record."""
        (ps, pid), (ds, did) = self.passages.meta(), self.documents.meta()
        if ps is None or ds is None or pid != did:
            return None, None
        return min(ps, ds), pid

    def reload(self) -> None:
        self.passages.index.reload()
        self.documents.index.reload()

    def catch_up(self, db: sqlite3.Connection, store_id: str) -> int:
        """Apply the outbox rows above the index's sequence; returns how many ids changed.

        Returns -1 when another process holds the writer (it will apply them)."""
        with self.lock:
            applied, sid = self.meta()
            if applied is None or sid != store_id or applied < _pruned(db):
                self.rebuild(db, store_id)
                return 0
            top = _outbox_top(db)
            if top <= applied:
                return 0
            pids: set[int] = set()
            dids: set[int] = set()
            for kind, ref in db.execute("SELECT kind, ref FROM index_outbox WHERE seq > ? AND "
                                        "seq <= ?", (applied, top)):
                (pids if kind == "p" else dids).add(int(ref))
            try:
                pw = self.passages.writer(WRITER_HEAP, 1)
            except ValueError as e:
                if "lock" in str(e).lower():
                    return -1
                raise
            with pw:
                # Documents first: if a kill comes between the two commits, the passages
                # part still records the older sequence and the next open replays both.
                with self.documents.writer(WRITER_HEAP, 1) as dw:
                    for did in dids:
                        dw.delete_documents_by_term("doc", did)
                    for doc in _document_docs(db, sorted(dids)):
                        dw.add_document(doc)
                    _set_meta(dw, top, store_id)
                    dw.commit()
                for pid in pids:
                    pw.delete_documents_by_term("pid", pid)
                for doc in _passage_docs(db, sorted(pids)):
                    pw.add_document(doc)
                _set_meta(pw, top, store_id)
                pw.commit()
            self.reload()
            return len(pids) + len(dids)

    def rebuild(self, db: sqlite3.Connection, store_id: str) -> int:
        """Rebuild the whole index from SQLite (one read snapshot); returns passages indexed."""
        with self.lock:
            try:
                pw = self.passages.writer(REBUILD_HEAP)
            except ValueError as e:
                raise StoreError(f"the search index at {self.path} is being written by "
                                 f"another process; try again when it is done") from e
            own_txn = not db.in_transaction
            if own_txn:
                db.execute("BEGIN")     # one snapshot: the rows and the outbox top agree
            try:
                top = _outbox_top(db)
                n = 0
                with pw:
                    with self.documents.writer(REBUILD_HEAP // 4) as dw:
                        dw.delete_all_documents()
                        for doc in _document_docs(db, None):
                            dw.add_document(doc)
                        _set_meta(dw, top, store_id)
                        dw.commit()
                        dw.wait_merging_threads()
                    pw.delete_all_documents()
                    for doc in _passage_docs(db, None):
                        pw.add_document(doc)
                        n += 1
                    _set_meta(pw, top, store_id)
                    pw.commit()
                    pw.wait_merging_threads()
            finally:
                if own_txn:
                    db.execute("COMMIT")
            self.reload()
            return n

    def check(self, db: sqlite3.Connection, store_id: str) -> IndexCheck:
        """Compare the index with SQLite: ids both ways, counts, pending outbox rows."""
        with self.lock:
            self.reload()
            applied, sid = self.meta()
            store_pids = {r[0] for r in db.execute("SELECT id FROM passages")}
            index_pids = self.passages.ids("p", "pid")
            docs_store = db.execute("SELECT count(*) FROM sources WHERE tier = 'research'"
                                    ).fetchone()[0]
            return IndexCheck(
                passages_store=len(store_pids), passages_index=len(index_pids),
                documents_store=int(docs_store), documents_index=self.documents.count("d"),
                applied_seq=applied if applied is not None else -1,
                outbox_seq=_outbox_top(db),
                missing=sorted(store_pids - index_pids), extra=sorted(index_pids - store_pids),
                store_id_matches=sid == store_id)


def open_index(db_path: Path) -> EvidenceIndex:
    """The index of the store at `db_path`, shared by every connection in this process."""
    key = str(index_path(db_path).resolve())
    with _lock:
        if key not in _open:
            _open[key] = EvidenceIndex(Path(key))
        return _open[key]


def forget_index(db_path: Path, remove: bool = False) -> None:
    """Drop this process's handle on an index (and, if asked, its folder)."""
    key = str(index_path(db_path).resolve())
    with _lock:
        _open.pop(key, None)
        if remove:
            shutil.rmtree(key, ignore_errors=True)


def ints(values: Iterable[int | float | bool | None]) -> list[int]:
    """Integer fast-field values (every document of a kind has the field)."""
    return [int(v or 0) for v in values]


def _outbox_top(db: sqlite3.Connection) -> int:
    row = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'index_outbox'").fetchone()
    return int(row[0]) if row else 0


def _pruned(db: sqlite3.Connection) -> int:
    row = db.execute("SELECT value FROM meta WHERE key = 'index_outbox_pruned'").fetchone()
    return int(row[0]) if row else 0


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i:i + CHUNK]


_PASSAGE_SQL = (
    "SELECT p.id, p.section, p.title, p.text, s.tier, s.status, "
    "CASE WHEN s.tier = 'research' THEN s.rowid ELSE -1 END, "
    "(SELECT group_concat(drug, char(31)) FROM source_drugs d WHERE d.source_id = s.id) "
    "FROM passages p JOIN sources s ON s.id = p.source_id")


def _passage_docs(db: sqlite3.Connection, ids: list[int] | None) -> Iterable[tantivy.Document]:
    if ids is None:
        rows: Iterable[Any] = db.execute(_PASSAGE_SQL)
    else:
        rows = (r for chunk in _chunks(ids) for r in db.execute(
            f"{_PASSAGE_SQL} WHERE p.id IN ({','.join('?' * len(chunk))})", chunk))
    for pid, section, title, text, tier, status, owner, drugs in rows:
        yield tantivy.Document(kind="p", pid=pid, owner=owner, tier=tier, status=status,
                               section=section, drug=drugs.split(_SEP) if drugs else [],
                               text=_weighted(title, text), title=title or "")


_DOCUMENT_SQL = (
    "SELECT s.rowid, s.title, s.status, coalesce((SELECT group_concat(text, ' ') FROM "
    "(SELECT text FROM passages WHERE source_id = s.id ORDER BY position)), '') "
    "FROM sources s WHERE s.tier = 'research'")


def _document_docs(db: sqlite3.Connection, ids: list[int] | None) -> Iterable[tantivy.Document]:
    if ids is None:
        rows: Iterable[Any] = db.execute(_DOCUMENT_SQL)
    else:
        rows = (r for chunk in _chunks(ids) for r in db.execute(
            f"{_DOCUMENT_SQL} AND s.rowid IN ({','.join('?' * len(chunk))})", chunk))
    for rowid, title, status, body in rows:
        yield tantivy.Document(kind="d", doc=rowid, status=status, text=_weighted(title, body))


def _weighted(title: str | None, body: str) -> str:
    return f"{title}\n{title}\n{body}" if title else body
