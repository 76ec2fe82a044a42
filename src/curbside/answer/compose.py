"""Composition: from chosen evidence to the `curbside.answer/1` document.

Intent first: the bottom line's first sentence answers what was asked, from the best claim
(`claims.py`) of the evidence that intent maps to (`intents.py`); what the store does not
hold is said in words and in `evidence_gaps`, never padded over with unrelated warnings.
Each statement cites at most three passages (`citations.py`); key concerns each get their
own best claim, and concerns that share one claim are said once, together (`concerns.py`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from curbside.answer import intents as intent_map
from curbside.answer import interactions, plain
from curbside.answer.audience import disclaimer, follow_ups, headings
from curbside.answer.citations import Citations
from curbside.answer.claims import Claim, clean
from curbside.answer.concerns import NALOXONE, concern_name, key_concerns, opioid_involved
from curbside.answer.evidence import INTENT_CONCERNS, Evidence, RuleMatch, wanted_concerns
from curbside.answer.interactions import PairReport
from curbside.answer.understand import Understanding
from curbside.knowledge.lexicon import display_name

SCHEMA = "curbside.answer/1"
TIER_LIMITS = {"guideline": 4, "label": 8, "research": 4}


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


def source_label(ev: Evidence) -> str:
    """Where a statement comes from, as a reader names it."""
    s, p = ev.source, ev.passage
    if s["tier"] in ("guideline", "regulatory"):
        label = p.get("title") or "Recommendation"
        grade = ""
        if p.get("grade_strength") or p.get("grade_evidence"):
            bits = [f"category/strength {p['grade_strength']}" if p.get("grade_strength") else "",
                    f"evidence {p['grade_evidence']}" if p.get("grade_evidence") else ""]
            grade = f" ({', '.join(b for b in bits if b)})"
        if s["status"] == "superseded":
            return (f"Superseded guidance — {s['title']} ({s.get('year') or ''}), {label}"
                    f"{grade}; no longer current")
        prefix = "FDA Drug Safety Communication" if s["tier"] == "regulatory" else \
            s.get("issuer") or ""
        return f"{prefix} {s.get('year') or ''}, {label}{grade}".strip()
    if s["tier"] == "label":
        return f"{s['title']} — {p.get('title') or p.get('section')}"
    meta = s.get("meta") or {}
    design = meta.get("design") or "Study"
    journal = s.get("issuer") or meta.get("journal") or ""
    return f"{str(design).capitalize()} ({journal} {s.get('year') or ''})".strip()


def statement_text(ev: Evidence, audience: str, claims: list[Claim] | None = None) -> str:
    """What a statement says: the passage's own words (or the claims chosen from it)."""
    body = " ".join(clean(c.text) for c in claims) if claims else ev.text
    return f"{source_label(ev)}: {body}"


def bottom_line(ev: Evidence, claims: list[Claim]) -> str:
    """The asked question answered from its best claims, naming whose words they are (the
    section statement shows the same source with its section)."""
    s = ev.source
    if s["tier"] == "label":
        who = f"The {ev.owner} label" if ev.owner else f"The label ({s['title']})"
    elif s["tier"] == "regulatory":
        who = f"The FDA ({s.get('year')})"
    else:
        who = f"{s.get('issuer') or 'The guideline'} ({s.get('year')})"
    return f"{who}: " + " ".join(clean(c.text) for c in claims)


def answering(ev: Evidence, specs: list[intent_map.IntentSpec]) -> list[Claim]:
    """The claims of `ev` that answer one of the asked intents."""
    out = []
    title = str(ev.passage.get("title") or "")
    for c in ev.claims:
        for spec in specs:
            in_scope = ev.section in spec.label if ev.tier == "label" else (
                spec.guideline if ev.tier in ("guideline", "regulatory") else False)
            # A subsection titled for the ask ("2.2 Missed Dose") answers it whole.
            if in_scope and (spec.says(c.text) or (ev.tier == "label" and spec.says(title))):
                out.append(c)
                break
    return out


def pick(evs: list[Evidence], u: Understanding, specs: list[intent_map.IntentSpec]
         ) -> dict[str, list[Evidence]]:
    """Per section, the best passages; for pair questions, pair evidence first; for a
    specific ask (missed dose, lactation, ...), only evidence that answers it."""
    multi = len(u.subjects) >= 2
    by_tier: dict[str, list[Evidence]] = {"guideline": [], "label": [], "research": []}
    current_guidelines = {e.source["key"] for e in evs
                          if e.tier == "guideline" and e.source["status"] == "current"}
    superseded: list[Evidence] = []
    older = "older_adult" in u.populations
    wanted = wanted_concerns(u)
    for ev in evs:
        answers = bool(specs) and bool(answering(ev, specs))
        partners = (ev.passage.get("facts") or {})
        if answers and multi and (partners.get("between") or partners.get("with")) \
                and len(ev.subjects) < 2:
            answers = False     # switching to warfarin does not answer apixaban -> rivaroxaban
        if multi and not answers:
            if len(ev.subjects) < 2 and ev.section not in ("boxed_warning", "contraindications"):
                continue
            if ev.tier in ("guideline", "regulatory", "research") and ev.specific < 2:
                continue    # e.g. "3+ CNS-active drugs" answers no two-drug question directly
        if not multi and specs and not answers:
            continue        # a missed-dose question gets the missed-dose claims, not padding
        if not multi and not specs and ev.tier in ("guideline", "research") and wanted \
                and not set(ev.concerns) & wanted:
            continue
        if not older and "geriatric" in str(ev.source.get("issuer") or "").lower():
            continue    # criteria for adults 65 and older, for a question not about them
        if ev.source["status"] == "superseded":
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


def _base(u: Understanding, audience: str) -> dict[str, Any]:
    return {
        "schema": SCHEMA, "question": u.question, "audience": audience,
        "drugs": [d.as_dict() for d in u.drugs],
        "drug_classes": [c for c in u.classes],
        "unrecognized_terms": u.unrecognised,
        "intents": u.intents, "populations": u.population_facts,
        "alerts": [], "summary": [], "key_concerns": [], "sections": [], "references": [],
        "follow_up_questions": [], "disclaimer": disclaimer(audience),
        "insufficient_evidence": False, "insufficient_reason": None,
        "evidence_gaps": [], "further_references": [],
        "generated_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
    }


def compose(u: Understanding, audience: str, evs: list[Evidence], rules: list[RuleMatch],
            successors: dict[str, str], pairs: list[PairReport] | None = None
            ) -> dict[str, Any]:
    specs = intent_map.asked(u.intents, u.populations)
    cites = Citations()
    chosen = pick(evs, u, specs)
    ans = _base(u, audience)
    # Emergency alerts come from triage (answer/triage.py), put first by the engine.
    used = [e for t in chosen.values() for e in t]
    gaps = intent_gaps(u, specs, used)
    if not used and not rules and not interactions.any_findings(pairs):
        ans["insufficient_evidence"] = True
        ans["insufficient_reason"] = gaps[0] if gaps else _insufficient_reason(u)
        ans["evidence_gaps"] = gaps
        return ans
    patient = audience == "patient"
    # Bottom line first, so reference [1] is the strongest evidence.
    ans["summary"] = _summary(u, audience, chosen, rules, specs, cites)
    said = {s["text"] for s in ans["summary"]}
    ans["key_concerns"] = key_concerns(u, used, rules, audience, cites, said)
    if patient:
        _naloxone(u, evs, ans["key_concerns"], cites)
    said |= {k["text"] for k in ans["key_concerns"]}
    head = headings(audience)
    {n for n, _ in u.subjects}
    for tier in ("guideline", "label", "research"):
        sts: list[dict[str, Any]] = []
        if tier == "label":
            for r in rules:
                text = plain.rule_statement(r) if patient else rule_text(r, audience)
                _add(sts, said, text, cites.cite(r.support), [])
        groups = plain.group(chosen[tier]) if patient else [[e] for e in chosen[tier]]
        for group in groups:
            e = group[0]
            # Evidence chosen for the asked intent shows the claims that answer it; pair
            # evidence is shown whole.
            mine = answering(e, specs) if specs and (
                len(u.subjects) < 2 or len(e.subjects) < 2) else []
            if patient and len(group) > 1:
                shown = plain.grouped(group)
                if shown:
                    _add(sts, said, shown, cites.cite(group), sorted(
                        {c for g in group for cl in g.claims for c in cl.conditions}))
                continue
            shown = plain.statement(e, mine or e.claims) if patient else \
                statement_text(e, audience, mine or None)
            if patient and shown in said and mine:
                shown = plain.quote(e, mine)    # the bottom line had its plain words
            scope = sorted({c for cl in (mine or e.claims) for c in cl.conditions})
            if shown:
                _add(sts, said, shown, cites.cite([e]), scope)
        if sts:
            ans["sections"].append({"tier": tier, "heading": head[tier], "statements": sts})
    ans["evidence_gaps"] = gaps + [g for g in _concern_gaps(u, used, rules) if g not in gaps]
    ans["alerts"] += _alerts(u, chosen, rules, audience)
    # Pair findings (issue 12): the one call site; everything else is in interactions.py.
    interactions.place(ans, pairs or [], cites, audience, head)
    ans["references"] = cites.references(successors)
    ans["further_references"] = cites.further_references(successors)
    ans["follow_up_questions"] = follow_ups(u)
    return ans


def _naloxone(u: Understanding, evs: list[Evidence], kcs: list[dict[str, Any]],
              cites: Citations) -> None:
    """Naloxone is named to a patient whenever an opioid is involved (cited to a stored
    source that says to offer it)."""
    if not opioid_involved(u) or any("naloxone" in k["text"].lower() for k in kcs):
        return
    for ev in evs:
        if ev.source.get("status") == "current" and "naloxone" in ev.text.lower():
            kcs.append({"concern": "Opioid overdose", "key": "naloxone", "keys": [],
                        "text": NALOXONE, "citations": cites.cite([ev]), "scope": []})
            return


def _add(sts: list[dict[str, Any]], said: set[str], text: str, citations: list[int],
         scope: list[str]) -> None:
    """Add a statement unless its text was said already (then only its citations join)."""
    for st in sts:
        if st["text"] == text:
            st["citations"] += [n for n in citations if n not in st["citations"]][
                :max(0, 3 - len(st["citations"]))]
            return
    if text in said:
        return
    said.add(text)
    sts.append({"text": text, "citations": citations, "scope": scope})


def intent_gaps(u: Understanding, specs: list[intent_map.IntentSpec],
                used: list[Evidence]) -> list[str]:
    """For each asked intent no chosen claim answers: what the store lacks, in words."""
    out = []
    drugs = [d.name for d in u.drugs]
    for spec in specs:
        if any(answering(e, [spec]) for e in used):
            continue
        if drugs:
            names = " and ".join(display_name(n) for n in drugs)
            label = "label" if len(drugs) == 1 else "labels"
            out.append(f"The stored {label} for {names} have no section on {spec.topic}."
                       if len(drugs) > 1 else
                       f"The stored label for {names} has no section on {spec.topic}.")
        elif u.subjects:
            who = " and ".join(display_name(n) for n, _ in u.subjects)
            out.append(f"The store holds no evidence on {spec.topic} for {who}.")
    return out


def _concern_gaps(u: Understanding, used: list[Evidence], rules: list[RuleMatch]) -> list[str]:
    """Generic asks (older adults, overdose, ...) whose concerns no chosen evidence states."""
    topics = {"older_adults": "older adults", "overdose": "overdose",
              "monitoring": "monitoring", "discontinuation": "stopping or tapering",
              "pregnancy": "pregnancy", "lactation": "breastfeeding",
              "pregnancy_lactation": "pregnancy or breastfeeding"}
    stated = {c for e in used for c in e.concerns} | {c for r in rules for c in r.concerns}
    who = " and ".join(display_name(n) for n, _ in u.subjects)
    out = []
    for intent in u.intents:
        concerns = INTENT_CONCERNS.get(intent)
        if intent in topics and concerns and not stated & set(concerns) and not any(
                answering(e, intent_map.asked([intent], [])) for e in used):
            out.append(f"The store holds no evidence on {topics[intent]} for {who}.")
    return out


def _insufficient_reason(u: Understanding) -> str:
    unknown = ", ".join(u.unrecognised)
    if u.unrecognised and not u.drugs:
        return (f"Not recognised as medicines: {unknown}. Check the spelling; Curbside "
                f"never guesses a drug.")
    if not u.drugs and not u.classes:
        return "No medicine or drug class was recognised in the question."
    names = ", ".join(display_name(n) for n, _ in u.subjects)
    tail = f" Not recognised as medicines: {unknown}." if u.unrecognised else ""
    return f"The store holds no evidence that answers this question about {names}.{tail}"


def _summary(u: Understanding, audience: str, chosen: dict[str, list[Evidence]],
             rules: list[RuleMatch], specs: list[intent_map.IntentSpec],
             cites: Citations) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    patient = audience == "patient"
    {n for n, _ in u.subjects}
    # 1. The asked question, answered from its best claim (for a pair, the interaction
    #    comes first unless the ask is about switching between them).
    best = _best_answer(chosen, specs, u)
    if best and rules and not any(s.key == "switching" for s in specs):
        later, best = best, None
    else:
        later = None
    if best:
        ev, claims = best
        text = _patient_answer(ev, claims) if patient else bottom_line(ev, claims)
        out.append({"text": text, "citations": cites.cite([ev]),
                    "scope": sorted({c for cl in claims for c in cl.conditions})})
    # 2. An interaction: what the combination does (contraindicated: said so, with the
    #    washout or interval the labels give).
    if rules:
        m = rules[0]
        r = m.rule
        a, b = (display_name(x) for x in m.pair)
        if patient:
            text = plain.summary(list(m.pair), r["concerns"], r["severity"])
        else:
            names = [concern_name(c, audience) for c in r["concerns"] if c != "contra"][:4]
            verb = "are contraindicated together" if r["severity"] == "contraindicated" \
                else "can interact"
            text = f"{a.capitalize()} and {b} {verb}: the main risks are {', '.join(names)}."
        out.append({"text": text, "citations": cites.cite(m.support),
                    "scope": []})
        interval = _interval_claim(chosen, m)
        if interval:
            ev, claim = interval
            out.append({"text": (plain.answer(ev, [claim]) if patient else
                                 statement_text(ev, audience, [claim])),
                        "citations": cites.cite([ev]), "scope": list(claim.conditions)})
    if later:
        ev, claims = later
        text = _patient_answer(ev, claims) if patient else bottom_line(ev, claims)
        out.append({"text": text, "citations": cites.cite([ev]),
                    "scope": sorted({c for cl in claims for c in cl.conditions})})
    if len(out) < 2:
        current = [e for e in chosen["guideline"] if e.source["status"] == "current"]
        if current and not (best and best[0] is current[0]):
            e = current[0]
            head = _headline(e)
            said = plain.statement(e, e.claims) if patient else (
                f"Current guidance ({e.source.get('issuer')}, {e.source.get('year')}): "
                f"{clean(head.text)}")
            scope = e.claims if patient else [head]
            if said:
                out.append({"text": said, "citations": cites.cite([e]), "scope": sorted(
                    {c for cl in scope for c in cl.conditions})})
    if not out:
        out += _concerns_summary(u, audience, chosen, cites)
    return out[:3]


def _concerns_summary(u: Understanding, audience: str, chosen: dict[str, list[Evidence]],
                      cites: Citations) -> list[dict[str, Any]]:
    """The main concerns, when no rule or intent answer leads: one statement for the pair
    when evidence about both is chosen, else one per drug (never "X and Y together" from
    sources about one of them)."""
    evs = [e for t in ("label", "guideline", "research") for e in chosen[t]]
    asked = wanted_concerns(u)
    evs = [e for e in evs if set(e.concerns) & asked] or evs
    names = [n for n, _ in u.subjects]
    pair = [e for e in evs if len(e.subjects) >= 2]
    covered = [n for n in names if any(n in e.subjects for e in pair[:3])]
    groups = [(covered or names, pair[:3])] if pair or len(names) < 2 else [
        ([n], [e for e in evs if n in e.subjects][:3]) for n in names]
    out = []
    for who, group in groups[:2]:
        concerns: list[str] = []
        for e in group:
            concerns += [c for c in e.concerns if c not in concerns and c != "contra"]
        if not group:
            continue
        if not concerns:
            out.append({"text": statement_text(group[0], audience, group[0].claims[:1]),
                        "citations": cites.cite(group[:1]), "scope": sorted(
                            set(group[0].claims[0].conditions) if group[0].claims else [])})
            continue
        backing = [e for e in group if set(e.concerns) & set(concerns[:4])] or group
        if audience == "patient":
            text = plain.summary(who, concerns[:4], None)
        else:
            text = (f"Main concerns with {' and '.join(display_name(n) for n in who)}: "
                    f"{', '.join(concern_name(c, audience) for c in concerns[:4])}.")
        out.append({"text": text, "citations": cites.cite(backing), "scope": []})
    return out


def _headline(ev: Evidence) -> Claim:
    """A passage's first real sentence (a heading-like first line is skipped)."""
    for c in ev.claims:
        if len(c.text.split()) >= 6:
            return c
    return ev.claims[0] if ev.claims else Claim(ev.pid, 0, len(ev.text), ev.text)


def _patient_answer(ev: Evidence, claims: list[Claim]) -> str:
    return plain.answer(ev, claims) if ev.tier == "label" or plain.has_plain(ev) else (
        plain.statement(ev, claims) or plain.answer(ev, claims))


def _best_answer(chosen: dict[str, list[Evidence]], specs: list[intent_map.IntentSpec],
                 u: Understanding) -> tuple[Evidence, list[Claim]] | None:
    """The evidence whose claims best answer the first asked intent."""
    if not specs:
        return None
    asked = {d.name for d in u.drugs}
    for spec in specs:
        found = []
        for tier in ("label", "guideline"):
            for e in chosen[tier]:
                claims = answering(e, [spec])
                if claims:
                    own = e.owner in asked if e.owner else False
                    found.append((not own, e.tier != "label", -len(claims), e, claims))
        if found:
            found.sort(key=lambda f: f[:3])
            return found[0][3], found[0][4][:3]
    return None


def _interval_claim(chosen: dict[str, list[Evidence]], m: RuleMatch
                    ) -> tuple[Evidence, Claim] | None:
    """For a contraindicated pair: a label claim giving the washout or interval."""
    if m.rule.get("severity") != "contraindicated":
        return None
    pair = set(m.pair)
    for e in chosen["label"] + m.support:
        if len(e.subjects & pair) < 2 and e.tier == "label":
            continue
        for c in e.claims:
            if c.interval and c.strength in ("contraindicated", "avoid"):
                return e, c
    return None


def _alerts(u: Understanding, chosen: dict[str, list[Evidence]], rules: list[RuleMatch],
            audience: str) -> list[dict[str, str]]:
    alerts = []
    for r in rules:
        if r.rule.get("severity") == "contraindicated":
            a, b = (display_name(x) for x in r.pair)
            alerts.append({"kind": "contraindicated",
                           "text": f"{a.capitalize()} with {b} is contraindicated."})
    seen = set()
    for e in chosen["label"]:
        if e.section == "boxed_warning" and e.source["id"] not in seen:
            seen.add(e.source["id"])
            text = plain.boxed(e) if audience == "patient" else \
                f"Boxed warning ({e.source['title']}): {clean(_headline(e).text)}"
            alerts.append({"kind": "boxed_warning", "text": text})
    return alerts
