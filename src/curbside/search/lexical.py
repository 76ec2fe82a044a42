"""Lexical search over passages: BM25 in the tantivy index (store/index.py), safe for any
user text.

User text never reaches a query syntax: it is cut into word tokens, each quoted, and joined
with OR, so quotes, NEAR(, AND/OR/NOT, *, -, parentheses and 100 kB of text are all just
words. `fts_query` makes the same OR of quoted words for FTS5, which the article library
(a small table) still uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import tantivy

from curbside.store.index import Part, ints
from curbside.store.sqlite import Store

MAX_TERMS = 48
CANDIDATES = 50          # passages re-ranked with their document's score
DOCUMENT_WEIGHT = 1.0
_WORD = re.compile(r"\w+", re.UNICODE)
# Words that carry no meaning for retrieval; BM25 would weigh them low anyway, but at a
# million passages every OR'ed common word costs a long posting-list scan.
STOPWORDS = frozenset("""
a an and are as at be but by can could did do does for from had has have how i if in into is
it its may me might my no not of on or our should so such than that the their them then there
these they this to was we were what when where which while who whom why will with would you
your about any also been being both each more most other some very own same too just am
""".split())


@dataclass
class Hit:
    """One ranked passage; its snippet is made when asked for (the answer engine reads
    40 hits and shows none of their snippets)."""

    passage_id: int
    source_id: str
    source_title: str
    tier: str
    status: str
    section: str
    title: str | None
    score: float
    text: str = field(repr=False, default="")
    words: tuple[str, ...] = field(repr=False, default=())

    @property
    def snippet(self) -> str:
        return snippet(self.text, list(self.words))

    def as_dict(self) -> dict[str, Any]:
        return {"passage_id": self.passage_id, "source_id": self.source_id,
                "source_title": self.source_title, "tier": self.tier, "status": self.status,
                "section": self.section, "title": self.title, "snippet": self.snippet,
                "score": self.score}


def fts_query(text: str) -> str | None:
    """An FTS5 MATCH expression for arbitrary user text, or None when it has no words."""
    seen: list[str] = []
    for word in _WORD.findall(text.lower()):
        if word in STOPWORDS or word in seen:
            continue
        seen.append(word)
        if len(seen) >= MAX_TERMS:
            break
    if not seen:
        return None
    return " OR ".join(f'"{w}"' for w in seen)


def query_terms(text: str) -> list[str]:
    """The words of `text` that a query keeps (as `fts_query`), for the tantivy index."""
    expr = fts_query(text)
    return [w.strip('"') for w in expr.split(" OR ")] if expr else []


def search(store: Store, text: str, *, tier: str | None = None, drugs: list[str] | None = None,
           section: str | None = None, status: str | None = None, limit: int = 10
           ) -> list[Hit]:
    """BM25-ranked passages for `text`, optionally filtered; best first.

    Ranking and filtering happen inside the tantivy index (store/index.py); SQLite is read
    only for the `limit` passages returned, by primary key.
    """
    words = query_terms(text)
    if not words or limit <= 0:
        return []
    idx = store.index.passages
    searcher = idx.searcher()
    quoted = " ".join(f'"{w}"' for w in words)
    query = idx.parse(quoted, ["text"])
    filters = []
    if tier:
        filters.append(idx.term("tier", tier))
    if status:
        filters.append(idx.term("status", status))
    if section:
        code = section.lower().replace(" ", "_")
        filters.append(tantivy.Query.boolean_query([
            (tantivy.Occur.Should, idx.term("section", code)),
            (tantivy.Occur.Should, idx.parse(f'"{_clean(section)}"', ["title"]))]))
    if drugs:
        filters.append(tantivy.Query.term_set_query(idx.schema, "drug", list(drugs)))
    if filters:
        # Filters only select: a zero constant score keeps them out of the BM25 sum.
        query = tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, query)]
            + [(tantivy.Occur.Must, tantivy.Query.const_score_query(f, 0.0)) for f in filters])
    pool = max(CANDIDATES, int(limit))
    found = searcher.search(query, pool, count=False).hits
    if not found:
        return []
    addrs = [a for _, a in found]
    pids = ints(searcher.fast_field_values("pid", addrs))
    owners = ints(searcher.fast_field_values("owner", addrs))
    ranked = _with_document_scores(store.index.documents, quoted,
                                   [(p, o, float(sc)) for (sc, _), p, o
                                    in zip(found, pids, owners, strict=True)])[:int(limit)]
    ids = [r[0] for r in ranked]
    marks = ",".join("?" * len(ids))
    cur = store.db.execute(
        f"SELECT p.id, p.source_id, s.title, s.tier, s.status, p.section, p.title, p.text "
        f"FROM passages p JOIN sources s ON s.id = p.source_id WHERE p.id IN ({marks})", ids)
    cur.row_factory = None          # plain tuples: sqlite3.Row costs more than the query
    rows = {r[0]: r for r in cur}
    # An id the index still holds but SQLite no longer does (a change not yet applied) is
    # skipped: SQLite is the truth.
    kept = tuple(words)
    return [Hit(i, r[1], r[2], r[3], r[4], r[5], r[6], score, r[7], kept)
            for i, score in ranked if (r := rows.get(i)) is not None]


def _clean(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


def _with_document_scores(docs_index: Part, quoted: str, ranked: list[tuple[int, int, float]]
                          ) -> list[tuple[int, float]]:
    """Re-rank candidate passages by their own BM25 plus their whole document's (research).

    Whole-document BM25 finds the abstract whose parts together match (recall@1 on
    PubMedQA: 0.967 passages alone, 0.978 whole abstracts; docs/benchmarks.md); the
    passage score keeps the section that matches best on top within a document.
    """
    doc_score: dict[int, float] = {}
    owners = sorted({owner for _, owner, _ in ranked if owner >= 0})
    if owners:
        # The candidates' own documents only: the same BM25 (statistics are index-wide)
        # for a few dozen documents, instead of ranking every matching abstract (a
        # disjunction of id terms; tantivy's term-set query on an integer field is slower).
        searcher = docs_index.searcher()
        query = tantivy.Query.boolean_query([
            (tantivy.Occur.Must, docs_index.parse(quoted, ["text"])),
            (tantivy.Occur.Must, tantivy.Query.const_score_query(tantivy.Query.boolean_query(
                [(tantivy.Occur.Should, docs_index.term("doc", d)) for d in owners]), 0.0))])
        found = searcher.search(query, len(owners), count=False).hits
        if found:
            docs = ints(searcher.fast_field_values("doc", [a for _, a in found]))
            doc_score = {d: float(sc) for (sc, _), d in zip(found, docs, strict=True)}
    # A passage outside the research tier (a label section, a recommendation) is its own
    # document: its score counts twice, which keeps the tiers on one scale.
    scored = [(pid, score + DOCUMENT_WEIGHT * (doc_score.get(owner, 0.0) if owner >= 0
                                               else score))
              for pid, owner, score in ranked]
    return sorted(scored, key=lambda x: -x[1])


def snippet(text: str, words: list[str], width: int = 160) -> str:
    """A window of `text` around the first query word, query words in [brackets]."""
    if not words:
        return text[:width].strip() + ("…" if width < len(text) else "")
    pattern = _words_pattern(tuple(words))
    first = pattern.search(text)
    start = max(0, first.start() - width // 4) if first else 0
    piece = pattern.sub(r"[\g<0>]", text[start:start + width])
    return ("…" if start else "") + piece.strip() + ("…" if start + width < len(text) else "")


@lru_cache(maxsize=256)
def _words_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    # One pattern per query (a pattern per word per hit was most of a search's time).
    return re.compile(r"(?i)\b(?:" + "|".join(re.escape(w) for w in words) + r")\w*")
