"""`curbside ask` answers: the seed question, integrity of citations, refusals, audiences."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tests.conftest import run_cli, shared

from curbside.answer.engine import answer_question
from curbside.errors import InputError

SEED = ("What are the concerns of a patient remaining on opioid medication and clonazepam "
        "(Klonopin)?")


def statements(ans: dict[str, Any]) -> list[dict[str, Any]]:
    out = list(ans["summary"]) + list(ans["key_concerns"])
    for sec in ans["sections"]:
        out += sec["statements"]
    return out


def assert_citations_sound(ans: dict[str, Any]) -> None:
    """Every statement cited; every citation resolves; every reference used."""
    refs = {r["n"] for r in ans["references"]}
    cited: set[int] = set()
    for st in statements(ans):
        assert st["citations"], f"uncited: {st['text'][:60]}"
        assert set(st["citations"]) <= refs
        cited |= set(st["citations"])
    assert cited == refs
    assert sorted(refs) == list(range(1, len(refs) + 1))
    for r in ans["references"]:
        if r["status"] == "superseded":
            assert r["superseded_by"]


@pytest.fixture(scope="module")
def seed(pack_store) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return answer_question(pack_store, SEED)


def test_seed_answer_has_three_tiers_and_sound_citations(seed: dict[str, Any]) -> None:
    assert seed["schema"] == "curbside.answer/1"
    assert [d["name"] for d in seed["drugs"]] == ["clonazepam"]
    assert "opioid" in seed["drug_classes"]
    assert [s["tier"] for s in seed["sections"]] == ["guideline", "label", "research"]
    assert [s["heading"] for s in seed["sections"]] == [
        "From the Guidelines", "From the FDA Drug Label", "From the Research"]
    assert 1 <= len(seed["summary"]) <= 3
    assert 3 <= len(seed["follow_up_questions"]) <= 5
    assert_citations_sound(seed)


def test_seed_cites_current_cdc_2022_rec_11_with_grade_and_2016_only_as_superseded(
        seed: dict[str, Any]) -> None:
    refs = seed["references"]
    rec11 = [r for r in refs if "2022" in r["title"] and r["section"] == "Recommendation 11"]
    assert rec11 and rec11[0]["status"] == "current"
    assert rec11[0]["grade"]["strength"] == "B" and str(rec11[0]["grade"]["evidence"]) == "3"
    old = [r for r in refs if "2016" in r["title"]]
    assert all(r["status"] == "superseded" and r["superseded_by"] for r in old)
    for sec in seed["sections"]:
        for st in sec["statements"]:
            if any(r["n"] in st["citations"] for r in old):
                assert st["text"].startswith("Superseded")


def test_each_key_concern_once_with_its_own_text(seed: dict[str, Any]) -> None:
    keys = [key for k in seed["key_concerns"] for key in k["keys"]]
    assert len(keys) == len(set(keys))
    assert {"resp", "sedation", "coma", "death"} <= set(keys)
    texts = [k["text"] for k in seed["key_concerns"]]
    assert len(texts) == len(set(texts))
    # Concerns that share one claim are said once, together, not once each.
    resp = next(k for k in seed["key_concerns"] if "resp" in k["keys"])
    assert resp["concern"].startswith("Respiratory depression")
    assert all(len(k["citations"]) <= 3 for k in seed["key_concerns"])


def test_statements_about_a_drug_never_cite_another_drugs_label(seed: dict[str, Any]) -> None:
    labels = [r for r in seed["references"] if r["tier"] == "label"]
    assert labels and all("clonazepam" in r["title"].lower() for r in labels)


def test_emergency_comes_first_with_911_and_poison_help(pack_store) -> None:  # type: ignore[no-untyped-def]
    ans = answer_question(pack_store, "My friend took a whole bottle of oxycodone and is not "
                                      "breathing")
    first = ans["alerts"][0]
    assert first["kind"] == "emergency"
    assert "911" in first["text"] and "1-800-222-1222" in first["text"]


@pytest.mark.parametrize("question", ["What is the capital of France?",
                                      "Risks of combining zorblatamine with quiltrazine?"])
def test_no_evidence_means_insufficient_and_no_references(pack_store, question: str) -> None:  # type: ignore[no-untyped-def]
    ans = answer_question(pack_store, question)
    assert ans["insufficient_evidence"] is True and ans["insufficient_reason"]
    assert ans["references"] == [] and ans["drugs"] == []


def test_patient_wording_differs_from_clinician(pack_store) -> None:  # type: ignore[no-untyped-def]
    q = "Is it safe to take Xanax with Percocet?"
    clin = answer_question(pack_store, q, audience="clinician")
    pat = answer_question(pack_store, q, audience="patient")
    assert clin["summary"][0]["text"] != pat["summary"][0]["text"]
    assert "doctor or pharmacist" in pat["summary"][0]["text"]
    assert pat["disclaimer"] != clin["disclaimer"]
    assert_citations_sound(pat)


def test_follow_up_carries_drugs_over(pack_store, seed: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    ans = answer_question(pack_store, "Is it different for someone over 65?",
                          context=seed["context"])
    assert "clonazepam" in [d["name"] for d in ans["drugs"]]
    assert "older_adult" in [p["kind"] for p in ans["populations"]]
    assert_citations_sound(ans)


def test_bad_questions_are_clear_errors(pack_store) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match="empty"):
        answer_question(pack_store, "   ")
    with pytest.raises(InputError, match="limit"):
        answer_question(pack_store, "x " * 5000)
    with pytest.raises(InputError, match="audience"):
        answer_question(pack_store, "warfarin", audience="robot")


def test_real_labels_alone_answer_with_their_own_sections(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "real.db"
    run_cli("init", "--no-starter-pack", db=db)
    assert run_cli("ingest", "openfda", str(shared("openfda_labels")), db=db).returncode == 0
    res = run_cli("ask", "--format", "json", "Is it safe to take alprazolam with oxycodone?",
                  db=db)
    ans = json.loads(res.stdout)
    assert_citations_sound(ans)
    sections = {r["section"] for r in ans["references"]}
    assert any("Risks from Concomitant Use with Opioids" in (s or "") for s in sections)
    assert {r["tier"] for r in ans["references"]} == {"label"}


def test_cli_formats(pack_db) -> None:  # type: ignore[no-untyped-def]
    for fmt, marker in (("markdown", "## References"), ("html", "<article>"),
                        ("text", "References")):
        res = run_cli("ask", "--format", fmt, SEED, db=pack_db)
        assert res.returncode == 0 and marker in res.stdout
    res = run_cli("ask", "", db=pack_db)
    assert res.returncode == 2 and res.stderr.startswith("error:")


def test_what_the_store_cannot_answer_is_said_not_filled(pack_store) -> None:  # type: ignore[no-untyped-def]
    ans = answer_question(pack_store, "Is sertraline safe in pregnancy?")
    assert any("pregnancy" in g for g in ans["evidence_gaps"])
    assert_citations_sound(ans)
    # Research about other questions (e.g. serotonin syndrome with tramadol) is not shown
    # as if it answered this one.
    assert "research" not in [s["tier"] for s in ans["sections"]]


def test_a_pair_question_shows_only_evidence_about_the_pair(pack_store) -> None:  # type: ignore[no-untyped-def]
    ans = answer_question(pack_store, "Can I take tylenol with alcohol?")
    assert [d["name"] for d in ans["drugs"]] == ["acetaminophen"]
    assert "alcohol" in ans["drug_classes"]
    assert "liver" in ans["summary"][0]["text"].lower()
    assert not any("opioid" in r["title"].lower() for r in ans["references"])
    assert_citations_sound(ans)
