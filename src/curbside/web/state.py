"""What the app holds between requests: a pool of store connections, the rate limiter and a
small cache of article renderings per audience."""

from __future__ import annotations

import queue
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import Request

from curbside.config import Settings
from curbside.store import Store, open_store
from curbside.web.security import rate_key


class StorePool:
    """One SQLite connection per concurrent request (WAL lets readers run beside a writer).

    A connection is never used by two requests at once, so transactions cannot interleave.
    """

    def __init__(self, settings: Settings, keep: int = 8):
        self.settings = settings
        self._idle: queue.LifoQueue[Store] = queue.LifoQueue(maxsize=keep)
        self._idle.put(open_store(settings))  # creates the store (with the pack) if new

    @contextmanager
    def use(self) -> Iterator[Store]:
        try:
            store = self._idle.get_nowait()
        except queue.Empty:
            store = Store(self.settings.db, self.settings.busy_timeout_ms)
        try:
            yield store
        finally:
            try:
                self._idle.put_nowait(store)
            except queue.Full:
                store.close()

    def close(self) -> None:
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return


class RenderCache:
    """Answers for (article, revision, audience), least recently used dropped first."""

    def __init__(self, size: int = 256):
        self.size = size
        self._data: OrderedDict[tuple[str, int, str], dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, int, str]) -> dict[str, Any] | None:
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
            return None

    def put(self, key: tuple[str, int, str], value: dict[str, Any]) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)


def get_store(request: Request) -> Iterator[Store]:
    """FastAPI dependency: a store connection for this request."""
    with request.app.state.pool.use() as store:
        yield store


def client_key(request: Request) -> str:
    """Who is asking, for rate limiting and sign-in throttling (see `security.rate_key`):
    one key per host, X-Forwarded-For believed only from the trusted_proxies setting."""
    proxies = getattr(request.app.state, "proxies", None) or []
    return rate_key(request.client.host if request.client else None,
                    request.headers.get("x-forwarded-for"), proxies)
