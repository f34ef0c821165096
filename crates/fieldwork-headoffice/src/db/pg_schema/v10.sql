-- Head office's PostgreSQL schema at version 10: SQLite's schema_v10.sql (articles used on jobs
-- and fixes shared for review; read it for the columns), in PostgreSQL's types.
CREATE TABLE kb_article_uses (
    id TEXT PRIMARY KEY,
    job_id TEXT NOT NULL REFERENCES work_orders (id),
    article_id TEXT NOT NULL REFERENCES kb_articles (id),
    technician_id TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('fixed', 'did_not_help')),
    at BIGINT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX kb_article_uses_article ON kb_article_uses (article_id);
CREATE INDEX kb_article_uses_job ON kb_article_uses (job_id);

CREATE TABLE kb_proposals (
    id TEXT PRIMARY KEY,
    job_id TEXT NOT NULL REFERENCES work_orders (id),
    technician_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'merged', 'declined')),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX kb_proposals_status ON kb_proposals (status, created_at);
