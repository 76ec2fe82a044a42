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
from collections import OrderedDict
from dataclasses import dataclass


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


# Choices already made on a connection, while the store is unchanged: one answer asks for
# the same drugs' labels a dozen times (evidence, interactions, the label-choice note).
# `PRAGMA data_version` moves when another connection commits, `total_changes` when this
# one writes; either empties the connection's memo.
# Keyed by the connection object itself (it cannot be weakly referenced); the few most
# recent connections are kept.
_MEMO_CONNECTIONS = 8
_memo: OrderedDict[int, tuple[sqlite3.Connection, tuple[int, int],
                              dict[str, LabelChoice | None]]] = OrderedDict()
_memo_lock = threading.Lock()


def change_stamp(db: sqlite3.Connection) -> tuple[int, int]:
    """What moves when the store changes, as seen from `db`: `PRAGMA data_version` (another
    connection committed) and `total_changes` (this one wrote)."""
    return int(db.execute("PRAGMA data_version").fetchone()[0]), db.total_changes


def choose_labels(db: sqlite3.Connection, drugs: list[str]) -> dict[str, LabelChoice]:
    """The speaking label of each drug that has ingested labels (pack digests excluded)."""
    names = sorted(set(drugs))
    if not names:
        return {}
    stamp = change_stamp(db)
    with _memo_lock:
        _, held, known = _memo.get(id(db), (db, None, {}))
        if held != stamp:
            known = {}
        _memo[id(db)] = (db, stamp, known)
        _memo.move_to_end(id(db))
        while len(_memo) > _MEMO_CONNECTIONS:
            _memo.popitem(last=False)
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
