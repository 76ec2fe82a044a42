"""Revisions of an article's answer: editor edits make a new one; diffs between two.

Revision 1 is the generated answer and, like every revision, is never altered (a trigger
refuses UPDATE). An edit replaces a statement's text, removes a statement or adds one; the
result must still cite: every statement keeps at least one citation and every citation
resolves to a reference of the revision. References no statement uses any more are dropped
and the rest renumbered, so that every reference is used.

Statements are addressed by locators: `summary.0`, `key_concerns.1`, `sections.2.0`.

    >>> new = apply_edits(answer, [{"op": "replace", "loc": "sections.0.1", "text": "..."},
    ...                            {"op": "add", "section": "label", "text": "...",
    ...                             "citations": [2]}])
"""

from __future__ import annotations

import copy
import difflib
import json
import re
import sqlite3
from typing import Any

from curbside.errors import InputError
from curbside.review import audit

MAX_STATEMENT = 2000
TIERS = ("guideline", "label", "research")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_GROUP_LABELS = {"summary": "Bottom line", "key_concerns": "Key concerns"}


def statements(answer: dict[str, Any]) -> list[dict[str, Any]]:
    """Every cited statement with its locator and the heading it sits under."""
    out: list[dict[str, Any]] = []
    for i, s in enumerate(answer.get("summary", [])):
        out.append({"loc": f"summary.{i}", "group": "summary", "heading": "Bottom line",
                    "text": s["text"], "citations": list(s.get("citations", []))})
    for i, k in enumerate(answer.get("key_concerns", [])):
        out.append({"loc": f"key_concerns.{i}", "group": "key_concerns",
                    "heading": f"Key concern: {k.get('concern', '')}", "text": k["text"],
                    "citations": list(k.get("citations", []))})
    for i, sec in enumerate(answer.get("sections", [])):
        for j, st in enumerate(sec.get("statements", [])):
            out.append({"loc": f"sections.{i}.{j}", "group": sec["tier"],
                        "heading": sec["heading"], "text": st["text"],
                        "citations": list(st.get("citations", []))})
    return out


def _target(answer: dict[str, Any], loc: str) -> tuple[list[dict[str, Any]], int]:
    """The list holding the statement at `loc`, and its index there."""
    parts = loc.split(".")
    try:
        if parts[0] in ("summary", "key_concerns") and len(parts) == 2:
            items, idx = answer[parts[0]], int(parts[1])
        elif parts[0] == "sections" and len(parts) == 3:
            items, idx = answer["sections"][int(parts[1])]["statements"], int(parts[2])
        else:
            raise ValueError
        if not 0 <= idx < len(items):
            raise IndexError
    except (ValueError, IndexError, KeyError, TypeError):
        raise InputError(f"no statement at {loc!r}") from None
    return items, idx


def _clean_text(text: Any, loc: str) -> str:
    if not isinstance(text, str) or not " ".join(text.split()):
        raise InputError(f"{loc}: the statement text is empty")
    text = " ".join(text.split())
    if len(text) > MAX_STATEMENT or _CONTROL.search(text):
        raise InputError(f"{loc}: the statement must be 1-{MAX_STATEMENT} printable characters")
    return text


def _citations(value: Any, refs: set[int], loc: str) -> list[int]:
    if not isinstance(value, list) or not value:
        raise InputError(f"{loc}: a statement needs at least one citation")
    out: list[int] = []
    for n in value:
        if not isinstance(n, int) or isinstance(n, bool) or n not in refs:
            raise InputError(f"{loc}: citation {n!r} is not one of the references "
                             f"({', '.join(str(r) for r in sorted(refs)) or 'none'})")
        if n not in out:
            out.append(n)
    return out


def apply_edits(answer: dict[str, Any], edits: list[dict[str, Any]]) -> dict[str, Any]:
    """A new answer with `edits` applied; InputError names the first edit that cannot be."""
    if not edits:
        raise InputError("no edits: change, remove or add at least one statement")
    new = copy.deepcopy(answer)
    refs = {int(r["n"]) for r in new.get("references", [])}
    removals: list[tuple[list[dict[str, Any]], int]] = []
    for edit in edits:
        op, loc = edit.get("op"), str(edit.get("loc") or edit.get("section") or "?")
        if op == "replace":
            items, idx = _target(new, loc)
            items[idx]["text"] = _clean_text(edit.get("text"), loc)
            if "citations" in edit:
                items[idx]["citations"] = _citations(edit["citations"], refs, loc)
        elif op == "remove":
            removals.append(_target(new, loc))
        elif op == "add":
            section = next((s for s in new.get("sections", []) if s["tier"] == loc), None)
            if section is None:
                raise InputError(f"no section {loc!r} to add to; choose one of "
                                 f"{', '.join(s['tier'] for s in new.get('sections', []))}")
            section["statements"].append({"text": _clean_text(edit.get("text"), loc),
                                          "citations": _citations(edit.get("citations"),
                                                                  refs, loc)})
        else:
            raise InputError(f"unknown edit {op!r}; use replace, remove or add")
    for items, idx in sorted(removals, key=lambda t: -t[1]):
        del items[idx]
    if not statements(new):
        raise InputError("an article needs at least one statement")
    if statements(new) == statements(answer):
        raise InputError("the edits change nothing")
    _renumber(new)
    check(new)
    return new


def _renumber(answer: dict[str, Any]) -> None:
    """Drop references no statement cites; renumber the rest, keeping their order."""
    order: list[int] = []
    for st in statements(answer):
        order += [n for n in st["citations"] if n not in order]
    mapping = {old: i for i, old in enumerate(sorted(order), start=1)}
    answer["references"] = [r | {"n": mapping[r["n"]]} for r in answer.get("references", [])
                            if r["n"] in mapping]
    for key in ("summary", "key_concerns"):
        for s in answer.get(key, []):
            s["citations"] = [mapping[n] for n in s.get("citations", [])]
    for sec in answer.get("sections", []):
        for s in sec["statements"]:
            s["citations"] = [mapping[n] for n in s.get("citations", [])]


def check(answer: dict[str, Any]) -> None:
    """Every statement cites, every citation resolves (InputError otherwise)."""
    refs = {int(r["n"]) for r in answer.get("references", [])}
    for st in statements(answer):
        _citations(st["citations"], refs, st["loc"])


def add_revision(db: sqlite3.Connection, article_id: str, answer: dict[str, Any], *,
                 author: dict[str, Any] | None, kind: str, note: str | None) -> int:
    """Store `answer` as the article's next revision and make it current (caller's txn)."""
    row = db.execute("SELECT seq, question, max(r.revision) AS last FROM articles a "
                     "JOIN article_revisions r ON r.article_id = a.id WHERE a.id = ?",
                     (article_id,)).fetchone()
    number = int(row["last"]) + 1
    now = audit.now()
    db.execute("INSERT INTO article_revisions(article_id, revision, answer, created_at, "
               "author_id, kind, note) VALUES (?,?,?,?,?,?,?)",
               (article_id, number, json.dumps(answer, ensure_ascii=False), now,
                author["id"] if author else None, kind, note))
    tiers = [t for t in TIERS if any(s["tier"] == t and s["statements"]
                                     for s in answer.get("sections", []))]
    db.execute("UPDATE articles SET revision = ?, tiers = ?, updated_at = ? WHERE id = ?",
               (number, json.dumps(tiers), now, article_id))
    body = "\n".join(s["text"] for s in statements(answer))
    db.execute("DELETE FROM articles_fts WHERE rowid = ?", (row["seq"],))
    db.execute("INSERT INTO articles_fts(rowid, question, body) VALUES (?, ?, ?)",
               (row["seq"], row["question"], body))
    return number


def _words(old: str, new: str) -> list[dict[str, str]]:
    a, b = old.split(), new.split()
    out: list[dict[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            out.append({"tag": "equal", "text": " ".join(a[i1:i2])})
            continue
        if i2 > i1:
            out.append({"tag": "del", "text": " ".join(a[i1:i2])})
        if j2 > j1:
            out.append({"tag": "ins", "text": " ".join(b[j1:j2])})
    return out


def diff(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """Statement-level diff, grouped by heading: equal, changed (with word diff), added,
    removed."""
    groups: list[dict[str, Any]] = []
    a_all, b_all = statements(old), statements(new)
    keys = list(dict.fromkeys([s["group"] for s in a_all] + [s["group"] for s in b_all]))
    for key in keys:
        a = [s for s in a_all if s["group"] == key]
        b = [s for s in b_all if s["group"] == key]
        ops: list[dict[str, Any]] = []
        matcher = difflib.SequenceMatcher(a=[s["text"] for s in a], b=[s["text"] for s in b],
                                          autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                ops += [{"op": "equal", "old": x, "new": y}
                        for x, y in zip(a[i1:i2], b[j1:j2], strict=True)]
                continue
            paired = min(i2 - i1, j2 - j1) if tag == "replace" else 0
            ops += [{"op": "changed", "old": x, "new": y, "words": _words(x["text"], y["text"])}
                    for x, y in zip(a[i1:i1 + paired], b[j1:j1 + paired], strict=True)]
            ops += [{"op": "removed", "old": x} for x in a[i1 + paired:i2]]
            ops += [{"op": "added", "new": y} for y in b[j1 + paired:j2]]
        heading = _GROUP_LABELS.get(key) or (b or a)[0]["heading"]
        groups.append({"group": key, "heading": heading, "ops": ops,
                       "changes": sum(op["op"] != "equal" for op in ops)})
    return groups


def source_changes(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[str]]:
    """Source ids cited by one revision and not the other."""
    a = {r["source_id"] for r in old.get("references", [])}
    b = {r["source_id"] for r in new.get("references", [])}
    return {"added": sorted(b - a), "removed": sorted(a - b)}
