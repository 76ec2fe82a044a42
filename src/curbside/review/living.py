"""Living evidence: when an ingest supersedes a source that articles cite, they are redone.

A new version of a label (same set id, higher version) or a guideline that supersedes
another marks the old source version superseded (`PutResult.superseded`). Every article whose
current revision cites one of those gets a newly generated revision. An article that was
approved, or is in review, goes (back) to `under_review` with the changed sources recorded;
one that was ever approved is marked "sources updated since approval" until it is
re-approved. A submitted article just gets the new revision; a retracted one is left alone.
"""

from __future__ import annotations

import logging
from typing import Any

from curbside import articles
from curbside.answer.engine import answer_question
from curbside.errors import CurbsideError
from curbside.review import audit, revisions, workflow
from curbside.store.sqlite import Store

log = logging.getLogger("curbside.review")
_CHUNK = 500


def affected(store: Store, source_ids: list[str]) -> list[str]:
    """Ids of non-retracted articles whose current revision cites any of `source_ids`."""
    found: set[str] = set()
    ids = sorted(set(source_ids))
    for i in range(0, len(ids), _CHUNK):
        part = ids[i:i + _CHUNK]
        found |= {r[0] for r in store.db.execute(
            f"SELECT DISTINCT a.id FROM article_sources s JOIN articles a ON a.id = "
            f"s.article_id AND a.revision = s.revision WHERE a.status != 'retracted' AND "
            f"s.source_id IN ({','.join('?' * len(part))})", part)}
    return sorted(found)


def _changes(store: Store, cited: set[str], superseded: set[str]) -> list[dict[str, Any]]:
    out = []
    for sid in sorted(cited & superseded):
        row = store.db.execute("SELECT title, superseded_by FROM sources WHERE id = ?",
                               (sid,)).fetchone()
        out.append({"old": sid, "new": row["superseded_by"] if row else None,
                    "title": row["title"] if row else sid})
    return out


def refresh(store: Store, superseded: list[str]) -> tuple[list[str], list[str]]:
    """Redo every article citing a superseded source; (article ids redone, problems)."""
    done, problems = [], []
    gone = set(superseded)
    for aid in affected(store, superseded):
        try:
            art = articles.get_article(store, aid)
            cited = {r["source_id"] for r in art["answer"].get("references", [])}
            changed = _changes(store, cited, gone)
            new = answer_question(store, art["question"], audience=art["audience"],
                                  context=art.get("context"),
                                  max_chars=max(2000, len(art["question"])))
            note = "sources updated: " + "; ".join(
                f"{c['title']} ({c['old']} → {c['new'] or 'withdrawn'})" for c in changed)
            if art["status"] in workflow.BY_ACTION["sources_updated"].sources:
                workflow.transition(store, aid, "sources_updated", None, note=note,
                                    answer=new, sources_changed=changed)
            else:
                _regenerate(store, art, new, note)
            done.append(aid)
        except CurbsideError as e:  # one article failing must not undo the ingest
            log.warning("living evidence: article %s not redone: %s", aid, e)
            problems.append(f"article {aid} not redone: {e}")
    return done, problems


def _regenerate(store: Store, art: dict[str, Any], answer: dict[str, Any], note: str) -> None:
    """A new generated revision without a change of state (a submitted article)."""
    with store.transaction() as db:
        number = revisions.add_revision(db, art["id"], answer, author=None, kind="living",
                                        note=note)
        audit.record(db, "sources_updated", article_id=art["id"], revision=number,
                     from_state=art["status"], to_state=art["status"], note=note)
