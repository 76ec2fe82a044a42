"""The readable source pages and the grouped references that link to them."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from urllib.parse import unquote

from fastapi.testclient import TestClient

from tests.web.conftest import page


def _refs(doc: object) -> list[object]:
    return doc.xpath("//section[@class='references']//li[@class='ref-group']")  # type: ignore[attr-defined]


def test_references_are_grouped_one_entry_per_source(client: TestClient, seed_url: str) -> None:
    doc = page(client.get(seed_url).text)
    groups = _refs(doc)
    titles = [g.xpath("string(.//cite)") for g in groups]
    assert titles and len(titles) == len(set(titles)), Counter(titles).most_common(2)
    numbers = [int(li.get("id")[4:]) for g in groups for li in g.xpath(".//li[@id]")]
    assert sorted(numbers) == list(range(1, len(numbers) + 1))
    # The FDA safety communication cited for three of its parts is listed once, three items.
    fda = [g for g in groups if "serious risks" in g.xpath("string(.//cite)")]
    assert len(fda) == 1 and len(fda[0].xpath(".//li[@id]")) >= 2


def test_each_reference_links_back_to_the_statements_that_cite_it(client: TestClient,
                                                                  seed_url: str) -> None:
    doc = page(client.get(seed_url).text)
    for li in doc.xpath("//section[@class='references']//li[@id]"):
        n = li.get("id")
        backs = li.xpath(".//span[@class='cited-by']/a/@href")
        assert backs, f"{n} has no back-link"
        for href in backs:
            target = doc.xpath(f"//*[@id='{href[1:]}']")
            assert len(target) == 1, href
            assert f"#{n}" in target[0].xpath(".//sup[@class='cites']/a/@href"), (n, href)


def test_references_open_the_readable_source_page(client: TestClient, seed_url: str) -> None:
    doc = page(client.get(seed_url).text)
    links = doc.xpath("//a[@class='source-link']/@href")
    assert links and all(h.startswith("/sources/") for h in links)
    assert not doc.xpath("//section[@class='references']//a[starts-with(@href,'/api/')]")
    for href in links:
        r = client.get(href)
        assert r.status_code == 200, href
        assert "text/html" in r.headers["content-type"]
        src = page(r.text)
        assert src.xpath("string(//h1)").strip()
        assert src.xpath(f"//a[@href='/api/v1/sources/{href[len('/sources/'):]}']"), \
            "the JSON stays at the API, linked from the page"


def test_guideline_page_has_identifiers_grades_and_its_successor(client: TestClient,
                                                                  seed_url: str) -> None:
    r = client.get("/sources/guideline:cdc-opioids-2016@2016")
    assert r.status_code == 200
    doc = page(r.text)
    assert "2016" in doc.xpath("string(//h1)")
    facts = doc.xpath("string(//dl[@class='facts'])")
    for text in ("Centers for Disease Control and Prevention", "26987082",
                 "10.15585/mmwr.rr6501e1", "Retrieved", "Superseded"):
        assert text in facts, text
    outs = doc.xpath("//p[@class='link-outs']/a/@href")
    assert "https://pubmed.ncbi.nlm.nih.gov/26987082/" in outs
    assert "https://doi.org/10.15585/mmwr.rr6501e1" in outs
    successor = doc.xpath("//p[contains(@class,'alert-superseded')]/a")
    assert successor and "2022" in successor[0].text_content()
    assert unquote(successor[0].get("href")) == "/sources/guideline:cdc-opioids-2022@2022"
    legend = doc.xpath("string(//section[@class='grade-legend'])")
    assert "Category A" in legend and "Type 1" in legend
    recs = [h.text_content() for h in doc.xpath("//section[@class='source-sections']//h3")]
    assert "Recommendation 11" in recs and len(recs) == 12
    # The seed article cites the superseded 2016 guideline (shown as superseded there).
    citing = doc.xpath("//section[@aria-labelledby='citing-heading']//a/@href")
    assert seed_url in citing


def _source_links(client: TestClient, url: str, tier: str) -> list[str]:
    doc = page(client.get(url).text)
    return [g.xpath("string(.//a[@class='source-link']/@href)") for g in _refs(doc)
            if g.xpath("string(.//span[@class='ref-tier'])").strip() == tier]


def test_label_page_links_out_to_dailymed_and_lists_its_sections(client: TestClient,
                                                                 seed_url: str) -> None:
    labels = _source_links(client, seed_url, "FDA drug label")
    assert labels, "the seed article cites a label"
    doc = page(client.get(labels[0]).text)
    outs = doc.xpath("//p[@class='link-outs']/a/@href")
    set_id = client.get("/api/v1/sources/" + labels[0][len("/sources/"):]).json()[
        "identifiers"]["set_id"]
    assert any(h.startswith("https://dailymed.nlm.nih.gov/") and set_id in h for h in outs)
    assert "Current version" in doc.xpath("string(//p[@class='current-mark'])")
    sections = [h.text_content() for h in doc.xpath("//section[@class='source-sections']//h3")]
    assert "Boxed Warning" in sections and sections.count("Boxed Warning") == 1
    assert doc.xpath("//ul[@class='versions']/li")
    assert "Package insert" in doc.xpath("string(//span[@id='ama-source'])")


def test_unknown_source_is_a_404_page(client: TestClient) -> None:
    r = client.get("/sources/pubmed:0@0")
    assert r.status_code == 404 and "text/html" in r.headers["content-type"]
    assert "no source" in r.text


def test_article_says_how_current_its_evidence_is(client: TestClient, seed_url: str) -> None:
    doc = page(client.get(seed_url).text)
    meta = doc.xpath("string(//span[@class='evidence-as-of'])")
    dates = []
    for href in doc.xpath("//a[@class='source-link']/@href"):
        s = client.get("/api/v1/sources/" + href[len("/sources/"):]).json()
        dates.append(str(s["effective"] or s["published"] or s["year"]))
    newest = datetime.fromisoformat(max(dates)[:10]) if len(max(dates)) > 4 else None
    expected = f"{newest:%B} {newest.day}, {newest.year}" if newest else max(dates)
    assert meta == f"Evidence as of {expected}"
