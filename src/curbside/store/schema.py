"""The store's schema as an ordered list of migrations.

`PRAGMA user_version` records how many have run. A store made by an older Curbside opens
in a newer one (the missing migrations run, in one transaction each); a store made by a
newer Curbside is refused rather than misread.
"""

from __future__ import annotations

# The audit log's protective triggers, by name: migrations create them, `curbside audit
# restore-triggers` re-creates any that went missing (review/audit.py checks for them).
AUDIT_TRIGGERS: dict[str, str] = {
    "audit_log_no_update": """
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN
        SELECT RAISE(ABORT, 'audit rows are append-only: UPDATE refused');
    END""",
    "audit_log_no_delete": """
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN
        SELECT RAISE(ABORT, 'audit rows are append-only: DELETE refused');
    END""",
    "audit_log_no_replace": """
    CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log
    WHEN EXISTS (SELECT 1 FROM audit_log WHERE id = new.id) BEGIN
        SELECT RAISE(ABORT, 'audit rows are append-only: REPLACE refused');
    END""",
}

MIGRATIONS: list[str] = [
    # 1: sources, passages, full-text index, lexicon, interaction rules.
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

    CREATE TABLE sources (
        id            TEXT PRIMARY KEY,          -- key@version: one version of one document
        key           TEXT NOT NULL,             -- the document across versions
        tier          TEXT NOT NULL CHECK (tier IN ('guideline','label','research','regulatory')),
        title         TEXT NOT NULL,
        version       TEXT,
        issuer        TEXT,
        year          INTEGER,
        published     TEXT,
        effective     TEXT,
        url           TEXT,
        identifiers   TEXT NOT NULL DEFAULT '{}',
        status        TEXT NOT NULL DEFAULT 'current' CHECK (status IN ('current','superseded')),
        superseded_by TEXT,
        supersedes    TEXT,
        classes       TEXT NOT NULL DEFAULT '[]',
        meta          TEXT NOT NULL DEFAULT '{}',
        content_hash  TEXT NOT NULL,
        origin        TEXT NOT NULL,             -- 'pack' or the reader's format
        retrieved_at  TEXT NOT NULL
    );
    CREATE INDEX sources_key ON sources(key);
    CREATE INDEX sources_tier ON sources(tier, status);

    CREATE TABLE source_drugs (
        source_id TEXT NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
        drug      TEXT NOT NULL,
        PRIMARY KEY (source_id, drug)
    ) WITHOUT ROWID;
    CREATE INDEX source_drugs_drug ON source_drugs(drug);

    CREATE TABLE passages (
        id             INTEGER PRIMARY KEY,
        source_id      TEXT NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
        position       INTEGER NOT NULL,
        section        TEXT NOT NULL,
        title          TEXT,
        number         TEXT,
        text           TEXT NOT NULL,
        grade_scheme   TEXT,
        grade_strength TEXT,
        grade_evidence TEXT,
        about          TEXT NOT NULL DEFAULT '[]',
        concerns       TEXT NOT NULL DEFAULT '[]',
        facts          TEXT NOT NULL DEFAULT '{}',
        UNIQUE (source_id, position)
    );
    CREATE INDEX passages_section ON passages(section);
    -- Drugs and class keys a passage is about (pack items tag theirs), for evidence lookup.
    CREATE TABLE passage_tags (
        tag        TEXT NOT NULL,
        passage_id INTEGER NOT NULL REFERENCES passages(id) ON DELETE CASCADE,
        PRIMARY KEY (tag, passage_id)
    ) WITHOUT ROWID;
    CREATE INDEX passage_tags_passage ON passage_tags(passage_id);

    CREATE VIRTUAL TABLE passages_fts USING fts5(
        text, title, content='passages', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER passages_ai AFTER INSERT ON passages BEGIN
        INSERT INTO passages_fts(rowid, text, title) VALUES (new.id, new.text, new.title);
    END;
    CREATE TRIGGER passages_ad AFTER DELETE ON passages BEGIN
        INSERT INTO passages_fts(passages_fts, rowid, text, title)
        VALUES ('delete', old.id, old.text, old.title);
    END;

    CREATE TABLE drugs (
        name    TEXT PRIMARY KEY,                -- lower-case generic name
        classes TEXT NOT NULL DEFAULT '[]',
        brands  TEXT NOT NULL DEFAULT '[]',
        origin  TEXT NOT NULL
    );
    CREATE TABLE drug_aliases (
        alias  TEXT PRIMARY KEY,                 -- lower-case text as users write it
        names  TEXT NOT NULL,                    -- JSON list of generic names it means
        origin TEXT NOT NULL
    );
    CREATE TABLE classes (
        key     TEXT PRIMARY KEY,
        name    TEXT NOT NULL,
        aliases TEXT NOT NULL DEFAULT '[]',
        parents TEXT NOT NULL DEFAULT '[]'
    );
    CREATE TABLE concerns (key TEXT PRIMARY KEY, name TEXT NOT NULL);
    CREATE TABLE interactions (
        id          TEXT PRIMARY KEY,
        side_a      TEXT NOT NULL,               -- JSON list of drug names / class keys
        side_b      TEXT NOT NULL,
        severity    TEXT NOT NULL,
        mechanism   TEXT,
        consequence TEXT,
        management  TEXT,
        concerns    TEXT NOT NULL DEFAULT '[]',
        sources     TEXT NOT NULL DEFAULT '[]'   -- JSON list of passage ids
    );
    """,
    # 2: articles (stored answers, one row per question/audience/context) and their FTS index.
    """
    CREATE TABLE articles (
        seq          INTEGER PRIMARY KEY,        -- rowid, shared with articles_fts
        id           TEXT NOT NULL UNIQUE,       -- stable public id (hash of `key`)
        key          TEXT NOT NULL UNIQUE,       -- normalised question | audience | context
        slug         TEXT NOT NULL,
        question     TEXT NOT NULL,
        audience     TEXT NOT NULL,
        context      TEXT,                       -- JSON context the question was asked in
        parent_id    TEXT,                       -- the article this one follows up
        status       TEXT NOT NULL DEFAULT 'submitted',
        revision     INTEGER NOT NULL DEFAULT 1, -- current revision
        drugs        TEXT NOT NULL DEFAULT '[]', -- JSON: generic names, for filtering
        tiers        TEXT NOT NULL DEFAULT '[]', -- JSON: tiers with statements
        created_at   TEXT NOT NULL,
        updated_at   TEXT NOT NULL
    );
    CREATE INDEX articles_updated ON articles(updated_at);
    CREATE INDEX articles_parent ON articles(parent_id);
    CREATE TABLE article_revisions (
        article_id   TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        revision     INTEGER NOT NULL,
        answer       TEXT NOT NULL,              -- curbside.answer/1 JSON
        created_at   TEXT NOT NULL,
        PRIMARY KEY (article_id, revision)
    ) WITHOUT ROWID;
    CREATE VIRTUAL TABLE articles_fts USING fts5(
        question, body, tokenize='porter unicode61 remove_diacritics 2'
    );
    """,
    # 3: editorial review: accounts, sessions, review state, comments, the append-only audit
    # log, who wrote each revision, and which sources each revision cites (for living
    # evidence). Revisions and audit rows are immutable: triggers refuse UPDATE (and DELETE
    # of audit rows) whatever code path tries.
    """
    CREATE TABLE users (
        id            INTEGER PRIMARY KEY,
        username      TEXT NOT NULL UNIQUE COLLATE NOCASE,
        role          TEXT NOT NULL CHECK (role IN ('admin','editor','reviewer')),
        display_name  TEXT NOT NULL,
        credentials   TEXT,
        password_hash TEXT NOT NULL,
        disabled      INTEGER NOT NULL DEFAULT 0,
        failed_logins INTEGER NOT NULL DEFAULT 0,
        locked_until  TEXT,
        created_at    TEXT NOT NULL,
        password_changed_at TEXT NOT NULL
    );
    CREATE TABLE sessions (
        token_hash   TEXT PRIMARY KEY,           -- SHA-256 of the cookie value, never the value
        user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        csrf_token   TEXT NOT NULL,
        created_at   TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        expires_at   TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX sessions_user ON sessions(user_id);
    CREATE TABLE article_review (
        article_id        TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
        assignee_id       INTEGER REFERENCES users(id),
        claimed_at        TEXT,
        approved_by       INTEGER REFERENCES users(id),
        approved_at       TEXT,
        approved_revision INTEGER,
        retraction_notice TEXT,
        retracted_at      TEXT,
        sources_updated   INTEGER NOT NULL DEFAULT 0,  -- "sources updated since approval"
        sources_changed   TEXT NOT NULL DEFAULT '[]'   -- JSON [{old, new, title}]
    ) WITHOUT ROWID;
    CREATE TABLE review_comments (
        id          INTEGER PRIMARY KEY,
        article_id  TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        revision    INTEGER NOT NULL,
        statement   TEXT,                        -- locator, e.g. 'sections.0.1'; NULL: general
        user_id     INTEGER NOT NULL REFERENCES users(id),
        body        TEXT NOT NULL,
        created_at  TEXT NOT NULL
    );
    CREATE INDEX review_comments_article ON review_comments(article_id, revision);
    CREATE TABLE audit_log (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        at          TEXT NOT NULL,
        user_id     INTEGER,                     -- NULL: the system (e.g. living evidence)
        actor       TEXT NOT NULL,               -- username as it was, or 'system'
        action      TEXT NOT NULL,
        article_id  TEXT,
        revision    INTEGER,
        from_state  TEXT,
        to_state    TEXT,
        note        TEXT
    );
    CREATE INDEX audit_log_article ON audit_log(article_id, id);
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN
        SELECT RAISE(ABORT, 'audit rows are append-only: UPDATE refused');
    END;
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN
        SELECT RAISE(ABORT, 'audit rows are append-only: DELETE refused');
    END;
    -- INSERT OR REPLACE deletes the old row without firing DELETE triggers: refuse it too.
    CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log
    WHEN EXISTS (SELECT 1 FROM audit_log WHERE id = new.id) BEGIN
        SELECT RAISE(ABORT, 'audit rows are append-only: REPLACE refused');
    END;
    ALTER TABLE article_revisions ADD COLUMN author_id INTEGER REFERENCES users(id);
    ALTER TABLE article_revisions ADD COLUMN kind TEXT NOT NULL DEFAULT 'generated';
    ALTER TABLE article_revisions ADD COLUMN note TEXT;
    CREATE TRIGGER article_revisions_no_update BEFORE UPDATE ON article_revisions BEGIN
        SELECT RAISE(ABORT, 'article revisions are never altered: make a new revision');
    END;
    CREATE TRIGGER article_revisions_no_replace BEFORE INSERT ON article_revisions
    WHEN EXISTS (SELECT 1 FROM article_revisions WHERE article_id = new.article_id
                 AND revision = new.revision) BEGIN
        SELECT RAISE(ABORT, 'article revisions are never altered: make a new revision');
    END;
    CREATE TABLE article_sources (
        article_id TEXT NOT NULL,
        revision   INTEGER NOT NULL,
        source_id  TEXT NOT NULL,
        PRIMARY KEY (article_id, revision, source_id)
    ) WITHOUT ROWID;
    CREATE INDEX article_sources_source ON article_sources(source_id);
    CREATE TRIGGER article_revisions_sources AFTER INSERT ON article_revisions BEGIN
        INSERT OR IGNORE INTO article_sources(article_id, revision, source_id)
        SELECT new.article_id, new.revision, json_extract(j.value, '$.source_id')
        FROM json_each(new.answer, '$.references') j
        WHERE json_extract(j.value, '$.source_id') IS NOT NULL;
    END;
    INSERT OR IGNORE INTO article_sources(article_id, revision, source_id)
        SELECT r.article_id, r.revision, json_extract(j.value, '$.source_id')
        FROM article_revisions r, json_each(r.answer, '$.references') j
        WHERE json_extract(j.value, '$.source_id') IS NOT NULL;
    """,
    # 4: a document-level full-text index of research records (one row per source version:
    # its title and all its passages, in order). Search ranks an abstract's passage by its own
    # BM25 plus the whole abstract's, so an abstract whose parts together answer a query is
    # not split into weak pieces (label sections stand on their own and are not). Contentless
    # (the text already lives in `passages`); rows are removed with FTS5's 'delete' command
    # from the same title and text (Store._unindex_document).
    """
    CREATE VIRTUAL TABLE documents_fts USING fts5(
        title, body, content='', tokenize='porter unicode61 remove_diacritics 2'
    );
    INSERT INTO documents_fts(rowid, title, body)
        SELECT s.rowid, s.title, coalesce((SELECT group_concat(text, ' ') FROM
            (SELECT text FROM passages WHERE source_id = s.id ORDER BY position)), '')
        FROM sources s WHERE s.tier = 'research';
    """,
    # 5: passages reach the full-text index in one statement per file, at the end of its
    # transaction (Store.flush_index), not through a per-row trigger: FTS5 flushes its
    # pending terms at every statement, so a per-row trigger wrote one tiny segment per
    # passage. Deletions still go through the passages_ad trigger.
    """
    DROP TRIGGER passages_ai;
    """,
    # 6: problems readers report on an article ("Report a problem"): what is wrong, which
    # statement (an anchor such as 's-label-2', optional), an email for a reply (optional),
    # open until an editor resolves it. Each report and resolution also has an audit row.
    """
    CREATE TABLE reports (
        id          INTEGER PRIMARY KEY,
        article_id  TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        revision    INTEGER NOT NULL,
        statement   TEXT,
        body        TEXT NOT NULL,
        email       TEXT,
        status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','resolved')),
        created_at  TEXT NOT NULL,
        resolved_at TEXT,
        resolved_by INTEGER REFERENCES users(id),
        resolution  TEXT
    );
    CREATE INDEX reports_open ON reports(status, article_id);
    """,
    # 7: the passage and document index moves to tantivy (store/index.py), fed by an outbox
    # that these triggers fill in the same transaction as every passage change; the FTS5
    # tables of passages and documents go (the article library keeps its own FTS5 table).
    # The index of a migrated store is built from SQLite on first use.
    """
    DROP TRIGGER passages_ad;
    DROP TABLE passages_fts;
    DROP TABLE documents_fts;
    CREATE TABLE index_outbox (
        seq  INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused, so "applied up to" is exact
        kind TEXT NOT NULL CHECK (kind IN ('p', 'd')),   -- passage, or research document
        ref  INTEGER NOT NULL                    -- passages.id, or sources.rowid
    );
    CREATE TRIGGER outbox_passage_ai AFTER INSERT ON passages BEGIN
        INSERT INTO index_outbox(kind, ref) VALUES ('p', new.id);
    END;
    CREATE TRIGGER outbox_passage_au AFTER UPDATE ON passages BEGIN
        INSERT INTO index_outbox(kind, ref) VALUES ('p', new.id);
    END;
    CREATE TRIGGER outbox_passage_ad AFTER DELETE ON passages BEGIN
        INSERT INTO index_outbox(kind, ref) VALUES ('p', old.id);
    END;
    CREATE TRIGGER outbox_source_ai AFTER INSERT ON sources WHEN new.tier = 'research' BEGIN
        INSERT INTO index_outbox(kind, ref) VALUES ('d', new.rowid);
    END;
    CREATE TRIGGER outbox_source_ad AFTER DELETE ON sources WHEN old.tier = 'research' BEGIN
        INSERT INTO index_outbox(kind, ref) VALUES ('d', old.rowid);
    END;
    -- Status and tier are filter terms of every passage of the source.
    CREATE TRIGGER outbox_source_au AFTER UPDATE OF status, tier, title ON sources BEGIN
        INSERT INTO index_outbox(kind, ref) SELECT 'p', id FROM passages
            WHERE source_id = new.id;
        INSERT INTO index_outbox(kind, ref) SELECT 'd', new.rowid WHERE new.tier = 'research';
    END;
    -- The index records this id, so an index folder that belongs to another store (a copied
    -- or replaced file) is rebuilt rather than trusted.
    INSERT OR IGNORE INTO meta(key, value) VALUES ('store_id', lower(hex(randomblob(16))));
    """,
    # 8: ingest commits in batches (so the site's writes never wait for a whole file); the
    # journal lets a failed file's batches be taken back (store/journal.py).
    """
    CREATE TABLE ingest_runs (
        id         TEXT PRIMARY KEY,
        pid        INTEGER NOT NULL,             -- a run whose process is gone is an orphan
        started_at TEXT NOT NULL
    );
    CREATE TABLE ingest_journal (
        seq       INTEGER PRIMARY KEY,
        run       TEXT NOT NULL,
        file      TEXT NOT NULL,
        source_id TEXT NOT NULL,
        action    TEXT NOT NULL CHECK (action IN ('added', 'replaced', 'deleted', 'status')),
        before    TEXT                           -- JSON: the rows, or the old status
    );
    CREATE INDEX ingest_journal_run ON ingest_journal(run, file);
    """,
    # 9: a tamper-evident audit trail and sign-in throttling (issue 14). Each audit row gets
    # `prev_hash` and `hash` (review/audit.py chains them; older rows stay unchained).
    # `login_throttle` counts failed sign-ins per (name as typed, client address), so one
    # address's guesses never lock the account for everyone.
    """
    ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
    ALTER TABLE audit_log ADD COLUMN hash TEXT;
    CREATE TABLE login_throttle (
        username      TEXT NOT NULL,             -- lower case, as typed (may not exist)
        client        TEXT NOT NULL,             -- the rate-limit key of the address
        failures      INTEGER NOT NULL,
        last_failure  TEXT NOT NULL,
        blocked_until TEXT,
        PRIMARY KEY (username, client)
    ) WITHOUT ROWID;
    CREATE INDEX login_throttle_recent ON login_throttle(last_failure);
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)
