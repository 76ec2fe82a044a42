"""Web throughput: requests/s and p95 on loopback, one uvicorn worker, against a trivial
endpoint of the same app measured in the same run.

Starts `curbside serve` on a free port with a fresh store (starter pack), creates one
article, then for each target runs a closed loop of N client threads for a fixed time:

    GET /healthz                   the trivial reference
    GET /articles/{id}/{slug}      a cached article page
    POST /api/v1/answers           the seed question, answered each time

    .venv/bin/python benchmarks/bench_web.py [--seconds 10] [--clients 4] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

SEED = ("What are the concerns of a patient remaining on opioid medication and clonazepam "
        "(Klonopin)?")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def served(env: dict[str, str]) -> Iterator[str]:
    """`curbside init` and `curbside serve` (one uvicorn worker) on a free loopback port with
    `env` (its CURBSIDE_DB names the store); yields the base URL once /healthz answers, and
    stops the server after."""
    cli = [sys.executable, "-m", "curbside"]
    subprocess.run([*cli, "init"], env=env, check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen([*cli, "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)


def load(base: str, method: str, path: str, body: dict | None, seconds: float,
         clients: int) -> dict[str, float]:
    times: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def worker() -> None:
        with httpx.Client(base_url=base, timeout=30) as c:
            while time.perf_counter() < stop:
                t0 = time.perf_counter()
                r = c.request(method, path, json=body)
                dt = time.perf_counter() - t0
                with lock:
                    if r.status_code >= 400:
                        errors[0] += 1
                    times.append(dt)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    times.sort()
    return {"requests": len(times), "errors": errors[0], "rps": len(times) / wall,
            "p50_ms": 1000 * statistics.median(times),
            "p95_ms": 1000 * times[max(0, int(0.95 * len(times)) - 1)]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=10.0, help="time per target")
    ap.add_argument("--clients", type=int, default=4, help="concurrent client threads")
    ap.add_argument("--json", type=Path, help="also write the figures as JSON")
    a = ap.parse_args()
    tmp = tempfile.TemporaryDirectory()
    env = {**os.environ, "CURBSIDE_DB": str(Path(tmp.name) / "web.db"),
           "CURBSIDE_ASK_PER_MINUTE": "1000000", "CURBSIDE_ASK_BURST": "1000000"}
    with served(env) as base:
        r = httpx.post(f"{base}/ask", data={"question": SEED, "audience": "clinician"},
                       follow_redirects=False, timeout=30)
        page = r.headers["location"]
        httpx.get(base + page, timeout=30)                       # warm the render cache
        targets = [("trivial GET /healthz", "GET", "/healthz", None),
                   ("cached article page", "GET", page, None),
                   ("POST /api/v1/answers", "POST", "/api/v1/answers",
                    {"question": SEED, "audience": "clinician"})]
        rows = {name: load(base, m, p, b, a.seconds, a.clients) for name, m, p, b in targets}
    ref = rows["trivial GET /healthz"]
    print(f"{'target':24} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'rps / trivial':>14} "
          f"{'p95 / trivial':>14} {'errors':>6}")
    for name, r in rows.items():
        r["rps_ratio"] = r["rps"] / ref["rps"]
        r["p95_ratio"] = r["p95_ms"] / ref["p95_ms"]
        print(f"{name:24} {r['rps']:8.1f} {r['p50_ms']:8.2f} {r['p95_ms']:8.2f} "
              f"{r['rps_ratio']:14.3f} {r['p95_ratio']:14.2f} {r['errors']:6d}")
    if a.json:
        a.json.write_text(json.dumps({"clients": a.clients, "seconds": a.seconds,
                                      "results": rows}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
