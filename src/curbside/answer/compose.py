"""Composition: from chosen evidence to the `curbside.answer/1` document.

Statements carry passage ids while they are built; `Citations` turns them into reference
numbers in order of first use, so every number resolves and every reference is cited.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from curbside.answer import interactions, plain
from curbside.answer.audience import disclaimer, follow_ups, headings, plain_concern
from curbside.answer.evidence import INTENT_CONCERNS, Evidence, RuleMatch, wanted_concerns
from curbside.answer.interactions import PairReport
from curbside.answer.understand import Understanding
from curbside.knowledge.lexicon import display_name, vocabulary

SCHEMA = "curbside.answer/1"
TIER_LIMITS = {"guideline": 4, "label": 8, "research": 4}
_SENTENCES = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])")


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCES.split(text.strip()) if s.strip()]


def first_sentence(text: str) -> str:
    """The first real sentence (a short heading-like first line is skipped)."""
    parts = sentences(text)
    for s in parts:
        if len(s.split()) >= 6:
            return s
    return parts[0] if parts else text.strip()


def concern_sentence(text: str, key: str) -> str:
    """The first sentence of `text` that states the concern, else its first sentence."""
    terms = (vocabulary()["concerns"].get(key) or {}).get("terms") or []
    for s in sentences(text):
        if any(t in s.lower() for t in terms):
            return s
    return first_sentence(text)


class Citations:
    """Passage ids -> reference numbers, assigned in order of first citation."""

    def __init__(self) -> None:
        self.numbers: dict[int, int] = {}
        self.evidence: dict[int, Evidence] = {}

    def cite(self, evs: list[Evidence]) -> list[int]:
        out = []
        for ev in evs:
            if ev.pid not in self.numbers:
                self.numbers[ev.pid] = len(self.numbers) + 1
                self.evidence[ev.pid] = ev
            n = self.numbers[ev.pid]
            if n not in out:
                out.append(n)
        return out

    def references(self, successors: dict[str, str]) -> list[dict[str, Any]]:
        refs = []
        for pid, n in sorted(self.numbers.items(), key=lambda kv: kv[1]):
            ev = self.evidence[pid]
            s, p = ev.source, ev.passage
            grade = None
            if p.get("grade_scheme"):
                grade = {"scheme": p["grade_scheme"], "strength": p.get("grade_strength"),
                         "evidence": p.get("grade_evidence")}
            refs.append({
                "n": n, "tier": s["tier"], "source_id": s["id"], "title": s["title"],
                "issuer": s.get("issuer"), "year": s.get("year"), "url": s.get("url"),
                "identifiers": s.get("identifiers") or {},
                "section": p.get("title") or p.get("section"), "grade": grade,
                "status": s["status"], "superseded_by": s.get("superseded_by"),
                "superseded_by_title": successors.get(str(s.get("superseded_by"))),
                "design": (s.get("meta") or {}).get("design"),
                "effective": s.get("effective"),
            })
        return refs


def rule_text(m: RuleMatch, audience: str) -> str:
    """A rule as one statement: what happens, why (not for patients), what to do."""
    r = m.rule
    a, b = (display_name(x) for x in m.pair)
    sev = {"contraindicated": "Contraindicated combination", "major": "Major interaction",
           "moderate": "Moderate interaction"}.get(r["severity"], "Interaction")
    parts = [f"{sev} — {a} with {b}: {r.get('consequence') or ''}".strip()]
    if r.get("mechanism") and audience != "patient":
        parts.append(f"Why: {r['mechanism']}")
    if r.get("management"):
        parts.append(f"What to do: {r['management']}")
    return " ".join(parts)


def statement_text(ev: Evidence, audience: str) -> str:
    """What a statement says: the passage's own words, with where it comes from."""
    s, p = ev.source, ev.passage
    if s["tier"] in ("guideline", "regulatory"):
        label = p.get("title") or "Recommendation"
        grade = ""
        if p.get("grade_strength") or p.get("grade_evidence"):
            bits = [f"category/strength {p['grade_strength']}" if p.get("grade_strength") else "",
                    f"evidence {p['grade_evidence']}" if p.get("grade_evidence") else ""]
            grade = f" ({', '.join(b for b in bits if b)})"
        who = s.get("issuer") or ""
        if s["status"] == "superseded":
            return (f"Superseded guidance — {s['title']} ({s.get('year') or ''}), {label}"
                    f"{grade}; no longer current: {ev.text}")
        prefix = "FDA Drug Safety Communication" if s["tier"] == "regulatory" else who
        return f"{prefix} {s.get('year') or ''}, {label}{grade}: {ev.text}".strip()
    if s["tier"] == "label":
        where = p.get("title") or p.get("section")
        return f"{s['title']} — {where}: {ev.text}"
    meta = s.get("meta") or {}
    design = meta.get("design") or "Study"
    journal = s.get("issuer") or meta.get("journal") or ""
    return f"{str(design).capitalize()} ({journal} {s.get('year') or ''}): {ev.text}".strip()


def pick(evs: list[Evidence], u: Understanding) -> dict[str, list[Evidence]]:
    """Per section, the best passages; for pair questions, pair evidence first."""
    multi = len(u.subjects) >= 2
    by_tier: dict[str, list[Evidence]] = {"guideline": [], "label": [], "research": []}
    current_guidelines = {e.source["key"] for e in evs
                          if e.tier == "guideline" and e.source["status"] == "current"}
    superseded: list[Evidence] = []
    older = "older_adult" in u.populations
    wanted = wanted_concerns(u)
    for ev in evs:
        if multi and len(ev.subjects) < 2 and ev.passage["section"] not in (
                "boxed_warning", "contraindications"):
            continue
        if multi and ev.tier in ("guideline", "regulatory", "research") and ev.specific < 2:
            continue    # e.g. "3+ CNS-active drugs" answers no two-drug question directly
        if not multi and ev.tier in ("guideline", "research") and wanted \
                and not set(ev.concerns) & wanted:
            continue    # a one-drug question about, say, pregnancy: only evidence on that
        if not older and "geriatric" in str(ev.source.get("issuer") or "").lower():
            continue    # criteria for adults 65 and older, for a question not about them
        if ev.source["status"] == "superseded":
            # Shown only beside the current version that replaced it.
            succ = str(ev.source.get("superseded_by") or "")
            if not any(succ.startswith(k) for k in current_guidelines):
                continue
        tier = "label" if ev.tier == "regulatory" else ev.tier
        if ev.source["status"] == "superseded":
            superseded.append(ev)
        elif len(by_tier[tier]) < TIER_LIMITS[tier]:
            by_tier[tier].append(ev)
    # A superseded recommendation is shown once, after the current ones, and only where
    # the current version of the same guideline is shown too.
    shown = {str(e.source["id"]) for e in by_tier["guideline"]}
    for ev in superseded:
        if str(ev.source.get("superseded_by")) in shown:
            by_tier["guideline"].append(ev)
            break
    return by_tier


def compose(u: Understanding, audience: str, evs: list[Evidence], rules: list[RuleMatch],
            successors: dict[str, str], pairs: list[PairReport] | None = None
            ) -> dict[str, Any]:
    cites = Citations()
    chosen = pick(evs, u)
    ans: dict[str, Any] = {
        "schema": SCHEMA, "question": u.question, "audience": audience,
        "drugs": [d.as_dict() for d in u.drugs],
        "drug_classes": [c for c in u.classes],
        "unrecognized_terms": u.unrecognised,
        "intents": u.intents, "populations": u.population_facts,
        "alerts": [], "summary": [], "key_concerns": [], "sections": [], "references": [],
        "follow_up_questions": [], "disclaimer": disclaimer(audience),
        "insufficient_evidence": False, "insufficient_reason": None,
        "generated_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
    }
    # Emergency alerts come from triage (answer/triage.py), put first by the engine.
    used = [e for t in chosen.values() for e in t]
    if not used and not rules and not interactions.any_findings(pairs):
        ans["insufficient_evidence"] = True
        ans["insufficient_reason"] = _insufficient_reason(u)
        return ans
    # Bottom line first, so reference [1] is the strongest evidence.
    ans["summary"] = _summary(u, audience, chosen, rules, cites)
    ans["key_concerns"] = _key_concerns(used, rules, audience, cites)
    head = headings(audience)
    patient = audience == "patient"
    label_statements = [{"text": plain.rule_statement(r) if patient else rule_text(r, audience),
                         "citations": cites.cite(r.support)} for r in rules]
    for tier in ("guideline", "label", "research"):
        sts = label_statements if tier == "label" else []
        for e in chosen[tier]:
            text = plain.statement(e) if patient else statement_text(e, audience)
            if text and not any(s["text"] == text for s in sts):
                sts.append({"text": text, "citations": cites.cite([e])})
        if sts:
            ans["sections"].append({"tier": tier, "heading": head[tier], "statements": sts})
    ans["evidence_gaps"] = _gaps(u, used, rules)
    ans["alerts"] += _alerts(chosen, rules)
    # Pair findings (issue 12): the one call site; everything else is in interactions.py.
    interactions.place(ans, pairs or [], cites, audience, head)
    ans["references"] = cites.references(successors)
    ans["follow_up_questions"] = follow_ups(u)
    return ans


GAP_TOPICS = {"pregnancy": "pregnancy", "lactation": "breastfeeding",
              "pregnancy_lactation": "pregnancy or breastfeeding", "older_adults": "older adults",
              "monitoring": "monitoring", "discontinuation": "stopping or tapering",
              "overdose": "overdose"}


def _gaps(u: Understanding, used: list[Evidence], rules: list[RuleMatch]) -> list[str]:
    """What the question asked that no chosen evidence addresses (said, never filled in)."""
    stated = {c for e in used for c in e.concerns} | {c for r in rules for c in r.concerns}
    who = " and ".join(display_name(n) for n, _ in u.subjects)
    out = []
    for intent in u.intents:
        concerns = INTENT_CONCERNS.get(intent)
        if intent in GAP_TOPICS and concerns and not stated & set(concerns):
            out.append(f"The store holds no evidence on {GAP_TOPICS[intent]} for {who}.")
    return out


def _insufficient_reason(u: Understanding) -> str:
    if u.unrecognised and not u.drugs:
        return ("Not recognised as medicines: " + ", ".join(u.unrecognised)
                + ". Check the spelling; Curbside never guesses a drug.")
    if not u.drugs and not u.classes:
        return "No medicine or drug class was recognised in the question."
    names = ", ".join(display_name(n) for n, _ in u.subjects)
    return f"The store holds no evidence that answers this question about {names}."


def _summary(u: Understanding, audience: str, chosen: dict[str, list[Evidence]],
             rules: list[RuleMatch], cites: Citations) -> list[dict[str, Any]]:
    out = []
    if rules:
        r = rules[0].rule
        a, b = (display_name(x) for x in rules[0].pair)
        names = [_concern_name(c, audience) for c in r["concerns"][:4]]
        verb = "should not be combined" if r["severity"] == "contraindicated" else \
            "can interact"
        text = f"{a.capitalize()} and {b} {verb}: the main risks are {', '.join(names)}."
        if audience == "patient":
            text = plain.summary(list(rules[0].pair), r["concerns"], r["severity"])
        out.append({"text": text, "citations": cites.cite(rules[0].support)})
    current = [e for e in chosen["guideline"] if e.source["status"] == "current"]
    if current and audience == "patient":
        plain_text = plain.statement(current[0])
        if plain_text:
            out.append({"text": plain_text, "citations": cites.cite(current[:1])})
    elif current:
        e = current[0]
        out.append({"text": f"Current guidance ({e.source.get('issuer')}, "
                            f"{e.source.get('year')}): {first_sentence(e.text)}",
                    "citations": cites.cite([e])})
    if not out:
        evs = [e for t in ("label", "guideline", "research") for e in chosen[t]]
        asked = wanted_concerns(u)
        evs = ([e for e in evs if set(e.concerns) & asked] or evs)[:3]
        concerns = []
        for e in evs:
            concerns += [c for c in e.concerns if c not in concerns]
        who = " and ".join(display_name(n) for n, _ in u.subjects)
        if concerns:
            text = (f"Main concerns with {who}: "
                    f"{', '.join(_concern_name(c, audience) for c in concerns[:4])}.")
            if audience == "patient":
                text = plain.summary([n for n, _ in u.subjects], concerns[:4], None)
            out.append({"text": text, "citations": cites.cite(
                [e for e in evs if set(e.concerns) & set(concerns[:4])] or evs)})
        else:
            out.append({"text": f"{evs[0].text if evs else ''}".strip(),
                        "citations": cites.cite(evs[:1])})
    return out[:3]


def _concern_name(key: str, audience: str) -> str:
    spec = vocabulary()["concerns"].get(key) or {}
    if audience == "patient":
        return plain_concern(key)
    return str(spec.get("name", key)).lower()


def _key_concerns(used: list[Evidence], rules: list[RuleMatch], audience: str,
                  cites: Citations) -> list[dict[str, Any]]:
    """Each concern once, with every chosen source that states it."""
    order: list[str] = []
    backing: dict[str, list[Evidence]] = {}
    said: dict[str, str] = {}
    for c, evs, text in [(c, r.support, str(r.rule.get("consequence") or ""))
                         for r in rules for c in r.concerns] + \
                        [(c, [e], e.text) for e in used for c in e.concerns]:
        if c not in backing:
            order.append(c)
            backing[c] = []
            said[c] = text
        backing[c] += [e for e in evs if e not in backing[c]]
    out = []
    for c in order[:8]:
        evs = backing[c]
        spec = vocabulary()["concerns"].get(c) or {"name": c}
        if audience == "patient":
            text = plain.concern_text(c)
        else:
            text = concern_sentence(said[c], c)
        out.append({"concern": spec.get("plain") if audience == "patient" else spec["name"],
                    "key": c, "text": text, "citations": cites.cite(evs)})
    return out


def _alerts(chosen: dict[str, list[Evidence]], rules: list[RuleMatch]) -> list[dict[str, str]]:
    alerts = []
    for r in rules:
        if r.rule.get("severity") == "contraindicated":
            a, b = (display_name(x) for x in r.pair)
            alerts.append({"kind": "contraindicated",
                           "text": f"{a.capitalize()} with {b} is contraindicated."})
    seen = set()
    for e in chosen["label"]:
        if e.passage["section"] == "boxed_warning" and e.source["id"] not in seen:
            seen.add(e.source["id"])
            alerts.append({"kind": "boxed_warning",
                           "text": f"Boxed warning ({e.source['title']}): "
                                   f"{first_sentence(e.text)}"})
    return alerts
