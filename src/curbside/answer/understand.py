"""Question understanding: drugs, classes, intents, populations with values (emergencies:
triage.py, which the engine runs first).

Everything here is matching against vocabulary data (`knowledge/pack/intents.yaml`,
`substances.yaml` and the store's lexicon); nothing is guessed. docs/answer.md describes
the taxonomy and the rules for names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from curbside.answer.facts import find_facts, implied_populations
from curbside.knowledge.intents import Compiled, taxonomy
from curbside.knowledge.lexicon import DrugMention, Lexicon, class_closure, class_name


@dataclass
class Understanding:
    question: str
    drugs: list[DrugMention] = field(default_factory=list)
    classes: list[str] = field(default_factory=list)           # named without a drug
    intents: list[str] = field(default_factory=list)           # most important first
    populations: list[str] = field(default_factory=list)       # kinds, e.g. "older_adult"
    population_facts: list[dict[str, Any]] = field(default_factory=list)
    emergency: bool = False        # set by the engine from triage (answer/triage.py)
    unrecognised: list[str] = field(default_factory=list)
    # class key -> the member drugs the store holds (for classes named by the user)
    class_members: dict[str, list[str]] = field(default_factory=dict)

    @property
    def subjects(self) -> list[tuple[str, set[str]]]:
        """Each drug or named class with every name evidence may use for it."""
        out = [(d.name, {d.name, *d.classes}) for d in self.drugs]
        covered = {c for d in self.drugs for c in d.classes}
        for c in self.classes:
            if c not in covered or not self.drugs:
                out.append((c, set(class_closure([c]))))
        return out

    def as_context(self) -> dict[str, Any]:
        return {"drugs": [d.name for d in self.drugs], "classes": self.classes,
                "populations": self.populations, "population_facts": self.population_facts}


def normalise(question: str) -> str:
    """Lower case, single spaces, straight quotes: the text every matcher reads."""
    text = question.lower().replace("\u2019", "'").replace("\u2018", "'")
    return " ".join(text.replace("\u201c", '"').replace("\u201d", '"').split())


_ALLERGY = re.compile(r"\ballerg(?:ic|y|ies)(?: reactions?)? to (?:an? |my )?([a-z0-9-]+)")


def _mentions(u: Understanding, text: str) -> int:
    """How many things the question names: a combination brand counts once, as does
    an unrecognised drug-like word (it is still a second thing asked about); a drug named
    as an allergy ("allergic to penicillin") is not taken with the other."""
    allergies = set(_ALLERGY.findall(text))
    return len({d.matched for d in u.drugs if d.matched not in allergies}) + len(
        [c for c in u.classes if c not in {k for d in u.drugs for k in d.classes}]) \
        + len(u.unrecognised)


def _intents(text: str, tax: Compiled, named: bool) -> tuple[list[str], set[str]]:
    """Intents whose triggers occur, by rank; a match inside a longer one's span is dropped.
    Weak triggers ("what is", "safe") count only when nothing else matched and the
    question names a drug or class (`named`)."""
    hits: list[tuple[int, int, str, bool]] = []
    for m in tax.intents:
        for weak in (False, True):
            hits += [(x.start(), x.end(), m.key, weak) for x in m.hits(text, weak)]
    hits.sort(key=lambda h: (h[0] - h[1], h[0]))          # longest first
    kept: list[tuple[int, int, str, bool]] = []
    for h in hits:
        if not any(k[0] <= h[0] and h[1] <= k[1] and k[2] != h[2] for k in kept):
            kept.append(h)
    strong = {h[2] for h in kept if not h[3]}
    chosen = strong or ({h[2] for h in kept} if named else set())
    return [m.key for m in tax.intents if m.key in chosen], strong


def understand(question: str, lexicon: Lexicon, context: dict[str, Any] | None = None
               ) -> Understanding:
    """What the question is about; `context` (a previous article's) carries drugs over."""
    tax = taxonomy()
    text = normalise(question)
    rec = lexicon.recognise(text)
    u = Understanding(question, rec.drugs, rec.classes, unrecognised=rec.unrecognised)
    u.intents, strong = _intents(text, tax, bool(u.drugs or u.classes or u.unrecognised
                                                 or context))
    u.population_facts = find_facts(text, tax, {d.matched for d in u.drugs}
                                    | {d.name for d in u.drugs})
    _populations(u, text, tax)
    own = list(u.intents)
    if context:
        _carry_over(u, lexicon, context)
    for f in u.population_facts:
        implied = tax.taxonomy.fact_intents.get(str(f["kind"]))
        if implied and implied not in u.intents:
            u.intents.append(implied)
            own.append(implied)
    pair = _mentions(u, text) >= 2
    structural = pair and "interaction" not in u.intents
    if pair:
        # Two things named: the weak words ("what are the risks") add nothing to that.
        u.intents = [i for i in u.intents if i in strong or i not in own or i == "interaction"
                     or i in {f for f in tax.taxonomy.fact_intents.values()}
                     or any(tax.taxonomy.populations[p].implies == i for p in u.populations)]
        own = [i for i in own if i in u.intents]
    if pair and "interaction" not in u.intents and "switching" not in u.intents:
        u.intents.append("interaction")
    elif pair and "switching" in u.intents and "interaction" not in u.intents \
            and len(u.drugs) >= 2:
        u.intents.append("interaction")    # a washout is about the pair's interaction
    u.intents = _ordered(u.intents, own, tax, structural, strong)
    if not u.intents and (u.drugs or u.classes or u.unrecognised):
        u.intents.append("adverse_effects")
    u.class_members = {c: lexicon.members_of(c) for c in u.classes}
    return u


def _ordered(intents: list[str], own: list[str], tax: Compiled, structural: bool,
             strong: set[str]) -> list[str]:
    """By rank, except that what a follow-up carried over comes after its own intents, and
    an intent that `outranks_pair` comes before an interaction only implied by two names."""
    rank: dict[str, float] = {m.key: m.rank for m in tax.intents}
    if structural:
        top = rank["interaction"] - 0.5
        for k, spec in tax.taxonomy.intents.items():
            if spec.outranks_pair and k in strong:
                rank[k] = min(rank[k], top + spec.rank / 1000)
    mine = [i for i in intents if i in own or i == "interaction"]
    carried = [i for i in intents if i not in mine]
    return sorted(set(mine), key=rank.__getitem__) + [
        i for i in dict.fromkeys(carried)]


def _populations(u: Understanding, text: str, tax: Compiled) -> None:
    """Population kinds from words and from facts; each adds the intent it implies."""
    specs = tax.taxonomy.populations
    facts = u.population_facts
    # The baby of a breastfeeding or pregnancy question is not the patient.
    nursing = _said(text, tax, "lactation") or _said(text, tax, "pregnancy")
    if nursing:
        for f in facts:
            # "breastfeeding my 2 month old": the age is the nursing infant's.
            if f["kind"] == "age" and (f.get("years") or 0) < 3:
                f["of"] = "infant"
    # Words inside a fact do not also count as population words ("child-pugh b").
    masked = text
    for f in facts:
        masked = masked.replace(str(f["text"]), " " * len(str(f["text"])))
    hits = [(x.start(), x.end(), m.key, x.group(0)) for m in tax.populations
            for x in m.hits(masked)]
    hits.sort(key=lambda h: (h[0] - h[1], h[0]))       # longest first: "nursing home"
    kept: list[tuple[int, int, str, str]] = []
    for h in hits:
        if not any(k[0] <= h[0] and h[1] <= k[1] and k[2] != h[2] for k in kept):
            kept.append(h)
    kinds: list[str] = []
    for m in tax.populations:
        hit = next((k for k in sorted(kept) if k[2] == m.key), None)
        if hit and m.key not in kinds:
            kinds.append(m.key)
            if not any(f["kind"] == m.key for f in facts):
                facts.append({"kind": m.key, "text": hit[3]})
    from_facts = implied_populations(facts, tax)
    kinds += [k for k in from_facts if k not in kinds]
    if nursing and "child" in kinds and "child" not in from_facts:
        kinds.remove("child")
        facts[:] = [f for f in facts if f["kind"] != "child"]
    if nursing and "child" not in kinds and "pediatric" in u.intents:
        u.intents.remove("pediatric")
    u.populations = kinds
    for k in kinds:
        implied = specs[k].implies
        if implied and implied not in u.intents:
            u.intents.append(implied)


def _said(text: str, tax: Compiled, kind: str) -> bool:
    m = next(p for p in tax.populations if p.key == kind)
    return bool(m.strong and m.strong.search(text))


def _carry_over(u: Understanding, lexicon: Lexicon, context: dict[str, Any]) -> None:
    """A follow-up keeps the earlier drugs (unless replaced: 'X instead') and populations."""
    earlier = [str(d) for d in context.get("drugs") or []]
    replacing = "alternatives" in u.intents and bool(u.drugs)
    names = {d.name for d in u.drugs}
    keep = [n for n in earlier if n not in names]
    if replacing and keep:
        # "what about gabapentin instead?" replaces the earlier drug that shares a class
        # with the new one, and keeps the rest.
        new_classes = {c for d in u.drugs for c in d.classes}
        keep = [n for n in keep if not (set(lexicon.classes_of(n)) & new_classes)] or keep[1:]
    u.drugs += [DrugMention(n, n, lexicon.classes_of(n)) for n in keep]
    for c in context.get("classes") or []:
        if c not in u.classes:
            u.classes.append(c)
    tax = taxonomy()
    for p in context.get("populations") or []:
        if p not in u.populations and p in tax.taxonomy.populations:
            u.populations.append(p)
            implied = tax.taxonomy.populations[p].implies
            if implied and implied not in u.intents:
                u.intents.append(implied)
    kinds = {f["kind"] for f in u.population_facts}
    allowed = set(tax.taxonomy.populations) | {f.kind for f in tax.taxonomy.facts} | {"lab"}
    for f in context.get("population_facts") or []:
        # A context comes from a client: only well-formed facts of known kinds carry over.
        if isinstance(f, dict) and isinstance(f.get("kind"), str) and f["kind"] in allowed \
                and isinstance(f.get("text"), str) and f["kind"] not in kinds:
            u.population_facts.append(dict(f))


MAX_MEMBERS_SHOWN = 12


def name_notices(u: Understanding) -> list[dict[str, str]]:
    """What the answer must say about names: each unrecognised drug-like word (the answer is
    not about it), and which members of each named class it covered. Alerts, so every
    format and the page shows them."""
    out = [{"kind": "unrecognised_name",
            "text": f"Curbside does not recognise '{w}' as a medicine, so nothing below is "
                    f"about it."
                    + (" The answer is about the other medicines named only; no result is "
                       "claimed for a combination with it." if u.drugs or u.classes else "")}
           for w in u.unrecognised]
    for cls, members in u.class_members.items():
        if not members:
            continue
        shown = ", ".join(members[:MAX_MEMBERS_SHOWN])
        more = len(members) - MAX_MEMBERS_SHOWN
        out.append({"kind": "class_members",
                    "text": f"{class_name(cls)[:1].upper()}{class_name(cls)[1:]} here means the "
                            f"members Curbside holds: {shown}"
                            + (f" and {more} more" if more > 0 else "") + "."})
    return out
