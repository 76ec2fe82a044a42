"""Who may do what: every review route and state-changing API route × {anonymous, reviewer,
editor, admin} → the expected status; and every state change refused without a CSRF token.

The article starts submitted, so some allowed roles meet a 409 (the state), which shows the
role check passed; a 403 is the role check itself.
"""

from __future__ import annotations

from typing import Any

import pytest

from curbside.review import audit
from curbside.store import Store
from tests.review.conftest import ROLES, SignIn

LOGIN = "login"    # 303 to /login?next=...
BACK = "back"      # 303 back to the review page (done)
HOME = "home"      # 303 to /

# (method, path, form or JSON body, {role: expected})
HTML: list[tuple[str, str, dict[str, Any] | None, dict[str, Any]]] = [
    ("GET", "/review", None, dict(anonymous=LOGIN, reviewer=200, editor=200, admin=200)),
    ("GET", "/review/articles/{aid}", None,
     dict(anonymous=LOGIN, reviewer=200, editor=200, admin=200)),
    ("GET", "/logout", None, dict(anonymous=LOGIN, reviewer=200, editor=200, admin=200)),
    ("POST", "/logout", {}, dict(anonymous=LOGIN, reviewer=HOME, editor=HOME, admin=HOME)),
    ("POST", "/review/articles/{aid}/transition", {"action": "claim"},
     dict(anonymous=LOGIN, reviewer=BACK, editor=BACK, admin=403)),
    ("POST", "/review/articles/{aid}/transition", {"action": "assign", "assignee": "reviewer"},
     dict(anonymous=LOGIN, reviewer=403, editor=BACK, admin=BACK)),
    ("POST", "/review/articles/{aid}/transition", {"action": "approve"},
     dict(anonymous=LOGIN, reviewer=409, editor=409, admin=403)),
    ("POST", "/review/articles/{aid}/transition", {"action": "request_changes", "note": "x"},
     dict(anonymous=LOGIN, reviewer=409, editor=409, admin=403)),
    ("POST", "/review/articles/{aid}/transition",
     {"action": "revise", "revision": "1", "text:sections.0.0": "New words."},
     dict(anonymous=LOGIN, reviewer=403, editor=409, admin=403)),
    ("POST", "/review/articles/{aid}/transition", {"action": "retract", "note": "x"},
     dict(anonymous=LOGIN, reviewer=403, editor=409, admin=409)),
    ("POST", "/review/articles/{aid}/comments", {"body": "Check the dose.",
                                                 "statement": "sections.0.0"},
     dict(anonymous=LOGIN, reviewer=BACK, editor=BACK, admin=403)),
]
API: list[tuple[str, str, dict[str, Any] | None, dict[str, int]]] = [
    ("GET", "/api/v1/articles/{aid}", None, dict(anonymous=200, reviewer=200, editor=200,
                                                  admin=200)),
    ("GET", "/api/v1/session", None, dict(anonymous=401, reviewer=200, editor=200, admin=200)),
    ("GET", "/api/v1/review/queue", None,
     dict(anonymous=401, reviewer=200, editor=200, admin=200)),
    ("GET", "/api/v1/articles/{aid}/audit", None,
     dict(anonymous=401, reviewer=403, editor=200, admin=200)),
    ("POST", "/api/v1/articles/{aid}/transitions", {"action": "claim"},
     dict(anonymous=401, reviewer=200, editor=200, admin=403)),
    ("POST", "/api/v1/articles/{aid}/transitions", {"action": "assign", "assignee": "reviewer"},
     dict(anonymous=401, reviewer=403, editor=200, admin=200)),
    ("POST", "/api/v1/articles/{aid}/transitions", {"action": "approve"},
     dict(anonymous=401, reviewer=409, editor=409, admin=403)),
    ("POST", "/api/v1/articles/{aid}/transitions", {"action": "request_changes", "note": "x"},
     dict(anonymous=401, reviewer=409, editor=409, admin=403)),
    ("POST", "/api/v1/articles/{aid}/transitions", {"action": "retract", "note": "x"},
     dict(anonymous=401, reviewer=403, editor=409, admin=409)),
    ("POST", "/api/v1/articles/{aid}/revisions",
     {"edits": [{"op": "replace", "loc": "sections.0.0", "text": "New words."}]},
     dict(anonymous=401, reviewer=403, editor=409, admin=403)),
    ("POST", "/api/v1/articles/{aid}/comments", {"body": "Check the dose."},
     dict(anonymous=401, reviewer=201, editor=201, admin=403)),
]
STATE_CHANGING = [(m, p, b) for m, p, b, _ in HTML + API if m == "POST"]


def _cases(table: list[tuple[str, str, Any, dict[str, Any]]]) -> list[Any]:
    return [pytest.param(m, p, b, role, want[role], id=f"{m} {p} {b or ''} as {role}")
            for m, p, b, want in table for role in ROLES]


def _send(client: Any, method: str, url: str, body: dict[str, Any] | None, token: str,
          api: bool) -> Any:
    if method == "GET":
        return client.get(url, follow_redirects=False)
    if api:
        return client.post(url, json=body, headers={"X-CSRF-Token": token} if token else {},
                           follow_redirects=False)
    data = dict(body or {}) | ({"csrf_token": token} if token else {})
    return client.post(url, data=data, follow_redirects=False)


@pytest.mark.parametrize(("method", "path", "body", "role", "want"), _cases(HTML))
def test_review_pages(sign_in: SignIn, aid: str, method: str, path: str,
                      body: dict[str, Any] | None, role: str, want: Any) -> None:
    client, token = sign_in(role)
    r = _send(client, method, path.format(aid=aid), body, token, api=False)
    if want == LOGIN:
        assert r.status_code == 303 and r.headers["location"].startswith("/login"), r.text
    elif want == BACK:
        assert r.status_code == 303, r.text
        assert r.headers["location"] == f"/review/articles/{aid}"
    elif want == HOME:
        assert r.status_code == 303 and r.headers["location"] == "/"
    else:
        assert r.status_code == want, r.text
        assert r.headers["content-type"].startswith("text/html")
        if want >= 400:
            assert 'class="form-error"' in r.text or "error-page" in r.text


@pytest.mark.parametrize(("method", "path", "body", "role", "want"), _cases(API))
def test_review_api(sign_in: SignIn, aid: str, method: str, path: str,
                    body: dict[str, Any] | None, role: str, want: int) -> None:
    client, token = sign_in(role)
    r = _send(client, method, path.format(aid=aid), body, token, api=True)
    assert r.status_code == want, r.text
    assert r.headers["content-type"].startswith("application/json")
    if want >= 400:
        doc = r.json()
        assert set(doc) == {"status", "error", "detail"} and doc["status"] == want
        assert doc["error"] == {401: "unauthorized", 403: "forbidden", 409: "conflict"}[want]
        assert doc["detail"] and "\n" not in doc["detail"]


@pytest.mark.parametrize("token", ["", "not-the-token"], ids=["no token", "wrong token"])
@pytest.mark.parametrize(("method", "path", "body"), STATE_CHANGING,
                         ids=[f"{p} {b}" for _, p, b in STATE_CHANGING])
def test_state_changes_need_the_csrf_token(sign_in: SignIn, store: Store, aid: str,
                                           method: str, path: str, body: dict[str, Any],
                                           token: str) -> None:
    role = "admin" if "assign" in str(body) or "retract" in str(body) else "editor"
    client, _ = sign_in(role)
    before = len(audit.rows(store))
    r = _send(client, method, path.format(aid=aid), body, token, api=path.startswith("/api"))
    assert r.status_code == 403, r.text
    assert "CSRF" in r.text
    assert len(audit.rows(store)) == before
    status = store.db.execute("SELECT status FROM articles WHERE id = ?", (aid,)).fetchone()[0]
    assert status == "submitted"


def test_the_login_form_needs_its_csrf_token(sign_in: SignIn) -> None:
    client, _ = sign_in("anonymous")
    r = client.post("/login", data={"username": "reviewer", "password": "whatever it is"},
                    follow_redirects=False)
    assert r.status_code == 403
    assert "curbside_session" not in r.headers.get("set-cookie", "")


def test_a_signed_out_page_visit_comes_back_after_sign_in(sign_in: SignIn, aid: str) -> None:
    client, _ = sign_in("anonymous")
    r = client.get(f"/review/articles/{aid}", follow_redirects=False)
    assert r.headers["location"] == f"/login?next=/review/articles/{aid}"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil"])
def test_sign_in_never_redirects_off_site(sign_in: SignIn, target: str) -> None:
    from tests.review.conftest import PASSWORDS, login_form_token

    client, _ = sign_in("anonymous")
    token = login_form_token(client)
    r = client.post("/login", data={"username": "reviewer", "password": PASSWORDS["reviewer"],
                                    "csrf_token": token, "next": target},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/review"
