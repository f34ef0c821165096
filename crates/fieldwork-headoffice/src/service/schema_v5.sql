-- Head office schema, version 5: device times judged, and satisfaction from the customer's
-- latest word (the facts of every job are derived again by the migration).

-- A status change a device reported: the time it claimed stays in the change's body; here the
-- time head office received it and the time SLA and KPIs use (`crate::device_time::judge`).
-- Changes made at head office, and devices' changes from before version 5, have no row: their
-- own time is used.
CREATE TABLE IF NOT EXISTS status_times (
    change_id TEXT PRIMARY KEY REFERENCES status_changes(id),
    received_at INTEGER NOT NULL,
    trusted_at INTEGER NOT NULL,
    plausible INTEGER NOT NULL
) WITHOUT ROWID;
