"""Pair findings: what the store says about each pair of the question's drugs (or classes).

For every pair (A, B) of a question's subjects, most severe first:

- **rules**: the pack's interaction rules that matched (`evidence.rule_matches`);
- **label digests**: pack label items of A that name B or one of B's classes (`facts.with`);
- **label text**: sentences of A's ingested labels that name B, one of B's classes or one of
  B's FDA pharmacologic classes (openFDA EPC/MoA names), in the boxed warning,
  contraindications, warnings (and precautions), drug interactions and patient counselling
  sections, verbatim and attributed with the section; and the same of B's labels for A;
- **interaction lists**: the ONC high-priority and non-interruptive lists (`sources/onc.py`),
  by their drug-level pairs (a class named in the question reaches a list interaction whose
  side is that class; a drug reaches it only by being listed).

Each finding carries one level of the severity scale (`knowledge/pack/severity.yaml`).
`place` is the one call site in composition: it adds the statements, the `interactions`
field and the gaps to an answer being composed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations
from typing import Any

import yaml

from curbside.answer.evidence import Evidence, RuleMatch, broad_classes, subject_terms
from curbside.answer.understand import Understanding
from curbside.knowledge.lexicon import PACK_DIR, display_name, vocabulary
from curbside.knowledge.pharm_classes import class_name
from curbside.store.labels import PACK_LABEL_IDS, choose_labels
from curbside.store.sqlite import Store, passage_row, source_row, state_stamp

# Label sections whose sentences count as interaction claims (openFDA field names).
LABEL_SECTIONS = ("boxed_warning", "contraindications", "warnings_and_cautions", "warnings",
                  "precautions", "drug_interactions", "information_for_patients")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z(•\-])")
_MAX_STATEMENT = 4000


@lru_cache(maxsize=1)
def scale() -> dict[str, Any]:
    """The severity scale (levels most severe first) and each source's mapping."""
    with open(PACK_DIR / "severity.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)  # type: ignore[no-any-return]


def rank(severity: str | None) -> int:
    """Position on the scale (0 = contraindicated); unknown or None sorts last."""
    levels = list(scale()["levels"])
    return levels.index(severity) if severity in levels else len(levels)


def severity_label(severity: str) -> str:
    return str(scale()["levels"].get(severity, {}).get("label", "Interaction"))


@dataclass
class Finding:
    """One thing a source says about a pair."""

    kind: str                        # "rule" | "pack_label" | "label" | "list"
    severity: str
    evidence: list[Evidence]         # the passages cited
    text: str | None = None          # the statement (None: composition already states it)
    section: str | None = None       # label section title, list interaction title
    owner: str | None = None         # for labels: whose label it is


@dataclass
class PairReport:
    a: str
    b: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def severity(self) -> str | None:
        return min((f.severity for f in self.findings), key=rank, default=None)


# --- finding ------------------------------------------------------------------------------

def check_pairs(store: Store, u: Understanding, rules: list[RuleMatch]) -> list[PairReport]:
    """Every pair of the question's subjects with its findings, most severe first."""
    subjects = u.subjects
    if len(subjects) < 2:
        return []
    index = _list_index(store)
    reports = []
    for (a, ea), (b, eb) in combinations(subjects, 2):
        rep = PairReport(a, b)
        rep.findings += [Finding("rule", str(r.rule["severity"]), r.support)
                         for r in rules if set(r.pair) == {a, b}]
        rep.findings += _pack_label_findings(store, a, b, eb) + _pack_label_findings(
            store, b, a, ea)
        # Two classes and no drug ("NSAIDs with a blood thinner"): answered from the
        # members' digests (issue 10's class_members), each scoped to one member's label.
        # A class beside a named drug keeps the drug's own evidence (and the class rules).
        if _is_class(a) and _is_class(b):
            for cls, other, eo in ((a, b, eb), (b, a, ea)):
                for member in u.class_members.get(cls, []):
                    rep.findings += _pack_label_findings(store, member, other, eo)
        rep.findings += _label_findings(store, (a, ea), (b, eb)) + _label_findings(
            store, (b, eb), (a, ea))
        rep.findings += _list_findings(store, index, (a, ea), (b, eb))
        rep.findings.sort(key=lambda f: rank(f.severity))
        reports.append(rep)
    return sorted(reports, key=lambda r: (rank(r.severity), not r.findings))


def _is_class(name: str) -> bool:
    return name in vocabulary()["classes"]


def _pack_label_findings(store: Store, a: str, b: str, eb: set[str]) -> list[Finding]:
    """Pack digest items of A's label whose `with` names B or one of its classes."""
    if _is_class(a):
        return []
    out = []
    rows = store.db.execute(
        "SELECT p.*, s.id AS sid FROM sources s JOIN passages p ON p.source_id = s.id "
        "WHERE s.key = ? AND s.origin = 'pack'", (f"pack:label:{a}",)).fetchall()
    for r in rows:
        row = passage_row(r)
        partners = set(row["facts"].get("with") or [])
        if partners & (eb - broad_classes() if not _is_class(b) else eb) or b in partners:
            src = _source(store, str(r["sid"]))
            ev = Evidence(row, src, row["text"], {a, b}, list(row["concerns"]), owner=a)
            out.append(Finding("pack_label", str(row["facts"].get("severity") or "listed"),
                               [ev], section=row.get("title"), owner=a))
    return out


def _source(store: Store, sid: str) -> dict[str, Any]:
    return source_row(store.db.execute("SELECT * FROM sources WHERE id = ?", (sid,)).fetchone())


def partner_terms(store: Store, name: str, ents: set[str]) -> list[str]:
    """Words that show a label sentence is about B: its names, its classes' names and the
    FDA pharmacologic class names on B's own labels ("HMG-CoA reductase inhibitors")."""
    terms = set(subject_terms(name, ents - broad_classes()))
    if not _is_class(name):
        # Its speaking label's classes (store/labels.py), not those of every label it has.
        chosen = choose_labels(store.db, [name]).get(name)
        # The pack's digests by their id range in source_drugs' (drug, source_id) index,
        # not by reading each of the drug's (possibly thousands of) labels.
        speaking = chosen.source_id if chosen else ""
        for (meta,) in store.db.execute(
                f"SELECT s.meta FROM source_drugs sd CROSS JOIN sources s ON s.id = sd.source_id "
                f"WHERE sd.drug = ? AND {PACK_LABEL_IDS} AND s.origin = 'pack' AND "
                f"s.status = 'current' UNION ALL SELECT meta FROM sources WHERE id = ? AND "
                f"tier = 'label' AND status = 'current'", (name, speaking)):
            m = json.loads(meta)
            for raw in (m.get("pharm_class_epc") or []) + (m.get("pharm_class_moa") or []):
                terms.update(_class_forms(class_name(raw)))
    return sorted((t for t in terms if len(t) > 3), key=len, reverse=True)


def _class_forms(cls: str) -> set[str]:
    """An EPC/MoA name as labels write it: singular and plural, 'CYP3A4' for the enzyme."""
    forms = {cls}
    short = re.sub(r"cytochrome p450 ", "cyp", cls)
    forms.add(short)
    for f in list(forms):
        forms.add(f[:-1] if f.endswith("s") else f + "s")
    return forms


@lru_cache(maxsize=512)
def _pattern(terms: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(re.escape(t) for t in terms)
                      + r")(?![a-z0-9])")


def _label_findings(store: Store, a: tuple[str, set[str]], b: tuple[str, set[str]]
                    ) -> list[Finding]:
    """Sentences of A's ingested, current labels that name B (or B's classes)."""
    name_a, _ = a
    name_b, eb = b
    if _is_class(name_a):
        return []
    terms = partner_terms(store, name_b, eb)
    if not terms:
        return []
    pattern = _pattern(tuple(terms))
    chosen = choose_labels(store.db, [name_a]).get(name_a)   # one label per drug
    if chosen is None:
        return []
    marks = ",".join("?" * len(LABEL_SECTIONS))
    rows = store.db.execute(
        f"SELECT p.*, s.id AS sid FROM sources s JOIN passages p ON p.source_id = s.id "
        f"WHERE s.id = ? AND p.section IN ({marks}) ORDER BY p.position",
        (chosen.source_id, *LABEL_SECTIONS)).fetchall()
    out = []
    for r in rows:
        body = str(r["text"])
        if not pattern.search(body.lower()):
            continue
        title = str(r["title"] or "")
        if title and body.startswith(title):
            body = body[len(title):].lstrip(" :.-")
        picked = [s.strip() for s in _SENTENCE.split(body)
                  if len(s) >= 20 and pattern.search(s.lower())]
        if not picked:
            continue
        row = passage_row(r)
        src = _source(store, str(r["sid"]))
        text = _join(picked)
        severity = label_severity(str(row["section"]), picked)
        ev = Evidence(row, src, text, {name_a, name_b}, [], extracted=True, owner=name_a)
        where = title or str(row["section"])
        out.append(Finding("label", severity, [ev], section=where, owner=name_a,
                           text=f"{severity_label(severity)} — {src['title']} — {where}: "
                                f"{text}"))
    return out


# Words that make a sentence about taking two drugs together (not, say, an allergy to a class).
_CO_USE = re.compile(r"concomitant|concurrent|co-?administ|combination|combined|together|"
                     r"taking|receiving|treated with|used? with|within \d+ (?:days|weeks)")


def label_severity(section: str, sentences: list[str]) -> str:
    """The scale's level for label sentences naming the other drug (severity.yaml)."""
    co_use = [s for s in sentences if _CO_USE.search(s.lower())]
    if co_use and (section == "contraindications"
                   or any("contraindicated" in s.lower() for s in co_use)):
        return "contraindicated"
    if co_use and section == "boxed_warning":
        return "major"
    return "listed"


def _join(sentences: list[str]) -> str:
    text = " … ".join(sentences)
    if len(text) > _MAX_STATEMENT:
        text = text[: _MAX_STATEMENT - 1].rsplit(" ", 1)[0] + "…"
    return text


# --- the interaction lists ------------------------------------------------------------------

_index_cache: dict[tuple[str, int, int], dict[str, Any]] = {}


def _list_index(store: Store) -> dict[str, Any]:
    """Pairs -> list passages, and class-level sides, for the store's current lists."""
    # Cached per store state (not inside a transaction, which may yet be rolled back).
    key = (str(store.path), *state_stamp(store.db))
    cache = not store.db.in_transaction
    if cache and key in _index_cache:
        return _index_cache[key]
    pairs: dict[frozenset[str], list[int]] = {}
    passages: dict[int, dict[str, Any]] = {}
    sources: dict[str, dict[str, Any]] = {}
    for r in store.db.execute(
            "SELECT p.*, s.id AS sid FROM passages p JOIN sources s ON s.id = p.source_id "
            "WHERE p.section = 'interaction_list' AND s.status = 'current'"):
        row = passage_row(r)
        passages[row["id"]] = row
        sid = str(r["sid"])
        if sid not in sources:
            sources[sid] = _source(store, sid)
        for a, b in row["facts"].get("pairs") or []:
            pairs.setdefault(frozenset((a, b)), []).append(row["id"])
    built = {"pairs": pairs, "passages": passages, "sources": sources}
    if cache:
        while len(_index_cache) >= 8:           # a few stores' lists kept
            del _index_cache[next(iter(_index_cache))]
        _index_cache[key] = built
    return built


def _side_has(facts: dict[str, Any], side: str, name: str, ents: set[str]) -> bool:
    if _is_class(name):
        return name in (facts.get(f"{side}_classes") or [])
    return name in (facts.get(side) or [])


def _list_findings(store: Store, index: dict[str, Any], a: tuple[str, set[str]],
                   b: tuple[str, set[str]]) -> list[Finding]:
    (na, ea), (nb, eb) = a, b
    ids = list(index["pairs"].get(frozenset((na, nb)), []))
    if _is_class(na) or _is_class(nb):     # a class named in the question: class-level sides
        for pid, row in index["passages"].items():
            f = row["facts"]
            if pid not in ids and ((_side_has(f, "object", na, ea)
                                    and _side_has(f, "precipitant", nb, eb))
                                   or (_side_has(f, "object", nb, eb)
                                       and _side_has(f, "precipitant", na, ea))):
                ids.append(pid)
    out = []
    for pid in ids:
        row = index["passages"][pid]
        src = index["sources"][row["source_id"]]
        facts = row["facts"]
        severity = str(facts.get("severity") or "listed")
        ev = Evidence(row, src, row["text"], {na, nb}, [])
        out.append(Finding("list", severity, [ev], text=_list_text(na, nb, row, src),
                           section=row.get("title")))
    return out


def _list_text(a: str, b: str, row: dict[str, Any], src: dict[str, Any]) -> str:
    facts = row["facts"]
    who = f"{display_name(a)} with {display_name(b)}"
    n = facts.get("number")
    where = f"interaction {n}, {str(row.get('title') or '').split(': ', 1)[-1]}" if n else \
        "its drug-level pairs"
    if facts.get("list") == "high_priority":
        text = (f"{severity_label('contraindicated')} — {who}: on the ONC high-priority "
                f"drug-drug interaction list ({where}), whose expert panel considered these "
                f"drugs contraindicated for concurrent use ({src.get('year')}).")
        if facts.get("consequence"):
            text += " " + str(facts["consequence"])
        return text
    return (f"{severity_label('minor')} — {who}: on the ONC list of low-priority interactions "
            f"that need not interrupt prescribing ({where}; {src.get('year')}).")


def plain_list_text(a: str, b: str, row: dict[str, Any]) -> str:
    """The list statement for patients."""
    who = f"{_cap(display_name(a))} and {display_name(b)}"
    if row["facts"].get("list") == "high_priority":
        return (f"{who} are on a US list of high-priority drug interactions: experts "
                "consider them not to be taken together.")
    return f"{who} are on a US list of minor drug interactions."


# --- composition: the one call site ---------------------------------------------------------

def any_findings(reports: list[PairReport] | None) -> bool:
    return bool(reports) and any(r.findings for r in reports or [])


def place(ans: dict[str, Any], reports: list[PairReport], cites: Any, audience: str,
          heading: dict[str, str]) -> None:
    """Add the pair findings to an answer being composed (before its references are made).

    Label-text and list statements go to the label and guideline sections (rules and digest
    items are already stated by composition); each interaction statement gets `severity`;
    `interactions` lists every pair, most severe first, with its findings' citations; pairs
    with nothing stored are named in `evidence_gaps`.
    """
    if not reports:
        return
    patient = audience == "patient"
    sections = {s["tier"]: s for s in ans["sections"]}
    added: dict[str, list[dict[str, Any]]] = {"label": [], "guideline": []}
    entries = []
    for rep in reports:
        found = []
        for f in rep.findings:
            stated = all(ev.pid in cites.numbers for ev in f.evidence)
            if f.kind == "pack_label" and not stated:   # a digest item composition left out
                ev = f.evidence[0]
                f.text = f"{ev.source['title']} — {f.section}: {ev.text}"
                if patient:     # the same item in plain words (issue 11)
                    from curbside.answer import plain
                    f.text = plain.statement(ev, ev.claims) or f.text
            nums = cites.cite(f.evidence)
            if f.text and not (f.kind == "pack_label" and stated):
                tier = "guideline" if f.kind == "list" else "label"
                text = (plain_list_text(rep.a, rep.b, f.evidence[0].passage)
                        if patient and f.kind == "list" else f.text)
                if not any(s["text"] == text for s in added[tier]):
                    added[tier].append({"text": text, "citations": nums,
                                        "severity": f.severity, "interaction": [rep.a, rep.b]})
            found.append({"kind": f.kind, "severity": f.severity, "citations": nums,
                          "section": f.section, "label_of": f.owner})
        entries.append({"drugs": [rep.a, rep.b], "severity": rep.severity, "findings": found})
    for tier, sts in added.items():
        if not sts:
            continue
        if tier not in sections:
            sections[tier] = {"tier": tier, "heading": heading[tier], "statements": []}
            ans["sections"].append(sections[tier])
        existing = sections[tier]["statements"]
        if tier == "label":
            _drop_covered(existing, sts)
        existing.extend(sts)
    order = {"guideline": 0, "label": 1, "research": 2}
    ans["sections"].sort(key=lambda s: order.get(s["tier"], 3))
    _mark_rule_severity(ans, reports, cites)
    ans["interactions"] = entries
    gaps = ans.setdefault("evidence_gaps", [])
    for rep in reports:
        if not rep.findings:
            gaps.append(f"The store holds no interaction information for "
                        f"{display_name(rep.a)} with {display_name(rep.b)}.")
    _summary_and_alerts(ans, reports, cites, patient)


def _drop_covered(existing: list[dict[str, Any]], new: list[dict[str, Any]]) -> None:
    """Drop label statements whose sentences a new label-text statement already carries."""
    keep = []
    for st in existing:
        body = _SENTENCE.split(st["text"].split(": ", 1)[-1].strip())[0][:120]
        if "severity" not in st and len(body) > 20 and any(
                set(st["citations"]) <= set(n["citations"]) and body in n["text"]
                for n in new):
            continue
        keep.append(st)
    existing[:] = keep


def _mark_rule_severity(ans: dict[str, Any], reports: list[PairReport], cites: Any) -> None:
    """Give the statements composition wrote for rules and digest items their severity."""
    cited: dict[tuple[int, ...], str] = {}
    for rep in reports:
        for f in rep.findings:
            if f.kind in ("rule", "pack_label"):
                cited[tuple(cites.cite(f.evidence))] = f.severity
    for sec in ans["sections"]:
        for st in sec["statements"]:
            sev = cited.get(tuple(st.get("citations") or []))
            if sev and "severity" not in st:
                st["severity"] = sev


def _summary_and_alerts(ans: dict[str, Any], reports: list[PairReport], cites: Any,
                        patient: bool) -> None:
    """A bottom line for the most severe pair when no rule gave one; contraindication alerts."""
    top = reports[0]
    if not top.findings:
        return
    has_rule = any(f.kind == "rule" for f in top.findings)
    summary = [s for s in ans["summary"] if s.get("text") and s.get("citations")]
    # Composition's bottom line stays first unless it has none, or the pair is contraindicated
    # by a source no rule restates (a screen would stop the order there).
    if not has_rule and (not summary or top.severity == "contraindicated"):
        f = top.findings[0]
        a, b = display_name(top.a), display_name(top.b)
        if patient:
            text = f"{a[:1].upper() + a[1:]} and {b}: {scale()['levels'][f.severity]['plain']}."
        elif f.kind == "list":
            text = (f"{a[:1].upper() + a[1:]} and {b}: {severity_label(f.severity).lower()} "
                    f"({f.evidence[0].source['title']}).")
        else:
            text = (f"{a[:1].upper() + a[1:]} and {b}: {severity_label(f.severity).lower()} "
                    f"({f.evidence[0].source['title']}, {f.section}).")
        summary.insert(0, {"text": text, "citations": cites.cite(f.evidence)})
    ans["summary"] = summary[:3]
    said = {a["text"] for a in ans["alerts"]}
    for rep in reports:   # only a list says "contraindicated for concurrent use" outright
        if any(f.kind == "list" and f.severity == "contraindicated" for f in rep.findings) \
                and not any(f.kind == "rule" for f in rep.findings):
            text = (f"{_cap(display_name(rep.a))} with {display_name(rep.b)}: "
                    f"listed as contraindicated for concurrent use.")
            if text not in said:
                ans["alerts"].append({"kind": "contraindicated", "text": text})


def _cap(text: str) -> str:
    """First letter upper case, the rest as written ('MAO inhibitors' stays)."""
    return text[:1].upper() + text[1:]
