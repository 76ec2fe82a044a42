"""The records that readers produce and the store keeps.

A `Source` is one version of one document (a label version, a guideline version, a PubMed
record); a `Passage` is one citable unit of it (a label section, a recommendation, an
abstract part). Readers in `curbside.sources` yield `Source` objects; the store writes them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Literal

Tier = Literal["guideline", "label", "research", "regulatory"]
TIERS: tuple[str, ...] = ("guideline", "label", "research", "regulatory")
STATUSES: tuple[str, ...] = ("current", "superseded")


@dataclass
class Grade:
    """A recommendation's grade under a named scheme (e.g. CDC 2022: category B, type 3)."""

    scheme: str
    strength: str | None = None
    evidence: str | None = None


@dataclass
class Passage:
    """One citable unit of a source.

    `section` is the normalised code (openFDA vocabulary for labels, e.g. "boxed_warning";
    "recommendation" for guidelines; the abstract label for research, e.g. "results");
    `title` is the heading as printed ("5.1 Risks from Concomitant Use with Opioids").
    `facts` holds structured data a template may render (interaction partners, concerns).
    """

    section: str
    text: str
    title: str | None = None
    number: str | None = None
    grade: Grade | None = None
    about: list[str] = field(default_factory=list)
    concerns: list[str] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)


@dataclass
class Source:
    """One version of one document, with its provenance and passages.

    `key` identifies the document across versions (e.g. "setid:<uuid>", "pmid:123",
    "guideline:cdc-opioids-2022"); `version` orders versions of the same key.
    """

    key: str
    tier: str
    title: str
    passages: list[Passage]
    version: str | None = None
    issuer: str | None = None
    year: int | None = None
    published: str | None = None
    effective: str | None = None
    url: str | None = None
    identifiers: dict[str, str] = field(default_factory=dict)
    status: str = "current"
    superseded_by: str | None = None
    supersedes: str | None = None
    # Drug names (lower case generic) and class keys the document is about.
    drugs: list[str] = field(default_factory=list)
    classes: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def source_id(self) -> str:
        """Stable id of this version: the key plus the version when there is one."""
        return f"{self.key}@{self.version}" if self.version else self.key

    def content_hash(self) -> str:
        """Hash of everything that is content (not retrieval time), for idempotent ingest.

        "h2:" and a SHA-256 over the JSON of every field but the passages' text, then each
        text length-prefixed (so no two sources share a byte stream): the text no longer goes
        through the JSON encoder, which was a tenth of a label ingest. Stores written before
        carry `legacy_content_hash()`, which put_source compares with then.
        """
        fields = [self.key, self.tier, self.title, self.version, self.issuer, self.year,
                  self.published, self.effective, self.url, self.identifiers, self.drugs,
                  self.classes, self.meta, self.supersedes,
                  [[p.section, p.title, p.number,
                    p.grade and [p.grade.scheme, p.grade.strength, p.grade.evidence],
                    p.about, p.concerns, p.facts] for p in self.passages]]
        h = hashlib.sha256(json.dumps(fields, sort_keys=True, ensure_ascii=False,
                                      default=str).encode("utf-8", "surrogatepass"))
        h.update("".join(f"\x00{len(p.text)}:{p.text}" for p in self.passages)
                 .encode("utf-8", "surrogatepass"))
        return "h2:" + h.hexdigest()

    def legacy_content_hash(self) -> str:
        """The hash stores made before "h2:" (JSON of every field, sorted keys)."""
        body = {
            "key": self.key, "tier": self.tier, "title": self.title, "version": self.version,
            "issuer": self.issuer, "year": self.year, "published": self.published,
            "effective": self.effective, "url": self.url, "identifiers": self.identifiers,
            "drugs": self.drugs, "classes": self.classes, "meta": self.meta,
            "supersedes": self.supersedes,
            "passages": [{**p.__dict__, "grade": p.grade and p.grade.__dict__}
                         for p in self.passages],
        }
        raw = json.dumps(body, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@dataclass
class Deletion:
    """A reader's instruction to remove a document (PubMed `DeleteCitation`)."""

    key: str
