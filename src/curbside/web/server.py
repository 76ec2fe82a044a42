"""Running the site: one uvicorn process serving `create_app(settings)`."""

from __future__ import annotations

from collections.abc import Callable

from curbside.config import Settings


def serve(settings: Settings, *, host: str = "127.0.0.1", port: int = 8000,
          announce: Callable[[str], None] = print) -> None:
    """Open (or create) the store, print the address, serve until interrupted."""
    import uvicorn

    from curbside.web.app import create_app

    app = create_app(settings)
    shown = f"[{host}]" if ":" in host else host
    announce(f"Curbside is serving http://{shown}:{port}/ (store: {settings.db}); "
             f"press Ctrl+C to stop")
    uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=False)
