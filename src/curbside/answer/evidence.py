"""Evidence selection: the stored passages that answer this drug set and intent, per tier.

Two kinds of passage reach here: pack items (short, in our words, tagged with the drugs,
classes and concerns they are about) and ingested documents (real label sections, PubMed
abstracts), from which the sentences naming the question's drugs are extracted verbatim.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from curbside.answer import intents as intent_map
from curbside.answer.claims import Claim, split_claims
from curbside.answer.understand import Understanding
from curbside.knowledge.lexicon import vocabulary
from curbside.search.lexical import search
from curbside.store.labels import PACK_LABEL_IDS, choose_labels
from curbside.store.sqlite import Store, passage_row, source_row

SAFETY_SECTIONS = ("boxed_warning", "contraindications", "warnings_and_cautions", "warnings",
                   "drug_interactions", "precautions", "drug_abuse_and_dependence",
                   "overdosage", "use_in_specific_populations", "geriatric_use")
SECTION_RANK = {s: i for i, s in enumerate(SAFETY_SECTIONS)}
INTENT_CONCERNS = {
    "discontinuation": ["dependence", "seizure", "abuse"],
    "older_adults": ["falls", "cognitive", "sedation"],
    "overdose": ["resp", "death", "sedation", "coma"],
    "pregnancy": ["pregnancy", "neonatal"],
    "lactation": ["pregnancy", "neonatal"],
    "pregnancy_lactation": ["pregnancy", "neonatal"],     # the id before 0.2 (issue 10)
    "monitoring": ["inr", "qt", "hyperk", "lithiumtox", "theotox"],
}
POPULATION_CONCERNS = {"older_adult": ["falls", "cognitive", "sedation"],
                       "pregnancy": ["pregnancy", "neonatal"],
                       "respiratory_disease": ["resp", "bronchospasm"]}
MAX_RULE_CITATIONS = 4
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z(•\-])")


@dataclass
class Evidence:
    """One passage chosen for the answer, with what the answer will say of it."""

    passage: dict[str, Any]
    source: dict[str, Any]
    text: str                       # what the statement says (pack text or extracted sentences)
    subjects: set[str]              # question subjects it is about
    concerns: list[str]
    score: float = 0.0
    extracted: bool = False         # True when `text` is sentences taken from a real document
    matched: set[str] = field(default_factory=set)   # the question's names it is tagged with
    specific: int = 0               # subjects it names directly (not only via a broad class)
    owner: str | None = None        # for a label: the asked drug whose label it is

    @property
    def tier(self) -> str:
        return str(self.source["tier"])

    @property
    def claims(self) -> list[Claim]:
        """The sentences this evidence says, each with its scope (computed once)."""
        cached = self.__dict__.get("_claims")
        if cached is None:
            facts = self.passage.get("facts") or {}
            about = tuple(sorted(set(self.passage.get("about") or []) | self.subjects))
            given = None if self.extracted else tuple(self.concerns)
            cached = split_claims(self.text, pid=self.pid, about=about, concerns=given,
                                  scope=facts.get("scope"))
            self.__dict__["_claims"] = cached
        return cached

    @property
    def section(self) -> str:
        return str(self.passage.get("section") or "")

    @property
    def pid(self) -> int:
        return int(self.passage["id"])


def subject_terms(name: str, entities: set[str]) -> list[str]:
    """Words that show a raw text is about this subject: its names and its class names."""
    classes = vocabulary()["classes"]
    terms = {name}
    for e in entities:
        spec = classes.get(e)
        if spec:
            terms.update(a.lower() for a in spec.get("aliases") or [] if len(a) > 3)
        else:
            terms.add(e)
    terms.discard("drinking")
    return sorted(terms, key=len, reverse=True)


@lru_cache(maxsize=512)
def _terms_pattern(terms: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"(?<![a-z])(?:" + "|".join(re.escape(t) for t in terms) + r")(?![a-z])")


def mentions(text: str, terms: list[str]) -> bool:
    """Whether `text` names any of `terms` as whole words (case-insensitive)."""
    return bool(terms) and _terms_pattern(tuple(terms)).search(text.lower()) is not None


def detect_concerns(text: str) -> list[str]:
    low = text.lower()
    return [k for k, spec in vocabulary()["concerns"].items()
            if any(t in low for t in spec.get("terms") or [])]


def wanted_concerns(u: Understanding) -> set[str]:
    """The concerns the question's intents and populations ask about (may be empty)."""
    return ({c for i in u.intents for c in INTENT_CONCERNS.get(i, [])}
            | {c for p in u.populations for c in POPULATION_CONCERNS.get(p, [])})


def gather(store: Store, u: Understanding, topic: set[str] | None = None) -> list[Evidence]:
    """Every candidate passage for the question, scored; callers pick per tier.

    `topic` adds concerns the answer is about (those of the matching interaction rules)."""
    subjects = u.subjects
    if not subjects:
        return []
    wanted = set(topic or ()) | wanted_concerns(u)
    out: dict[int, Evidence] = {}
    _tagged(store, u, subjects, wanted, out)
    _label_documents(store, subjects, wanted, out,
                     intent_map.asked(u.intents, u.populations), _member_of(u))
    _research_documents(store, subjects, out)
    return sorted(out.values(), key=lambda e: -e.score)


def _sources(store: Store, ids: set[str]) -> dict[str, dict[str, Any]]:
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    return {r["id"]: source_row(r) for r in store.db.execute(
        f"SELECT * FROM sources WHERE id IN ({marks})", sorted(ids))}


def broad_classes() -> set[str]:
    """Classes that are parents of others (CNS depressants, ...): weak evidence of topic."""
    return {p for spec in vocabulary()["classes"].values() for p in spec.get("parents") or []}


def _score(ev: Evidence, n_subjects: int, wanted: set[str], populations: list[str],
           specific: int | None = None) -> None:
    """Rank: subjects covered (specifically, not only through a broad parent class),
    concerns the intent asks about, section weight, currency, population fit."""
    specific = len(ev.subjects) if specific is None else specific
    ev.specific = specific
    s = 10.0 * specific + 4.0 * (len(ev.subjects) - specific)
    if n_subjects > 1 and specific >= 2:
        s += 30
    s += 4.0 * len(wanted & set(ev.concerns))
    s += 6.0 - min(SECTION_RANK.get(str(ev.passage["section"]), 8), 8) * 0.6
    if ev.source["status"] != "current":
        s -= 15
    if ev.tier == "label":
        s += 6      # the asked drug's own label outranks class-level communications
    # The more a passage is about things the question did not name, the less it answers it.
    s -= 0.5 * len(set(ev.passage.get("about") or []) - ev.matched)
    # Older-adult criteria are shown only for older-adult questions (compose.pick).
    if "older_adult" in populations and "geriatric" in str(ev.source.get("issuer") or "").lower():
        s += 12
    ev.score = s


def _tagged(store: Store, u: Understanding, subjects: list[tuple[str, set[str]]],
            wanted: set[str], out: dict[int, Evidence]) -> None:
    """Pack passages tagged with any subject's drug or class names."""
    tags = sorted({t for _, ents in subjects for t in ents})
    marks = ",".join("?" * len(tags))
    rows = [passage_row(r) for r in store.db.execute(
        f"SELECT DISTINCT p.* FROM passage_tags t JOIN passages p ON p.id = t.passage_id "
        f"WHERE t.tag IN ({marks})", tags)]
    # The asked drugs' own digests, whole: an item may name the other drug in its text only.
    names = sorted(d.name for d in u.drugs)
    if names:
        seen = {r["id"] for r in rows}
        dm = ",".join("?" * len(names))
        rows += [r for r in (passage_row(x) for x in store.db.execute(
            f"SELECT p.* FROM source_drugs sd CROSS JOIN sources s ON s.id = sd.source_id "
            f"JOIN passages p ON p.source_id = s.id WHERE sd.drug IN ({dm}) AND "
            f"{PACK_LABEL_IDS} AND s.origin = 'pack' AND s.tier = 'label'", names))
            if r["id"] not in seen]
    terms = {name: subject_terms(name, ents - broad_classes()) for name, ents in subjects}
    # A label digest is about its own drug even where an item does not repeat the name.
    srcs = _sources(store, {r["source_id"] for r in rows})
    asked = {d.name for d in u.drugs}
    broad = broad_classes()
    for r in rows:
        src = srcs[r["source_id"]]
        about = set(r["about"])
        own: set[str] = set()
        if src["tier"] == "label":
            # A label speaks for its own drug: another drug's label is never cited for ours.
            own = _source_drugs(store, src["id"])
            if not own & asked:
                continue
            about |= own
        named = {name for name, _ in subjects if name not in about and mentions(r["text"],
                                                                               terms[name])}
        subj = {name for name, ents in subjects if about & ents} | named
        if not subj:
            continue
        specific = sum(1 for name, ents in subjects if about & (ents - broad)) + len(named)
        ev = Evidence(r, src, r["text"], subj, list(r["concerns"]) or detect_concerns(r["text"]),
                      matched=about & set(tags),
                      owner=min(own & asked) if src["tier"] == "label" else None)
        _score(ev, len(subjects), wanted, u.populations, specific)
        out[ev.pid] = ev


def _source_drugs(store: Store, sid: str) -> set[str]:
    return {r[0] for r in store.db.execute(
        "SELECT drug FROM source_drugs WHERE source_id = ?", (sid,))}


def _member_of(u: Understanding) -> dict[str, str]:
    """Member drug -> the class the question named, for classes named beside another
    subject (issue 10: a class is answered from its members' labels)."""
    if len(u.subjects) < 2:
        return {}
    named = {n for n, _ in u.subjects}
    return {m: c for c, ms in u.class_members.items() if c in named for m in ms
            if m not in named}


def _label_documents(store: Store, subjects: list[tuple[str, set[str]]], wanted: set[str],
                     out: dict[int, Evidence],
                     asked: list[intent_map.IntentSpec] | None = None,
                     members: dict[str, str] | None = None) -> None:
    """Ingested labels of the question's drugs (and of the members of a class it names
    beside another subject): sentences naming another subject, or, for a question with a
    specific intent (missed dose, renal dosing, ...), the sentences of the sections that
    intent maps to which speak to it (verbatim)."""
    asked = asked or []
    intent_sections = {f for spec in asked for f in spec.label}
    members = members or {}
    drug_names = [name for name, ents in subjects if name in ents and name not in
                  vocabulary()["classes"]] + sorted(members)
    if not drug_names:
        return
    # One label per drug: the one store/labels.py chooses (of possibly hundreds).
    chosen = choose_labels(store.db, drug_names)
    if not chosen:
        return
    # The chosen labels' passages by source id (the source_drugs index has hundreds of
    # labels per drug at scale), then one row per drug the label speaks for.
    speaks: dict[str, list[str]] = {}
    for c in chosen.values():
        speaks.setdefault(c.source_id, []).append(c.drug)
    marks = ",".join("?" * len(speaks))
    rows = [passage_row(r) | {"subject": drug} for r in store.db.execute(
        f"SELECT p.* FROM passages p WHERE p.source_id IN ({marks}) "
        f"ORDER BY p.source_id, p.position", sorted(speaks))
        for drug in speaks[r["source_id"]]]
    srcs = _sources(store, {r["source_id"] for r in rows})
    terms = {name: subject_terms(name, ents) for name, ents in subjects}
    for r in rows:
        if r["section"] not in SECTION_RANK and r["section"] not in intent_sections:
            continue
        owner = str(r["subject"])
        own = members.get(owner, owner)       # a member's label speaks for its class
        others = [name for name, _ in subjects if name != own]
        picked: list[str] = []
        subj = {own}
        body = str(r["text"])
        title = str(r.get("title") or "")
        if title and body.startswith(title):
            body = body[len(title):].lstrip(" :.-")     # the heading is shown as the section
        specs = [spec for spec in asked if r["section"] in spec.label]
        for sent in _SENTENCE.split(body):
            if len(sent) < 25:
                continue
            hit = [o for o in others if mentions(sent, terms[o])]
            if specs and (not others or any(spec.key == "switching" for spec in specs)):
                # A subsection titled for the ask ("2.2 Missed Dose") answers it whole.
                relevant = any(spec.says(sent) or spec.says(title) for spec in specs)
            elif asked and not others:
                relevant = False    # one drug, a specific ask this section does not answer
            else:
                relevant = bool(hit) or (not others and bool(
                    set(detect_concerns(sent)) & wanted or r["section"] == "boxed_warning"))
            if relevant:
                subj.update(hit)
                picked.append(sent.strip())
            if len(picked) >= (3 if specs else 2):
                break
        if not picked:
            continue
        text = " ".join(picked)
        if len(text) > 600:
            text = text[:597].rsplit(" ", 1)[0] + "…"
        src = srcs[r["source_id"]]
        ev = Evidence(r, src, text, subj, detect_concerns(text), extracted=True, owner=owner)
        _score(ev, len(subjects), wanted, [])
        out[ev.pid] = ev


def _research_documents(store: Store, subjects: list[tuple[str, set[str]]],
                        out: dict[int, Evidence]) -> None:
    """Ingested research (PubMed) whose abstracts name the question's subjects."""
    terms = {name: subject_terms(name, ents) for name, ents in subjects}
    query = " ".join(name for name, _ in subjects) + " " + " ".join(
        t for ts in terms.values() for t in ts[:3])
    hits = search(store, query, tier="research", limit=40)
    hits = [h for h in hits if not h.source_id.startswith("pack:")]
    if not hits:
        return
    rows = store.passages_by_ids([h.passage_id for h in hits])
    srcs = _sources(store, {r["source_id"] for r in rows.values()})
    for h in hits:
        r = rows[h.passage_id]
        subj = {name for name, _ in subjects if mentions(r["text"], terms[name])}
        if len(subj) < min(2, len(subjects)):
            continue
        sents = [s for s in _SENTENCE.split(r["text"]) if any(
            mentions(s, terms[n]) for n in subj)][:2]
        text = " ".join(sents) or r["text"][:400]
        ev = Evidence(r, srcs[r["source_id"]], text, subj, detect_concerns(text), extracted=True)
        ev.score = 5.0 * len(subj) + min(h.score, 20) / 4
        out.setdefault(ev.pid, ev)


@dataclass
class RuleMatch:
    """An interaction rule that matches two subjects, with the passages behind it."""

    rule: dict[str, Any]
    pair: tuple[str, str]
    support: list[Evidence]

    @property
    def concerns(self) -> list[str]:
        return list(self.rule["concerns"])


def rule_matches(store: Store, u: Understanding) -> list[RuleMatch]:
    """Matching rules whose cited passages are in the store (a rule without any is dropped)."""
    out = []
    for rule in matching_rules(store, u):
        rows = store.passages_by_ids(list(rule["sources"]))
        srcs = _sources(store, {r["source_id"] for r in rows.values()})
        support = [Evidence(rows[i], srcs[rows[i]["source_id"]], rows[i]["text"],
                            set(rule["pair"]), list(rows[i]["concerns"]))
                   for i in rule["sources"] if i in rows]
        # A whole-document reference names every passage; cite those that state the
        # rule's concerns (all of them when none does).
        stating = [e for e in support if set(e.concerns) & set(rule["concerns"])]
        support = (stating or support)[:MAX_RULE_CITATIONS]
        if support:
            out.append(RuleMatch(rule, rule["pair"], support))
    return out


def matching_rules(store: Store, u: Understanding) -> list[dict[str, Any]]:
    """Interaction rules whose two sides match two different subjects of the question."""
    subjects = u.subjects
    if len(subjects) < 2:
        return []
    found = []
    for r in store.db.execute("SELECT * FROM interactions"):
        a, b = set(json.loads(r["side_a"])), set(json.loads(r["side_b"]))
        pairs = [(x, y) for x, ex in subjects for y, ey in subjects
                 if x != y and a & ex and b & ey]
        if pairs:
            rule = dict(r) | {"pair": pairs[0], "concerns": json.loads(r["concerns"]),
                              "sources": json.loads(r["sources"])}
            found.append(rule)
    order = {"contraindicated": 0, "major": 1, "moderate": 2}
    return sorted(found, key=lambda r: order.get(r["severity"], 3))
