-- Head office schema, version 8: failed sign-ins, kept in the database so that every
-- head-office instance sharing it counts the same failures (issue 13, point 5; the policy is
-- `config::SignInThrottle`, applied by `ratelimit::SignInFailures`). One row per user name
-- (`kind` 'user': the name trimmed, lowercased, at most 200 characters) and per client address
-- (`kind` 'address': the IP address as text). Instants are milliseconds since the epoch (UTC).
-- A row whose failures are forgotten and whose lockout is over is deleted by the next failure.
CREATE TABLE sign_in_failures (
    kind           TEXT NOT NULL CHECK (kind IN ('user', 'address')),
    subject        TEXT NOT NULL,
    failures       INTEGER NOT NULL,
    last_failed_at INTEGER NOT NULL,
    locked_until   INTEGER NOT NULL,
    PRIMARY KEY (kind, subject)
) WITHOUT ROWID;
CREATE INDEX sign_in_failures_last ON sign_in_failures (last_failed_at);
