-- Head office schema, version 2: KPI facts and follow-up calls.

-- One row per work order with what the KPIs of DOMAIN.md need, as plain integers (ms since the
-- epoch): derived from the job, its status history, its rating, its follow-ups and its return
-- visits, and rewritten whenever one of those changes (`kpi::refresh_facts`). Clustered by
-- (reported_at, job_id) so a period is one sequential range.
CREATE TABLE job_facts (
    reported_at INTEGER NOT NULL,
    job_id TEXT NOT NULL,
    priority TEXT NOT NULL,
    status TEXT NOT NULL,
    assignee_id TEXT,
    ack_due_at INTEGER NOT NULL,
    due_at INTEGER NOT NULL,
    complete_due_at INTEGER,
    -- First move out of `new` (the request was acknowledged).
    acked_at INTEGER,
    -- First arrival on site.
    arrived_at INTEGER,
    -- Last move to `completed` (NULL unless the job is completed or closed now).
    completed_at INTEGER,
    -- 1 when the job went on hold (it needed another visit).
    held INTEGER NOT NULL DEFAULT 0,
    return_of TEXT,
    -- Earliest report of a return visit that follows this job up.
    first_return_at INTEGER,
    -- The last rating given (1 to 5).
    rating INTEGER,
    complaints INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (reported_at, job_id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX job_facts_job ON job_facts(job_id);
CREATE INDEX job_facts_assignee ON job_facts(assignee_id, reported_at);
CREATE INDEX job_facts_return ON job_facts(return_of);

-- The follow-up calls dispatchers make after completion, with the complaint when there is one.
CREATE TABLE follow_ups (
    id TEXT PRIMARY KEY,
    job_id TEXT NOT NULL REFERENCES work_orders(id),
    at INTEGER NOT NULL,
    complaint_grade TEXT CHECK (complaint_grade IN ('general', 'major')),
    body TEXT NOT NULL
);
CREATE INDEX follow_ups_job ON follow_ups(job_id, at);
CREATE INDEX follow_ups_major ON follow_ups(complaint_grade, at);
