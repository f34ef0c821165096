-- Head office's PostgreSQL schema at version 11: SQLite's schema_v11.sql (pictures on
-- knowledge articles; read it for the columns), in PostgreSQL's types.
CREATE TABLE kb_photos (
    sha256 TEXT PRIMARY KEY,
    thumb_sha256 TEXT NOT NULL,
    width BIGINT NOT NULL,
    height BIGINT NOT NULL,
    bytes BIGINT NOT NULL,
    added_by TEXT NOT NULL,
    added_at BIGINT NOT NULL
);

CREATE TABLE kb_published_photos (
    article_id TEXT NOT NULL REFERENCES kb_articles (id),
    sha256 TEXT NOT NULL,
    PRIMARY KEY (article_id, sha256)
);
CREATE INDEX kb_published_photos_sha ON kb_published_photos (sha256);

INSERT INTO kb_photos (sha256, thumb_sha256, width, height, bytes, added_by, added_at)
    SELECT DISTINCT ON (p.sha256) p.sha256, coalesce(p.body::jsonb ->> 'thumb_sha256', p.sha256),
           coalesce((p.body::jsonb ->> 'width')::bigint, 0),
           coalesce((p.body::jsonb ->> 'height')::bigint, 0),
           coalesce((p.body::jsonb ->> 'bytes')::bigint, 0), v.author, v.created_at
    FROM kb_article_versions v
    CROSS JOIN LATERAL jsonb_array_elements_text(v.body::jsonb -> 'photos') AS j (sha)
    JOIN photos p ON p.sha256 = j.sha
    ORDER BY p.sha256, v.created_at
    ON CONFLICT DO NOTHING;
INSERT INTO kb_published_photos (article_id, sha256)
    SELECT DISTINCT a.id, j.sha FROM kb_articles a
    CROSS JOIN LATERAL jsonb_array_elements_text(a.published_body::jsonb -> 'photos') AS j (sha)
    WHERE a.published_body IS NOT NULL
    ON CONFLICT DO NOTHING;
