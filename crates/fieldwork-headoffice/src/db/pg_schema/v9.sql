-- Head office's PostgreSQL schema at version 9: SQLite's schema_v9.sql (the knowledge base;
-- read it for the columns), in PostgreSQL's types.
CREATE TABLE kb_articles (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL CHECK (status IN ('draft', 'published', 'withdrawn')),
    latest_version BIGINT NOT NULL,
    published_version BIGINT,
    category TEXT NOT NULL,
    search_text TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    published_body TEXT
);
CREATE INDEX kb_articles_updated ON kb_articles (updated_at);

CREATE TABLE kb_article_versions (
    article_id TEXT NOT NULL REFERENCES kb_articles (id),
    version BIGINT NOT NULL,
    author TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (article_id, version)
);

CREATE VIEW kb_published AS
    SELECT id, published_body AS body FROM kb_articles WHERE published_body IS NOT NULL;

CREATE TABLE past_fixes (
    job_id TEXT PRIMARY KEY REFERENCES work_orders (id),
    id TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL
);
