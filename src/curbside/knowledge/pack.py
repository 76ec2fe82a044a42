"""The starter knowledge pack: read its files, turn them into sources, load them.

Formats: docs/pack-format.md. Validation lives in `curbside.knowledge.validate`.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from curbside.knowledge import interaction_lists
from curbside.knowledge.lexicon import (
    PACK_DIR,
    add_drug,
    class_closure,
    load_vocabulary,
    vocabulary,
)
from curbside.model import Passage, Source
from curbside.store.sqlite import Store

SECTION_TITLES = {"boxed_warning": "Boxed Warning", "contraindications": "Contraindications",
                  "warnings": "Warnings and Precautions", "interactions": "Drug Interactions",
                  "dosage": "Dosage and Administration",
                  "missed_dose": "Dosage and Administration: Missed Dose",
                  "switching": "Dosage and Administration: Switching",
                  "renal": "Use in Specific Populations: Renal Impairment",
                  "hepatic": "Use in Specific Populations: Hepatic Impairment",
                  "pregnancy": "Pregnancy", "lactation": "Lactation",
                  "pediatric": "Pediatric Use", "geriatric": "Geriatric Use",
                  "food": "Drug Interactions: food and drink",
                  "disposal": "Storage and Disposal", "overdosage": "Overdosage"}
# Digest parts -> the openFDA section field a real label keeps that text under.
SECTION_CODES = {"boxed_warning": "boxed_warning", "contraindications": "contraindications",
                 "warnings": "warnings_and_cautions", "interactions": "drug_interactions",
                 "dosage": "dosage_and_administration",
                 "missed_dose": "dosage_and_administration",
                 "switching": "dosage_and_administration",
                 "renal": "use_in_specific_populations",
                 "hepatic": "use_in_specific_populations", "pregnancy": "pregnancy",
                 "lactation": "nursing_mothers", "pediatric": "pediatric_use",
                 "geriatric": "geriatric_use", "food": "drug_interactions",
                 "disposal": "storage_and_handling", "overdosage": "overdosage"}
DIGEST_PARTS = tuple(SECTION_CODES)


def _yaml(path: Path) -> Any:
    with open(path, encoding="utf-8") as fh:
        return yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@dataclass
class Pack:
    """The pack's items, as read from its files (not yet validated)."""

    version: str
    meta: dict[str, Any] = field(default_factory=dict)     # the rest of pack.yaml
    drugs: list[dict[str, Any]] = field(default_factory=list)
    interactions: list[dict[str, Any]] = field(default_factory=list)
    research: list[dict[str, Any]] = field(default_factory=list)
    guidelines: list[Source] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)    # item id -> file it came from


def read_pack(root: Path = PACK_DIR) -> Pack:
    """Read every pack file (raises on unreadable YAML/Markdown, naming the file)."""
    from curbside.sources import guideline

    head = _yaml(root / "pack.yaml")
    pack = Pack(version=str(head["version"]), meta=head)
    for path in sorted((root / "drugs").glob("*.yaml")):
        for item in _yaml(path) or []:
            pack.drugs.append(item)
            pack.files[f"label:{item.get('name')}"] = path.name
    if (root / "interactions.yaml").exists():
        pack.interactions = list(_yaml(root / "interactions.yaml") or [])
    if (root / "research.yaml").exists():
        pack.research = list(_yaml(root / "research.yaml") or [])
    for path in sorted((root / "guidelines").glob("*.md")):
        for src in guideline.read(io.BytesIO(path.read_bytes()), str(path)):
            if isinstance(src, Source):
                pack.guidelines.append(src)
                pack.files[src.key] = path.name
    return pack


def label_source(item: dict[str, Any]) -> Source:
    """A label digest as a label-tier source whose passages are its digest items."""
    label = item.get("label") or {}
    name = str(item["name"]).lower()
    passages: list[Passage] = []
    for part in DIGEST_PARTS:
        for entry in item.get(part) or []:
            with_ = [str(w).lower() for w in entry.get("with") or []]
            title = SECTION_TITLES[part]
            if with_:
                title = f"{title}: {', '.join(w.replace('_', ' ') for w in with_)}"
            facts: dict[str, Any] = {"with": with_, "severity": entry["severity"]} \
                if with_ else {}
            # A switching item names the drugs it is between (not an interaction).
            between = [str(w).lower() for w in entry.get("between") or []]
            if between:
                facts["between"] = between
            # Scope and plain wording travel with the item (curbside.answer.claims).
            facts.update({k: entry[k] for k in ("scope", "plain", "verified") if entry.get(k)})
            passages.append(Passage(section=SECTION_CODES[part], title=title,
                                    text=str(entry["text"]).strip(),
                                    about=[name, *with_, *between],
                                    concerns=list(entry.get("concerns") or []), facts=facts))
    date = str(label.get("date") or "") or None
    return Source(
        key=f"pack:label:{name}", tier="label",
        title=str(label.get("title") or f"{name} prescribing information"),
        passages=passages, version=date, issuer=label.get("issuer"),
        year=int(date[:4]) if date and date[:4].isdigit() else None, effective=date,
        url=label.get("url"),
        identifiers={k: str(v) for k, v in {"set_id": label.get("set_id")}.items() if v},
        drugs=[name], classes=class_closure(list(item.get("classes") or [])),
        meta={"digest": True, "verified": label.get("verified") or [],
              "brand_name": item.get("brands") or []})


def research_source(item: dict[str, Any], drug_names: set[str]) -> Source:
    """A research record as a research-tier source with one 'finding' passage."""
    about = [str(a).lower() for a in item.get("about") or []]
    ids = {k: str(item[k]) for k in ("pmid", "doi") if item.get(k)}
    url = (f"https://pubmed.ncbi.nlm.nih.gov/{ids['pmid']}/" if "pmid" in ids
           else f"https://doi.org/{ids['doi']}" if "doi" in ids else None)
    design = item.get("design")
    return Source(
        key=f"pack:research:{item['id']}", tier="research", title=str(item["title"]),
        passages=[Passage(section="finding", title=str(design or "Finding"),
                          text=str(item["finding"]).strip(), about=about,
                          concerns=list(item.get("concerns") or []))],
        issuer=item.get("journal"), year=item.get("year"), url=url, identifiers=ids,
        drugs=[a for a in about if a in drug_names],
        classes=[a for a in about if a in vocabulary()["classes"]],
        meta={"authors": item.get("authors") or [], "journal": item.get("journal"),
              "design": design, "population": item.get("population"),
              "verified": item.get("verified") or []})


def pack_sources(pack: Pack) -> Iterator[Source]:
    names = {str(d["name"]).lower() for d in pack.drugs}
    for item in pack.drugs:
        yield label_source(item)
    for g in pack.guidelines:
        about = [str(a).lower() for a in g.meta.get("about") or []]
        g.drugs = sorted({a for a in about if a in names} | set(g.drugs))
        g.classes = sorted({a for a in about if a in vocabulary()["classes"]} | set(g.classes))
        yield g
    for r in pack.research:
        yield research_source(r, names)


def resolve_ref(ref: str, by_key: dict[str, Source]) -> list[int] | None:
    """Positions of the passages a pack reference names in its source, or None if unknown."""
    kind, _, rest = ref.partition(":")
    target, _, anchor = rest.partition("#")
    key = {"label": f"pack:label:{target}", "research": f"pack:research:{target}",
           "guideline": f"guideline:{target}", "regulatory": f"guideline:{target}"}.get(kind)
    src = by_key.get(key or "")
    if src is None:
        return None
    if not anchor:
        return list(range(len(src.passages)))
    if anchor.startswith("interaction:"):
        partner = anchor.split(":", 1)[1].lower()
        found = [i for i, p in enumerate(src.passages) if partner in p.facts.get("with", [])]
    elif anchor.isdigit() or src.tier in ("guideline", "regulatory"):
        found = [i for i, p in enumerate(src.passages)
                 if p.number == anchor or (p.title or "").lower() == anchor.lower()]
    else:
        section = SECTION_CODES.get(anchor, anchor)
        found = [i for i, p in enumerate(src.passages) if p.section == section]
    return found or None


def load_pack(store: Store, pack: Pack | None = None, *, evidence: bool = True) -> dict[str, int]:
    """Load the lexicon (always) and, with `evidence`, the pack's sources and rules."""
    pack = pack or read_pack()
    load_vocabulary(store)
    counts = {"drugs": 0, "sources": 0, "rules": 0}
    with store.transaction():
        for item in pack.drugs:
            add_drug(store, str(item["name"]), class_closure(list(item.get("classes") or [])),
                     list(item.get("brands") or []), list(item.get("aliases") or []), "pack")
            counts["drugs"] += 1
        if not evidence:
            return counts
        by_key: dict[str, Source] = {}
        for src in pack_sources(pack):
            store.put_source(src, origin="pack")
            by_key[src.key] = src
            counts["sources"] += 1
        for src in interaction_lists.pack_sources():     # the ONC lists (issue 12)
            store.put_source(src, origin="pack")
            interaction_lists.register_names(store, src)
            counts["sources"] += 1
        for rule in pack.interactions:
            passage_ids: list[int] = []
            for ref in rule.get("sources") or []:
                positions = resolve_ref(str(ref), by_key) or []
                sid = by_key[_ref_key(str(ref))].source_id if positions else None
                for pos in positions:
                    row = store.db.execute("SELECT id FROM passages WHERE source_id = ? AND "
                                           "position = ?", (sid, pos)).fetchone()
                    if row and row[0] not in passage_ids:
                        passage_ids.append(row[0])
            store.db.execute(
                "INSERT OR REPLACE INTO interactions(id, side_a, side_b, severity, mechanism, "
                "consequence, management, concerns, sources) VALUES (?,?,?,?,?,?,?,?,?)",
                (rule["id"], json.dumps([str(x).lower() for x in rule["a"]]),
                 json.dumps([str(x).lower() for x in rule["b"]]), rule["severity"],
                 rule.get("mechanism"), rule.get("consequence"), rule.get("management"),
                 json.dumps(rule.get("concerns") or []), json.dumps(passage_ids)))
            counts["rules"] += 1
        store.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('pack_version', ?)",
                         (pack.version,))
    return counts


def _ref_key(ref: str) -> str:
    kind, _, rest = ref.partition(":")
    target = rest.partition("#")[0]
    return {"label": f"pack:label:{target}", "research": f"pack:research:{target}"}.get(
        kind, f"guideline:{target}")
