"""Accounts of the Medical Advisory Board: roles, argon2 hashes, sign-in with lockout.

There is no default account and no default password: the first admin is made with
`curbside user add NAME --role admin --display-name "..." --password-stdin`.

    >>> create_user(store, "asmith", role="reviewer", display_name="Dr. A. Smith",
    ...             credentials="PharmD", password="correct horse battery")
    >>> authenticate(store, "asmith", "correct horse battery")["display_name"]
    'Dr. A. Smith'
"""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime, timedelta
from functools import cache
from importlib import resources
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from curbside.errors import Conflict, InputError, NotFound, TooManyAttempts
from curbside.review import audit
from curbside.store.sqlite import Store

ROLES = ("admin", "editor", "reviewer")
MIN_PASSWORD = 12
MAX_PASSWORD = 1024
MAX_FAILURES = 5
"""Consecutive failed sign-ins that lock an account ..."""
LOCKOUT = timedelta(minutes=15)
"""... for this long (a correct password is refused meanwhile too)."""
_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_FIELDS = "id, username, role, display_name, credentials, disabled, created_at, " \
          "password_changed_at"

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verified when the username is unknown, so that both failures take the same time.
_DUMMY_HASH = _hasher.hash("curbside timing equaliser")


@cache
def common_passwords() -> frozenset[str]:
    """The bundled list of common passwords (lower case), refused whatever their length."""
    text = resources.files("curbside.review").joinpath("common_passwords.txt").read_text()
    return frozenset(line.strip().lower() for line in text.splitlines()
                     if line.strip() and not line.startswith("#"))


def check_password(password: str, username: str = "") -> None:
    """Refuse a weak password with a one-line reason (InputError)."""
    if len(password) < MIN_PASSWORD:
        raise InputError(f"the password is too short: use at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise InputError(f"the password is too long: at most {MAX_PASSWORD} characters")
    low = password.lower()
    if low in common_passwords() or low.rstrip("0123456789!.") in common_passwords():
        raise InputError("this password is on the list of common passwords; choose another")
    if len(set(low)) < 4:
        raise InputError("the password repeats too few characters; choose another")
    if username and username.lower() in low:
        raise InputError("the password must not contain the username")


def _check_fields(username: str, role: str, display_name: str, credentials: str | None) -> None:
    if not _USERNAME.match(username or ""):
        raise InputError("a username is 2-64 letters, digits, '.', '_' or '-', starting with "
                         "a letter or digit")
    if role not in ROLES:
        raise InputError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    if not display_name.strip() or len(display_name) > 100 or _CONTROL.search(display_name):
        raise InputError("the display name must be 1-100 printable characters")
    if credentials is not None and (len(credentials) > 60 or _CONTROL.search(credentials)):
        raise InputError("credentials must be at most 60 printable characters")


def create_user(store: Store, username: str, *, role: str, display_name: str, password: str,
                credentials: str | None = None) -> dict[str, Any]:
    """Add an account; the password is checked and stored only as an argon2id hash."""
    credentials = credentials.strip() or None if credentials is not None else None
    _check_fields(username, role, display_name, credentials)
    check_password(password, username)
    digest = _hasher.hash(password)
    now = audit.now()
    try:
        with store.transaction() as db:
            db.execute("INSERT INTO users(username, role, display_name, credentials, "
                       "password_hash, created_at, password_changed_at) "
                       "VALUES (?,?,?,?,?,?,?)",
                       (username, role, display_name.strip(), credentials, digest, now, now))
            audit.record(db, "user_added", actor="cli", note=f"{username} ({role})")
    except sqlite3.IntegrityError:
        raise Conflict(f"a user named {username!r} already exists") from None
    return get_user(store, username)


def get_user(store: Store, username: str) -> dict[str, Any]:
    row = store.db.execute(f"SELECT {_FIELDS} FROM users WHERE username = ?",
                           (username,)).fetchone()
    if row is None:
        raise NotFound(f"no user named {username!r}")
    return _user(row)


def user_by_id(store: Store, user_id: int) -> dict[str, Any] | None:
    row = store.db.execute(f"SELECT {_FIELDS} FROM users WHERE id = ?", (user_id,)).fetchone()
    return _user(row) if row else None


def _user(row: sqlite3.Row) -> dict[str, Any]:
    d = dict(row)
    d["disabled"] = bool(d["disabled"])
    return d


def list_users(store: Store) -> list[dict[str, Any]]:
    return [_user(r) for r in store.db.execute(f"SELECT {_FIELDS} FROM users ORDER BY username")]


def signature(user: dict[str, Any]) -> str:
    """How an approval names its reviewer: 'Dr. A. Smith, PharmD'."""
    creds = user.get("credentials")
    return f"{user['display_name']}, {creds}" if creds else str(user["display_name"])


def disable_user(store: Store, username: str) -> dict[str, Any]:
    """Disable an account and end all its sessions (its history stays)."""
    user = get_user(store, username)
    with store.transaction() as db:
        db.execute("UPDATE users SET disabled = 1 WHERE id = ?", (user["id"],))
        db.execute("DELETE FROM sessions WHERE user_id = ?", (user["id"],))
        audit.record(db, "user_disabled", actor="cli", note=username)
    return get_user(store, username)


def set_password(store: Store, username: str, password: str, *,
                 by: dict[str, Any] | None = None) -> dict[str, Any]:
    """Change a password, clear any lockout and sign the account out everywhere."""
    user = get_user(store, username)
    check_password(password, user["username"])
    digest = _hasher.hash(password)
    with store.transaction() as db:
        db.execute("UPDATE users SET password_hash = ?, password_changed_at = ?, "
                   "failed_logins = 0, locked_until = NULL WHERE id = ?",
                   (digest, audit.now(), user["id"]))
        db.execute("DELETE FROM sessions WHERE user_id = ?", (user["id"],))
        audit.record(db, "password_changed", user=by, actor=None if by else "cli",
                     note=f"{user['username']}: all sessions revoked")
    return get_user(store, username)


def authenticate(store: Store, username: str, password: str, *,
                 now: datetime | None = None) -> dict[str, Any] | None:
    """The account if the password is right; None if not. Raises TooManyAttempts if locked.

    Every attempt appends an audit row. Unknown and disabled accounts fail like a wrong
    password (same message, same argon2 work), so the form does not reveal who exists.
    """
    at = now or datetime.now(UTC)
    row = store.db.execute("SELECT * FROM users WHERE username = ?", (username,)).fetchone()
    if row is None or row["disabled"]:
        _verify(_DUMMY_HASH if row is None else row["password_hash"], password)
        with store.transaction() as db:
            audit.record(db, "login_failed", actor=username[:64] or "?",
                         note="unknown user" if row is None else "account disabled")
        return None
    locked = row["locked_until"]
    if locked and datetime.fromisoformat(locked) > at:
        wait = int((datetime.fromisoformat(locked) - at).total_seconds()) + 1
        with store.transaction() as db:
            audit.record(db, "login_refused", actor=row["username"], note="account locked")
        raise TooManyAttempts(f"too many failed sign-ins: this account is locked for "
                              f"{-(-wait // 60)} more minute(s)", retry_after=wait)
    user = _user(row)
    if _verify(row["password_hash"], password):
        with store.transaction() as db:
            db.execute("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?",
                       (row["id"],))
            if _hasher.check_needs_rehash(row["password_hash"]):
                db.execute("UPDATE users SET password_hash = ? WHERE id = ?",
                           (_hasher.hash(password), row["id"]))
            audit.record(db, "login", user=user)
        return user
    failures = (0 if locked else row["failed_logins"]) + 1
    until = (at + LOCKOUT).replace(microsecond=0).isoformat() \
        if failures >= MAX_FAILURES else None
    with store.transaction() as db:
        db.execute("UPDATE users SET failed_logins = ?, locked_until = ? WHERE id = ?",
                   (0 if until else failures, until, row["id"]))
        audit.record(db, "login_failed", user=user, note="wrong password")
        if until:
            audit.record(db, "account_locked", user=user,
                         note=f"{failures} failed sign-ins; locked until {until}")
    return None


def _verify(digest: str, password: str) -> bool:
    try:
        return bool(_hasher.verify(digest, password))
    except (VerificationError, InvalidHashError):
        return False
