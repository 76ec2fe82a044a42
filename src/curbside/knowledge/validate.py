"""`curbside pack validate`: the pack is only as good as these checks.

Schema of every item, unique ids, every reference resolves, every item has provenance, no
alias meaning two drugs, and (given the files) coverage of the whole ONC high-priority list
(every pair held by the pack's copy of the list, both names known; how many a rule or label
digest also covers) and of a question set's drugs.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from typing import Any

from curbside.errors import CurbsideError
from curbside.knowledge.lexicon import class_closure, vocabulary
from curbside.knowledge.pack import Pack, pack_sources, read_pack, resolve_ref

SEVERITIES = {"contraindicated", "major", "moderate"}


def validate_pack(pack: Pack | None = None, *, onc_csv: str | None = None,
                  questions: str | None = None) -> dict[str, Any]:
    """Every problem found in the pack (an empty list means it is valid)."""
    problems: list[str] = []
    notes: list[str] = []      # worth knowing, not wrong: e.g. tags the lexicon lacks
    try:
        pack = pack or read_pack()
    except (CurbsideError, OSError, ValueError) as e:
        return {"version": None, "counts": {}, "problems": [f"cannot read the pack: {e}"]}
    classes = set(vocabulary()["classes"])
    concerns = set(vocabulary()["concerns"])
    names = [str(d.get("name", "")).lower() for d in pack.drugs]
    name_set = set(names)
    known = name_set | classes

    for key, spec in vocabulary()["classes"].items():
        for n in (spec or {}).get("not_members") or []:
            if str(n) not in name_set:
                problems.append(f"class {key}: not_members names {n!r}, which is no pack drug")
    for dup in sorted({n for n in names if names.count(n) > 1}):
        problems.append(f"drug {dup!r} appears more than once")
    from curbside.answer.claims import validate_scope
    from curbside.answer.intents import validate_intent_evidence

    problems += validate_scope() + validate_intent_evidence()
    aliases: dict[str, set[str]] = defaultdict(set)
    for d in pack.drugs:
        problems += _check_drug(d, classes, concerns)
        for a in [*(d.get("brands") or []), *(d.get("aliases") or [])]:
            aliases[str(a).lower()].add(str(d.get("name")).lower())
    for a, owners in sorted(aliases.items()):
        if len(owners) > 1:
            problems.append(f"alias {a!r} maps to more than one drug: {sorted(owners)}")
        if a in name_set and owners != {a}:
            problems.append(f"alias {a!r} of {sorted(owners)} is also a drug's own name")

    by_key = {s.key: s for s in pack_sources(pack)}
    for g in pack.guidelines:
        if not g.meta.get("verified"):
            problems.append(f"guideline {g.key}: no 'verified' URLs")
        if not g.url:
            problems.append(f"guideline {g.key}: no url")
        for p in g.passages:
            problems += [f"guideline {g.key} {p.title}: unknown concern {c!r}"
                         for c in p.concerns if c not in concerns]
            notes += [f"guideline {g.key} {p.title}: 'about' names {a!r}, not in the lexicon"
                      for a in p.about if a.lower() not in known and not _alias(a, aliases)]
        if g.supersedes and g.supersedes not in by_key and \
                f"guideline:{g.supersedes}" not in by_key:
            problems.append(f"guideline {g.key}: supersedes unknown {g.supersedes!r}")

    ids = [str(r.get("id")) for r in pack.research]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(f"research id {dup!r} appears more than once")
    for r in pack.research:
        problems += _check_research(r, concerns)
        notes += [f"research {r.get('id')!r}: 'about' names {a!r}, not in the lexicon"
                  for a in r.get("about") or []
                  if str(a).lower() not in known and not _alias(str(a), aliases)]

    rule_ids = [str(r.get("id")) for r in pack.interactions]
    for dup in sorted({i for i in rule_ids if rule_ids.count(i) > 1}):
        problems.append(f"interaction rule {dup!r} appears more than once")
    for r in pack.interactions:
        where = f"interaction rule {r.get('id')}"
        for k in ("id", "a", "b", "severity", "consequence", "sources"):
            if not r.get(k):
                problems.append(f"{where}: missing {k!r}")
        if r.get("severity") not in SEVERITIES:
            problems.append(f"{where}: severity must be one of {sorted(SEVERITIES)}")
        for side in ("a", "b"):
            problems += [f"{where}: side {side} names unknown {x!r}"
                         for x in r.get(side) or [] if str(x).lower() not in known]
        problems += [f"{where}: reference {ref!r} does not resolve"
                     for ref in r.get("sources") or [] if resolve_ref(str(ref), by_key) is None]

    problems += _check_slang(name_set) + _check_products()
    coverage: dict[str, Any] = {}
    if onc_csv:
        found, onc_problems, onc_notes = onc_coverage(pack, onc_csv)
        coverage.update(found)
        problems += onc_problems
        notes += onc_notes
    if questions:
        with open(questions, encoding="utf-8") as fh:
            wanted = {d for line in fh if line.strip() for d in json.loads(line)["drugs"]}
        lost = sorted(wanted - name_set)
        coverage["question_drugs_missing"] = lost
        problems += [f"question-set drug without a label digest: {d}" for d in lost]
    counts = {"drugs": len(pack.drugs), "guidelines": len(pack.guidelines),
              "research": len(pack.research), "interaction_rules": len(pack.interactions)}
    return {"version": pack.version, "counts": counts, "coverage": coverage,
            "problems": problems, "notes": notes}


def _check_slang(drugs: set[str]) -> list[str]:
    """Every street name maps to pack drugs and names sources that are listed."""
    slang = vocabulary()["slang"]
    sources = set(slang.get("sources") or {})
    out = []
    for phrase, spec in (slang.get("names") or {}).items():
        out += [f"slang {phrase!r}: unknown drug {d!r}" for d in spec.get("drugs") or []
                if d not in drugs]
        if not spec.get("drugs"):
            out.append(f"slang {phrase!r}: no drugs")
        if not spec.get("sources") or set(spec["sources"]) - sources:
            out.append(f"slang {phrase!r}: sources must be keys of 'sources'")
    return out


def _check_products() -> list[str]:
    """Every product name (products.yaml) names sources that are listed (names only: its
    drugs need not be pack drugs, as for vaccines)."""
    products = vocabulary()["products"]
    sources = products.get("sources") or {}
    out = [f"product source {k!r}: not a URL" for k, url in sources.items()
           if not str(url).startswith("https://")]
    for name, spec in (products.get("names") or {}).items():
        if not spec.get("sources") or set(spec["sources"]) - set(sources):
            out.append(f"product {name!r}: sources must be keys of 'sources'")
    return out


def _alias(name: str, aliases: dict[str, set[str]]) -> bool:
    return name.lower() in aliases


def _check_drug(d: dict[str, Any], classes: set[str], concerns: set[str]) -> list[str]:
    out = []
    name = d.get("name")
    where = f"drug {name!r}"
    if not name or str(name) != str(name).lower():
        out.append(f"{where}: name must be a lower-case generic name")
    label = d.get("label") or {}
    if not label.get("verified"):
        out.append(f"{where}: label has no 'verified' URLs")
    if not (label.get("set_id") or label.get("url")):
        out.append(f"{where}: label has neither set_id nor url")
    out += [f"{where}: unknown class {c!r}" for c in d.get("classes") or [] if c not in classes]
    from curbside.answer.claims import scope_rules
    from curbside.knowledge.pack import DIGEST_PARTS

    conditions = set(scope_rules()["conditions"])
    for part in DIGEST_PARTS:
        for i, item in enumerate(d.get(part) or []):
            if not isinstance(item, dict) or not str(item.get("text") or "").strip():
                out.append(f"{where}: {part}[{i}] has no text")
                continue
            scope = item.get("scope") or {}
            if not isinstance(scope, dict) or set(scope) - {"when"}:
                out.append(f"{where}: {part}[{i}] scope must be a mapping with 'when'")
            else:
                out += [f"{where}: {part}[{i}] unknown scope condition {c!r}"
                        for c in scope.get("when") or [] if c not in conditions]
            if "plain" in item and not str(item.get("plain") or "").strip():
                out.append(f"{where}: {part}[{i}] has an empty 'plain' text")
            if part not in ("boxed_warning", "contraindications", "warnings",
                            "interactions") and not item.get("verified"):
                out.append(f"{where}: {part}[{i}] has no 'verified' URL")
            out += [f"{where}: {part}[{i}] unknown concern {c!r}"
                    for c in item.get("concerns") or [] if c not in concerns]
            if part == "interactions":
                if not item.get("with"):
                    out.append(f"{where}: interactions[{i}] has no 'with'")
                if item.get("severity") not in SEVERITIES:
                    out.append(f"{where}: interactions[{i}] severity must be one of "
                               f"{sorted(SEVERITIES)}")
    return out


def _check_research(r: dict[str, Any], concerns: set[str]) -> list[str]:
    where = f"research {r.get('id')!r}"
    out = [f"{where}: missing {k!r}" for k in ("id", "title", "year", "design", "finding")
           if not r.get(k)]
    if not (r.get("pmid") or r.get("doi")):
        out.append(f"{where}: needs a PMID or a DOI")
    if r.get("pmid") and not str(r["pmid"]).isdigit():
        out.append(f"{where}: PMID {r['pmid']!r} is not a number")
    if r.get("doi") and not str(r["doi"]).startswith("10."):
        out.append(f"{where}: DOI {r['doi']!r} does not start with '10.'")
    if not r.get("verified"):
        out.append(f"{where}: no 'verified' URLs")
    out += [f"{where}: unknown concern {c!r}" for c in r.get("concerns") or [] if c not in concerns]
    return out


def onc_coverage(pack: Pack, onc_csv: str) -> tuple[dict[str, int], list[str], list[str]]:
    """Every pair of the ONC high-priority CSV: held by the pack's copy of the list, both
    names known to the lexicon; and how many a rule or label digest also covers."""
    from curbside.sources import onc

    problems: list[str] = []
    notes: list[str] = []
    try:
        with open(onc_csv, "rb") as fh:
            raw = onc.read_pairs(fh.read(), onc_csv)
        listed = onc.pack_list("high_priority")
    except (CurbsideError, OSError) as e:
        return {}, [f"cannot check the ONC list: {e}"], []
    pairs = sorted({tuple(sorted(p)) for p in raw})
    held = {frozenset(p) for it in listed["interactions"] for p in it["pairs"]}
    known = {str(d.get("name", "")).lower() for d in pack.drugs} | {
        d for it in listed["interactions"] for d in it["object"] + it["precipitant"]}
    for a, b in pairs:
        if frozenset((a, b)) not in held:
            problems.append(f"ONC high-priority pair not in the pack's copy of the list: "
                            f"{a} + {b} (run scripts/onc_data.py)")
        problems += [f"ONC drug not in the lexicon: {x}" for x in (a, b) if x not in known]
    excused = {frozenset(e["pair"]): e["why"] for e in pack.meta.get("onc_exceptions") or []}
    list_only = onc_missing(pack, onc_csv)
    for a, b in list_only:
        why = excused.get(frozenset((a, b)))
        if why:
            notes.append(f"ONC pair {a} + {b}: only the list covers it (documented): {why}")
    answered = len(pairs) - sum(1 for p in problems if "not in the pack's copy" in p)
    return ({"onc_pairs": len(pairs), "onc_pairs_answered": answered,
             "onc_pairs_missing": len(pairs) - answered,
             "onc_pairs_list_only_among_pack_drugs": len(list_only)}, problems, notes)


def onc_missing(pack: Pack, onc_csv: str) -> list[tuple[str, str]]:
    """ONC high-priority drug pairs, both of whose drugs the pack knows, with no rule or
    label interaction linking them (by drug name or class)."""
    drugs = {str(d["name"]).lower(): set(class_closure(list(d.get("classes") or [])))
             | {str(d["name"]).lower()} for d in pack.drugs}
    links: list[tuple[set[str], set[str]]] = []
    for r in pack.interactions:
        links.append(({str(x).lower() for x in r["a"]}, {str(x).lower() for x in r["b"]}))
    for d in pack.drugs:
        for it in d.get("interactions") or []:
            links.append(({str(d["name"]).lower()}, {str(x).lower() for x in it.get("with") or []}))
    missing = []
    from curbside.sources.onc import name

    with open(onc_csv, encoding="utf-8-sig", errors="replace") as fh:
        for row in csv.reader(fh, delimiter="$"):
            if len(row) < 3:
                continue
            a, b = name(row[0]), name(row[2])
            if a not in drugs or b not in drugs or (a, b) in missing or (b, a) in missing:
                continue
            ea, eb = drugs[a], drugs[b]
            if not any((x & ea and y & eb) or (x & eb and y & ea) for x, y in links):
                missing.append((a, b))
    return missing
