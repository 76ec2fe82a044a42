"""Question understanding: intents in order, populations with their values, names."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
import yaml
from tests.conftest import ROOT, SHARED

from curbside.answer.engine import lexicon_for
from curbside.answer.understand import Understanding, understand
from curbside.errors import PackError
from curbside.knowledge import intents as taxonomy_mod
from curbside.knowledge.lexicon import PACK_DIR, Lexicon


@pytest.fixture(scope="module")
def lex(pack_store) -> Lexicon:  # type: ignore[no-untyped-def]
    return lexicon_for(pack_store)


def ask(lex: Lexicon, q: str, context: dict[str, Any] | None = None) -> Understanding:
    return understand(q, lex, context)


def recognised(expected: list[str], got: list[str]) -> bool:
    """The first intent is the expected first one and every expected one is there."""
    if not expected:
        return got == []
    return bool(got) and got[0] == expected[0] and set(expected) <= set(got)


def test_the_taxonomy_validates_and_uses_exactly_the_documented_ids() -> None:
    tax = taxonomy_mod.taxonomy()
    assert [m.key for m in tax.intents][0] == "overdose"
    assert set(tax.taxonomy.intents) == set(taxonomy_mod.INTENT_IDS)


def test_validation_names_what_a_reviewer_would_catch() -> None:
    with open(PACK_DIR / "intents.yaml", encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    bad = copy.deepcopy(data)
    bad["intents"]["dosing"]["triggers"].append("missed dose")     # owned by missed_dose
    bad["intents"]["mechanism"]["rank"] = bad["intents"]["dosing"]["rank"]
    bad["intents"]["pregnancy_lactation"] = bad["intents"].pop("lactation")
    with pytest.raises(PackError) as e:
        taxonomy_mod.load(bad)
    msg = str(e.value)
    assert "'missed dose' belongs to missed_dose and dosing" in msg
    assert "is used twice" in msg
    assert "'pregnancy_lactation' is not one of the documented ids" in msg
    assert "'lactation' is missing" in msg
    bad = copy.deepcopy(data)
    bad["intents"]["dosing"]["patterns"] = ["(unclosed"]
    with pytest.raises(PackError):
        taxonomy_mod.load(bad)


def _examples() -> list[tuple[str, str]]:
    with open(PACK_DIR / "intents.yaml", encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    return [(k, q) for k, spec in data["intents"].items() for q in spec["examples"]]


@pytest.mark.parametrize(("intent", "question"), _examples())
def test_every_example_in_the_taxonomy_is_recognised(lex: Lexicon, intent: str,
                                                     question: str) -> None:
    assert intent in ask(lex, question).intents


@pytest.mark.parametrize(("question", "first"), [
    ("Gabapentin dosing for a patient with a creatinine clearance of 25 mL/min?", "renal_dosing"),
    ("I forgot my eliquis this morning, should I take a double dose?", "missed_dose"),
    ("How long after stopping fluoxetine can phenelzine be started?", "switching"),
    ("Can I take Advil with my Zoloft?", "interaction"),
    ("what is naloxone?", "mechanism"),
    ("What is the usual dose of metformin?", "dosing"),
])
def test_the_narrower_ask_comes_first(lex: Lexicon, question: str, first: str) -> None:
    assert ask(lex, question).intents[0] == first


def test_a_combination_brand_alone_is_not_an_interaction_question(lex: Lexicon) -> None:
    u = ask(lex, "What is the maximum dose of Norco?")
    assert [d.name for d in u.drugs] == ["hydrocodone", "acetaminophen"]
    assert u.intents == ["dosing"]


def test_a_question_about_nothing_medical_has_no_intent(lex: Lexicon) -> None:
    assert ask(lex, "How do I change a flat tire?").intents == []


def fact(u: Understanding, kind: str) -> dict[str, Any]:
    return next(f for f in u.population_facts if f["kind"] == kind)


@pytest.mark.parametrize(("question", "kind", "values", "population"), [
    ("79 yo on zolpidem", "age", {"years": 79}, "older_adult"),
    ("66F with new afib on warfarin", "age", {"years": 66, "sex": "F"}, "older_adult"),
    ("dose of amoxicillin for a 4 year old", "age", {"years": 4}, "child"),
    ("cetirizine for my 8 month old", "age", {"months": 8}, "child"),
    ("ondansetron at 10 weeks pregnant", "pregnancy", {"weeks": 10}, "pregnancy"),
    ("is sertraline ok in the third trimester", "pregnancy", {"trimester": "third"},
     "pregnancy"),
    ("metformin with an eGFR 35", "renal_impairment", {"egfr": 35}, "renal_impairment"),
    ("apixaban dose, CrCl 30", "renal_impairment", {"crcl": 30}, "renal_impairment"),
    ("gabapentin in CKD 4", "renal_impairment", {"ckd_stage": 4}, "renal_impairment"),
    ("enoxaparin for a patient on hemodialysis", "renal_impairment", {"dialysis": True},
     "renal_impairment"),
    ("sertraline in Child-Pugh B cirrhosis", "hepatic_impairment", {"child_pugh": "B"},
     "hepatic_impairment"),
    ("zolpidem in moderate hepatic impairment", "hepatic_impairment",
     {"severity": "moderate"}, "hepatic_impairment"),
])
def test_population_facts_keep_their_values(lex: Lexicon, question: str, kind: str,
                                            values: dict[str, Any], population: str) -> None:
    u = ask(lex, question)
    assert values.items() <= fact(u, kind).items()
    assert population in u.populations


def test_weights_and_lab_values(lex: Lexicon) -> None:
    u = ask(lex, "92 kg man with K 5.6 and INR of 3.1 on warfarin and lisinopril, "
                 "digoxin level of 2.1")
    assert fact(u, "weight")["kg"] == 92
    labs = {f["name"]: f["value"] for f in u.population_facts if f["kind"] == "lab"}
    assert labs == {"potassium": 5.6, "inr": 3.1, "digoxin": 2.1}
    assert fact(ask(lex, "amoxicillin for a 44 lb child"), "weight")["kg"] == 20.0


def test_a_normal_kidney_value_is_a_fact_not_an_impairment(lex: Lexicon) -> None:
    u = ask(lex, "carboplatin dose for a GFR of 90")
    assert fact(u, "renal_impairment")["egfr"] == 90
    assert "renal_impairment" not in u.populations and "renal_dosing" not in u.intents


def test_a_nursing_infant_does_not_make_it_a_childrens_question(lex: Lexicon) -> None:
    u = ask(lex, "Im breastfeeding my 2 month old baby. Can I keep taking my sertraline?")
    assert u.populations == ["lactation"]
    assert fact(u, "age") == {"kind": "age", "text": "2 month old", "months": 2, "of": "infant"}
    assert u.intents[0] == "lactation" and "pediatric" not in u.intents


def test_child_pugh_is_about_the_liver_not_a_child(lex: Lexicon) -> None:
    u = ask(lex, "sertraline dose in Child-Pugh class C")
    assert u.populations == ["hepatic_impairment"]


def test_a_follow_up_keeps_drugs_and_populations(lex: Lexicon) -> None:
    first = ask(lex, "apixaban dose for a 79 yo with a CrCl of 28")
    u = ask(lex, "what about rivaroxaban instead?", first.as_context())
    assert {"rivaroxaban"} <= {d.name for d in u.drugs}
    assert {"older_adult", "renal_impairment"} <= set(u.populations)
    assert fact(u, "renal_impairment")["crcl"] == 28
    assert u.intents[0] == "alternatives"
    later = ask(lex, "what about in pregnancy?", first.as_context())
    assert later.intents[0] == "pregnancy" and "apixaban" in [d.name for d in later.drugs]


def _load(path: str) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def test_intents_of_the_shared_v2_questions(lex: Lexicon) -> None:
    path = SHARED / "eval" / "questions_v2.jsonl"
    if not path.exists():
        pytest.skip("../shared/eval/questions_v2.jsonl absent")
    with open(ROOT / "tests" / "data" / "intent_labels_v2.json", encoding="utf-8") as fh:
        labels = json.load(fh)
    rows = _load(str(path))
    misses = [(r["id"], ask(lex, r["question"]).intents) for r in rows
              if not recognised(labels[r["id"]], ask(lex, r["question"]).intents)]
    assert len(misses) <= 0.05 * len(rows), misses


def test_a_malformed_context_is_ignored_not_a_crash(lex: Lexicon) -> None:
    ctx = {"drugs": ["apixaban"], "population_facts": [{"x": 1}, {"kind": 5}, "text",
                                                       {"kind": "age", "text": "79 yo",
                                                        "years": 79}]}
    u = ask(lex, "what about in pregnancy?", ctx)
    assert [f["kind"] for f in u.population_facts] == ["pregnancy", "age"]
