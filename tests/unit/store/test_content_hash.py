"""The content hash that makes ingest idempotent, and stores hashed before "h2:"."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from curbside.model import Passage, Source
from curbside.store.sqlite import Store


def src(text: str = "Take with food.", title: str = "2.1 Dosing") -> Source:
    return Source(key="setid:abc", tier="label", title="Examplol — label", version="3",
                  drugs=["examplol"], passages=[Passage(section="dosage_and_administration",
                                                        text=text, title=title)])


def test_every_content_field_changes_the_hash() -> None:
    base = src().content_hash()
    assert base.startswith("h2:") and base == src().content_hash()
    assert src(text="Take with water.").content_hash() != base
    assert src(title="2.2 Dosing").content_hash() != base
    assert replace(src(), drugs=["other"]).content_hash() != base
    # Text moved between passages is other content, though the letters are the same.
    one = replace(src(), passages=[Passage(section="s", text="ab"), Passage(section="s",
                                                                            text="c")])
    two = replace(src(), passages=[Passage(section="s", text="a"), Passage(section="s",
                                                                           text="bc")])
    assert one.content_hash() != two.content_hash()


def test_a_store_hashed_the_old_way_sees_the_same_label_as_unchanged(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    with store.transaction():
        assert store.put_source(src(), origin="openfda").action == "added"
        store.db.execute("UPDATE sources SET content_hash = ?", (src().legacy_content_hash(),))
    with store.transaction():
        assert store.put_source(src(), origin="openfda").action == "unchanged"
        assert store.put_source(src(text="Take with water."),
                                origin="openfda").action == "updated"
    stored = store.db.execute("SELECT content_hash FROM sources").fetchone()[0]
    assert stored == src(text="Take with water.").content_hash()
