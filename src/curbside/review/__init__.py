"""Editorial review by the Medical Advisory Board.

    accounts   users, roles, argon2 password hashes, sign-in with lockout
    sessions   server-side sessions in the store (cookie tokens, expiry, revocation)
    csrf       CSRF checks for every state-changing request
    audit      the append-only audit log (SQLite triggers refuse UPDATE and DELETE)
    workflow   the review states and the one transition table
    revisions  editor edits as new revisions; diffs between revisions
    living     new source versions send approved articles back to review
"""
