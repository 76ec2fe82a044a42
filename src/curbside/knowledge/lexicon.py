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

from curbside.knowledge.dictionary import dictionary
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
            "lexicon": load("lexicon.yaml"), "intents": load("intents.yaml")}


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
        self.aliases = aliases                  # lower-case phrase -> generic names
        self.class_aliases: dict[str, str] = {}
        for key, spec in vocabulary()["classes"].items():
            for alias in [key.replace("_", " ")] + list(spec.get("aliases") or []):
                self.class_aliases.setdefault(alias.lower(), key)
        self.max_words = max([len(a.split()) for a in [*aliases, *self.class_aliases]] or [1])
        self._fuzzy = sorted({a for a in aliases if " " not in a and len(a) >= 6})
        self.not_drugs = set(vocabulary()["lexicon"].get("not_drugs") or [])
        self.dictionary = dictionary() if use_dictionary else None

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
        for i in sorted(free - set(found)):
            word = words[i]
            name = self._fuzzy_match(word)
            if name:
                found[i] = (word, self.aliases[name])
            elif (len(word) >= 7 and DRUG_LIKE.search(word) and word not in self.not_drugs
                  and word not in out.unrecognised):
                out.unrecognised.append(word)
        seen: set[str] = set()
        for i in sorted(found):
            matched, names = found[i]
            for name in names:
                if name not in seen:
                    seen.add(name)
                    out.drugs.append(DrugMention(name, matched, self.classes_of(name)))
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
        for cand in self._fuzzy:
            if abs(len(cand) - len(word)) > limit or cand[0] != word[0]:
                continue
            d = _edit_distance(word, cand, limit)
            if d <= limit and (best is None or d < best[0]):
                best = (d, cand)
        return best[1] if best else None


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
