"""One place that turns every error into the JSON envelope (API) or a styled page (site).

The envelope is `{"status": int, "error": code, "detail": one line}`; tests pin its shape.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from curbside.errors import CurbsideError
from curbside.web.security import SECURITY_HEADERS, private

log = logging.getLogger("curbside.web")

CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
         405: "method_not_allowed", 409: "conflict",
         413: "payload_too_large", 415: "unsupported_media_type", 422: "invalid_input",
         429: "rate_limited", 500: "internal_error", 503: "store_unavailable"}
TITLES = {400: "Bad request", 401: "Sign in needed", 403: "Not allowed", 404: "Page not found",
          405: "Method not allowed",
          409: "Not allowed now", 413: "Request too large", 422: "That input cannot be used",
          429: "Too many requests", 500: "Something went wrong", 503: "Store unavailable"}


def envelope(status: int, error: str, detail: str) -> dict[str, Any]:
    return {"status": status, "error": error, "detail": detail}


def wants_json(request: Request) -> bool:
    """API paths and clients that ask for JSON get the envelope; browsers get a page."""
    path = request.url.path
    if path.startswith("/api/") or path in ("/healthz", "/openapi.json"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def error_response(request: Request, status: int, detail: str, *, error: str | None = None,
                   headers: dict[str, str] | None = None) -> Response:
    code = error or CODES.get(status, "error")
    # A 500 leaves through Starlette's outermost middleware, past SecurityHeaders: add them.
    headers = {k.decode(): v.decode() for k, v in SECURITY_HEADERS} | (headers or {})
    if private(request.scope):
        headers["cache-control"] = "no-store"
    if wants_json(request):
        return JSONResponse(envelope(status, code, detail), status_code=status, headers=headers)
    templates = request.app.state.templates
    return templates.TemplateResponse(
        request, "error.html", {"status": status, "title": TITLES.get(status, "Error"),
                                "detail": detail}, status_code=status, headers=headers)


def _validation_detail(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        where = ".".join(str(x) for x in err.get("loc", ()) if x not in ("body", "query", "path"))
        msg = str(err.get("msg", "invalid"))
        parts.append(f"{where}: {msg}" if where else msg)
    return "; ".join(parts) or "the request is not valid"


def install(app: FastAPI) -> None:
    """Register the handlers on `app`."""

    @app.exception_handler(CurbsideError)
    async def curbside_error(request: Request, exc: CurbsideError) -> Response:
        if exc.status >= 500:
            log.error("%s: %s", type(exc).__name__, exc)
        return error_response(request, exc.status, str(exc), error=exc.error)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else "request refused"
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"nothing here at {request.url.path}"
        return error_response(request, exc.status_code, detail,
                              headers=dict(exc.headers or {}))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        return error_response(request, 422, _validation_detail(exc))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(request, 500, "an unexpected error happened; it has been logged")
