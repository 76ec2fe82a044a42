"""Triage through the one domain function, over whole question sets, in process.

Recall must be 100% on every emergency of every set (ours, the held-out third, the shared
v2 set), every emergency answer must give its type's first step (`expect.must`, matched as
`../shared/eval/score.py` matches it), and false alarms on near-misses must stay <= 2%.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import ROOT, SHARED

from curbside.answer.engine import answer_question

SETS = {"ours": ROOT / "tests" / "data" / "triage_questions.jsonl",
        "held-out": ROOT / "tests" / "data" / "triage_questions_holdout.jsonl",
        "shared-v2": SHARED / "eval" / "questions_v2.jsonl"}


def load(name: str) -> list[dict[str, Any]]:
    path = SETS[name]
    if not path.exists():
        pytest.skip(f"{path} absent")
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]
    return [q for q in rows if "emergency" in q.get("expect", {})]


def said(ans: dict[str, Any]) -> str:
    """What score.py searches: statements, key concerns, alerts, reason, gaps."""
    parts = [s["text"] for s in ans["summary"]]
    parts += [f'{k["concern"]}: {k["text"]}' for k in ans["key_concerns"]]
    parts += [s["text"] for sec in ans["sections"] for s in sec["statements"]]
    parts += [a["text"] for a in ans["alerts"]]
    parts += [ans.get("insufficient_reason") or ""] + list(ans.get("evidence_gaps") or [])
    return " ".join(parts).lower()


@pytest.mark.parametrize("name", list(SETS))
def test_every_emergency_is_caught_with_its_first_step(pack_store, name: str) -> None:  # type: ignore[no-untyped-def]
    missed, unsaid, mistyped = [], [], []
    for q in load(name):
        if not q["expect"]["emergency"]:
            continue
        ans = answer_question(pack_store, q["question"], audience=q["audience"])
        first = ans["alerts"][0] if ans["alerts"] else {}
        if first.get("kind") != "emergency":
            missed.append(q["id"])
            continue
        if q["expect"].get("type") and q["expect"]["type"] not in first["types"]:
            mistyped.append(f'{q["id"]}: {first["types"]}')
        text = said(ans)
        unsaid += [f'{q["id"]}: /{rx}/' for rx in q["expect"].get("must", [])
                   if not re.search(rx, text, re.I)]
    assert not missed, f"emergencies missed: {missed}"
    assert not mistyped, f"emergency of another type: {mistyped}"
    assert not unsaid, f"first steps not given: {unsaid}"


@pytest.mark.parametrize("name", list(SETS))
def test_near_misses_raise_almost_no_false_alarms(pack_store, name: str) -> None:  # type: ignore[no-untyped-def]
    near = [q for q in load(name) if not q["expect"]["emergency"]]
    alarms = [q["id"] for q in near
              if any(a["kind"] == "emergency" for a in
                     answer_question(pack_store, q["question"], audience=q["audience"])["alerts"])]
    assert len(alarms) <= 0.02 * len(near), f"false alarms: {alarms} of {len(near)}"


def test_a_suicidal_crisis_gets_the_lifeline_and_no_drug_article(pack_store) -> None:  # type: ignore[no-untyped-def]
    ans = answer_question(pack_store, "i have a full bottle of oxycodone next to me and i "
                                      "dont want to be alive anymore", audience="patient")
    assert [a["kind"] for a in ans["alerts"]] == ["emergency"]
    assert ans["alerts"][0]["type"] == "suicidal" and "988" in ans["alerts"][0]["text"]
    assert ans["sections"] == [] and ans["references"] == [] and ans["summary"] == []
    assert ans["triage"]["article"] == "withheld"


def test_an_emergency_answer_keeps_a_short_article_whose_citations_resolve(pack_store) -> None:  # type: ignore[no-untyped-def]
    ans = answer_question(pack_store, "im on xarelto and i just threw up blood",
                          audience="patient")
    assert ans["alerts"][0]["type"] == "bleeding" and ans["triage"]["article"] == "short"
    cited = {n for s in ans["summary"] + ans["key_concerns"] for n in s["citations"]}
    cited |= {n for sec in ans["sections"] for s in sec["statements"] for n in s["citations"]}
    assert cited == {r["n"] for r in ans["references"]}
    assert [r["n"] for r in ans["references"]] == list(range(1, len(ans["references"]) + 1))
    assert all(len(sec["statements"]) <= 2 for sec in ans["sections"])


def test_the_answer_schema_gains_fields_without_changing_any(pack_store) -> None:  # type: ignore[no-untyped-def]
    ans = answer_question(pack_store, "what is naloxone?", audience="patient")
    assert ans["schema"] == "curbside.answer/1"
    assert ans["triage"]["emergency"] is False
    assert all(set(a) >= {"kind", "text"} for a in ans["alerts"])


def test_sets_are_written_in_the_shared_eval_format() -> None:
    for name in ("ours", "held-out"):
        path: Path = SETS[name]
        if not path.exists():
            pytest.skip(f"{path} absent")
        for line in path.read_text(encoding="utf-8").splitlines():
            q = json.loads(line)
            assert set(q) >= {"id", "question", "audience", "drugs", "concerns", "tiers",
                              "expect"}
            assert q["audience"] in {"patient", "clinician", "pharmacist", "nurse", "student"}
