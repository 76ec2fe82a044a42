"""Label text answers pairs nobody wrote a rule for: the 30 real openFDA labels, no pack.

For every pair of those labels' drugs, the sentences of one label's boxed warning,
contraindications, warnings (and precautions) and drug interactions sections that name the
other drug or its FDA pharmacologic class (EPC/MoA names in its openFDA block) are computed
here from the label JSON; the answer to "Can I take A with B?" must carry them.
"""

from __future__ import annotations

import json
import re
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import shared

from curbside.answer.engine import answer_question
from curbside.ingest import ingest_file
from curbside.sources import clean_text, drug_names
from curbside.store import init_store
from curbside.store.sqlite import Store

SECTIONS = ("boxed_warning", "contraindications", "warnings_and_cautions", "warnings",
            "drug_interactions")
# Sentence ends, and the numbered subsection headings the reader splits sections at.
_SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])|\s(?=\d{1,2}\.\d{1,2}\s+[A-Z])")


def _forms(cls: str) -> set[str]:
    cls = re.sub(r"\s*\[(epc|moa)\]$", "", cls.lower()).strip()
    return {cls, cls[:-1] if cls.endswith("s") else cls + "s"}


def expected(records: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """(label drug, other drug, sentence) for every label sentence naming the other."""
    labels = []
    for r in records:
        names = drug_names(r["openfda"].get("generic_name") or [])
        classes = {f for c in (r["openfda"].get("pharm_class_epc") or [])
                   + (r["openfda"].get("pharm_class_moa") or []) for f in _forms(c)}
        sents = [s for f in SECTIONS for s in _SENT.split(clean_text(" ".join(r.get(f) or [])))]
        labels.append((names, classes, sents))
    out = []
    for (na, _, sents), (nb, cb, _) in ((x, y) for x in labels for y in labels if x is not y):
        terms = sorted(set(nb) | cb, key=len, reverse=True)
        pat = re.compile(r"(?<![a-z0-9])(?:" + "|".join(map(re.escape, terms)) + r")(?![a-z0-9])")
        if set(na) & set(nb):
            continue
        for s in sents:
            if len(s) >= 20 and pat.search(s.lower()):
                out.append((na[0], nb[0], s))
    return out


@pytest.fixture(scope="module")
def label_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    path = tmp_path_factory.mktemp("labels") / "labels.db"
    store = init_store(path, starter_pack=False)
    res = ingest_file(store, "openfda", str(shared("openfda_labels", "drug-label-sample.json")))
    assert res.error is None and res.added == 30
    return store


def test_label_sentences_naming_the_other_drug_reach_the_answer(label_store: Store) -> None:
    path: Path = shared("openfda_labels", "drug-label-sample.json")
    records = json.loads(path.read_text(encoding="utf-8"))["results"]
    want = expected(records)
    names = sorted({n for r in records for n in drug_names(r["openfda"]["generic_name"])[:1]})
    answers: dict[frozenset[str], str] = {}
    for a, b in combinations(names, 2):
        ans = answer_question(label_store, f"Can I take {a} with {b}?")
        answers[frozenset((a, b))] = " ".join(
            " ".join(st["text"].split()) for sec in ans["sections"] for st in sec["statements"])
    found = [(a, b, s) for a, b, s in want if " ".join(s.split())[-60:].rstrip(".")
             in answers[frozenset((a, b))]]
    pairs = {frozenset((a, b)) for a, b, _ in want}
    recall = len(found) / len(want)
    print(f"\nlabel sentences naming the other drug or its class: {len(want)} in "
          f"{len(pairs)} pairs; carried by the answer: {len(found)} (recall {recall:.3f})")
    missed = [w for w in want if w not in found]
    assert recall >= 0.95, missed[:5]
