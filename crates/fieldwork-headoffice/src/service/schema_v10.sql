-- Head office schema, version 10: what the field gives back to the knowledge base (issue 15).
-- Bodies are JSON (`fieldwork_domain::kb_field`); instants are milliseconds since the epoch.

-- An article marked as used on a job: one row per job and article, the latest mark by its time.
CREATE TABLE kb_article_uses (
    -- "{job_id}/{article_id}": the change feed's key of the mark.
    id              TEXT PRIMARY KEY,
    job_id          TEXT NOT NULL REFERENCES work_orders (id),
    article_id      TEXT NOT NULL REFERENCES kb_articles (id),
    technician_id   TEXT NOT NULL,
    outcome         TEXT NOT NULL CHECK (outcome IN ('fixed', 'did_not_help')),
    at              INTEGER NOT NULL,
    -- The `ArticleUse` as the device recorded it.
    body            TEXT NOT NULL
);
CREATE INDEX kb_article_uses_article ON kb_article_uses (article_id);
CREATE INDEX kb_article_uses_job ON kb_article_uses (job_id);

-- Fixes shared from completed jobs, waiting for review or decided.
CREATE TABLE kb_proposals (
    id            TEXT PRIMARY KEY,
    job_id        TEXT NOT NULL REFERENCES work_orders (id),
    -- Who shared it: the only technician whose laptops receive it back.
    technician_id TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'merged', 'declined')),
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    -- The `ProposalReview`: the proposal as shared and the decision on it.
    body          TEXT NOT NULL
);
CREATE INDEX kb_proposals_status ON kb_proposals (status, created_at);
