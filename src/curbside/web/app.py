"""The web app: `create_app(settings)` builds the site and the REST API on one store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from curbside import __version__
from curbside.config import Settings, load_settings
from curbside.errors import UserError
from curbside.store import Store
from curbside.web import api, errors, pages, review_routes, schemas
from curbside.web.security import BodyLimit, SecurityHeaders, TokenBucket, parse_proxies
from curbside.web.state import RenderCache, StorePool, get_store

HERE = Path(__file__).parent
DESCRIPTION = ("Answers clinical medication questions from stored, cited evidence in three "
               "tiers (guidelines, FDA drug labels, research). Errors are a JSON envelope "
               "`{status, error, detail}`.")


def _templates() -> Jinja2Templates:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"),
                             autoescape=True, trim_blocks=True, lstrip_blocks=True)
    return Jinja2Templates(env=env)


def create_app(settings: Settings | None = None, *, ask_per_minute: float | None = None,
               ask_burst: int | None = None, read_per_minute: float | None = None,
               read_burst: int | None = None, max_body_bytes: int = 64 * 1024,
               report_per_minute: float = 1.0, report_burst: int = 5) -> FastAPI:
    """The ASGI app. Opens (and if needed creates) the store named by `settings`.

    Asking (answers, article creation, follow-ups) is limited per client to `ask_burst` at
    once, refilled at `ask_per_minute`; reading that costs a search or a re-render (library
    and API search, `?audience=`) has its own bucket, `read_burst` / `read_per_minute`
    (defaults: the settings). Readers' problem reports are limited the same way:
    `report_burst` at once, then `report_per_minute`. Clients are keyed by
    `state.client_key` (docs/api.md, "Limits").
    """
    settings = settings or load_settings()
    try:
        proxies = parse_proxies(settings.trusted_proxies)
    except ValueError as e:
        raise UserError(f"the trusted_proxies setting is not a list of addresses: {e}") from None
    pool = StorePool(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        pool.close()

    app = FastAPI(title="Curbside", version=__version__, description=DESCRIPTION,
                  docs_url=None, redoc_url=None, openapi_url="/openapi.json",
                  lifespan=lifespan)
    app.state.settings = settings
    app.state.pool = pool
    app.state.limiter = TokenBucket(
        per_minute=ask_per_minute or float(getattr(settings, "ask_per_minute", 30)),
        burst=ask_burst or int(getattr(settings, "ask_burst", 10)))
    app.state.report_limiter = TokenBucket(per_minute=report_per_minute, burst=report_burst)
    app.state.read_limiter = TokenBucket(per_minute=read_per_minute or settings.read_per_minute,
                                         burst=read_burst or settings.read_burst)
    app.state.proxies = proxies
    app.state.renders = RenderCache()
    app.state.templates = _templates()
    app.add_middleware(BodyLimit, max_bytes=max_body_bytes)
    app.add_middleware(SecurityHeaders)
    errors.install(app)
    app.include_router(api.router)
    review_routes.install(app)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.get("/healthz", response_model=schemas.Health, tags=["service"])
    def healthz(store: Store = Depends(get_store)) -> Any:  # noqa: B008
        """Liveness and what the store holds."""
        q = store.db.execute
        return {"status": "ok", "schema_version": store.schema_version,
                "sources": q("SELECT count(*) FROM sources").fetchone()[0],
                "articles": q("SELECT count(*) FROM articles").fetchone()[0]}

    return app
