-- Head office schema, version 1. Records are stored as the core's JSON (`body`) next to the
-- columns that are searched, filtered or joined on; one write function per table keeps the two
-- in step.

CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

CREATE TABLE technicians (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    body TEXT NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    role TEXT NOT NULL CHECK (role IN ('technician', 'dispatcher', 'admin')),
    password_hash TEXT NOT NULL,
    technician_id TEXT REFERENCES technicians(id),
    created_at INTEGER NOT NULL
);

CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER,
    revoked_at INTEGER,
    -- Exactly-once push: the highest seq committed for this device.
    last_applied_seq INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE customers (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    phone TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX customers_name ON customers(name);

CREATE TABLE sites (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(id),
    address TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX sites_customer ON sites(customer_id);

CREATE TABLE equipment (
    id TEXT PRIMARY KEY,
    site_id TEXT NOT NULL REFERENCES sites(id),
    serial TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX equipment_site ON equipment(site_id);

CREATE TABLE job_types (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL
);

CREATE TABLE parts (
    part_no TEXT PRIMARY KEY,
    body TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE work_orders (
    id TEXT PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    priority TEXT NOT NULL,
    assignee_id TEXT REFERENCES technicians(id),
    customer_id TEXT NOT NULL REFERENCES customers(id),
    site_id TEXT NOT NULL REFERENCES sites(id),
    equipment_id TEXT REFERENCES equipment(id),
    -- Appointment start, or the due time while unscheduled: what the date filter looks at.
    plan_at INTEGER NOT NULL,
    -- Lower-case number, problem, customer name and phone, address: what the text filter scans.
    search_text TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX work_orders_assignee ON work_orders(assignee_id, plan_at);
CREATE INDEX work_orders_status ON work_orders(status, plan_at);
CREATE INDEX work_orders_plan ON work_orders(plan_at);
CREATE INDEX work_orders_customer ON work_orders(customer_id);
CREATE INDEX work_orders_site ON work_orders(site_id);
CREATE INDEX work_orders_equipment ON work_orders(equipment_id);

-- Per-field clocks of the shared scalar fields and checklist items (`checklist:<key>`): the HLC
-- of the write that set the current value.
CREATE TABLE field_clocks (
    job_id TEXT NOT NULL REFERENCES work_orders(id),
    field TEXT NOT NULL,
    hlc TEXT NOT NULL,
    PRIMARY KEY (job_id, field)
) WITHOUT ROWID;

-- Insert-only facts, one table each, keyed by the id the device gave them.
CREATE TABLE notes (id TEXT PRIMARY KEY, job_id TEXT NOT NULL REFERENCES work_orders(id), body TEXT NOT NULL);
CREATE INDEX notes_job ON notes(job_id);
CREATE TABLE parts_used (id TEXT PRIMARY KEY, job_id TEXT NOT NULL REFERENCES work_orders(id), body TEXT NOT NULL);
CREATE INDEX parts_used_job ON parts_used(job_id);
CREATE TABLE time_entries (id TEXT PRIMARY KEY, job_id TEXT NOT NULL REFERENCES work_orders(id), body TEXT NOT NULL);
CREATE INDEX time_entries_job ON time_entries(job_id);
CREATE TABLE feedback (id TEXT PRIMARY KEY, job_id TEXT NOT NULL REFERENCES work_orders(id), body TEXT NOT NULL);
CREATE INDEX feedback_job ON feedback(job_id);
CREATE TABLE photos (id TEXT PRIMARY KEY, job_id TEXT NOT NULL REFERENCES work_orders(id), sha256 TEXT NOT NULL, body TEXT NOT NULL);
CREATE INDEX photos_job ON photos(job_id);
CREATE INDEX photos_sha ON photos(sha256);
-- A withdrawn photo: the row stays, `deleted_at` hides it.
CREATE TABLE photo_deletions (photo_id TEXT PRIMARY KEY REFERENCES photos(id), job_id TEXT NOT NULL, at INTEGER NOT NULL) WITHOUT ROWID;
-- `strokes` is the pen path the device recorded, kept for evidence.
CREATE TABLE signatures (id TEXT PRIMARY KEY, job_id TEXT NOT NULL REFERENCES work_orders(id), png_sha256 TEXT, strokes TEXT, body TEXT NOT NULL);
CREATE INDEX signatures_job ON signatures(job_id);
CREATE TABLE status_changes (id TEXT PRIMARY KEY, job_id TEXT NOT NULL REFERENCES work_orders(id), hlc TEXT NOT NULL, body TEXT NOT NULL);
CREATE INDEX status_changes_job ON status_changes(job_id, hlc);
CREATE TABLE checklist_answers (
    job_id TEXT NOT NULL REFERENCES work_orders(id),
    item_key TEXT NOT NULL,
    value TEXT NOT NULL,
    answered_at INTEGER NOT NULL,
    PRIMARY KEY (job_id, item_key)
) WITHOUT ROWID;

-- Every pushed entry with its outcome: makes retries answer the same, and keeps rejections
-- (with the full mutation) for dispatchers.
CREATE TABLE device_mutations (
    device_id TEXT NOT NULL REFERENCES devices(id),
    seq INTEGER NOT NULL,
    mutation_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    job_id TEXT,
    outcome TEXT NOT NULL CHECK (outcome IN ('applied', 'rejected', 'conflict')),
    code TEXT,
    reason TEXT,
    conflict_id TEXT,
    payload TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (device_id, seq)
) WITHOUT ROWID;
CREATE INDEX device_mutations_job ON device_mutations(job_id, outcome);

CREATE TABLE conflicts (
    id TEXT PRIMARY KEY,
    job_id TEXT NOT NULL REFERENCES work_orders(id),
    resolved INTEGER NOT NULL DEFAULT 0,
    body TEXT NOT NULL
);
CREATE INDEX conflicts_job ON conflicts(job_id);

CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    stored_at INTEGER NOT NULL
) WITHOUT ROWID;

-- The change feed. `version` comes from a counter incremented inside the writing transaction;
-- `tx` is the first version of that transaction (pages end where `tx` changes). `scope` names
-- the technician a tombstone or rejection is for; other rows are scoped at pull time.
CREATE TABLE change_feed (
    version INTEGER PRIMARY KEY,
    tx INTEGER NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    job_id TEXT,
    scope TEXT
);
