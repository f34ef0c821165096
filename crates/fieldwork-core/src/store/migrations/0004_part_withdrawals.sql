-- Fieldwork local store, schema 4: withdrawing a part line before completion.
-- Insert-only, like photo deletions: a tombstone naming the part line. The part line stays;
-- every reader (parts, totals, signed facts, report) skips withdrawn lines. A quantity
-- correction is a new part line recorded with the withdrawal of the old one (`replaced_by`).
CREATE TABLE part_withdrawals (
    part_used_id TEXT NOT NULL,
    job_seq      INTEGER NOT NULL REFERENCES work_orders(seq),
    reason       TEXT,
    replaced_by  TEXT,
    actor        TEXT NOT NULL,
    withdrawn_at INTEGER NOT NULL,
    hlc          TEXT NOT NULL,
    PRIMARY KEY (job_seq, part_used_id)
) STRICT, WITHOUT ROWID;
