//! Photos and signatures on a job: the store's side of [`crate::media`]. Each import or
//! signature writes its files into the content-addressed media folder *inside* the transaction
//! that records the row, before it commits, so a committed row always has its file; and a sweep
//! of orphaned files (`fieldwork check --sweep`) takes the same write lock, so it can never
//! remove a file between its write and its row's commit.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::commands::check_text;
use super::outbox::Mutation;
use super::queries::{self, StoredJob};
use super::sqltime::{Ms, at, word};
use super::{MEDIA_DIR, Store, signed};
use crate::domain::records::{
    PHOTO_CAPTION_MAX_CHARS, SIGNATURE_STATEMENT_MAX_CHARS, SIGNER_NAME_MAX_CHARS,
};
use crate::domain::{PhotoKind, PhotoRef, SignatureRef};
use crate::error::{CoreError, Result};
use crate::lifecycle::{self, Fact};
use crate::media::{self, PhotoInput, ProcessedPhoto, blobs};

/// Which file of a photo: the stored JPEG or its thumbnail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum PhotoVariant {
    Full,
    Thumb,
}

/// An error as it crosses to a screen: a stable code and a sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct ErrorInfo {
    pub code: String,
    pub message: String,
}

impl From<&CoreError> for ErrorInfo {
    fn from(e: &CoreError) -> Self {
        ErrorInfo { code: e.code().into(), message: e.to_string() }
    }
}

/// What happened to one file of a batch import; also the progress report sent as each file
/// finishes (`done` of `total`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct PhotoImportResult {
    /// Position of the file in the batch.
    pub index: u32,
    pub file_name: String,
    /// Files finished so far, this one included.
    pub done: u32,
    pub total: u32,
    /// The stored photo, when the file was imported.
    pub photo: Option<PhotoRef>,
    /// Why the file was not imported.
    pub error: Option<ErrorInfo>,
}

/// A signature as the signature pad gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export, rename = "NewSignatureInput")]
pub struct NewSignature {
    pub signer_name: String,
    /// The statement the customer signs.
    pub statement: Option<String>,
    /// The signature picture, a PNG (at most 2 MB, 4096 px a side).
    pub png: Vec<u8>,
    /// The pen strokes as JSON: a list of strokes, each a list of `[x, y]` or `[x, y, t]`
    /// points (at most 50,000 points).
    pub strokes_json: Option<String>,
}

/// A stored photo with its JPEG, for the service report.
#[derive(Debug, Clone, PartialEq)]
pub struct PhotoFile {
    pub photo: PhotoRef,
    pub jpeg: Vec<u8>,
}

/// The signature in force with its PNG, for the service report.
#[derive(Debug, Clone, PartialEq)]
pub struct SignatureFile {
    pub signature: SignatureRef,
    pub png: Vec<u8>,
}

/// A job's media as the service report prints it: its photos (in the order taken in) and the
/// signature in force, each with its file's bytes (checked against its hash).
#[derive(Debug, Clone, PartialEq)]
pub struct JobMedia {
    pub photos: Vec<PhotoFile>,
    pub signature: Option<SignatureFile>,
}

const PHOTO_COLUMNS: &str = "p.id, p.kind, p.caption, p.sha256, p.thumb_sha256, p.width, \
    p.height, p.bytes, p.taken_at, p.created_at";

/// Not tombstoned by a deletion.
const PHOTO_LIVE: &str = "NOT EXISTS (SELECT 1 FROM photo_deletions d \
    WHERE d.job_seq = p.job_seq AND d.photo_id = p.id)";

fn photo_row(r: &rusqlite::Row<'_>, job_id: String) -> rusqlite::Result<PhotoRef> {
    let sha256: String = r.get(3)?;
    Ok(PhotoRef {
        id: r.get(0)?,
        job_id,
        kind: word(r, 1)?,
        caption: r.get(2)?,
        thumb_sha256: r.get::<_, Option<String>>(4)?.unwrap_or_else(|| sha256.clone()),
        sha256,
        width: r.get(5)?,
        height: r.get(6)?,
        bytes: r.get(7)?,
        taken_at: r.get(8)?,
        created_at: at(r, 9)?,
    })
}

/// The job's photos that have not been deleted, in the order they were taken in.
pub(crate) fn live_photos(conn: &Connection, seq: i64, job_id: &str) -> Result<Vec<PhotoRef>> {
    let sql = format!(
        "SELECT {PHOTO_COLUMNS} FROM photos p WHERE p.job_seq = ?1 AND {PHOTO_LIVE}
         ORDER BY p.hlc, p.id"
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_map([seq], |r| photo_row(r, job_id.to_owned()))?
        .collect::<rusqlite::Result<Vec<_>>>()?)
}

/// The job's signatures, oldest first, with whether each is superseded or stale.
pub(crate) fn signatures(conn: &Connection, job: &StoredJob) -> Result<Vec<SignatureRef>> {
    let mut sigs = conn
        .prepare_cached(
            "SELECT id, signer_name, statement, signed_at, summary_sha256, png_sha256
             FROM signatures WHERE job_seq = ?1 ORDER BY hlc, id",
        )?
        .query_map([job.seq], |r| {
            Ok(SignatureRef {
                id: r.get(0)?,
                job_id: job.order.id.clone(),
                signer_name: r.get(1)?,
                statement: r.get(2)?,
                signed_at: at(r, 3)?,
                summary_sha256: r.get(4)?,
                png_sha256: r.get(5)?,
                changed_after_signing: false,
                superseded: true,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    if sigs.is_empty() {
        return Ok(sigs);
    }
    let now = signed::summary_sha256(conn, job)?;
    for s in &mut sigs {
        s.changed_after_signing = s.summary_sha256 != now;
    }
    if let Some(last) = sigs.last_mut() {
        last.superseded = false;
    }
    Ok(sigs)
}

/// Finds a photo by id: (the job's row number, the job's id, the photo).
fn find_photo(conn: &Connection, photo_id: &str) -> Result<(i64, String, PhotoRef, bool)> {
    let sql = format!(
        "SELECT {PHOTO_COLUMNS}, w.seq, w.id, {PHOTO_LIVE} FROM photos p
         JOIN work_orders w ON w.seq = p.job_seq WHERE p.id = ?1"
    );
    conn.prepare_cached(&sql)?
        .query_row([photo_id.trim().to_ascii_lowercase()], |r| {
            let job_id: String = r.get(11)?;
            Ok((r.get(10)?, job_id.clone(), photo_row(r, job_id)?, r.get(12)?))
        })
        .optional()?
        .ok_or_else(|| CoreError::not_found("photo", photo_id.chars().take(80).collect::<String>()))
}

impl Store {
    /// The folder of content-addressed media files. An in-memory store has none.
    pub fn media_dir(&self) -> Result<PathBuf> {
        if self.path() == Path::new(":memory:") {
            return Err(CoreError::DataDir {
                path: String::from(":memory:"),
                detail: String::from("an in-memory store keeps no media files"),
            });
        }
        Ok(self.path().parent().unwrap_or(Path::new(".")).join(MEDIA_DIR))
    }

    /// Fails fast, before any processing, if photos or a signature cannot be recorded on `job`
    /// now (unknown job, not the actor's, or not in a status that takes work details).
    fn check_can_record(&self, job: &str, fact: Fact) -> Result<StoredJob> {
        let stored = queries::find_job(self.conn(), job)?;
        super::commands::check_assignee(self.actor(), &stored.order)?;
        lifecycle::check_recording(stored.order.status, fact)?;
        Ok(stored)
    }

    /// Imports one photo from bytes (a file read by the caller, a paste, a drop): processes it
    /// (see [`media::process_photo`]) and stores it on `job`. `file_name` names the photo in
    /// errors. Runs on the calling thread; use [`Store::import_photos`] for several.
    pub fn import_photo(
        &mut self,
        job: &str,
        file_name: &str,
        bytes: &[u8],
        kind: PhotoKind,
        caption: Option<&str>,
    ) -> Result<PhotoRef> {
        self.check_can_record(job, Fact::Work)?;
        let processed = media::process_photo(file_name, bytes)?;
        self.add_processed_photo(job, &processed, kind, caption)
    }

    /// Imports many photos: processes them on up to four worker threads and stores each as it
    /// is ready. `progress` is called on the calling thread once per file, as it finishes,
    /// with that file's result. Returns every file's result in input order. Bad files are
    /// reported in their result and do not stop the others; the call itself fails only when
    /// the job cannot take photos at all.
    pub fn import_photos(
        &mut self,
        job: &str,
        inputs: &[PhotoInput],
        kind: PhotoKind,
        caption: Option<&str>,
        mut progress: impl FnMut(&PhotoImportResult),
    ) -> Result<Vec<PhotoImportResult>> {
        self.check_can_record(job, Fact::Work)?;
        let total = u32::try_from(inputs.len()).unwrap_or(u32::MAX);
        let mut results: Vec<Option<PhotoImportResult>> = vec![None; inputs.len()];
        let mut done = 0u32;
        media::process_batch(inputs, media::default_workers(), |i, processed| {
            let stored = processed.and_then(|p| self.add_processed_photo(job, &p, kind, caption));
            done += 1;
            let result = PhotoImportResult {
                index: u32::try_from(i).unwrap_or(u32::MAX),
                file_name: inputs.get(i).map(PhotoInput::file_name).unwrap_or_default(),
                done,
                total,
                error: stored.as_ref().err().map(ErrorInfo::from),
                photo: stored.ok(),
            };
            progress(&result);
            if let Some(slot) = results.get_mut(i) {
                *slot = Some(result);
            }
        });
        Ok(results.into_iter().flatten().collect())
    }

    /// Stores a photo processed by [`media::process_photo`] (e.g. on a worker thread, without
    /// holding the store) on `job`: its files, its row and the outbox entry, in one transaction.
    pub fn add_processed_photo(
        &mut self,
        job: &str,
        photo: &ProcessedPhoto,
        kind: PhotoKind,
        caption: Option<&str>,
    ) -> Result<PhotoRef> {
        let caption = caption
            .filter(|c| !c.trim().is_empty())
            .map(|c| check_text("caption", c, PHOTO_CAPTION_MAX_CHARS))
            .transpose()?;
        let media_dir = self.media_dir()?;
        self.change_job(job, Some(Fact::Work), |c, stored| {
            // Files first, inside the transaction: see the module documentation.
            blobs::put_blob(&media_dir, &photo.sha256, &photo.jpeg)?;
            blobs::put_blob(&media_dir, &photo.thumb_sha256, &photo.thumb_jpeg)?;
            let row = PhotoRef {
                id: crate::ids::new_id(),
                job_id: stored.order.id.clone(),
                kind,
                caption,
                sha256: photo.sha256.clone(),
                thumb_sha256: photo.thumb_sha256.clone(),
                width: photo.width,
                height: photo.height,
                bytes: i64::try_from(photo.jpeg.len()).unwrap_or(i64::MAX),
                taken_at: photo.taken_at,
                created_at: c.now,
            };
            c.tx.prepare_cached(
                "INSERT INTO photos (id, job_seq, kind, caption, sha256, created_at, hlc, width,
                 height, bytes, thumb_sha256, taken_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )?
            .execute(params![
                row.id,
                stored.seq,
                row.kind.as_str(),
                row.caption,
                row.sha256,
                Ms(row.created_at),
                c.hlc.to_string(),
                row.width,
                row.height,
                row.bytes,
                row.thumb_sha256,
                row.taken_at,
            ])?;
            c.emit(Mutation::PhotoAdded { photo: row.clone() });
            Ok(row)
        })
    }

    /// The job's photos (deleted ones left out), in the order they were taken in.
    pub fn photos(&self, job: &str) -> Result<Vec<PhotoRef>> {
        let stored = queries::find_job(self.conn(), job)?;
        live_photos(self.conn(), stored.seq, &stored.order.id)
    }

    /// One photo by id (also a deleted one: its record stays).
    pub fn photo(&self, photo_id: &str) -> Result<PhotoRef> {
        Ok(find_photo(self.conn(), photo_id)?.2)
    }

    /// Where a photo's JPEG (or thumbnail) is on disk. The file is there for every recorded
    /// photo; read it, never write it.
    pub fn photo_path(&self, photo_id: &str, variant: PhotoVariant) -> Result<PathBuf> {
        let photo = self.photo(photo_id)?;
        let sha = match variant {
            PhotoVariant::Full => &photo.sha256,
            PhotoVariant::Thumb => &photo.thumb_sha256,
        };
        blobs::blob_path(&self.media_dir()?, sha)
    }

    /// A photo's JPEG (or thumbnail) bytes, checked against their hash.
    pub fn photo_bytes(&self, photo_id: &str, variant: PhotoVariant) -> Result<Vec<u8>> {
        let photo = self.photo(photo_id)?;
        let sha = match variant {
            PhotoVariant::Full => &photo.sha256,
            PhotoVariant::Thumb => &photo.thumb_sha256,
        };
        blobs::read_blob(&self.media_dir()?, sha)
    }

    /// Withdraws a photo from its job, while the job is still being worked (not once it is
    /// completed). Insert-only: records a tombstone and a `photo_deleted` outbox entry; the
    /// photo's row and files stay, and every list leaves the photo out.
    pub fn delete_photo(&mut self, photo_id: &str) -> Result<()> {
        let (_, job_id, photo, live) = find_photo(self.conn(), photo_id)?;
        if !live {
            return Err(CoreError::not_found("photo", photo.id));
        }
        self.change_job(&job_id, Some(Fact::Work), |c, stored| {
            c.tx.execute(
                "INSERT INTO photo_deletions (photo_id, job_seq, actor, deleted_at, hlc)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![photo.id, stored.seq, c.actor.name, Ms(c.now), c.hlc.to_string()],
            )?;
            c.emit(Mutation::PhotoDeleted {
                job_id: stored.order.id.clone(),
                photo_id: photo.id.clone(),
                at: c.now,
            });
            Ok(())
        })
    }

    /// Sets (or, with `None` or blank text, clears) a photo's caption after import, while the
    /// job is still being worked (not once it is completed). Records a `photo_caption_set`
    /// outbox entry; last writer wins at head office. Captions are not among the facts a
    /// signature covers, so a signature taken before stays valid.
    pub fn set_photo_caption(&mut self, photo_id: &str, caption: Option<&str>) -> Result<PhotoRef> {
        let caption = caption
            .filter(|c| !c.trim().is_empty())
            .map(|c| check_text("caption", c, PHOTO_CAPTION_MAX_CHARS))
            .transpose()?;
        let (_, job_id, photo, live) = find_photo(self.conn(), photo_id)?;
        if !live {
            return Err(CoreError::not_found("photo", photo.id));
        }
        self.change_job(&job_id, Some(Fact::Work), |c, stored| {
            c.tx.execute(
                "UPDATE photos SET caption = ?1 WHERE job_seq = ?2 AND id = ?3",
                params![caption, stored.seq, photo.id],
            )?;
            c.emit(Mutation::PhotoCaptionSet {
                job_id: stored.order.id.clone(),
                photo_id: photo.id.clone(),
                caption: caption.clone(),
                at: c.now,
                replaces: Some(super::outbox::Replaces { value: photo.caption.clone() }),
            });
            Ok(PhotoRef { caption, ..photo })
        })
    }

    /// Records the customer's signature on `job`: the picture (PNG, re-encoded without
    /// metadata), the strokes, the signer's name and the statement signed, and the SHA-256 of
    /// the job's signed facts as they are now. Insert-only: a new signature supersedes earlier
    /// ones. If the signed facts change later, the signature shows `changed_after_signing` and
    /// completion asks for a new one.
    pub fn add_signature(&mut self, job: &str, new: NewSignature) -> Result<SignatureRef> {
        let signer_name = check_text("signer name", &new.signer_name, SIGNER_NAME_MAX_CHARS)?;
        let statement = new
            .statement
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(|s| check_text("statement", s, SIGNATURE_STATEMENT_MAX_CHARS))
            .transpose()?;
        let strokes = new
            .strokes_json
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(media::signature::check_strokes)
            .transpose()?;
        self.check_can_record(job, Fact::Work)?;
        let image = media::signature::check_signature_png(&new.png)?;
        let media_dir = self.media_dir()?;
        self.change_job(job, Some(Fact::Work), |c, stored| {
            blobs::put_blob(&media_dir, &image.sha256, &image.png)?;
            let summary_sha256 = signed::summary_sha256(c.tx, stored)?;
            let sig = SignatureRef {
                id: crate::ids::new_id(),
                job_id: stored.order.id.clone(),
                signer_name,
                statement,
                signed_at: c.now,
                summary_sha256,
                png_sha256: Some(image.sha256.clone()),
                changed_after_signing: false,
                superseded: false,
            };
            c.tx.execute(
                "INSERT INTO signatures (id, job_seq, signer_name, signed_at, summary_sha256, hlc,
                 statement, png_sha256, strokes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    sig.id,
                    stored.seq,
                    sig.signer_name,
                    Ms(sig.signed_at),
                    sig.summary_sha256,
                    c.hlc.to_string(),
                    sig.statement,
                    sig.png_sha256,
                    strokes
                ],
            )?;
            c.emit(Mutation::SignatureAdded {
                job_id: sig.job_id.clone(),
                signature_id: sig.id.clone(),
                signer_name: sig.signer_name.clone(),
                statement: sig.statement.clone(),
                signed_at: sig.signed_at,
                summary_sha256: sig.summary_sha256.clone(),
                png_sha256: image.sha256.clone(),
                strokes,
            });
            Ok(sig)
        })
    }

    /// The job's signatures, oldest first; the last one is in force.
    pub fn signatures(&self, job: &str) -> Result<Vec<SignatureRef>> {
        let stored = queries::find_job(self.conn(), job)?;
        signatures(self.conn(), &stored)
    }

    /// A signature's PNG bytes, checked against their hash.
    pub fn signature_png(&self, signature_id: &str) -> Result<Vec<u8>> {
        let sha: Option<String> = self
            .conn()
            .prepare_cached("SELECT png_sha256 FROM signatures WHERE id = ?1")?
            .query_row([signature_id.trim().to_ascii_lowercase()], |r| r.get(0))
            .optional()?
            .ok_or_else(|| CoreError::not_found("signature", signature_id))?;
        let sha = sha.ok_or_else(|| CoreError::not_found("signature picture", signature_id))?;
        blobs::read_blob(&self.media_dir()?, &sha)
    }

    /// The job's photos and the signature in force, with their files' bytes: what the service
    /// report prints. A signature recorded without a picture is left out.
    pub fn job_media(&self, job: &str) -> Result<JobMedia> {
        let stored = queries::find_job(self.conn(), job)?;
        let dir = self.media_dir()?;
        let photos = live_photos(self.conn(), stored.seq, &stored.order.id)?
            .into_iter()
            .map(|photo| Ok(PhotoFile { jpeg: blobs::read_blob(&dir, &photo.sha256)?, photo }))
            .collect::<Result<Vec<_>>>()?;
        let signature = match signatures(self.conn(), &stored)?.pop() {
            Some(sig) => match sig.png_sha256.clone() {
                Some(sha) => {
                    Some(SignatureFile { png: blobs::read_blob(&dir, &sha)?, signature: sig })
                }
                None => None,
            },
            None => None,
        };
        Ok(JobMedia { photos, signature })
    }
}
