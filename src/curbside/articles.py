"""Articles: stored answers with a stable id and slug, the unit the web site publishes.

Asking the same question (after normalisation) for the same audience in the same context
reuses the article instead of duplicating it. The answer document is stored as a revision
(the first is revision 1); the review status starts at 'submitted' and is shown as is
(the review workflow that moves it on is the `review` package's job).

    >>> art, created = ask_article(store, "Opioids and clonazepam?", audience="patient")
    >>> art["url"]
    '/articles/3f1c0e9a2b7d4c51/opioids-and-clonazepam'
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from datetime import UTC, datetime
from typing import Any

from curbside.answer.engine import answer_question, lexicon_for, validate_question
from curbside.errors import InputError, NotFound
from curbside.search.lexical import fts_query
from curbside.store.sqlite import Store, source_row

STATUSES = ("submitted", "under_review", "approved")
"""The review steps an article shows, in order (see curbside.review.workflow)."""
REVIEW_STATUSES = (*STATUSES, "changes_requested", "retracted")
PUBLISHED = ("submitted", "under_review", "changes_requested", "approved")
"""Statuses the library lists, each shown with its status; a retracted article keeps its
page (with the notice) but leaves the lists."""
TIERS = ("guideline", "label", "research")
MAX_PER_PAGE = 100
_SLUG_WORDS = re.compile(r"[a-z0-9]+")


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def normalise_question(question: str) -> str:
    """The question as compared for reuse: case-folded, spaces collapsed, end marks dropped."""
    q = " ".join(unicodedata.normalize("NFKC", question or "").split()).casefold()
    return q.rstrip("?!. ")


def _canonical_context(context: dict[str, Any] | None) -> str:
    if not context:
        return ""
    clean = {k: sorted(v, key=lambda x: json.dumps(x, sort_keys=True)) if isinstance(v, list)
             else v for k, v in context.items() if v}
    return json.dumps(clean, sort_keys=True, separators=(",", ":")) if clean else ""


def article_key(question: str, audience: str, context: dict[str, Any] | None) -> str:
    """What makes two asks the same article."""
    return f"{normalise_question(question)}|{audience}|{_canonical_context(context)}"


def article_id(key: str) -> str:
    """A stable public id: the first 16 hex digits of the key's SHA-256."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def slugify(question: str, max_len: int = 80) -> str:
    """A URL slug from the question ('article' when it has no letters or digits)."""
    ascii_q = unicodedata.normalize("NFKD", question).encode("ascii", "ignore").decode().lower()
    slug = ""
    for word in _SLUG_WORDS.findall(ascii_q):
        if len(slug) + len(word) + 1 > max_len:
            break
        slug = f"{slug}-{word}" if slug else word
    return slug or "article"


def _body_text(ans: dict[str, Any]) -> str:
    """The answer's prose, for full-text search."""
    parts = [s["text"] for s in ans.get("summary", [])]
    parts += [f"{k['concern']}: {k['text']}" for k in ans.get("key_concerns", [])]
    parts += [st["text"] for sec in ans.get("sections", []) for st in sec["statements"]]
    return "\n".join(parts)


def ask_article(store: Store, question: str, *, audience: str = "clinician",
                context: dict[str, Any] | None = None, parent_id: str | None = None,
                max_chars: int = 2000) -> tuple[dict[str, Any], bool]:
    """The article for this question (created from a fresh answer if new); (article, created)."""
    q = validate_question(question, audience, max_chars)
    key = article_key(q, audience, context)
    aid = article_id(key)
    row = store.db.execute("SELECT id FROM articles WHERE id = ?", (aid,)).fetchone()
    if row:
        return get_article(store, aid), False
    ans = answer_question(store, q, audience=audience, context=context, max_chars=max_chars)
    now = _now()
    drugs = sorted({d["name"] for d in ans["drugs"]} | set(ans.get("drug_classes", [])))
    tiers = [t for t in TIERS if any(s["tier"] == t and s["statements"]
                                     for s in ans["sections"])]
    with store.transaction() as db:
        cur = db.execute(
            "INSERT INTO articles(id, key, slug, question, audience, context, parent_id, "
            "status, revision, drugs, tiers, created_at, updated_at) "
            "VALUES (?,?,?,?,?,?,?,'submitted',1,?,?,?,?) ON CONFLICT DO NOTHING",
            (aid, key, slugify(q), q, audience, _canonical_context(context) or None, parent_id,
             json.dumps(drugs), json.dumps(tiers), now, now))
        created = cur.rowcount == 1
        if created:
            db.execute("INSERT INTO article_revisions(article_id, revision, answer, created_at) "
                       "VALUES (?, 1, ?, ?)", (aid, json.dumps(ans, ensure_ascii=False), now))
            db.execute("INSERT INTO articles_fts(rowid, question, body) VALUES (?, ?, ?)",
                       (cur.lastrowid, q, _body_text(ans)))
    return get_article(store, aid), created


def follow_up(store: Store, parent_id: str, question: str, *, audience: str | None = None,
              max_chars: int = 2000) -> tuple[dict[str, Any], bool]:
    """A follow-up question answered in the context (drugs, population) of an article."""
    parent = get_article(store, parent_id)
    return ask_article(store, question, audience=audience or parent["audience"],
                       context=parent["answer"].get("context"), parent_id=parent["id"],
                       max_chars=max_chars)


def _article_row(row: Any) -> dict[str, Any]:
    d = {k: row[k] for k in row.keys() if k not in ("seq", "key")}
    d["context"] = json.loads(d["context"]) if d.get("context") else None
    d["drugs"] = json.loads(d["drugs"])
    d["tiers"] = json.loads(d["tiers"])
    d["url"] = f"/articles/{d['id']}/{d['slug']}"
    return d


def get_article(store: Store, aid: str, *, revision: int | None = None) -> dict[str, Any]:
    """One article with its answer (the current revision unless told which)."""
    row = store.db.execute("SELECT * FROM articles WHERE id = ?", (aid,)).fetchone()
    if row is None:
        raise NotFound(f"no article with id {aid!r}")
    art = _article_row(row)
    rev = store.db.execute("SELECT answer FROM article_revisions WHERE article_id = ? AND "
                           "revision = ?", (aid, revision or art["revision"])).fetchone()
    if rev is None:
        raise NotFound(f"article {aid!r} has no revision {revision or art['revision']}")
    art["answer"] = json.loads(rev[0])
    art["follow_ups"] = [
        {"id": r["id"], "question": r["question"], "url": f"/articles/{r['id']}/{r['slug']}"}
        for r in store.db.execute("SELECT id, slug, question FROM articles WHERE parent_id = ? "
                                  "ORDER BY seq", (aid,))]
    return art


def set_status(store: Store, aid: str, status: str) -> dict[str, Any]:
    """Record a review status (the low-level write the review workflow builds on)."""
    if status not in REVIEW_STATUSES:
        raise InputError(f"unknown status {status!r}; choose one of "
                         f"{', '.join(REVIEW_STATUSES)}")
    with store.transaction() as db:
        cur = db.execute("UPDATE articles SET status = ?, updated_at = ? WHERE id = ?",
                         (status, _now(), aid))
    if cur.rowcount == 0:
        raise NotFound(f"no article with id {aid!r}")
    return get_article(store, aid)


def _drug_names(store: Store, drug: str) -> list[str]:
    """Generic names (or class keys) a filter value means; brand names and typos resolve."""
    found = lexicon_for(store).recognise(drug)
    names = [d.name for d in found.drugs] + found.classes
    return names or [drug.strip().lower()]


def list_articles(store: Store, *, q: str | None = None, drug: str | None = None,
                  tier: str | None = None, page: int = 1, per_page: int = 20
                  ) -> dict[str, Any]:
    """Published articles, newest first (best match first when searching), one page."""
    if tier and tier not in TIERS:
        raise InputError(f"unknown tier {tier!r}; choose one of {', '.join(TIERS)}")
    page, per_page = max(1, page), min(max(1, per_page), MAX_PER_PAGE)
    marks = ",".join("?" * len(PUBLISHED))
    where, args = [f"a.status IN ({marks})"], list(PUBLISHED)
    order = "a.updated_at DESC, a.seq DESC"
    join = ""
    match = fts_query(q) if q else None
    if q and match is None:
        return {"items": [], "total": 0, "page": page, "per_page": per_page, "pages": 0}
    if match:
        join = "JOIN articles_fts f ON f.rowid = a.seq"
        where.append("articles_fts MATCH ?")
        args.append(match)
        order = "bm25(articles_fts, 4.0, 1.0), a.seq DESC"
    if drug:
        names = _drug_names(store, drug)
        where.append(f"EXISTS (SELECT 1 FROM json_each(a.drugs) j WHERE j.value IN "
                     f"({','.join('?' * len(names))}))")
        args += names
    if tier:
        where.append("EXISTS (SELECT 1 FROM json_each(a.tiers) j WHERE j.value = ?)")
        args.append(tier)
    base = f"FROM articles a {join} WHERE {' AND '.join(where)}"
    total = store.db.execute(f"SELECT count(*) {base}", args).fetchone()[0]
    rows = store.db.execute(f"SELECT a.* {base} ORDER BY {order} LIMIT ? OFFSET ?",
                            [*args, per_page, (page - 1) * per_page]).fetchall()
    return {"items": [_article_row(r) for r in rows], "total": total, "page": page,
            "per_page": per_page, "pages": -(-total // per_page)}


def article_drugs(store: Store) -> list[str]:
    """Every drug or class name that published articles are about (for the filter)."""
    return [r[0] for r in store.db.execute(
        "SELECT DISTINCT j.value FROM articles a, json_each(a.drugs) j ORDER BY j.value")]


def citing_articles(store: Store, source_id: str, limit: int = 50) -> list[dict[str, Any]]:
    """Published articles whose current revision cites `source_id`, newest first."""
    marks = ",".join("?" * len(PUBLISHED))
    rows = store.db.execute(
        f"SELECT a.* FROM article_sources s JOIN articles a ON a.id = s.article_id "
        f"AND a.revision = s.revision WHERE s.source_id = ? AND a.status IN ({marks}) "
        f"ORDER BY a.updated_at DESC, a.seq DESC LIMIT ?",
        (source_id, *PUBLISHED, limit)).fetchall()
    return [_article_row(r) for r in rows]


def cited_sources(store: Store, ans: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The stored rows (provenance, no passages) of the sources an answer cites, by id."""
    ids = sorted({str(r["source_id"]) for r in ans.get("references") or []
                  if r.get("source_id")})
    if not ids:
        return {}
    rows = store.db.execute(f"SELECT * FROM sources WHERE id IN ({','.join('?' * len(ids))})",
                            ids).fetchall()
    return {r["id"]: source_row(r) for r in rows}


def evidence_date(sources: dict[str, dict[str, Any]]) -> str | None:
    """The date of the newest source (its effective date, else published, else year)."""
    dates = [str(s.get("effective") or s.get("published") or s.get("year") or "")
             for s in sources.values()]
    dates = [d for d in dates if d]
    return max(dates) if dates else None
