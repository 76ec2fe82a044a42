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
    if url and str(url).startswith(("https://", "http://")) and \
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
