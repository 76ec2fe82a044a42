"""Pair findings on real stores: the whole ONC high-priority list, and real label text."""

from __future__ import annotations

import time
from typing import Any

from tests.conftest import shared

from curbside.answer.engine import answer_question, lexicon_for
from curbside.answer.evidence import rule_matches
from curbside.answer.interactions import check_pairs, rank, scale
from curbside.answer.understand import understand
from curbside.sources import onc
from curbside.store.sqlite import Store


def onc_pairs() -> list[tuple[str, str]]:
    """The mapped CSV's distinct pairs, as its names are written (one order per pair)."""
    path = shared("onc_ddi", "ONC_High_Priority_Mapped.csv")
    seen: set[frozenset[str]] = set()
    out = []
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        if not line.strip():
            continue
        row = line.split("$")
        key = frozenset((row[0].lower(), row[2].lower()))
        if key not in seen:
            seen.add(key)
            out.append((row[0], row[2]))
    return out


def names_both(text: str, a: str, b: str) -> bool:
    low = text.lower()
    return onc.name(a) in low and onc.name(b) in low


def test_every_onc_high_priority_pair_gets_a_cited_interaction(pack_store: Store) -> None:
    pairs = onc_pairs()
    assert len(pairs) == 1150
    lexicon = lexicon_for(pack_store)
    missed = []
    start = time.perf_counter()
    for a, b in pairs:
        u = understand(f"Can I take {a} with {b}?", lexicon)
        got = {d.name for d in u.drugs}
        reports = check_pairs(pack_store, u, rule_matches(pack_store, u))
        rep = next((r for r in reports if {r.a, r.b} == {onc.name(a), onc.name(b)}), None)
        lists = [f for f in (rep.findings if rep else []) if f.kind == "list"]
        if not (got == {onc.name(a), onc.name(b)} and lists
                and lists[0].severity == "contraindicated"
                and names_both(lists[0].text or "", a, b)
                and lists[0].evidence[0].source["key"] == "onc:high-priority"):
            missed.append((a, b, sorted(got)))
    assert not missed, f"{len(missed)} pairs missed, e.g. {missed[:5]}"
    assert time.perf_counter() - start < 60


def statements(ans: dict[str, Any]) -> list[dict[str, Any]]:
    return [st for sec in ans["sections"] for st in sec["statements"]]


def test_onc_pairs_answer_with_a_statement_citing_the_list(pack_store: Store) -> None:
    sample = onc_pairs()             # all 1,150 (about 7 ms each, in process)
    for a, b in sample:
        ans = answer_question(pack_store, f"Is it safe to combine {a} and {b}?")
        assert not ans["insufficient_evidence"], (a, b)
        refs = {r["n"]: r for r in ans["references"]}
        cited = [st for st in statements(ans) if st.get("severity") and names_both(
            st["text"], a, b) and any(refs[n]["source_id"] == "onc:high-priority"
                                      for n in st["citations"])]
        assert cited, (a, b)
        entry = next(e for e in ans["interactions"]
                     if set(e["drugs"]) == {onc.name(a), onc.name(b)})
        assert entry["severity"] == "contraindicated"
        used = {n for st in statements(ans) for n in st["citations"]} | {
            n for s in ans["summary"] for n in s["citations"]}
        assert set(refs) <= used | {n for k in ans["key_concerns"] for n in k["citations"]}


def test_drugs_only_the_list_names_are_recognised(pack_store: Store) -> None:
    lexicon = lexicon_for(pack_store)
    for word in ("vandetanib", "astemizole", "domperidone", "levomethadyl acetate",
                 "arsenic trioxide", "sulpiride", "sevoflurane", "droperidol", "ibutilide"):
        u = understand(f"what about {word}?", lexicon)
        assert [d.name for d in u.drugs] == [onc.name(word)], word


def test_three_drugs_every_pair_most_severe_first(pack_store: Store) -> None:
    ans = answer_question(pack_store, "simvastatin, clarithromycin and ondansetron together?")
    pairs = [set(e["drugs"]) for e in ans["interactions"]]
    assert len(pairs) == 3
    severities = [e["severity"] for e in ans["interactions"]]
    assert [rank(s) for s in severities] == sorted(rank(s) for s in severities)
    assert pairs[0] == {"simvastatin", "clarithromycin"}
    assert severities[0] == "contraindicated"
    for e in ans["interactions"]:
        assert e["severity"] in (*scale()["levels"], None)
        if not e["findings"]:
            names = " with ".join(e["drugs"])
            assert any(names in g for g in ans["evidence_gaps"])


def test_a_class_named_in_the_question_reaches_the_list(pack_store: Store) -> None:
    ans = answer_question(pack_store, "Can MAO inhibitors be taken with triptans?")
    entry = ans["interactions"][0]
    assert set(entry["drugs"]) == {"maoi", "triptan"}
    assert entry["severity"] == "contraindicated"


def test_ingesting_the_list_into_an_empty_store(empty_store: Store) -> None:
    from curbside.ingest import ingest_file

    folder = shared("onc_ddi")
    first = ingest_file(empty_store, "onc", str(folder / "ONC High Priority List.xls"))
    assert (first.error, first.added) == (None, 1)
    again = ingest_file(empty_store, "onc", str(folder / "ONC_High_Priority_Mapped.csv"))
    assert (again.error, again.unchanged) == (None, 1)      # the same source either way
    bad = ingest_file(empty_store, "onc", str(folder / "onc_high_priority_facts.md"))
    assert bad.error and "ONC" in bad.error
    ans = answer_question(empty_store, "vandetanib with sevoflurane?")
    assert ans["interactions"][0]["severity"] == "contraindicated"
    assert ans["references"][0]["identifiers"]["pmid"] == "22539083"


def test_pack_validate_checks_the_whole_onc_list(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from curbside.knowledge.validate import validate_pack

    csv = shared("onc_ddi", "ONC_High_Priority_Mapped.csv")
    report = validate_pack(onc_csv=str(csv))
    assert report["coverage"]["onc_pairs"] == 1150
    assert report["coverage"]["onc_pairs_missing"] == 0
    assert report["problems"] == []
    # A pair the pack's copy of the list lacks, and a name nobody knows, are problems.
    extra = tmp_path / "ONC_High_Priority_Mapped.csv"
    extra.write_text(csv.read_text(encoding="utf-8-sig")
                     + "Vandetanib$DB05294$Zorblaxine$DB99999$\n", encoding="utf-8")
    problems = validate_pack(onc_csv=str(extra))["problems"]
    assert any("vandetanib + zorblaxine" in p or "zorblaxine + vandetanib" in p
               for p in problems)
    assert "ONC drug not in the lexicon: zorblaxine" in problems


def test_a_class_with_a_class_is_answered_from_the_members_labels(pack_store: Store) -> None:
    ans = answer_question(pack_store, "Can I take NSAIDs while on a blood thinner?",
                          audience="patient")
    assert not ans["insufficient_evidence"]
    label = [st["text"] for sec in ans["sections"] if sec["tier"] == "label"
             for st in sec["statements"]]
    # Each statement is scoped to one member's label and names the other class.
    assert any(t.startswith("The warfarin label") and "NSAID" in t for t in label)
    assert any(t.startswith("The ibuprofen label") and "anticoagulant" in t for t in label)
    assert all("bleeding" in t for t in label)
