"""`curbside ingest` as users run it: real files, bad files, idempotence, crash safety."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tests.conftest import FIXTURES, run_cli, shared


def counts(db: Path) -> tuple[int, int, int]:
    """Sources and passages in SQLite, passages in the search index."""
    from curbside.store.sqlite import Store

    store = Store(db)
    try:
        queries = ("SELECT count(*) FROM sources", "SELECT count(*) FROM passages")
        a, b = (store.db.execute(q).fetchone()[0] for q in queries)
        store.catch_up_index()
        return a, b, store.check_index()["passages_index"]
    finally:
        store.close()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "store.db"
    assert run_cli("init", "--no-starter-pack", db=path).returncode == 0
    return path


def test_good_files_ingest_and_a_second_run_changes_nothing(db: Path) -> None:
    first = run_cli("ingest", "openfda", str(FIXTURES / "openfda" / "response.json"),
                    "--format", "json", db=db)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["added"] >= 1
    before = counts(db)
    again = run_cli("ingest", "openfda", str(FIXTURES / "openfda" / "response.json"),
                    "--format", "json", db=db)
    out = json.loads(again.stdout)
    assert out["added"] == 0 and out["unchanged"] == out["records"]
    assert counts(db) == before


@pytest.mark.parametrize(("fmt", "name", "says"), [
    ("openfda", "truncated.json", "truncated.json"),
    ("openfda", "empty.json", "empty.json"),
    ("openfda", "latin1.json", "latin1.json"),
    ("pubmed", "truncated.xml", "truncated.xml"),
    ("spl", "truncated.xml", "truncated.xml"),
])
def test_a_bad_file_is_one_clear_line_exit_2_and_nothing_stored(
        db: Path, fmt: str, name: str, says: str) -> None:
    before = counts(db)
    res = run_cli("ingest", fmt, str(FIXTURES / fmt / name), db=db)
    assert res.returncode == 2
    errors = [line for line in res.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and says in errors[0]
    assert "Traceback" not in res.stderr
    assert counts(db) == before


def test_the_wrong_reader_for_a_file_is_refused(db: Path) -> None:
    res = run_cli("ingest", "openfda", str(FIXTURES / "pubmed" / "articles.xml"), db=db)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert counts(db) == (0, 0, 0)


def test_one_bad_file_among_good_ones_keeps_the_good(db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(FIXTURES / "pubmed" / "articles.xml", folder / "a.xml")
    shutil.copy(FIXTURES / "pubmed" / "truncated.xml", folder / "b.xml")
    res = run_cli("ingest", "pubmed", str(folder), "--format", "json", db=db)
    out = json.loads(res.stdout)
    assert res.returncode == 2 and out["failed_files"] == 1 and out["added"] >= 1
    assert counts(db)[0] == out["added"]


def test_standard_input_and_globs(db: Path) -> None:
    text = (FIXTURES / "openfda" / "single.json").read_text()
    assert run_cli("ingest", "openfda", "-", db=db, stdin=text).returncode == 0
    res = run_cli("ingest", "guideline", str(FIXTURES / "guideline" / "example-*.md"), db=db)
    assert res.returncode == 0, res.stderr
    res = run_cli("ingest", "guideline", str(FIXTURES / "guideline" / "nothing-*.md"), db=db)
    assert res.returncode == 2 and "no files match" in res.stderr


def test_missing_file_and_bad_usage_exit_2(db: Path) -> None:
    assert run_cli("ingest", "openfda", "/no/such/file.json", db=db).returncode == 2
    assert run_cli("ingest", "nosuchformat", "x", db=db).returncode == 2
    assert run_cli("search", db=db).returncode == 2


def test_every_shared_file_of_these_formats_ingests(db: Path) -> None:
    for fmt, path in (("openfda", shared("openfda_labels")),
                      ("spl", shared("dailymed_spl_samples")),
                      ("pubmed", shared("pubmed"))):
        res = run_cli("ingest", fmt, str(path), "--format", "json", db=db)
        out = json.loads(res.stdout)
        assert res.returncode == 0 and out["failed_files"] == 0, res.stderr
    res = run_cli("search", "concomitant opioids respiratory depression", "--tier", "label",
                  "--format", "json", "--limit", "3", db=db)
    top = json.loads(res.stdout)["results"]
    # The benzodiazepine labels' opioid warnings come first.
    assert "alprazolam" in top[0]["source_title"].lower() or \
        "diazepam" in top[0]["source_title"].lower()
    assert "opioid" in (top[0]["title"] or "").lower()


@pytest.mark.parametrize("delay", [0.8, 2.0, 3.5])
def test_a_killed_ingest_leaves_a_consistent_store_and_a_rerun_completes(
        db: Path, tmp_path: Path, delay: float) -> None:
    """kill -9 at some moment (a batch, a commit, an index apply): SQLite and the index
    are consistent on the next open, and running the ingest again completes it once."""
    source = shared("pubmed", "pubmedqa_pqal.xml")
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(4):
        shutil.copy(source, folder / f"part{i}.xml")
    cmd = [sys.executable, "-m", "curbside", "--db", str(db), "ingest", "pubmed", "-q",
           str(folder)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    con.close()
    # The next open replays what the killed process committed but did not index.
    check = run_cli("index", "check", "--format", "json", db=db)
    assert check.returncode == 0 and json.loads(check.stdout)["ok"], check.stdout
    res = run_cli("ingest", "pubmed", "-q", str(folder), "--format", "json", db=db)
    assert res.returncode == 0, res.stderr
    sources, passages, indexed = counts(db)
    assert sources == 1000 and indexed == passages     # completed, no duplicates


def test_search_keeps_working_while_an_ingest_holds_the_write_lock(db: Path) -> None:
    """WAL: a reader in another connection sees the last committed state, never blocks."""
    from curbside.search.lexical import search
    from curbside.store.sqlite import Store

    assert run_cli("ingest", "pubmed", str(FIXTURES / "pubmed" / "articles.xml"),
                   db=db).returncode == 0
    writer, reader = Store(db), Store(db)
    before = len(search(reader, "example", limit=50))
    with writer.transaction():
        writer.db.execute("DELETE FROM sources")          # uncommitted
        t0 = time.perf_counter()
        during = len(search(reader, "example", limit=50))
        assert time.perf_counter() - t0 < 1.0
    assert during == before > 0
    assert len(search(reader, "example", limit=50)) == 0  # committed now


def test_the_search_limit_setting_sets_the_default_count(db: Path) -> None:
    assert run_cli("ingest", "pubmed", str(FIXTURES / "pubmed" / "articles.xml"),
                   db=db).returncode == 0
    res = run_cli("search", "invented text", "--format", "json", db=db,
                  env={"CURBSIDE_SEARCH_LIMIT": "2"})
    assert len(json.loads(res.stdout)["results"]) == 2
    res = run_cli("search", "invented text", "--format", "json", "--limit", "3", db=db,
                  env={"CURBSIDE_SEARCH_LIMIT": "2"})
    assert len(json.loads(res.stdout)["results"]) == 3
