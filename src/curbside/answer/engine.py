"""The one domain function behind `curbside ask`, `POST /api/v1/answers` and the web pages."""

from __future__ import annotations

import re
from typing import Any

from curbside.answer.audience import AUDIENCES
from curbside.answer.compose import compose
from curbside.answer.evidence import gather, rule_matches
from curbside.answer.interactions import check_pairs
from curbside.answer.triage import assess, follow_emergency
from curbside.answer.understand import name_notices, understand
from curbside.errors import InputError
from curbside.knowledge.lexicon import Lexicon
from curbside.store.labels import choose_labels
from curbside.store.sqlite import Store

_lexicons: dict[tuple[str, int], Lexicon] = {}


def lexicon_for(store: Store) -> Lexicon:
    """The store's lexicon, cached until the store's drug tables change."""
    stamp = store.db.execute("SELECT (SELECT count(*) FROM drugs) * 100003 + "
                             "(SELECT count(*) FROM drug_aliases)").fetchone()[0]
    key = (str(store.path), int(stamp))
    if key not in _lexicons:
        _lexicons.clear()
        _lexicons[key] = Lexicon.from_store(store)
    return _lexicons[key]


# Control and invisible format characters (C0/C1 controls, zero-width and bidirectional
# marks, BOM, lone surrogates): they carry no meaning in a question and can hide text.
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e"
                        "\u2060-\u2064\ufeff\ud800-\udfff]")


def validate_question(question: str, audience: str, max_chars: int) -> str:
    """The question with control characters dropped and white space normalised, or a clear
    InputError (empty, or nothing but punctuation and symbols, or too long)."""
    q = " ".join(_INVISIBLE.sub("", question or "").split())
    if not q:
        raise InputError("the question is empty")
    if not any(ch.isalnum() for ch in q):
        raise InputError("the question has no letters or digits")
    if len(q) > max_chars:
        raise InputError(f"the question is {len(q)} characters long; the limit is {max_chars}")
    if audience not in AUDIENCES:
        raise InputError(f"unknown audience {audience!r}; choose one of {', '.join(AUDIENCES)}")
    return q


def answer_question(store: Store, question: str, *, audience: str = "clinician",
                    context: dict[str, Any] | None = None, max_chars: int = 2000
                    ) -> dict[str, Any]:
    """Answer one question from the store as a `curbside.answer/1` document."""
    q = validate_question(question, audience, max_chars)
    # Triage first, on the words alone: an emergency is never missed because of what
    # follows. The drugs recognised then refine it: a name is a medicine ("ate 2 of my
    # metformin"), a brand it does not list is still an opioid.
    triage = assess(q, audience)
    u = understand(q, lexicon_for(store), context)
    if u.drugs:
        triage = assess(q, audience, u.drugs)
    u.emergency = triage.emergency
    if set(triage.types) & {"overdose", "child_exposure"} and "overdose" not in u.intents:
        u.intents.append("overdose")
    rules = rule_matches(store, u)
    evidence = gather(store, u, {c for r in rules for c in r.concerns})
    successors = _successor_titles(store, evidence)
    ans = compose(u, audience, evidence, rules, successors, check_pairs(store, u, rules))
    ans.setdefault("interactions", [])      # every pair checked (answer/interactions.py)
    _label_choice(store, u, ans)
    # Names the answer is not about, and the class members it covered: said right after
    # any emergency alert, in every format (understand.name_notices).
    urgent = [a for a in ans["alerts"] if a["kind"] == "emergency"]
    ans["alerts"] = urgent + name_notices(u) + [a for a in ans["alerts"] if a not in urgent]
    ans["class_members"] = u.class_members
    ans["context"] = u.as_context()
    return follow_emergency(ans, triage)


def _label_choice(store: Store, u: Any, ans: dict[str, Any]) -> None:
    """Say which label speaks for each asked drug and how many others the store holds
    (store/labels.py): `label_choice`, and `other_labels` on that label's reference."""
    chosen = choose_labels(store.db, [d.name for d in u.drugs])
    ans["label_choice"] = [c.as_dict() for c in chosen.values()]
    others = {c.source_id: c.others for c in chosen.values()}
    for ref in ans.get("references") or []:
        if ref.get("source_id") in others:
            ref["other_labels"] = others[ref["source_id"]]


def _successor_titles(store: Store, evidence: list[Any]) -> dict[str, str]:
    ids = {str(e.source.get("superseded_by")) for e in evidence if e.source.get("superseded_by")}
    out = {}
    for sid in ids:
        row = store.db.execute("SELECT title FROM sources WHERE id = ? OR key = ?",
                               (sid, sid)).fetchone()
        if row:
            out[sid] = row[0]
    return out
