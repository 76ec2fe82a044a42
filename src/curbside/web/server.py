"""Running the site: one uvicorn process serving `create_app(settings)`, with a request log."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from curbside.config import Settings
from curbside.web.security import ASGIApp, Message, Receive, Scope, Send


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


class RequestLog:
    """One line per HTTP request: time, client, method, path, status, duration.

    The query string is left out on purpose: it can hold a reader's question
    (`/articles/{id}/follow-up?q=...`), which does not belong in a server log.
    """

    def __init__(self, app: ASGIApp, write: Callable[[str], None] = _stderr):
        self.app = app
        self.write = write

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = [500]

        async def send_logged(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_logged)
        finally:
            ms = (time.perf_counter() - start) * 1000
            client = (scope.get("client") or ("-", 0))[0]
            at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            self.write(f"{at} {client} {scope['method']} {scope['path']} {status[0]} "
                       f"{ms:.1f} ms")


def serve(settings: Settings, *, host: str = "127.0.0.1", port: int = 8000,
          announce: Callable[[str], None] = print, quiet: bool = False) -> None:
    """Open (or create) the store, print the address, serve until interrupted.

    Every request is logged on standard error (see `RequestLog`) unless `quiet`.
    """
    import uvicorn

    from curbside.web.app import create_app

    app: Any = create_app(settings)
    if not quiet:
        app = RequestLog(app)
    shown = f"[{host}]" if ":" in host else host
    announce(f"Curbside is serving http://{shown}:{port}/ (store: {settings.db}); "
             f"press Ctrl+C to stop")
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False,
                proxy_headers=False)
