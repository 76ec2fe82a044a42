"""Accounts and sessions: argon2 hashes, the password policy, lockout, rate limiting, cookie
flags, rotation at sign-in, expiry and sign-out everywhere on a password change."""

from __future__ import annotations

import re
import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from curbside.config import Settings
from curbside.errors import Conflict, InputError, TooManyAttempts
from curbside.review import accounts, audit, sessions
from curbside.store import Store
from curbside.web.security import TokenBucket
from tests.review.conftest import PASSWORDS, SignIn, login_form_token, user, web_login


@pytest.mark.parametrize(("password", "message"), [
    ("short one", "too short: use at least 12"),
    ("Password2024!", "common passwords"),
    ("qwertyuiopasdf", "common passwords"),
    ("aaaaaaaaaaaaaaaa", "too few characters"),
    ("newbie-is-my-name", "must not contain the username"),
])
def test_weak_passwords_are_refused(store: Store, password: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        accounts.create_user(store, "newbie", role="reviewer", display_name="N. Ewbie",
                             password=password)


def test_passwords_are_stored_as_argon2id_hashes(store: Store) -> None:
    rows = store.db.execute("SELECT username, password_hash FROM users").fetchall()
    for name, digest in rows:
        assert digest.startswith("$argon2id$")
        assert PASSWORDS[name] not in digest
    with pytest.raises(Conflict, match="already exists"):
        accounts.create_user(store, "REVIEWER", role="reviewer", display_name="Dup",
                             password="a perfectly fine phrase")


def test_failures_slow_down_one_address_and_never_lock_the_account(store: Store) -> None:
    t0 = datetime.now(UTC)
    policy = accounts.LoginPolicy(free_failures=3, backoff_seconds=2, backoff_max_seconds=60)
    for _ in range(policy.free_failures + 1):
        assert accounts.authenticate(store, "reviewer", "wrong password!!", client="6.6.6.6",
                                     now=t0, policy=policy) is None
    # The guessing address waits, even with the right password ...
    with pytest.raises(TooManyAttempts, match="from this address") as refused:
        accounts.authenticate(store, "reviewer", PASSWORDS["reviewer"], client="6.6.6.6",
                              now=t0, policy=policy)
    assert refused.value.retry_after == 2  # 2 s after the first failure past the free ones
    # ... the owner, signing in from elsewhere at the same moment, is not affected.
    assert accounts.authenticate(store, "reviewer", PASSWORDS["reviewer"], client="10.0.0.7",
                                 now=t0, policy=policy)
    later = t0 + timedelta(seconds=3)
    assert accounts.authenticate(store, "reviewer", PASSWORDS["reviewer"], client="6.6.6.6",
                                 now=later, policy=policy)
    actions = [r["action"] for r in audit.rows(store)]
    assert actions.count("login_failed") == policy.free_failures + 1
    assert actions.count("login") == 2


def test_the_wait_doubles_with_each_failure_up_to_the_cap() -> None:
    policy = accounts.LoginPolicy(free_failures=3, backoff_seconds=2, backoff_max_seconds=60)
    assert [policy.wait_after(n) for n in range(1, 10)] == [0, 0, 0, 2, 4, 8, 16, 32, 60]


def _slow_backoff(app: FastAPI) -> None:
    """Waits long enough that a slow test machine never sees one run out."""
    app.state.settings = Settings(db=app.state.settings.db, login_backoff_seconds=600.0)


def test_a_stranger_cannot_lock_out_a_board_member_on_the_sign_in_page(app: FastAPI) -> None:
    _slow_backoff(app)
    stranger = TestClient(app, client=("203.0.113.9", 4000))
    for _ in range(8):
        r = web_login(stranger, "editor", "not the password")
        assert r.status_code in (401, 429)
    r = web_login(stranger, "editor")
    assert r.status_code == 429 and "try again in" in r.text
    assert int(r.headers["retry-after"]) > 0
    assert sessions.COOKIE not in stranger.cookies
    owner = TestClient(app, client=("198.51.100.4", 5000))
    assert web_login(owner, "editor").status_code == 303


def test_unknown_and_disabled_accounts_fail_like_a_wrong_password(store: Store,
                                                                  app: FastAPI) -> None:
    accounts.disable_user(store, "reviewer2")
    client = TestClient(app)
    for name, pw in (("nobody", "whatever it may be"), ("reviewer2", PASSWORDS["reviewer2"])):
        r = web_login(client, name, pw)
        assert r.status_code == 401 and "wrong username or password" in r.text


def test_sign_in_is_rate_limited_per_address(app: FastAPI) -> None:
    app.state.login_limiter = TokenBucket(per_minute=1, burst=2)
    client = TestClient(app)
    assert web_login(client, "nobody", "whatever it may be").status_code == 401
    assert web_login(client, "nobody", "whatever it may be").status_code == 401
    r = web_login(client, "reviewer")
    assert r.status_code == 429 and "retry-after" in r.headers


def test_session_cookie_flags(app: FastAPI) -> None:
    r = web_login(TestClient(app), "reviewer")
    assert r.status_code == 303 and r.headers["location"] == "/review"
    cookie = [c for c in r.headers.get_list("set-cookie") if c.startswith(sessions.COOKIE)][0]
    flags = {f.strip().split("=")[0].lower() for f in cookie.split(";")}
    assert {"httponly", "max-age", "path"} <= flags
    assert "samesite=lax" in cookie.lower()
    assert "secure" not in flags  # plain http here
    https = TestClient(app, base_url="https://testserver")
    r = web_login(https, "reviewer")
    cookie = [c for c in r.headers.get_list("set-cookie") if c.startswith(sessions.COOKIE)][0]
    assert "secure" in cookie.lower()


def test_session_is_rotated_at_sign_in(store: Store, app: FastAPI) -> None:
    client = TestClient(app)
    planted, _ = sessions.create(store, user(store, "reviewer2"))  # e.g. fixed by an attacker
    client.cookies.set(sessions.COOKIE, planted)
    r = web_login(client, "reviewer")
    assert r.status_code == 303
    fresh = _set_cookie(r)
    assert fresh and fresh != planted
    assert sessions.lookup(store, planted) is None
    assert sessions.lookup(store, fresh).user["username"] == "reviewer"  # type: ignore[union-attr]
    client.cookies.clear()
    client.cookies.set(sessions.COOKIE, fresh)
    assert client.get("/api/v1/session").json()["user"]["username"] == "reviewer"


def _set_cookie(r: object) -> str:
    """The session token a response sets."""
    for c in r.headers.get_list("set-cookie"):  # type: ignore[attr-defined]
        if c.startswith(sessions.COOKIE + "="):
            return c.split(";")[0].split("=", 1)[1]
    return ""


def test_sessions_expire(store: Store) -> None:
    t0 = datetime.now(UTC)
    token, _ = sessions.create(store, user(store, "editor"), now=t0)
    assert sessions.lookup(store, token, now=t0 + timedelta(minutes=30))
    assert sessions.lookup(store, token, now=t0 + sessions.IDLE + timedelta(minutes=31)) is None
    token, _ = sessions.create(store, user(store, "editor"), now=t0)
    for hours in range(1, int(sessions.LIFETIME.total_seconds() // 3600)):
        assert sessions.lookup(store, token, now=t0 + timedelta(hours=hours))
    assert sessions.lookup(store, token, now=t0 + sessions.LIFETIME) is None


def test_password_change_signs_out_everywhere(store: Store, sign_in: SignIn,
                                              app: FastAPI) -> None:
    phone, _ = sign_in("editor")
    laptop = TestClient(app)
    assert web_login(laptop, "editor").status_code == 303
    assert sessions.count(store, user(store, "editor")["id"]) == 2
    accounts.set_password(store, "editor", "a brand new long phrase")
    assert sessions.count(store, user(store, "editor")["id"]) == 0
    for client in (phone, laptop):
        assert client.get("/review", follow_redirects=False).headers["location"] \
            .startswith("/login")
        assert client.get("/api/v1/session").status_code == 401
    assert web_login(TestClient(app), "editor").status_code == 401
    assert web_login(TestClient(app), "editor", "a brand new long phrase").status_code == 303


def test_disabling_an_account_ends_its_sessions(store: Store, sign_in: SignIn) -> None:
    client, _ = sign_in("reviewer2")
    assert client.get("/api/v1/session").status_code == 200
    accounts.disable_user(store, "reviewer2")
    assert client.get("/api/v1/session").status_code == 401


def test_sign_out(store: Store, sign_in: SignIn) -> None:
    client, token = sign_in("reviewer")
    r = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    assert client.get("/api/v1/session").status_code == 401
    assert sessions.count(store, user(store, "reviewer")["id"]) == 0


def test_the_sign_in_page(app: FastAPI) -> None:
    client = TestClient(app)
    token = login_form_token(client)
    assert len(token) >= 20
    html = client.get("/login").text
    assert 'name="username"' in html and 'name="password"' in html
    assert 'type="password"' in html


def _page(r: Any, name: str) -> str:
    """A sign-in page with what varies per request taken out: the name typed, the token and
    the seconds left to wait (a clock reading: 600 for one request can be 599 for the next)."""
    text = r.text.replace(f'value="{name}"', 'value="NAME"')
    text = re.sub(r"try again in \d+ s", "try again in N s", text)
    return re.sub(r'value="[A-Za-z0-9_-]{20,}"', 'value="TOKEN"', text)


def test_sign_in_answers_tell_nobody_who_has_an_account(app: FastAPI) -> None:
    # Status and body: the same for an account and a made-up name, failing and throttled.
    _slow_backoff(app)
    seen: dict[str, list[tuple[int, str]]] = {}
    for name in ("editor", "noaccount"):
        client = TestClient(app, client=(f"192.0.2.{len(seen) + 10}", 4000))
        seen[name] = [(r.status_code, _page(r, name)) for r in
                      (web_login(client, name, "not the password") for _ in range(5))]
    assert [s for s, _ in seen["editor"]] == [401, 401, 401, 401, 429]
    assert seen["editor"] == seen["noaccount"]


def test_sign_in_takes_as_long_for_an_unknown_name(store: Store) -> None:
    def timed(name: str, n: int) -> float:
        start = time.perf_counter()
        accounts.authenticate(store, name, "not the password at all", client=f"t-{name}-{n}")
        return time.perf_counter() - start

    known, unknown = [], []
    for n in range(7):  # interleaved, so machine load hits both alike
        known.append(timed("reviewer", n))
        unknown.append(timed("nobody-here", n))
    k, u = statistics.median(known), statistics.median(unknown)
    # Both are one argon2 verification; a lookup-only path would be 100x faster.
    assert 0.6 < u / k < 1.6, (k, u)
