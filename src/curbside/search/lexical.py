"""Lexical search over passages: FTS5 with BM25, safe for any user text.

User text never reaches FTS5's query syntax: it is cut into word tokens, each quoted, and
joined with OR, so quotes, NEAR(, AND/OR/NOT, *, -, parentheses and 100 kB of text are
all just words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from curbside.store.sqlite import Store

MAX_TERMS = 48
CANDIDATES = 50          # passages re-ranked with their document's score
DOCUMENT_WEIGHT = 1.0
DOCUMENTS = 200          # documents whose score can lift a candidate
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
    """One ranked passage."""

    passage_id: int
    source_id: str
    source_title: str
    tier: str
    status: str
    section: str
    title: str | None
    snippet: str
    score: float

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


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


def search(store: Store, text: str, *, tier: str | None = None, drugs: list[str] | None = None,
           section: str | None = None, status: str | None = None, limit: int = 10
           ) -> list[Hit]:
    """BM25-ranked passages for `text`, optionally filtered; best first.

    The top `limit` row ids are chosen first (joining the tables only when a filter needs
    them); metadata and snippets are then fetched for those rows alone.
    """
    query = fts_query(text)
    if query is None or limit <= 0:
        return []
    where = ["passages_fts MATCH ?"]
    args: list[Any] = [query]
    if tier:
        where.append("s.tier = ?")
        args.append(tier)
    if status:
        where.append("s.status = ?")
        args.append(status)
    if section:
        where.append("(p.section = ? OR p.title LIKE ?)")
        args += [section.lower().replace(" ", "_"), f"%{section}%"]
    if drugs:
        marks = ",".join("?" * len(drugs))
        where.append(f"p.source_id IN (SELECT source_id FROM source_drugs WHERE drug IN ({marks}))")
        args += drugs
    joins = ("JOIN passages p ON p.id = passages_fts.rowid JOIN sources s ON s.id = p.source_id"
             if len(where) > 1 else "")
    pool = max(CANDIDATES, int(limit))
    ranked = store.db.execute(
        f"SELECT passages_fts.rowid, bm25(passages_fts, 1.0, 2.0) AS score FROM passages_fts "
        f"{joins} WHERE {' AND '.join(where)} ORDER BY score LIMIT ?", [*args, pool]
    ).fetchall()
    if not ranked:
        return []
    ranked = _with_document_scores(store, query, ranked)[:int(limit)]
    ids = [r[0] for r in ranked]
    marks = ",".join("?" * len(ids))
    rows = {r["id"]: r for r in store.db.execute(
        f"SELECT p.id, p.source_id, p.section, p.title, p.text, s.title AS source_title, s.tier, "
        f"s.status FROM passages p JOIN sources s ON s.id = p.source_id WHERE p.id IN ({marks})",
        ids)}
    words = [w.strip('"') for w in query.split(" OR ")]
    return [Hit(i, r["source_id"], r["source_title"], r["tier"], r["status"], r["section"],
                r["title"], snippet(r["text"], words), -float(score))
            for i, score in ranked if (r := rows.get(i)) is not None]


def _with_document_scores(store: Store, query: str, ranked: list[Any]) -> list[tuple[int, float]]:
    """Re-rank candidate passages by their own BM25 plus their whole document's (research).

    Whole-document BM25 finds the abstract whose parts together match (recall@1 on
    PubMedQA: 0.967 passages alone, 0.978 whole abstracts; docs/benchmarks.md); the
    passage score keeps the section that matches best on top within a document.
    """
    ids = [r[0] for r in ranked]
    marks = ",".join("?" * len(ids))
    owner = dict(store.db.execute(
        f"SELECT p.id, s.rowid FROM passages p JOIN sources s ON s.id = p.source_id "
        f"WHERE p.id IN ({marks}) AND s.tier = 'research'", ids).fetchall())
    # The best documents in one ranked query (cheap: FTS5 ranks inside the index); a
    # candidate whose document is not among them gets no document bonus.
    doc_score = dict(store.db.execute(
        "SELECT rowid, bm25(documents_fts, 2.0, 1.0) AS sc FROM documents_fts "
        "WHERE documents_fts MATCH ? ORDER BY sc LIMIT ?", (query, DOCUMENTS)).fetchall())
    # A passage outside the research tier (a label section, a recommendation) is its own
    # document: its score counts twice, which keeps the tiers on one scale.
    scored = [(pid, score + DOCUMENT_WEIGHT * (doc_score.get(owner[pid], 0.0) if pid in owner
                                               else score))
              for pid, score in ranked]
    return sorted(scored, key=lambda x: x[1])


def snippet(text: str, words: list[str], width: int = 160) -> str:
    """A window of `text` around the first query word, query words in [brackets]."""
    low = text.lower()
    hits = [m.start() for w in words if (m := re.search(rf"\b{re.escape(w)}", low))]
    start = max(0, min(hits) - width // 4) if hits else 0
    piece = text[start:start + width]
    if words:
        piece = re.sub(r"(?i)\b(" + "|".join(re.escape(w) for w in words) + r")\w*",
                       r"[\g<0>]", piece)
    return ("…" if start else "") + piece.strip() + ("…" if start + width < len(text) else "")
