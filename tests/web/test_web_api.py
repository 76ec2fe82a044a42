"""The REST API: answers, articles, search, sources, health, OpenAPI."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.web.conftest import SEED, TIER_HEADINGS


def test_post_answer_returns_the_answer_contract(client: TestClient) -> None:
    r = client.post("/api/v1/answers", json={"question": SEED, "audience": "pharmacist"})
    assert r.status_code == 200
    ans = r.json()
    assert ans["schema"] == "curbside.answer/1" and ans["audience"] == "pharmacist"
    assert [s["heading"] for s in ans["sections"]] == list(TIER_HEADINGS)
    numbers = {ref["n"] for ref in ans["references"]}
    cited = {n for sec in ans["sections"] for st in sec["statements"] for n in st["citations"]}
    assert cited and cited <= numbers
    assert "clonazepam" in [d["name"] for d in ans["drugs"]]


def test_follow_up_answer_in_context(client: TestClient) -> None:
    first = client.post("/api/v1/answers", json={"question": SEED}).json()
    r = client.post("/api/v1/answers", json={"question": "what about gabapentin instead?",
                                             "context": first["context"]})
    assert r.status_code == 200
    ans = r.json()
    names = [d["name"] for d in ans["drugs"]] + ans["drug_classes"]
    assert "gabapentin" in names and ("opioid" in names or "clonazepam" in names)


def test_post_articles_creates_once_and_lists(client: TestClient) -> None:
    body = {"question": "Can a patient on warfarin take ibuprofen?", "audience": "nurse"}
    a = client.post("/api/v1/articles", json=body)
    b = client.post("/api/v1/articles", json=body)
    assert a.status_code == b.status_code == 201
    assert a.json()["id"] == b.json()["id"]
    art = a.json()
    assert art["status"] == "submitted" and art["revision"] == 1
    assert art["answer"]["schema"] == "curbside.answer/1"
    got = client.get(f"/api/v1/articles/{art['id']}").json()
    assert got["question"] == body["question"]
    follow = client.post("/api/v1/articles", json={"question": "what about naproxen?",
                                                   "follow_up_of": art["id"]}).json()
    assert follow["parent_id"] == art["id"] and follow["audience"] == "clinician"


def test_article_listing_filters_and_paginates(client: TestClient) -> None:
    for q in ("Is tramadol risky with sertraline?", "What about lorazepam with oxycodone?",
              "Can methadone be taken with alprazolam?"):
        client.post("/api/v1/articles", json={"question": q})
    page1 = client.get("/api/v1/articles", params={"per_page": 2}).json()
    assert page1["per_page"] == 2 and len(page1["items"]) == 2
    assert page1["total"] >= 3 and page1["pages"] == -(-page1["total"] // 2)
    page2 = client.get("/api/v1/articles", params={"per_page": 2, "page": 2}).json()
    assert {a["id"] for a in page1["items"]}.isdisjoint({a["id"] for a in page2["items"]})
    by_drug = client.get("/api/v1/articles", params={"drug": "Xanax"}).json()  # brand name
    assert by_drug["items"] and all("alprazolam" in a["drugs"] for a in by_drug["items"])
    by_text = client.get("/api/v1/articles", params={"q": "methadone"}).json()
    assert by_text["items"][0]["question"] == "Can methadone be taken with alprazolam?"
    by_tier = client.get("/api/v1/articles", params={"tier": "research"}).json()
    assert all("research" in a["tiers"] for a in by_tier["items"])
    assert client.get("/api/v1/articles", params={"tier": "astrology"}).status_code == 422


def test_search_and_sources(client: TestClient) -> None:
    r = client.get("/api/v1/search", params={"q": "respiratory depression benzodiazepines"})
    assert r.status_code == 200
    hits = r.json()["results"]
    assert hits
    src = client.get(f"/api/v1/sources/{hits[0]['source_id']}")
    assert src.status_code == 200
    body = src.json()
    assert body["id"] == hits[0]["source_id"] and body["passages"]
    missing = client.get("/api/v1/sources/pubmed:0@0")
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"


def test_health_and_openapi(client: TestClient) -> None:
    h = client.get("/healthz").json()
    assert h["status"] == "ok" and h["sources"] > 0 and h["schema_version"] >= 2
    spec = client.get("/openapi.json").json()
    for path in ("/api/v1/answers", "/api/v1/articles", "/api/v1/articles/{article_id}",
                 "/api/v1/search", "/api/v1/sources/{source_id}", "/healthz"):
        assert path in spec["paths"], path
    docs = client.get("/docs")
    assert docs.status_code == 200 and "POST /api/v1/answers" in docs.text


def test_concurrent_asks_make_one_article(app: object) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from curbside import articles

    pool = app.state.pool  # type: ignore[attr-defined]

    def ask(_: int) -> str:
        with pool.use() as store:
            return str(articles.ask_article(store, "Is it safe to take zolpidem with "
                                                   "hydrocodone?")[0]["id"])

    with ThreadPoolExecutor(8) as ex:
        ids = set(ex.map(ask, range(16)))
    assert len(ids) == 1
    with pool.use() as store:
        n = store.db.execute("SELECT count(*) FROM articles WHERE id = ?",
                             (ids.pop(),)).fetchone()[0]
    assert n == 1
