"""Search as the faces use it: drug names resolved through the lexicon, then BM25."""

from __future__ import annotations

from curbside.errors import UserError
from curbside.knowledge.lexicon import Lexicon
from curbside.search.lexical import Hit, search
from curbside.store.sqlite import Store


def search_passages(store: Store, text: str, *, tier: str | None = None,
                    drug: str | None = None, section: str | None = None,
                    status: str | None = None, limit: int = 10) -> list[Hit]:
    """Ranked passages; `drug` may be any name of a drug (brand, generic, misspelling)."""
    drugs = None
    if drug:
        found = Lexicon.from_store(store).recognise(drug).drugs
        if not found:
            raise UserError(f"--drug {drug!r} is not a drug name this store knows")
        drugs = [d.name for d in found]
    return search(store, text, tier=tier, drugs=drugs, section=section, status=status,
                  limit=limit)
