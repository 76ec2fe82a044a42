"""Revisions never change once made; edits keep every statement cited; the audit log is
append-only whatever SQL tries."""

from __future__ import annotations

import copy
import sqlite3
from pathlib import Path

import pytest

from curbside import articles
from curbside.errors import InputError
from curbside.review import audit, revisions, workflow
from curbside.store import Store
from tests.review.conftest import user

SRC = Path(__file__).resolve().parents[2] / "src" / "curbside"


def answer(store: Store, aid: str) -> dict:
    return articles.get_article(store, aid)["answer"]


def test_statements_have_locators(store: Store, aid: str) -> None:
    locs = [s["loc"] for s in revisions.statements(answer(store, aid))]
    assert locs[0] == "summary.0" and "key_concerns.0" in locs and "sections.0.1" in locs


def test_replace_remove_and_add(store: Store, aid: str) -> None:
    old = answer(store, aid)
    new = revisions.apply_edits(old, [
        {"op": "replace", "loc": "sections.0.0", "text": "  Boxed warning:   sedation. "},
        {"op": "remove", "loc": "key_concerns.1"},
        {"op": "add", "section": "label", "text": "Start low and go slow.", "citations": [2]}])
    label = new["sections"][0]["statements"]
    assert label[0]["text"] == "Boxed warning: sedation."
    assert label[-1] == {"text": "Start low and go slow.", "citations": [2]}
    assert len(new["key_concerns"]) == len(old["key_concerns"]) - 1
    revisions.check(new)
    assert old == answer(store, aid)  # the input is not touched


def test_unused_references_are_dropped_and_renumbered(store: Store, aid: str) -> None:
    old = answer(store, aid)
    # Keep only the statement citing reference 2 alone: reference 1 goes, 2 becomes 1.
    assert revisions.statements(old)[-1] | {"heading": ""} == {
        "loc": "sections.0.1", "group": "label", "heading": "", "text": revisions.statements(
            old)[-1]["text"], "citations": [2]}
    edits = [{"op": "remove", "loc": s["loc"]} for s in revisions.statements(old)
             if s["loc"] != "sections.0.1"]
    new = revisions.apply_edits(old, edits)
    assert [r["n"] for r in new["references"]] == [1]
    assert new["references"][0]["section"] == old["references"][1]["section"]
    assert all(s["citations"] == [1] for s in revisions.statements(new))


@pytest.mark.parametrize(("edit", "message"), [
    ({"op": "add", "section": "label", "text": "Uncited claim.", "citations": []},
     "needs at least one citation"),
    ({"op": "add", "section": "label", "text": "Cites nothing real.", "citations": [7]},
     "citation 7 is not one of the references"),
    ({"op": "replace", "loc": "sections.0.0", "text": "x", "citations": [99]},
     "citation 99 is not one of the references"),
    ({"op": "replace", "loc": "sections.0.0", "text": "   "}, "the statement text is empty"),
    ({"op": "replace", "loc": "sections.5.0", "text": "x"}, "no statement at 'sections.5.0'"),
    ({"op": "add", "section": "research", "text": "x", "citations": [1]}, "no section"),
    ({"op": "rewrite", "loc": "summary.0"}, "unknown edit"),
])
def test_edits_that_would_break_citations_are_refused(store: Store, aid: str, edit: dict,
                                                      message: str) -> None:
    with pytest.raises(InputError, match=message):
        revisions.apply_edits(answer(store, aid), [edit])


def test_an_edit_that_changes_nothing_is_refused(store: Store, aid: str) -> None:
    text = answer(store, aid)["summary"][0]["text"]
    with pytest.raises(InputError, match="change nothing"):
        revisions.apply_edits(answer(store, aid),
                              [{"op": "replace", "loc": "summary.0", "text": text}])


def test_revision_one_is_never_altered(store: Store, aid: str) -> None:
    first = copy.deepcopy(answer(store, aid))
    workflow.transition(store, aid, "claim", user(store, "reviewer"))
    workflow.transition(store, aid, "request_changes", user(store, "reviewer"), note="fix")
    workflow.transition(store, aid, "revise", user(store, "editor"), edits=[
        {"op": "replace", "loc": "sections.0.1", "text": "Edited."}])
    art = articles.get_article(store, aid)
    assert art["revision"] == 2 and art["answer"]["sections"][0]["statements"][1]["text"] \
        == "Edited."
    assert articles.get_article(store, aid, revision=1)["answer"] == first
    with pytest.raises(sqlite3.IntegrityError, match="never altered"):
        store.db.execute("UPDATE article_revisions SET answer = '{}' WHERE revision = 1")
    with pytest.raises(sqlite3.IntegrityError, match="never altered"):
        store.db.execute("INSERT OR REPLACE INTO article_revisions(article_id, revision, "
                         "answer, created_at) VALUES (?, 1, '{}', 'now')", (aid,))
    # The library searches the current revision's text.
    assert articles.list_articles(store, q="Edited")["total"] == 1


def test_the_diff_shows_what_changed(store: Store, aid: str) -> None:
    old = answer(store, aid)
    new = revisions.apply_edits(old, [
        {"op": "replace", "loc": "sections.0.1", "text": old["sections"][0]["statements"][1]
         ["text"].replace("respiratory depression", "slowed breathing")},
        {"op": "remove", "loc": "key_concerns.1"}])
    groups = {g["group"]: g for g in revisions.diff(old, new)}
    label = [op for op in groups["label"]["ops"] if op["op"] != "equal"]
    assert [op["op"] for op in label] == ["changed"]
    words = label[0]["words"]
    assert {"tag": "del", "text": "respiratory depression"} in words
    assert {"tag": "ins", "text": "slowed breathing"} in words
    assert [op["op"] for op in groups["key_concerns"]["ops"]].count("removed") == 1
    assert groups["summary"]["changes"] == 0


def test_audit_rows_cannot_be_updated_or_deleted(store: Store, aid: str) -> None:
    workflow.transition(store, aid, "claim", user(store, "reviewer"))
    assert len(audit.rows(store)) > 0
    with pytest.raises(sqlite3.IntegrityError, match="append-only: UPDATE refused"):
        store.db.execute("UPDATE audit_log SET note = 'tampered'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only: DELETE refused"):
        store.db.execute("DELETE FROM audit_log")
    with pytest.raises(sqlite3.IntegrityError, match="append-only: REPLACE refused"):
        store.db.execute("INSERT OR REPLACE INTO audit_log(id, at, actor, action) "
                         "VALUES (1, 'now', 'x', 'y')")
    assert [r["action"] for r in audit.rows(store, article_id=aid)] == ["claim"]
    assert all(r["note"] != "tampered" for r in audit.rows(store))


def test_no_code_path_writes_over_audit_rows() -> None:
    """Only INSERT INTO audit_log appears in the source (the triggers refuse the rest)."""
    for path in SRC.rglob("*.py"):
        text = " ".join(path.read_text().split()).lower()
        for verb in ("update audit_log", "delete from audit_log", "replace into audit_log"):
            assert verb not in text, f"{path}: {verb}"
