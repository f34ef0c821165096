-- Fieldwork local store, schema 1.
-- Instants are INTEGER milliseconds since the Unix epoch, UTC; calendar dates are 'YYYY-MM-DD'.
-- Ids are UUIDv7 text. Money is integer minor units (cents). Rows that belong to a job refer to
-- it by its local row number (work_orders.seq), which keeps them and their indexes small.
-- Insert-only facts (notes, parts, time entries, feedback, photos, signatures, status changes)
-- carry the hybrid-logical-clock stamp of the mutation that made them. They are stored clustered
-- by job (PRIMARY KEY (job_seq, id), WITHOUT ROWID): one b-tree per table, a job's facts on
-- adjacent pages, and an id (which always belongs to one job) still identifies a row for sync.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE technicians (
    id     TEXT PRIMARY KEY,
    name   TEXT NOT NULL,
    phone  TEXT,
    email  TEXT,
    skills TEXT NOT NULL DEFAULT '[]',
    active INTEGER NOT NULL DEFAULT 1
) STRICT, WITHOUT ROWID;

CREATE TABLE customers (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    phone      TEXT NOT NULL,
    alt_phone  TEXT,
    email      TEXT,
    created_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX customers_by_phone ON customers(phone);

CREATE TABLE sites (
    id            TEXT PRIMARY KEY,
    customer_id   TEXT NOT NULL REFERENCES customers(id),
    address       TEXT NOT NULL,
    city          TEXT NOT NULL,
    postal_code   TEXT,
    access_notes  TEXT,
    contact_name  TEXT,
    contact_phone TEXT
) STRICT, WITHOUT ROWID;
CREATE INDEX sites_by_customer ON sites(customer_id);

CREATE TABLE equipment (
    id           TEXT PRIMARY KEY,
    site_id      TEXT NOT NULL REFERENCES sites(id),
    category     TEXT NOT NULL,
    brand        TEXT NOT NULL,
    model        TEXT NOT NULL,
    serial       TEXT NOT NULL,
    purchased_on TEXT,
    installed_on TEXT,
    warranty_end TEXT
) STRICT, WITHOUT ROWID;
CREATE INDEX equipment_by_site ON equipment(site_id);
CREATE INDEX equipment_by_serial ON equipment(serial);

CREATE TABLE job_types (
    id                   TEXT PRIMARY KEY,
    code                 TEXT NOT NULL UNIQUE,
    name                 TEXT NOT NULL,
    name_zh              TEXT NOT NULL,
    required_photo_kinds TEXT NOT NULL DEFAULT '[]'
) STRICT;

CREATE TABLE checklist_items (
    job_type_id TEXT NOT NULL REFERENCES job_types(id),
    key         TEXT NOT NULL,
    position    INTEGER NOT NULL,
    label       TEXT NOT NULL,
    label_zh    TEXT NOT NULL,
    kind        TEXT NOT NULL,
    required    INTEGER NOT NULL,
    unit        TEXT,
    options     TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (job_type_id, key)
) STRICT, WITHOUT ROWID;

CREATE TABLE parts_catalogue (
    part_no          TEXT PRIMARY KEY,
    description      TEXT NOT NULL,
    description_zh   TEXT NOT NULL,
    unit_price_cents INTEGER NOT NULL CHECK (unit_price_cents >= 0)
) STRICT;

CREATE TABLE work_orders (
    seq                      INTEGER PRIMARY KEY,  -- local row number; also the search rowid
    id                       TEXT NOT NULL UNIQUE,
    number                   TEXT NOT NULL UNIQUE,
    job_type_id              TEXT NOT NULL REFERENCES job_types(id),
    priority                 TEXT NOT NULL,
    status                   TEXT NOT NULL,
    customer_id              TEXT NOT NULL REFERENCES customers(id),
    site_id                  TEXT NOT NULL REFERENCES sites(id),
    equipment_id             TEXT REFERENCES equipment(id),
    reported_problem         TEXT NOT NULL,
    reported_at              INTEGER NOT NULL,
    appointment_start        INTEGER,
    appointment_end          INTEGER,
    assignee_id              TEXT REFERENCES technicians(id),
    owner_dispatcher         TEXT NOT NULL,
    ack_due_at               INTEGER NOT NULL,
    due_at                   INTEGER NOT NULL,
    complete_due_at          INTEGER,
    warranty_status          TEXT NOT NULL,
    chargeable               INTEGER NOT NULL,
    diagnosis                TEXT,
    resolution               TEXT,
    signature_absence_reason TEXT,
    return_of                TEXT REFERENCES work_orders(id),
    -- Per-field hybrid-logical-clock stamps of shared scalar fields, for last-writer-wins merge.
    field_clocks             TEXT NOT NULL DEFAULT '{}',
    created_at               INTEGER NOT NULL,
    updated_at               INTEGER NOT NULL,
    CHECK (appointment_end IS NULL OR appointment_start <= appointment_end)
) STRICT;
CREATE INDEX work_orders_by_assignee_day ON work_orders(assignee_id, appointment_start);
CREATE INDEX work_orders_by_day ON work_orders(appointment_start);
CREATE INDEX work_orders_by_status ON work_orders(status, appointment_start);
CREATE INDEX work_orders_by_site ON work_orders(site_id, reported_at);
CREATE INDEX work_orders_by_equipment ON work_orders(equipment_id, reported_at);

CREATE TABLE status_changes (
    id          TEXT NOT NULL,
    job_seq     INTEGER NOT NULL REFERENCES work_orders(seq),
    from_status TEXT,
    to_status   TEXT NOT NULL,
    reason      TEXT,
    actor       TEXT NOT NULL,
    at          INTEGER NOT NULL,
    hlc         TEXT NOT NULL,
    PRIMARY KEY (job_seq, id)
) STRICT, WITHOUT ROWID;

CREATE TABLE checklist_answers (
    job_seq     INTEGER NOT NULL REFERENCES work_orders(seq),
    item_key    TEXT NOT NULL,
    value       TEXT NOT NULL,  -- JSON ChecklistValue
    answered_at INTEGER NOT NULL,
    hlc         TEXT NOT NULL,
    PRIMARY KEY (job_seq, item_key)
) STRICT, WITHOUT ROWID;

CREATE TABLE notes (
    id         TEXT NOT NULL,
    job_seq    INTEGER NOT NULL REFERENCES work_orders(seq),
    author     TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    hlc        TEXT NOT NULL,
    PRIMARY KEY (job_seq, id)
) STRICT, WITHOUT ROWID;

CREATE TABLE time_entries (
    id         TEXT NOT NULL,
    job_seq    INTEGER NOT NULL REFERENCES work_orders(seq),
    kind       TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    ended_at   INTEGER NOT NULL,
    source     TEXT NOT NULL,
    supersedes TEXT,  -- id of the corrected entry on the same job
    created_at INTEGER NOT NULL,
    hlc        TEXT NOT NULL,
    CHECK (started_at <= ended_at),
    PRIMARY KEY (job_seq, id)
) STRICT, WITHOUT ROWID;

CREATE TABLE parts_used (
    id               TEXT NOT NULL,
    job_seq          INTEGER NOT NULL REFERENCES work_orders(seq),
    part_no          TEXT NOT NULL,
    description      TEXT NOT NULL,
    quantity         REAL NOT NULL CHECK (quantity > 0),
    unit_price_cents INTEGER NOT NULL CHECK (unit_price_cents >= 0),
    chargeable       INTEGER NOT NULL,
    from_catalogue   INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    hlc              TEXT NOT NULL,
    PRIMARY KEY (job_seq, id)
) STRICT, WITHOUT ROWID;

CREATE TABLE feedback (
    id         TEXT NOT NULL,
    job_seq    INTEGER NOT NULL REFERENCES work_orders(seq),
    rating     INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment    TEXT,
    created_at INTEGER NOT NULL,
    hlc        TEXT NOT NULL,
    PRIMARY KEY (job_seq, id)
) STRICT, WITHOUT ROWID;

CREATE TABLE photos (
    id         TEXT NOT NULL,
    job_seq    INTEGER NOT NULL REFERENCES work_orders(seq),
    kind       TEXT NOT NULL,
    caption    TEXT,
    sha256     TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    hlc        TEXT NOT NULL,
    PRIMARY KEY (job_seq, id)
) STRICT, WITHOUT ROWID;
CREATE INDEX photos_by_hash ON photos(sha256);

CREATE TABLE signatures (
    id             TEXT NOT NULL,
    job_seq        INTEGER NOT NULL REFERENCES work_orders(seq),
    signer_name    TEXT NOT NULL,
    signed_at      INTEGER NOT NULL,
    summary_sha256 TEXT NOT NULL,
    hlc            TEXT NOT NULL,
    PRIMARY KEY (job_seq, id)
) STRICT, WITHOUT ROWID;

-- Mutations waiting to be sent to head office, in the order they were made. Written in the same
-- transaction as the change itself; deleted only after head office has acknowledged them.
CREATE TABLE outbox (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    mutation_id TEXT NOT NULL UNIQUE,
    device_id   TEXT NOT NULL,
    hlc         TEXT NOT NULL,
    job_id      TEXT,  -- the job's id (UUID), as head office knows it
    kind        TEXT NOT NULL,
    payload     TEXT NOT NULL,
    created_at  INTEGER NOT NULL
) STRICT;

-- Search. Two contentless indexes over the same text, one row per job (rowid = work_orders.seq):
-- trigrams find any substring of three or more characters (phone and serial fragments, names,
-- Chinese words); the word index, where each Chinese character is its own token, finds shorter
-- words: Latin prefixes ("li*") and Chinese phrases of one or two characters ("空调").
CREATE VIRTUAL TABLE job_search_trigram USING fts5(
    body, tokenize = 'trigram', content = '', contentless_delete = 1
);
CREATE VIRTUAL TABLE job_search_words USING fts5(
    body, tokenize = 'unicode61 remove_diacritics 2', content = '', contentless_delete = 1
);
