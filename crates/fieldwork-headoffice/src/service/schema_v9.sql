-- Head office schema, version 9: the service knowledge base (issue 15). An article is written
-- as versions (`kb_article_versions`: each saved change is the next version, never edited
-- afterwards, so older versions stay readable); `kb_articles` holds where each article stands.
-- Instants are milliseconds since the epoch (UTC); bodies are JSON (`fieldwork_domain::kb`).
CREATE TABLE kb_articles (
    id               TEXT PRIMARY KEY,
    -- 'draft' (never published), 'published' (a version is on the laptops; a newer draft may
    -- wait for review) or 'withdrawn' (taken back from the laptops).
    status           TEXT NOT NULL CHECK (status IN ('draft', 'published', 'withdrawn')),
    latest_version   INTEGER NOT NULL,
    -- The version the laptops hold; NULL when none.
    published_version INTEGER,
    category         TEXT NOT NULL,
    -- Titles, brands, models and fault codes of the latest version, lower case: the console's
    -- search.
    search_text      TEXT NOT NULL,
    updated_at       INTEGER NOT NULL,
    -- The published version as the laptops receive it (an `Article`, status 'published'), or
    -- NULL when nothing is published: what the change feed's 'kb_article' rows carry.
    published_body   TEXT
);
CREATE INDEX kb_articles_updated ON kb_articles (updated_at);

CREATE TABLE kb_article_versions (
    article_id TEXT NOT NULL REFERENCES kb_articles (id),
    version    INTEGER NOT NULL,
    author     TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    -- The `Article` as written (status 'draft').
    body       TEXT NOT NULL,
    PRIMARY KEY (article_id, version)
);

-- The published bodies by id, for the pull's prefetch (one query per page for every article).
CREATE VIEW kb_published AS
    SELECT id, published_body AS body FROM kb_articles WHERE published_body IS NOT NULL;

-- The team's past fixes: a completed or closed job with a resolution, reduced to what helps the
-- next technician and cleared of personal details (`fieldwork_domain::kb::PastFix`), sent to
-- every laptop. Removed when the job is reopened.
CREATE TABLE past_fixes (
    job_id TEXT PRIMARY KEY REFERENCES work_orders (id),
    -- The fix's own id, what laptops know it by (never the job's).
    id     TEXT NOT NULL UNIQUE,
    body   TEXT NOT NULL
);
