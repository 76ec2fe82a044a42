"""Curbside's exceptions.

    CurbsideError                 base; `exit_code` for the CLI, `status` for HTTP
    ├── UserError                 the person can fix it (exit 2, HTTP 4xx)
    │   ├── InputError            a file or record that cannot be read (names file/record)
    │   ├── NotFound              an id that is not in the store (HTTP 404)
    │   ├── Conflict              a state change that is not allowed now (HTTP 409)
    │   ├── NotSignedIn           the action needs a signed-in account (HTTP 401)
    │   ├── Forbidden             the account's role may not do this (HTTP 403)
    │   ├── TooManyAttempts       sign-in refused for a while (HTTP 429)
    │   └── PackError             the starter pack fails validation
    └── StoreError                the store itself is unusable (exit 1, HTTP 503)

Messages are one line a person can act on; no traceback reaches a user.
"""

from __future__ import annotations


class CurbsideError(Exception):
    """Base of every error Curbside raises on purpose."""

    exit_code = 1
    status = 500
    error = "internal_error"


class UserError(CurbsideError):
    """Something the user can correct: bad input, a wrong id, a refused action."""

    exit_code = 2
    status = 400
    error = "bad_request"


class InputError(UserError):
    """A file, record or question that cannot be used as given."""

    status = 422
    error = "invalid_input"

    def __init__(self, message: str, *, path: str | None = None, record: str | None = None):
        where = ": ".join(part for part in (path, record) if part)
        super().__init__(f"{where}: {message}" if where else message)
        self.path = path
        self.record = record


class NotFound(UserError):
    """An id that the store does not hold."""

    status = 404
    error = "not_found"


class Conflict(UserError):
    """An action that the current state does not allow."""

    status = 409
    error = "conflict"


class NotSignedIn(UserError):
    """The action needs a signed-in account (or the session has expired)."""

    status = 401
    error = "unauthorized"


class Forbidden(UserError):
    """The signed-in account may not do this (its role, or a missing CSRF token)."""

    status = 403
    error = "forbidden"


class TooManyAttempts(UserError):
    """Too many sign-in attempts: refused until `retry_after` seconds have passed."""

    status = 429
    error = "rate_limited"

    def __init__(self, message: str, *, retry_after: int = 60):
        super().__init__(message)
        self.retry_after = retry_after


class PackError(UserError):
    """The starter knowledge pack fails validation."""

    error = "invalid_pack"


class StoreError(CurbsideError):
    """The store cannot be opened or written (locked, corrupt, from a newer version)."""

    exit_code = 1
    status = 503
    error = "store_unavailable"
