"""FDA pharmacologic class names (openFDA EPC/MoA) -> our classes, and what that reaches."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import shared

from curbside.answer.engine import answer_question
from curbside.ingest import ingest_file
from curbside.knowledge.pharm_classes import class_name, classes_for, unmapped
from curbside.store import init_store


def test_names_map_to_class_keys() -> None:
    assert class_name("Opioid Agonist [EPC]") == "opioid agonist"
    meta = {"pharm_class_epc": ["Benzodiazepine [EPC]"],
            "pharm_class_moa": ["Hydroxymethylglutaryl-CoA Reductase Inhibitors [MoA]"]}
    assert classes_for(meta) == {"benzodiazepine", "statin"}
    # A CYP3A4 inhibitor by MoA is not thereby a *strong* one: no class.
    assert classes_for({"pharm_class_moa": ["Cytochrome P450 3A4 Inhibitors [MoA]"]}) == set()


def test_every_class_name_of_the_real_labels_is_in_the_mapping() -> None:
    records = json.loads(shared("openfda_labels", "drug-label-sample.json").read_text())
    assert [n for r in records["results"] for n in unmapped(r["openfda"])] == []


def test_a_drug_the_pack_never_named_joins_its_class_rules(tmp_path: Path) -> None:
    # A label in the real openFDA shape for a benzodiazepine the pack has no digest for.
    records = json.loads(shared("openfda_labels", "drug-label-sample.json").read_text())
    diazepam = next(r for r in records["results"]
                    if r["openfda"]["generic_name"] == ["DIAZEPAM"])
    label = {**diazepam, "openfda": {**diazepam["openfda"], "generic_name": ["CLOBAZAM"],
                                     "brand_name": ["Testlabel"]}}
    path = tmp_path / "clobazam.json"
    path.write_text(json.dumps(label))
    store = init_store(tmp_path / "s.db")
    res = ingest_file(store, "openfda", str(path))
    assert res.error is None
    ans = answer_question(store, "clobazam with oxycodone?")
    assert "benzodiazepine" in ans["drugs"][0]["classes"]
    pair = ans["interactions"][0]
    assert pair["severity"] == "major"
    assert "rule" in {f["kind"] for f in pair["findings"]}


def test_label_sentences_get_a_level_only_from_their_own_words() -> None:
    from curbside.answer.interactions import label_severity

    co_use = "Concomitant use with strong CYP3A4 inhibitors is contraindicated."
    assert label_severity("drug_interactions", [co_use]) == "contraindicated"
    assert label_severity("contraindications",
                          ["Known hypersensitivity to NSAIDs or aspirin."]) == "listed"
    assert label_severity("boxed_warning", ["Concomitant use with opioids may result in "
                                            "profound sedation."]) == "major"
    assert label_severity("warnings_and_cautions", ["Use with warfarin may raise the "
                                                    "INR."]) == "listed"
