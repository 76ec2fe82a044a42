"""Ingest in journalled batches: a bad file is taken back whole (replaced records restored),
a dead run's batches are taken back by the next ingest, and the site's own writes succeed
while a long ingest runs."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from tests.conftest import shared

from curbside import articles, ingest
from curbside.store import init_store
from curbside.store.sqlite import Store


def titles(store: Store) -> dict[str, str]:
    return dict(store.db.execute("SELECT id, title FROM sources"))


def truncated_copy(src: Path, dest: Path, fraction: float) -> Path:
    data = src.read_bytes()
    dest.write_bytes(data[:int(len(data) * fraction)])
    return dest


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest, "BATCH_RECORDS", 25)


def test_a_bad_file_is_taken_back_after_many_batches(
        tmp_path: Path, small_batches: None) -> None:
    store = init_store(tmp_path / "s.db", starter_pack=False)
    res = ingest.ingest_file(store, "pubmed", str(shared("pubmed", "pubmedqa_pqal_untitled.xml")))
    assert res.error is None and res.added == 1000
    before = titles(store)
    passages = store.db.execute("SELECT count(*) FROM passages").fetchone()[0]
    # The same records with titles (each one replaces its untitled version), cut short.
    bad = truncated_copy(shared("pubmed", "pubmedqa_pqal.xml"), tmp_path / "cut.xml", 0.6)
    res = ingest.ingest_file(store, "pubmed", str(bad))
    assert res.error and "cut.xml" in res.error and res.records > 100   # many batches in
    assert titles(store) == before                   # every replaced record restored
    assert store.db.execute("SELECT count(*) FROM passages").fetchone()[0] == passages
    assert store.db.execute("SELECT count(*) FROM ingest_journal").fetchone()[0] == 0
    assert store.check_index()["ok"]


def test_the_next_ingest_takes_back_a_dead_runs_batches(
        tmp_path: Path, small_batches: None) -> None:
    path = tmp_path / "s.db"
    store = init_store(path, starter_pack=False)
    xml = str(shared("pubmed", "pubmedqa_pqal_untitled.xml"))
    # A run that wrote batches and died: its journal and run row remain, its pid is gone.
    store.journal = ("deadrun", xml)
    with store.transaction():
        store.db.execute("INSERT INTO ingest_runs(id, pid, started_at) VALUES "
                         "('deadrun', 2147483646, 'then')")
        with open(xml, "rb") as fh:
            items = list(ingest.reader_for("pubmed")(fh, xml))[:30]
        for item in items:
            store.put_source(item, origin="pubmed")  # type: ignore[arg-type]
    store.journal = None
    assert store.db.execute("SELECT count(*) FROM sources").fetchone()[0] == 30
    res = ingest.ingest_file(store, "guideline", str(Path(__file__).parents[1] / "fixtures"
                                                     / "guideline" / "example-2024.md"))
    assert res.error is None
    # The dead run's 30 records are gone; the new file is in.
    assert [r[0] for r in store.db.execute("SELECT tier FROM sources")] == ["guideline"]
    assert store.db.execute("SELECT count(*) FROM ingest_runs").fetchone()[0] == 0


def test_articles_are_created_while_a_long_ingest_runs(tmp_path: Path,
                                                        small_batches: None) -> None:
    path = tmp_path / "s.db"
    init_store(path).close()
    xml = str(shared("pubmed", "pubmedqa_pqal_untitled.xml"))
    outcome: dict[str, object] = {}

    def run_ingest() -> None:
        writer = Store(path)
        t0 = time.perf_counter()
        outcome["result"] = ingest.ingest_file(writer, "pubmed", xml)
        outcome["seconds"] = time.perf_counter() - t0
        writer.close()

    thread = threading.Thread(target=run_ingest)
    site = Store(path, busy_timeout_ms=2000)     # the site gives up after 2 s
    thread.start()
    made, waits = 0, []
    questions = ["Can I take warfarin with ibuprofen?", "Is sertraline safe in pregnancy?",
                 "Can I drink alcohol with metronidazole?", "Does lisinopril cause cough?"]
    while thread.is_alive() and made < 20:   # 4 questions x 5 audiences
        t0 = time.perf_counter()
        articles.ask_article(site, questions[made % 4], audience=["patient", "nurse",
                                                                  "clinician", "student",
                                                                  "pharmacist"][made // 4 % 5])
        waits.append(time.perf_counter() - t0)
        made += 1
    thread.join()
    res = outcome["result"]
    assert res.error is None and res.added == 1000       # type: ignore[attr-defined]
    assert made >= 3                                     # they ran during the ingest
    assert site.db.execute("SELECT count(*) FROM articles").fetchone()[0] == made


def test_jobs_read_files_ahead_with_the_same_outcome(tmp_path: Path) -> None:
    import json
    import shutil

    from tests.conftest import FIXTURES, run_cli

    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(shared("pubmed", "pubmedqa_pqal_untitled.xml"), folder / "a.xml")
    shutil.copy(FIXTURES / "pubmed" / "truncated.xml", folder / "b.xml")
    shutil.copy(FIXTURES / "pubmed" / "articles.xml", folder / "c.xml")
    outcomes = []
    for jobs in ("1", "2"):
        db = tmp_path / f"s{jobs}.db"
        res = run_cli("ingest", "pubmed", str(folder), "--jobs", jobs, "--format", "json",
                      db=db)
        out = json.loads(res.stdout)
        outcomes.append((res.returncode, out["added"], out["failed_files"], out["errors"]))
        assert run_cli("index", "check", db=db).returncode == 0
    assert outcomes[0] == outcomes[1]
    returncode, added, failed, errors = outcomes[0]
    assert returncode == 2 and failed == 1 and added > 1000 and "b.xml" in errors[0]
