"""The PubMed reader, on small invented PubmedArticleSet files."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest

from curbside.errors import InputError
from curbside.model import Deletion, Source
from curbside.sources import pubmed

FIXTURES = Path(__file__).parents[2] / "fixtures" / "pubmed"


def read_file(name: str) -> list[Source | Deletion]:
    path = FIXTURES / name
    with path.open("rb") as fh:
        return list(pubmed.read(fh, str(path)))


def test_articles_and_deletions() -> None:
    first, second, *deletions = read_file("articles.xml")
    assert isinstance(first, Source) and isinstance(second, Source)
    assert deletions == [Deletion(key="pmid:80000001"), Deletion(key="pmid:80000002")]
    assert first.key == "pmid:90000001" and first.version == "2"
    assert first.tier == "research"
    assert first.title == "Zentrazol with opioids: an example trial."
    assert first.issuer == "Journal of Example Medicine"
    assert first.year == 2021 and first.published == "2021-03-05"
    assert first.url == "https://pubmed.ncbi.nlm.nih.gov/90000001/"
    assert first.identifiers == {"pmid": "90000001", "doi": "10.0000/example.1",
                                 "pmcid": "PMC0000001"}
    assert first.meta["authors"] == ["Doe J", "Example Study Group"]
    assert first.meta["mesh"] == ["Analgesics, Opioid"]
    assert first.meta["design"] == "rct"


def test_labelled_abstract_parts_are_passages() -> None:
    first = read_file("articles.xml")[0]
    assert isinstance(first, Source)
    assert [(p.section, p.title) for p in first.passages] == [
        ("title", "Title"), ("background", "BACKGROUND"), ("results", "RESULTS"),
        ("conclusions", "CONCLUSIONS")]


def test_untitled_unlabelled_article() -> None:
    second = read_file("articles.xml")[1]
    assert isinstance(second, Source)
    assert second.title == "PMID 90000002"
    assert [(p.section, p.title) for p in second.passages] == [("abstract", "Abstract")]
    assert second.year == 2019
    assert second.identifiers["doi"] == "10.0000/example.2"
    assert second.meta["design"] == "meta-analysis"  # the strongest type wins


def test_gzip_baseline_is_detected_by_magic_bytes() -> None:
    data = gzip.compress((FIXTURES / "articles.xml").read_bytes())
    records = list(pubmed.read(io.BytesIO(data), "pubmed24n0001.xml.gz"))
    assert len(records) == 4


def test_design_mapping() -> None:
    assert pubmed.design(["Journal Article"]) is None
    assert pubmed.design(["Case Reports"]) == "case report"
    assert pubmed.design(["Observational Study", "Journal Article"]) == "observational"
    assert pubmed.design(["Practice Guideline"]) == "guideline"
    assert pubmed.design(["Systematic Review", "Review"]) == "systematic review"


def test_article_without_pmid_names_its_index() -> None:
    with pytest.raises(InputError, match="article 2: PubmedArticle has no PMID"):
        read_file("no_pmid.xml")


@pytest.mark.parametrize(("data", "message"), [
    (b"", "empty file"),
    (b"   ", "empty file"),
    ((FIXTURES / "articles.xml").read_bytes()[:1200], "malformed XML"),
    (b'{"results": []}', "not XML"),
    (b'<document xmlns="urn:hl7-org:v3"><setId root="x"/></document>', "this is SPL"),
    (b"<PubmedArticleSet><PubmedArticle>\xe9</PubmedArticle></PubmedArticleSet>",
     "malformed XML"),
    (b"\x1f\x8b\x08\x00garbage", "cannot read compressed file"),
])
def test_bad_input_is_a_one_line_input_error(data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message) as info:
        list(pubmed.read(io.BytesIO(data), "bad.xml"))
    assert "\n" not in str(info.value)


def test_entities_are_not_resolved() -> None:
    data = (b'<?xml version="1.0"?><!DOCTYPE PubmedArticleSet [<!ENTITY x SYSTEM '
            b'"file:///etc/passwd">]><PubmedArticleSet><PubmedArticle><MedlineCitation>'
            b"<PMID>1</PMID><Article><ArticleTitle>T &x;</ArticleTitle></Article>"
            b"</MedlineCitation></PubmedArticle></PubmedArticleSet>")
    (record,) = list(pubmed.read(io.BytesIO(data), "xxe.xml"))
    assert isinstance(record, Source)
    assert record.title == "T"
