"""Claims: the sentences of evidence, each with its scope.

A claim is one sentence of a stored passage (a label section, a guideline recommendation,
a pack item, an abstract) with what the answer needs to say it truthfully: the subjects it
is about (both parties for an interaction), the conditions it holds under ("when stopped",
"in pregnancy", "with renal impairment" — detected by the scope rules in
`knowledge/pack/scope.yaml`, in the spirit of medspacy's ConText), its strength
(contraindicated / avoid / caution / monitor), the direction of an effect, the concerns it
states and the exact span of the passage it comes from.

Concerns are tagged per claim: a pack item's author-given concerns go to the sentences that
state them (by the concern's terms), so "seizures on abrupt withdrawal" is never filed as an
effect of taking the drug.

    >>> from curbside.answer.claims import split_claims
    >>> [c.conditions for c in split_claims("Do not stop it abruptly; seizures may occur.")]
    [('discontinuation',)]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import yaml

from curbside.knowledge.lexicon import PACK_DIR, vocabulary

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z(•\"“])")
_NUMBERED = re.compile(r"^\s*\(?\d+(\.\d+)*\)?\s*")


@dataclass(frozen=True)
class Claim:
    """One sentence of a passage with its scope."""

    pid: int                        # the passage it comes from
    start: int                      # span in the passage text
    end: int
    text: str
    about: tuple[str, ...] = ()     # drugs/classes it is about (passage tags + names in it)
    conditions: tuple[str, ...] = ()
    strength: str | None = None
    direction: str | None = None
    concerns: tuple[str, ...] = ()
    interval: str | None = None     # a washout or interval it states ("14 days")
    inherited: tuple[str, ...] = () # author-tagged concerns its words do not name

    def scoped(self) -> bool:
        return bool(self.conditions)


@lru_cache(maxsize=1)
def scope_rules() -> dict[str, Any]:
    """The scope rules (`scope.yaml`), with their phrases compiled."""
    with open(PACK_DIR / "scope.yaml", encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    return {
        "raw": raw,
        "conditions": {k: _phrases(v["triggers"]) for k, v in raw["conditions"].items()},
        "say": {k: re.compile("|".join(v["say"]), re.I) for k, v in raw["conditions"].items()},
        "plain": {k: str(v["plain"]) for k, v in raw["conditions"].items()},
        "subject": {k: str(v["subject"]) for k, v in raw["conditions"].items()
                    if v.get("subject")},
        "strength": [(k, _phrases(v)) for k, v in raw["strength"].items()],
        "direction": [(k, _phrases(v)) for k, v in raw["direction"].items()],
        "interval": re.compile(raw["interval"], re.I),
    }


def _phrases(items: list[str]) -> re.Pattern[str]:
    words = sorted({str(i).lower() for i in items}, key=len, reverse=True)
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(re.escape(w) for w in words) + r")(?![a-z])")


def validate_scope(raw: dict[str, Any] | None = None) -> list[str]:
    """Problems in the scope rules (empty when they are usable)."""
    raw = raw if raw is not None else scope_rules()["raw"]
    out = []
    for key, spec in (raw.get("conditions") or {}).items():
        for field in ("triggers", "say", "plain"):
            if not spec.get(field):
                out.append(f"scope condition {key!r}: no {field!r}")
        say = "|".join(spec.get("say") or [])
        try:
            rx = re.compile(say, re.I)
        except re.error as e:
            out.append(f"scope condition {key!r}: bad 'say' pattern ({e})")
            continue
        if spec.get("plain") and not rx.search(str(spec["plain"])):
            out.append(f"scope condition {key!r}: its plain words match none of its 'say'")
        # A claim quoted verbatim must satisfy its own scope check.
        out += [f"scope condition {key!r}: trigger {t!r} matches none of its 'say' patterns"
                for t in spec.get("triggers") or [] if not rx.search(str(t))]
    for kind in ("strength", "direction"):
        if not raw.get(kind):
            out.append(f"scope rules: no {kind!r}")
    try:
        re.compile(str(raw.get("interval") or ""))
    except re.error as e:
        out.append(f"scope rules: bad 'interval' pattern ({e})")
    return out


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `text`, white space trimmed."""
    spans, pos = [], 0
    for m in list(_SENTENCE.finditer(text)) + [None]:
        end = m.start() if m else len(text)
        piece = text[pos:end]
        lead = len(piece) - len(piece.lstrip())
        if piece.strip():
            spans.append((pos + lead, pos + lead + len(piece.strip())))
        pos = m.end() if m else len(text)
    return spans


def conditions_of(text: str) -> tuple[str, ...]:
    low = text.lower()
    return tuple(k for k, rx in scope_rules()["conditions"].items() if rx.search(low))


def strength_of(text: str) -> str | None:
    low = text.lower()
    return next((k for k, rx in scope_rules()["strength"] if rx.search(low)), None)


def direction_of(text: str) -> str | None:
    low = text.lower()
    return next((k for k, rx in scope_rules()["direction"] if rx.search(low)), None)


def interval_of(text: str) -> str | None:
    m = scope_rules()["interval"].search(text)
    return f"{m.group(1)} {m.group(2)}" if m else None


def concern_terms(key: str) -> list[str]:
    return [str(t) for t in (vocabulary()["concerns"].get(key) or {}).get("terms") or []]


def stated(text: str, key: str) -> bool:
    low = text.lower()
    return any(t in low for t in concern_terms(key))


def detect(text: str) -> tuple[str, ...]:
    low = text.lower()
    return tuple(k for k, spec in vocabulary()["concerns"].items()
                 if any(t in low for t in spec.get("terms") or []))


def split_claims(text: str, *, pid: int = 0, about: tuple[str, ...] = (),
                 concerns: tuple[str, ...] | None = None,
                 scope: dict[str, Any] | None = None) -> list[Claim]:
    """The claims of one passage text.

    `concerns`: the concerns its author tagged (pack items); each goes to the sentences that
    state it, or to the first sentence when none names it. `scope`: conditions an author
    put on the whole item (`scope: {when: [...]}` in the pack), added to every claim."""
    spans = [s for s in sentence_spans(text) if len(text[s[0]:s[1]].split()) >= 3] or (
        [(0, len(text))] if text.strip() else [])
    extra = tuple((scope or {}).get("when") or ())
    out: list[Claim] = []
    given = list(concerns or ())
    placed: set[str] = set()
    per: list[list[str]] = []
    for start, end in spans:
        sent = text[start:end]
        if concerns is None:
            per.append(list(detect(sent)))
        else:
            # "Contraindicated" is a strength as much as a concern: the sentence that
            # says "do not use" states it.
            mine = [c for c in given if stated(sent, c) or (
                c == "contra" and strength_of(sent) == "contraindicated")]
            placed.update(mine)
            per.append(mine)
    # Author-tagged concerns no sentence names go to the first sentence, marked inherited
    # (used only when no sentence states the concern in words).
    rest = tuple(c for c in given if c not in placed) if concerns is not None else ()
    for i, ((start, end), cs) in enumerate(zip(spans, per, strict=True)):
        sent = text[start:end]
        conds = tuple(dict.fromkeys(conditions_of(sent) + extra))
        out.append(Claim(pid, start, end, sent, about, conds, strength_of(sent),
                         direction_of(sent), tuple(dict.fromkeys(cs)), interval_of(sent),
                         rest if i == 0 else ()))
    return out


def clean(text: str) -> str:
    """A claim's text without a leading section number ("2.2 ")."""
    return _NUMBERED.sub("", text).strip()
