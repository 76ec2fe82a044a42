"""Claims keep their scope; the checker catches answers that drop it."""

from __future__ import annotations

import copy
from typing import Any

from curbside.answer.checker import check_answer
from curbside.answer.claims import split_claims, validate_scope
from curbside.answer.intents import asked, validate_intent_evidence


def test_a_withdrawal_sentence_is_scoped_to_stopping() -> None:
    text = ("Do not stop clonazepam abruptly; seizures can occur. "
            "Clonazepam with opioids can cause respiratory depression.")
    first, second = split_claims(text, concerns=("seizure", "resp"))
    assert first.conditions == ("discontinuation",) and first.concerns == ("seizure",)
    assert second.conditions == () and second.concerns == ("resp",)
    assert text[first.start:first.end] == first.text      # the span is exact


def test_contraindication_strength_and_washout_interval() -> None:
    (c,) = split_claims("Do not use it with an MAO inhibitor or within 14 days of stopping one.",
                        concerns=("contra",))
    assert c.strength == "contraindicated" and c.interval == "14 days"
    assert c.concerns == ("contra",)


def test_populations_and_doses_are_conditions() -> None:
    (c,) = split_claims("In patients 65 years or older with renal impairment, higher doses "
                        "raise the risk of falls.")
    assert {"older_adult", "renal", "high_dose"} <= set(c.conditions)
    assert c.direction == "raises"


def test_scope_rules_and_intent_map_validate() -> None:
    assert validate_scope() == []
    assert validate_intent_evidence() == []
    bad = {"conditions": {"x": {"triggers": ["when stopped"], "say": ["pregnan"],
                                "plain": "if stopped"}},
           "strength": {"avoid": ["avoid"]}, "direction": {"up": ["raise"]}, "interval": "x"}
    assert any("matches none" in p for p in validate_scope(bad))


def test_old_and_new_intent_ids_map_to_the_same_evidence() -> None:
    assert [s.key for s in asked(["pregnancy_lactation"], [])] == ["pregnancy", "lactation"]
    assert [s.key for s in asked(["dosing"], ["renal_impairment"])] == ["renal_dosing"]
    assert asked(["interaction", "adverse_effects"], []) == []


GOOD: dict[str, Any] = {
    "drugs": [{"name": "clonazepam", "matched": "klonopin", "classes": ["benzodiazepine"]},
              {"name": "oxycodone", "matched": "oxycodone", "classes": ["opioid"]}],
    "alerts": [],
    "summary": [{"text": "Oxycodone and clonazepam can interact: the main risks are "
                         "respiratory depression.", "citations": [1], "scope": []}],
    "key_concerns": [{"concern": "Seizures", "text": "If clonazepam is stopped abruptly, "
                      "seizures can occur.", "citations": [2], "scope": ["discontinuation"]}],
    "sections": [],
    "references": [{"n": 1, "tier": "label", "about": ["clonazepam", "opioid"]},
                   {"n": 2, "tier": "label", "about": ["clonazepam"]}],
}


def test_a_sound_answer_passes() -> None:
    assert check_answer(GOOD) == []


def test_the_checker_catches_each_kind_of_error() -> None:
    bad = copy.deepcopy(GOOD)
    bad["key_concerns"][0]["text"] = "Clonazepam can cause seizures in some people."   # scope
    bad["summary"][0]["citations"] = [2]                       # pair cites one drug's label
    bad["sections"] = [{"tier": "research", "statements": [
        {"text": "A study of oxycodone found more overdoses with it.", "citations": [3]},
        {"text": "A study of oxycodone found more overdoses with it.", "citations": [3]},
        {"text": "See rule moud+benzodiazepine for clonazepam.", "citations": [1, 2, 3, 1]}]}]
    bad["references"].append({"n": 3, "tier": "research", "about": ["clonazepam", "opioid"]})
    bad["alerts"] = [{"kind": "contraindicated", "text": "x"}]
    found = " | ".join(check_answer(bad))
    for what in ("drops its claim's scope", "no source about both", "said twice",
                 "4 citations", "internal identifier", "not said to be contraindicated"):
        assert what in found, what
    research = copy.deepcopy(GOOD)
    research["sections"] = [{"tier": "research", "statements": [
        {"text": "In a cohort, oxycodone overdoses rose.", "citations": [3]}]}]
    research["references"].append({"n": 3, "tier": "research", "about": ["benzodiazepine"]})
    assert any("research [3] not about oxycodone" in v for v in check_answer(research))
