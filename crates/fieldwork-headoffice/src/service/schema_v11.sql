-- Head office schema, version 11: pictures on knowledge articles (issue 15).
-- Every picture an article may name: uploaded in the console (processed like a laptop's photo,
-- both renditions in the blob store) or a job's photo taken into an article from a shared fix.
CREATE TABLE kb_photos (
    sha256       TEXT PRIMARY KEY,
    thumb_sha256 TEXT NOT NULL,
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    bytes        INTEGER NOT NULL,
    added_by     TEXT NOT NULL,
    added_at     INTEGER NOT NULL
);

-- The pictures of the versions the laptops hold: what any technician's laptop may download.
CREATE TABLE kb_published_photos (
    article_id TEXT NOT NULL REFERENCES kb_articles (id),
    sha256     TEXT NOT NULL,
    PRIMARY KEY (article_id, sha256)
);
CREATE INDEX kb_published_photos_sha ON kb_published_photos (sha256);

-- Articles written before this version could only name job photos (from shared fixes).
INSERT INTO kb_photos (sha256, thumb_sha256, width, height, bytes, added_by, added_at)
    SELECT p.sha256, coalesce(json_extract(p.body, '$.thumb_sha256'), p.sha256),
           coalesce(json_extract(p.body, '$.width'), 0),
           coalesce(json_extract(p.body, '$.height'), 0),
           coalesce(json_extract(p.body, '$.bytes'), 0), v.author, v.created_at
    FROM kb_article_versions v, json_each(v.body, '$.photos') j
    JOIN photos p ON p.sha256 = j.value
    WHERE true
    ON CONFLICT DO NOTHING;
INSERT INTO kb_published_photos (article_id, sha256)
    SELECT a.id, j.value FROM kb_articles a, json_each(a.published_body, '$.photos') j
    WHERE a.published_body IS NOT NULL
    ON CONFLICT DO NOTHING;
