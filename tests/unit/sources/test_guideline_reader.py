"""The guideline reader (Markdown with YAML front matter)."""

from __future__ import annotations

from pathlib import Path

import pytest

from curbside.errors import InputError
from curbside.model import Grade, Source
from curbside.sources import guideline

FIXTURES = Path(__file__).parents[2] / "fixtures" / "guideline"


def read_file(name: str) -> Source:
    path = FIXTURES / name
    with path.open("rb") as fh:
        (record,) = list(guideline.read(fh, str(path)))
    assert isinstance(record, Source)
    return record


def test_front_matter_becomes_provenance() -> None:
    g = read_file("example-2024.md")
    assert g.key == "guideline:example-guideline-2024" and g.tier == "guideline"
    assert g.version == "2024.1" and g.year == 2024 and g.published == "2024-02-01"
    assert g.issuer == "Example Society" and g.url == "https://example.org/guideline-2024"
    assert g.identifiers == {"doi": "10.0000/eg.2024", "guideline_id": "example-guideline-2024"}
    assert g.supersedes == "guideline:example-guideline-2020"
    assert g.status == "current" and g.superseded_by is None
    assert g.meta["about"] == ["zentrazol", "benzodiazepine"]
    assert g.meta["grading"]["strength"]["A"] == "Applies to most people."
    assert g.meta["verified"] == ["https://example.org/check"]
    assert g.meta["scope"] == "Invented for tests."
    assert g.drugs == [] and g.classes == []


def test_recommendations_with_grades() -> None:
    first, second = read_file("example-2024.md").passages
    assert first.section == "recommendation" and first.number == "3"
    assert first.title == "Recommendation 3"
    assert first.grade == Grade(scheme="Example 2024", strength="A", evidence="2")
    assert first.about == ["zentrazol", "opioid"] and first.concerns == ["resp", "sedation"]
    assert first.facts == {"verified": ["https://example.org/check#3"]}
    assert first.text == ("Invented wording: avoid combining zentrazol with opioids.\n"
                          "A second paragraph of the same recommendation.")
    assert second.number == "2" and second.title == "Zentrazol in older adults"
    assert second.grade == Grade(scheme="Example 2024", strength="B", evidence=None)


def test_regulatory_communication_needs_no_grading() -> None:
    dsc = read_file("regulatory.md")
    assert dsc.tier == "regulatory" and dsc.version == "2023"
    assert dsc.passages[0].grade is None and dsc.passages[0].about == ["zentrazol"]


@pytest.mark.parametrize(("name", "message"), [
    ("missing_issuer.md", "missing required field 'issuer'"),
    ("missing_scheme.md", "missing required field 'grading.scheme'"),
    ("bad_strength.md", r"line \d+ \(Zentrazol in older adults\): strength 'C' is not in "
                        "the grading legend"),
    ("unknown_attribute.md", "unknown attribute 'colour'"),
    ("bad_yaml.md", "front matter is not valid YAML"),
    ("latin1.md", "not UTF-8 text"),
])
def test_bad_files_are_one_line_input_errors(name: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as info:
        read_file(name)
    assert "\n" not in str(info.value)


def test_structural_errors(tmp_path: Path) -> None:
    cases = {
        "": "empty file",
        "# no front matter\n": "no YAML front matter",
        "---\nid: x\n": "not closed",
        "---\n- a\n---\n": "must be a YAML mapping",
        "---\nid: x\ntitle: T\nissuer: I\nyear: 20\nurl: u\n---\n": "four-digit year",
        "---\nid: x\ntitle: T\nissuer: I\nyear: 2020\nurl: u\ntier: blog\n---\n": "'tier'",
        "---\nid: x\ntier: regulatory\ntitle: T\nissuer: I\nyear: 2020\nurl: u\n---\n":
            "no recommendations",
        "---\nid: x\ntier: regulatory\ntitle: T\nissuer: I\nyear: 2020\nurl: u\n---\n"
        "## Heading only\nabout: [a]\n": "has no text",
    }
    for text, message in cases.items():
        path = tmp_path / "g.md"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(InputError, match=message), path.open("rb") as fh:
            list(guideline.read(fh, str(path)))


def test_starter_pack_guidelines_parse() -> None:
    pack = Path(__file__).parents[3] / "src" / "curbside" / "knowledge" / "pack" / "guidelines"
    files = sorted(pack.glob("*.md"))
    if not files:
        pytest.skip("starter pack guidelines absent")
    for path in files:
        with path.open("rb") as fh:
            (g,) = list(guideline.read(fh, str(path)))
        assert isinstance(g, Source) and g.passages
