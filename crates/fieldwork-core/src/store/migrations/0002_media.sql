-- Fieldwork local store, schema 2: photo and signature media.
-- Photos: the stored JPEG (sha256) is content-addressed in media/; so is its thumbnail. The
-- capture time comes from the camera's EXIF (local time of the camera, 'YYYY-MM-DDTHH:MM:SS');
-- the stored file itself carries no metadata.
ALTER TABLE photos ADD COLUMN width INTEGER NOT NULL DEFAULT 0;
ALTER TABLE photos ADD COLUMN height INTEGER NOT NULL DEFAULT 0;
ALTER TABLE photos ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE photos ADD COLUMN thumb_sha256 TEXT;
ALTER TABLE photos ADD COLUMN taken_at TEXT;
CREATE INDEX photos_by_thumb ON photos(thumb_sha256);

-- Deleting a photo is an insert-only fact too: a tombstone naming the photo. The photo row and
-- its files stay (head office may already have them); every reader skips tombstoned photos.
CREATE TABLE photo_deletions (
    photo_id   TEXT NOT NULL,
    job_seq    INTEGER NOT NULL REFERENCES work_orders(seq),
    actor      TEXT NOT NULL,
    deleted_at INTEGER NOT NULL,
    hlc        TEXT NOT NULL,
    PRIMARY KEY (job_seq, photo_id)
) STRICT, WITHOUT ROWID;

-- Signatures: the statement signed, the picture (PNG in media/) and the pen strokes (JSON).
-- Signatures recorded before schema 2 (demo data) have none of them.
ALTER TABLE signatures ADD COLUMN statement TEXT;
ALTER TABLE signatures ADD COLUMN png_sha256 TEXT;
ALTER TABLE signatures ADD COLUMN strokes TEXT;
CREATE INDEX signatures_by_png ON signatures(png_sha256);

-- Photos and signatures are also looked up by their own id (export, delete, report).
CREATE INDEX photos_by_id ON photos(id);
CREATE INDEX signatures_by_id ON signatures(id);
