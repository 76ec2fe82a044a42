#!/usr/bin/env python3
"""The site's own writes while a long ingest runs: 50 loopback clients asking and reading.

Starts `curbside serve` (one uvicorn worker) on a fresh store with the starter pack, then
runs the same client load twice, each for --seconds:

1. quiet: no ingest (the reference, measured in the same run);
2. during an ingest: `curbside ingest pubmed` of --records PubMed records (the PubMedQA
   records repeated with new PMIDs, as bench_ingest.py makes them) into the served store,
   started just before the clients.

Each client loops, pausing --think-s (0.5-1.5x, at random) after each response as a person
reading would: one request in --write-every is `POST /api/v1/articles` with a question
not asked before (a fresh answer and an article row written: the site's write path), the
others read (`GET /api/v1/articles?q=...`, an article page, `GET /api/v1/articles/{id}`).
Any status >= 400 and any transport error count as errors (the rate limits are opened wide
here, so a 429 is an error too). Goals (issue 13): 0 errors; `POST /api/v1/articles`
p95 <= 1 s during the ingest. The run is bounded: the ingest is stopped (SIGINT; ingest
takes its file back) if it outlasts the clients, and the benchmark reports how far it got.

    .venv/bin/python benchmarks/bench_web_ingest.py                   # 50 clients, 60 s
    .venv/bin/python benchmarks/bench_web_ingest.py --seconds 20 --clients 20 --json out.json
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from _common import PUBMED_XML, log, percentile, print_machine, table, write_json
from bench_ingest import make_pubmed
from bench_web import SEED, served

AUDIENCES = ("clinician", "pharmacist", "nurse", "student", "patient")
TEMPLATES = ("What are the main side effects of {d}?", "Can {d} be taken with alcohol?",
             "What should be monitored on {d}?", "Is {d} safe in older adults?",
             "What happens if I miss a dose of {d}?")
READS = ("opioid", "warfarin", "clonazepam", "statin", "ibuprofen", "lisinopril")


def questions(seed: int) -> list[tuple[str, str]]:
    """Questions no article exists for yet: pack drug names in a few wordings, shuffled."""
    from curbside.knowledge.pack import read_pack

    drugs = sorted(str(d["name"]) for d in read_pack().drugs)
    pool = [(t.format(d=d), a) for d in drugs for t in TEMPLATES for a in AUDIENCES]
    random.Random(seed).shuffle(pool)
    return pool


def run_clients(base: str, seconds: float, clients: int, write_every: int,
                asks: itertools.cycle, pages: list[str], ids: list[str], think: float
                ) -> dict[str, Any]:
    """The client load for `seconds`; per-kind latencies and the errors seen."""
    times: dict[str, list[float]] = {"write": [], "read": []}
    errors: list[str] = []
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def worker(n: int) -> None:
        rnd = random.Random(n)
        with httpx.Client(base_url=base, timeout=60) as c:
            i = n
            while time.perf_counter() < stop:
                i += 1
                kind = "write" if i % write_every == 0 else "read"
                t0 = time.perf_counter()
                try:
                    if kind == "write":
                        with lock:
                            q, aud = next(asks)
                        r = c.post("/api/v1/articles", json={"question": q, "audience": aud})
                    else:
                        pick = rnd.randrange(3)
                        r = (c.get("/api/v1/articles", params={"q": rnd.choice(READS)})
                             if pick == 0 else c.get(rnd.choice(pages)) if pick == 1
                             else c.get(f"/api/v1/articles/{rnd.choice(ids)}"))
                    bad = r.status_code >= 400
                    what = f"{r.status_code} {r.request.method} {r.request.url.path}"
                except httpx.HTTPError as e:
                    bad, what = True, f"{type(e).__name__}"
                dt = time.perf_counter() - t0
                with lock:
                    times[kind].append(dt)
                    if bad:
                        errors.append(what)
                if think:
                    time.sleep(think * (0.5 + rnd.random()))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    out: dict[str, Any] = {"wall_s": wall, "errors": len(errors),
                           "error_kinds": sorted(set(errors))[:10]}
    for kind, ts in times.items():
        out[kind] = {"requests": len(ts), "per_s": len(ts) / wall,
                     "p50_ms": 1000 * percentile(ts, 50), "p95_ms": 1000 * percentile(ts, 95),
                     "max_ms": 1000 * max(ts, default=0.0)}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("--seconds", type=float, default=60.0, help="client time per phase")
    ap.add_argument("--clients", type=int, default=50, help="concurrent clients (default 50)")
    ap.add_argument("--records", type=int, default=20_000, help="PubMed records to ingest")
    ap.add_argument("--write-every", type=int, default=5,
                    help="one request in N is a new article (default 5)")
    ap.add_argument("--think-s", type=float, default=1.0,
                    help="pause after each response, as a reader between clicks (default 1; "
                         "0 = closed loop, which measures the CPU's queue, not the lock)")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--json", metavar="FILE", help="write the figures as JSON ('-' = stdout)")
    a = ap.parse_args(argv)

    print_machine()
    tmp = Path(tempfile.mkdtemp(prefix="curbside-bench-web-ingest-"))
    db = tmp / "served.db"
    env = {**os.environ, "CURBSIDE_DB": str(db), "CURBSIDE_ASK_PER_MINUTE": "100000000",
           "CURBSIDE_ASK_BURST": "100000000", "CURBSIDE_READ_PER_MINUTE": "100000000",
           "CURBSIDE_READ_BURST": "100000000"}
    xml = tmp / "pubmed.xml"
    make_pubmed(PUBMED_XML, xml, a.records)
    ingest: subprocess.Popen[bytes] | None = None
    phases: dict[str, Any] = {}
    try:
        with served(env) as base:
            pool = questions(a.seed)
            pages, ids = [], []
            for q, aud in [(SEED, "clinician"), *pool[:5]]:        # something to read
                art = httpx.post(f"{base}/api/v1/articles", timeout=60,
                                 json={"question": q, "audience": aud}).json()
                pages.append(art["url"])
                ids.append(art["id"])
            asks = itertools.cycle(pool[5:])
            log(f"quiet: {a.clients} clients for {a.seconds:.0f} s ...")
            phases["quiet"] = run_clients(base, a.seconds, a.clients, a.write_every, asks,
                                          pages, ids, a.think_s)
            log(f"during an ingest of {a.records:,} PubMed records ...")
            t_ingest = time.perf_counter()
            ingest = subprocess.Popen(
                [sys.executable, "-m", "curbside", "--db", str(db), "ingest", "pubmed", str(xml),
                 "--format", "json", "--quiet"], env=env, stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL)
            phases["ingest"] = run_clients(base, a.seconds, a.clients, a.write_every, asks,
                                           pages, ids, a.think_s)
            finished = ingest.poll() is not None
            if not finished:
                ingest.send_signal(signal.SIGINT)
                ingest.wait(timeout=120)
            phases["ingest"]["ingest_finished_within_clients"] = finished
            phases["ingest"]["ingest_s"] = time.perf_counter() - t_ingest
            phases["ingest"]["ingest_rc"] = ingest.returncode
            con = sqlite3.connect(db)
            phases["ingest"]["research_sources_after"] = con.execute(
                "SELECT count(*) FROM sources WHERE tier = 'research' AND origin = 'pubmed'"
            ).fetchone()[0]
            con.close()
    finally:
        if ingest is not None and ingest.poll() is None:
            ingest.kill()
        shutil.rmtree(tmp, ignore_errors=True)

    rows = []
    for name, ph in phases.items():
        for kind in ("write", "read"):
            k = ph[kind]
            rows.append([name, "POST /api/v1/articles (new)" if kind == "write" else "reads",
                         k["requests"], f"{k['per_s']:.1f}", f"{k['p50_ms']:.0f}",
                         f"{k['p95_ms']:.0f}", f"{k['max_ms']:.0f}",
                         ph["errors"] if kind == "write" else ""])
    print(table(["phase", "requests", "n", "per s", "p50 ms", "p95 ms", "max ms", "errors"],
                rows))
    q, i = phases["quiet"], phases["ingest"]
    state = "finished" if i["ingest_finished_within_clients"] else "still running, stopped"
    print(f"during the ingest: errors {i['errors']} (goal 0); POST p95 {i['write']['p95_ms']:.0f}"
          f" ms (goal <= 1000), {i['write']['p95_ms'] / max(q['write']['p95_ms'], 1e-9):.2f}x "
          f"the quiet phase; ingest {state} after {i['ingest_s']:.0f} s, "
          f"{i['research_sources_after']:,} records stored")
    if i["error_kinds"] or q["error_kinds"]:
        print(f"error kinds: {sorted(set(q['error_kinds']) | set(i['error_kinds']))}")
    write_json(a.json, {"benchmark": "web_during_ingest", "args": vars(a), "phases": phases})
    return 0


if __name__ == "__main__":
    sys.exit(main())
