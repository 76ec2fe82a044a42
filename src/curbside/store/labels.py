"""Which label speaks for a drug (DESIGN.md): one label per drug in answers.

A store loaded with the openFDA label set holds many labels for one drug: the application
holder's, generics', repackagers', and older versions. Answers cite one, chosen by this
rule, in order:

1. current versions only (an older version of a set id is `superseded`);
2. the original packager's label over a repackager's, where the label says which
   (`original_packager` in the source's meta: openFDA's `openfda.is_original_packager`;
   for SPL, a product with a `definingMaterialKind` — the original product's NDC — marks a
   repackager, which is how FDA's openfda code decides it); a label that does not say
   ranks between the two;
3. the most recent effective date;
4. the highest version number;
5. the most sections (the fuller label), then the source id (so the choice is stable).

The rule needs neither RxCUI nor NDCs (the shared openFDA samples carry neither): without
a packager flag it falls back to dates, versions and completeness. `curbside source`, the
sources list and the API still list every label; only answers choose.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True)
class LabelChoice:
    """The label chosen for one drug and how many other current labels the store holds."""

    drug: str
    source_id: str
    others: int

    def as_dict(self) -> dict[str, object]:
        return {"drug": self.drug, "source_id": self.source_id, "other_labels": self.others}


# The rule above as one ORDER BY: original packager 1 > unknown 0 > repackager -1.
_RANK = """
SELECT sd.drug, s.id,
       CASE json_extract(s.meta, '$.original_packager') WHEN 1 THEN 1 WHEN 0 THEN -1
            ELSE 0 END AS packager,
       coalesce(s.effective, '') AS effective,
       CAST(coalesce(s.version, '0') AS REAL) AS version,
       (SELECT count(*) FROM passages p WHERE p.source_id = s.id) AS sections
FROM source_drugs sd JOIN sources s ON s.id = sd.source_id
WHERE sd.drug IN ({marks}) AND s.tier = 'label' AND s.status = 'current'
      AND s.origin != 'pack'
"""


def choose_labels(db: sqlite3.Connection, drugs: list[str]) -> dict[str, LabelChoice]:
    """The speaking label of each drug that has ingested labels (pack digests excluded)."""
    names = sorted(set(drugs))
    if not names:
        return {}
    rows = db.execute(_RANK.format(marks=",".join("?" * len(names))), names).fetchall()
    by_drug: dict[str, list[tuple[int, str, float, int, str]]] = {}
    for drug, sid, packager, effective, version, sections in rows:
        by_drug.setdefault(drug, []).append((packager, effective, version, sections, sid))
    out = {}
    for drug, labels in by_drug.items():
        # Stable sorts: by source id, then by the rule's keys, highest first.
        ranked = sorted(sorted(labels, key=lambda r: r[4]), key=lambda r: r[:4], reverse=True)
        out[drug] = LabelChoice(drug, ranked[0][4], len(labels) - 1)
    return out
