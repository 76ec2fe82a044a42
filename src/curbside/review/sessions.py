"""Server-side sessions: a random token in an HttpOnly cookie, its SHA-256 in the store.

A session ends at the first of: sign-out, `idle` without a request, `lifetime` after sign-in
(the session_idle_minutes and session_lifetime_hours settings; `IDLE`, `LIFETIME` by default),
a password change or the account being disabled (both delete every session of the account).
Signing in always makes a new token and deletes the one the browser had (rotation), so a
token planted before sign-in is worthless after it.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import Request, Response

from curbside.review import accounts, audit
from curbside.store.sqlite import Store

COOKIE = "curbside_session"
LIFETIME = timedelta(hours=12)
IDLE = timedelta(hours=2)
_TOUCH_EVERY = timedelta(minutes=1)  # write last_seen_at at most this often


@dataclass
class Session:
    """A live session: the account, its CSRF token and when it ends."""

    token_hash: str
    user: dict[str, Any]
    csrf_token: str
    expires_at: str


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _iso(t: datetime) -> str:
    return t.replace(microsecond=0).isoformat()


def create(store: Store, user: dict[str, Any], *, replaces: str | None = None,
           now: datetime | None = None, lifetime: timedelta = LIFETIME,
           idle: timedelta = IDLE) -> tuple[str, Session]:
    """A new session for `user` (deleting the `replaces` token's); (cookie token, session)."""
    at = now or datetime.now(UTC)
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    expires = _iso(at + lifetime)
    with store.transaction() as db:
        if replaces:
            db.execute("DELETE FROM sessions WHERE token_hash = ?", (_hash(replaces),))
        db.execute("DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at <= ?",
                   (_iso(at), _iso(at - idle)))
        db.execute("INSERT INTO sessions(token_hash, user_id, csrf_token, created_at, "
                   "last_seen_at, expires_at) VALUES (?,?,?,?,?,?)",
                   (_hash(token), user["id"], csrf, _iso(at), _iso(at), expires))
    return token, Session(_hash(token), user, csrf, expires)


def lookup(store: Store, token: str | None, *, now: datetime | None = None,
           idle: timedelta = IDLE) -> Session | None:
    """The live session for a cookie token, or None (unknown, expired, idle, disabled)."""
    if not token or len(token) > 200:
        return None
    at = now or datetime.now(UTC)
    row = store.db.execute("SELECT * FROM sessions WHERE token_hash = ?",
                           (_hash(token),)).fetchone()
    if row is None:
        return None
    seen = datetime.fromisoformat(row["last_seen_at"])
    if datetime.fromisoformat(row["expires_at"]) <= at or seen <= at - idle:
        with store.transaction() as db:
            db.execute("DELETE FROM sessions WHERE token_hash = ?", (row["token_hash"],))
        return None
    user = accounts.user_by_id(store, row["user_id"])
    if user is None or user["disabled"]:
        return None
    if at - seen >= _TOUCH_EVERY:
        with store.transaction() as db:
            db.execute("UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?",
                       (_iso(at), row["token_hash"]))
    return Session(row["token_hash"], user, row["csrf_token"], row["expires_at"])


def end(store: Store, session: Session) -> None:
    """Sign out: delete this session."""
    with store.transaction() as db:
        db.execute("DELETE FROM sessions WHERE token_hash = ?", (session.token_hash,))
        audit.record(db, "logout", user=session.user)


def count(store: Store, user_id: int) -> int:
    return int(store.db.execute("SELECT count(*) FROM sessions WHERE user_id = ?",
                                (user_id,)).fetchone()[0])


def set_cookie(request: Request, response: Response, token: str,
               lifetime: timedelta = LIFETIME) -> None:
    """The session cookie: HttpOnly, SameSite=Lax, Secure when the request came over https."""
    response.set_cookie(COOKIE, token, max_age=int(lifetime.total_seconds()), path="/",
                        httponly=True, samesite="lax", secure=request.url.scheme == "https")


def clear_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax",
                           secure=request.url.scheme == "https")
