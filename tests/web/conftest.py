"""Fixtures for the web tests: one app on a temporary store per session, called in process."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import lxml.html
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from curbside.config import Settings
from curbside.store import init_store
from curbside.web import create_app

SEED = ("What are the concerns of a patient remaining on opioid medication and "
        "clonazepam (Klonopin)?")
TIER_HEADINGS = ("From the Guidelines", "From the FDA Drug Label", "From the Research")


@pytest.fixture(scope="session")
def web_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("web") / "t.db"
    init_store(path).close()
    return path


@pytest.fixture(scope="session")
def settings(web_db: Path) -> Settings:
    return Settings(db=web_db)


@pytest.fixture(scope="session")
def app(settings: Settings) -> FastAPI:
    # A generous bucket: the rate limit has its own test with its own app.
    return create_app(settings, ask_per_minute=6000, ask_burst=1000)


@pytest.fixture(scope="session")
def client(app: FastAPI) -> TestClient:
    return TestClient(app)


@pytest.fixture
def fresh_client(app: FastAPI) -> TestClient:
    """A client with its own (empty) cookie jar, e.g. for the audience preference."""
    return TestClient(app)


def page(html: str) -> Any:
    """A parsed HTML page (lxml), for finding elements as a reader would."""
    return lxml.html.fromstring(html)


@pytest.fixture(scope="session")
def seed_url(client: TestClient) -> str:
    """Where asking the seed question (as a clinician) leads."""
    r = client.post("/ask", data={"question": SEED, "audience": "clinician"},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    return str(r.headers["location"])
