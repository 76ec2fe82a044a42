"""Intent and population recognition on the question sets, by `understand` alone.

Reports, per set, the share of questions whose first intent is the expected first one and
that have every expected intent; the same for populations; and the drugs expected that were
recognised. The held-out set (tests/data/intent_questions_holdout.jsonl) is reported
separately: it is never tuned on.

    .venv/bin/python benchmarks/bench_intents.py [--misses]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SETS = {"intent_questions": ROOT / "tests" / "data" / "intent_questions.jsonl",
        "holdout": ROOT / "tests" / "data" / "intent_questions_holdout.jsonl",
        "questions_v2": ROOT.parent / "shared" / "eval" / "questions_v2.jsonl"}
V2_LABELS = ROOT / "tests" / "data" / "intent_labels_v2.json"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--misses", action="store_true", help="print each miss")
    a = ap.parse_args()
    from curbside.answer.engine import lexicon_for
    from curbside.answer.understand import understand
    from curbside.store import init_store

    tmp = tempfile.TemporaryDirectory()
    lex = lexicon_for(init_store(Path(tmp.name) / "s.db"))
    labels = json.loads(V2_LABELS.read_text(encoding="utf-8"))
    print(f"{'set':18} {'n':>4} {'intents':>8} {'populations':>12} {'drugs':>7}")
    for name, path in SETS.items():
        if not path.exists():
            continue
        rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x]
        ok = pop_ok = pop_n = drugs_ok = drugs_n = 0
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
        print(f"{name:18} {len(rows):4} {ok / len(rows):8.3f} "
              f"{(pop_ok / pop_n if pop_n else 1):12.3f} {(drugs_ok / max(drugs_n, 1)):7.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
