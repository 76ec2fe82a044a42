"""Intent -> evidence: which label sections, guideline topics and claims answer what is asked.

The mapping is data (`knowledge/pack/intent_evidence.yaml`); this module only reads it.
Intent ids are those of the understanding step (issue 10); ids used before it landed are
mapped through the file's `legacy` table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import yaml

from curbside.knowledge.lexicon import PACK_DIR
from curbside.sources.sections import SECTIONS

# Populations that turn a plain dosing question into the specific one.
_POPULATION_INTENTS = {"renal_impairment": "renal_dosing", "hepatic_impairment": "hepatic_dosing",
                       "lactation": "lactation", "pregnancy": "pregnancy", "child": "pediatric",
                       "older_adult": "older_adults"}


@dataclass(frozen=True)
class IntentSpec:
    key: str
    label: tuple[str, ...]
    terms: re.Pattern[str] | None
    guideline: bool
    topic: str

    def says(self, text: str) -> bool:
        """Whether a claim's text speaks to this intent."""
        return self.terms is None or self.terms.search(text) is not None


@lru_cache(maxsize=1)
def _raw() -> dict[str, Any]:
    with open(PACK_DIR / "intent_evidence.yaml", encoding="utf-8") as fh:
        return dict(yaml.safe_load(fh))


@lru_cache(maxsize=1)
def specs() -> dict[str, IntentSpec]:
    out = {}
    for key, v in _raw()["intents"].items():
        terms = v.get("terms") or []
        out[key] = IntentSpec(key, tuple(v.get("label") or ()),
                              re.compile("|".join(terms), re.I) if terms else None,
                              bool(v.get("guideline")), str(v.get("topic") or key))
    return out


def validate_intent_evidence() -> list[str]:
    """Problems in the intent -> evidence mapping."""
    out = []
    fields = set(SECTIONS)
    for key, v in (_raw().get("intents") or {}).items():
        out += [f"intent_evidence {key!r}: unknown label section {f!r}"
                for f in v.get("label") or [] if f not in fields]
        try:
            re.compile("|".join(v.get("terms") or []))
        except re.error as e:
            out.append(f"intent_evidence {key!r}: bad term pattern ({e})")
        if not v.get("topic"):
            out.append(f"intent_evidence {key!r}: no topic")
    for old, new in (_raw().get("legacy") or {}).items():
        out += [f"intent_evidence legacy {old!r}: unknown intent {n!r}"
                for n in new if n not in (_raw().get("intents") or {})]
    return out


def asked(intents: list[str], populations: list[str]) -> list[IntentSpec]:
    """The specific intents of a question, most specific first (generic ones dropped).

    Generic intents (adverse effects, interaction, alternatives) have no entry: they are
    answered by the safety sections and the interaction rules."""
    table = specs()
    legacy = _raw().get("legacy") or {}
    keys: list[str] = []
    for i in intents:
        for k in legacy.get(i, [i]):
            if k in table and k not in keys:
                keys.append(k)
    if "dosing" in keys or not keys:
        # "dose ... with a CrCl of 25" asks for renal dosing; a population alone does not
        # make a question about it unless nothing narrower is asked.
        for p in populations:
            k = _POPULATION_INTENTS.get(p)
            if k and k in table and k not in keys and ("dosing" in keys or k in (
                    "lactation", "pregnancy")):
                keys.insert(0, k)
    if len(keys) > 1 and "dosing" in keys and any(
            k in keys for k in ("renal_dosing", "hepatic_dosing", "missed_dose")):
        keys.remove("dosing")
    return [table[k] for k in keys]
