"""The drug lexicon: recognising drug and class names in text, and normalising label names.

Names come from the store (`drugs`, `drug_aliases`: the pack's drug entries plus the names
of ingested labels) and the package's vocabulary files (`classes.yaml`, `lexicon.yaml`).
Misspellings are matched only within a small edit distance of a known name, and only for
long words; anything else is reported as unrecognised, never guessed into a real drug.
"""

from __future__ import annotations

import json
import re
from collections.abc import Container
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from curbside.knowledge.dictionary import dictionary, english_words
from curbside.model import Source
from curbside.store.sqlite import Store

PACK_DIR = Path(__file__).parent / "pack"
_TOKEN = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
# Salt and form words that follow a generic name on labels ("oxycodone hydrochloride").
SALT_WORDS = frozenset("""hydrochloride hcl sodium calcium potassium sulfate bisulfate tartrate
citrate maleate mesylate besylate succinate fumarate acetate phosphate bromide bitartrate
hyclate monohydrate dihydrochloride magnesium extended release er xr sr cr tablets tablet
capsules capsule injection oral solution suspension usp film coated delayed patch
transdermal system chewable odt""".split())
# Suffixes that make an unknown word look like a drug name worth reporting as unrecognised.
DRUG_LIKE = re.compile(r"(ine|ide|ole|pam|lam|pril|sartan|olol|statin|mab|nib|vir|cillin|"
                       r"mycin|floxacin|tene|zine|done|pine|one|ate|xaban|gliptin|parin)$")


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, Any]:
    """The package's vocabulary files: classes, concerns, combination brands, EPC map."""
    def load(name: str) -> Any:
        with open(PACK_DIR / name, encoding="utf-8") as fh:
            return yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return {"classes": load("classes.yaml"), "concerns": load("concerns.yaml"),
            "lexicon": load("lexicon.yaml"), "intents": load("intents.yaml"),
            "substances": load("substances.yaml"), "slang": load("slang.yaml"),
            "products": load("products.yaml")}


def class_closure(classes: list[str]) -> list[str]:
    """Classes plus all their parent classes, in a stable order."""
    table = vocabulary()["classes"]
    out: list[str] = []
    todo = list(classes)
    while todo:
        c = todo.pop(0)
        if c in out:
            continue
        out.append(c)
        todo += (table.get(c) or {}).get("parents", [])
    return out


def class_name(key: str) -> str:
    return str((vocabulary()["classes"].get(key) or {}).get("name", key.replace("_", " ")))


def display_name(subject: str) -> str:
    """A question subject as readers say it: a class's plural name, or the drug's name."""
    return class_name(subject) if subject in vocabulary()["classes"] else subject


@dataclass
class DrugMention:
    name: str
    matched: str
    classes: list[str]
    rxcui: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "matched": self.matched, "classes": self.classes,
                "rxcui": self.rxcui}


@dataclass
class Recognition:
    drugs: list[DrugMention] = field(default_factory=list)
    classes: list[str] = field(default_factory=list)      # named without a specific drug
    unrecognised: list[str] = field(default_factory=list)


class Lexicon:
    """Everything needed to find drug and class names in a question."""

    def __init__(self, drugs: dict[str, list[str]], aliases: dict[str, list[str]],
                 use_dictionary: bool = True):
        self.drugs = drugs                      # generic name -> class keys (with parents)
        self.aliases = dict(aliases)            # lower-case phrase -> generic names
        for phrase, spec in (vocabulary()["slang"].get("names") or {}).items():
            # Street names ("percs", "xannies"); a store's own name for a phrase wins.
            self.aliases.setdefault(str(phrase), list(spec["drugs"]))
        for name, phrases in (vocabulary()["lexicon"].get("vaccines") or {}).items():
            for phrase in [name, *phrases]:
                self.aliases.setdefault(str(phrase), [str(name)])
        for name, spec in (vocabulary()["products"].get("names") or {}).items():
            # Supplements, hormones and OTC brands the dictionary lacks (products.yaml).
            for phrase in [name, *(spec.get("aliases") or [])]:
                self.aliases.setdefault(str(phrase), [str(d) for d in spec.get("drugs") or [name]])
        self.class_aliases: dict[str, str] = {}
        for key, spec in vocabulary()["classes"].items():
            for alias in [key.replace("_", " ")] + list(spec.get("aliases") or []):
                self.class_aliases.setdefault(alias.lower(), key)
        self.max_words = max([len(a.split()) for a in [*self.aliases, *self.class_aliases]]
                             or [1])
        # Candidates for misspellings, by first letter and length (the only ones compared).
        self._fuzzy: dict[tuple[str, int], list[str]] = {}
        for a in sorted({a for a in self.aliases if " " not in a and len(a) >= 6}):
            self._fuzzy.setdefault((a[0], len(a)), []).append(a)
        self.not_drugs = set(vocabulary()["lexicon"].get("not_drugs") or [])
        self.substances = Substances(vocabulary()["substances"])
        self.not_drugs |= self.substances.not_drug_words
        self.dictionary = dictionary() if use_dictionary else None
        self.english = english_words() if use_dictionary else None

    @classmethod
    def from_store(cls, store: Store) -> Lexicon:
        drugs = {r["name"]: class_closure(json.loads(r["classes"]))
                 for r in store.db.execute("SELECT name, classes FROM drugs")}
        aliases: dict[str, list[str]] = {name: [name] for name in drugs}
        for r in store.db.execute("SELECT alias, names FROM drug_aliases"):
            aliases.setdefault(r["alias"], json.loads(r["names"]))
        return cls(drugs, aliases)

    def classes_of(self, name: str) -> list[str]:
        return self.drugs.get(name, [])

    def members_of(self, cls: str) -> list[str]:
        """The store's drugs in class `cls` (directly or through a child class), less the
        class's `not_members` (classes.yaml: a child class member the class does not mean)."""
        spec = vocabulary()["classes"].get(cls) or {}
        left_out = set(spec.get("not_members") or [])
        return sorted(n for n, classes in self.drugs.items()
                      if cls in classes and n not in left_out)

    def recognise(self, text: str) -> Recognition:
        """Drugs and classes named in `text`, each reported once.

        Three passes, most certain first: curated names and classes (longest phrase first),
        then the broad recognition dictionary (exact phrases), then small misspellings of
        curated names. What is left and looks like a drug name is reported unrecognised.
        """
        words = _TOKEN.findall(text.lower())
        out = Recognition()
        found: dict[int, tuple[str, list[str]]] = {}     # start index -> (matched, names)
        free = self._curated_pass(words, out, found)
        self._dictionary_pass(words, free, found)
        blocked = self.substances.not_drug_spans(words, found)
        if blocked and not set(found) - blocked:
            # A body substance that is all the question names is what it asks about
            # ("what is dopamine"): kept, unless a number or lab cue made it a lab value.
            blocked -= self.substances.sole_subjects(words, found)
        for i in blocked:
            found.pop(i, None)
        left = []
        rest = sorted(free - set(found) - blocked)
        # An English word is no misspelt drug name: only the others are compared. Its forms
        # count too ("coding" is "code" + "ing", not a misspelt "codine"): the word list
        # predates many words but holds their stems.
        english = self.english.known([f for i in rest if len(words[i]) >= 6
                                      for f in _word_forms(words[i])]) \
            if self.english else set()
        # A name split in two ("level iracetam", "sertra line") before single words, so that
        # it beats a misspelling of its first half ("sertra" ~ "septra"); body-substance
        # words ("level") may start one.
        halves = set()
        for i, (matched, names) in self._split_names(words, rest).items():
            found[i] = (matched, names)
            halves |= {i, i + 1}
        for i in rest:
            word = words[i]
            if word in self.substances.words or i in halves:
                continue    # a body substance as written ("serotonin"), or a split name
            name = None if english & _word_forms(word) else self._fuzzy_match(word)
            if name:
                found[i] = (word, self.aliases[name])
            elif "-" in word and self._hyphen_part(word):
                found[i] = self._hyphen_part(word)      # type: ignore[assignment]
            else:
                left.append(i)
        for i, names in self._first_words(words, left).items():
            found[i] = (words[i], names)
            left.remove(i)
        for word in self._unrecognised(words, left):
            if word not in out.unrecognised:
                out.unrecognised.append(word)
        seen: set[str] = set()
        for i in sorted(found):
            matched, names = found[i]
            for name in names:
                if name not in seen:
                    seen.add(name)
                    out.drugs.append(DrugMention(name, matched, self.classes_of(name)))
        return out

    def _split_names(self, words: list[str], indices: list[int]
                     ) -> dict[int, tuple[str, list[str]]]:
        """Two adjacent unknown words that are one name split in two ("level iracetam":
        levetiracetam). The joined word must be a known name (or a small misspelling of a
        curated one) and at least one of the two no English word, so that two ordinary
        words ("pain killer", "on line") are never joined into a drug."""
        pairs = [(i, words[i] + words[i + 1]) for i in indices
                 if i + 1 in indices and words[i].isalpha() and words[i + 1].isalpha()
                 and len(words[i] + words[i + 1]) >= 8
                 and not {words[i], words[i + 1]} & self.not_drugs]
        if not pairs or self.english is None:
            return {}
        english = self.english.known([f for i, _ in pairs for w in words[i:i + 2]
                                      for f in _word_forms(w)])
        hits = self.dictionary.lookup([j for _, j in pairs]) if self.dictionary else {}
        out: dict[int, tuple[str, list[str]]] = {}
        for i, joined in pairs:
            if all(english & _word_forms(w) for w in words[i:i + 2]) or i - 1 in out:
                continue
            name = joined if joined in self.aliases else self._fuzzy_match(joined)
            if name:
                out[i] = (f"{words[i]} {words[i + 1]}", self.aliases[name])
            elif len(hits.get(joined) or []) == 1:
                out[i] = (f"{words[i]} {words[i + 1]}", split_generic(hits[joined][0]))
        return out

    def _first_words(self, words: list[str], indices: list[int]) -> dict[int, list[str]]:
        """Unknown words that are the first word of exactly one dictionary name and no
        English word ("breo" of "breo ellipta": a brand said without its device name)."""
        cands = {i: words[i] for i in indices if len(words[i]) >= 4 and words[i].isalpha()
                 and words[i] not in self.not_drugs}
        if not cands or self.dictionary is None or self.english is None:
            return {}
        known = self.english.known([f for w in cands.values() for f in _word_forms(w)])
        out = {}
        for i, w in cands.items():
            if known & _word_forms(w):
                continue
            names = self.dictionary.first_word(w)
            if len(names) == 1:
                out[i] = split_generic(names[0])
        return out

    def _hyphen_part(self, word: str) -> tuple[str, list[str]] | None:
        """A known name inside a hyphenated word ("riva-clonazepam": a maker's prefix)."""
        parts = [p for p in word.split("-") if len(p) >= 4]
        for p in parts:
            if p in self.aliases:
                return p, self.aliases[p]
        hits = self.dictionary.lookup(parts) if self.dictionary else {}
        for p in parts:
            if len(hits.get(p) or []) == 1:
                return p, split_generic(hits[p][0])
        return None

    def _unrecognised(self, words: list[str], indices: list[int]) -> list[str]:
        """The words at `indices` that look like a drug name nobody knows.

        A candidate has 6+ letters and is no listed non-drug word; it must not be an
        English word (nor one with a plural, possessive or verb ending removed), and it
        must end like a drug name or stand where a drug is named ("take X", "X with").
        Without the word list, only long words with a drug-name ending are candidates."""
        cands = [i for i in indices if len(words[i]) >= 6 and words[i].isalpha()
                 and words[i] not in self.not_drugs
                 and not words[i].endswith(self.substances.condition_suffixes)]
        if self.english is None:
            return [words[i] for i in cands if len(words[i]) >= 7 and DRUG_LIKE.search(words[i])]
        forms = {i: _word_forms(words[i]) for i in cands}
        known = self.english.known([f for fs in forms.values() for f in fs])
        out = []
        for i in cands:
            if known & forms[i]:
                continue
            before = {" ".join(words[max(0, i - n):i]) for n in (1, 2)}
            after = words[i + 1] if i + 1 < len(words) else ""
            if DRUG_LIKE.search(words[i]) or before & self.substances.slot_before \
                    or after in self.substances.slot_after:
                out.append(words[i])
        return out

    def _curated_pass(self, words: list[str], out: Recognition,
                      found: dict[int, tuple[str, list[str]]]) -> set[int]:
        """Match curated drug and class phrases; returns the indices left unmatched."""
        free: set[int] = set()
        i = 0
        while i < len(words):
            for n in range(min(self.max_words, len(words) - i), 0, -1):
                phrase = " ".join(words[i:i + n])
                if phrase in self.aliases:
                    found[i] = (phrase, self.aliases[phrase])
                    i += n
                    break
                if phrase in self.class_aliases:
                    key = self.class_aliases[phrase]
                    if key not in out.classes:
                        out.classes.append(key)
                    i += n
                    break
            else:
                free.add(i)
                i += 1
        return free

    def _dictionary_pass(self, words: list[str], free: set[int],
                         found: dict[int, tuple[str, list[str]]]) -> None:
        """Exact phrases of up to three unmatched words found in the broad dictionary."""
        if self.dictionary is None or not free:
            return
        spans = {" ".join(words[i:i + n]): (i, n) for i in free for n in (1, 2, 3)
                 if all(j in free for j in range(i, i + n)) and i + n <= len(words)}
        hits = self.dictionary.lookup([p for p in spans if p not in self.not_drugs])
        for phrase in sorted(hits, key=lambda p: (-spans[p][1], spans[p][0])):
            i, n = spans[phrase]
            if len(hits[phrase]) != 1:
                continue    # a name that means several drugs is not guessed between
            if all(j in free and j not in found for j in range(i, i + n)):
                found[i] = (phrase, split_generic(hits[phrase][0]))
                for j in range(i + 1, i + n):
                    free.discard(j)

    def _fuzzy_match(self, word: str) -> str | None:
        """A known name within edit distance 1 (2 for names of 10+ letters), else None."""
        if len(word) < 6 or word in self.not_drugs:
            return None
        limit = 2 if len(word) >= 10 else 1
        best: tuple[int, str] | None = None
        cands = [c for n in range(len(word) - limit, len(word) + limit + 1)
                 for c in self._fuzzy.get((word[0], n), ())]
        for cand in cands:
            d = _edit_distance(word, cand, limit)
            if d <= limit and (best is None or d < best[0]):
                best = (d, cand)
        return best[1] if best else None


class Substances:
    """Body substances, lab values and conditions (pack/substances.yaml): when such a word
    in a question is not a medicine. Rules in docs/answer.md."""

    def __init__(self, data: dict[str, Any]):
        self.never = {str(w) for w in data.get("never_drug") or []}
        self.either = {str(w) for w in data.get("lab_or_drug") or []}
        self.drug_cues = {str(w) for w in data.get("drug_cues") or []}
        self.lab_cues = {str(w) for w in data.get("lab_cues") or []}
        self.conditions = [str(c).split() for c in data.get("conditions") or []]
        self.not_drug_words = {str(w) for w in data.get("not_drug_words") or []}
        self.words = self.never | self.either | {w for c in self.conditions for w in c}
        self.condition_suffixes = tuple(str(w) for w in data.get("condition_suffixes") or [])
        self.slot_before = {str(w) for w in data.get("drug_slot_before") or []}
        self.slot_after = {str(w) for w in data.get("drug_slot_after") or []}

    def not_drug_spans(self, words: list[str], found: dict[int, tuple[str, list[str]]]
                       ) -> set[int]:
        """Word indices that name no drug here: condition phrases, and substances that
        the words around them make a body substance or a lab value."""
        out: set[int] = set()
        for i in range(len(words)):
            for c in self.conditions:
                if words[i:i + len(c)] == c:
                    out.update(range(i, i + len(c)))
        for i, (matched, _) in found.items():
            head, *rest = matched.split()
            # "dopamine receptors" as one dictionary phrase is still the body's dopamine.
            word = matched if matched in self.words else head
            if word in self.never or word in self.either and (
                    word == matched or all(w in self.lab_cues for w in rest)):
                n = len(matched.split())
                if word != matched and not self._is_drug(word, [], rest) or \
                        not self._is_drug(word, words[max(0, i - 2):i], words[i + n:i + n + 2]):
                    out.add(i)
        return out

    def sole_subjects(self, words: list[str], found: dict[int, tuple[str, list[str]]]
                      ) -> set[int]:
        """Indices of never-drug substances named with no lab cue and no number near."""
        out = set()
        for i, (matched, _) in found.items():
            n = len(matched.split())
            near = words[max(0, i - 2):i] + words[i + n:i + n + 2]
            if matched in self.never and not set(near) & self.lab_cues and not any(
                    w[0].isdigit() for w in near):
                out.add(i)
        return out

    def _is_drug(self, word: str, before: list[str], after: list[str]) -> bool:
        num = next((j for j, w in enumerate(after) if w[0].isdigit()), None)
        if num is not None:
            # "potassium 5.6", "k of 5.6": a lab value; but a number with a dose word is a
            # dose ("vitamin b12 1000 geltabs", "magnesium 400mg").
            unit = after[num].lstrip("0123456789") or "".join(after[num + 1:num + 2])
            if unit not in self.drug_cues:
                return False
        near = set(before) | set(after)
        if near & self.drug_cues:
            return True                     # "dopamine drip", "potassium supplements"
        if near & self.lab_cues:
            return False                    # "high potassium", "cortisol level"
        return word in self.either


def _word_forms(word: str) -> set[str]:
    """The word and the stems an English word list may hold it under."""
    out = {word}
    for suffix in ("'s", "s", "es", "ed", "d", "ing", "ly", "er", "ers", "est", "ies"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stem = word[: -len(suffix)]
            out |= {stem, stem + "e", stem + "y"}
    return out


def split_generic(canonical: str) -> list[str]:
    """'abacavir, dolutegravir, and lamivudine' -> its generic names."""
    parts = re.split(r",\s*(?:and\s+)?|\s+and\s+", canonical.lower())
    return [p.strip() for p in parts if p.strip()]


def _edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, giving up (returning limit + 1) once it must exceed `limit`."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        if min(cur) > limit:
            return limit + 1
        prev = cur
    return prev[-1]


# -- building the lexicon ----------------------------------------------------------------

def add_drug(store: Store, name: str, classes: list[str], brands: list[str],
             aliases: list[str], origin: str) -> None:
    """Add (or extend) one generic drug and the names that mean it (in the caller's tx)."""
    name = name.lower().strip()
    row = store.db.execute("SELECT classes, brands FROM drugs WHERE name = ?", (name,)).fetchone()
    if row:
        classes = sorted(set(json.loads(row["classes"])) | set(classes))
        brands = sorted(set(json.loads(row["brands"])) | set(brands))
        store.db.execute("UPDATE drugs SET classes = ?, brands = ? WHERE name = ?",
                         (json.dumps(classes), json.dumps(brands), name))
    else:
        store.db.execute("INSERT INTO drugs(name, classes, brands, origin) VALUES (?,?,?,?)",
                         (name, json.dumps(sorted(set(classes))), json.dumps(brands), origin))
    for alias in {a.lower().strip() for a in [*brands, *aliases]} - {name, ""}:
        add_alias(store, alias, [name], origin)


def add_alias(store: Store, alias: str, names: list[str], origin: str) -> None:
    """Map a phrase to generic names; an existing mapping from the pack is kept."""
    store.db.execute("INSERT OR IGNORE INTO drug_aliases(alias, names, origin) VALUES (?,?,?)",
                     (alias.lower().strip(), json.dumps(names), origin))


def load_vocabulary(store: Store) -> None:
    """Write the package's classes, concerns and combination brands into the store."""
    voc = vocabulary()
    with store.transaction():
        for key, spec in voc["classes"].items():
            store.db.execute("INSERT OR REPLACE INTO classes(key, name, aliases, parents) "
                             "VALUES (?,?,?,?)", (key, spec["name"], json.dumps(spec["aliases"]),
                                                  json.dumps(spec["parents"])))
        for key, name in voc["concerns"].items():
            store.db.execute("INSERT OR REPLACE INTO concerns(key, name) VALUES (?,?)",
                             (key, name["name"]))
        for brand, spec in (voc["lexicon"].get("combinations") or {}).items():
            store.db.execute("INSERT OR REPLACE INTO drug_aliases(alias, names, origin) "
                             "VALUES (?,?,?)", (brand, json.dumps(spec["drugs"]), "vocabulary"))


def generic_from_label_name(raw: str, known: Container[str]) -> list[str]:
    """Lower-case generic names from a label's generic name text (salts and forms dropped)."""
    text = raw.lower().replace(",", " and ").replace("/", " and ")
    out = []
    for part in re.split(r"\s+and\s+", text):
        part = part.strip()
        if not part:
            continue
        if part in known:
            out.append(part)
            continue
        words = [w for w in part.split() if w not in SALT_WORDS]
        cleaned = " ".join(words).strip()
        # "potassium chloride" is itself a drug: keep it when dropping salts empties it.
        out.append(cleaned if cleaned else part)
    return [o for o in out if o]


class _KnownNames:
    """Membership in the store's drug names, asked one name at a time (a bulk label file
    would otherwise reload every name for every record)."""

    def __init__(self, store: Store):
        self.db = store.db

    def __contains__(self, name: object) -> bool:
        return self.db.execute("SELECT 1 FROM drugs WHERE name = ?", (name,)).fetchone() \
            is not None


def normalise_source_drugs(store: Store, src: Source) -> None:
    """Turn a label's raw generic names into our generic names and class keys (in place)."""
    if src.tier != "label" or src.meta.get("normalised"):
        return
    known = _KnownNames(store)
    names: list[str] = []
    for raw in src.drugs:
        for g in generic_from_label_name(raw, known):
            if g not in names:
                names.append(g)
    src.drugs = names
    from curbside.knowledge.pharm_classes import classes_for  # EPC/MoA mapping (issue 12)

    classes = set(src.classes) | classes_for(src.meta)
    for name in names:
        row = store.db.execute("SELECT classes FROM drugs WHERE name = ?", (name,)).fetchone()
        if row:
            classes.update(json.loads(row[0]))
    src.classes = sorted(classes)


def register_label_names(store: Store, src: Source) -> None:
    """Extend the lexicon with an ingested label's generic and brand names."""
    brands = [b for b in (src.meta.get("brand_name") or []) if isinstance(b, str)]
    for name in src.drugs:
        add_drug(store, name, list(src.classes) if len(src.drugs) == 1 else [],
                 [b for b in brands if len(src.drugs) == 1], [], origin="label")
    if len(src.drugs) > 1:
        for b in brands:
            if b.lower() not in {d.lower() for d in src.drugs}:
                add_alias(store, b, list(src.drugs), origin="label")
