"""Question understanding: drugs, classes, intents, populations (emergencies: triage.py).

Everything here is matching against vocabulary data (`knowledge/pack/*.yaml` and the
store's lexicon); nothing is guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from curbside.knowledge.lexicon import DrugMention, Lexicon, class_closure, vocabulary


@dataclass
class Understanding:
    question: str
    drugs: list[DrugMention] = field(default_factory=list)
    classes: list[str] = field(default_factory=list)           # named without a drug
    intents: list[str] = field(default_factory=list)
    populations: list[str] = field(default_factory=list)
    emergency: bool = False        # set by the engine from triage (answer/triage.py)
    unrecognised: list[str] = field(default_factory=list)

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
                "populations": self.populations}


def _phrase_in(phrase: str, text: str) -> bool:
    return re.search(rf"(?<![a-z0-9]){re.escape(phrase)}(?![a-z0-9])", text) is not None


def understand(question: str, lexicon: Lexicon, context: dict[str, Any] | None = None
               ) -> Understanding:
    """What the question is about; `context` (a previous article's) carries drugs over."""
    text = " ".join(question.lower().split())
    rec = lexicon.recognise(text)
    u = Understanding(question, rec.drugs, rec.classes, unrecognised=rec.unrecognised)
    voc = vocabulary()["intents"]
    for intent, phrases in voc["intents"].items():
        if any(_phrase_in(p, text) for p in phrases):
            u.intents.append(intent)
    for pop, phrases in voc["populations"].items():
        if any(_phrase_in(p, text) for p in phrases):
            u.populations.append(pop)
    if context:
        _carry_over(u, lexicon, context)
    if len(u.subjects) < 2 and "interaction" in u.intents and not context:
        # "with" alone does not make a one-drug question an interaction question.
        u.intents.remove("interaction")
    if len(u.subjects) >= 2 and "interaction" not in u.intents:
        u.intents.insert(0, "interaction")
    if not u.intents and (u.drugs or u.classes):
        u.intents.append("adverse_effects")
    return u


def _carry_over(u: Understanding, lexicon: Lexicon, context: dict[str, Any]) -> None:
    """A follow-up keeps the earlier drugs (unless replaced: 'X instead') and population."""
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
    for p in context.get("populations") or []:
        if p not in u.populations:
            u.populations.append(p)
    if "older_adult" in u.populations and "older_adults" not in u.intents:
        u.intents.append("older_adults")
