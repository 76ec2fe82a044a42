#!/usr/bin/env python3
"""Retrieval quality: recall@1/5/10 of the source PMID for the 1,000 PubMedQA questions.

../shared/data/pubmed/pubmedqa_pqal_untitled.xml (the PubMedQA abstracts with their titles
removed, since the titles are the questions) is ingested into a fresh store without the
starter pack; each QUESTION of ../shared/data/pubmedqa/ori_pqal.json is searched with
curbside.search.lexical.search; a passage hit counts for its source's PMID and sources are
deduplicated in rank order.

References in the same run, on the same passages: plain FTS5 BM25 (a separate FTS5 table,
default unicode61 tokenizer, every word of the question OR'ed), and the variants between
it and Curbside (porter stemming, Curbside's stopwords, the title column at weight 2) so a
gap can be traced to its cause; also plain FTS5 over whole abstracts (one row per
PMID), and Curbside's passages with their scores summed per source. Goal: Curbside >=
plain FTS5 (about 0.98 recall@1, which is reached over whole abstracts).

    .venv/bin/python benchmarks/bench_retrieval.py
    .venv/bin/python benchmarks/bench_retrieval.py --json r.json --misses 20
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _common import (
    PUBMED_UNTITLED_XML,
    PUBMEDQA_JSON,
    Progress,
    log,
    now,
    percentile,
    print_machine,
    table,
    write_json,
)

_WORD = re.compile(r"\w+", re.UNICODE)
_PMID = re.compile(r"^pmid:(\d+)")
KS = (1, 5, 10)


def pmid_of(source_id: str) -> str:
    m = _PMID.match(source_id)
    return m.group(1) if m else source_id


def dedupe(pmids: list[str]) -> list[str]:
    seen: list[str] = []
    for p in pmids:
        if p not in seen:
            seen.append(p)
    return seen


def evaluate(name: str, fn: Callable[[str], list[str]], qs: list[tuple[str, str]],
             misses: int) -> dict[str, Any]:
    hits = dict.fromkeys(KS, 0)
    rr = 0.0
    times = []
    missed = []
    prog = Progress(name, len(qs))
    for pmid, q in qs:
        t0 = now()
        ranked = dedupe(fn(q))
        times.append(now() - t0)
        for k in KS:
            hits[k] += pmid in ranked[:k]
        if pmid in ranked:
            rr += 1 / (ranked.index(pmid) + 1)
        if ranked[:1] != [pmid] and len(missed) < misses:
            missed.append({"pmid": pmid, "question": q, "top": ranked[:3],
                           "rank": ranked.index(pmid) + 1 if pmid in ranked else None})
        prog.update()
    prog.done()
    n = len(qs)
    return {"name": name, "queries": n, **{f"recall@{k}": hits[k] / n for k in KS},
            "mrr@10": rr / n, "p50_ms": percentile(times, 50) * 1000,
            "p95_ms": percentile(times, 95) * 1000, "misses": missed}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("--xml", default=str(PUBMED_UNTITLED_XML), help="PubMed XML to ingest")
    ap.add_argument("--questions", default=str(PUBMEDQA_JSON),
                    help="PubMedQA JSON (PMID -> {QUESTION: ...})")
    ap.add_argument("--passages", type=int, default=50,
                    help="passages fetched per question before deduping sources (default 50)")
    ap.add_argument("--sum-passages", type=int, default=100,
                    help="passages summed per source in the summed variant (default 100)")
    ap.add_argument("--misses", type=int, default=10, help="misses at rank 1 to show")
    ap.add_argument("--no-variants", action="store_true",
                    help="only Curbside and plain FTS5, not the in-between variants")
    ap.add_argument("--tmp", help="work folder (default: a fresh temp dir, removed after)")
    ap.add_argument("--json", metavar="FILE", help="write the figures as JSON ('-' = stdout)")
    args = ap.parse_args(argv)

    from curbside.ingest import ingest_file
    from curbside.search.lexical import STOPWORDS, fts_query, search
    from curbside.store import init_store

    print_machine()
    tmp = Path(args.tmp or tempfile.mkdtemp(prefix="curbside-bench-retrieval-"))
    tmp.mkdir(parents=True, exist_ok=True)
    try:
        store = init_store(tmp / "r.db", starter_pack=False)
        t0 = now()
        res = ingest_file(store, "pubmed", args.xml)
        if res.error:
            raise SystemExit(res.error)
        log(f"ingested {res.records:,} records in {now() - t0:.1f}s")
        db = store.db
        n_pass = db.execute("SELECT count(*) FROM passages").fetchone()[0]
        qs = [(pmid, v["QUESTION"]) for pmid, v in json.loads(Path(args.questions)
                                                               .read_text()).items()]
        k = args.passages

        # Reference tables on the same passages (temp: not part of the store).
        for name, tok in (("plain", "unicode61"), ("porter", "porter unicode61")):
            db.execute(f"CREATE VIRTUAL TABLE temp.ref_{name} USING fts5(text, title, "
                       f"source_id UNINDEXED, tokenize='{tok}')")
            db.execute(f"INSERT INTO temp.ref_{name}(text, title, source_id) "
                       "SELECT text, coalesce(title, ''), source_id FROM passages")
            db.execute(f"CREATE VIRTUAL TABLE temp.doc_{name} USING fts5(text, source_id "
                       f"UNINDEXED, tokenize='{tok}')")
            db.execute(f"INSERT INTO temp.doc_{name}(text, source_id) SELECT "
                       "group_concat(text, ' '), source_id FROM passages GROUP BY source_id")

        def words(q: str, stop: bool) -> str:
            ws = dedupe([w for w in _WORD.findall(q.lower()) if not (stop and w in STOPWORDS)])
            return " OR ".join(f'"{w}"' for w in ws)

        def ref(table_name: str, stop: bool, title_w: float | None) -> Callable[[str], list[str]]:
            if title_w is None:  # text only, as plain FTS5 over the abstract text
                sql = (f"SELECT source_id FROM temp.{table_name} WHERE {table_name} "
                       f"MATCH ? ORDER BY bm25({table_name}, 1.0, 0.0) LIMIT ?")
                col = "{text} : "
            else:
                sql = (f"SELECT source_id FROM temp.{table_name} WHERE {table_name} "
                       f"MATCH ? ORDER BY bm25({table_name}, 1.0, {title_w}) LIMIT ?")
                col = ""

            def run(q: str) -> list[str]:
                expr = words(q, stop)
                if not expr:
                    return []
                return [pmid_of(r[0]) for r in db.execute(sql, (col + f"({expr})"
                                                                if col else expr, k))]
            return run

        def doc(table_name: str, stop: bool) -> Callable[[str], list[str]]:
            sql = (f"SELECT source_id FROM temp.{table_name} WHERE {table_name} MATCH ? "
                   f"ORDER BY bm25({table_name}) LIMIT 10")

            def run(q: str) -> list[str]:
                expr = words(q, stop)
                return [pmid_of(r[0]) for r in db.execute(sql, (expr,))] if expr else []
            return run

        def curbside(q: str) -> list[str]:
            return [pmid_of(h.source_id) for h in search(store, q, limit=k)]

        def curbside_summed(q: str) -> list[str]:
            """Curbside's passages, each source ranked by the sum of its passages' scores."""
            total: dict[str, float] = {}
            for h in search(store, q, limit=args.sum_passages):
                total[h.source_id] = total.get(h.source_id, 0.0) + h.score
            return [pmid_of(s) for s in sorted(total, key=lambda s: -total[s])]

        runs = [("curbside search", curbside),
                ("plain FTS5 over whole abstracts (unicode61, all words)",
                 doc("doc_plain", False)),
                ("plain FTS5 over passages (unicode61, all words, text only)",
                 ref("ref_plain", False, None))]
        if not args.no_variants:
            runs += [
                ("+ title column at weight 2", ref("ref_plain", False, 2.0)),
                ("+ stopwords", ref("ref_plain", True, None)),
                ("+ porter", ref("ref_porter", False, None)),
                ("+ porter + stopwords", ref("ref_porter", True, None)),
                ("+ porter + stopwords + title x2 (= Curbside's query)",
                 ref("ref_porter", True, 2.0)),
                ("whole abstracts + porter + stopwords", doc("doc_porter", True)),
                (f"curbside search, top {args.sum_passages} passages' scores summed per source",
                 curbside_summed),
            ]
        results = [evaluate(name, fn, qs, args.misses) for name, fn in runs]
        sample = fts_query(qs[0][1])
        store.close()
    finally:
        if not args.tmp:
            shutil.rmtree(tmp, ignore_errors=True)

    print(f"{len(qs):,} questions over {n_pass:,} passages of {res.records:,} abstracts; "
          f"{k} passages fetched per question")
    print(table(["method", "recall@1", "recall@5", "recall@10", "MRR@10", "p50 ms", "p95 ms"],
                [[r["name"], f"{r['recall@1']:.3f}", f"{r['recall@5']:.3f}",
                  f"{r['recall@10']:.3f}", f"{r['mrr@10']:.3f}", f"{r['p50_ms']:.2f}",
                  f"{r['p95_ms']:.2f}"] for r in results]))
    print(f"\nCurbside's FTS5 query for the first question: {sample}")
    cur = results[0]
    if cur["misses"]:
        print(f"\nCurbside misses at rank 1 (first {len(cur['misses'])}):")
        for m in cur["misses"]:
            print(f"  PMID {m['pmid']} (rank {m['rank']}), top {m['top']}: {m['question'][:90]}")
    write_json(args.json, {"benchmark": "retrieval", "args": vars(args), "results": results})
    return 0


if __name__ == "__main__":
    sys.exit(main())
