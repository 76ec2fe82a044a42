"""The review workflow: states, the one transition table, and the rules around it.

    submitted ──claim/assign──▶ under_review ──approve──▶ approved ──retract──▶ retracted
                                   │    ▲                    │
                    request_changes│    │revise (editor:     │ sources_updated (living
                                   ▼    │ a new revision)    │ evidence: a new generated
                             changes_requested               ▼ revision) ─▶ under_review

Everything not in `TRANSITIONS` is refused with a message saying what is allowed. Role
refusals are `Forbidden` (403); refusals of the state or the rules are `Conflict` (409):
approving needs the approver to hold the claim, and nobody approves a revision they wrote.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from curbside import articles
from curbside.errors import Conflict, Forbidden, InputError
from curbside.review import accounts, audit, revisions
from curbside.store.sqlite import Store

STATES = ("submitted", "under_review", "changes_requested", "approved", "retracted")
STAFF = ("admin", "editor", "reviewer")
SYSTEM = "system"
MAX_NOTE = 2000


@dataclass(frozen=True)
class Transition:
    """One allowed move: from any of `sources` to `target`, by one of `roles`."""

    action: str
    sources: tuple[str, ...]
    target: str
    roles: tuple[str, ...]
    label: str
    note: str = "optional"          # "optional", "required" (or the public notice)
    claimant_only: bool = False     # only the reviewer who holds the claim
    unclaimed_only: bool = False    # only while nobody holds the claim
    not_author: bool = False        # never by whoever wrote the current revision
    assigns: bool = False           # names the reviewer who will hold the claim
    edits: bool = False             # makes a new revision from edits


TRANSITIONS: tuple[Transition, ...] = (
    Transition("claim", ("submitted", "under_review"), "under_review", ("reviewer", "editor"),
               "Claim for review", unclaimed_only=True),
    Transition("assign", ("submitted", "under_review"), "under_review", ("editor", "admin"),
               "Assign a reviewer", assigns=True),
    Transition("request_changes", ("under_review",), "changes_requested",
               ("reviewer", "editor"), "Request changes", note="required",
               claimant_only=True),
    Transition("approve", ("under_review",), "approved", ("reviewer", "editor"), "Approve",
               claimant_only=True, not_author=True),
    Transition("revise", ("changes_requested",), "under_review", ("editor",),
               "Save a new revision and return it for review", edits=True),
    Transition("retract", ("approved",), "retracted", ("editor", "admin"),
               "Retract (with a public notice)", note="required"),
    Transition("sources_updated", ("approved", "under_review", "changes_requested"),
               "under_review", (SYSTEM,), "Sources updated"),
)
BY_ACTION = {t.action: t for t in TRANSITIONS}


def review_row(store: Store, aid: str) -> dict[str, Any]:
    """The article's review record (empty values until someone acts on it)."""
    row = store.db.execute("SELECT * FROM article_review WHERE article_id = ?",
                           (aid,)).fetchone()
    if row is None:
        return {"article_id": aid, "assignee_id": None, "claimed_at": None,
                "approved_by": None, "approved_at": None, "approved_revision": None,
                "retraction_notice": None, "retracted_at": None, "sources_updated": 0,
                "sources_changed": "[]"}
    return dict(row)


def _revision_author(store: Store, aid: str, revision: int) -> int | None:
    row = store.db.execute("SELECT author_id FROM article_revisions WHERE article_id = ? "
                           "AND revision = ?", (aid, revision)).fetchone()
    return row[0] if row else None


def refusal(store: Store, art: dict[str, Any], rev: dict[str, Any], t: Transition,
            user: dict[str, Any] | None) -> Conflict | Forbidden | None:
    """Why `user` may not take `t` now (an error to raise), or None if they may."""
    role = user["role"] if user else SYSTEM
    if role not in t.roles:
        who = " or ".join(f"an {r}" if r[0] in "ae" else f"a {r}" for r in t.roles)
        return Forbidden(f"only {who} can {t.action.replace('_', ' ')}; you are "
                         f"{'an' if role[0] in 'ae' else 'a'} {role}")
    status = art["status"]
    if status not in t.sources:
        allowed = [x.action for x in TRANSITIONS if status in x.sources and x.roles != (SYSTEM,)]
        return Conflict(f"cannot {t.action.replace('_', ' ')} an article that is "
                        f"{status.replace('_', ' ')}; allowed now: "
                        f"{', '.join(allowed) or 'nothing'}")
    holder = rev["assignee_id"]
    if t.unclaimed_only and holder is not None and status != "submitted":
        name = (accounts.user_by_id(store, holder) or {}).get("display_name", "someone")
        return Conflict(f"already claimed by {name}")
    if t.not_author and user and _revision_author(store, art["id"], art["revision"]) == user["id"]:
        return Conflict(f"you wrote revision {art['revision']}: another reviewer must "
                        f"approve it")
    if t.claimant_only and user and holder != user["id"]:
        return Conflict(f"claim this article before you {t.action.replace('_', ' ')} it"
                        if holder is None else
                        f"only the reviewer who claimed this article can "
                        f"{t.action.replace('_', ' ')} it")
    return None


def ensure_allowed(store: Store, aid: str, action: str, user: dict[str, Any] | None) -> None:
    """Raise the refusal of `action` by `user` now, if any (before reading its form)."""
    t = BY_ACTION.get(action)
    if t is not None:
        problem = refusal(store, articles.get_article(store, aid), review_row(store, aid), t, user)
        if problem:
            raise problem


def allowed(store: Store, art: dict[str, Any], user: dict[str, Any]) -> list[Transition]:
    """The transitions `user` may take on `art` now (one form each on the review page)."""
    rev = review_row(store, art["id"])
    return [t for t in TRANSITIONS if refusal(store, art, rev, t, user) is None]


def transition(store: Store, aid: str, action: str, user: dict[str, Any] | None, *,
               note: str | None = None, assignee: str | None = None,
               edits: list[dict[str, Any]] | None = None,
               answer: dict[str, Any] | None = None,
               sources_changed: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Take one transition (all or nothing) and append its audit row; the review info.

    `edits` (revise) make a new revision from the current one; `answer` (sources_updated)
    is a newly generated one, stored as a new revision with `sources_changed` shown beside.
    """
    t = BY_ACTION.get(action)
    if t is None:
        raise InputError(f"unknown action {action!r}; choose one of "
                         f"{', '.join(a for a, x in BY_ACTION.items() if x.roles != (SYSTEM,))}")
    art = articles.get_article(store, aid)
    rev = review_row(store, aid)
    problem = refusal(store, art, rev, t, user)
    if problem:
        raise problem
    note = " ".join((note or "").split()) or None
    if note and len(note) > MAX_NOTE:
        raise InputError(f"the note is longer than {MAX_NOTE} characters")
    if t.note == "required" and not note:
        raise InputError(f"{t.action.replace('_', ' ')} needs a note"
                         + (" (the public retraction notice)" if t.action == "retract" else ""))
    target_user = _assignee(store, assignee) if t.assigns else None
    new_answer = None
    if t.edits:
        new_answer = revisions.apply_edits(art["answer"], edits or [])
    now = audit.now()
    with store.transaction() as db:
        cur = db.execute("UPDATE articles SET status = ?, updated_at = ? WHERE id = ? AND "
                         "status = ? AND revision = ?",
                         (t.target, now, aid, art["status"], art["revision"]))
        if cur.rowcount != 1:
            raise Conflict("the article changed while you were looking at it; reload the page")
        db.execute("INSERT OR IGNORE INTO article_review(article_id) VALUES (?)", (aid,))
        revision = art["revision"]
        if new_answer is not None or answer is not None:
            revision = revisions.add_revision(
                db, aid, new_answer or answer or {}, author=user,
                kind="edit" if new_answer is not None else "living", note=note)
        _apply(db, t, aid, user, target_user, revision, note, now)
        if t.action == "sources_updated":
            db.execute("UPDATE article_review SET sources_updated = (approved_by IS NOT NULL), "
                       "sources_changed = ? WHERE article_id = ?",
                       (json.dumps(sources_changed or []), aid))
        audit.record(db, t.action, user=user, article_id=aid, revision=revision,
                     from_state=art["status"], to_state=t.target,
                     note=_audit_note(note, target_user, edits if t.edits else None))
    return review_info(store, articles.get_article(store, aid))


def _audit_note(note: str | None, assigned: dict[str, Any] | None,
                edits: list[dict[str, Any]] | None) -> str | None:
    """The note, with whom an assignment names and what an edit touched."""
    parts = [f"assigned to {assigned['username']}"] if assigned else []
    if edits:
        parts.append("edits: " + ", ".join(
            f"{e.get('op')} {e.get('loc') or e.get('section')}" for e in edits))
    parts += [note] if note else []
    return "; ".join(parts) or None


def _assignee(store: Store, username: str | None) -> dict[str, Any]:
    if not username:
        raise InputError("name the reviewer to assign")
    user = accounts.get_user(store, username)
    if user["disabled"] or user["role"] not in ("reviewer", "editor"):
        raise InputError(f"{username!r} cannot review (disabled, or not a reviewer or editor)")
    return user


def _apply(db: Any, t: Transition, aid: str, user: dict[str, Any] | None,
           target_user: dict[str, Any] | None, revision: int, note: str | None,
           now: str) -> None:
    """The review-record side of a transition."""
    sql = {
        "claim": ("UPDATE article_review SET assignee_id = ?, claimed_at = ? "
                  "WHERE article_id = ?", (user["id"] if user else None, now, aid)),
        "assign": ("UPDATE article_review SET assignee_id = ?, claimed_at = ? "
                   "WHERE article_id = ?", (target_user["id"] if target_user else None,
                                            now, aid)),
        "approve": ("UPDATE article_review SET approved_by = ?, approved_at = ?, "
                    "approved_revision = ?, sources_updated = 0, sources_changed = '[]' "
                    "WHERE article_id = ?", (user["id"] if user else None, now, revision,
                                             aid)),
        "retract": ("UPDATE article_review SET retraction_notice = ?, retracted_at = ? "
                    "WHERE article_id = ?", (note, now, aid)),
    }.get(t.action)
    if sql:
        db.execute(*sql)


def comment(store: Store, aid: str, user: dict[str, Any], body: str,
            statement: str | None = None) -> dict[str, Any]:
    """A reviewer's or editor's comment on the current revision (or one statement of it)."""
    if user["role"] not in ("reviewer", "editor"):
        raise Forbidden("only reviewers and editors comment on articles")
    art = articles.get_article(store, aid)
    body = (body or "").strip()
    if not body or len(body) > MAX_NOTE:
        raise InputError(f"a comment is 1-{MAX_NOTE} characters")
    if statement:
        locs = {s["loc"] for s in revisions.statements(art["answer"])}
        if statement not in locs:
            raise InputError(f"no statement at {statement!r} in revision {art['revision']}")
    now = audit.now()
    with store.transaction() as db:
        cur = db.execute("INSERT INTO review_comments(article_id, revision, statement, user_id, "
                         "body, created_at) VALUES (?,?,?,?,?,?)",
                         (aid, art["revision"], statement or None, user["id"], body, now))
        audit.record(db, "comment", user=user, article_id=aid, revision=art["revision"],
                     note=f"{statement}: {body}" if statement else body)
    return {"id": cur.lastrowid, "revision": art["revision"], "statement": statement,
            "body": body, "created_at": now, "by": accounts.signature(user)}


def comments(store: Store, aid: str) -> list[dict[str, Any]]:
    return [dict(r) | {"by": accounts.signature(dict(r))} for r in store.db.execute(
        "SELECT c.id, c.revision, c.statement, c.body, c.created_at, u.display_name, "
        "u.credentials, u.username FROM review_comments c JOIN users u ON u.id = c.user_id "
        "WHERE c.article_id = ? ORDER BY c.id", (aid,))]


def review_info(store: Store, art: dict[str, Any], *, public: bool = False
                ) -> dict[str, Any]:
    """What the public page and the API say about an article's review (`public`: without
    who holds the claim)."""
    rev = review_row(store, art["id"])
    approver = accounts.user_by_id(store, rev["approved_by"]) if rev["approved_by"] else None
    holder = accounts.user_by_id(store, rev["assignee_id"]) if rev["assignee_id"] else None
    created = store.db.execute("SELECT created_at FROM article_revisions WHERE article_id = ? "
                               "AND revision = ?", (art["id"], art["revision"])).fetchone()
    stamps = [s for s in (created[0] if created else None, rev["approved_at"]) if s]
    info = {
        "status": art["status"],
        "reviewed_by": accounts.signature(approver) if approver else None,
        "reviewed_at": rev["approved_at"],
        "revision": art["revision"],
        "approved_revision": rev["approved_revision"],
        "assignee": holder["display_name"] if holder else None,
        "sources_updated": bool(rev["sources_updated"]),
        "sources_changed": json.loads(rev["sources_changed"] or "[]"),
        "retraction_notice": rev["retraction_notice"],
        "retracted_at": rev["retracted_at"],
        "last_updated": max(stamps) if stamps else art["updated_at"],
    }
    if public:
        del info["assignee"]
    return info
