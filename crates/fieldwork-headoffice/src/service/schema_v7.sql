-- Head office schema, version 7: who holds which blob. A technician holds a blob once one of
-- their devices uploaded all of its bytes (verified against its name). Head office answers
-- HEAD, PATCH and POST /blobs/missing about a stored blob only to a technician who holds it or
-- whose job references it through a fact someone else recorded; to anyone else the blob is
-- absent (issue 12, point 13).
CREATE TABLE blob_holders (
    sha256        TEXT NOT NULL,
    technician_id TEXT NOT NULL,
    PRIMARY KEY (sha256, technician_id)
) WITHOUT ROWID;

-- Blobs stored before this version: the technician whose device pushed the photo or signature
-- that references a stored blob is taken to have uploaded it (devices push a fact, then send
-- its files).
INSERT OR IGNORE INTO blob_holders (sha256, technician_id)
SELECT b.sha256, u.technician_id
FROM device_mutations dm
JOIN devices d ON d.id = dm.device_id
JOIN users u ON u.id = d.user_id
JOIN photos p ON p.id = json_extract(dm.payload, '$.photo.id')
JOIN blobs b ON b.sha256 IN (p.sha256, json_extract(p.body, '$.thumb_sha256'))
WHERE dm.kind = 'photo_added' AND dm.outcome = 'applied' AND u.technician_id IS NOT NULL;

INSERT OR IGNORE INTO blob_holders (sha256, technician_id)
SELECT b.sha256, u.technician_id
FROM device_mutations dm
JOIN devices d ON d.id = dm.device_id
JOIN users u ON u.id = d.user_id
JOIN signatures s ON s.id = json_extract(dm.payload, '$.signature_id')
JOIN blobs b ON b.sha256 = s.png_sha256
WHERE dm.kind = 'signature_added' AND dm.outcome = 'applied' AND u.technician_id IS NOT NULL;
