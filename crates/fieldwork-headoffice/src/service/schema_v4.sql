-- Head office schema, version 4: the follow-up and complaint-closing KPIs.

-- A complaint is closed with a documented outcome (in the body); when, for the KPI queries.
ALTER TABLE follow_ups ADD COLUMN resolved_at INTEGER;
CREATE INDEX follow_ups_complaints ON follow_ups(job_id) WHERE complaint_grade IS NOT NULL;

-- Follow-up call after completion: made within the window (0/1), and when it falls due
-- (0 once called; completion + window while not; NULL unless completed), like `resp_due`.
ALTER TABLE job_facts ADD COLUMN fu_ok INTEGER NOT NULL DEFAULT 0;
ALTER TABLE job_facts ADD COLUMN fu_due INTEGER;

-- The KPI page's covering index, with the new facts.
DROP INDEX job_facts_technician;
CREATE INDEX job_facts_technician ON job_facts(assignee_id, priority, reported_at, live, completed,
    complete_minutes, resp_ok, resp_due, res_due, ftf, repeat, rated, satisfied, complaints,
    fu_ok, fu_due);
