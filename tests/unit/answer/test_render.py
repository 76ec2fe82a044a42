"""Rendering answers: references grouped by source, back-links, alert lines, AMA citations."""

from __future__ import annotations

from typing import Any

from curbside.answer import citation, render


def _ref(n: int, sid: str, section: str | None, **extra: Any) -> dict[str, Any]:
    return {"n": n, "tier": extra.pop("tier", "label"), "source_id": sid,
            "title": extra.pop("title", f"Title of {sid}"), "issuer": "Maker", "year": 2020,
            "url": None, "identifiers": {"set_id": sid}, "section": section, "grade": None,
            "status": "current", "superseded_by": None} | extra


ANSWER: dict[str, Any] = {
    "question": "q?", "alerts": [], "insufficient_evidence": False,
    "summary": [{"text": "Sum one.", "citations": [1, 3]}],
    "key_concerns": [{"concern": "Sedation", "text": "Sleepy.", "citations": [2]}],
    "sections": [{"tier": "guideline", "heading": "From the Guidelines",
                  "statements": [{"text": "G one.", "citations": [3]}]},
                 {"tier": "label", "heading": "From the FDA Drug Label",
                  "statements": [{"text": "L one.", "citations": [1]},
                                 {"text": "L two.", "citations": [2]}]}],
    "references": [_ref(1, "a", "Boxed Warning"), _ref(2, "b", "Warnings"),
                   _ref(3, "a", "Drug Interactions")],
    "follow_up_questions": [], "disclaimer": "Check.",
}


def test_references_of_one_source_become_one_group_keeping_their_numbers() -> None:
    groups = render.reference_groups(ANSWER["references"])
    assert [g["source_id"] for g in groups] == ["a", "b"]
    assert [(i["n"], i["section"]) for i in groups[0]["items"]] == [
        (1, "Boxed Warning"), (3, "Drug Interactions")]
    assert groups[0]["title"] == "Title of a" and "n" not in groups[0]


def test_every_reference_links_back_to_each_statement_citing_it() -> None:
    backs = render.cited_by(ANSWER)
    assert [b["anchor"] for b in backs[1]] == ["s-bottom-1", "s-label-1"]
    assert [b["label"] for b in backs[2]] == ["Key concern 1", "FDA label 2"]
    assert [b["anchor"] for b in backs[3]] == ["s-bottom-1", "s-guideline-1"]
    assert render.section_anchors(ANSWER) == [["s-guideline-1"], ["s-label-1", "s-label-2"]]


def test_markdown_lists_a_source_once_with_its_numbered_sections() -> None:
    md = render.to_markdown(ANSWER)
    refs = md.split("## References")[1]
    assert refs.count("Title of a") == 1
    assert "  - [1] Boxed Warning" in refs and "  - [3] Drug Interactions" in refs
    assert "- [2] (FDA drug label) Title of b" in refs
    assert not any(line != line.rstrip() for line in md.splitlines())


def test_html_output_groups_and_links_back() -> None:
    out = render.to_html(ANSWER)
    assert out.count("Title of a") == 1
    assert '<li id="s-label-2">' in out
    assert '<li id="ref-2" value="2">[2] Warnings <span class="cited-by">Cited in: ' \
           '<a href="#s-concern-1">Key concern 1</a> <a href="#s-label-2">FDA label 2</a>' in out


def test_alert_line_says_its_source_once() -> None:
    boxed = {"kind": "boxed_warning",
             "text": "Boxed warning (Drug X (maker: Y)): Can cause harm."}
    assert render.alert_line(boxed) == ("Boxed warning (Drug X (maker: Y)):", "Can cause harm.")
    assert render.alert_line({"kind": "contraindicated", "text": "Do not combine."}) == \
        ("Contraindicated:", "Do not combine.")
    md = render.to_markdown(ANSWER | {"alerts": [boxed]})
    assert "> **Boxed warning (Drug X (maker: Y)):** Can cause harm." in md
    assert "BOXED WARNING" not in md


def test_trailing_padding_is_stripped_even_before_colour_codes() -> None:
    assert render.strip_trailing("a   \nb \x1b[0m\n") == "a\nb\x1b[0m\n"


def test_ama_citations_by_kind_of_source() -> None:
    article = {"tier": "research", "title": "A study of things", "year": 2017,
               "identifiers": {"pmid": "1", "doi": "10.1/x"}, "issuer": "BMJ",
               "meta": {"authors": ["Sun EC", "Dixit A", "Humphreys K", "Darnall BD",
                                    "Baker LC", "Mackey S", "Extra Z"], "journal": "BMJ"}}
    assert citation.ama_source(article) == \
        "Sun EC, Dixit A, Humphreys K, et al. A study of things. BMJ. 2017. doi:10.1/x"
    label = {"tier": "label", "title": "Clonazepam tablets, USP", "issuer": "Northstar Rx LLC",
             "effective": "2026-01-02", "url": "https://dailymed.example/x", "identifiers": {}}
    assert citation.ama_source(label, "2026-12-02T10:00:00+00:00") == (
        "Clonazepam tablets, USP. Package insert. Northstar Rx LLC; January 2, 2026. "
        "Accessed December 2, 2026. https://dailymed.example/x")
    guideline = {"tier": "guideline", "title": "A guideline", "issuer": "Agency",
                 "identifiers": {"citation": "Rep 2022;71:1-95", "doi": "10.2/y"}}
    assert citation.ama_source(guideline) == "Agency. A guideline. Rep 2022;71:1-95. doi:10.2/y"
    assert citation.ama_article("Is it safe?", "http://h/a", updated="2026-12-01",
                                accessed="2026-12-02") == (
        "Is it safe? Curbside. Updated December 1, 2026. Accessed December 2, 2026. http://h/a")
