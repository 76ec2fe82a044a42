"""The tantivy index beside the store: the outbox keeps it in step, a lost apply is replayed
on the next open, `index check` sees a difference and `index rebuild` repairs it, an old
store migrates and gets its index on first use, and the filters live in the index."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

from tests.conftest import run_cli

from curbside.model import Passage, Source
from curbside.search.lexical import search
from curbside.store.index import forget_index, index_path
from curbside.store.schema import MIGRATIONS, SCHEMA_VERSION
from curbside.store.sqlite import Store


def abstract(pmid: int, text: str) -> Source:
    return Source(key=f"pmid:{pmid}", tier="research", title=f"Trial {pmid}", drugs=["examplol"],
                  passages=[Passage(section="background", text="Why we looked."),
                            Passage(section="results", text=text)])


def reopen(path: Path) -> Store:
    """The store as a new process sees it (no index handle kept from this one)."""
    forget_index(path)
    return Store(path)


def test_a_commit_reaches_the_index_and_a_deletion_leaves_it(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    with store.transaction():
        store.put_source(abstract(1, "zanzibarine lowered pain"), origin="test")
    assert [h.source_id for h in search(store, "zanzibarine")] == ["pmid:1"]
    with store.transaction():
        store.delete_key("pmid:1")
    assert search(store, "zanzibarine") == []
    assert store.check_index()["ok"]


def test_a_commit_whose_apply_was_lost_is_replayed_on_the_next_open(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    store = Store(path)
    with store.transaction():
        store.put_source(abstract(1, "zanzibarine lowered pain"), origin="test")
    store.defer_index = True            # as if the process died right after COMMIT
    with store.transaction():
        store.put_source(abstract(2, "quokkamab raised mood"), origin="test")
        store.delete_key("pmid:1")
    store.close()
    again = reopen(path)
    assert [h.source_id for h in search(again, "quokkamab")] == ["pmid:2"]
    assert search(again, "zanzibarine") == []
    report = again.check_index()
    assert report["ok"] and report["pending"] == 0


def test_check_sees_a_difference_and_rebuild_repairs_it(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    store = Store(path)
    with store.transaction():
        for i in range(5):
            store.put_source(abstract(i, f"result number {i} quokkamab"), origin="test")
    # Another index folder's content: the one of an empty store.
    other = Store(tmp_path / "other.db")
    other.catch_up_index()
    store.close()
    other.close()
    forget_index(path)
    forget_index(tmp_path / "other.db")
    shutil.rmtree(index_path(path) / "passages")
    shutil.copytree(index_path(tmp_path / "other.db") / "passages", index_path(path) / "passages")
    res = run_cli("index", "check", "--format", "json", db=path)
    # The copied part records another store's id: opening the index rebuilds it from SQLite
    # rather than trusting it.
    report = json.loads(res.stdout)
    assert res.returncode == 0 and report["ok"], res.stdout
    assert report["passages_index"] == report["passages_store"] > 10
    # A document lost from the index behind the outbox's back is what check must flag.
    store = reopen(path)
    with store.index.passages.writer(15_000_000) as w:
        w.delete_documents_by_term("pid", 1)
        w.commit()
    store.index.reload()
    report = store.check_index()
    assert not report["ok"] and report["missing"] == [1]
    assert run_cli("index", "check", db=path).returncode == 1
    assert run_cli("index", "rebuild", db=path).returncode == 0
    assert run_cli("index", "check", db=path).returncode == 0


def test_filters_are_applied_inside_the_index(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    with store.transaction():
        store.put_source(Source(key="setid:a", tier="label", title="Examplol", version="1",
                                drugs=["examplol"], passages=[
                                    Passage(section="boxed_warning", text="quokka risk",
                                            title="WARNING: QUOKKA"),
                                    Passage(section="warnings", text="quokka caution",
                                            title="5.1 Quokka Bites")]), origin="test")
        store.put_source(Source(key="setid:a", tier="label", title="Examplol", version="2",
                                drugs=["examplol"], passages=[
                                    Passage(section="warnings", text="quokka newer")]),
                         origin="test")
        store.put_source(abstract(9, "quokka study"), origin="test")

    def ids(**kw: object) -> set[str]:
        return {h.source_id for h in search(store, "quokka", limit=20, **kw)}  # type: ignore[arg-type]
    assert ids() == {"setid:a@1", "setid:a@2", "pmid:9"}
    assert ids(tier="research") == {"pmid:9"}
    assert ids(status="superseded") == {"setid:a@1"}     # the status change reached the index
    assert ids(tier="label", status="current") == {"setid:a@2"}
    assert {h.section for h in search(store, "quokka", section="boxed_warning")} == \
        {"boxed_warning"}
    assert ids(drugs=["examplol"], tier="label") == {"setid:a@1", "setid:a@2"}
    assert ids(drugs=["nothing"]) == set()


def test_a_store_made_by_the_old_code_migrates_and_gets_its_index(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    con = sqlite3.connect(path, isolation_level=None)
    for n, script in enumerate(MIGRATIONS[:5]):
        con.executescript(script)
        con.execute(f"PRAGMA user_version = {n + 1}")
    # What the old Store wrote for one abstract (FTS5 rows included).
    con.execute("INSERT INTO sources(id, key, tier, title, content_hash, origin, retrieved_at) "
                "VALUES ('pmid:7', 'pmid:7', 'research', 'Old trial', 'h', 'pubmed', 'now')")
    con.execute("INSERT INTO passages(source_id, position, section, text) VALUES "
                "('pmid:7', 0, 'results', 'wallabine helped')")
    con.execute("INSERT INTO passages_fts(rowid, text, title) SELECT id, text, title "
                "FROM passages")
    con.close()
    store = reopen(path)
    assert store.schema_version == SCHEMA_VERSION
    assert [h.source_id for h in search(store, "wallabine")] == ["pmid:7"]
    assert store.check_index()["ok"]
