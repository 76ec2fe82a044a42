"""Speed of question understanding: `understand` warm, against name recognition alone.

Runs every question of ../shared/eval/questions*.jsonl and tests/data/intent_questions*.jsonl
through `understand` (the whole step: names, intents, populations, facts) and, as the
reference in the same run, through `Lexicon.recognise` alone (the step understanding had
before issue 10). Also times whole `curbside ask --format json` processes against a bare
`python -c pass`.

    .venv/bin/python benchmarks/bench_understand.py [--repeat N] [--processes N]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SETS = [*sorted((ROOT.parent / "shared" / "eval").glob("questions*.jsonl")),
        *sorted((ROOT / "tests" / "data").glob("intent_questions*.jsonl"))]


def _questions() -> list[str]:
    out = []
    for path in SETS:
        with path.open(encoding="utf-8") as fh:
            out += [json.loads(line)["question"] for line in fh if line.strip()]
    return out


def _per_question(fn, qs: list[str], repeat: int) -> float:  # type: ignore[no-untyped-def]
    for q in qs:
        fn(q)                                   # warm: compiled patterns, caches
    t0 = time.perf_counter()
    for _ in range(repeat):
        for q in qs:
            fn(q)
    return 1000 * (time.perf_counter() - t0) / (repeat * len(qs))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--processes", type=int, default=5)
    a = ap.parse_args()
    from curbside.answer.engine import lexicon_for
    from curbside.answer.understand import normalise, understand
    from curbside.store import init_store

    tmp = tempfile.TemporaryDirectory()
    db = Path(tmp.name) / "s.db"
    lex = lexicon_for(init_store(db))
    qs = _questions()
    full = _per_question(lambda q: understand(q, lex), qs, a.repeat)
    names = _per_question(lambda q: lex.recognise(normalise(q)), qs, a.repeat)
    print(f"questions: {len(qs)}")
    print(f"understand (warm)      {full:7.3f} ms/question")
    print(f"recognise alone (ref)  {names:7.3f} ms/question   ratio {full / names:5.2f}")

    def timed(cmd: list[str]) -> float:
        best = float("inf")
        for _ in range(a.processes):
            t0 = time.perf_counter()
            subprocess.run(cmd, capture_output=True, check=True)
            best = min(best, time.perf_counter() - t0)
        return best
    ask = timed([sys.executable, "-m", "curbside", "--db", str(db), "ask", "--format", "json",
                 "Gabapentin dose for a 79 yo with a CrCl of 25?"])
    bare = timed([sys.executable, "-c", "pass"])
    print(f"curbside ask process   {ask:7.3f} s (best of {a.processes})   "
          f"python -c pass {bare:.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
