#!/usr/bin/env python3
"""Answer latency: answer_question in-process, against its own lexical search, and `curbside ask`.

A fresh store with the starter pack (init_store(tmp/"s.db")) answers every question of
../shared/eval/questions.jsonl. Figures:

- warm in-process answer_question p50/p95 over --rounds rounds after one warm-up round
  (goal p95 <= 100 ms);
- for each question, a lexical search (curbside.search.lexical.search) of its text, timed
  right after its answer, and the ratio answer/search (goal <= 20x);
- the whole `curbside ask --format json --db STORE "Q"` process (subprocess) p50/p95
  (goal <= 1 s), and `python -X importtime` top offenders when it is over --import-limit-s.

    .venv/bin/python benchmarks/bench_answer.py
    .venv/bin/python benchmarks/bench_answer.py --rounds 10 --cli-runs 3 --json a.json
    .venv/bin/python benchmarks/bench_answer.py --rounds 50 --cli-runs 0 \
        --question "simvastatin, clarithromycin and ondansetron together?"
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from _common import (
    QUESTIONS_JSONL,
    ROOT,
    Progress,
    log,
    now,
    percentile,
    print_machine,
    ratio,
    table,
    write_json,
)


def load_questions(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def importtime(exe: Path, db: Path, question: str, top: int) -> list[tuple[float, str]]:
    """The `top` modules with the largest cumulative import time (seconds) for `ask`."""
    code = ("import sys; from curbside.cli import main; "
            f"sys.argv = ['curbside', '--db', {str(db)!r}, 'ask', '--format', 'json', "
            f"{question!r}]; main()")
    proc = subprocess.run([str(exe), "-X", "importtime", "-c", code], capture_output=True,
                          text=True, check=False)
    rows = []
    for line in proc.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
        if m:
            rows.append((int(m.group(2)) / 1e6, len(m.group(3)), m.group(4)))
    # top-level-ish packages first: the biggest cumulative figures
    rows.sort(key=lambda r: -r[0])
    return [(t, ("  " * min(depth // 2, 4)) + name) for t, depth, name in rows[:top]]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("--questions", default=str(QUESTIONS_JSONL), help="questions JSONL")
    ap.add_argument("--question", action="append", metavar="TEXT",
                    help="time this question instead of the set (repeatable), e.g. a "
                         "three-drug interaction question")
    ap.add_argument("--ingest-openfda", metavar="FILE",
                    help="also ingest this openFDA label file into the store first")
    ap.add_argument("--rounds", type=int, default=5, help="timed in-process rounds (default 5)")
    ap.add_argument("--cli-runs", type=int, default=1,
                    help="`curbside ask` runs per question (default 1; 0 skips)")
    ap.add_argument("--import-limit-s", type=float, default=1.0,
                    help="show import-time offenders when the CLI p50 is over this (default 1)")
    ap.add_argument("--always-importtime", action="store_true",
                    help="show import-time offenders whatever the CLI time")
    ap.add_argument("--top", type=int, default=15, help="import-time rows to show")
    ap.add_argument("--slowest", type=int, default=5, help="slowest questions to list")
    ap.add_argument("--tmp", help="work folder (default: a fresh temp dir, removed after)")
    ap.add_argument("--store", metavar="PATH",
                    help="answer from this existing store (e.g. one loaded with "
                         "make_corpus.py's files) instead of a fresh starter-pack store")
    ap.add_argument("--json", metavar="FILE", help="write the figures as JSON ('-' = stdout)")
    args = ap.parse_args(argv)

    from curbside.answer.engine import answer_question
    from curbside.search.lexical import search
    from curbside.store import init_store

    print_machine()
    qs = ([{"id": f"arg{i}", "question": q} for i, q in enumerate(args.question, 1)]
          if args.question else load_questions(Path(args.questions)))
    tmp = Path(args.tmp or tempfile.mkdtemp(prefix="curbside-bench-answer-"))
    tmp.mkdir(parents=True, exist_ok=True)
    db = Path(args.store) if args.store else tmp / "s.db"
    out: dict[str, Any] = {}
    try:
        t0 = now()
        store = init_store(db)      # an existing store is opened as it is
        if args.ingest_openfda:
            from curbside.ingest import ingest_file

            ingest_file(store, "openfda", args.ingest_openfda)
        out["init_store_s"] = now() - t0
        log(f"store with the starter pack: {out['init_store_s']:.1f}s, "
            f"{store.stats()['passages']:,} passages")

        # warm-up round (lexicon cache, page cache), answers checked for crashes
        errors = []
        for q in qs:
            try:
                answer_question(store, q["question"], audience=q.get("audience", "clinician"))
            except Exception as e:  # noqa: BLE001
                errors.append(f"{q['id']}: {type(e).__name__}: {e}")
            search(store, q["question"])

        ans_t: dict[str, list[float]] = {q["id"]: [] for q in qs}
        srch_t: dict[str, list[float]] = {q["id"]: [] for q in qs}
        prog = Progress("in-process rounds", args.rounds * len(qs))
        for _ in range(args.rounds):
            for q in qs:
                aud = q.get("audience", "clinician")
                t0 = now()
                try:
                    answer_question(store, q["question"], audience=aud)
                except Exception:  # noqa: BLE001
                    pass
                ans_t[q["id"]].append(now() - t0)
                t0 = now()
                search(store, q["question"])
                srch_t[q["id"]].append(now() - t0)
                prog.update()
        prog.done()
        store.close()

        all_ans = [t for ts in ans_t.values() for t in ts]
        all_srch = [t for ts in srch_t.values() for t in ts]
        per_q = []
        for q in qs:
            a = percentile(ans_t[q["id"]], 50)
            s = percentile(srch_t[q["id"]], 50)
            per_q.append({"id": q["id"], "question": q["question"], "answer_ms": a * 1000,
                          "search_ms": s * 1000, "ratio": ratio(a, s)})
        ratios = [p["ratio"] for p in per_q]
        out["in_process"] = {
            "questions": len(qs), "rounds": args.rounds, "errors": errors,
            "answer_p50_ms": percentile(all_ans, 50) * 1000,
            "answer_p95_ms": percentile(all_ans, 95) * 1000,
            "answer_max_ms": max(all_ans) * 1000,
            "search_p50_ms": percentile(all_srch, 50) * 1000,
            "search_p95_ms": percentile(all_srch, 95) * 1000,
            "ratio_p50": percentile(ratios, 50), "ratio_p95": percentile(ratios, 95),
            "ratio_max": max(ratios), "per_question": per_q,
        }

        exe = ROOT / ".venv" / "bin" / "curbside"
        py = ROOT / ".venv" / "bin" / "python"
        if args.cli_runs > 0:
            if not exe.exists():
                log(f"{exe} not found; skipping the CLI timing")
            else:
                env = {**os.environ, "CURBSIDE_DB": str(db)}
                cli_t = []
                failures = []
                prog = Progress("curbside ask processes", args.cli_runs * len(qs))
                # a tiny interpreter start in the same run, for reference
                t0 = now()
                subprocess.run([str(py), "-c", "pass"], check=False)
                bare = now() - t0
                for _ in range(args.cli_runs):
                    for q in qs:
                        cmd = [str(exe), "--db", str(db), "ask", "--format", "json",
                               "--audience", q.get("audience", "clinician"), q["question"]]
                        t0 = now()
                        proc = subprocess.run(cmd, capture_output=True, env=env, check=False)
                        cli_t.append(now() - t0)
                        if proc.returncode != 0:
                            failures.append(f"{q['id']}: exit {proc.returncode}: "
                                            f"{proc.stderr.decode()[-200:]}")
                        prog.update()
                prog.done()
                t0 = now()
                subprocess.run([str(py), "-c", "import curbside.cli"], check=False)
                import_cli = now() - t0
                out["cli"] = {"runs": len(cli_t), "p50_s": percentile(cli_t, 50),
                              "p95_s": percentile(cli_t, 95), "max_s": max(cli_t),
                              "python_startup_s": bare, "import_curbside_cli_s": import_cli,
                              "failures": failures}
                if args.always_importtime or out["cli"]["p50_s"] > args.import_limit_s:
                    out["importtime"] = importtime(py, db, qs[0]["question"], args.top)
    finally:
        if not args.tmp:
            shutil.rmtree(tmp, ignore_errors=True)

    ip = out["in_process"]
    rows = [
        ["answer_question warm p50 / p95 (ms)", f"{ip['answer_p50_ms']:.1f} / "
         f"{ip['answer_p95_ms']:.1f}", "p95 <= 100 ms",
         "yes" if ip["answer_p95_ms"] <= 100 else "NO"],
        ["lexical search of the same text p50 / p95 (ms)",
         f"{ip['search_p50_ms']:.2f} / {ip['search_p95_ms']:.2f}", "", ""],
        ["answer / own search, per question: median / p95 / max",
         f"{ip['ratio_p50']:.1f}x / {ip['ratio_p95']:.1f}x / {ip['ratio_max']:.1f}x",
         "<= 20x", "yes" if ip["ratio_p95"] <= 20 else "NO"],
    ]
    if "cli" in out:
        c = out["cli"]
        rows += [
            ["`curbside ask --format json` process p50 / p95 (s)",
             f"{c['p50_s']:.2f} / {c['p95_s']:.2f}", "<= 1 s", "yes" if c["p95_s"] <= 1 else "NO"],
            ["python -c pass / python -c 'import curbside.cli' (s)",
             f"{c['python_startup_s']:.2f} / {c['import_curbside_cli_s']:.2f}", "", ""],
        ]
    print(f"{ip['questions']} questions x {ip['rounds']} rounds, store built in "
          f"{out['init_store_s']:.1f}s; errors: {len(ip['errors'])}")
    print(table(["figure", "value", "goal", "met"], rows))
    print("\nslowest questions (answer ms / search ms / ratio):")
    for p in sorted(ip["per_question"], key=lambda p: -p["answer_ms"])[:args.slowest]:
        print(f"  {p['answer_ms']:7.1f} {p['search_ms']:7.2f} {p['ratio']:6.1f}x  "
              f"{p['id']}: {p['question'][:80]}")
    for e in ip["errors"]:
        print(f"  error: {e}")
    if "cli" in out and out["cli"]["failures"]:
        print(f"\ncurbside ask failures: {len(out['cli']['failures'])}")
        for f in out["cli"]["failures"][:5]:
            print(f"  {f}")
    if "importtime" in out:
        print("\nimport time (cumulative s), top offenders:")
        for t, name in out["importtime"]:
            print(f"  {t:6.3f}  {name}")
    write_json(args.json, {"benchmark": "answer", "args": vars(args), **out})
    return 0


if __name__ == "__main__":
    sys.exit(main())
