"""CSRF protection for every state-changing request.

Signed in: each session has its own random token (synchronizer token); forms carry it in a
hidden `csrf_token` field, API clients send it as the `X-CSRF-Token` header (it is in
`GET /api/v1/session`). Signed out (the sign-in form): a random token in a SameSite=Strict
cookie that the form must repeat (double submit), so another site cannot sign a visitor in
to an account of its choosing. SameSite=Lax session cookies are a second line, not the first.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import Request, Response

from curbside.errors import Forbidden
from curbside.review.sessions import Session

FIELD = "csrf_token"
HEADER = "x-csrf-token"
LOGIN_COOKIE = "curbside_login_csrf"
MESSAGE = "missing or invalid CSRF token: reload the page and try again"


def supplied(request: Request, form_value: str | None = None) -> str:
    """The token the request carries (form field first, then header)."""
    return form_value or request.headers.get(HEADER, "")


def check(session: Session, token: str | None) -> None:
    """Refuse (403) unless `token` is this session's CSRF token."""
    if not token or not hmac.compare_digest(token.encode(), session.csrf_token.encode()):
        raise Forbidden(MESSAGE)


def login_token(request: Request) -> str:
    """The sign-in form's token: the browser's cookie value, or a new one."""
    have = request.cookies.get(LOGIN_COOKIE, "")
    return have if 20 <= len(have) <= 100 else secrets.token_urlsafe(32)


def set_login_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(LOGIN_COOKIE, token, max_age=3600, path="/login", httponly=True,
                        samesite="strict", secure=request.url.scheme == "https")


def check_login(request: Request, token: str | None) -> None:
    """Refuse (403) a sign-in whose form token does not match its cookie."""
    cookie = request.cookies.get(LOGIN_COOKIE, "")
    if not token or not cookie or not hmac.compare_digest(token.encode(), cookie.encode()):
        raise Forbidden(MESSAGE)
