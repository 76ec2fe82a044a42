"""`curbside user add|list|disable|set-password`: no default password, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from curbside.review import accounts
from curbside.store import Store, init_store
from tests.conftest import run_cli

GOOD = "the first admin's phrase 1\n"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli-user") / "u.db"
    init_store(path, starter_pack=False).close()
    return path


def one_line_error(res: object, exit_code: int = 2) -> str:
    assert res.returncode == exit_code, res.stdout  # type: ignore[attr-defined]
    lines = res.stderr.strip().splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    return str(lines[0])


def test_add_list_disable_set_password(db: Path) -> None:
    res = run_cli("user", "add", "boss", "--role", "admin", "--display-name", "Ada Admin",
                  "--password-stdin", db=db, stdin=GOOD)
    assert res.returncode == 0, res.stderr
    res = run_cli("user", "add", "smith", "--role", "reviewer", "--display-name",
                  "Dr. A. Smith", "--credentials", "PharmD", "--password-stdin", db=db,
                  stdin="checks every source 9\n")
    assert res.returncode == 0, res.stderr
    res = run_cli("user", "list", "--format", "json", db=db)
    users = {u["username"]: u for u in json.loads(res.stdout)["users"]}
    assert users["smith"]["credentials"] == "PharmD" and users["boss"]["role"] == "admin"
    assert "password_hash" not in res.stdout and "argon2" not in res.stdout
    assert "Dr. A. Smith, PharmD" in run_cli("user", "list", db=db).stdout

    store = Store(db)
    assert accounts.authenticate(store, "smith", "checks every source 9")
    res = run_cli("user", "set-password", "smith", "--password-stdin", db=db,
                  stdin="a new phrase for the doctor\n")
    assert res.returncode == 0, res.stderr
    assert accounts.authenticate(store, "smith", "checks every source 9") is None
    assert accounts.authenticate(store, "smith", "a new phrase for the doctor")
    assert run_cli("user", "disable", "smith", db=db).returncode == 0
    assert accounts.authenticate(store, "smith", "a new phrase for the doctor") is None
    assert "[disabled]" in run_cli("user", "list", db=db).stdout
    store.close()


@pytest.mark.parametrize(("args", "stdin", "message"), [
    (["user", "add", "x1", "--role", "admin", "--display-name", "X"], GOOD,
     "pass --password-stdin"),
    (["user", "add", "x2", "--role", "admin", "--display-name", "X", "--password-stdin"], "",
     "no password on standard input"),
    (["user", "add", "x3", "--role", "admin", "--display-name", "X", "--password-stdin"],
     "password123\n", "too short"),
    (["user", "add", "x4", "--role", "admin", "--display-name", "X", "--password-stdin"],
     "iloveyou2024!!\n", "common passwords"),
    (["user", "add", "bad name", "--role", "admin", "--display-name", "X",
      "--password-stdin"], GOOD, "a username is"),
    (["user", "disable", "nobody"], None, "no user named 'nobody'"),
    (["user", "set-password", "nobody", "--password-stdin"], GOOD, "no user named"),
])
def test_errors_are_one_line_with_exit_2(db: Path, args: list[str], stdin: str | None,
                                         message: str) -> None:
    assert message in one_line_error(run_cli(*args, db=db, stdin=stdin))


def test_adding_a_user_twice_is_refused(db: Path) -> None:
    args = ["user", "add", "twice", "--role", "editor", "--display-name", "T",
            "--password-stdin"]
    assert run_cli(*args, db=db, stdin=GOOD).returncode == 0
    assert "already exists" in one_line_error(run_cli(*args, db=db, stdin=GOOD))
