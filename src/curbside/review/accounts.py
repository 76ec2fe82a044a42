"""Accounts of the Medical Advisory Board: roles, argon2 hashes, throttled sign-in.

There is no default account and no default password: the first admin is made with
`curbside user add NAME --role admin --display-name "..." --password-stdin`.

    >>> create_user(store, "asmith", role="reviewer", display_name="Dr. A. Smith",
    ...             credentials="PharmD", password="correct horse battery")
    >>> authenticate(store, "asmith", "correct horse battery")["display_name"]
    'Dr. A. Smith'
"""

from __future__ import annotations

import math
import re
import sqlite3
from dataclasses import dataclass
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
        db.execute("DELETE FROM login_throttle WHERE username = ?",
                   (user["username"].lower(),))
        db.execute("DELETE FROM sessions WHERE user_id = ?", (user["id"],))
        audit.record(db, "password_changed", user=by, actor=None if by else "cli",
                     note=f"{user['username']}: all sessions revoked")
    return get_user(store, username)


@dataclass(frozen=True)
class LoginPolicy:
    """How failed sign-ins slow down one address trying one account (the settings)."""

    free_failures: int = 3
    backoff_seconds: float = 2.0
    backoff_max_seconds: float = 900.0

    @classmethod
    def from_settings(cls, settings: Any) -> LoginPolicy:
        return cls(free_failures=settings.login_free_failures,
                   backoff_seconds=settings.login_backoff_seconds,
                   backoff_max_seconds=settings.login_backoff_max_seconds)

    def wait_after(self, failures: int) -> float:
        """Seconds a pair must wait after `failures` consecutive failures (0: none)."""
        extra = failures - self.free_failures
        if extra <= 0:
            return 0.0
        return float(min(self.backoff_max_seconds,
                         self.backoff_seconds * 2 ** min(extra - 1, 40)))


def authenticate(store: Store, username: str, password: str, *, client: str = "local",
                 now: datetime | None = None, policy: LoginPolicy = LoginPolicy()
                 ) -> dict[str, Any] | None:
    """The account if the password is right; None if not. TooManyAttempts while throttled.

    Failures are counted per (name as typed, client address), never per account alone, so
    a stranger's wrong guesses slow down only the stranger: the owner signing in from
    another address is not affected. After `policy.free_failures`, each further failure
    doubles the wait. Unknown, disabled and existing names take the same path: one argon2
    verification (of a dummy hash when the name is unknown), one write, the same response,
    so neither the status, the body nor the time tells who has an account.
    """
    at = now or datetime.now(UTC)
    name = username.strip().lower()[:64] or "?"
    row = store.db.execute("SELECT failures, blocked_until FROM login_throttle WHERE "
                           "username = ? AND client = ?", (name, client)).fetchone()
    if row and row["blocked_until"] and datetime.fromisoformat(row["blocked_until"]) > at:
        wait = max(1, math.ceil((datetime.fromisoformat(row["blocked_until"]) - at)
                                .total_seconds()))
        raise TooManyAttempts(f"too many failed sign-ins with this name from this address; "
                              f"try again in {wait} s", retry_after=wait)
    account = store.db.execute("SELECT * FROM users WHERE username = ?",
                               (username,)).fetchone()
    usable = account is not None and not account["disabled"]
    ok = _verify(account["password_hash"] if account is not None else _DUMMY_HASH, password)
    if ok and usable and account is not None:
        user = _user(account)
        with store.transaction() as db:
            db.execute("DELETE FROM login_throttle WHERE username = ? AND client = ?",
                       (name, client))
            if _hasher.check_needs_rehash(account["password_hash"]):
                db.execute("UPDATE users SET password_hash = ? WHERE id = ?",
                           (_hasher.hash(password), account["id"]))
            audit.record(db, "login", user=user, note=f"from {client}")
        return user
    failures = (row["failures"] if row else 0) + 1
    backoff = policy.wait_after(failures)
    until = _iso(at + timedelta(seconds=backoff)) if backoff else None
    why = "unknown user" if account is None else \
        "account disabled" if account["disabled"] else "wrong password"
    with store.transaction() as db:
        db.execute("INSERT INTO login_throttle(username, client, failures, last_failure, "
                   "blocked_until) VALUES (?,?,?,?,?) ON CONFLICT(username, client) DO UPDATE "
                   "SET failures = excluded.failures, last_failure = excluded.last_failure, "
                   "blocked_until = excluded.blocked_until",
                   (name, client, failures, _iso(at), until))
        audit.record(db, "login_failed", user=_user(account) if account is not None else None,
                     actor=None if account is not None else name,
                     note=f"{why} from {client}" + (f"; {failures} in a row, next try after "
                                                    f"{until}" if until else ""))
    return None


def recent_failures(store: Store, *, hours: float = 24.0,
                    now: datetime | None = None) -> dict[str, dict[str, Any]]:
    """Failed sign-ins per name (lower case) in the last `hours`: count, addresses, last."""
    since = _iso((now or datetime.now(UTC)) - timedelta(hours=hours))
    out: dict[str, dict[str, Any]] = {}
    for r in store.db.execute("SELECT username, client, failures, last_failure FROM "
                              "login_throttle WHERE last_failure >= ?", (since,)):
        entry = out.setdefault(r["username"], {"failures": 0, "clients": 0, "last": ""})
        entry["failures"] += r["failures"]
        entry["clients"] += 1
        entry["last"] = max(entry["last"], r["last_failure"])
    return out


def _iso(t: datetime) -> str:
    return t.replace(microsecond=0).isoformat()


def _verify(digest: str, password: str) -> bool:
    try:
        return bool(_hasher.verify(digest, password))
    except (VerificationError, InvalidHashError):
        return False
