"""The article page as a reader checks it: the seed question, tiers, citations, references."""

from __future__ import annotations

from fastapi.testclient import TestClient

from curbside import articles
from tests.web.conftest import SEED, TIER_HEADINGS, page


def test_asking_redirects_to_a_stable_article_url(client: TestClient, seed_url: str) -> None:
    assert seed_url.startswith("/articles/")
    _, _, aid, slug = seed_url.split("/")
    assert len(aid) == 16 and slug.startswith("what-are-the-concerns")
    again = client.post("/ask", data={"question": "  what are the concerns of a patient "
                                                  "remaining on opioid medication and clonazepam "
                                                  "(klonopin)  ", "audience": "clinician"},
                        follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == seed_url
    listed = client.get("/api/v1/articles", params={"q": "klonopin clonazepam"}).json()
    assert sum(1 for a in listed["items"] if a["url"] == seed_url) == 1


def test_seed_article_has_the_three_tiers_and_resolving_citations(client: TestClient,
                                                                   seed_url: str) -> None:
    r = client.get(seed_url)
    assert r.status_code == 200
    doc = page(r.text)
    assert doc.xpath("string(//h1)").strip() == SEED
    headings = [h.text_content().strip() for h in doc.xpath("//h2")]
    for heading in TIER_HEADINGS + ("Bottom line", "Key concerns", "References"):
        assert heading in headings
    cited = {a.get("href")[1:] for a in doc.xpath("//sup[@class='cites']/a")}
    assert cited, "statements carry citations"
    ref_ids = {li.get("id") for li in doc.xpath("//section[@class='references']//li[@id]")}
    assert cited <= ref_ids, f"citations without a reference: {cited - ref_ids}"
    assert ref_ids <= cited, f"references never cited: {ref_ids - cited}"
    for tier in ("guideline", "label", "research"):
        items = doc.xpath(f"//section[contains(@class,'tier-{tier}')]//li")
        assert items and all(li.xpath(".//sup[@class='cites']/a") for li in items)
    outbound = [a.get("href") for a in doc.xpath("//a[contains(@class,'ref-link')]")]
    assert any(h.startswith("https://pubmed.ncbi.nlm.nih.gov/") for h in outbound)
    assert any("dailymed" in h or "fda.gov" in h for h in outbound)


def test_article_shows_review_status_banner_and_policy_link(client: TestClient,
                                                            seed_url: str) -> None:
    doc = page(client.get(seed_url).text)
    assert "Medical Advisory Board" in doc.xpath("string(//p[@class='badge'])")
    steps = [li.text_content().strip() for li in doc.xpath("//ol[@class='steps']/li")]
    assert steps == ["Submitted", "Under Review", "Approved"]
    assert doc.xpath("//ol[@class='steps']/li[@aria-current='step']")[0].text_content() \
        .strip() == "Submitted"
    banner = doc.xpath("string(//p[@class='banner'])")
    assert banner == ("Educational purpose only • Exercise caution as content is pending "
                      "human review")
    assert "Last updated" in doc.xpath("string(//p[@class='meta'])")
    assert doc.xpath("//article//a[@href='/editorial-policy']")
    assert doc.xpath("string(//aside[@class='disclaimer'])").strip()


def test_approved_article_has_no_pending_banner(client: TestClient, app: object) -> None:
    r = client.post("/ask", data={"question": "Does sertraline interact with tramadol?"},
                    follow_redirects=False)
    aid = r.headers["location"].split("/")[2]
    with app.state.pool.use() as store:  # type: ignore[attr-defined]
        articles.set_status(store, aid, "approved")
    doc = page(client.get(r.headers["location"]).text)
    assert not doc.xpath("//p[@class='banner']")
    current = doc.xpath("//ol[@class='steps']/li[@aria-current='step']")[0]
    assert current.text_content().strip() == "Approved"


def test_switching_to_patient_changes_the_text_and_is_remembered(fresh_client: TestClient,
                                                                 seed_url: str) -> None:
    clinician = page(fresh_client.get(seed_url).text)
    r = fresh_client.get(seed_url, params={"audience": "patient"})
    assert r.status_code == 200
    assert r.cookies.get("curbside_audience") == "patient"
    patient = page(r.text)
    assert patient.xpath("//input[@name='audience' and @value='patient']/@checked")
    legend = patient.xpath("string(//fieldset/legend)")
    assert legend == "Which best describes you?"
    line = "string(//section[@class='bottom-line'])"
    assert clinician.xpath(line) != patient.xpath(line)
    assert "doctor or pharmacist" in patient.xpath(line)
    assert clinician.xpath("string(//aside)") != patient.xpath("string(//aside)")
    # The choice is remembered: the same URL without a parameter stays in the patient register.
    again = page(fresh_client.get(seed_url).text)
    assert again.xpath(line) == patient.xpath(line)
    assert again.xpath("string(//h1)").strip() == SEED


def test_every_audience_renders(fresh_client: TestClient, seed_url: str) -> None:
    for audience in ("clinician", "pharmacist", "nurse", "student", "patient"):
        r = fresh_client.get(seed_url, params={"audience": audience})
        assert r.status_code == 200
        assert page(r.text).xpath(f"//input[@value='{audience}']/@checked")


def test_follow_up_carries_the_drugs_over(client: TestClient, seed_url: str) -> None:
    aid = seed_url.split("/")[2]
    r = client.post(f"/articles/{aid}/follow-up",
                    data={"question": "what about gabapentin instead?"}, follow_redirects=False)
    assert r.status_code == 303
    follow = r.headers["location"]
    assert follow != seed_url
    doc = page(client.get(follow).text)
    assert doc.xpath("string(//h1)").strip() == "what about gabapentin instead?"
    text = doc.text_content().lower()
    assert "gabapentin" in text
    assert "opioid" in doc.xpath("string(//section[@class='bottom-line'])").lower()
    assert doc.xpath(f"//a[@href='{seed_url}']"), "links back to the article it follows"
    parent = page(client.get(seed_url).text)
    assert parent.xpath(f"//a[@href='{follow}']"), "the parent lists its follow-up"
    data = client.get(f"/api/v1/articles/{follow.split('/')[2]}").json()
    assert data["parent_id"] == aid
    assert {"clonazepam", "opioid"} & set(data["context"]["drugs"] + data["context"]["classes"])


def test_suggested_follow_up_links_create_linked_articles(client: TestClient,
                                                          seed_url: str) -> None:
    doc = page(client.get(seed_url).text)
    links = doc.xpath("//ul[@class='suggested']//a")
    assert links
    r = client.get(links[0].get("href"), follow_redirects=False)
    assert r.status_code == 303
    target = page(client.get(r.headers["location"]).text)
    assert target.xpath("string(//h1)").strip() == links[0].text_content().strip()


def test_emergency_alert_comes_before_everything(client: TestClient) -> None:
    r = client.post("/ask", data={"question": "my husband took too many oxycodone and is not "
                                              "breathing"})
    assert r.status_code == 200  # followed the redirect
    doc = page(r.text)
    alert = doc.xpath("//main//div[@role='alert']")
    assert alert and "911" in alert[0].text_content()
    main_children = doc.xpath("//div[@id='article-view']/*")
    assert main_children[0] is alert[0]


def test_question_without_evidence_says_so(client: TestClient) -> None:
    r = client.post("/ask", data={"question": "Is xylophonazine safe with grapefruit?"})
    assert r.status_code == 200
    assert "Not enough evidence" in r.text


def test_slug_and_short_urls_redirect_to_the_canonical_one(client: TestClient,
                                                          seed_url: str) -> None:
    aid = seed_url.split("/")[2]
    for url in (f"/articles/{aid}", f"/articles/{aid}/wrong-slug"):
        r = client.get(url, follow_redirects=False)
        assert r.status_code == 308 and r.headers["location"] == seed_url


def test_unknown_article_is_a_404_page(client: TestClient) -> None:
    r = client.get("/articles/0000000000000000/nothing")
    assert r.status_code == 404
    assert "text/html" in r.headers["content-type"]
    assert page(r.text).xpath("string(//h1)") == "Page not found"
