"""Fixtures for the review tests: a small store (no starter pack, one label) with one account
per role and one article, built once and copied for each test; clients signed in by role."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from curbside import articles
from curbside.config import Settings
from curbside.ingest import ingest_file
from curbside.review import accounts, sessions
from curbside.store import Store, init_store
from curbside.web import create_app
from tests.conftest import FIXTURES

QUESTION = "Is gabapentin safe with opioids?"
LABEL_V1 = FIXTURES / "openfda" / "living_v1.json"
LABEL_V2 = FIXTURES / "openfda" / "living_v2.json"
PASSWORDS = {"admin": "keeper of the keys 42", "editor": "fixes the words 7 times",
             "editor2": "second pair of eyes twice", "reviewer": "checks every source 9",
             "reviewer2": "another one on call 3"}
PEOPLE = {
    "admin": ("admin", "Ada Admin", None),
    "editor": ("editor", "Eve Editor", "RN"),
    "editor2": ("editor", "Ed Second", None),
    "reviewer": ("reviewer", "Dr. A. Smith", "PharmD"),
    "reviewer2": ("reviewer", "Dr. B. Jones", "MD"),
}
ROLES = ("anonymous", "reviewer", "editor", "admin")


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("review") / "template.db"
    store = init_store(path, starter_pack=False)
    assert ingest_file(store, "openfda", str(LABEL_V1)).error is None
    for name, (role, display, creds) in PEOPLE.items():
        accounts.create_user(store, name, role=role, display_name=display, credentials=creds,
                             password=PASSWORDS[name])
    articles.ask_article(store, QUESTION)
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return path


@pytest.fixture
def db_path(template_db: Path, tmp_path: Path) -> Path:
    path = tmp_path / "review.db"
    shutil.copy(template_db, path)
    return path


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    s = Store(db_path)
    yield s
    s.close()


@pytest.fixture
def aid(store: Store) -> str:
    """The id of the one article (submitted, revision 1)."""
    return str(store.db.execute("SELECT id FROM articles").fetchone()[0])


def user(store: Store, name: str) -> dict[str, Any]:
    return accounts.get_user(store, name)


@pytest.fixture
def app(db_path: Path) -> Iterator[FastAPI]:
    application = create_app(Settings(db=db_path), ask_per_minute=6000, ask_burst=1000)
    yield application
    application.state.pool.close()


SignIn = Callable[[str], tuple[TestClient, str]]


@pytest.fixture
def sign_in(app: FastAPI, store: Store) -> SignIn:
    """A client signed in as `name` (a session made directly, no argon2 work) and its CSRF
    token; 'anonymous' gives a signed-out client and an empty token."""

    def make(name: str) -> tuple[TestClient, str]:
        client = TestClient(app)
        if name == "anonymous":
            return client, ""
        token, sess = sessions.create(store, user(store, name))
        client.cookies.set(sessions.COOKIE, token)
        return client, sess.csrf_token

    return make


def login_form_token(client: TestClient) -> str:
    """GET /login and read the form's CSRF token (its cookie is now in the client's jar)."""
    r = client.get("/login")
    assert r.status_code == 200
    match = re.search(r'name="csrf_token" value="([^"]+)"', r.text)
    assert match
    return match.group(1)


def web_login(client: TestClient, name: str, password: str | None = None) -> Any:
    token = login_form_token(client)
    return client.post("/login", data={"username": name,
                                       "password": password or PASSWORDS[name],
                                       "csrf_token": token, "next": "/review"},
                       follow_redirects=False)
