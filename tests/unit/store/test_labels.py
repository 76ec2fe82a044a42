"""One label speaks for a drug in answers (store/labels.py); every label stays listed."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import shared

from curbside.answer.engine import answer_question
from curbside.ingest import ingest_file
from curbside.model import Passage, Source
from curbside.store import init_store
from curbside.store.labels import choose_labels
from curbside.store.sqlite import Store


def label(set_id: str, *, effective: str, version: str = "1", original: bool | None = None,
          sections: int = 1) -> Source:
    meta = {} if original is None else {"original_packager": original}
    return Source(key=f"setid:{set_id}", tier="label", title=f"Examplol ({set_id})",
                  version=version, effective=effective, drugs=["examplol"], meta=meta,
                  passages=[Passage(section="warnings", text=f"Section {i}.")
                            for i in range(sections)])


def chosen(store: Store, *labels: Source) -> tuple[str, int]:
    with store.transaction():
        for lab in labels:
            store.put_source(lab, origin="test")
    c = choose_labels(store.db, ["examplol"])["examplol"]
    return c.source_id, c.others


def test_the_original_packager_beats_a_newer_repackager(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    got = chosen(store, label("orig", effective="2019-01-01", original=True),
                 label("repack", effective="2024-01-01", original=False),
                 label("unknown", effective="2023-01-01"))
    assert got == ("setid:orig@1", 2)


def test_without_packager_flags_the_most_recent_then_the_fuller_label_wins(
        tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    assert chosen(store, label("a", effective="2020-05-01"),
                  label("b", effective="2022-03-01"))[0] == "setid:b@1"
    store2 = Store(tmp_path / "t.db")
    assert chosen(store2, label("a", effective="2022-03-01", sections=2),
                  label("b", effective="2022-03-01", sections=5))[0] == "setid:b@1"


def test_an_old_version_never_speaks(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    got = chosen(store, label("a", effective="2024-01-01", version="7", original=True),
                 label("a", effective="2025-01-01", version="8", original=True))
    assert got == ("setid:a@8", 0)        # version 7 is superseded, not counted


def test_answers_cite_one_label_and_say_how_many_others(tmp_path: Path) -> None:
    store = init_store(tmp_path / "s.db")
    for name in ("lipitor-orig.xml", "lipitor-repack.xml"):
        res = ingest_file(store, "spl", str(shared("dailymed_spl_samples", name)))
        assert res.error is None
    ans = answer_question(store, "Can I take atorvastatin with clarithromycin?")
    choice = {c["drug"]: c for c in ans["label_choice"]}
    assert choice["atorvastatin"]["other_labels"] == 1
    label_refs = {r["source_id"] for r in ans["references"]
                  if r["tier"] == "label" and not r["source_id"].startswith("pack:")}
    # Only the application holder's label (Pfizer's LIPITOR) is cited, never the repack.
    assert label_refs == {choice["atorvastatin"]["source_id"]}
    assert all(r["other_labels"] == 1 for r in ans["references"]
               if r["source_id"] in label_refs)
    orig = store.get_source(choice["atorvastatin"]["source_id"])
    assert orig["meta"]["original_packager"] is True
    # Listing still shows both.
    listed = [s for s in store.list_sources(tier="label") if s["origin"] == "spl"]
    assert len(listed) == 2


def test_the_answer_says_how_many_other_labels_in_every_format(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from curbside.answer.render import to_html, to_markdown
    from curbside.config import Settings
    from curbside.web import create_app

    store = init_store(tmp_path / "s.db")
    for name in ("lipitor-orig.xml", "lipitor-repack.xml"):
        assert ingest_file(store, "spl", str(shared("dailymed_spl_samples", name))).error is None
    question = "Can I take atorvastatin with clarithromycin?"
    ans = answer_question(store, question)
    said = "the store holds 1 other label for it"
    assert said in to_markdown(ans)
    assert said in to_html(ans)
    store.close()
    client = TestClient(create_app(Settings(db=tmp_path / "s.db")))
    r = client.post("/ask", data={"question": question, "audience": "pharmacist"})
    assert r.status_code == 200
    assert said in " ".join(r.text.split())


def test_a_remembered_choice_follows_a_label_added_by_another_connection(
        tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    assert chosen(store, label("a", effective="2020-01-01")) == ("setid:a@1", 0)
    other = Store(tmp_path / "s.db")        # e.g. an ingest in another process
    with other.transaction():
        other.put_source(label("b", effective="2024-01-01"), origin="test")
    assert choose_labels(store.db, ["examplol"])["examplol"].source_id == "setid:b@1"
    with store.transaction():               # and this connection's own writes
        store.put_source(label("c", effective="2025-01-01"), origin="test")
    assert choose_labels(store.db, ["examplol"])["examplol"].others == 2
