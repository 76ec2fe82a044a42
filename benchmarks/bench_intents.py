"""Intent and population recognition on the question sets, by `understand` alone.

Reports, per set, the share of questions whose first intent is the expected first one and
that have every expected intent; the same for populations; and the drugs expected that were
recognised. The held-out set (tests/data/intent_questions_holdout.jsonl) is reported
separately: it is never tuned on.

    .venv/bin/python benchmarks/bench_intents.py [--misses] [--answers]

`--answers` also answers every question in process (a fresh store with the starter pack)
and checks its `expect.must` patterns with ../shared/eval/score.py's reading of everything
an answer says: questions with every pattern found, and patterns found. These depend on
composition (issue 11); they are reported, not tested.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SETS = {"intent_questions": ROOT / "tests" / "data" / "intent_questions.jsonl",
        "holdout": ROOT / "tests" / "data" / "intent_questions_holdout.jsonl",
        "questions_v2": ROOT.parent / "shared" / "eval" / "questions_v2.jsonl"}
V2_LABELS = ROOT / "tests" / "data" / "intent_labels_v2.json"


def _said():  # type: ignore[no-untyped-def]
    """score.py's function for everything an answer says (imported from ../shared/eval)."""
    spec = importlib.util.spec_from_file_location("score", ROOT.parent / "shared" / "eval"
                                                  / "score.py")
    if spec is None or spec.loader is None:
        raise SystemExit("../shared/eval/score.py not found")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.said


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--misses", action="store_true", help="print each miss")
    ap.add_argument("--answers", action="store_true", help="also check the must patterns")
    a = ap.parse_args()
    from curbside.answer.engine import answer_question, lexicon_for
    from curbside.answer.understand import understand
    from curbside.store import init_store

    tmp = tempfile.TemporaryDirectory()
    store = init_store(Path(tmp.name) / "s.db")
    lex = lexicon_for(store)
    said = _said() if a.answers else None
    labels = json.loads(V2_LABELS.read_text(encoding="utf-8"))
    print(f"{'set':18} {'n':>4} {'intents':>8} {'populations':>12} {'drugs':>7}"
          + (f" {'must (q)':>9} {'must (pat)':>10}" if said else ""))
    for name, path in SETS.items():
        if not path.exists():
            continue
        rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x]
        ok = pop_ok = pop_n = drugs_ok = drugs_n = must_q = pat_ok = pat_n = 0
        for r in rows:
            exp = r.get("intents", labels.get(r["id"]))
            u = understand(r["question"], lex)
            hit = (u.intents == []) if not exp else bool(
                u.intents and u.intents[0] == exp[0] and set(exp) <= set(u.intents))
            ok += hit
            if not hit and a.misses:
                print(f"  miss {r['id']}: expected {exp}, got {u.intents} | {r['question']}")
            if r.get("populations"):
                pop_n += 1
                pop_ok += set(r["populations"]) <= set(u.populations)
            names = {d.name for d in u.drugs}
            drugs_n += len(r["drugs"])
            drugs_ok += sum(1 for d in r["drugs"] if any(d in n or n in d for n in names))
            if said:
                text = said(answer_question(store, r["question"], audience=r["audience"]))
                found = [bool(re.search(rx, text, re.I)) for rx in r["expect"].get("must", [])]
                must_q += all(found)
                pat_ok += sum(found)
                pat_n += len(found)
        print(f"{name:18} {len(rows):4} {ok / len(rows):8.3f} "
              f"{(pop_ok / pop_n if pop_n else 1):12.3f} {(drugs_ok / max(drugs_n, 1)):7.3f}"
              + (f" {must_q / len(rows):9.3f} {pat_ok / max(pat_n, 1):10.3f}" if said else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
