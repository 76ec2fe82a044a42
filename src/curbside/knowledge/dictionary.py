"""A broad drug-name dictionary for recognition only (names, never evidence).

The curated lexicon knows the drugs the store has evidence for; real questions name many
more (MedicationQA: 0.34 of focus drugs found by the curated lexicon alone, 0.83 with this
dictionary; docs/benchmarks.md). PyPI `drug-named-entity-recognition` (MIT) ships a
MeSH/NHS-derived dictionary of ~107,000 names, but loading it takes ~5 s, too slow for
every `curbside ask`. So its names are copied once into a small read-only SQLite file in
the user cache folder (keyed by the library's version) and looked up by exact phrase.

A drug found only here is reported as recognised, with no classes; the answer then says
what evidence is missing rather than guessing.

The same cache folder holds an English word list (PyPI `english-words`, MIT: Webster's 2nd
and GCIDE), so that a word that is neither a known drug nor an English word can be said to
be an unrecognised drug name (docs/answer.md).
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from platformdirs import user_cache_dir

PACKAGE = "drug-named-entity-recognition"
MIN_LENGTH = 4
BUILD = 2    # bump when _build changes what it keeps
# Canonical names that are categories or dosage forms, not drugs ("eye drops" ->
# "ophthalmic solutions").
CATEGORY_WORDS = frozenset({"solutions", "preparations", "agents", "products", "compounds",
                            "mixtures", "drugs", "medicines", "combinations", "substances"})


def _library_version() -> str | None:
    try:
        return metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:
        return None


def _build(path: Path) -> None:
    """Copy the library's variant -> canonical names into `path` (atomically)."""
    from drug_named_entity_recognition import drugs_finder as lib

    stop = {str(w).lower() for w in getattr(lib, "stopwords", ())}
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    con = sqlite3.connect(tmp)
    con.execute("CREATE TABLE variants (variant TEXT PRIMARY KEY, names TEXT NOT NULL) "
                "WITHOUT ROWID")
    rows = []
    for variant, canon in lib.drug_variant_to_canonical.items():
        v = str(variant).lower().strip()
        if len(v) < MIN_LENGTH or v in stop or not any(c.isalpha() for c in v):
            continue
        names = sorted({str(c).lower() for c in canon})
        if any(CATEGORY_WORDS & set(n.split()) for n in names):
            continue
        rows.append((v, json.dumps(names)))
    con.executemany("INSERT OR IGNORE INTO variants VALUES (?, ?)", rows)
    con.commit()
    con.close()
    os.replace(tmp, path)


@lru_cache(maxsize=1)
def _cached(name: str, build: Callable[[Path], None]) -> Path:
    """The cache file `name` (CURBSIDE_CACHE_DIR or the user cache), built when missing."""
    folder = Path(os.environ.get("CURBSIDE_CACHE_DIR") or user_cache_dir("curbside"))
    path = folder / name
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        build(path)
    return path


def dictionary() -> Dictionary | None:
    """The recognition dictionary, built on first use; None when the library is absent."""
    version = _library_version()
    if version is None:
        return None
    return Dictionary(_cached(f"drug-dictionary-{version}-b{BUILD}.db", _build))


class Dictionary:
    """Exact-phrase lookups in the recognition dictionary."""

    def __init__(self, path: Path):
        self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)

    def first_word(self, word: str) -> list[str]:
        """The generic names of the dictionary names that begin with `word` + a space."""
        rows = self.db.execute("SELECT names FROM variants WHERE variant >= ? AND variant < ?"
                               " LIMIT 20", (word + " ", word + "!")).fetchall()
        return sorted({n for (names,) in rows for n in json.loads(names)})

    def lookup(self, phrases: list[str]) -> dict[str, list[str]]:
        """The phrases that are drug names, each with the generic names it means."""
        wanted = sorted({p for p in phrases if len(p) >= MIN_LENGTH})
        out: dict[str, list[str]] = {}
        for i in range(0, len(wanted), 500):
            chunk = wanted[i:i + 500]
            marks = ",".join("?" * len(chunk))
            for variant, names in self.db.execute(
                    f"SELECT variant, names FROM variants WHERE variant IN ({marks})", chunk):
                out[variant] = json.loads(names)
        return out


WORDS_PACKAGE = "english-words"


def _build_words(path: Path) -> None:
    from english_words import get_english_words_set

    words = get_english_words_set(["web2", "gcide"], lower=True, alpha=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    con = sqlite3.connect(tmp)
    con.execute("CREATE TABLE words (word TEXT PRIMARY KEY) WITHOUT ROWID")
    con.executemany("INSERT OR IGNORE INTO words VALUES (?)", ((w,) for w in words))
    con.commit()
    con.close()
    os.replace(tmp, path)


@lru_cache(maxsize=1)
def english_words() -> WordList | None:
    """The English word list, built on first use; None when the library is absent."""
    try:
        version = metadata.version(WORDS_PACKAGE)
    except metadata.PackageNotFoundError:
        return None
    return WordList(_cached(f"english-words-{version}.db", _build_words))


class WordList:
    """Membership lookups in the English word list."""

    def __init__(self, path: Path):
        self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)

    def known(self, words: list[str]) -> set[str]:
        """Those of `words` that are English words (as given, lower case)."""
        wanted = sorted(set(words))
        if not wanted:
            return set()
        marks = ",".join("?" * len(wanted))
        return {r[0] for r in self.db.execute(
            f"SELECT word FROM words WHERE word IN ({marks})", wanted)}
