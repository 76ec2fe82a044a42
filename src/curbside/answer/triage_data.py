"""The triage vocabulary (`knowledge/pack/triage.yaml`): its schema, its checks, its compiler.

The file is data, read once and validated at load: every signal a rule names exists, every
`@group` a pattern uses exists, every pattern compiles, every first step names the phone
lines it gives and says each line's number in both wordings, and every step and line has a
source. A broken file raises `PackError` naming the problem, never a half-working triage.

Patterns are a small phrase language, matched on word boundaries over normalised text
(see `normalise`): words; `(a|b c)` alternatives; `@group` any term of a group; `~` up to
three words in between (`~6`: up to six); `(a|b)?` optional; `#` any number, `#10+` a
number of at least 10, `#9-` one of at most 9; `%10+` a *count* of at least 10 (a number
not followed by a unit: "took 30" counts, "took 10 mg" and "for 10 years" do not);
`word*` a word and any ending. Alternatives do not nest.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from curbside.errors import PackError

_V = TypeVar("_V")
DATA_FILE = Path(__file__).resolve().parents[1] / "knowledge" / "pack" / "triage.yaml"
TYPES = ("overdose", "child_exposure", "suicidal", "anaphylaxis", "bleeding", "toxidrome",
         "acute_event")
Type = Literal["overdose", "child_exposure", "suicidal", "anaphylaxis", "bleeding",
               "toxidrome", "acute_event"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceRef(_Strict):
    url: str = Field(pattern=r"^https?://")
    supports: str = Field(min_length=10)     # what the page says that backs the line


class Line(_Strict):
    name: str
    number: str
    sources: list[SourceRef] = Field(min_length=1)


class Wording(_Strict):
    patient: str = Field(min_length=20)
    clinician: str = Field(min_length=20)


class Step(Wording):
    type: Type
    label: str
    lines: list[str] = Field(default_factory=list)
    sources: list[SourceRef] = Field(min_length=1)


class Addition(Wording):
    """A sentence added to the first step when its signals are present (e.g. naloxone)."""
    when: list[str] = Field(min_length=1)              # any of these signals
    applies_to: list[Type] = Field(min_length=1)
    sources: list[SourceRef] = Field(min_length=1)


class Note(Wording):
    """A calm `safety` note for a question about an emergency that is not one."""
    when: list[str] = Field(min_length=1)              # any of these signals
    lines: list[str] = Field(default_factory=list)
    sources: list[SourceRef] = Field(min_length=1)


class Rule(_Strict):
    step: str
    all: list[str] = Field(min_length=1)               # every one of these signals
    any: list[str] = Field(default_factory=list)       # and at least one of these
    unless: list[str] = Field(default_factory=list)    # and none of these ...
    override: list[str] = Field(default_factory=list)  # ... unless one of these is present
    block: list[str] = Field(default_factory=list)     # and none of these, ever


class Normalise(_Strict):
    quotes: dict[str, str]
    written: dict[str, str]        # forms whose apostrophe or dots matter ("od'd")
    contractions: dict[str, str]
    spellings: dict[str, str]
    number_words: dict[str, int]
    amounts: dict[str, str]


class TriageFile(_Strict):
    version: int
    lines: dict[str, Line]
    normalise: Normalise
    terms: dict[str, list[str]]
    signals: dict[str, list[str]]
    priority: list[str]
    steps: dict[str, Step]
    additions: dict[str, Addition]
    rules: list[Rule]
    notes: dict[str, Note]

    @model_validator(mode="after")
    def _references_resolve(self) -> TriageFile:
        problems: list[str] = []
        for i, r in enumerate(self.rules):
            if r.step not in self.steps:
                problems.append(f"rule {i + 1} names unknown step {r.step!r}")
            for s in [*r.all, *r.any, *r.unless, *r.override, *r.block]:
                if s not in self.signals:
                    problems.append(f"rule {i + 1} ({r.step}) names unknown signal {s!r}")
        for kind, items in (("addition", self.additions), ("note", self.notes)):
            for key, item in items.items():
                problems += [f"{kind} {key!r} names unknown signal {s!r}"
                             for s in item.when if s not in self.signals]
        spoken: list[tuple[str, Step | Note]] = [*self.steps.items(), *self.notes.items()]
        for key, step in spoken:
            for line in step.lines:
                if line not in self.lines:
                    problems.append(f"{key!r} names unknown line {line!r}")
                    continue
                number = self.lines[line].number
                for audience in ("patient", "clinician"):
                    if number not in getattr(step, audience):
                        problems.append(f"{key!r} ({audience}) does not say {number}")
        if sorted(self.priority) != sorted(self.steps):
            problems.append("priority must list every step exactly once")
        if problems:
            raise ValueError("; ".join(problems))
        return self


# ------------------------------------------------------------------ normalisation

_APOSTROPHES = re.compile(r"(?<=[a-z])'(?=[a-z])")
_NOT_WORD = re.compile(r"[^a-z0-9.]+")
_STRAY_DOTS = re.compile(r"(?<![0-9])\.|\.(?![0-9])")
_RUNS = re.compile(r"([a-z])\1+")       # "bleeeding", "bleeding" -> "bleding"
_GLUED = re.compile(r"(?<=[0-9])(?=[a-z])")  # "4yo", "20mg" -> "4 yo", "20 mg"
# Words after a number that make it a dose, a time or a measure rather than a count.
UNITS = ("mg mgs mcg ug g gm gram grams ml mls cc unit units iu milligram milligrams microgram "
         "micrograms minute minutes min mins hour hours hr hrs day days week weeks wk wks month "
         "months year years yr yrs percent am pm lb lbs kg pound pounds degree degrees f c "
         "times x").split()


def fold(word: str) -> str:
    """A word with each run of one letter kept once: the key text and vocabulary meet on."""
    return _RUNS.sub(r"\1", word)


_UNIT_RX = "|".join(sorted({re.escape(fold(u)) for u in UNITS}, key=len, reverse=True))
_EMPHASIS = re.compile(r"([a-z])\1{2,}")   # three or more of a letter: "soooo", "heeelp"


@dataclass(frozen=True)
class Normaliser:
    quotes: dict[str, str]
    written: list[tuple[re.Pattern[str], str]]
    words: dict[str, str]          # word as written -> replacement (contractions, misspellings)
    number_words: dict[str, int]
    amounts: list[tuple[re.Pattern[str], str]]

    def __call__(self, text: str) -> str:
        """Lower case, plain quotes, no apostrophes, folded letters, digits for numbers."""
        t = unicodedata.normalize("NFKC", text).lower()
        for k, v in self.quotes.items():
            t = t.replace(k, v)
        for rx, repl in self.written:
            t = rx.sub(repl, t)
        t = _APOSTROPHES.sub("", t)
        t = _GLUED.sub(" ", _STRAY_DOTS.sub(" ", _NOT_WORD.sub(" ", t)))
        words = " ".join(self._lookup(self.words, w) or w for w in t.split()).split()
        # Letter runs are folded in text and vocabulary alike, so "bleding", "bleeding"
        # and "bleeeding" meet; digits keep theirs ("100" stays 100).
        t = fold(" ".join(self._numbers(words)))
        for rx, repl in self.amounts:
            t = rx.sub(repl, t)
        return t

    @staticmethod
    def _lookup(table: dict[str, _V], word: str) -> _V | None:
        """A word's entry as written, else with emphasis undone ("caaant" -> "cant").

        Only runs of three or more are undone: folding every double would make "odd"
        the misspelling "od" and "by" the texting "bby".
        """
        if word in table:
            return table[word]
        if _EMPHASIS.search(word):
            for repl in (r"\1\1", r"\1"):
                hit = table.get(_EMPHASIS.sub(repl, word))
                if hit is not None:
                    return hit
        return None

    def _numbers(self, words: list[str]) -> list[str]:
        """'twenty five' -> '25', 'forty' -> '40' (a run of number words is one number)."""
        out: list[str] = []
        run: list[int] = []

        def flush() -> None:
            if run:
                total = 0
                for n in run:
                    total = total * n if n == 100 and total else total + n
                out.append(str(total))
                run.clear()

        for w in words:
            n = self._lookup(self.number_words, w)
            if n is not None:
                run.append(n)
            else:
                flush()
                out.append(w)
        flush()
        return out


# ------------------------------------------------------------------ patterns

_TOKEN = re.compile(r"\([^)]*\)\??|\S+")


class Pattern:
    """One compiled pattern; its regular expression is built on first use.

    Most patterns cannot start in any one question (see `anchors`), so a one-shot
    `curbside ask` process compiles only the few it needs.
    """

    __slots__ = ("source", "body", "bounds", "anchors", "_regex")

    def __init__(self, source: str, body: str, bounds: tuple[tuple[str, float, float], ...],
                 anchors: frozenset[str] | None):
        self.source = source
        self.body = body
        self.bounds = bounds        # (group, low, high) for `#` and `%` tokens
        self.anchors = anchors      # words one of which it starts with (None: any)
        self._regex: re.Pattern[str] | None = None

    @property
    def regex(self) -> re.Pattern[str]:
        if self._regex is None:
            self._regex = re.compile(self.body)
        return self._regex

    def search(self, padded: str, words: set[str] | frozenset[str] | None = None) -> bool:
        """Whether the pattern matches `padded` (normalised text plus one trailing space).

        `words` (the text's words) lets a pattern that cannot start anywhere skip the
        regular expression: most of the vocabulary is absent from any one question.
        """
        if words is not None and self.anchors is not None and not self.anchors & words:
            return False
        for m in self.regex.finditer(padded):
            if all(lo <= float(m.group(g)) <= hi for g, lo, hi in self.bounds):
                return True
        return False


def compile_pattern(src: str, groups: dict[str, str], norm: Callable[[str], str],
                    group_words: dict[str, frozenset[str]] | None = None) -> Pattern:
    """One pattern of the phrase language as a regular expression over normalised text.

    Every piece ends with the space that follows its word in the text (the text is
    searched with one trailing space), so gaps and optional pieces compose simply.
    """
    body = ""
    bounds: list[tuple[str, float, float]] = []
    anchors: frozenset[str] | None = None
    for tok in _TOKEN.findall(src):
        if tok.count("(") > 1 or (tok.count(")") and not tok.startswith("(")):
            raise ValueError(f"pattern {src!r}: alternatives do not nest")
        optional = tok.endswith(")?")
        if optional:
            tok = tok[:-1]
        if not body:
            anchors = None if optional else _first_words(tok, group_words, norm)
        if tok.startswith("(") and tok.endswith(")"):
            alts = [_group(a.strip(), groups, src) if a.strip().startswith("@")
                    else _phrase(norm(a)) for a in tok[1:-1].split("|")]
            piece = "(?:" + "|".join(a for a in alts if a) + ") "
        elif tok.startswith("@"):
            piece = _group(tok, groups, src) + " "
        elif re.fullmatch(r"~\d*", tok):
            piece = f"(?:[a-z0-9.]+ ){{0,{int(tok[1:] or 3)}}}"
        elif re.fullmatch(r"[#%](\d+(\.\d+)?[+-])?", tok):
            name = f"n{len(bounds)}"
            lo, hi = 0.0, float("inf")
            if len(tok) > 1:
                value = float(tok[1:-1])
                lo, hi = (value, hi) if tok.endswith("+") else (lo, value)
            bounds.append((name, lo, hi))
            piece = rf"(?P<{name}>\d+(?:\.\d+)?) "
            if tok.startswith("%"):         # a count: no unit follows
                piece += rf"(?!(?:{_UNIT_RX}) )"
        elif tok.endswith("*"):
            piece = re.escape(norm(tok[:-1])) + "[a-z]* "
        else:
            piece = _phrase(norm(tok)) + " "
        body += f"(?:{piece})?" if optional else piece
    if not body:
        raise ValueError(f"pattern {src!r} is empty")
    # Compiled on first use (tests compile every shipped pattern).
    return Pattern(src, rf"(?<![a-z0-9]){body}", tuple(bounds), anchors)


def _first_words(tok: str, group_words: dict[str, frozenset[str]] | None,
                 norm: Callable[[str], str]) -> frozenset[str] | None:
    """The words a token can start with, or None when any may (gaps, numbers, prefixes)."""
    if group_words is None or tok.startswith(("~", "#", "%")) or tok.endswith("*"):
        return None
    alts = tok[1:-1].split("|") if tok.startswith("(") else [tok]
    out: set[str] = set()
    for a in alts:
        a = a.strip()
        if a.startswith("@"):
            out |= group_words.get(a[1:], frozenset())
        elif norm(a):
            out.add(norm(a).split()[0])
    return frozenset(out) or None


def _group(tok: str, groups: dict[str, str], src: str) -> str:
    if tok[1:] not in groups:
        raise ValueError(f"pattern {src!r}: unknown group {tok}")
    return groups[tok[1:]]


def _phrase(words: str) -> str:
    return r"\ ".join(re.escape(w) for w in words.split())


# ------------------------------------------------------------------ the loaded vocabulary

@dataclass(frozen=True)
class Vocabulary:
    data: TriageFile
    normalise: Normaliser
    signals: dict[str, tuple[Pattern, ...]]


def build(raw: object) -> Vocabulary:
    """Validate a parsed triage file and compile it; `PackError` names what is wrong."""
    try:
        data = TriageFile.model_validate(raw)
        n = data.normalise
        words = {**n.contractions, **n.spellings}
        numbers = dict(n.number_words)
        written = [(re.compile(rf"(?<![a-z0-9]){re.escape(k)}(?![a-z0-9])"), v)
                   for k, v in n.written.items()]
        plain = Normaliser(dict(n.quotes), written, words, numbers, [])
        amounts = [(re.compile(rf"(?<![a-z0-9]){_phrase(plain(k))}(?![a-z0-9])"), plain(v))
                   for k, v in sorted(n.amounts.items(), key=lambda kv: -len(kv[0]))]
        norm = Normaliser(dict(n.quotes), written, words, numbers, amounts)
        seen: dict[str, str] = {}

        def vnorm(phrase: str) -> str:     # the vocabulary repeats its phrases a lot
            if phrase not in seen:
                seen[phrase] = norm(phrase)
            return seen[phrase]
        groups = {g: "(?:" + "|".join(sorted({_phrase(vnorm(t)) for t in terms}, key=len,
                                             reverse=True)) + ")"
                  for g, terms in data.terms.items()}
        group_words = {g: frozenset(vnorm(t).split()[0] for t in terms if vnorm(t))
                       for g, terms in data.terms.items()}
        signals = {name: tuple(compile_pattern(p, groups, vnorm, group_words) for p in pats)
                   for name, pats in data.signals.items()}
    except (ValidationError, ValueError) as e:
        raise PackError(f"{DATA_FILE.name} is invalid: {_first_line(e)}") from e
    return Vocabulary(data, norm, signals)


def _first_line(e: Exception) -> str:
    return " ".join(str(e).split())[:400]


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    """The package's triage vocabulary, read and checked once per process."""
    with open(DATA_FILE, encoding="utf-8") as fh:
        raw = yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return build(raw)
