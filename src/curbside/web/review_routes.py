"""Sign-in and the Medical Advisory Board's review pages and API.

HTML: /login, /logout, /review (the queue), /review/articles/{id} (revisions, diff,
comments, one form per allowed transition). API: /api/v1/session, the audit trail,
transitions, revisions and comments. Signed-out visitors of a review page are sent to
/login; the API answers 401/403 in the JSON error envelope. Every POST needs a CSRF token.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.datastructures import FormData

from curbside import articles
from curbside.errors import Forbidden, NotSignedIn, TooManyAttempts, UserError
from curbside.review import accounts, audit, csrf, reports, sessions, workflow
from curbside.review.queue import queue
from curbside.store import Store
from curbside.web import review_views, schemas
from curbside.web.errors import error_response, wants_json
from curbside.web.security import TokenBucket
from curbside.web.state import client_key, get_store

router = APIRouter(include_in_schema=False)
REVIEW_ERRORS: dict[int | str, dict[str, Any]] = schemas.ERRORS | {
    code: {"model": schemas.ErrorEnvelope, "description": desc}
    for code, desc in ((401, "Not signed in (or the session expired)"),
                       (403, "The account's role may not do this, or no valid CSRF token"),
                       (409, "Not allowed in the article's current state"))}
api = APIRouter(prefix="/api/v1", tags=["review"], responses=REVIEW_ERRORS)
StoreDep = Annotated[Store, Depends(get_store)]
AUDIT_ROLES = ("editor", "admin")


def current(request: Request, store: Store) -> sessions.Session | None:
    """The request's live session (looked up once per request)."""
    if not hasattr(request.state, "session"):
        request.state.session = sessions.lookup(store, request.cookies.get(sessions.COOKIE),
                                                idle=_idle(request))
    return request.state.session  # type: ignore[no-any-return]


def _idle(request: Request) -> timedelta:
    return timedelta(minutes=request.app.state.settings.session_idle_minutes)


def audit_guard(store: StoreDep) -> None:
    """Dependency of every review route: refuse (503) while the audit trail is unprotected."""
    audit.require_intact(store)


def signed_in(request: Request, store: StoreDep) -> sessions.Session:
    """Dependency: the session, or NotSignedIn (a redirect to /login on pages, 401 on API)."""
    sess = current(request, store)
    if sess is None:
        raise NotSignedIn("sign in first: this needs a Medical Advisory Board account")
    return sess


Signed = Annotated[sessions.Session, Depends(signed_in)]


async def form_data(request: Request) -> FormData:
    return await request.form()


def _safe_next(target: str | None) -> str:
    """Only a path on this site (no scheme, no //host) may follow a sign-in."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/review"


def _render(request: Request, name: str, ctx: dict[str, Any], status: int = 200) -> Response:
    return request.app.state.templates.TemplateResponse(request, name, ctx, status_code=status)


# -- sign in and out ------------------------------------------------------------------
@router.get("/login")
def login_form(request: Request, store: StoreDep,
               next: Annotated[str, Query(max_length=500)] = "/review") -> Response:
    """The sign-in form (also to switch accounts: signing in replaces the session)."""
    return _login_page(request, next, session=current(request, store))


def _login_page(request: Request, nxt: str, error: str | None = None, status: int = 200,
                username: str = "", session: sessions.Session | None = None) -> Response:
    token = csrf.login_token(request)
    resp = _render(request, "login.html", {"csrf_token": token, "next": _safe_next(nxt),
                                           "error": error, "username": username,
                                           "session": session}, status)
    csrf.set_login_cookie(request, resp, token)
    return resp


@router.post("/login")
def login(request: Request, store: StoreDep, username: Annotated[str, Form()] = "",
          password: Annotated[str, Form()] = "", csrf_token: Annotated[str, Form()] = "",
          next: Annotated[str, Form()] = "/review") -> Response:
    csrf.check_login(request, csrf_token)
    wait = request.app.state.login_limiter.take(client_key(request))
    if wait is not None:
        raise TooManyAttempts(f"too many sign-in attempts from this address; try again in "
                              f"{int(wait) + 1} s", retry_after=int(wait) + 1)
    settings = request.app.state.settings
    try:
        user = accounts.authenticate(store, username[:200], password[:accounts.MAX_PASSWORD],
                                     client=client_key(request),
                                     policy=accounts.LoginPolicy.from_settings(settings))
    except TooManyAttempts as e:
        resp = _login_page(request, next, str(e), 429, username[:200])
        resp.headers["Retry-After"] = str(e.retry_after)
        return resp
    if user is None:
        return _login_page(request, next, "wrong username or password", 401, username[:200])
    lifetime = timedelta(hours=settings.session_lifetime_hours)
    token, _ = sessions.create(store, user, replaces=request.cookies.get(sessions.COOKIE),
                               lifetime=lifetime, idle=_idle(request))
    resp = RedirectResponse(_safe_next(next), status_code=303)
    sessions.set_cookie(request, resp, token, lifetime)
    resp.delete_cookie(csrf.LOGIN_COOKIE, path="/login")
    return resp


@router.get("/logout")
def logout_form(request: Request, store: StoreDep) -> Response:
    sess = current(request, store)
    if sess is None:
        return RedirectResponse("/login", status_code=303)
    return _render(request, "logout.html", {"session": sess, "csrf_token": sess.csrf_token})


@router.post("/logout")
def logout(request: Request, store: StoreDep, sess: Signed,
           csrf_token: Annotated[str, Form()] = "") -> Response:
    csrf.check(sess, csrf.supplied(request, csrf_token))
    sessions.end(store, sess)
    resp = RedirectResponse("/", status_code=303)
    sessions.clear_cookie(request, resp)
    return resp


# -- review pages ---------------------------------------------------------------------
@router.get("/review")
def review_queue(request: Request, store: StoreDep, sess: Signed) -> Response:
    return _render(request, "review_queue.html", {"session": sess, "csrf_token": sess.csrf_token,
                                                  "queue": queue(store, sess.user)})


@router.get("/review/articles/{article_id}")
def review_article(request: Request, store: StoreDep, sess: Signed, article_id: str,
                   base: Annotated[int | None, Query(alias="from", ge=1)] = None,
                   to: Annotated[int | None, Query(ge=1)] = None) -> Response:
    return _review_page(request, store, sess, article_id, base, to)


def _review_page(request: Request, store: Store, sess: sessions.Session, aid: str,
                 base: int | None = None, to: int | None = None, error: str | None = None,
                 status: int = 200) -> Response:
    ctx = review_views.article_context(store, sess.user, aid, base, to)
    ctx |= {"session": sess, "csrf_token": sess.csrf_token, "error": error,
            "show_audit": sess.user["role"] in AUDIT_ROLES}
    if ctx["show_audit"]:
        ctx["audit"] = audit.rows(store, article_id=aid)
    return _render(request, "review_article.html", ctx, status)


def _back(aid: str) -> Response:
    return RedirectResponse(f"/review/articles/{quote(aid)}", status_code=303)


@router.post("/review/articles/{article_id}/transition")
def review_transition(request: Request, store: StoreDep, sess: Signed, article_id: str,
                      form: Annotated[FormData, Depends(form_data)]) -> Response:
    csrf.check(sess, csrf.supplied(request, str(form.get(csrf.FIELD) or "")))
    action = str(form.get("action") or "")
    try:
        if action == "revise":
            workflow.ensure_allowed(store, article_id, "revise", sess.user)
            art = articles.get_article(store, article_id)
            workflow.transition(store, article_id, "revise", sess.user,
                                note=str(form.get("note") or ""),
                                edits=review_views.edits_from_form(form, art))
        else:
            workflow.transition(store, article_id, action, sess.user,
                                note=str(form.get("note") or ""),
                                assignee=str(form.get("assignee") or "") or None)
    except UserError as e:
        articles.get_article(store, article_id)  # an unknown id stays a 404 page
        return _review_page(request, store, sess, article_id, error=str(e), status=e.status)
    return _back(article_id)


@router.post("/review/articles/{article_id}/comments")
def review_comment(request: Request, store: StoreDep, sess: Signed, article_id: str,
                   body: Annotated[str, Form()] = "", statement: Annotated[str, Form()] = "",
                   csrf_token: Annotated[str, Form()] = "") -> Response:
    csrf.check(sess, csrf.supplied(request, csrf_token))
    try:
        workflow.comment(store, article_id, sess.user, body, statement or None)
    except UserError as e:
        articles.get_article(store, article_id)
        return _review_page(request, store, sess, article_id, error=str(e), status=e.status)
    return _back(article_id)


@router.post("/review/articles/{article_id}/reports/{report_id}/resolve")
def review_resolve_report(request: Request, store: StoreDep, sess: Signed, article_id: str,
                          report_id: int, note: Annotated[str, Form()] = "",
                          csrf_token: Annotated[str, Form()] = "") -> Response:
    """An editor closes a reader's report, saying what was done."""
    csrf.check(sess, csrf.supplied(request, csrf_token))
    try:
        if reports.get(store, report_id)["article_id"] != article_id:
            raise UserError(f"report {report_id} is not about this article")
        reports.resolve(store, report_id, sess.user, note)
    except UserError as e:
        articles.get_article(store, article_id)
        return _review_page(request, store, sess, article_id, error=str(e), status=e.status)
    return _back(article_id)


# -- review API -----------------------------------------------------------------------
class TransitionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: str = Field(max_length=40, description="claim, assign, request_changes, approve, "
                                                  "retract (revise: POST .../revisions)")
    note: str | None = Field(None, max_length=workflow.MAX_NOTE)
    assignee: str | None = Field(None, max_length=64, description="Username, for assign.")


class RevisionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    edits: list[dict[str, Any]] = Field(max_length=200, description=(
        "[{op: replace, loc, text[, citations]} | {op: remove, loc} | "
        "{op: add, section: tier, text, citations}]"))
    note: str | None = Field(None, max_length=workflow.MAX_NOTE)


class CommentRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    body: str = Field(min_length=1, max_length=workflow.MAX_NOTE)
    statement: str | None = Field(None, max_length=40, description="e.g. sections.0.1")


def _api_guard(request: Request, sess: sessions.Session) -> None:
    csrf.check(sess, csrf.supplied(request))


@api.get("/session")
def get_session(sess: Signed) -> dict[str, Any]:
    """Who is signed in, and the CSRF token to send as X-CSRF-Token on state changes."""
    user = {k: sess.user[k] for k in ("username", "role", "display_name", "credentials")}
    return {"user": user, "csrf_token": sess.csrf_token, "expires_at": sess.expires_at}


@api.get("/review/queue")
def get_queue(store: StoreDep, sess: Signed) -> dict[str, Any]:
    """The review queue (unassigned, mine, changes requested, recently approved), counted."""
    return queue(store, sess.user)


@api.get("/articles/{article_id}/audit")
def get_audit(article_id: str, store: StoreDep, sess: Signed) -> dict[str, Any]:
    """The article's audit trail, oldest first (editors and admins)."""
    if sess.user["role"] not in AUDIT_ROLES:
        raise Forbidden("only editors and admins can read the audit trail")
    articles.get_article(store, article_id)
    return {"article_id": article_id, "rows": audit.rows(store, article_id=article_id)}


@api.post("/articles/{article_id}/transitions")
def post_transition(article_id: str, body: TransitionRequest, request: Request,
                    store: StoreDep, sess: Signed) -> dict[str, Any]:
    """Take one review transition; 409 with the reason when it is not allowed now."""
    _api_guard(request, sess)
    if body.action == "revise":
        raise UserError("revise by POSTing edits to /api/v1/articles/{id}/revisions")
    return workflow.transition(store, article_id, body.action, sess.user, note=body.note,
                               assignee=body.assignee)


@api.post("/articles/{article_id}/revisions", status_code=201)
def post_revision(article_id: str, body: RevisionRequest, request: Request, store: StoreDep,
                  sess: Signed) -> dict[str, Any]:
    """An editor's new revision (edits to the current one); it goes back to review."""
    _api_guard(request, sess)
    return workflow.transition(store, article_id, "revise", sess.user, note=body.note,
                               edits=body.edits)


@api.post("/articles/{article_id}/comments", status_code=201)
def post_comment(article_id: str, body: CommentRequest, request: Request, store: StoreDep,
                 sess: Signed) -> dict[str, Any]:
    """A comment on the current revision, or on one statement of it."""
    _api_guard(request, sess)
    return workflow.comment(store, article_id, sess.user, body.body, body.statement)


def install(app: FastAPI, *, login_per_minute: float = 10.0, login_burst: int = 10) -> None:
    """Add the review routes, the sign-in rate limit and the signed-out handler."""
    app.state.login_limiter = TokenBucket(per_minute=login_per_minute, burst=login_burst)
    guard = [Depends(audit_guard)]  # no review while the audit trail is unprotected
    app.include_router(api, dependencies=guard)
    app.include_router(router, dependencies=guard)

    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, exc: NotSignedIn) -> Response:
        if wants_json(request):
            return error_response(request, 401, str(exc), error=exc.error)
        target = request.url.path if request.method == "GET" else "/review"
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(TooManyAttempts)
    async def too_many(request: Request, exc: TooManyAttempts) -> Response:
        return error_response(request, 429, str(exc), error=exc.error,
                              headers={"Retry-After": str(exc.retry_after)})
