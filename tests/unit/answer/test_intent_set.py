"""The intent question set (tests/data/intent_questions.jsonl): intents and populations
recognised by `understand` alone, in process. The held-out third
(intent_questions_holdout.jsonl) is not tested here: it is measured, not tuned on
(benchmarks/bench_intents.py)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import ROOT

from curbside.answer.engine import lexicon_for
from curbside.answer.understand import understand
from curbside.knowledge.intents import INTENT_IDS
from curbside.knowledge.lexicon import Lexicon

SET = ROOT / "tests" / "data" / "intent_questions.jsonl"
POPULATIONS = ("older_adult", "child", "pregnancy", "lactation", "renal_impairment",
               "hepatic_impairment", "respiratory_disease")


def rows(path: Path = SET) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@pytest.fixture(scope="module")
def lex(pack_store) -> Lexicon:  # type: ignore[no-untyped-def]
    return lexicon_for(pack_store)


def test_the_set_covers_every_intent_population_and_audience() -> None:
    rs = rows()
    assert len(rs) >= 200
    intents = Counter(i for r in rs for i in r["intents"])
    pops = Counter(p for r in rs for p in r["populations"])
    assert all(intents[i] >= 8 for i in INTENT_IDS), intents
    assert all(pops[p] >= 8 for p in POPULATIONS), pops
    assert set(Counter(r["audience"] for r in rs)) == {"clinician", "pharmacist", "nurse",
                                                       "student", "patient"}
    assert all(r["expect"]["must"] for r in rs)
    assert sum(1 for r in rs if r["expect"].get("not_drugs")) >= 16


def test_intents_are_recognised(lex: Lexicon) -> None:
    rs = rows()
    misses = []
    for r in rs:
        got = understand(r["question"], lex).intents
        exp = r["intents"]
        if not (got and got[0] == exp[0] and set(exp) <= set(got)):
            misses.append((r["id"], exp, got))
    assert len(misses) <= 0.05 * len(rs), misses


def test_populations_are_recognised(lex: Lexicon) -> None:
    rs = [r for r in rows() if r["populations"]]
    misses = [(r["id"], r["populations"], u.populations) for r in rs
              if not set(r["populations"]) <= set(
                  (u := understand(r["question"], lex)).populations)]
    assert len(misses) <= 0.05 * len(rs), misses


def test_names_that_are_not_drugs_are_not_reported_as_drugs(lex: Lexicon) -> None:
    for r in rows():
        bad = r["expect"].get("not_drugs") or []
        if bad:
            u = understand(r["question"], lex)
            names = {d.name for d in u.drugs} | {d.matched for d in u.drugs}
            assert not [b for b in bad if any(b in n for n in names)], r["id"]
