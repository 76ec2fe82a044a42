"""Plain-language statements for patients and caregivers, from the same scoped claims.

A patient gets either the pack item's own plain wording (`plain:` in the pack, checked like
its clinical text) or a short template over the claim's structured facts: whose label or
guideline it is, the condition it holds under ("If it is stopped suddenly, ..."), the other
drug it names, and the concerns it states. A real label's sentence is quoted, attributed,
rather than paraphrased. Every scope word survives (the checker tests it).
"""

from __future__ import annotations

from curbside.answer.audience import plain_concern
from curbside.answer.claims import Claim, clean, scope_rules
from curbside.answer.evidence import Evidence, RuleMatch
from curbside.knowledge.lexicon import display_name

KNOWN_ISSUERS = {"centers for disease control and prevention": "CDC",
                 "u.s. food and drug administration": "FDA",
                 "american geriatrics society": "AGS"}
NOT_HARMS = {"moud", "contra"}


def listing(items: list[str]) -> str:
    items = [i for i in dict.fromkeys(items) if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def concerns_text(keys: list[str], limit: int = 3) -> str:
    return listing([plain_concern(k) for k in keys if k not in NOT_HARMS][:limit])


def short_issuer(issuer: str | None) -> str:
    return KNOWN_ISSUERS.get((issuer or "").lower(), issuer or "")


def scope_phrase(claims: list[Claim]) -> str:
    """Every condition the claims hold under, in plain words ('' when none):
    "In older adults and at higher doses," — no condition is ever dropped."""
    plain = scope_rules()["plain"]
    conds = list(dict.fromkeys(c for cl in claims for c in cl.conditions if c in plain))
    if not conds:
        return ""
    text = listing([plain[c] for c in conds])
    return text[0].upper() + text[1:] + ","


def effect_sentence(claims: list[Claim], who: str, rest: str) -> str:
    """'<who> can cause X', under the claims' conditions. A condition with a subject form
    becomes the subject ('Stopping tramadol suddenly can cause seizures'), so the effect of
    stopping is never said of taking; the others lead ('In older adults, ...')."""
    subj = scope_rules()["subject"]
    conds = list(dict.fromkeys(c for cl in claims for c in cl.conditions))
    lead = next((c for c in conds if c in subj), None)
    if lead:
        rest_scope = scope_phrase([Claim(0, 0, 0, "", conditions=tuple(
            c for c in conds if c != lead))]) if len(conds) > 1 else ""
        text = _with(rest_scope, f"{subj[lead].format(who=who)} {rest}")
    else:
        text = _with(scope_phrase(claims), f"{who} {rest}")
    return text[0].upper() + text[1:]


def topic(ev: Evidence) -> str:
    """What the passage is about, in its own terms: 'opioids and benzodiazepines' for a
    class-level study, never the asked drugs it was matched through."""
    from curbside.answer.evidence import broad_classes
    tags = sorted(ev.matched - broad_classes()) or sorted(ev.subjects)
    return listing([display_name(t) for t in tags])


def partners(ev: Evidence) -> list[str]:
    """The other drugs or classes an interaction item of a label names."""
    facts = ev.passage.get("facts") or {}
    return [display_name(str(w)) for w in facts.get("with") or []]


def _own_plain(ev: Evidence) -> str | None:
    text = (ev.passage.get("facts") or {}).get("plain")
    return str(text).strip() if text else None


def quote(ev: Evidence, claims: list[Claim]) -> str:
    """The source's own sentences, attributed (every scope word kept)."""
    body = " ".join(clean(c.text) for c in claims)
    if ev.tier == "label":
        whose = ev.owner or listing([display_name(s) for s in sorted(ev.subjects)])
        return f"The {whose} label says: “{body}”"
    who = short_issuer(ev.source.get("issuer")) or "A guideline"
    kind = "FDA" if ev.tier == "regulatory" else f"{who} guideline"
    return f"The {kind} ({ev.source.get('year')}) says: “{body}”"


def answer(ev: Evidence, claims: list[Claim]) -> str:
    """The bottom line for a specific ask (missed dose, breastfeeding, ...): the item's own
    plain words, a real label's sentence quoted, or the template over the claims."""
    own = _own_plain(ev)
    if own:
        return own
    if ev.extracted:
        return quote(ev, claims)
    return statement(ev, claims) or quote(ev, claims)


def _with(phrase: str, rest: str) -> str:
    """'If it is stopped suddenly,' + 'it can cause ...' as one sentence."""
    return f"{phrase} {rest}" if phrase else rest[0].upper() + rest[1:]


def statement(ev: Evidence, claims: list[Claim]) -> str | None:
    """One or two short sentences, or None when the passage states no concern."""
    own = _own_plain(ev)
    if own:
        return own
    harms = [c for cl in claims for c in cl.concerns if c not in NOT_HARMS] or [
        c for c in ev.concerns if c not in NOT_HARMS]
    if ev.source["status"] != "current":
        return None
    if not harms:
        return quote(ev, claims) if ev.extracted and ev.tier == "label" and claims else None
    what = concerns_text(harms)
    scope = scope_phrase(claims)
    others = [display_name(s) for s in sorted(ev.subjects) if s != ev.owner] or partners(ev)
    pair = listing([display_name(s) for s in sorted(ev.subjects)])
    if ev.tier == "label":
        whose = ev.owner or pair
        if ev.section == "contraindications" and not others:
            # A contraindication names who must not take the drug, not what it causes.
            return (f"The {whose} label says some people should not take it: "
                    + _with(scope, f"for example people with {what}."))
        if ev.section == "boxed_warning":
            return (f"The {whose} label has a boxed warning. "
                    + _with(scope, f"it warns about {what}."))
        if others:
            return (f"The {whose} label warns about use with {listing(others)}. "
                    + _with(scope, f"together they can cause {what}."))
        return f"The {whose} label warns: " + effect_sentence(claims, "it", f"can cause {what}.")
    about = topic(ev)
    if ev.tier == "regulatory":
        return f"The FDA warns about {about}. " + _with(scope, f"they can cause {what}.")
    if ev.tier == "guideline":
        who = short_issuer(ev.source.get("issuer"))
        return (f"A guide for doctors ({who}, {ev.source.get('year')}) says to take care with "
                f"{about}. " + _with(scope, f"the risk is {what}."))
    return (f"A study ({ev.source.get('year')}) looked at {about}. "
            + _with(scope, f"it found more {what}."))


def has_plain(ev: Evidence) -> bool:
    return _own_plain(ev) is not None


def group(evs: list[Evidence]) -> list[list[Evidence]]:
    """Patient statements: one per guideline or communication, one for all the research
    (the same template for each would say the same thing again and again)."""
    out: dict[str, list[Evidence]] = {}
    for ev in evs:
        if ev.tier == "label" or _own_plain(ev) or ev.source.get("status") != "current":
            key = f"own:{ev.pid}"
        else:
            # Claims under different conditions are never merged into one sentence.
            conds = ",".join(sorted({c for cl in ev.claims for c in cl.conditions}))
            key = f"research:{conds}" if ev.tier == "research" else \
                f"source:{ev.source['id']}:{conds}"
        out.setdefault(key, []).append(ev)
    return list(out.values())


def grouped(evs: list[Evidence]) -> str | None:
    """One plain statement for several passages of one source (or several studies)."""
    harms: list[str] = []
    for ev in evs:
        harms += [c for cl in ev.claims for c in cl.concerns if c not in NOT_HARMS]
    if not harms:
        return None
    what = concerns_text(list(dict.fromkeys(harms)))
    from curbside.answer.evidence import broad_classes
    tags = [t for ev in evs for t in (sorted(ev.matched - broad_classes()) or sorted(ev.subjects))]
    about = listing([display_name(t) for t in dict.fromkeys(tags)])
    scope = scope_phrase([cl for ev in evs for cl in ev.claims])
    if evs[0].tier == "research":
        years = listing(sorted({str(ev.source.get("year")) for ev in evs}))
        return f"Studies ({years}) looked at {about}. " + _with(scope, f"they found more {what}.")
    who = "The FDA" if evs[0].tier == "regulatory" else \
        f"A guide for doctors ({short_issuer(evs[0].source.get('issuer'))}, " \
        f"{evs[0].source.get('year')})"
    return f"{who} warns about {about}. " + _with(scope, f"the risks include {what}.")


def boxed(ev: Evidence) -> str:
    """A boxed warning in plain words: FDA's strongest warning, and what it is about."""
    whose = ev.owner or topic(ev)
    harms = [c for cl in ev.claims for c in cl.concerns if c not in NOT_HARMS]
    scope = scope_phrase(ev.claims[:1])
    what = concerns_text(harms) or "serious harm"
    return (f"The {whose} label has a boxed warning, the FDA's strongest kind. "
            + _with(scope, f"it warns about {what}."))


def summary(subjects: list[str], concerns: list[str], severity: str | None) -> str:
    """The bottom line for a patient: what can happen and what to do."""
    who = listing([display_name(s) for s in subjects])
    harms = concerns_text(concerns)
    if severity == "contraindicated":
        return (f"{who.capitalize()} should not be taken together. They can cause {harms}. "
                f"Talk to your doctor or pharmacist.")
    if len(subjects) > 1:
        return (f"Taking {who} together can cause {harms}. Talk to your doctor or pharmacist "
                f"before taking them together.")
    return f"{who.capitalize()} can cause {harms}. Talk to your doctor or pharmacist."


def rule_statement(m: RuleMatch) -> str:
    a, b = (display_name(x) for x in m.pair)
    verb = "should not be taken together" if m.rule["severity"] == "contraindicated" else \
        "can be risky together"
    text = f"{a.capitalize()} and {b} {verb}. The label warns they can cause " \
        f"{concerns_text(m.concerns)}."
    if "moud" in m.concerns:
        text += " Do not stop a medicine for opioid use disorder on your own."
    return text
