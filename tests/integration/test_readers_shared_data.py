"""Every reader on the real public files in ../shared/data (skipped when absent)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from curbside.model import Source
from curbside.sources import openfda, pubmed, sections, spl

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def data_file(*parts: str) -> Path:
    path = DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip("../shared/data absent")
    return path


def sources(module: object, path: Path) -> list[Source]:
    with path.open("rb") as fh:
        return [r for r in module.read(fh, str(path)) if isinstance(r, Source)]  # type: ignore[attr-defined]


def test_openfda_sample_gives_30_named_labels_with_boxed_warnings() -> None:
    path = data_file("openfda_labels", "drug-label-sample.json")
    labels = sources(openfda, path)
    assert len(labels) == 30
    raw = json.loads(path.read_text(encoding="utf-8"))["results"]
    for label, record in zip(labels, raw, strict=True):
        assert label.drugs and label.title.endswith("— label") and label.issuer
        has_boxed = any(p.section == "boxed_warning" for p in label.passages)
        assert has_boxed == ("boxed_warning" in record), label.title
        assert all(not any("\x80" <= c <= "\x9f" for c in p.text) for p in label.passages)
    assert len({label.key for label in labels}) == 30
    drugs = {d for label in labels for d in label.drugs}
    assert {"alprazolam", "warfarin", "lisinopril", "hydrochlorothiazide",
            "sulfamethoxazole", "trimethoprim", "ezetimibe", "simvastatin"} <= drugs


def test_alprazolam_opioid_risk_is_its_own_passage() -> None:
    labels = sources(openfda, data_file("openfda_labels", "drug-label-sample.json"))
    alprazolam = next(label for label in labels if label.drugs == ["alprazolam"])
    titles = [p.title or "" for p in alprazolam.passages]
    assert any("Risks from Concomitant Use with Opioids" in t for t in titles), titles
    passage = next(p for p in alprazolam.passages
                   if "Risks from Concomitant Use with Opioids" in (p.title or ""))
    assert passage.section == "warnings_and_cautions" and passage.number == "5.1"


def test_every_schema_section_field_is_in_the_vocabulary() -> None:
    schema = json.loads(data_file("dailymed_spl_samples", "druglabel_schema.json")
                        .read_text(encoding="utf-8"))
    fields = {name for name, spec in schema["properties"].items()
              if spec.get("type") == "array" and not name.endswith("_table")
              and spec.get("items", {}).get("type") == "string"}
    assert fields - set(sections.SECTIONS) == set()


@pytest.mark.parametrize("name", ["cough.xml", "humira.xml", "lipitor-orig.xml",
                                  "lipitor-repack.xml", "no-title.xml"])
def test_every_spl_sample_parses(name: str) -> None:
    (label,) = sources(spl, data_file("dailymed_spl_samples", name))
    assert label.key.startswith("setid:") and label.version and label.title
    assert label.drugs and label.issuer and label.passages
    assert all(p.text.strip() for p in label.passages)


def test_spl_humira_boxed_warning_and_lipitor_subsections() -> None:
    (humira,) = sources(spl, data_file("dailymed_spl_samples", "humira.xml"))
    boxed = [p for p in humira.passages if p.section == "boxed_warning"]
    assert len(boxed) == 1 and "SERIOUS INFECTIONS" in (boxed[0].title or "")
    assert humira.drugs == ["adalimumab"]
    (repack,) = sources(spl, data_file("dailymed_spl_samples", "lipitor-repack.xml"))
    interactions = [p.title for p in repack.passages if p.section == "drug_interactions"]
    assert "7.4 Gemfibrozil" in interactions
    (haloperidol,) = sources(spl, data_file("dailymed_spl_samples", "no-title.xml"))
    assert haloperidol.title == "Haloperidol — label"
    assert [p.section for p in haloperidol.passages].count("boxed_warning") == 1
    (cough,) = sources(spl, data_file("dailymed_spl_samples", "cough.xml"))
    assert {"active_ingredient", "purpose", "do_not_use", "stop_use"} <= {
        p.section for p in cough.passages}


@pytest.mark.parametrize("name", ["pubmedqa_pqal.xml", "pubmedqa_pqal_untitled.xml"])
def test_pubmed_files_give_1000_records_with_labelled_abstracts(name: str) -> None:
    records = sources(pubmed, data_file("pubmed", name))
    assert len(records) == 1000
    assert len({r.key for r in records}) == 1000
    counts = Counter(p.section for r in records for p in r.passages)
    assert counts["conclusions"] == 1000 and counts["results"] > 900
    # a few source records carry no year ("<Year>None</Year>"): year is None, not a guess
    assert sum(1 for r in records if r.year) > 900
    assert all(r.year is None or 1900 < r.year < 2100 for r in records)
    if "untitled" in name:
        assert all(r.title.startswith("PMID ") for r in records)
    else:
        assert counts["title"] == 1000
