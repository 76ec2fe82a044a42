"""Search is safe for any user text and ranks what a user expects."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from curbside.search.lexical import fts_query, search

HOSTILE = ['"', '"unbalanced', "NEAR(opioid", "opioid AND OR NOT", "*", "-", "()", "(((",
           "col:value", "^start", "opioid*", "a' OR '1'='1", "\x00\x01", "ﬁ", "名前 opioid",
           "x" * 100_000, ("respiratory depression " * 5000)]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_never_breaks_search(pack_store, text: str) -> None:  # type: ignore[no-untyped-def]
    hits = search(pack_store, text, limit=5)
    assert isinstance(hits, list)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_unicode_text_is_a_valid_query(pack_store, text: str) -> None:  # type: ignore[no-untyped-def]
    search(pack_store, text, limit=3)


def test_query_has_only_quoted_words() -> None:
    q = fts_query('opioid" OR NEAR(x) -benzo*')
    assert q == '"opioid" OR "near" OR "x" OR "benzo"'
    assert fts_query("the and of") is None


def test_filters_restrict_results(pack_store) -> None:  # type: ignore[no-untyped-def]
    hits = search(pack_store, "respiratory depression", tier="guideline", limit=20)
    assert hits and all(h.tier == "guideline" for h in hits)
    hits = search(pack_store, "respiratory depression", drugs=["clonazepam"], limit=20)
    assert hits and all("label:clonazepam" in h.source_id for h in hits)
