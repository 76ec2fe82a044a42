"""REST API, version 1: each route parses, calls one domain function and returns its data."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request

from curbside import articles
from curbside.answer.engine import answer_question
from curbside.review.workflow import review_info
from curbside.search.service import search_passages
from curbside.store import Store
from curbside.web import schemas
from curbside.web.state import client_key, get_store

router = APIRouter(prefix="/api/v1", responses=schemas.ERRORS)
StoreDep = Annotated[Store, Depends(get_store)]


def rate_limited(request: Request) -> None:
    """Dependency: one token from the client's asking bucket, or 429 with Retry-After."""
    wait = request.app.state.limiter.take(client_key(request))
    if wait is not None:
        raise HTTPException(429, f"too many questions from this address; try again in "
                                 f"{int(wait) + 1} s", headers={"Retry-After": str(int(wait) + 1)})


def read_limited(request: Request) -> None:
    """One token from the client's reading bucket (searches, re-renders), or 429."""
    wait = request.app.state.read_limiter.take(client_key(request))
    if wait is not None:
        raise HTTPException(429, f"too many searches from this address; try again in "
                                 f"{int(wait) + 1} s", headers={"Retry-After": str(int(wait) + 1)})


@router.post("/answers", response_model=schemas.Answer, response_model_by_alias=True,
             dependencies=[Depends(rate_limited)], tags=["answers"])
def post_answer(body: schemas.AnswerRequest, request: Request, store: StoreDep) -> Any:
    """Answer a question (optionally in the context of an earlier answer); nothing is stored."""
    ctx = body.context.model_dump() if body.context else None
    return answer_question(store, body.question, audience=body.audience, context=ctx,
                           max_chars=request.app.state.settings.max_question_chars)


@router.post("/articles", response_model=schemas.Article, status_code=201,
             dependencies=[Depends(rate_limited)], tags=["articles"])
def post_article(body: schemas.ArticleRequest, request: Request, store: StoreDep) -> Any:
    """Create (or reuse) the article for a question; a follow-up uses its parent's context."""
    limit = request.app.state.settings.max_question_chars
    if body.follow_up_of:
        art, _ = articles.follow_up(store, body.follow_up_of, body.question,
                                    audience=body.audience, max_chars=limit)
    else:
        art, _ = articles.ask_article(store, body.question, audience=body.audience,
                                      max_chars=limit)
    return art | {"review": review_info(store, art, public=True)}


@router.get("/articles", response_model=schemas.ArticlePage, tags=["articles"])
def get_articles(request: Request, store: StoreDep,
                 q: Annotated[str | None, Query(max_length=500,
                                                description="Full-text search")] = None,
                 drug: Annotated[str | None, Query(max_length=100)] = None,
                 tier: schemas.Tier | None = None,
                 page: Annotated[int, Query(ge=1, le=10000)] = 1,
                 per_page: Annotated[int, Query(ge=1, le=articles.MAX_PER_PAGE)] = 20) -> Any:
    """Published articles, newest first or best match first; filter by drug and tier."""
    if q:
        read_limited(request)
    return articles.list_articles(store, q=q, drug=drug, tier=tier, page=page,
                                  per_page=per_page)


@router.get("/articles/{article_id}", response_model=schemas.Article, tags=["articles"])
def get_article(article_id: Annotated[str, Path(max_length=64)], store: StoreDep) -> Any:
    """One article with its current answer and where its review stands."""
    art = articles.get_article(store, article_id)
    return art | {"review": review_info(store, art, public=True)}


@router.get("/search", response_model=schemas.SearchResults, tags=["evidence"],
            dependencies=[Depends(read_limited)])
def search(store: StoreDep,
           q: Annotated[str, Query(min_length=1, max_length=2000, description="Search text")],
           tier: schemas.SourceTier | None = None,
           drug: Annotated[str | None, Query(max_length=100)] = None,
           status: Annotated[str | None, Query(pattern="^(current|superseded)$")] = None,
           limit: Annotated[int, Query(ge=1, le=100)] = 10) -> Any:
    """Full-text search over stored evidence passages (BM25), best first."""
    hits = search_passages(store, q, tier=tier, drug=drug, status=status, limit=limit)
    return {"query": q, "results": [h.as_dict() for h in hits]}


@router.get("/sources/{source_id:path}", response_model=schemas.Source, tags=["evidence"])
def get_source(source_id: str, store: StoreDep) -> Any:
    """One stored source: provenance, status, passages and versions."""
    return store.get_source(source_id)
