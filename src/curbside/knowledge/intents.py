"""The intent taxonomy and population vocabulary (`pack/intents.yaml`), validated and compiled.

Each intent has a rank, a description, trigger phrases (matched on word boundaries), optional
weak triggers (used only when nothing else matched) and regular expressions, and examples
that tests check are recognised. Populations have triggers and the intent they imply; facts
are regular expressions whose named groups become a fact's fields.

Extension point, e.g. a new intent in intents.yaml::

    vaccination:
      rank: 12
      description: Vaccines given with or around a drug.
      triggers: [vaccine, vaccines, "flu shot"]
      examples: ["can I get the flu shot while on methotrexate"]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from curbside.errors import PackError


def _compile_all(patterns: list[str]) -> list[str]:
    """Every regular expression compiles (a bad one fails at load, naming the file)."""
    for p in patterns:
        try:
            re.compile(p)
        except re.error as e:
            raise ValueError(f"pattern {p!r} does not compile: {e}") from None
    return patterns


Patterns = Annotated[list[str], AfterValidator(_compile_all)]

class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IntentSpec(_Strict):
    rank: int = Field(ge=1, description="1 = listed first when several intents match")
    description: str = Field(min_length=10)
    triggers: list[str] = Field(min_length=1)
    weak_triggers: list[str] = Field(default_factory=list)
    patterns: Patterns = Field(default_factory=list)
    examples: list[str] = Field(min_length=3)
    # Asked with two names ("instead of X on Y", "difference between X and Y"): listed
    # before the interaction the two names imply.
    outranks_pair: bool = False



class PopulationSpec(_Strict):
    description: str = Field(min_length=10)
    triggers: list[str] = Field(min_length=1)
    implies: str | None = None


class Condition(_Strict):
    lt: float | None = None
    ge: float | None = None
    present: bool | None = None


class FactPopulation(_Strict):
    kind: str
    when: dict[str, Condition] = Field(default_factory=dict)


class FactSpec(_Strict):
    kind: str
    patterns: Patterns = Field(min_length=1)
    population: list[FactPopulation] = Field(default_factory=list)



class Taxonomy(_Strict):
    intents: dict[str, IntentSpec]
    populations: dict[str, PopulationSpec]
    facts: list[FactSpec] = Field(default_factory=list)
    fact_intents: dict[str, str] = Field(default_factory=dict)
    emergency: list[str] = Field(default_factory=list)


# The intent ids the rest of the engine (and other tools) rely on; see docs/answer.md.
INTENT_IDS = ("interaction", "adverse_effects", "boxed_warning", "contraindication", "dosing",
              "renal_dosing", "hepatic_dosing", "missed_dose", "overdose", "pregnancy",
              "lactation", "pediatric", "older_adults", "monitoring", "discontinuation",
              "switching", "food_interaction", "administration", "mechanism", "alternatives",
              "storage_disposal")


def check(tax: Taxonomy) -> list[str]:
    """Problems a schema cannot see: unknown ids, shared phrases, clashing ranks."""
    problems = [f"intent {i!r} is not one of the documented ids" for i in tax.intents
                if i not in INTENT_IDS]
    problems += [f"intent {i!r} is missing" for i in INTENT_IDS if i not in tax.intents]
    ranks = [s.rank for s in tax.intents.values()]
    problems += [f"rank {r} is used twice" for r in sorted(set(ranks)) if ranks.count(r) > 1]
    owner: dict[str, str] = {}
    for intent, spec in tax.intents.items():
        for phrase in [*spec.triggers, *spec.weak_triggers]:
            if phrase != phrase.lower().strip():
                problems.append(f"intent {intent}: trigger {phrase!r} must be lower case")
            if phrase in owner and owner[phrase] != intent:
                problems.append(f"trigger {phrase!r} belongs to {owner[phrase]} and {intent}")
            owner.setdefault(phrase, intent)
    for kind, pop in tax.populations.items():
        if pop.implies and pop.implies not in tax.intents:
            problems.append(f"population {kind}: implies unknown intent {pop.implies!r}")
    problems += [f"fact_intents: {k} implies unknown intent {v!r}"
                 for k, v in tax.fact_intents.items() if v not in tax.intents]
    for fact in tax.facts:
        for p in fact.population:
            if p.kind not in tax.populations:
                problems.append(f"fact {fact.kind}: unknown population {p.kind!r}")
    return problems


@dataclass(frozen=True)
class Matcher:
    """One compiled intent or population: strong and weak regular expressions."""

    key: str
    rank: int
    strong: re.Pattern[str] | None
    weak: re.Pattern[str] | None
    words: tuple[str, ...] = ()         # the trigger phrases, for a cheap substring check
    weak_words: tuple[str, ...] = ()
    always: bool = False                # has patterns: the strong expression always runs

    def hits(self, text: str, weak: bool = False) -> list[re.Match[str]]:
        """Matches in `text`; the expression runs only when a phrase occurs as a substring
        (most intents have none in a given question)."""
        pat = self.weak if weak else self.strong
        if pat is None:
            return []
        words = self.weak_words if weak else self.words
        if not (self.always and not weak) and not any(w in text for w in words):
            return []
        return list(pat.finditer(text))


def _alternation(phrases: list[str], patterns: list[str]) -> re.Pattern[str] | None:
    parts = [rf"(?<![a-z0-9]){re.escape(p)}(?![a-z0-9])"
             for p in sorted(set(phrases), key=len, reverse=True)]
    parts += [f"(?:{p})" for p in patterns]
    return re.compile("|".join(parts)) if parts else None


@dataclass(frozen=True)
class Compiled:
    taxonomy: Taxonomy
    intents: tuple[Matcher, ...]
    populations: tuple[Matcher, ...]
    facts: tuple[tuple[FactSpec, tuple[re.Pattern[str], ...]], ...]
    emergency: re.Pattern[str] | None


def load(data: dict[str, Any]) -> Compiled:
    """Validate and compile taxonomy data; raises PackError naming every problem."""
    try:
        tax = Taxonomy.model_validate(data)
    except (ValidationError, re.error) as e:
        raise PackError(f"intents.yaml is invalid: {e}") from e
    problems = check(tax)
    if problems:
        raise PackError("intents.yaml is invalid: " + "; ".join(problems))
    intents = tuple(Matcher(k, s.rank, _alternation(s.triggers, s.patterns),
                            _alternation(s.weak_triggers, []), tuple(s.triggers),
                            tuple(s.weak_triggers), bool(s.patterns))
                    for k, s in sorted(tax.intents.items(), key=lambda kv: kv[1].rank))
    pops = tuple(Matcher(k, 0, _alternation(s.triggers, []), None, tuple(s.triggers))
                 for k, s in tax.populations.items())
    facts = tuple((f, tuple(re.compile(p) for p in f.patterns)) for f in tax.facts)
    return Compiled(tax, intents, pops, facts, _alternation(tax.emergency, []))


@lru_cache(maxsize=1)
def taxonomy() -> Compiled:
    """The package's taxonomy (read and compiled once per process)."""
    from curbside.knowledge.lexicon import vocabulary
    return load(vocabulary()["intents"])

