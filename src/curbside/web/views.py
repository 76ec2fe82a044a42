"""Presentation helpers for the templates: labels, link-outs, the review steps. No domain logic."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

from curbside.articles import STATUSES

AUDIENCE_LABELS = {
    "clinician": "Clinician",
    "pharmacist": "Pharmacist",
    "nurse": "Nurse",
    "student": "Student",
    "patient": "Patient or caregiver",
}
STATUS_LABELS = {"submitted": "Submitted", "under_review": "Under Review", "approved": "Approved",
                 "changes_requested": "Changes Requested", "retracted": "Retracted"}
TIER_LABELS = {"guideline": "Guideline", "label": "FDA drug label", "research": "Research",
               "regulatory": "FDA safety communication"}
BANNER = "Educational purpose only • Exercise caution as content is pending human review"


def status_steps(status: str) -> list[dict[str, Any]]:
    """The three review steps with done/current flags for the indicator."""
    # Changes requested is still the review step; a retraction is shown as its own notice.
    step = {"changes_requested": "under_review", "retracted": "approved"}.get(status, status)
    at = STATUSES.index(step) if step in STATUSES else 0
    return [{"key": s, "label": STATUS_LABELS[s], "done": i < at or (i == at == 2),
             "current": i == at} for i, s in enumerate(STATUSES)]


def nice_date(iso: str | None) -> str:
    if not iso:
        return ""
    try:
        d = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{d:%B} {d.day}, {d.year}"


def ref_links(ref: dict[str, Any]) -> list[dict[str, str]]:
    """Where a reference can be read: PubMed, DailyMed, DOI, the guideline's own page."""
    ids = ref.get("identifiers") or {}
    links: list[dict[str, str]] = []
    if ids.get("pmid"):
        links.append({"label": "PubMed",
                      "url": f"https://pubmed.ncbi.nlm.nih.gov/{quote(str(ids['pmid']))}/"})
    if ids.get("set_id"):
        links.append({"label": "DailyMed", "url": "https://dailymed.nlm.nih.gov/dailymed/"
                      f"drugInfo.cfm?setid={quote(str(ids['set_id']))}"})
    if ids.get("doi"):
        links.append({"label": "DOI", "url": f"https://doi.org/{quote(str(ids['doi']), safe='/')}"})
    url = ref.get("url")
    # A label's own URL is its DailyMed page again (another address form): list it once.
    same_place = ids.get("set_id") and "dailymed.nlm.nih.gov" in str(url or "")
    if url and str(url).startswith(("https://", "http://")) and not same_place and \
            all(link["url"] != url for link in links):
        label = {"guideline": "Guideline", "regulatory": "FDA", "label": "Label",
                 "research": "Article"}.get(ref.get("tier", ""), "Source")
        links.append({"label": label, "url": str(url)})
    return links


def grade_text(grade: dict[str, Any] | None) -> str:
    if not grade or not (grade.get("strength") or grade.get("evidence")):
        return ""
    bits = []
    if grade.get("strength"):
        bits.append(f"strength {grade['strength']}")
    if grade.get("evidence"):
        bits.append(f"evidence {grade['evidence']}")
    return f"{grade.get('scheme') or 'Grade'}: " + ", ".join(bits)


def page_links(page: int, pages: int) -> list[int]:
    """Page numbers to offer: first, last and two either side of the current one."""
    keep = {1, pages} | set(range(max(1, page - 2), min(pages, page + 2) + 1))
    return sorted(p for p in keep if 1 <= p <= pages)


def short_date(value: str | int | None) -> str:
    """A source date as a reader reads it: 'November 4, 2022', or the year alone."""
    if value is None or value == "":
        return ""
    text = str(value)
    return text if len(text) == 4 else nice_date(text[:10])


def grade_legend(src: dict[str, Any]) -> dict[str, Any] | None:
    """A guideline's grading scheme (strength and evidence levels with their meaning)."""
    grading = (src.get("meta") or {}).get("grading") or {}
    if not (grading.get("strength") or grading.get("evidence")):
        return None
    return {"scheme": grading.get("scheme") or "Grades",
            "strength": sorted((grading.get("strength") or {}).items()),
            "evidence": sorted((grading.get("evidence") or {}).items())}


def passage_groups(passages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A source's passages as the reader meets them: consecutive passages of one section
    (same title) together; a guideline's recommendations one by one."""
    groups: list[dict[str, Any]] = []
    for p in passages:
        title = p.get("title") or str(p.get("section") or "").replace("_", " ").capitalize()
        grade = {"scheme": p.get("grade_scheme"), "strength": p.get("grade_strength"),
                 "evidence": p.get("grade_evidence")}
        item = p | {"grade_text": grade_text(grade), "anchor": f"p-{p['position']}"}
        if groups and groups[-1]["title"] == title and not p.get("number"):
            groups[-1]["passages"].append(item)
        else:
            groups.append({"title": title, "anchor": item["anchor"], "passages": [item]})
    return groups


def statement_choices(statements: list[dict[str, Any]], width: int = 90) -> list[dict[str, str]]:
    """The report form's statement options: "Bottom line 1: Opioids and clonazepam ..."."""
    out = []
    for s in statements:
        text = " ".join(str(s["text"]).split())
        if len(text) > width:
            text = text[:width].rsplit(" ", 1)[0] + " …"
        out.append({"value": s["anchor"], "label": f"{s['label']}: {text}"})
    return out
