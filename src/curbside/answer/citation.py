"""Plain-text citations in AMA style (AMA Manual of Style, 11th ed.) for sources and articles.

Only what the store holds is used; a missing part is left out, never guessed. Shapes:

- journal article: `Sun EC, Dixit A, Humphreys K, et al. Title. BMJ. 2017. doi:10.1136/bmj.j760`
  (all authors up to six; more than six: the first three and "et al"), PMID when there is
  no DOI;
- drug label (package insert): `Clonazepam tablets, USP. Package insert. Northstar Rx LLC;
  2026. Accessed December 2, 2026. https://dailymed...`;
- guideline or agency document: `Issuer. Title. Journal citation or published date. doi or
  URL`;
- a Curbside article (a web page): `Question. Curbside. Updated <date>. Accessed <date>. URL`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

MAX_AUTHORS = 6
"""AMA lists every author up to six; with more, the first three followed by 'et al'."""


def _date(iso: str | None) -> str:
    """'December 2, 2026' from an ISO date or timestamp ('' when absent, as is if odd)."""
    if not iso:
        return ""
    try:
        d = datetime.fromisoformat(str(iso)).date()
    except ValueError:
        try:
            d = date.fromisoformat(str(iso)[:10])
        except ValueError:
            return str(iso)
    return f"{d:%B} {d.day}, {d.year}"


def _end(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in ".?!" else text + "."


def _authors(names: list[str]) -> str:
    if len(names) > MAX_AUTHORS:
        names = [*names[:3], "et al"]
    return ", ".join(n.strip() for n in names if n and n.strip())


def _locator(src: dict[str, Any]) -> str:
    ids = src.get("identifiers") or {}
    if ids.get("doi"):
        return f"doi:{ids['doi']}"
    if ids.get("pmid"):
        return f"PMID: {ids['pmid']}"
    return str(src.get("url") or "")


def ama_source(src: dict[str, Any], accessed: str | None = None) -> str:
    """One stored source (a `sources` row: title, issuer, year, identifiers, meta, ...)."""
    meta = src.get("meta") or {}
    ids = src.get("identifiers") or {}
    title = _end(str(src.get("title") or "Untitled"))
    tier = src.get("tier")
    year = str(src.get("year") or "")
    parts: list[str] = []
    if tier == "research":
        authors = _authors(list(meta.get("authors") or []))
        if authors:
            parts.append(_end(authors))
        parts.append(title)
        journal = meta.get("journal") or src.get("issuer")
        if journal and year:
            parts.append(f"{journal}. {year}.")
        elif journal or year:
            parts.append(_end(str(journal or year)))
        locator = _locator(src)
        if locator:
            parts.append(locator)
        return " ".join(parts)
    if tier == "label":
        parts.append(title)
        parts.append("Package insert.")
        maker = src.get("issuer")
        revised = src.get("effective") or src.get("published")
        when = _date(revised) if revised else year
        if maker and when:
            parts.append(f"{maker}; {when}.")
        elif maker or when:
            parts.append(_end(str(maker or when)))
        if accessed:
            parts.append(f"Accessed {_date(accessed)}.")
        if src.get("url"):
            parts.append(str(src["url"]))
        return " ".join(parts)
    if src.get("issuer"):
        parts.append(_end(str(src["issuer"])))
    parts.append(title)
    if ids.get("citation"):
        parts.append(_end(str(ids["citation"])))
    elif src.get("published"):
        parts.append(f"Published {_date(src['published'])}.")
    elif year:
        parts.append(f"{year}.")
    if ids.get("doi"):
        parts.append(f"doi:{ids['doi']}")
    else:
        if accessed and src.get("url"):
            parts.append(f"Accessed {_date(accessed)}.")
        if src.get("url"):
            parts.append(str(src["url"]))
    return " ".join(parts)


def ama_article(question: str, url: str, *, updated: str | None,
                accessed: str | None = None, site: str = "Curbside") -> str:
    """A Curbside article cited as a web page."""
    parts = [_end(question), _end(site)]
    if updated:
        parts.append(f"Updated {_date(updated)}.")
    if accessed:
        parts.append(f"Accessed {_date(accessed)}.")
    parts.append(url)
    return " ".join(parts)
