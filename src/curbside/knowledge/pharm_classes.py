"""Our class keys for a label's FDA pharmacologic classes (openFDA `pharm_class_epc` / `_moa`).

The mapping is data: `knowledge/pack/pharm_classes.yaml`. "Benzodiazepine [EPC]" ->
`benzodiazepine`; "Hydroxymethylglutaryl-CoA Reductase Inhibitors [MoA]" -> `statin`.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import yaml

from curbside.knowledge.lexicon import PACK_DIR

_SUFFIX = re.compile(r"\s*\[(epc|moa|pe|cs)\]\s*$", re.IGNORECASE)


@lru_cache(maxsize=1)
def mapping() -> dict[str, dict[str, list[str]]]:
    with open(PACK_DIR / "pharm_classes.yaml", encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    return {"epc": data.get("epc") or {}, "moa": data.get("moa") or {}}


def class_name(raw: str) -> str:
    """'Opioid Agonist [EPC]' -> 'opioid agonist'."""
    return " ".join(_SUFFIX.sub("", str(raw)).lower().split())


def classes_for(meta: dict[str, Any]) -> set[str]:
    """Class keys for the EPC and MoA names of a label's `meta` (as the readers keep it)."""
    table = mapping()
    out: set[str] = set()
    for kind in ("epc", "moa"):
        for raw in meta.get(f"pharm_class_{kind}") or []:
            out.update(table[kind].get(class_name(raw), []))
    return out


def unmapped(meta: dict[str, Any]) -> list[str]:
    """EPC/MoA names of a label that the mapping does not know (for review)."""
    table = mapping()
    return [raw for kind in ("epc", "moa") for raw in meta.get(f"pharm_class_{kind}") or []
            if class_name(raw) not in table[kind]]
