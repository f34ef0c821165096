-- Head office's PostgreSQL schema at version 8: SQLite's schema_v8.sql (failed sign-ins, shared
-- by every instance; read it for the columns), in PostgreSQL's types.
CREATE TABLE sign_in_failures (
    kind TEXT NOT NULL CHECK (kind IN ('user', 'address')),
    subject TEXT NOT NULL,
    failures BIGINT NOT NULL,
    last_failed_at BIGINT NOT NULL,
    locked_until BIGINT NOT NULL,
    PRIMARY KEY (kind, subject)
);
CREATE INDEX sign_in_failures_last ON sign_in_failures (last_failed_at);
