"""Population facts with their values: age, pregnancy, kidney and liver function, weight, labs.

Patterns are data (`facts` in pack/intents.yaml; lab analytes in pack/substances.yaml).
A fact is a dict with `kind`, `text` (as written) and its values, e.g.
``{"kind": "renal_impairment", "text": "egfr of 25", "egfr": 25}``,
``{"kind": "age", "text": "79 yo", "years": 79}``,
``{"kind": "lab", "name": "potassium", "value": 5.6, "text": "k 5.6"}``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from curbside.knowledge.intents import Compiled, FactSpec
from curbside.knowledge.lexicon import vocabulary

_VALUE = r"(?: level| levels| concentration| trough| peak)?(?: of| is| was| at| =|:| now)? ?" \
         r"(?P<value>\d+(?:\.\d+)?)(?![\d/]|\.\d| ?(?:mg|mcg|units|tablets|pills|times)\b)"
_DRUG_LEVEL = re.compile(r"(?<![a-z])(?P<name>[a-z][a-z-]+) (?:level|levels|concentration|"
                         r"trough|peak)(?: of| is| was| at| =|:)? ?(?P<value>\d+(?:\.\d+)?)")


def _number(s: str) -> int | float:
    f = float(s)
    return int(f) if f.is_integer() and "." not in s else f


@lru_cache(maxsize=1)
def _analytes() -> tuple[re.Pattern[str], dict[str, str]]:
    table: dict[str, list[str]] = vocabulary()["substances"]["analytes"]
    alias = {a: name for name, aliases in table.items() for a in aliases}
    words = "|".join(re.escape(a) for a in sorted(alias, key=len, reverse=True))
    return re.compile(rf"(?<![a-z0-9])(?P<alias>{words})(?![a-z0-9+]){_VALUE}"), alias


def _fields(m: re.Match[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in m.groupdict().items():
        if v is None:
            continue
        if re.fullmatch(r"\d+(?:\.\d+)?", v):
            out[k] = _number(v)
        elif k in ("child_pugh", "sex"):
            out[k] = v[0].upper()
        elif k in ("dialysis", "esrd"):
            out[k] = True
        else:
            out[k] = v
    return out


def _holds(fact: dict[str, Any], when: dict[str, Any]) -> bool:
    for field, cond in when.items():
        v = fact.get(field)
        if v is None:
            return False
        if cond.lt is not None and not (isinstance(v, int | float) and v < cond.lt):
            return False
        if cond.ge is not None and not (isinstance(v, int | float) and v >= cond.ge):
            return False
    return True


def _from_spec(spec: FactSpec, patterns: Iterable[re.Pattern[str]], text: str,
               taken: list[tuple[int, int]]) -> list[dict[str, Any]]:
    out = []
    for pat in patterns:
        for m in pat.finditer(text):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            fact = {"kind": spec.kind, "text": m.group(0).strip(), **_fields(m)}
            if spec.kind == "weight" and "lb" in fact:
                fact["kg"] = round(fact["lb"] * 0.45359237, 1)   # the pound's definition
            taken.append(m.span())
            out.append(fact)
    return out


def find_facts(text: str, tax: Compiled, drug_names: Iterable[str] = ()) -> list[dict[str, Any]]:
    """Every fact with a value in `text` (lower case), in the order written."""
    taken: list[tuple[int, int]] = []
    found: list[tuple[int, dict[str, Any]]] = []
    for spec, pats in tax.facts:
        for f in _from_spec(spec, pats, text, taken):
            found.append((text.find(f["text"]), f))
    pattern, alias = _analytes()
    drugs = set(drug_names)
    for m in _DRUG_LEVEL.finditer(text):
        if m.group("name") in drugs and not _overlaps(m.span(), taken):
            taken.append(m.span())
            found.append((m.start(), {"kind": "lab", "name": m.group("name"),
                                      "value": _number(m.group("value")),
                                      "text": m.group(0)}))
    for m in pattern.finditer(text):
        if not _overlaps(m.span(), taken):
            taken.append(m.span())
            found.append((m.start(), {"kind": "lab", "name": alias[m.group("alias")],
                                      "value": _number(m.group("value")),
                                      "text": m.group(0).strip()}))
    return [f for _, f in sorted(found, key=lambda x: x[0])]


def _overlaps(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return any(a < span[1] and span[0] < b for a, b in taken)


def implied_populations(facts: list[dict[str, Any]], tax: Compiled) -> list[str]:
    """The population kinds the facts imply (an eGFR under 60: renal impairment; ...)."""
    out: list[str] = []
    for spec, _ in tax.facts:
        for fact in facts:
            if fact["kind"] != spec.kind or fact.get("of") == "infant":
                continue
            for rule in spec.population:
                if _holds(fact, rule.when) and rule.kind not in out:
                    out.append(rule.kind)
    return out
