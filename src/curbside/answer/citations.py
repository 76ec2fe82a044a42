"""Citations: passage ids -> reference numbers, at most three on one statement.

A statement is built with every passage behind it, strongest first; it cites the first
`MAX_CITATIONS`, and the rest stay listed as further references (without a number, so every
numbered reference is cited and every citation resolves).
"""

from __future__ import annotations

from typing import Any

from curbside.answer.evidence import Evidence

MAX_CITATIONS = 3
_TIER_RANK = {"label": 0, "guideline": 1, "regulatory": 2, "research": 3}


def strength_order(evs: list[Evidence], subjects: set[str] | None = None) -> list[Evidence]:
    """The strongest, most specific, current evidence first (stable within a rank)."""
    def rank(ev: Evidence) -> tuple[int, int, int]:
        specific = -len(ev.subjects & subjects) if subjects else 0
        return (ev.source.get("status") != "current", specific, _TIER_RANK.get(ev.tier, 4))
    unique = list({ev.pid: ev for ev in reversed(evs)}.values())[::-1]
    return sorted(unique, key=rank)


class Citations:
    """Passage ids -> reference numbers, assigned in order of first citation."""

    def __init__(self) -> None:
        self.numbers: dict[int, int] = {}
        self.evidence: dict[int, Evidence] = {}
        self.further: dict[int, Evidence] = {}

    def cite(self, evs: list[Evidence], limit: int = MAX_CITATIONS) -> list[int]:
        out: list[int] = []
        for ev in evs:
            if len(out) >= limit:
                self.further.setdefault(ev.pid, ev)
                continue
            if ev.pid not in self.numbers:
                self.numbers[ev.pid] = len(self.numbers) + 1
                self.evidence[ev.pid] = ev
            n = self.numbers[ev.pid]
            if n not in out:
                out.append(n)
        return out

    def references(self, successors: dict[str, str]) -> list[dict[str, Any]]:
        return [_reference(self.evidence[pid], n, successors)
                for pid, n in sorted(self.numbers.items(), key=lambda kv: kv[1])]

    def further_references(self, successors: dict[str, str]) -> list[dict[str, Any]]:
        """Supporting passages beyond the cap that no statement cites: listed, unnumbered."""
        out = []
        for pid, ev in self.further.items():
            if pid not in self.numbers:
                ref = _reference(ev, None, successors)
                ref.pop("n")
                out.append(ref)
        return out


def _reference(ev: Evidence, n: int | None, successors: dict[str, str]) -> dict[str, Any]:
    s, p = ev.source, ev.passage
    grade = None
    if p.get("grade_scheme"):
        grade = {"scheme": p["grade_scheme"], "strength": p.get("grade_strength"),
                 "evidence": p.get("grade_evidence")}
    about = sorted(set(p.get("about") or []) | set(ev.subjects) | set(s.get("classes") or [])
                   | ({ev.owner} if ev.owner else set()))
    return {
        "n": n, "tier": s["tier"], "source_id": s["id"], "title": s["title"],
        "issuer": s.get("issuer"), "year": s.get("year"), "url": s.get("url"),
        "identifiers": s.get("identifiers") or {},
        "section": p.get("title") or p.get("section"), "grade": grade,
        "status": s["status"], "superseded_by": s.get("superseded_by"),
        "superseded_by_title": successors.get(str(s.get("superseded_by"))),
        "design": (s.get("meta") or {}).get("design"),
        "effective": s.get("effective"),
        "about": about,
    }
