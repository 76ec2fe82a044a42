"""Request and response models of the REST API (they make /openapi.json).

Responses mirror the `curbside.answer/1` contract in DESIGN.md; extra fields are allowed,
because the contract lets fields be added.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Audience = Literal["clinician", "pharmacist", "nurse", "student", "patient"]
Tier = Literal["guideline", "label", "research"]
SourceTier = Literal["guideline", "label", "research", "regulatory"]


class Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class Context(BaseModel):
    """What a follow-up carries over from an earlier answer (its `context` field)."""

    model_config = ConfigDict(extra="forbid")
    drugs: list[str] = Field(default_factory=list, max_length=20)
    classes: list[str] = Field(default_factory=list, max_length=20)
    populations: list[str] = Field(default_factory=list, max_length=10)
    population_facts: list[dict[str, str | int | float | bool]] = Field(
        default_factory=list, max_length=20)


class AnswerRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(description="The question, in plain words.", min_length=1)
    audience: Audience = Field("clinician", description="Whose register to answer in.")
    context: Context | None = Field(
        None, description="The `context` of a previous answer, for a follow-up question.")


class ArticleRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(description="The question, in plain words.", min_length=1)
    audience: Audience = Field("clinician", description="Whose register to answer in.")
    follow_up_of: str | None = Field(
        None, description="Id of the article this question follows up (its context is used).",
        max_length=64)


class Drug(Open):
    name: str
    matched: str
    classes: list[str]
    rxcui: str | None = None


class Alert(Open):
    kind: str
    text: str


class Cited(Open):
    text: str
    citations: list[int]


class KeyConcern(Cited):
    concern: str


class Section(Open):
    tier: Tier
    heading: str
    statements: list[Cited]


class Grade(Open):
    scheme: str
    strength: str | None = None
    evidence: str | None = None


class Reference(Open):
    n: int
    tier: str
    source_id: str
    title: str
    issuer: str | None = None
    year: int | None = None
    url: str | None = None
    identifiers: dict[str, Any] = Field(default_factory=dict)
    section: str | None = None
    grade: Grade | None = None
    status: Literal["current", "superseded"]
    superseded_by: str | None = None


class InteractionFinding(Open):
    kind: Literal["rule", "pack_label", "label", "list"]
    severity: str = Field(description="contraindicated, major, moderate, minor or listed.")
    citations: list[int]
    section: str | None = None
    label_of: str | None = None


class PairInteraction(Open):
    """One pair of the question's drugs or classes and what the store says of it."""

    drugs: list[str]
    severity: str | None = Field(None, description="The most severe finding; null: none.")
    findings: list[InteractionFinding]


class Answer(Open):
    """A `curbside.answer/1` document."""

    schema_: Literal["curbside.answer/1"] = Field(alias="schema")
    question: str
    audience: Audience
    drugs: list[Drug]
    drug_classes: list[str]
    intents: list[str]
    alerts: list[Alert]
    summary: list[Cited]
    key_concerns: list[KeyConcern]
    sections: list[Section]
    references: list[Reference]
    follow_up_questions: list[str]
    disclaimer: str
    insufficient_evidence: bool
    insufficient_reason: str | None = None
    generated_at: str
    context: dict[str, Any] | None = None
    interactions: list[PairInteraction] = Field(
        default_factory=list, description="Every pair of the question's subjects, most "
        "severe first (docs/answer.md).")


class ArticleSummary(BaseModel):
    id: str
    slug: str
    url: str
    question: str
    audience: Audience
    status: str = Field(description="Review status: submitted, under_review, "
                                    "changes_requested, approved or retracted.")
    revision: int
    parent_id: str | None = None
    drugs: list[str]
    tiers: list[str]
    created_at: str
    updated_at: str


class FollowUpLink(BaseModel):
    id: str
    question: str
    url: str


class Review(Open):
    """Where the Medical Advisory Board's review of an article stands."""

    status: str
    reviewed_by: str | None = Field(None, description="The approver: 'Name, credentials'.")
    reviewed_at: str | None = Field(None, description="When it was last approved.")
    revision: int = Field(description="The current revision.")
    approved_revision: int | None = None
    sources_updated: bool = Field(False, description="Sources updated since approval.")
    retraction_notice: str | None = None


class Article(ArticleSummary):
    context: dict[str, Any] | None = None
    answer: Answer
    follow_ups: list[FollowUpLink]
    review: Review | None = None


class ArticlePage(BaseModel):
    items: list[ArticleSummary]
    total: int
    page: int
    per_page: int
    pages: int


class SearchHit(BaseModel):
    passage_id: int
    source_id: str
    source_title: str
    tier: str
    status: str
    section: str
    title: str | None = None
    snippet: str
    score: float


class SearchResults(BaseModel):
    query: str
    results: list[SearchHit]


class Health(BaseModel):
    status: Literal["ok"]
    schema_version: int
    sources: int
    articles: int


class ErrorEnvelope(BaseModel):
    """Every error: the HTTP status, a stable code and one line a person can act on."""

    status: int
    error: str
    detail: str


ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorEnvelope, "description": desc}
    for code, desc in ((400, "Malformed request body"), (404, "Not found"),
                       (413, "Body too large"), (422, "Invalid input"),
                       (429, "Too many requests"), (503, "Store unavailable"))}


class Source(Open):
    """One stored source version, with its passages and the other versions of it."""

    id: str
    key: str
    tier: SourceTier
    title: str
    status: Literal["current", "superseded"]
    superseded_by: str | None = None
    url: str | None = None
    identifiers: dict[str, Any]
    passages: list[dict[str, Any]]
    versions: list[dict[str, Any]]
