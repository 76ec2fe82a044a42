"""Rate limits on every expensive route, keyed per host; hostile questions; no-store headers."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from curbside.answer.engine import validate_question
from curbside.config import Settings
from curbside.errors import InputError
from curbside.web import create_app
from curbside.web.security import parse_proxies, rate_key
from tests.web.conftest import SEED


@pytest.mark.parametrize(("peer", "key"), [
    ("127.0.0.1", "loopback"), ("127.8.9.10", "loopback"), ("::1", "loopback"),
    ("::ffff:127.0.0.1", "loopback"), ("::ffff:203.0.113.5", "203.0.113.5"),
    ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"), ("2001:db8:1:2:ffff:1:2:3", "2001:db8:1:2::/64"),
    ("203.0.113.5", "203.0.113.5"), ("testclient", "unknown"), (None, "unknown"),
])
def test_one_host_is_one_key_whatever_address_it_uses(peer: str | None, key: str) -> None:
    assert rate_key(peer) == key


def test_forwarded_for_is_believed_only_from_a_trusted_proxy() -> None:
    proxies = parse_proxies("10.0.0.1, 192.168.0.0/16")
    # Not from a proxy: the header is the client's own invention.
    assert rate_key("203.0.113.5", "198.51.100.7", proxies) == "203.0.113.5"
    assert rate_key("10.0.0.1", "198.51.100.7", proxies) == "198.51.100.7"
    # The client may prepend anything; the right-most non-proxy hop is who connected.
    assert rate_key("10.0.0.1", "1.2.3.4, 198.51.100.7, 192.168.3.3", proxies) == "198.51.100.7"
    assert rate_key("10.0.0.1", "garbage", proxies) == "10.0.0.1"
    assert rate_key("10.0.0.1", None, proxies) == "10.0.0.1"


def test_several_loopback_or_ipv6_addresses_share_one_budget(web_db: Path) -> None:
    app = create_app(Settings(db=web_db), ask_per_minute=1, ask_burst=2)
    codes = []
    for peer in ("127.0.0.1", "127.0.0.2", "127.0.0.3"):
        c = TestClient(app, client=(peer, 1234))
        codes.append(c.post("/api/v1/answers", json={"question": SEED}).status_code)
    assert codes == [200, 200, 429]
    six = [TestClient(app, client=(f"2001:db8:5:6::{n}", 1)) for n in (1, 2, 3)]
    assert [c.post("/api/v1/answers", json={"question": SEED}).status_code
            for c in six] == [200, 200, 429]


def test_reading_has_its_own_budget_on_every_expensive_route(web_db: Path,
                                                               seed_url: str) -> None:
    app = create_app(Settings(db=web_db), ask_per_minute=1, ask_burst=1, read_per_minute=1,
                     read_burst=4)
    c = TestClient(app, client=("198.51.100.20", 1))
    assert c.post("/api/v1/answers", json={"question": SEED}).status_code == 200
    assert c.post("/api/v1/answers", json={"question": SEED}).status_code == 429
    # Asking is spent, reading is not: four reads, one of each expensive kind.
    reads = [c.get("/api/v1/search", params={"q": "opioid"}),
             c.get("/api/v1/articles", params={"q": "opioid"}),
             c.get("/library", params={"q": "opioid"}),
             c.get(seed_url, params={"audience": "patient"})]
    assert [r.status_code for r in reads] == [200, 200, 200, 200]
    refused = c.get("/api/v1/search", params={"q": "opioid"})
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert refused.json()["error"] == "rate_limited"
    assert c.get("/library", params={"q": "x"}).status_code == 429
    assert c.get(seed_url, params={"audience": "patient"}).status_code == 200, "cached: free"
    assert c.get(seed_url, params={"audience": "nurse"}).status_code == 429
    assert c.get("/library").status_code == 200, "browsing without a search is free"


@pytest.mark.parametrize("question", ["\x00" * 50, "?!?! ...", " \u200b\u200b ", "\x07\x1b[;",
                                      "-- -- --"])
def test_questions_without_letters_or_digits_are_refused(question: str) -> None:
    with pytest.raises(InputError):
        validate_question(question, "clinician", 2000)


def test_control_characters_are_stripped_from_questions() -> None:
    assert validate_question("war\x00far\u200bin\x1b with\tNSAIDs?\r\n", "clinician",
                             2000) == "warfarin with NSAIDs?"
    assert validate_question("-5 mg of warfarin?", "clinician", 2000) == "-5 mg of warfarin?"


def test_a_nul_question_is_a_422_on_api_and_form(client: TestClient) -> None:
    r = client.post("/api/v1/answers", json={"question": "\u0000" * 50})
    assert r.status_code == 422 and r.json()["error"] == "invalid_input"
    assert client.post("/ask", data={"question": "\u0000" * 50}).status_code == 422


def test_no_store_on_api_and_signed_in_responses(client: TestClient, seed_url: str) -> None:
    assert client.get("/api/v1/search", params={"q": "opioid"}).headers["cache-control"] \
        == "no-store"
    assert client.get("/api/v1/articles/nope").headers["cache-control"] == "no-store"
    assert client.get("/login").headers["cache-control"] == "no-store"
    assert "no-store" not in client.get(seed_url).headers.get("cache-control", "")
    signed = TestClient(client.app, cookies={"curbside_session": "anything"})
    assert signed.get(seed_url).headers["cache-control"] == "no-store"
