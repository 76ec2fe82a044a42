"""Schemathesis against /openapi.json, anonymous and signed in: generated requests never get
a 5xx, every status is documented, and responses match the documented schema."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from curbside.config import Settings
from curbside.review import accounts, sessions
from curbside.store import init_store
from curbside.web import create_app

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is not installed")
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

# Schemathesis needs the schema at import time; the store lives in a temp folder of its own
# (generated asks create articles) that the module removes when done.
_tmp = Path(tempfile.mkdtemp(prefix="curbside-schema-"))
_store = init_store(_tmp / "t.db")
# A signed-in editor too, so the review API is explored past its 401s.
_editor = accounts.create_user(_store, "schema-editor", role="editor", display_name="S. Editor",
                               password="generated requests only 7")
_token, _session = sessions.create(_store, _editor)
_store.close()
AUTH = {"Cookie": f"{sessions.COOKIE}={_token}", "X-CSRF-Token": _session.csrf_token}
app = create_app(Settings(db=_tmp / "t.db"), ask_per_minute=60000, ask_burst=100000,
                 read_per_minute=60000, read_burst=100000)
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.fixture(scope="module", autouse=True)
def _remove_store() -> Iterator[None]:
    yield
    app.state.pool.close()
    shutil.rmtree(_tmp, ignore_errors=True)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


@schema.parametrize()
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
def test_api_conforms(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=CHECKS)


@schema.parametrize()
@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
def test_api_conforms_signed_in(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=CHECKS, headers=AUTH)
