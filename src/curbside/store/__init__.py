"""The evidence store. `open_store` is the one way in: it creates the default store (with
the starter pack) on first use, so every command has something to answer from."""

from __future__ import annotations

from pathlib import Path

from curbside.config import Settings
from curbside.store.sqlite import Store

__all__ = ["Store", "open_store", "init_store"]


def init_store(path: Path, *, starter_pack: bool = True, busy_timeout_ms: int = 10000) -> Store:
    """Create (or complete) a store; loads the lexicon and, unless told not to, the pack."""
    from curbside.knowledge.pack import load_pack

    store = Store(path, busy_timeout_ms)
    if store.get_meta("initialised") is None:
        load_pack(store, evidence=starter_pack)
        store.set_meta("starter_pack", "yes" if starter_pack else "no")
        store.set_meta("initialised", "1")
    return store


def open_store(settings: Settings) -> Store:
    """The store named by the settings, made with the starter pack if it does not exist."""
    return init_store(settings.db, busy_timeout_ms=settings.busy_timeout_ms)
