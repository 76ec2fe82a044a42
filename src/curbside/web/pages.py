"""The site's pages: server-rendered HTML over the same domain functions as the API."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from curbside import articles
from curbside.answer import citation, render
from curbside.answer.audience import AUDIENCES
from curbside.answer.engine import answer_question
from curbside.errors import Forbidden, InputError, NotFound, TooManyAttempts
from curbside.review import reports
from curbside.review.audit import now as audit_now
from curbside.review.csrf import MESSAGE as CSRF_MESSAGE
from curbside.review.workflow import review_info
from curbside.store import Store
from curbside.web import views
from curbside.web.api import rate_limited, read_limited
from curbside.web.state import client_key, get_store

router = APIRouter(include_in_schema=False)
StoreDep = Annotated[Store, Depends(get_store)]
GET_HEAD = ["GET", "HEAD"]
AUDIENCE_COOKIE = "curbside_audience"
COOKIE_MAX_AGE = 365 * 24 * 3600
REPORT_COOKIE = "curbside_report_csrf"
"""Readers have no session: the report form's CSRF token is a double-submit cookie
(SameSite=Strict, HttpOnly) that the form repeats, as on the sign-in form."""


def _render(request: Request, name: str, ctx: dict[str, Any], status: int = 200) -> Response:
    base = {"audiences": views.AUDIENCE_LABELS, "audience": _preferred(request)}
    return request.app.state.templates.TemplateResponse(request, name, base | ctx,
                                                        status_code=status)


def _preferred(request: Request) -> str | None:
    value = request.cookies.get(AUDIENCE_COOKIE)
    return value if value in AUDIENCES else None


def _limit(request: Request) -> int:
    return int(request.app.state.settings.max_question_chars)


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


@router.api_route("/", methods=GET_HEAD, response_class=HTMLResponse)
def home(request: Request, store: StoreDep) -> Response:
    recent = articles.list_articles(store, per_page=8)
    return _render(request, "home.html", {"recent": recent["items"], "max_chars": _limit(request)})


@router.post("/ask", dependencies=[Depends(rate_limited)])
def ask(request: Request, store: StoreDep, question: Annotated[str, Form()] = "",
        audience: Annotated[str, Form()] = "") -> Response:
    audience = audience or _preferred(request) or "clinician"
    try:
        art, _ = articles.ask_article(store, question, audience=audience,
                                      max_chars=_limit(request))
    except InputError as e:
        recent = articles.list_articles(store, per_page=8)
        return _render(request, "home.html", {"recent": recent["items"], "error": str(e),
                                              "question": question[:_limit(request)],
                                              "max_chars": _limit(request)}, status=422)
    return _see_other(art["url"])


@router.post("/articles/{article_id}/follow-up", dependencies=[Depends(rate_limited)])
def follow_up_post(request: Request, article_id: str, store: StoreDep,
                   question: Annotated[str, Form()] = "",
                   audience: Annotated[str, Form()] = "") -> Response:
    return _follow_up(request, store, article_id, question, audience)


@router.get("/articles/{article_id}/follow-up", dependencies=[Depends(rate_limited)])
def follow_up_get(request: Request, article_id: str, store: StoreDep,
                  q: Annotated[str, Query(max_length=4000)] = "",
                  audience: Annotated[str, Query(max_length=20)] = "") -> Response:
    return _follow_up(request, store, article_id, q, audience)


def _follow_up(request: Request, store: Store, article_id: str, question: str,
               audience: str) -> Response:
    audience = audience or _preferred(request) or ""
    art, _ = articles.follow_up(store, article_id, question, audience=audience or None,
                                max_chars=_limit(request))
    return _see_other(art["url"])


# After the follow-up routes, so that /articles/{id}/follow-up is not read as a slug.
@router.api_route("/articles/{article_id}", methods=GET_HEAD)
def article_short(article_id: str, store: StoreDep) -> Response:
    return RedirectResponse(articles.get_article(store, article_id)["url"], status_code=308)


@router.api_route("/articles/{article_id}/{slug}", methods=GET_HEAD,
                  response_class=HTMLResponse)
def article_page(request: Request, article_id: str, slug: str, store: StoreDep,
                 audience: Annotated[str | None, Query(max_length=20)] = None,
                 reported: Annotated[int, Query(ge=0, le=1)] = 0) -> Response:
    art = articles.get_article(store, article_id)
    if slug != art["slug"]:
        url = art["url"] + (f"?audience={audience}" if audience in AUDIENCES else "")
        return RedirectResponse(url, status_code=308)
    chosen = audience if audience in AUDIENCES else None
    shown = chosen or _preferred(request) or art["audience"]
    answer = _answer_for(request, store, art, shown)
    parent = None
    if art.get("parent_id"):
        try:
            parent = articles.get_article(store, art["parent_id"])
        except NotFound:  # pragma: no cover - parents are never deleted
            parent = None
    review = review_info(store, art, public=True)
    emergency = [a for a in answer["alerts"] if a["kind"] == "emergency"]
    other_alerts = [a for a in answer["alerts"] if a["kind"] != "emergency"]
    response = _render(request, "article.html", {
        "art": art, "ans": answer, "shown": shown, "parent": parent,
        "emergency": emergency, "alerts": other_alerts,
        "steps": views.status_steps(art["status"]), "banner": views.BANNER,
        "approved": art["status"] == "approved", "review": review,
        "updated": views.nice_date(review["last_updated"]), "tier_labels": views.TIER_LABELS,
        "nice_date": views.nice_date, "max_chars": _limit(request),
        "report_token": _report_token(request), "reported": bool(reported),
        **_reading(request, store, art, answer, review["last_updated"])})
    response.set_cookie(REPORT_COOKIE, _report_token(request), max_age=24 * 3600,
                        path="/articles", httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")
    if chosen:
        response.set_cookie(AUDIENCE_COOKIE, chosen, max_age=COOKIE_MAX_AGE, httponly=True,
                            samesite="lax")
    return response


def _report_token(request: Request) -> str:
    """The report form's token: the browser's cookie value, or a new one (kept per request)."""
    if not hasattr(request.state, "report_token"):
        have = request.cookies.get(REPORT_COOKIE, "")
        request.state.report_token = have if 20 <= len(have) <= 100 \
            else secrets.token_urlsafe(32)
    return str(request.state.report_token)


@router.post("/articles/{article_id}/report")
def report_problem(request: Request, article_id: str, store: StoreDep,
                   what: Annotated[str, Form()] = "", statement: Annotated[str, Form()] = "",
                   email: Annotated[str, Form()] = "",
                   csrf_token: Annotated[str, Form()] = "") -> Response:
    """A reader's report on an article: to the review queue, then back to the article."""
    cookie = request.cookies.get(REPORT_COOKIE, "")
    if not csrf_token or not cookie or \
            not hmac.compare_digest(csrf_token.encode(), cookie.encode()):
        raise Forbidden(CSRF_MESSAGE)
    wait = request.app.state.report_limiter.take(client_key(request))
    if wait is not None:
        raise TooManyAttempts(f"too many reports from this address; try again in "
                              f"{int(wait) + 1} s", retry_after=int(wait) + 1)
    reports.submit(store, article_id, what, statement=statement or None, email=email or None)
    return _see_other(articles.get_article(store, article_id)["url"] +
                      "?reported=1#report-heading")


def _reading(request: Request, store: Store, art: dict[str, Any], answer: dict[str, Any],
             updated: str | None) -> dict[str, Any]:
    """What the article page adds around the answer: grouped references with back-links and
    citations, statement anchors, the table of contents and how current the evidence is."""
    stored = articles.cited_sources(store, answer)
    accessed = audit_now()
    groups = []
    for g in render.reference_groups(answer["references"]):
        src = stored.get(str(g.get("source_id")))
        groups.append(g | {"links": views.ref_links(g), "known": src is not None,
                           "ama": citation.ama_source(src or g, accessed)})
    backs = render.cited_by(answer)
    stmts = render.statements(answer)
    url = str(request.base_url).rstrip("/") + art["url"]
    return {
        "ref_groups": groups, "cited_by": backs, "grade_text": views.grade_text,
        "other_labels_text": render.other_labels_text,
        "sec_anchors": render.section_anchors(answer),
        "statement_choices": views.statement_choices(stmts),
        "evidence_as_of": views.short_date(articles.evidence_date(stored)),
        "article_ama": citation.ama_article(art["question"], url, updated=updated,
                                            accessed=accessed),
    }


def _answer_for(request: Request, store: Store, art: dict[str, Any],
                audience: str) -> dict[str, Any]:
    """The article's answer in `audience`'s register (stored one, or re-rendered, cached)."""
    if audience == art["audience"]:
        return dict(art["answer"])
    key = (art["id"], int(art["revision"]), audience)
    cache = request.app.state.renders
    hit = cache.get(key)
    if hit is None:
        read_limited(request)  # a re-render is a whole answer: it costs a reading token
        hit = answer_question(store, art["question"], audience=audience,
                              context=art.get("context"), max_chars=_limit(request))
        cache.put(key, hit)
    return dict(hit)


@router.api_route("/library", methods=GET_HEAD, response_class=HTMLResponse)
def library(request: Request, store: StoreDep,
            q: Annotated[str, Query(max_length=500)] = "",
            drug: Annotated[str, Query(max_length=100)] = "",
            tier: Annotated[str, Query(max_length=20)] = "",
            page: Annotated[int, Query(ge=1, le=10000)] = 1) -> Response:
    if q.strip():
        read_limited(request)
    result = articles.list_articles(store, q=q or None, drug=drug or None, tier=tier or None,
                                    page=page, per_page=20)
    return _render(request, "library.html", {
        "result": result, "q": q, "drug": drug, "tier": tier,
        "drugs": articles.article_drugs(store), "tiers": articles.TIERS,
        "tier_labels": views.TIER_LABELS,
        "page_links": views.page_links(result["page"], result["pages"])})


@router.api_route("/editorial-policy", methods=GET_HEAD, response_class=HTMLResponse)
def editorial_policy(request: Request) -> Response:
    return _render(request, "policy.html", {"statuses": views.STATUS_LABELS,
                                            "banner": views.BANNER})


@router.api_route("/docs", methods=GET_HEAD, response_class=HTMLResponse)
def api_docs(request: Request) -> Response:
    """A readable API reference made from the OpenAPI document (no external scripts)."""
    spec = request.app.openapi()
    ops = [{"method": m.upper(), "path": p, "summary": op.get("summary", ""),
            "description": op.get("description", ""),
            "params": op.get("parameters", []),
            "body": bool(op.get("requestBody")),
            "responses": sorted(op.get("responses", {}))}
           for p, item in spec["paths"].items() for m, op in item.items()]
    return _render(request, "docs.html", {"ops": ops, "version": spec["info"]["version"]})


@router.api_route("/sources/{source_id:path}", methods=GET_HEAD, response_class=HTMLResponse)
def source_page(request: Request, source_id: str, store: StoreDep) -> Response:
    """A readable page for one stored source (its JSON stays at /api/v1/sources/{id})."""
    src = store.get_source(source_id)
    related = {}
    for key in ("superseded_by", "supersedes"):
        if src.get(key):
            try:
                other = store.get_source(str(src[key]))
                related[key] = {"id": other["id"], "title": other["title"]}
            except NotFound:
                related[key] = {"id": None, "title": str(src[key])}
    return _render(request, "source.html", {
        "src": src, "links": views.ref_links(src), "related": related,
        "legend": views.grade_legend(src), "groups": views.passage_groups(src["passages"]),
        "citing": articles.citing_articles(store, src["id"]),
        "tier_labels": views.TIER_LABELS, "nice_date": views.nice_date,
        "short_date": views.short_date, "ama": citation.ama_source(src, audit_now())})
