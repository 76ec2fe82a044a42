"""Emergency and crisis triage: the first thing `answer_question` does with a question.

The question is normalised (case, quotes, apostrophes, repeated letters, numbers written
as words, common misspellings), its signals are matched (`knowledge/pack/triage.yaml`:
"cannot wake", "took 35 of", "throat closing", ...), and the rules over those signals pick
the emergency types. Each type has its own first step, in a patient and a clinician
wording, with the phone lines it gives and where they were verified.

    >>> t = assess("my roomate took a bunch of percs and wont wake up", "patient")
    >>> t.types, "911" in t.alert["text"], "naloxone" in t.alert["text"].lower()
    (['overdose'], True, True)

A question *about* an emergency ("what are the signs of an opioid overdose?") gets no
emergency alert; it may get a calm note of kind `safety` instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from curbside.answer.triage_data import Vocabulary, vocabulary

# Recognised drugs' classes that the vocabulary reads as tokens (`rxopioid`, ...), so a
# brand the triage file does not list ("Nucynta") still counts as an opioid.
CLASS_TOKENS = {"opioid": "rxopioid", "anticoagulant": "rxanticoagulant",
                "antiplatelet": "rxanticoagulant", "serotonergic": "rxserotonergic",
                "antipsychotic": "rxantipsychotic"}
MAX_STEPS = 2      # a first step and at most one more: an alert read in seconds
SHORT_CONCERNS = 3     # what an emergency answer keeps of the article below its alert
SHORT_STATEMENTS = 2


class DrugLike(Protocol):
    matched: str
    classes: list[str]


@dataclass
class Triage:
    """What triage found: the emergency alert (or none) and any calm safety notes."""
    text: str                                        # the normalised question
    signals: list[str] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)   # first-step ids, most urgent first
    types: list[str] = field(default_factory=list)
    alert: dict[str, Any] | None = None
    notes: list[dict[str, Any]] = field(default_factory=list)

    @property
    def emergency(self) -> bool:
        return self.alert is not None

    def alerts(self) -> list[dict[str, Any]]:
        """The alerts to put first in an answer: the emergency, else the safety notes."""
        return [self.alert] if self.alert else list(self.notes)


def normalise(text: str) -> str:
    """The question as triage reads it (see `triage_data.Normaliser`)."""
    return vocabulary().normalise(text)


def assess(question: str, audience: str = "clinician", drugs: Iterable[DrugLike] = ()
           ) -> Triage:
    """Triage one question; `drugs` (recognised mentions) add their classes as tokens."""
    voc = vocabulary()
    text = voc.normalise(question)
    padded = _with_drug_tokens(voc, text, list(drugs)) + " "
    words = set(padded.split())
    found = [name for name, pats in voc.signals.items()
             if any(p.search(padded, words) for p in pats)]
    t = Triage(text, found)
    have = set(found)
    fired = {r.step for r in voc.data.rules
             if all(s in have for s in r.all) and (not r.any or have & set(r.any))
             and (not have & set(r.unless) or have & set(r.override))
             and not have & set(r.block)}
    t.steps = [s for s in voc.data.priority if s in fired]
    register = "patient" if audience == "patient" else "clinician"
    if t.steps:
        t.alert = _alert(voc, t.steps[:MAX_STEPS], have, register)
        t.types = list(dict.fromkeys(voc.data.steps[s].type for s in t.steps))
    else:
        t.notes = [{"kind": "safety", "topic": key, "text": getattr(n, register)}
                   for key, n in voc.data.notes.items() if have & set(n.when)][:1]
    return t


def class_tokens(drugs: Iterable[DrugLike]) -> set[str]:
    """The class tokens recognised drugs add (empty: triage on the words alone is final)."""
    return {CLASS_TOKENS[c] for d in drugs for c in d.classes if c in CLASS_TOKENS}


def follow_emergency(ans: dict[str, Any], t: Triage) -> dict[str, Any]:
    """An answer with triage's alert first and, for an emergency, the article below cut short.

    A suicidal crisis gets no drug article at all: the crisis line comes first and alone
    (facts about a drug's toxicity are not what someone at risk should read next). Other
    emergencies keep a short article: the bottom line and the first statements of each
    section, renumbered so every citation still resolves.
    """
    ans["alerts"] = t.alerts() + [a for a in ans["alerts"] if a.get("kind") != "emergency"]
    ans["triage"] = {"emergency": t.emergency, "types": t.types, "signals": t.signals,
                     "article": "full"}
    if not t.emergency:
        return ans
    if "suicidal" in t.types:
        for key in ("summary", "key_concerns", "sections", "references",
                    "follow_up_questions", "evidence_gaps", "interactions"):
            ans[key] = []
        ans["alerts"] = t.alerts()            # a boxed warning belongs to the article
        ans["insufficient_evidence"], ans["insufficient_reason"] = False, None
        ans["triage"]["article"] = "withheld"
        return ans
    ans["key_concerns"] = ans["key_concerns"][:SHORT_CONCERNS]
    for sec in ans["sections"]:
        sec["statements"] = sec["statements"][:SHORT_STATEMENTS]
    _renumber(ans)
    ans["triage"]["article"] = "short"
    return ans


def _renumber(ans: dict[str, Any]) -> None:
    """References cut to those still cited, numbered again in order of first citation."""
    cited: list[dict[str, Any]] = [*ans["summary"], *ans["key_concerns"],
                                   *(s for sec in ans["sections"] for s in sec["statements"])]
    order: dict[int, int] = {}
    for item in cited:
        for n in item.get("citations") or []:
            order.setdefault(n, len(order) + 1)
    for item in cited:
        item["citations"] = [order[n] for n in item.get("citations") or []]
    for pair in ans.get("interactions") or []:     # findings keep only citations still made
        for f in pair.get("findings") or []:
            f["citations"] = [order[n] for n in f.get("citations") or [] if n in order]
    refs = [r | {"n": order[r["n"]]} for r in ans["references"] if r["n"] in order]
    ans["references"] = sorted(refs, key=lambda r: r["n"])


def _with_drug_tokens(voc: Vocabulary, text: str, drugs: list[DrugLike]) -> str:
    """`rxdrug` after each recognised drug name, class tokens at the end (`rxopioid`)."""
    if not drugs:
        return text
    out = f" {text} "
    for d in drugs:
        name = voc.normalise(d.matched)
        if name and f" {name} " in out and f" {name} rxdrug " not in out:
            out = out.replace(f" {name} ", f" {name} rxdrug ")
    return " ".join([out.strip(), *sorted(class_tokens(drugs))])


def _alert(voc: Vocabulary, steps: list[str], have: set[str], register: str
           ) -> dict[str, Any]:
    """One emergency alert: the first step, one more if another type fired, additions."""
    first = voc.data.steps[steps[0]]
    parts: list[str] = []
    kinds: set[str] = set()
    for key in steps:             # one step per type: the most urgent of its kind
        step = voc.data.steps[key]
        if step.type not in kinds:
            parts.append(getattr(step, register))
            kinds.add(step.type)
    for add in voc.data.additions.values():
        if have & set(add.when) and kinds & set(add.applies_to):
            sentence = getattr(add, register)
            if sentence not in " ".join(parts):
                parts.append(sentence)
    return {"kind": "emergency", "type": first.type, "title": first.label,
            "types": list(dict.fromkeys(voc.data.steps[s].type for s in steps)),
            "text": " ".join(parts)}


def lines_used(alert: dict[str, Any]) -> list[dict[str, Any]]:
    """The phone lines an alert text gives, each with where it was verified."""
    voc = vocabulary()
    return [{"line": key, "name": ln.name, "number": ln.number,
             "sources": [s.url for s in ln.sources]}
            for key, ln in voc.data.lines.items() if ln.number in str(alert.get("text", ""))]
