-- Head office schema, version 6: part lines withdrawn (or corrected) before completion.
-- Insert-only, like photo_deletions: the part line stays in parts_used; readers skip it.
-- `body` is the core's PartWithdrawal as pushed; `actor` the technician who withdrew it.
CREATE TABLE part_withdrawals (
    part_used_id TEXT PRIMARY KEY REFERENCES parts_used(id),
    job_id       TEXT NOT NULL,
    actor        TEXT NOT NULL,
    body         TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX part_withdrawals_job ON part_withdrawals(job_id);
