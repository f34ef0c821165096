-- Version 6: the team's past fixes (resolved jobs of every technician, reduced by head office to
-- equipment, fault codes, diagnosis, resolution and parts, without personal details), as pulled.
-- `body` is the `fieldwork_domain::kb::PastFix` JSON; the category keeps the similar-fix lookup
-- to one kind of product.
CREATE TABLE past_fixes (
    id           TEXT PRIMARY KEY,
    category     TEXT,
    completed_on TEXT NOT NULL,
    body         TEXT NOT NULL
);
CREATE INDEX past_fixes_category ON past_fixes (category, completed_on);
