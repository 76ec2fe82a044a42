"""The openFDA label reader, on small invented records in the real format."""

from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import Path

import pytest

from curbside.errors import InputError
from curbside.model import Source
from curbside.sources import openfda

FIXTURES = Path(__file__).parents[2] / "fixtures" / "openfda"


def read_file(name: str) -> list[Source]:
    path = FIXTURES / name
    with path.open("rb") as fh:
        return [r for r in openfda.read(fh, str(path)) if isinstance(r, Source)]


def read_bytes(data: bytes, path: str = "mem.json") -> list[Source]:
    return [r for r in openfda.read(io.BytesIO(data), path) if isinstance(r, Source)]


def test_api_response_gives_one_label_per_record() -> None:
    first, second = read_file("response.json")
    assert first.key == "setid:0a1b2c3d-0000-4000-8000-000000000001"
    assert first.tier == "label" and first.version == "7"
    assert first.effective == "2024-03-15" and first.year == 2024
    assert first.title == "Zentrafic (zentrazol and fictamol tablets) — label"
    assert first.issuer == "Example Pharma Inc."
    assert first.url and first.url.endswith("setid=0a1b2c3d-0000-4000-8000-000000000001")
    assert first.identifiers == {"set_id": "0a1b2c3d-0000-4000-8000-000000000001",
                                 "version": "7", "rxcui": "111,222",
                                 "openfda_id": "9f8e7d6c-0000-4000-8000-00000000aaaa"}
    assert first.drugs == ["zentrazol", "fictamol"]
    assert first.meta["pharm_class_epc"] == ["Example Class [EPC]"]
    assert "spl_id" not in first.meta
    assert first.warnings == []
    assert second.drugs == ["fictamol"]


def test_boxed_warning_comes_first_with_its_printed_heading() -> None:
    label = read_file("response.json")[0]
    boxed = label.passages[0]
    assert boxed.section == "boxed_warning"
    assert boxed.title == "WARNING: RISK OF EXAMPLE HARM WITH OPIOIDS"


def test_numbered_subsections_become_their_own_passages() -> None:
    label = read_file("response.json")[0]
    warnings = [p for p in label.passages if p.section == "warnings_and_cautions"]
    assert [p.title for p in warnings] == ["5 WARNINGS AND PRECAUTIONS",
                                          "5.1 Risks from Concomitant Use with Opioids",
                                          "5.2 Falls in Older Adults"]
    assert warnings[1].number == "5.1"
    assert warnings[1].text.startswith("5.1 Risks from Concomitant Use with Opioids Combined")
    # "( 5.1 )" in the highlights and "(see 5.2)" are references, not headings
    assert "( 5.1 )" in warnings[0].text and "(see 5.2)" in warnings[1].text
    assert "2.5 mg" in warnings[2].text


def test_non_clinical_sections_are_kept_but_flagged() -> None:
    label = read_file("response.json")[0]
    panel = [p for p in label.passages if p.section == "package_label_principal_display_panel"]
    assert panel and panel[0].facts == {"clinical": False}
    assert panel[0].title == "Package Label"


def test_missing_set_id_gives_a_stable_derived_key_with_a_warning() -> None:
    second = read_file("response.json")[1]
    again = read_file("response.json")[1]
    assert second.key.startswith("openfda:") and len(second.key) == len("openfda:") + 40
    assert second.key == again.key
    assert second.url is None
    assert any("no set_id" in w for w in second.warnings)


def test_c1_control_characters_are_stripped() -> None:
    text = read_file("response.json")[1].passages[0].text
    assert "\x85" not in text and "\x92" not in text
    assert text == "Fictamol relieves example aches. It is not for childrens use."


def test_single_record_without_openfda_block_ingests_with_a_warning() -> None:
    (label,) = read_file("single.json")
    assert label.key == "setid:0a1b2c3d-0000-4000-8000-000000000002"
    assert label.passages[0].section == "contraindications"
    assert label.passages[0].title == "4 CONTRAINDICATIONS"
    assert any("no openfda block" in w for w in label.warnings)


def test_json_lines_skip_blank_lines() -> None:
    labels = read_file("lines.jsonl")
    assert [label.drugs for label in labels] == [["alphamide"], ["betamide"]]
    assert labels[1].passages[0].title == "Warnings"


def test_zip_partition_is_detected_by_magic_bytes() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("drug-label-0001-of-0001.json", (FIXTURES / "response.json").read_bytes())
    assert len(read_bytes(buffer.getvalue(), "partition.bin")) == 2


def test_gzip_is_detected_by_magic_bytes() -> None:
    data = gzip.compress((FIXTURES / "single.json").read_bytes())
    assert len(read_bytes(data)) == 1


def test_zip_without_exactly_one_json_is_an_input_error() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.json", "{}")
        archive.writestr("b.json", "{}")
    with pytest.raises(InputError, match="holds 2 .json files"):
        read_bytes(buffer.getvalue())


def test_drug_names_split_combinations_and_drop_forms_and_salts() -> None:
    assert openfda.drug_names(["LISINOPRIL AND HYDROCHLOROTHIAZIDE TABLETS"]) == [
        "lisinopril", "hydrochlorothiazide"]
    assert openfda.drug_names(["Diphenhydramine HCl, Phenylephrine HCl"]) == [
        "diphenhydramine", "phenylephrine"]
    assert openfda.drug_names(["SODIUM BICARBONATE ORAL SOLUTION"]) == ["sodium bicarbonate"]


@pytest.mark.parametrize(("name", "message"), [
    ("truncated.json", r"truncated.json: malformed JSON at line \d+ column \d+"),
    ("empty.json", "empty file"),
    ("latin1.json", "not UTF-8 text"),
    ("no_sections.json", "record 1 .set_id .*: record has no label section text"),
    ("not_label.json", "not an openFDA label record"),
    ("bad_line.jsonl", "line 2: malformed JSON"),
])
def test_bad_input_is_a_one_line_input_error(name: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as info:
        read_file(name)
    assert "\n" not in str(info.value)
    assert info.value.path and info.value.path.endswith(name)


def test_pubmed_xml_given_to_the_openfda_reader_is_refused() -> None:
    with pytest.raises(InputError, match="XML, not openFDA JSON"):
        read_file("../pubmed/articles.xml")


def test_wrong_value_shapes_are_input_errors() -> None:
    with pytest.raises(InputError, match="results' is not a list"):
        read_bytes(b'{"meta": {}, "results": {"a": 1}}')
    with pytest.raises(InputError, match="record 1: not a JSON object"):
        read_bytes(b'[1, 2]')
    with pytest.raises(InputError, match="expected a JSON object"):
        read_bytes(b'"just a string"')
