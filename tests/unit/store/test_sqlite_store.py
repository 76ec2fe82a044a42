"""The store: versions supersede, re-ingest is idempotent, schema migrations, deletion."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from curbside.errors import StoreError
from curbside.model import Passage, Source
from curbside.search.lexical import search
from curbside.store.schema import SCHEMA_VERSION
from curbside.store.sqlite import Store


def label(version: str, effective: str, text: str = "Take with food.") -> Source:
    return Source(key="setid:abc", tier="label", title="Examplol tablets", version=version,
                  effective=effective, drugs=["examplol"],
                  passages=[Passage(section="warnings", text=text)])


def put(store: Store, src: Source) -> str:
    with store.transaction():
        return store.put_source(src, origin="test").action


def test_identical_content_is_unchanged_and_new_version_supersedes(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    assert put(store, label("1", "2020-01-01")) == "added"
    assert put(store, label("1", "2020-01-01")) == "unchanged"
    assert put(store, label("2", "2021-05-01", "Take without food.")) == "added"
    rows = {r["id"]: r for r in store.list_sources()}
    assert rows["setid:abc@1"]["status"] == "superseded"
    assert rows["setid:abc@1"]["superseded_by"] == "setid:abc@2"
    assert rows["setid:abc@2"]["status"] == "current"


def test_an_older_version_arriving_late_is_stored_as_superseded(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    put(store, label("3", "2022-01-01"))
    put(store, label("2", "2021-01-01", "older text"))
    assert store.get_source("setid:abc@2")["status"] == "superseded"
    assert store.get_source("setid:abc@3")["status"] == "current"


def test_fts_follows_updates_and_deletes(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    put(store, label("1", "2020-01-01", "zanzibarine warning"))
    assert search(store, "zanzibarine")
    put(store, label("1", "2020-01-01", "different words now"))     # same id, new content
    assert not search(store, "zanzibarine")
    with store.transaction():
        assert store.delete_key("setid:abc") == 1
    assert not search(store, "different")
    assert store.db.execute("SELECT count(*) FROM passages").fetchone()[0] == 0


def test_a_failed_transaction_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    put(store, label("1", "2020-01-01"))
    before = store.stats()
    with pytest.raises(RuntimeError), store.transaction():
        store.put_source(label("2", "2021-01-01", "new"), origin="test")
        raise RuntimeError("reader failed halfway")
    assert store.stats() == before
    assert store.get_source("setid:abc@1")["status"] == "current"


def test_an_older_store_is_migrated_and_a_newer_one_refused(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    sqlite3.connect(path).close()                     # schema version 0: made by nothing
    assert Store(path).schema_version == SCHEMA_VERSION
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="newer Curbside"):
        Store(path)


def test_a_file_that_is_not_a_store_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="not a usable Curbside store"):
        Store(path)


def test_the_document_index_follows_research_records(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")

    def abstract(text: str) -> Source:
        return Source(key="pmid:1", tier="research", title="A trial", passages=[
            Passage(section="background", text="Why we looked."),
            Passage(section="results", text=text)])

    def docs(word: str) -> int:
        idx = store.index.documents
        idx.index.reload()
        q = idx.parse(f'"{word}"', ["text"])
        return len(idx.searcher().search(q, 10, count=False).hits)

    put(store, abstract("zanzibarine lowered pain"))
    assert docs("zanzibarine") == 1
    put(store, abstract("quokkamab lowered pain"))           # same id, new content
    assert docs("zanzibarine") == 0 and docs("quokkamab") == 1
    with store.transaction():
        store.delete_key("pmid:1")
    assert docs("quokkamab") == 0 and docs("pain") == 0
