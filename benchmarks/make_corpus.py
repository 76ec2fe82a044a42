#!/usr/bin/env python3
"""Write a scale corpus for the benchmarks from the real files in ../shared/data.

Labels: the openFDA sample records cloned with new set ids and openFDA ids, a version and
an effective date drawn at random, the manufacturer of another sample record, and
`openfda.is_original_packager` true for `--original-share` of the clones (false for the
rest), written as openFDA bulk partitions (`{"meta", "results"}`, `--per-file` records each).
Abstracts: the PubMedQA records cloned with new PMIDs (from 90,000,000 up, clear of real
ones) and their abstract sentences shuffled within each record, written as
PubmedArticleSet files. The same seed gives the same corpus. Proportions (labels per drug,
the original-packager share) are parameters, not figures measured on openFDA.

Ingest with `curbside ingest openfda DIR/labels` and `curbside ingest pubmed DIR/pubmed`.

    .venv/bin/python benchmarks/make_corpus.py --labels 300 --abstracts 20000 --out /tmp/c
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import re
import sys
import uuid
from pathlib import Path

from _common import OPENFDA_JSON, PUBMED_XML, log

_SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])")


def write_labels(out: Path, n: int, per_file: int, original_share: float, seed: int) -> int:
    base = json.loads(OPENFDA_JSON.read_text())["results"]
    makers = [r["openfda"]["manufacturer_name"] for r in base if r.get("openfda")]
    rnd = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    written = 0
    for f in range(0, n, per_file):
        results = []
        for i in range(f, min(f + per_file, n)):
            rec = copy.deepcopy(base[i % len(base)])
            rec["set_id"] = str(uuid.UUID(int=rnd.getrandbits(128)))
            rec["id"] = str(uuid.UUID(int=rnd.getrandbits(128)))
            rec["version"] = str(rnd.randint(1, 30))
            rec["effective_time"] = (f"{rnd.randint(2005, 2025)}{rnd.randint(1, 12):02d}"
                                     f"{rnd.randint(1, 28):02d}")
            rec.setdefault("openfda", {})["manufacturer_name"] = rnd.choice(makers)
            rec["openfda"]["is_original_packager"] = [rnd.random() < original_share]
            results.append(rec)
        doc = {"meta": {"results": {"skip": f, "limit": per_file, "total": n}},
               "results": results}
        (out / f"labels-{f // per_file:05d}.json").write_text(json.dumps(doc))
        written += len(results)
    return written


def write_abstracts(out: Path, n: int, per_file: int, seed: int,
                    first_pmid: int = 90_000_000) -> int:
    from lxml import etree

    tree = etree.parse(str(PUBMED_XML))
    articles = tree.getroot().findall("PubmedArticle")
    rnd = random.Random(seed + 1)
    out.mkdir(parents=True, exist_ok=True)
    written = 0
    for f in range(0, n, per_file):
        root = etree.Element("PubmedArticleSet")
        for i in range(f, min(f + per_file, n)):
            art = copy.deepcopy(articles[i % len(articles)])
            art.find("MedlineCitation/PMID").text = str(first_pmid + i)
            for ident in art.iterfind("PubmedData/ArticleIdList/ArticleId"):
                if ident.get("IdType") == "pubmed":
                    ident.text = str(first_pmid + i)
            parts = art.findall("MedlineCitation/Article/Abstract/AbstractText")
            sentences = [s for p in parts for s in _SENT.split("".join(p.itertext()))]
            rnd.shuffle(sentences)
            per = max(1, len(sentences) // max(1, len(parts)))
            for k, part in enumerate(parts):
                for child in list(part):
                    part.remove(child)
                chunk = sentences[k * per:(k + 1) * per if k < len(parts) - 1 else None]
                part.text = " ".join(chunk)
            root.append(art)
        etree.ElementTree(root).write(str(out / f"pubmed-{f // per_file:05d}.xml"),
                                      xml_declaration=True, encoding="utf-8")
        written += min(per_file, n - f)
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("--labels", type=int, default=300, help="label records (default 300)")
    ap.add_argument("--abstracts", type=int, default=10000, help="PubMed records (10,000)")
    ap.add_argument("--per-file", type=int, default=5000, help="records per file")
    ap.add_argument("--original-share", type=float, default=0.3,
                    help="share of label clones marked original packager (default 0.3)")
    ap.add_argument("--seed", type=int, default=13,
                    help="random seed (another seed: other set ids, for a second corpus)")
    ap.add_argument("--first-pmid", type=int, default=90_000_000,
                    help="PMID of the first abstract (default 90,000,000; a second corpus "
                         "to add to the same store needs another range)")
    ap.add_argument("--out", required=True, help="folder to write (labels/, pubmed/)")
    args = ap.parse_args(argv)
    out = Path(args.out)
    n_labels = write_labels(out / "labels", args.labels, min(args.per_file, 1000),
                            args.original_share, args.seed)
    log(f"{n_labels:,} labels in {out / 'labels'}")
    n_abs = write_abstracts(out / "pubmed", args.abstracts, args.per_file, args.seed,
                           args.first_pmid)
    log(f"{n_abs:,} abstracts in {out / 'pubmed'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
