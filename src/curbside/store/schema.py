"""The store's schema as an ordered list of migrations.

`PRAGMA user_version` records how many have run. A store made by an older Curbside opens
in a newer one (the missing migrations run, in one transaction each); a store made by a
newer Curbside is refused rather than misread.
"""

from __future__ import annotations

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
]

SCHEMA_VERSION = len(MIGRATIONS)
