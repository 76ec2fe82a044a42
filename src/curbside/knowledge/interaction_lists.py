"""The ONC interaction lists in a store: the pack's copy as sources, their drugs as names.

The starter pack holds both lists (`knowledge/pack/onc/*.yaml`, derived from the published
files by scripts/onc_data.py), so a default store flags every high-priority pair as a
hospital interaction screen does. Their drugs join the lexicon, so names the pack has no
digest for (vandetanib, astemizole, domperidone, levomethadyl, ...) are recognised.
"""

from __future__ import annotations

from curbside.knowledge.lexicon import add_alias, add_drug
from curbside.model import Source
from curbside.sources import onc
from curbside.store.sqlite import Store


def pack_sources() -> list[Source]:
    """The pack's ONC list (high priority) as a source, from its derived file."""
    return [onc.list_source(onc.pack_list(kind)) for kind in onc.PACK_LISTS]


def register_names(store: Store, src: Source) -> None:
    """Add a list's drugs the store does not know yet, and the spellings the files use."""
    if src.meta.get("kind") != "interaction_list":
        return
    for name in src.drugs:
        if store.db.execute("SELECT 1 FROM drugs WHERE name = ?", (name,)).fetchone() is None:
            add_drug(store, name, [], [], [], origin="onc")
    names = set(src.drugs)
    for spelling, name in onc.curation()["names"].items():
        if name in names and spelling != name:
            add_alias(store, spelling, [name], origin="onc")
