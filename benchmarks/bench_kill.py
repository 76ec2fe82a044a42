#!/usr/bin/env python3
"""Crash safety: kill -9 an ingest at random moments, check the store and its index after
each, then check that a rerun completes without duplicates.

A store without the starter pack ingests --copies copies of the PubMedQA XML, titled and
untitled in turn (the same 1,000 PMIDs, so every file replaces every record and a complete
run always ends at 1,000 sources). --kills times: start
`curbside ingest pubmed`, kill -9 it after a random delay, then check SQLite's
integrity_check and foreign_key_check and `curbside index check` (which replays what the
killed process committed but did not index). Finally a full rerun must exit 0 with 1,000
sources and every passage in the index. Prints one row per kill and a summary.

    .venv/bin/python benchmarks/bench_kill.py                  # 20 kills
    .venv/bin/python benchmarks/bench_kill.py --kills 5 --max-delay 3
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import PUBMED_UNTITLED_XML, PUBMED_XML, log, print_machine, table, write_json


def cli(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "curbside", "--db", str(db), *args],
                          capture_output=True, text=True, timeout=600)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--copies", type=int, default=4, help="copies of the XML per run")
    ap.add_argument("--max-delay", type=float, default=6.0, help="latest kill, seconds")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--json", metavar="FILE")
    args = ap.parse_args(argv)
    print_machine()
    rnd = random.Random(args.seed)
    tmp = Path(tempfile.mkdtemp(prefix="curbside-bench-kill-"))
    rows, bad = [], 0
    try:
        folder = tmp / "in"
        folder.mkdir()
        for i in range(args.copies):    # titled and untitled in turn: every file rewrites
            shutil.copy(PUBMED_UNTITLED_XML if i % 2 else PUBMED_XML, folder / f"part{i}.xml")
        db = tmp / "s.db"
        cli(db, "init", "--no-starter-pack")
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
        for k in range(args.kills):
            delay = rnd.uniform(0.2, args.max_delay)
            proc = subprocess.Popen([sys.executable, "-m", "curbside", "--db", str(db),
                                     "ingest", "pubmed", "-q", str(folder)], env=env,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(delay)
            finished = proc.poll() is not None
            if not finished:
                os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            con = sqlite3.connect(db)
            integrity = con.execute("PRAGMA integrity_check").fetchone()[0]
            fk = len(con.execute("PRAGMA foreign_key_check").fetchall())
            sources = con.execute("SELECT count(*) FROM sources").fetchone()[0]
            con.close()
            check = cli(db, "index", "check", "--format", "json")
            ok = check.returncode == 0 and json.loads(check.stdout)["ok"]
            good = integrity == "ok" and fk == 0 and ok
            bad += not good
            rows.append([k + 1, f"{delay:.2f}", "finished" if finished else "killed",
                         integrity, fk, sources, "ok" if ok else "DIFFERS"])
            log(f"kill {k + 1}: {rows[-1]}")
        res = cli(db, "ingest", "pubmed", "-q", str(folder), "--format", "json")
        con = sqlite3.connect(db)
        sources = con.execute("SELECT count(*) FROM sources").fetchone()[0]
        passages = con.execute("SELECT count(*) FROM passages").fetchone()[0]
        con.close()
        check = json.loads(cli(db, "index", "check", "--format", "json").stdout)
        final_ok = (res.returncode == 0 and sources == 1000 and check["ok"]
                    and check["passages_index"] == passages)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(table(["kill", "after s", "ingest", "integrity", "fk errors", "sources",
                 "index check"], rows))
    print(f"\n{len(rows) - bad} of {len(rows)} reopened clean; rerun: "
          f"{'complete, 1,000 sources, index in step' if final_ok else 'FAILED'}")
    write_json(args.json, {"benchmark": "kill", "args": vars(args), "rows": rows,
                           "clean": len(rows) - bad, "rerun_ok": final_ok})
    return 0 if final_ok and not bad else 1


if __name__ == "__main__":
    sys.exit(main())
