-- Head office's PostgreSQL schema at version 7: the SQLite schema after its migrations 1 to 7
-- (store/sqlite/schema*.sql), in PostgreSQL's types, so the rules' portable SQL runs unchanged
-- on both. Read those files for what each table and column means; only the differences are
-- said here:
--
-- - integers and instants (ms since the epoch) are BIGINT, reals DOUBLE PRECISION;
-- - flags (0/1 in SQLite) are BOOLEAN: job types' and parts' `active`, conflicts' `resolved`,
--   status times' `plausible`, and the KPI facts' flags (`live`, `completed`, `resp_ok`, `ftf`,
--   `repeat`, `rated`, `satisfied`, `fu_ok`; the rules count them with
--   `SUM(CASE WHEN flag THEN 1 ELSE 0 END)`); `complaints` is a count (BIGINT);
-- - text and JSON bodies are TEXT (read with `json_extract`, defined below), blobs BYTEA;
-- - users' case-insensitive unique name (SQLite's COLLATE NOCASE) is a unique index on
--   lower(name);
-- - there is no `WITHOUT ROWID`: every table is a heap, the primary keys are the same.
--
-- A PostgreSQL database starts at version 7: there were never PostgreSQL databases at older
-- versions, so the history of 1 to 6 (and SQLite's version 5 and 7 backfills of existing rows)
-- has nothing to convert here. Later versions are new files beside this one, applied in order.

-- SQLite's json_extract for the paths the rules use ('$', '$.a', '$.a.b', '$.a[0]'): a string
-- comes back as its text, a number as its digits, true/false as '1'/'0' (SQLite's 1/0), null
-- or a missing member as NULL, an object or array as its JSON text. NULL document or path:
-- NULL. Unlike SQLite it always returns text; compare it with text, or CAST it.
CREATE FUNCTION json_extract(doc TEXT, path TEXT) RETURNS TEXT
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT CASE json_typeof(v)
        WHEN 'string' THEN v #>> '{}'
        WHEN 'boolean' THEN CASE WHEN v::text = 'true' THEN '1' ELSE '0' END
        WHEN 'null' THEN NULL
        ELSE v::text
    END
    FROM (SELECT (doc::json) #> CASE
        WHEN path = '$' THEN '{}'::text[]
        WHEN path LIKE '$.%' OR path LIKE '$[%' THEN string_to_array(
            ltrim(regexp_replace(substr(path, 2), '\[(\d+)\]', '.\1', 'g'), '.'), '.')
        ELSE NULL
    END AS v) AS t
$$;

CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE technicians (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    body TEXT NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('technician', 'dispatcher', 'admin')),
    password_hash TEXT NOT NULL,
    technician_id TEXT REFERENCES technicians(id),
    created_at BIGINT NOT NULL,
    disabled_at BIGINT
);
-- SQLite: `name TEXT NOT NULL UNIQUE COLLATE NOCASE`.
CREATE UNIQUE INDEX users_name ON users (lower(name));

CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT,
    revoked_at BIGINT,
    last_applied_seq BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

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
    body TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    default_duration_minutes BIGINT
);

CREATE TABLE parts (
    part_no TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE
);

CREATE TABLE work_orders (
    id TEXT PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    priority TEXT NOT NULL,
    assignee_id TEXT REFERENCES technicians(id),
    customer_id TEXT NOT NULL REFERENCES customers(id),
    site_id TEXT NOT NULL REFERENCES sites(id),
    equipment_id TEXT REFERENCES equipment(id),
    plan_at BIGINT NOT NULL,
    search_text TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX work_orders_assignee ON work_orders(assignee_id, plan_at);
CREATE INDEX work_orders_status ON work_orders(status, plan_at);
CREATE INDEX work_orders_plan ON work_orders(plan_at);
CREATE INDEX work_orders_customer ON work_orders(customer_id);
CREATE INDEX work_orders_site ON work_orders(site_id);
CREATE INDEX work_orders_equipment ON work_orders(equipment_id);

CREATE TABLE field_clocks (
    job_id TEXT NOT NULL REFERENCES work_orders(id),
    field TEXT NOT NULL,
    hlc TEXT NOT NULL,
    PRIMARY KEY (job_id, field)
);

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
CREATE TABLE photo_deletions (photo_id TEXT PRIMARY KEY REFERENCES photos(id), job_id TEXT NOT NULL, at BIGINT NOT NULL);
CREATE TABLE signatures (id TEXT PRIMARY KEY, job_id TEXT NOT NULL REFERENCES work_orders(id), png_sha256 TEXT, strokes TEXT, body TEXT NOT NULL);
CREATE INDEX signatures_job ON signatures(job_id);
CREATE TABLE status_changes (id TEXT PRIMARY KEY, job_id TEXT NOT NULL REFERENCES work_orders(id), hlc TEXT NOT NULL, body TEXT NOT NULL);
CREATE INDEX status_changes_job ON status_changes(job_id, hlc);
CREATE TABLE checklist_answers (
    job_id TEXT NOT NULL REFERENCES work_orders(id),
    item_key TEXT NOT NULL,
    value TEXT NOT NULL,
    answered_at BIGINT NOT NULL,
    PRIMARY KEY (job_id, item_key)
);

CREATE TABLE device_mutations (
    device_id TEXT NOT NULL REFERENCES devices(id),
    seq BIGINT NOT NULL,
    mutation_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    job_id TEXT,
    outcome TEXT NOT NULL CHECK (outcome IN ('applied', 'rejected', 'conflict')),
    code TEXT,
    reason TEXT,
    conflict_id TEXT,
    payload TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (device_id, seq)
);
CREATE INDEX device_mutations_job ON device_mutations(job_id, outcome);

CREATE TABLE conflicts (
    id TEXT PRIMARY KEY,
    job_id TEXT NOT NULL REFERENCES work_orders(id),
    resolved BOOLEAN NOT NULL DEFAULT FALSE,
    body TEXT NOT NULL
);
CREATE INDEX conflicts_job ON conflicts(job_id);

CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY,
    size BIGINT NOT NULL,
    stored_at BIGINT NOT NULL
);

-- The change feed: `version` is taken from a counter inside the writing transaction, and
-- writes are serialised by an advisory lock (db::postgres::PgBackend::write), so versions
-- commit in number order, as on SQLite.
CREATE TABLE change_feed (
    version BIGINT PRIMARY KEY,
    tx BIGINT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    job_id TEXT,
    scope TEXT
);

-- The KPI facts (SQLite's versions 2 and 4).
CREATE TABLE job_facts (
    priority TEXT NOT NULL,
    reported_at BIGINT NOT NULL,
    job_id TEXT NOT NULL,
    assignee_id TEXT NOT NULL,
    status TEXT NOT NULL,
    live BOOLEAN NOT NULL,
    completed BOOLEAN NOT NULL,
    complete_minutes DOUBLE PRECISION NOT NULL,
    resp_ok BOOLEAN NOT NULL,
    resp_due BIGINT,
    res_due BIGINT,
    ftf BOOLEAN NOT NULL,
    repeat BOOLEAN NOT NULL,
    rated BOOLEAN NOT NULL,
    satisfied BOOLEAN NOT NULL,
    complaints BIGINT NOT NULL,
    return_of TEXT,
    fu_ok BOOLEAN NOT NULL DEFAULT FALSE,
    fu_due BIGINT,
    PRIMARY KEY (priority, reported_at, job_id)
);
CREATE UNIQUE INDEX job_facts_job ON job_facts(job_id);
CREATE INDEX job_facts_reported ON job_facts(reported_at);
CREATE INDEX job_facts_return ON job_facts(return_of);
CREATE INDEX job_facts_technician ON job_facts(assignee_id, priority, reported_at, live, completed,
    complete_minutes, resp_ok, resp_due, res_due, ftf, repeat, rated, satisfied, complaints,
    fu_ok, fu_due);

CREATE TABLE follow_ups (
    id TEXT PRIMARY KEY,
    job_id TEXT NOT NULL REFERENCES work_orders(id),
    at BIGINT NOT NULL,
    complaint_grade TEXT CHECK (complaint_grade IN ('general', 'major')),
    body TEXT NOT NULL,
    resolved_at BIGINT
);
CREATE INDEX follow_ups_job ON follow_ups(job_id, at);
CREATE INDEX follow_ups_major ON follow_ups(complaint_grade, at);
CREATE INDEX follow_ups_complaints ON follow_ups(job_id) WHERE complaint_grade IS NOT NULL;

CREATE TABLE status_times (
    change_id TEXT PRIMARY KEY REFERENCES status_changes(id),
    received_at BIGINT NOT NULL,
    trusted_at BIGINT NOT NULL,
    plausible BOOLEAN NOT NULL
);

CREATE TABLE part_withdrawals (
    part_used_id TEXT PRIMARY KEY REFERENCES parts_used(id),
    job_id TEXT NOT NULL,
    actor TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX part_withdrawals_job ON part_withdrawals(job_id);

CREATE TABLE blob_holders (
    sha256 TEXT NOT NULL,
    technician_id TEXT NOT NULL,
    PRIMARY KEY (sha256, technician_id)
);
