#!/usr/bin/env python3
"""Search latency: curbside.search.lexical.search vs. tantivy alone on the same passages
and queries.

For each size N, a fresh store (init_store(path, starter_pack=False)) gets N synthetic
passages through the Store API (Store.put_source in batches; the outbox then fills
Curbside's own tantivy index in one catch-up, as a bulk ingest does): each passage is 2-6
sentences drawn at random from the real PubMedQA abstracts and openFDA label sections in
../shared/data, 10 passages per research source. The reference is a separate, bare tantivy
index (en_stem tokenizer, text and title) of the same passages: one OR query of the same
terms, top 10, pids read from a fast field, nothing else. Curbside's search does more: a
second query ranks whole documents, the two are fused, and the hits' rows, titles and
snippets come from SQLite. The same queries run against both, interleaved, after a warm-up:
the 1,000 PubMedQA questions plus clinical phrases; also Curbside with a tier filter (the
answer engine's query shape). Goal: Curbside p95 <= 1.5x tantivy p95; growth <= 3x from
100k to 1M passages.

    .venv/bin/python benchmarks/bench_search.py                        # 10k and 100k
    .venv/bin/python benchmarks/bench_search.py --sizes 10000,100000,1000000 --json s.json
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from _common import (
    OPENFDA_JSON,
    PUBMED_XML,
    PUBMEDQA_JSON,
    Progress,
    dir_size,
    human_bytes,
    log,
    now,
    percentile,
    print_machine,
    ratio,
    table,
    write_json,
)

CLINICAL_QUERIES = [
    "concomitant opioids respiratory depression",
    "benzodiazepine opioid coadministration sedation coma death",
    "warfarin naproxen bleeding risk",
    "serotonin syndrome SSRI tramadol",
    "QT prolongation torsades de pointes",
    "hepatotoxicity acetaminophen overdose",
    "renal impairment dose adjustment",
    "pregnancy contraindicated fetal harm",
    "hypoglycemia insulin sulfonylurea",
    "lactic acidosis metformin",
    "angioedema ACE inhibitor",
    "hyperkalemia potassium sparing diuretic",
    "statin myopathy rhabdomyolysis",
    "anticholinergic delirium elderly",
    "withdrawal seizures abrupt discontinuation",
    "neonatal opioid withdrawal syndrome prolonged use during pregnancy",
    "gastrointestinal bleeding NSAID elderly",
    "abuse misuse addiction",
    "randomized controlled trial mortality",
    "children adverse events",
]

_SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])")
SECTIONS = ["background", "objective", "methods", "results", "conclusions", "abstract",
            "warnings", "adverse_reactions", "drug_interactions", "dosage_and_administration"]


# --- corpus -------------------------------------------------------------------------------

def sentence_pool() -> list[str]:
    """Sentences of the real PubMedQA abstracts and openFDA label sections."""
    from curbside.sources import reader

    texts: list[str] = []
    with open(PUBMED_XML, "rb") as fh:
        for src in reader("pubmed").read(fh, str(PUBMED_XML)):
            texts += [p.text for p in src.passages]
    with open(OPENFDA_JSON, "rb") as fh:
        for src in reader("openfda").read(fh, str(OPENFDA_JSON)):
            texts += [p.text for p in src.passages]
    pool = []
    for t in texts:
        for s in _SENT.split(" ".join(t.split())):
            if 20 <= len(s) <= 600:
                pool.append(s)
    return pool


def passages(n: int, pool: list[str], seed: int) -> list[tuple[int, str, str, str]]:
    """(pid, section, title, text) for n synthetic passages; the same for the same seed."""
    rnd = random.Random(seed)
    out = []
    for pid in range(n):
        k = rnd.randint(2, 6)
        text = " ".join(rnd.choice(pool) for _ in range(k))
        section = rnd.choice(SECTIONS)
        out.append((pid, section, section.replace("_", " ").title(), text))
    return out


def queries(max_n: int | None) -> list[str]:
    qs = [v["QUESTION"] for v in json.loads(PUBMEDQA_JSON.read_text()).values()]
    out = CLINICAL_QUERIES + qs
    return out[:max_n] if max_n else out


# --- builds ---------------------------------------------------------------------------------

def build_store(path: Path, docs: list[tuple[int, str, str, str]], per_source: int,
                batch: int, pool: list[str], seed: int) -> dict[str, Any]:
    from curbside.model import Passage, Source
    from curbside.store import init_store

    rnd = random.Random(seed + 1)
    store = init_store(path, starter_pack=False)
    store.defer_index = True           # one index catch-up at the end, as a bulk ingest
    prog = Progress("curbside store", len(docs))
    t0 = now()
    sources = 0
    for b in range(0, len(docs), per_source * batch):
        with store.transaction():
            for s in range(b, min(b + per_source * batch, len(docs)), per_source):
                chunk = docs[s:s + per_source]
                src = Source(key=f"synthetic:{s // per_source}", tier="research",
                             title=rnd.choice(pool)[:200],
                             passages=[Passage(section=sec, text=text, title=title)
                                       for _, sec, title, text in chunk],
                             year=2000 + s % 25)
                store.put_source(src, origin="pubmed")
                sources += 1
                prog.update(len(chunk))
    prog.done()
    t1 = now()
    store.catch_up_index()
    index_s = now() - t1
    build_s = now() - t0
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    n = store.db.execute("SELECT count(*) FROM passages").fetchone()[0]
    store.close()
    from curbside.store.index import index_path

    return {"build_s": build_s, "index_s": index_s, "passages": n, "sources": sources,
            "bytes": dir_size(path), "index_bytes": dir_size(index_path(path))}


def build_tantivy(path: Path, docs: list[tuple[int, str, str, str]],
                  heap_mb: int) -> tuple[Any, dict[str, Any]]:
    import tantivy

    sb = tantivy.SchemaBuilder()
    sb.add_integer_field("pid", fast=True, indexed=True)
    sb.add_text_field("text", tokenizer_name="en_stem")
    sb.add_text_field("title", tokenizer_name="en_stem")
    schema = sb.build()
    path.mkdir(parents=True, exist_ok=True)
    index = tantivy.Index(schema, path=str(path))
    prog = Progress("tantivy index", len(docs))
    t0 = now()
    writer = index.writer(heap_mb * 1_000_000)
    for pid, _sec, title, text in docs:
        writer.add_document(tantivy.Document(pid=pid, text=text, title=title))
        if pid % 1000 == 999:
            prog.update(1000)
    writer.commit()
    writer.wait_merging_threads()
    build_s = now() - t0
    prog.done()
    index.reload()
    return index, {"build_s": build_s, "bytes": dir_size(path)}


# --- queries ---------------------------------------------------------------------------------

def terms_of(q: str) -> list[str]:
    from curbside.search.lexical import fts_query

    expr = fts_query(q)
    return re.findall(r'"([^"]+)"', expr) if expr else []


def run_queries(store_path: Path, index: Any, qs: list[str], limit: int,
                warmup: int) -> dict[str, Any]:
    from curbside.search.lexical import search
    from curbside.store.sqlite import Store

    store = Store(store_path)
    searcher = index.searcher()

    def cur(q: str) -> int:
        return len(search(store, q, limit=limit))

    def cur_tier(q: str) -> int:
        return len(search(store, q, tier="research", limit=limit))

    def tan(q: str) -> int:
        t = terms_of(q)
        if not t:
            return 0
        query = index.parse_query(" ".join(f'"{w}"' for w in t), ["text", "title"],
                                  field_boosts={"title": 2.0})
        hits = searcher.search(query, limit, count=False).hits
        return len(searcher.fast_field_values("pid", [a for _, a in hits])) if hits else 0

    runs = (("curbside", cur), ("curbside_tier", cur_tier), ("tantivy", tan))
    for q in qs[:warmup]:
        for _, fn in runs:
            fn(q)
    times: dict[str, list[float]] = {name: [] for name, _ in runs}
    per_query = []
    prog = Progress("queries", len(qs))
    for q in qs:
        row = {}
        for name, fn in runs:
            t0 = now()
            fn(q)
            dt = now() - t0
            times[name].append(dt)
            row[name] = dt
        per_query.append((q, row))
        prog.update()
    prog.done()
    store.close()
    slow = sorted(per_query, key=lambda x: -x[1]["curbside"])[:5]
    out: dict[str, Any] = {"queries": len(qs)}
    for name, ts in times.items():
        out[name] = {"p50_ms": percentile(ts, 50) * 1000, "p95_ms": percentile(ts, 95) * 1000,
                     "mean_ms": sum(ts) / len(ts) * 1000, "max_ms": max(ts) * 1000}
    out["slowest_curbside"] = [{"query": q, **{k: v * 1000 for k, v in r.items()}}
                               for q, r in slow]
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("--sizes", default="10000,100000",
                    help="comma-separated passage counts (default 10000,100000)")
    ap.add_argument("--max-queries", type=int, default=None,
                    help="run only the first N queries (default: all, ~1,020)")
    ap.add_argument("--limit", type=int, default=10, help="hits per query (default 10)")
    ap.add_argument("--warmup", type=int, default=50, help="untimed warm-up queries")
    ap.add_argument("--per-source", type=int, default=10, help="passages per source")
    ap.add_argument("--batch", type=int, default=500, help="sources per store transaction")
    ap.add_argument("--tantivy-heap-mb", type=int, default=256)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--tmp", help="work folder (default: a fresh temp dir, removed after)")
    ap.add_argument("--keep", action="store_true", help="keep the stores and indexes")
    ap.add_argument("--json", metavar="FILE", help="write the figures as JSON ('-' = stdout)")
    args = ap.parse_args(argv)

    print_machine()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    tmp = Path(args.tmp or tempfile.mkdtemp(prefix="curbside-bench-search-"))
    tmp.mkdir(parents=True, exist_ok=True)
    log("building the sentence pool ...")
    pool = sentence_pool()
    log(f"  {len(pool):,} sentences")
    qs = queries(args.max_queries)
    results = []
    try:
        for n in sizes:
            log(f"[{n:,} passages] generating ...")
            docs = passages(n, pool, args.seed)
            log(f"[{n:,} passages] building the Curbside store ...")
            st = build_store(tmp / f"store-{n}.db", docs, args.per_source, args.batch, pool,
                             args.seed)
            log(f"[{n:,} passages] building the tantivy index ...")
            index, ti = build_tantivy(tmp / f"tantivy-{n}", docs, args.tantivy_heap_mb)
            del docs
            log(f"[{n:,} passages] running {len(qs):,} queries ...")
            q = run_queries(tmp / f"store-{n}.db", index, qs, args.limit, args.warmup)
            del index
            results.append({"passages": n, "store": st, "tantivy_index": ti, "latency": q})
            if not args.keep:
                for p in (tmp / f"store-{n}.db", tmp / f"store-{n}.db-wal",
                          tmp / f"store-{n}.db-shm"):
                    p.unlink(missing_ok=True)
                shutil.rmtree(tmp / f"tantivy-{n}", ignore_errors=True)
                shutil.rmtree(tmp / f"store-{n}.db.index", ignore_errors=True)
    finally:
        if not args.keep and not args.tmp:
            shutil.rmtree(tmp, ignore_errors=True)
        elif args.keep:
            log(f"kept {tmp}")

    rows = []
    for r in results:
        lat = r["latency"]
        c, f, t = lat["curbside"], lat["curbside_tier"], lat["tantivy"]
        rows.append([r["passages"], lat["queries"], f"{c['p50_ms']:.2f}", f"{c['p95_ms']:.2f}",
                     f"{f['p50_ms']:.2f}", f"{f['p95_ms']:.2f}", f"{t['p50_ms']:.2f}",
                     f"{t['p95_ms']:.2f}", f"{ratio(c['p50_ms'], t['p50_ms']):.2f}x",
                     f"{ratio(c['p95_ms'], t['p95_ms']):.2f}x",
                     "yes" if ratio(c["p95_ms"], t["p95_ms"]) <= 1.5 else "NO"])
    print("Search latency (ms)")
    print(table(["passages", "queries", "curbside p50", "curbside p95", "tier-filtered p50",
                 "tier-filtered p95", "tantivy p50", "tantivy p95", "p50 ratio", "p95 ratio",
                 "p95 <= 1.5x"], rows))
    if len(results) > 1:
        first, last = results[0], results[-1]
        growth = ratio(last["latency"]["curbside"]["p95_ms"],
                       first["latency"]["curbside"]["p95_ms"])
        print(f"\ncurbside p95 growth {first['passages']:,} -> {last['passages']:,} passages: "
              f"{growth:.2f}x")
    print()
    rows = []
    for r in results:
        n = r["passages"]
        st = r["store"]
        rows.append([n, f"{st['build_s']:.1f}", f"{st['index_s']:.1f}",
                     f"{r['tantivy_index']['build_s']:.1f}",
                     human_bytes(st["bytes"] / n * 100_000),
                     human_bytes(st["index_bytes"] / n * 100_000),
                     human_bytes(r["tantivy_index"]["bytes"] / n * 100_000)])
    print("Build and size")
    print(table(["passages", "store build s (incl. index)", "its index catch-up s",
                 "bare tantivy build s", "SQLite per 100k", "Curbside index per 100k",
                 "bare tantivy per 100k"], rows))
    print()
    for r in results:
        print(f"slowest Curbside queries at {r['passages']:,} passages (ms: curbside / "
              f"tier-filtered / tantivy):")
        for s in r["latency"]["slowest_curbside"]:
            print(f"  {s['curbside']:8.2f} {s['curbside_tier']:8.2f} {s['tantivy']:8.2f}  "
                  f"{s['query'][:90]}")
    write_json(args.json, {"benchmark": "search", "args": vars(args), "results": results})
    return 0


if __name__ == "__main__":
    sys.exit(main())
