"""The starter pack validates, and loads as a user's store expects."""

from __future__ import annotations

import copy

from tests.conftest import SHARED

from curbside.knowledge.pack import read_pack
from curbside.knowledge.validate import validate_pack


def test_the_bundled_pack_has_no_problems() -> None:
    onc = SHARED / "data" / "onc_ddi" / "ONC_High_Priority_Mapped.csv"
    questions = SHARED / "eval" / "questions.jsonl"
    report = validate_pack(onc_csv=str(onc) if onc.exists() else None,
                           questions=str(questions) if questions.exists() else None)
    assert report["problems"] == []
    assert report["counts"]["drugs"] >= 150
    assert report["counts"]["research"] >= 60


def test_validation_catches_what_a_reviewer_would() -> None:
    pack = copy.deepcopy(read_pack())
    pack.drugs.append(copy.deepcopy(pack.drugs[0]))                  # duplicate drug
    pack.drugs[1].setdefault("brands", []).append(pack.drugs[2]["name"])  # alias clash
    pack.drugs[3]["label"]["verified"] = []                          # no provenance
    pack.research[0]["pmid"] = "12ab"                                 # not a PMID
    pack.interactions[0]["sources"] = ["label:no-such-drug#boxed_warning"]
    problems = "\n".join(validate_pack(pack)["problems"])
    assert f"drug {pack.drugs[0]['name']!r} appears more than once" in problems
    assert "is also a drug's own name" in problems
    assert "no 'verified' URLs" in problems
    assert "is not a number" in problems
    assert "does not resolve" in problems


def test_stats_show_the_pack_version(pack_store) -> None:  # type: ignore[no-untyped-def]
    assert pack_store.stats()["pack_version"] == read_pack().version
