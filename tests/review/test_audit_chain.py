"""The audit chain shows tampering: forged, altered, deleted and reordered rows and dropped
triggers are each detected; the app and the CLI refuse review while the triggers are gone."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from curbside.review import audit
from curbside.store import Store
from tests.conftest import run_cli


def _raw(db_path: Path) -> sqlite3.Connection:
    """The file opened as an attacker would: plain sqlite3, no Curbside code."""
    return sqlite3.connect(db_path, isolation_level=None)


def _problem(store: Store) -> str:
    verdict = audit.verify(store)
    assert not verdict.ok
    return verdict.problems[0]


def test_an_untouched_chain_verifies_and_grows(store: Store) -> None:
    before = audit.verify(store)
    assert before.ok and before.rows >= 5 and before.legacy == 0
    audit.record(store, "comment", actor="reviewer", note="fine")
    after = audit.verify(store)
    assert after.ok and after.rows == before.rows + 1 and after.head != before.head
    assert audit.verify(store, anchor=before.head).ok  # an older anchor is still in the chain


def test_a_forged_back_dated_row_is_detected(store: Store, db_path: Path) -> None:
    _raw(db_path).execute("INSERT INTO audit_log(at, actor, action, note) VALUES "
                          "('2020-01-01T00:00:00+00:00', 'admin', 'approve', 'forged')")
    assert "not chained" in _problem(store)


def test_a_forged_row_with_a_made_up_hash_is_detected(store: Store, db_path: Path) -> None:
    head = audit.verify(store).head
    _raw(db_path).execute("INSERT INTO audit_log(at, actor, action, prev_hash, hash) VALUES "
                          "('2020-01-01T00:00:00+00:00', 'admin', 'approve', ?, ?)",
                          (head, "ab" * 32))
    assert "altered or forged" in _problem(store)


def test_an_altered_row_is_detected(store: Store, db_path: Path) -> None:
    raw = _raw(db_path)
    raw.execute("DROP TRIGGER audit_log_no_update")
    raw.execute("UPDATE audit_log SET actor = 'someone else' WHERE id = 2")
    verdict = audit.verify(store)
    assert "protective trigger audit_log_no_update is missing" in verdict.problems
    assert any(p.startswith("row 2 ") and "altered" in p for p in verdict.problems)


def test_a_deleted_row_is_detected(store: Store, db_path: Path) -> None:
    raw = _raw(db_path)
    raw.execute("DROP TRIGGER audit_log_no_delete")
    raw.execute("DELETE FROM audit_log WHERE id = 3")
    assert any("rows 3..3 are missing" in p for p in audit.verify(store).problems)


def test_a_deleted_row_renumbered_away_is_still_detected(store: Store, db_path: Path) -> None:
    raw = _raw(db_path)
    for t in audit.TRIGGERS:
        raw.execute(f"DROP TRIGGER {t}")
    raw.execute("DELETE FROM audit_log WHERE id = 3")
    raw.execute("UPDATE audit_log SET id = id - 1 WHERE id > 3")
    assert any("row 3 " in p and "does not follow" in p for p in audit.verify(store).problems)


def test_reordered_rows_are_detected(store: Store, db_path: Path) -> None:
    raw = _raw(db_path)
    for t in audit.TRIGGERS:
        raw.execute(f"DROP TRIGGER {t}")
    raw.execute("UPDATE audit_log SET id = -id WHERE id IN (2, 3)")
    raw.execute("UPDATE audit_log SET id = 3 WHERE id = -2")
    raw.execute("UPDATE audit_log SET id = 2 WHERE id = -3")
    assert any("row 2 " in p and "does not follow" in p for p in audit.verify(store).problems)


def test_rows_cut_off_the_end_are_caught_by_the_anchor(store: Store, db_path: Path) -> None:
    audit.record(store, "comment", actor="reviewer", note="last word")
    head = audit.verify(store).head
    raw = _raw(db_path)
    raw.execute("DROP TRIGGER audit_log_no_delete")
    raw.execute("DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)")
    audit.restore_triggers(store)
    assert audit.verify(store).ok  # a truncated chain is still a chain ...
    assert "not in the chain" in _problem_with_anchor(store, head)  # ... the anchor tells


def _problem_with_anchor(store: Store, anchor: str) -> str:
    verdict = audit.verify(store, anchor=anchor)
    assert not verdict.ok
    return verdict.problems[0]


def test_dropped_triggers_close_review_and_restore_reopens_it(app: FastAPI, store: Store,
                                                               db_path: Path) -> None:
    _raw(db_path).execute("DROP TRIGGER audit_log_no_delete")
    assert audit.missing_triggers(store) == ["audit_log_no_delete"]
    client = TestClient(app)
    for path in ("/login", "/review", "/api/v1/session"):
        r = client.get(path, headers={"accept": "application/json"}, follow_redirects=False)
        assert r.status_code == 503, path
        assert "audit trail" in r.json()["detail"] and "audit verify" in r.json()["detail"]
    assert client.get("/").status_code == 200  # the public site stays up
    assert audit.restore_triggers(store) == ["audit_log_no_delete"]
    assert client.get("/login").status_code == 200
    assert audit.verify(store).ok


def test_cli_verify_and_set_password_on_a_damaged_store(db_path: Path) -> None:
    res = run_cli("audit", "verify", db=db_path)
    assert res.returncode == 0 and "audit trail intact" in res.stdout
    raw = _raw(db_path)
    raw.execute("DROP TRIGGER audit_log_no_update")
    raw.execute("UPDATE audit_log SET note = 'rewritten' WHERE id = 4")
    res = run_cli("audit", "verify", db=db_path)
    assert res.returncode == 1 and "Traceback" not in res.stderr
    assert "row 4 " in res.stderr and "audit_log_no_update is missing" in res.stderr
    res = run_cli("user", "set-password", "editor", "--password-stdin", db=db_path,
                  stdin="a brand new phrase 77\n")
    assert res.returncode == 1 and "Traceback" not in res.stderr
    assert res.stderr.strip().count("\n") == 0 and "not protected" in res.stderr
    raw.execute("DROP TABLE audit_log")
    res = run_cli("user", "set-password", "editor", "--password-stdin", db=db_path,
                  stdin="a brand new phrase 77\n")
    assert res.returncode == 1 and "Traceback" not in res.stderr
