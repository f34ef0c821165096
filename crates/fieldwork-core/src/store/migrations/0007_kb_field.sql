-- Fieldwork local store, schema 7: what the technician gives back to the knowledge base.
-- Articles marked as used on a job ("this fixed it" / "did not help"): one row per job and
-- article, the latest mark. `at` orders marks made on different laptops of the job.
CREATE TABLE kb_article_uses (
    job_seq         INTEGER NOT NULL REFERENCES work_orders (seq),
    article_id      TEXT NOT NULL,
    article_version INTEGER NOT NULL,
    outcome         TEXT NOT NULL CHECK (outcome IN ('fixed', 'did_not_help')),
    at              INTEGER NOT NULL,
    PRIMARY KEY (job_seq, article_id)
) STRICT, WITHOUT ROWID;

-- Fixes this technician shared from completed jobs, and what head office's review made of them
-- (`body`: the `fieldwork_domain::kb_field::ProposalReview` JSON). Kept when the job leaves the
-- laptop: the technician still learns whether it was taken or why it was declined.
CREATE TABLE kb_proposals (
    id         TEXT PRIMARY KEY,
    job_id     TEXT NOT NULL,
    status     TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    body       TEXT NOT NULL
) STRICT;
CREATE INDEX kb_proposals_by_job ON kb_proposals (job_id);
