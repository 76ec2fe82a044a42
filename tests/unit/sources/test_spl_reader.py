"""The DailyMed SPL reader, on a small invented SPL document."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from curbside.errors import InputError
from curbside.model import Source
from curbside.sources import spl

FIXTURES = Path(__file__).parents[2] / "fixtures" / "spl"


def read_file(name: str) -> Source:
    path = FIXTURES / name
    with path.open("rb") as fh:
        (record,) = list(spl.read(fh, str(path)))
    assert isinstance(record, Source)
    return record


def test_document_fields() -> None:
    label = read_file("minimal.xml")
    assert label.key == "setid:aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
    assert label.version == "3" and label.tier == "label"
    assert label.effective == "2024-03-15" and label.year == 2024
    assert label.title == "ZENTRAFIC (zentrazol) tablets"
    assert label.issuer == "Example Pharma Inc."
    assert label.drugs == ["zentrazol"]
    assert label.meta["product_names"] == ["Zentrafic"]
    assert label.identifiers["set_id"] == "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"


def test_sections_map_by_loinc_code_and_keep_printed_titles() -> None:
    label = read_file("minimal.xml")
    got = [(p.section, p.title) for p in label.passages]
    assert got == [
        ("boxed_warning", "WARNING: EXAMPLE SEDATION RISK"),
        ("warnings_and_cautions", "5.1 Risks from Concomitant Use with Opioids"),
        ("dosage_and_administration", "2 DOSAGE AND ADMINISTRATION"),
        ("pediatric_use", "8.4 Pediatric Use"),
    ]
    sub = label.passages[1]
    assert sub.number == "5.1"
    assert sub.text.splitlines() == ["Example text about opioids and sedation.",
                                     "Monitor breathing.", "Use the lowest dose.",
                                     "Deeper note", "Nested example detail."]


def test_a_box_nested_in_another_section_is_not_a_boxed_warning() -> None:
    label = read_file("minimal.xml")
    assert [p.section for p in label.passages].count("boxed_warning") == 1
    dosing = label.passages[2]
    assert "Dose box: 1 mg to 2 mg." in dosing.text


def test_entities_are_never_resolved() -> None:
    label = read_file("xxe.xml")
    assert all("root:" not in p.text for p in label.passages)
    assert label.passages[0].section == "contraindications"
    assert label.title == "Drug label aaaaaaaa-0000-0000-0000-000000000000"


@pytest.mark.parametrize(("name", "message"), [
    ("truncated.xml", "malformed XML at line"),
    ("no_setid.xml", "no setId"),
    ("../openfda/single.json", "JSON, not SPL XML"),
    ("../pubmed/articles.xml", "not an SPL <document>.*pubmed reader"),
])
def test_bad_input_is_a_one_line_input_error(name: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as info:
        read_file(name)
    assert "\n" not in str(info.value)


def test_empty_and_sectionless_documents_are_input_errors() -> None:
    with pytest.raises(InputError, match="empty file"):
        list(spl.read(io.BytesIO(b"  \n"), "empty.xml"))
    bare = b'<document xmlns="urn:hl7-org:v3"><setId root="x-1"/></document>'
    with pytest.raises(InputError, match="setId x-1: SPL document has no section text"):
        list(spl.read(io.BytesIO(bare), "bare.xml"))
    with pytest.raises(InputError, match="malformed XML"):
        list(spl.read(io.BytesIO(b"<document>\xe9</document>"), "latin1.xml"))
