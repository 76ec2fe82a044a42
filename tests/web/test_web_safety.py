"""Hostile input, limits and headers: escaped text, CSP, the error envelope, no 5xx."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from curbside.config import Settings
from curbside.web import create_app
from tests.web.conftest import SEED, page

ENVELOPE_KEYS = {"status", "error", "detail"}


def assert_envelope(r: object, status: int, error: str) -> None:
    assert r.status_code == status  # type: ignore[attr-defined]
    assert r.headers["content-type"].startswith("application/json")  # type: ignore[attr-defined]
    body = r.json()  # type: ignore[attr-defined]
    assert set(body) == ENVELOPE_KEYS
    assert body["status"] == status and body["error"] == error
    assert isinstance(body["detail"], str) and body["detail"] and "\n" not in body["detail"]


def test_script_in_a_question_is_shown_as_text(client: TestClient) -> None:
    q = "<script>alert('x')</script> clonazepam with opioids?"
    r = client.post("/ask", data={"question": q})
    assert r.status_code == 200
    assert "<script>alert" not in r.text
    assert "&lt;script&gt;alert(" in r.text
    assert page(r.text).xpath("string(//h1)").strip() == q
    lib = client.get("/library", params={"q": "alert clonazepam"})
    assert "<script>alert" not in lib.text and "&lt;script&gt;" in lib.text


@pytest.mark.parametrize("url", ["/", "/library", "/editorial-policy", "/docs", "/healthz",
                                 "/api/v1/articles", "/nowhere", "/static/site.css"])
def test_csp_forbids_inline_scripts_everywhere(client: TestClient, url: str) -> None:
    csp = client.get(url).headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert directives["frame-ancestors"] == "'none'"


def test_pages_have_no_inline_script_or_style(client: TestClient, seed_url: str) -> None:
    for url in ("/", "/library", "/editorial-policy", "/docs", seed_url, "/nowhere",
                "/sources/guideline:cdc-opioids-2022@2022", "/login"):
        html = client.get(url).text
        doc = page(html)
        for script in doc.xpath("//script"):
            assert script.get("src", "").startswith("/static/"), url
            assert not (script.text or "").strip(), url
        assert not doc.xpath("//*[@style]"), url
        assert not doc.xpath("//style"), url
        assert not re.search(r"\son[a-z]+\s*=", html), url


def test_htmx_is_served_locally_and_told_to_inject_no_styles(client: TestClient) -> None:
    r = client.get("/static/htmx.min.js")
    assert r.status_code == 200 and "htmx" in r.text[:200]
    meta = page(client.get("/").text).xpath("//meta[@name='htmx-config']/@content")
    assert meta and json.loads(meta[0])["includeIndicatorStyles"] is False
    assert client.get("/static/site.js").status_code == 200


def test_error_envelope_shape_is_pinned(client: TestClient) -> None:
    assert_envelope(client.get("/api/v1/articles/nope"), 404, "not_found")
    assert_envelope(client.post("/api/v1/answers", json={"question": SEED, "audience": "cat"}),
                    422, "invalid_input")
    assert_envelope(client.post("/api/v1/answers", json={"question": "x" * 2001}),
                    422, "invalid_input")
    assert_envelope(client.post("/api/v1/answers", json={"question": "   "}),
                    422, "invalid_input")
    assert_envelope(client.post("/api/v1/answers", content=b"{not json",
                                headers={"content-type": "application/json"}),
                    422, "invalid_input")
    assert_envelope(client.post("/api/v1/answers", json={"question": "q", "extra": 1}),
                    422, "invalid_input")
    assert_envelope(client.get("/api/v1/answers"), 405, "method_not_allowed")
    assert_envelope(client.get("/api/v1/articles", params={"page": 0}), 422, "invalid_input")


def test_question_length_message_names_the_limit(client: TestClient,
                                                 settings: Settings) -> None:
    n = settings.max_question_chars + 1
    r = client.post("/api/v1/answers", json={"question": "a" * n})
    assert str(settings.max_question_chars) in r.json()["detail"]


def test_oversized_body_is_413_not_5xx(client: TestClient) -> None:
    big = {"question": "opioids " * 20000}
    assert_envelope(client.post("/api/v1/answers", json=big), 413, "payload_too_large")

    def chunks():  # no Content-Length: the body is counted as it arrives
        for _ in range(100):
            yield b"x" * 1024

    assert_envelope(client.post("/api/v1/answers", content=chunks(),
                                headers={"content-type": "application/json"}),
                    413, "payload_too_large")
    form = client.post("/ask", data={"question": "q" * 70000})
    assert form.status_code == 413 and "text/html" in form.headers["content-type"]


def test_too_long_question_on_the_form_is_a_422_page_keeping_the_text(
        client: TestClient) -> None:
    r = client.post("/ask", data={"question": "clonazepam " * 300})
    assert r.status_code == 422
    doc = page(r.text)
    assert "limit" in doc.xpath("string(//p[@role='alert'])")
    assert "clonazepam" in doc.xpath("string(//textarea)")


def test_empty_question_on_the_form(client: TestClient) -> None:
    r = client.post("/ask", data={"question": "  "})
    assert r.status_code == 422 and "empty" in r.text


def test_rate_limit_on_asking(web_db: Path) -> None:
    app = create_app(Settings(db=web_db), ask_per_minute=1, ask_burst=2)
    c = TestClient(app)
    codes = [c.post("/api/v1/answers", json={"question": SEED}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    r = c.post("/api/v1/answers", json={"question": SEED})
    assert_envelope(r, 429, "rate_limited")
    assert int(r.headers["retry-after"]) >= 1
    html = c.post("/ask", data={"question": SEED})
    assert html.status_code == 429 and "Too many requests" in html.text
    assert c.get("/").status_code == 200, "reading is not limited"


def test_unexpected_error_is_a_500_page_and_envelope(web_db: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from curbside.web import pages

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    app = create_app(Settings(db=web_db))
    monkeypatch.setattr(pages.articles, "list_articles", boom)
    c = TestClient(app, raise_server_exceptions=False)
    r = c.get("/")
    assert r.status_code == 500 and "Something went wrong" in r.text
    assert "boom" not in r.text
    assert "content-security-policy" in r.headers
    api = c.get("/api/v1/articles")
    assert_envelope(api, 500, "internal_error")
