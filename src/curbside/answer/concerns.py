"""Key concerns: each concern with its own best claim, each text said once.

Candidates are claims (never whole passages): a concern is stated by the sentences that
name it. For each concern, the most specific claim not yet used wins (fewest other concerns,
about the asked pair, from the asked drug's label); concerns whose only claim is one already
used join that entry ("Respiratory depression, profound sedation, coma and death") instead
of repeating its text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from curbside.answer import plain
from curbside.answer.audience import plain_concern
from curbside.answer.citations import MAX_CITATIONS, Citations, strength_order
from curbside.answer.claims import Claim, clean, conditions_of
from curbside.answer.evidence import Evidence, RuleMatch
from curbside.answer.understand import Understanding
from curbside.knowledge.lexicon import class_closure, display_name, vocabulary

EMERGENCY_SIGNS = {"resp", "sedation", "coma", "death"}
_TIERS = {"label": 0, "regulatory": 1, "guideline": 2, "research": 3}
MAX_CONCERNS = 8
CALL_911 = "Call 911 if someone is very hard to wake, or breathes slowly or not at all."
NALOXONE = ("Ask your doctor or pharmacist about naloxone (Narcan), a medicine to have at "
            "home in case of an opioid overdose.")


def concern_name(key: str, audience: str) -> str:
    spec = vocabulary()["concerns"].get(key) or {}
    if audience == "patient":
        return plain_concern(key)
    return str(spec.get("name", key)).lower()


@dataclass
class _Candidate:
    text: str
    concerns: tuple[str, ...]
    conditions: tuple[str, ...]
    evidence: list[Evidence]
    pair: bool
    rank: int                       # order of the evidence (best first)
    tier: int = 0                   # label 0, regulatory 1, guideline 2, research 3
    inherited: tuple[str, ...] = ()
    section: str = ""
    owner: str | None = None
    subjects: set[str] = field(default_factory=set)


def _candidates(used: list[Evidence], rules: list[RuleMatch], subjects: set[str]
                ) -> list[_Candidate]:
    out = []
    for r in rules:
        text = str(r.rule.get("consequence") or "").strip()
        if text:
            out.append(_Candidate(text, tuple(r.concerns), conditions_of(text),
                                  list(r.support), True, -1, -1,
                                  subjects=set(r.pair)))
    for i, e in enumerate(used):
        if e.source.get("status") != "current":
            continue
        tier = _TIERS.get(e.tier, 4)
        for c in e.claims:
            if c.concerns or c.inherited:
                out.append(_Candidate(clean(c.text), c.concerns + c.inherited, c.conditions,
                                      [e], len(e.subjects) >= 2, i, tier, c.inherited,
                                      e.section, e.owner, set(e.subjects)))
    return out


def key_concerns(u: Understanding, used: list[Evidence], rules: list[RuleMatch],
                 audience: str, cites: Citations, said: set[str]) -> list[dict[str, Any]]:
    """Each concern once, with its own best claim and up to three sources behind it."""
    subjects = {n for n, _ in u.subjects}
    multi = len(subjects) >= 2
    cands = _candidates(used, rules, subjects)
    order: list[str] = []
    for c in cands:
        order += [k for k in c.concerns if k not in order]
    entries: list[dict[str, Any]] = []
    by_text: dict[str, dict[str, Any]] = {}
    for key in order:
        options = [c for c in cands if key in c.concerns]
        # Said in words beats inherited from a tag; then the pair over one drug, the label
        # over guidance over research, the earlier (better scored) evidence. A claim
        # another concern already uses wins only when nothing as good is left: then the
        # concerns are said together, once.
        options.sort(key=lambda c: (key in c.inherited, multi and not c.pair, c.tier,
                                    c.text in by_text, len(c.concerns), c.rank))
        best = options[0]
        if best.text in by_text:
            entry = by_text[best.text]
            entry["keys"].append(key)
        elif len(entries) < MAX_CONCERNS:
            entry = {"keys": [key], "cand": best}
            entries.append(entry)
            by_text[best.text] = entry
        else:
            continue
        # Every source that states the concern backs it; the strongest three are cited.
        entry.setdefault("backing", [])
        entry["backing"] += [e for c in options for e in c.evidence if e not in entry["backing"]]
    out = []
    opioid = opioid_involved(u)
    told: set[str] = set()
    for entry in entries:
        cand: _Candidate = entry["cand"]
        keys = entry["keys"]
        backing = cand.evidence + [e for e in strength_order(entry["backing"], subjects)
                                   if e not in cand.evidence]
        if audience == "patient":
            name = _names([plain_concern(k) for k in keys])
            text = _patient_text(cand, keys, u, told, opioid)
        else:
            name = _names([str((vocabulary()["concerns"].get(k) or {}).get("name", k))
                           for k in keys])
            text = cand.text
        if text in said:
            continue
        said.add(text)
        # The patient's MOUD line is a fixed instruction, not a restatement of the claim.
        fixed = audience == "patient" and "moud" in keys
        out.append({"concern": name[0].upper() + name[1:], "key": keys[0], "keys": keys,
                    "text": text, "citations": cites.cite(backing[:MAX_CITATIONS]),
                    "scope": [] if fixed else sorted(set(cand.conditions))})
    return out


def _contra_text(cand: _Candidate, who: str, keys: list[str]) -> str:
    """A contraindication in plain words: who must not take it (never 'it can cause')."""
    scope = plain.scope_phrase([Claim(0, 0, 0, cand.text, conditions=cand.conditions)])
    text = plain._with(scope, f"some people should not take {who}, for example people with "
                              f"{plain.concerns_text(keys, limit=4)}.")
    return text[0].upper() + text[1:]


def _names(names: list[str]) -> str:
    """Concern names said together: 'Respiratory depression, profound sedation and coma'."""
    first, rest = names[0], [n[0].lower() + n[1:] for n in names[1:]]
    if any(" and " in n or "," in n for n in names):
        return "; ".join([first, *rest])
    return plain.listing([first, *rest])


def opioid_involved(u: Understanding) -> bool:
    for _name, ents in u.subjects:
        if "opioid" in ents or "opioid" in class_closure(sorted(ents)):
            return True
    return False


def _patient_text(cand: _Candidate, keys: list[str], u: Understanding, told: set[str],
                  opioid: bool) -> str:
    """A key concern for a patient: who, under what condition, what can happen, what to do."""
    names = [display_name(s) for s in sorted(cand.subjects)] or [
        display_name(n) for n, _ in u.subjects]
    partners = [display_name(str(w)) for e in cand.evidence[:1]
                for w in (e.passage.get("facts") or {}).get("with") or []]
    if "contra" in keys and (partners or len(names) >= 2):
        if partners and cand.owner:
            text = f"{cand.owner.capitalize()} should not be used with {plain.listing(partners)}."
        else:
            text = f"{plain.listing(names).capitalize()} should not be used together."
        scope = plain.scope_phrase([Claim(0, 0, 0, cand.text, conditions=cand.conditions)])
        return f"{scope} {text[0].lower()}{text[1:]}" if scope else text
    if "moud" in keys:
        return ("Keep taking your medicine for opioid use disorder unless your doctor says "
                "otherwise.")
    if len(names) < 2 and partners:
        names = [cand.owner or names[0], *partners]
    who = (f"taking {names[0]} with {plain.listing(names[1:])}" if len(names) >= 2
           else (cand.owner or names[0]))
    if cand.section == "contraindications" and len(names) < 2:
        return _contra_text(cand, who, keys)
    claim = [Claim(0, 0, 0, cand.text, conditions=cand.conditions)]
    harms = plain.concerns_text([k for k in keys if k not in plain.NOT_HARMS], limit=4)
    text = plain.effect_sentence(claim, who, f"can cause {harms}." if harms else "needs care.")
    if set(keys) & EMERGENCY_SIGNS and "911" not in told:
        told.add("911")
        text += " " + CALL_911
        if opioid and "naloxone" not in told:
            told.add("naloxone")
            text += " " + NALOXONE
    return text
