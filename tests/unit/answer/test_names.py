"""Names, honestly: unknown words said in every format, body substances, street names,
classes answered through their members."""

from __future__ import annotations

import io
from typing import Any

import pytest
from rich.console import Console

from curbside.answer.engine import answer_question, lexicon_for
from curbside.answer.render import to_console, to_html, to_markdown
from curbside.answer.understand import understand
from curbside.knowledge.lexicon import Lexicon

NOTICE = "Curbside does not recognise 'zentravil' as a medicine, so nothing below is about it"


@pytest.fixture(scope="module")
def lex(pack_store) -> Lexicon:  # type: ignore[no-untyped-def]
    return lexicon_for(pack_store)


@pytest.fixture(scope="module")
def unknown_pair(pack_store) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return answer_question(pack_store, "Can I take zentravil with my lisinopril?",
                           audience="patient")


def test_an_unknown_name_is_said_in_the_answer_in_every_format(
        unknown_pair: dict[str, Any]) -> None:
    assert unknown_pair["unrecognized_terms"] == ["zentravil"]
    assert any(NOTICE in a["text"] for a in unknown_pair["alerts"])
    assert NOTICE in to_markdown(unknown_pair)
    assert NOTICE.replace("'", "&#x27;") in to_html(unknown_pair)
    out = io.StringIO()
    to_console(unknown_pair, Console(file=out, width=400, color_system=None))
    assert NOTICE in out.getvalue()


def test_a_pair_with_an_unknown_member_claims_no_pair_result(
        unknown_pair: dict[str, Any]) -> None:
    assert [d["name"] for d in unknown_pair["drugs"]] == ["lisinopril"]
    assert unknown_pair["intents"][0] == "interaction"
    assert unknown_pair["interactions"] == []
    said = [s["text"] for s in unknown_pair["summary"]] + [
        st["text"] for sec in unknown_pair["sections"] for st in sec["statements"]]
    assert not any("zentravil" in t.lower() for t in said)


def test_an_answer_with_only_unknown_names_says_so(pack_store) -> None:  # type: ignore[no-untyped-def]
    ans = answer_question(pack_store, "What is the usual adult dose of flumexitrol?")
    assert ans["insufficient_evidence"] and ans["drugs"] == []
    assert "Curbside does not recognise 'flumexitrol' as a medicine" in to_markdown(ans)


@pytest.mark.parametrize(("question", "not_drug"), [
    ("What does serotonin syndrome feel like?", "serotonin"),
    ("Does sertraline raise serotonin levels?", "serotonin"),
    ("K 5.6 on lisinopril, what now?", "potassium"),
    ("potassium of 5.8 with spironolactone", "potassium"),
    ("high potassium on trimethoprim", "potassium"),
    ("my cortisol level is high on prednisone", "cortisol"),
    ("does bupropion work on dopamine", "dopamine"),
    ("low sodium from carbamazepine", "sodium"),
])
def test_body_substances_and_lab_values_are_not_drugs(lex: Lexicon, question: str,
                                                      not_drug: str) -> None:
    u = understand(question, lex)
    names = {d.name for d in u.drugs} | {d.matched for d in u.drugs}
    assert not any(not_drug in n for n in names)
    assert not_drug not in u.unrecognised


@pytest.mark.parametrize(("question", "drug"), [
    ("Can potassium chloride tablets be taken with lisinopril?", "potassium chloride"),
    ("dopamine drip for hypotension", "dopamine"),
    ("is melatonin safe with sertraline", "melatonin"),
])
def test_context_can_make_a_body_substance_a_drug(lex: Lexicon, question: str,
                                                  drug: str) -> None:
    assert any(drug in d.name for d in understand(question, lex).drugs)


@pytest.mark.parametrize(("question", "drugs"), [
    ("took a bunch of percs", ["oxycodone", "acetaminophen"]),
    ("are xannies addictive", ["alprazolam"]),
    ("snorting roxies", ["oxycodone"]),
    ("how strong is murder 8", ["fentanyl"]),
    ("purple drank while pregnant", ["codeine"]),
])
def test_street_names_map_to_generics(lex: Lexicon, question: str, drugs: list[str]) -> None:
    assert [d.name for d in understand(question, lex).drugs] == drugs


def test_words_that_are_not_drug_names_are_not_reported_unknown(lex: Lexicon) -> None:
    for q in ("What is the capital of France?", "Calculate the carboplatin dose",
              "what is the lowest dose of hydrochlorothiazide",
              "vitamin b12 1000 geltabs or shots"):
        assert understand(q, lex).unrecognised == [], q


def test_a_maker_prefix_does_not_hide_the_drug(lex: Lexicon) -> None:
    assert [d.name for d in understand("what is riva-clonazepam", lex).drugs] == ["clonazepam"]


def test_a_class_beside_a_drug_is_answered_through_its_members(pack_store) -> None:  # type: ignore[no-untyped-def]
    u = understand("Can I take NSAIDs with apixaban?", lexicon_for(pack_store))
    assert {"ibuprofen", "naproxen", "celecoxib"} <= set(u.class_members["nsaid"])
    ans = answer_question(pack_store, "Can I take NSAIDs with apixaban?")
    notes = [a["text"] for a in ans["alerts"] if a["kind"] == "class_members"]
    assert notes and "ibuprofen" in notes[0] and "naproxen" in notes[0]
    assert "ibuprofen" in ans["class_members"]["nsaid"]
