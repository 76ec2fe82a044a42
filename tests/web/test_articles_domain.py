"""The article domain without the web: reuse, ids, slugs, statuses, search, readability."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from curbside import articles
from curbside.errors import InputError, NotFound
from curbside.store import Store, init_store
from curbside.store.schema import MIGRATIONS
from tests.web.conftest import SEED


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    return init_store(tmp_path_factory.mktemp("articles") / "t.db")


def test_same_question_same_audience_reuses(store: Store) -> None:
    a, created = articles.ask_article(store, SEED, audience="patient")
    b, again = articles.ask_article(store, "  " + SEED.upper().rstrip("?") + " ",
                                    audience="patient")
    assert created and not again and a["id"] == b["id"]
    c, other = articles.ask_article(store, SEED, audience="nurse")
    assert other and c["id"] != a["id"]
    assert a["answer"]["audience"] == "patient" and a["revision"] == 1
    assert a["status"] == "submitted"


def test_context_makes_a_different_article(store: Store) -> None:
    base, _ = articles.ask_article(store, SEED)
    plain, _ = articles.ask_article(store, "what about gabapentin instead?")
    follow, created = articles.follow_up(store, base["id"], "what about gabapentin instead?")
    assert created and follow["id"] != plain["id"] and follow["parent_id"] == base["id"]
    assert "clonazepam" in follow["context"]["drugs"]


def test_ids_and_slugs_are_stable() -> None:
    key = articles.article_key("Opioids and clonazepam?", "clinician", None)
    assert articles.article_id(key) == articles.article_id(key)
    assert articles.article_key("opioids  AND clonazepam", "clinician", {}) == key
    assert articles.slugify("Opioids & clonazepam (Klonopin)?") == "opioids-clonazepam-klonopin"
    assert articles.slugify("¿¡!!") == "article"
    assert len(articles.slugify("word " * 100)) <= 80


def test_bad_input_is_refused_and_stores_nothing(store: Store) -> None:
    before = store.db.execute("SELECT count(*) FROM articles").fetchone()[0]
    for q, aud in (("", "clinician"), ("x" * 3000, "clinician"), ("ok?", "robot")):
        with pytest.raises(InputError):
            articles.ask_article(store, q, audience=aud)
    assert store.db.execute("SELECT count(*) FROM articles").fetchone()[0] == before
    with pytest.raises(NotFound):
        articles.get_article(store, "nope")
    with pytest.raises(InputError):
        articles.set_status(store, articles.list_articles(store)["items"][0]["id"], "great")
    with pytest.raises(InputError):
        articles.list_articles(store, tier="vibes")


def test_search_is_safe_for_any_text(store: Store) -> None:
    for q in ('"', "NEAR(", "AND OR NOT", "*", "-", "()", "x" * 5000):
        articles.list_articles(store, q=q)
    assert articles.list_articles(store, q="the of and")["total"] == 0


def test_a_version_1_store_gains_the_articles_tables(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    db.executescript(MIGRATIONS[0])
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    store = Store(path)
    assert store.schema_version == len(MIGRATIONS)
    assert articles.list_articles(store)["total"] == 0


def test_patient_text_is_plainer_than_clinician_text(store: Store) -> None:
    textstat = pytest.importorskip("textstat")

    def grade(audience: str) -> float:
        ans = articles.ask_article(store, SEED, audience=audience)[0]["answer"]
        text = " ".join([s["text"] for s in ans["summary"]]
                        + [k["text"] for k in ans["key_concerns"]])
        return float(textstat.flesch_kincaid_grade(text))

    assert grade("patient") < grade("clinician")


def test_patient_article_reads_at_grade_8_or_below(store: Store) -> None:
    textstat = pytest.importorskip("textstat")
    ans = articles.ask_article(store, SEED, audience="patient")[0]["answer"]
    text = " ".join([s["text"] for s in ans["summary"]] + [k["text"] for k in ans["key_concerns"]]
                    + [st["text"] for sec in ans["sections"] for st in sec["statements"]])
    assert textstat.flesch_kincaid_grade(text) <= 8
