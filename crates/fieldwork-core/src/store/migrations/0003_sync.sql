-- Fieldwork local store, schema 3: sync with head office.
-- What head office refused or flagged (rejected mutations, conflicts), kept to show the
-- technician; the record as head office sent it, as JSON.
CREATE TABLE sync_issues (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('rejection', 'conflict')),
    job_id     TEXT,
    record     TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX sync_issues_by_job ON sync_issues(job_id);

-- Jobs head office took away from this device (reassigned) while changes to them were still
-- waiting in the outbox: dropped once those changes are pushed.
CREATE TABLE pending_removals (
    job_id TEXT PRIMARY KEY
) STRICT;

-- Media files this device must upload (photos and signatures it recorded) and download
-- (photos and signatures of its jobs recorded elsewhere), by SHA-256. An upload stays queued
-- until head office confirms it holds the file; the local copy is never removed before that.
CREATE TABLE blob_transfers (
    sha256    TEXT PRIMARY KEY,
    direction TEXT NOT NULL CHECK (direction IN ('up', 'down')),
    queued_at INTEGER NOT NULL
) STRICT;
