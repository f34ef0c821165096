-- Head office schema, version 3: what admins manage beside the records laptops receive.

-- A disabled user cannot sign in; their sessions and device tokens are refused while it is set.
ALTER TABLE users ADD COLUMN disabled_at INTEGER;

-- A deactivated job type or part stays (jobs and laptops refer to it) but is no longer offered
-- for new work; a job type's default appointment length is head office's alone.
ALTER TABLE job_types ADD COLUMN active INTEGER NOT NULL DEFAULT 1;
ALTER TABLE job_types ADD COLUMN default_duration_minutes INTEGER;
ALTER TABLE parts ADD COLUMN active INTEGER NOT NULL DEFAULT 1;
