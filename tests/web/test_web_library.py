"""The library, home and editorial policy pages."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.web.conftest import SEED, page


def test_home_has_ask_box_and_recent_articles(client: TestClient, seed_url: str) -> None:
    doc = page(client.get("/").text)
    form = doc.xpath("//form[@action='/ask']")[0]
    assert form.xpath(".//textarea[@name='question']") and form.xpath(".//label[@for='question']")
    assert doc.xpath(f"//a[@href='{seed_url}']")


def test_library_search_and_filters(client: TestClient, seed_url: str) -> None:
    doc = page(client.get("/library", params={"q": "klonopin"}).text)
    assert doc.xpath(f"//ul[@class='article-list']//a[@href='{seed_url}']")
    doc = page(client.get("/library", params={"drug": "clonazepam", "tier": "label"}).text)
    assert doc.xpath(f"//ul[@class='article-list']//a[@href='{seed_url}']")
    assert doc.xpath("//select[@name='drug']/option[@value='clonazepam']/@selected")
    doc = page(client.get("/library", params={"q": "zzzznotaword"}).text)
    assert "0 articles" in doc.xpath("string(//p[@role='status'])")
    assert client.get("/library", params={"tier": "nope"}).status_code == 422
    assert client.get("/library", params={"page": "x"}).status_code == 422


def test_library_paginates(client: TestClient) -> None:
    for i in range(21):
        client.post("/api/v1/articles", json={"question": f"Paging test {i}: clonazepam?"})
    doc = page(client.get("/library").text)
    nav = doc.xpath("//nav[@aria-label='Pages']")
    assert nav and nav[0].xpath(".//a[@rel='next']")
    second = page(client.get("/library", params={"page": 2}).text)
    assert second.xpath("//span[@aria-current='page']")[0].text == "2"
    assert second.xpath("//ul[@class='article-list']/li")


def test_editorial_policy_matches_the_software(client: TestClient) -> None:
    doc = page(client.get("/editorial-policy").text)
    text = doc.text_content()
    for phrase in ("deterministic", "Submitted", "Under Review", "Approved", "Superseded by",
                   "From the Guidelines", "From the FDA Drug Label", "From the Research",
                   "report an error"):
        assert phrase in text, phrase
    assert SEED not in text


def test_pages_are_labelled_for_keyboard_and_screen_readers(client: TestClient,
                                                           seed_url: str) -> None:
    for url in ("/", "/library", seed_url):
        doc = page(client.get(url).text)
        assert doc.xpath("//a[@class='skip-link' and @href='#main']")
        assert len(doc.xpath("//h1")) == 1
        assert doc.xpath("//main[@id='main']") and doc.xpath("//nav")
        for field in doc.xpath("//textarea | //select | //input[@type!='hidden']"):
            fid = field.get("id")
            labelled = (fid and doc.xpath(f"//label[@for='{fid}']")) or \
                field.getparent().tag == "label"
            assert labelled, f"{url}: unlabelled field {field.get('name')}"
        assert doc.xpath("//meta[@name='viewport']")
        assert doc.get("lang") == "en"


def test_pages_answer_head_requests(client: TestClient, seed_url: str) -> None:
    for url in ("/", "/library", "/editorial-policy", "/docs", seed_url):
        r = client.head(url)
        assert r.status_code == 200 and not r.content, url
