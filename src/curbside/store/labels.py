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
import threading
from dataclasses import dataclass

from curbside.store.sqlite import state_stamp


@dataclass(frozen=True)
class LabelChoice:
    """The label chosen for one drug and how many other current labels the store holds."""

    drug: str
    source_id: str
    others: int

    def as_dict(self) -> dict[str, object]:
        return {"drug": self.drug, "source_id": self.source_id, "other_labels": self.others}


# The pack's label digests in `source_drugs` (ids "pack:label:<drug>@<date>"), as a range of
# its (drug, source_id) index: a drug's digest is found without reading its other labels.
PACK_LABEL_IDS = "sd.source_id >= 'pack:label:' AND sd.source_id < 'pack:label;'"

# The rule's first keys in SQL: original packager 1 > unknown 0 > repackager -1. Counting a
# label's sections is done in Python for the labels still tied after them (rarely more than
# one): counting for every label of a drug with hundreds took most of an answer's time.
# CROSS JOIN keeps SQLite from starting at the sources' (tier, status) index, which at
# scale reads every current label to find one drug's (no ANALYZE statistics needed).
_RANK = """
SELECT sd.drug, s.id,
       CASE json_extract(s.meta, '$.original_packager') WHEN 1 THEN 1 WHEN 0 THEN -1
            ELSE 0 END AS packager,
       coalesce(s.effective, '') AS effective,
       CAST(coalesce(s.version, '0') AS REAL) AS version
FROM source_drugs sd CROSS JOIN sources s ON s.id = sd.source_id
WHERE sd.drug IN ({marks}) AND s.tier = 'label' AND s.status = 'current'
      AND s.origin != 'pack'
"""


# Choices already made, per store file and state (`state_stamp`): one answer asks for the
# same drugs' labels a dozen times (evidence, interactions, the label-choice note). Not
# inside a transaction, whose changes may yet be rolled back.
_MEMO_STORES = 8
_memo: dict[tuple[str, int, int], dict[str, LabelChoice | None]] = {}
_memo_lock = threading.Lock()


def choose_labels(db: sqlite3.Connection, drugs: list[str]) -> dict[str, LabelChoice]:
    """The speaking label of each drug that has ingested labels (pack digests excluded)."""
    names = sorted(set(drugs))
    if not names:
        return {}
    if db.in_transaction:
        return _choose(db, names)
    key = (str(db.execute("PRAGMA database_list").fetchone()[2]), *state_stamp(db))
    with _memo_lock:
        known = _memo.get(key)
        if known is None:
            while len(_memo) >= _MEMO_STORES:
                del _memo[next(iter(_memo))]
            known = _memo[key] = {}
        todo = [n for n in names if n not in known]
    if todo:
        found = _choose(db, todo)
        with _memo_lock:
            known.update({n: found.get(n) for n in todo})
    return {n: c for n in names if (c := known.get(n)) is not None}


def _choose(db: sqlite3.Connection, names: list[str]) -> dict[str, LabelChoice]:
    rows = db.execute(_RANK.format(marks=",".join("?" * len(names))), names).fetchall()
    by_drug: dict[str, list[tuple[int, str, float, str]]] = {}
    for drug, sid, packager, effective, version in rows:
        by_drug.setdefault(drug, []).append((packager, effective, version, sid))
    out = {}
    for drug, labels in by_drug.items():
        best = max(r[:3] for r in labels)
        tied = sorted(r[3] for r in labels if r[:3] == best)
        if len(tied) > 1:       # then the most sections, then the lowest source id
            sections: dict[str, int] = {}
            for i in range(0, len(tied), 900):      # below SQLite's variable limit
                chunk = tied[i:i + 900]
                sections.update(db.execute(
                    f"SELECT source_id, count(*) FROM passages WHERE source_id IN "
                    f"({','.join('?' * len(chunk))}) GROUP BY source_id", chunk).fetchall())
            tied.sort(key=lambda sid: -sections.get(sid, 0))   # stable: ids stay ordered
        out[drug] = LabelChoice(drug, tied[0], len(labels) - 1)
    return out
