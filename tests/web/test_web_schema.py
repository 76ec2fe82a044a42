"""Schemathesis against /openapi.json: generated requests never get a 5xx, and responses
match the documented schema."""

from __future__ import annotations

import pytest

from curbside.config import Settings
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


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory) -> object:
    """The app's own schema, on a store of its own (generated asks create articles)."""
    db = tmp_path_factory.mktemp("schema") / "t.db"
    init_store(db).close()
    app = create_app(Settings(db=db), ask_per_minute=60000, ask_burst=100000)
    return schemathesis.openapi.from_asgi("/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


@schema.parametrize()
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
def test_api_conforms(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=CHECKS)
