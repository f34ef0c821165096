-- Head office schema, version 2: KPI facts and follow-up calls.

-- One row per work order with what the KPIs of DOMAIN.md count, derived from the job, its
-- status history, its rating, its follow-ups and its return visits, and rewritten whenever one
-- of those changes (`kpi::refresh_facts`). The flags are 0/1 and 0 on cancelled jobs, so a KPI
-- is a plain sum; the two deadlines that depend on "now" are kept as instants. Clustered by
-- (priority, reported_at); the KPI page reads the covering index by technician and priority,
-- where every (technician, priority) pair's period is one range. Instants are ms since epoch.
CREATE TABLE job_facts (
    priority TEXT NOT NULL,
    reported_at INTEGER NOT NULL,
    job_id TEXT NOT NULL,
    assignee_id TEXT NOT NULL,      -- '' while unassigned
    status TEXT NOT NULL,
    live INTEGER NOT NULL,          -- not cancelled
    completed INTEGER NOT NULL,     -- completed or closed
    complete_minutes REAL NOT NULL, -- report → completion, 0 unless completed
    resp_ok INTEGER NOT NULL,       -- acknowledged by ack_due_at and on site by due_at
    resp_due INTEGER,               -- counts for response from then (0 once arrived; NULL when cancelled)
    res_due INTEGER,                -- counts as due from then (0 once completed; NULL when cancelled)
    ftf INTEGER NOT NULL,           -- completed, never on hold, no return visit within 30 days
    repeat INTEGER NOT NULL,        -- completed, and a return visit within 30 days
    rated INTEGER NOT NULL,
    satisfied INTEGER NOT NULL,     -- last rating ≥ 4
    complaints INTEGER NOT NULL,    -- complaints recorded on follow-up calls
    return_of TEXT,
    PRIMARY KEY (priority, reported_at, job_id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX job_facts_job ON job_facts(job_id);
CREATE INDEX job_facts_reported ON job_facts(reported_at);
CREATE INDEX job_facts_return ON job_facts(return_of);
CREATE INDEX job_facts_technician ON job_facts(assignee_id, priority, reported_at, live, completed,
    complete_minutes, resp_ok, resp_due, res_due, ftf, repeat, rated, satisfied, complaints);

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
