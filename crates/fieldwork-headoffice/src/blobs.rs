//! Photos and signatures: content-addressed blobs, in one object store (`object_store`): the
//! data folder by default, or an S3-compatible bucket (`--blobs s3://bucket[/prefix]`).
//!
//! Uploads arrive in chunks at an offset. Everything about an upload in progress lives in the
//! object store too, none of it on one instance's disk, so an upload started through one
//! head-office instance continues through any other sharing the store:
//!
//! ```text
//! blobs/<sha[..2]>/<sha>                       a verified blob, visible to readers
//! uploads/t-<technician>/<sha>/length          the declared length (decimal), set by the first chunk
//! uploads/t-<technician>/<sha>/<offset:020>    the bytes received from that offset on (one
//!                                              object per stretch of at most 4 MiB)
//! ```
//!
//! `<technician>` is the first 24 hex digits of the SHA-256 of the technician's id, so any id
//! makes a safe name. How much of an upload is held is read from the listing: the parts chained
//! from offset 0, each starting where the one before ends. A part is written only with
//! "create, never replace" (S3's `If-None-Match: *`), after checking that it starts where the
//! upload stands; of two instances writing at the same offset at once only one succeeds, and
//! the other answers `offset_mismatch`, so concurrent writers cannot interleave their bytes.
//! When the last byte is there the parts are read in order through SHA-256 and copied into the
//! blob's place with a multipart upload, which is completed (made visible) only if the hash is
//! the blob's name, and aborted otherwise; then the parts are deleted. A reader never sees a
//! partial or wrong blob. On one instance, one chunk at a time per technician and hash.
//!
//! Nothing here tells one technician about another's blobs (issue 12, point 13): each
//! technician's uploads in progress are their own (one folder each), and a stored blob is
//! reported as stored only to a technician who may hold it (their device uploaded it, or their
//! job references it through someone else's photo or signature,
//! [`HeadOfficeStore::technician_may_read_blob`]). To anyone else it is absent: they see their
//! own upload's progress and must send every byte, which is verified like any upload (and
//! proves they have the file), after which they hold it too. Uploads in progress of hashes that
//! no photo or signature references expire ([`Blobs::expire_partials`]).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use chrono::Utc;
use futures_util::{Stream, StreamExt, TryStreamExt};
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path as StorePath;
use object_store::prefix::PrefixStore;
use object_store::{ObjectMeta, ObjectStore, PutMode, PutPayload, WriteMultipart};
use sha2::{Digest, Sha256};

use crate::config::{BlobLocation, Config};
use crate::error::{Error, Result};
use crate::store::HeadOfficeStore;
use fieldwork_wire::wire::{BlobUploadStatus, is_sha256_hex};

/// Largest blob accepted (a photo after the device's downscaling is far smaller).
pub const MAX_BLOB_BYTES: u64 = 64 * 1024 * 1024;

/// A chunk's bytes are written to the store as they arrive, in parts of at most this size (so a
/// chunk cut off mid-way keeps what arrived, and no request holds more than this in memory).
const PART_BYTES: usize = 4 * 1024 * 1024;

/// Part size of the multipart upload that writes a verified blob (S3's minimum part size).
const MULTIPART_CHUNK_BYTES: usize = 5 * 1024 * 1024;

/// Held while a chunk of one technician's upload of one hash is written.
type UploadLock = Arc<tokio::sync::Mutex<()>>;

/// The blob store, with the uploads in progress.
#[derive(Debug)]
pub struct Blobs {
    store: Arc<dyn ObjectStore>,
    /// One upload at a time per technician and hash on this instance, so two chunks never
    /// interleave (across instances, create-only parts do the same).
    locks: Mutex<HashMap<(String, String), UploadLock>>,
}

/// Where a verified blob is kept.
fn blob_path(sha: &str) -> StorePath {
    StorePath::from(format!("blobs/{}/{}", &sha[..2], sha))
}

/// The technician's folder of uploads in progress.
fn technician_folder(technician: &str) -> String {
    let digest = Sha256::digest(technician.as_bytes());
    format!("uploads/t-{}", &hex::encode(digest)[..24])
}

/// The folder of `technician`'s upload of `sha`.
fn upload_folder(technician: &str, sha: &str) -> StorePath {
    StorePath::from(format!("{}/{sha}", technician_folder(technician)))
}

fn length_path(technician: &str, sha: &str) -> StorePath {
    upload_folder(technician, sha).child("length")
}

fn part_path(technician: &str, sha: &str, offset: u64) -> StorePath {
    upload_folder(technician, sha).child(format!("{offset:020}"))
}

/// One stored stretch of an upload.
#[derive(Debug)]
struct Part {
    offset: u64,
    size: u64,
    path: StorePath,
}

/// What the store holds of one technician's upload of one hash.
#[derive(Debug, Default)]
struct Progress {
    /// The parts chained from offset 0, in order.
    chain: Vec<Part>,
    /// Where the chain ends: the bytes held.
    held: u64,
    declared: Option<u64>,
    /// Every object of the upload (parts outside the chain too), to delete it.
    objects: Vec<StorePath>,
}

impl Progress {
    /// Every byte is here but the blob was not made from them (the instance that received the
    /// last byte stopped before it finished, or is finishing now).
    fn all_here(&self) -> bool {
        self.held > 0 && self.declared == Some(self.held)
    }

    /// More bytes chained than declared: leftovers of an upload discarded while another
    /// instance wrote to it. Nothing can be appended to it; it is discarded.
    fn overrun(&self) -> bool {
        self.declared.is_some_and(|d| self.held > d)
    }

    fn status(&self, sha: &str) -> BlobUploadStatus {
        BlobUploadStatus {
            sha256: sha.to_owned(),
            offset: self.held,
            length: self.declared,
            complete: false,
        }
    }
}

fn complete(sha: &str, size: u64) -> BlobUploadStatus {
    BlobUploadStatus { sha256: sha.to_owned(), offset: size, length: Some(size), complete: true }
}

impl Blobs {
    /// The blob store `config` names: the data folder, or a bucket.
    pub async fn open(config: &Config) -> Result<Blobs> {
        match &config.blobs {
            BlobLocation::DataDir => Blobs::open_folder(&config.data_dir),
            BlobLocation::S3 { bucket, prefix } => Blobs::open_s3(bucket, prefix.as_deref()).await,
        }
    }

    /// Blobs and uploads in progress under `root` (`blobs/`, `uploads/`).
    pub fn open_folder(root: &std::path::Path) -> Result<Blobs> {
        std::fs::create_dir_all(root.join("blobs"))?;
        // Deleting an upload's last object removes its emptied folders.
        let store = LocalFileSystem::new_with_prefix(root)?.with_automatic_cleanup(true);
        Ok(Blobs::with_store(Arc::new(store)))
    }

    /// Blobs and uploads in progress in an S3-compatible bucket, under `prefix` when given.
    /// Endpoint, region and credentials come from the `AWS_*` variables (`AWS_ENDPOINT_URL`,
    /// `AWS_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_ALLOW_HTTP` for a plain
    /// HTTP endpoint, …). The bucket is listed once here, so a wrong endpoint, bucket or
    /// credential stops head office at start instead of at the first upload.
    pub async fn open_s3(bucket: &str, prefix: Option<&str>) -> Result<Blobs> {
        let store = s3_store(bucket, prefix).await?;
        tracing::info!(location = %s3_name(bucket, prefix), "blobs in the bucket");
        Ok(Blobs::with_store(store))
    }

    /// Blobs in any object store.
    pub fn with_store(store: Arc<dyn ObjectStore>) -> Blobs {
        Blobs { store, locks: Mutex::new(HashMap::new()) }
    }

    fn lock_for(&self, technician: &str, sha: &str) -> Result<UploadLock> {
        let mut locks = self.locks.lock().map_err(|_| Error::Internal("blob locks".into()))?;
        if locks.len() > 10_000 {
            locks.retain(|_, l| Arc::strong_count(l) > 1);
        }
        Ok(locks.entry((technician.to_owned(), sha.to_owned())).or_default().clone())
    }

    /// The upload's objects as the store lists them now.
    async fn progress(&self, technician: &str, sha: &str) -> Result<Progress> {
        let folder = upload_folder(technician, sha);
        let metas: Vec<ObjectMeta> = self.store.list(Some(&folder)).try_collect().await?;
        let mut progress = Progress::default();
        let mut parts = BTreeMap::new();
        for meta in metas {
            let name = meta.location.filename().unwrap_or_default().to_owned();
            if name == "length" {
                progress.declared = match self.store.get(&meta.location).await {
                    Ok(r) => std::str::from_utf8(&r.bytes().await?)
                        .ok()
                        .and_then(|s| s.trim().parse().ok()),
                    // Deleted since the listing: the upload is being discarded or finished.
                    Err(object_store::Error::NotFound { .. }) => None,
                    Err(e) => return Err(e.into()),
                };
            } else if let Ok(offset) = name.parse::<u64>() {
                parts.insert(offset, (meta.size, meta.location.clone()));
            }
            progress.objects.push(meta.location);
        }
        for (offset, (size, path)) in parts {
            if offset == progress.held && size > 0 {
                progress.held += size;
                progress.chain.push(Part { offset, size, path });
            }
        }
        Ok(progress)
    }

    /// The blob's status if `technician` holds it: stored, and theirs to know about.
    async fn stored_status(
        &self,
        db: &dyn HeadOfficeStore,
        technician: &str,
        sha: &str,
    ) -> Result<Option<BlobUploadStatus>> {
        if db.blobs_held(technician, vec![sha.to_owned()]).await?.is_empty() {
            return Ok(None);
        }
        let size = self.store.head(&blob_path(sha)).await?.size;
        Ok(Some(complete(sha, size)))
    }

    /// Where `technician`'s upload stands. A stored blob the technician may not hold is
    /// reported exactly like one head office lacks: by their own upload's progress. An upload
    /// whose every byte is here but which was not finished (its instance stopped in between) is
    /// finished now, so a device is never told that all its bytes are held of a blob that is
    /// not stored.
    pub async fn status(
        &self,
        db: &dyn HeadOfficeStore,
        technician: &str,
        sha: &str,
    ) -> Result<BlobUploadStatus> {
        check_name(sha)?;
        if let Some(done) = self.stored_status(db, technician, sha).await? {
            return Ok(done);
        }
        let progress = self.progress(technician, sha).await?;
        if !progress.all_here() && !progress.overrun() {
            return Ok(progress.status(sha));
        }
        let lock = self.lock_for(technician, sha)?;
        let _guard = lock.lock().await;
        if let Some(done) = self.stored_status(db, technician, sha).await? {
            return Ok(done);
        }
        let progress = self.progress(technician, sha).await?;
        if progress.overrun() {
            self.discard(&progress.objects).await?;
            return Ok(Progress::default().status(sha));
        }
        if !progress.all_here() {
            return Ok(progress.status(sha));
        }
        match self.finish(db, technician, sha, progress).await {
            // Discarded: the device starts again from 0.
            Err(Error::HashMismatch(_)) => Ok(self.progress(technician, sha).await?.status(sha)),
            other => other,
        }
    }

    /// Appends a chunk at `offset` of a blob of `length` bytes. What arrives is kept even when
    /// the connection breaks mid-chunk, so the device can resume from [`Blobs::status`].
    ///
    /// A chunk refused before its bytes were read (at the wrong offset, say) is still read to
    /// its end (within the body limit) before the answer goes out: answering while the client
    /// is still sending makes the server close the connection, and the client sees a broken
    /// connection instead of the refusal.
    pub async fn append<S, E>(
        &self,
        db: &dyn HeadOfficeStore,
        technician: &str,
        sha: &str,
        offset: u64,
        length: u64,
        mut body: S,
    ) -> Result<BlobUploadStatus>
    where
        S: Stream<Item = std::result::Result<Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        let out = self.append_from(db, technician, sha, offset, length, &mut body).await;
        if out.is_err() {
            while let Some(Ok(_)) = body.next().await {}
        }
        out
    }

    async fn append_from<S, E>(
        &self,
        db: &dyn HeadOfficeStore,
        technician: &str,
        sha: &str,
        offset: u64,
        length: u64,
        body: &mut S,
    ) -> Result<BlobUploadStatus>
    where
        S: Stream<Item = std::result::Result<Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        check_name(sha)?;
        if length == 0 || length > MAX_BLOB_BYTES {
            return Err(Error::invalid(format!(
                "a blob has 1 to {MAX_BLOB_BYTES} bytes, not {length}"
            )));
        }
        let lock = self.lock_for(technician, sha)?;
        let _guard = lock.lock().await;
        if let Some(done) = self.stored_status(db, technician, sha).await? {
            return Ok(done);
        }
        let mut progress = self.progress(technician, sha).await?;
        if progress.all_here() {
            return self.finish(db, technician, sha, progress).await;
        }
        if progress.overrun() {
            self.discard(&progress.objects).await?;
            progress = Progress::default();
        }
        if offset != progress.held {
            return Err(Error::OffsetMismatch { held: progress.held, sent: offset });
        }
        match progress.declared {
            Some(declared) if declared != length => {
                return Err(Error::invalid(format!(
                    "this upload was declared as {declared} bytes, not {length}"
                )));
            }
            Some(_) => {}
            None => self.declare(technician, sha, length).await?,
        }
        // A leftover object where the next part goes (an upload discarded while another
        // instance wrote to it) would refuse every part written there.
        let next = part_path(technician, sha, offset);
        if progress.objects.contains(&next) {
            ignore_missing(self.store.delete(&next).await)?;
        }

        let mut part_at = offset;
        let mut pending: Vec<Bytes> = Vec::new();
        let mut pending_len = 0usize;
        let mut broken = None;
        while let Some(chunk) = body.next().await {
            match chunk {
                Ok(bytes) => {
                    if part_at + (pending_len + bytes.len()) as u64 > length {
                        broken = Some(Error::invalid("more bytes than the declared length"));
                        break;
                    }
                    pending_len += bytes.len();
                    pending.push(bytes);
                    if pending_len >= PART_BYTES {
                        part_at = self.write_part(technician, sha, part_at, &mut pending).await?;
                        pending_len = 0;
                    }
                }
                Err(e) => {
                    let text = e.to_string();
                    broken = Some(if text.contains("length limit") {
                        Error::PayloadTooLarge
                    } else {
                        Error::invalid(format!("the upload broke off: {text}"))
                    });
                    break;
                }
            }
        }
        // What arrived is kept, even from a chunk that broke off.
        let held = self.write_part(technician, sha, part_at, &mut pending).await?;
        if let Some(e) = broken {
            return Err(e);
        }
        if held < length {
            return Ok(BlobUploadStatus {
                sha256: sha.to_owned(),
                offset: held,
                length: Some(length),
                complete: false,
            });
        }
        // The last byte is here: verify before anything can read it.
        let progress = self.progress(technician, sha).await?;
        if !progress.all_here() {
            // Another instance finished or discarded it meanwhile.
            return match self.stored_status(db, technician, sha).await? {
                Some(done) => Ok(done),
                None => Ok(progress.status(sha)),
            };
        }
        self.finish(db, technician, sha, progress).await
    }

    /// Records the upload's declared length; a length declared meanwhile through another
    /// instance must be the same.
    async fn declare(&self, technician: &str, sha: &str, length: u64) -> Result<()> {
        let path = length_path(technician, sha);
        let payload = PutPayload::from(length.to_string());
        match self.store.put_opts(&path, payload, PutMode::Create.into()).await {
            Ok(_) => Ok(()),
            Err(object_store::Error::AlreadyExists { .. }) => {
                let bytes = self.store.get(&path).await?.bytes().await?;
                let declared: Option<u64> =
                    std::str::from_utf8(&bytes).ok().and_then(|s| s.trim().parse().ok());
                match declared {
                    Some(d) if d == length => Ok(()),
                    Some(d) => Err(Error::invalid(format!(
                        "this upload was declared as {d} bytes, not {length}"
                    ))),
                    None => Err(Error::Blob(format!("unreadable declared length at {path}"))),
                }
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Writes `pending` as the part at `offset` (nothing when empty), never over an existing
    /// one; returns where the upload then stands. A part there already was written through
    /// another instance: `offset_mismatch`, with where the upload now stands.
    async fn write_part(
        &self,
        technician: &str,
        sha: &str,
        offset: u64,
        pending: &mut Vec<Bytes>,
    ) -> Result<u64> {
        let size: u64 = pending.iter().map(|b| b.len() as u64).sum();
        if size == 0 {
            return Ok(offset);
        }
        let payload: PutPayload = std::mem::take(pending).into_iter().collect();
        let path = part_path(technician, sha, offset);
        match self.store.put_opts(&path, payload, PutMode::Create.into()).await {
            Ok(_) => Ok(offset + size),
            Err(object_store::Error::AlreadyExists { .. }) => {
                let held = self.progress(technician, sha).await?.held;
                Err(Error::OffsetMismatch { held, sent: offset })
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Makes the blob from an upload whose every byte is here: reads the parts in order through
    /// SHA-256 into the blob's place (a multipart upload completed only if the hash matches),
    /// records it, and deletes the parts. A mismatch discards the upload.
    async fn finish(
        &self,
        db: &dyn HeadOfficeStore,
        technician: &str,
        sha: &str,
        progress: Progress,
    ) -> Result<BlobUploadStatus> {
        let length = progress.held;
        // The same bytes may be stored already (another technician's upload): keep that copy,
        // only check these.
        let write = db.blobs_present(vec![sha.to_owned()]).await?.is_empty();
        let mut out = if write {
            let upload = self.store.put_multipart(&blob_path(sha)).await?;
            Some(WriteMultipart::new_with_chunk_size(upload, MULTIPART_CHUNK_BYTES))
        } else {
            None
        };
        let mut hasher = Sha256::new();
        let copied = self.copy_parts(&progress.chain, &mut hasher, out.as_mut()).await;
        let actual = hex::encode(hasher.finalize());
        match (copied, out) {
            (Err(e), out) => {
                if let Some(out) = out {
                    let _ = out.abort().await;
                }
                if let Error::NotFound = e {
                    // The parts went meanwhile: another instance finished or discarded them.
                    return match self.stored_status(db, technician, sha).await? {
                        Some(done) => Ok(done),
                        None => Ok(self.progress(technician, sha).await?.status(sha)),
                    };
                }
                return Err(e);
            }
            (Ok(()), Some(out)) if actual == sha => {
                out.finish().await?;
            }
            (Ok(()), Some(out)) => out.abort().await?,
            (Ok(()), None) => {}
        }
        if actual != sha {
            self.discard(&progress.objects).await?;
            tracing::warn!(expected = sha, actual, "blob upload refused: hash mismatch");
            return Err(Error::HashMismatch(sha.to_owned()));
        }
        db.blob_stored(sha, length, technician).await?;
        self.discard(&progress.objects).await?;
        Ok(complete(sha, length))
    }

    async fn copy_parts(
        &self,
        chain: &[Part],
        hasher: &mut Sha256,
        mut out: Option<&mut WriteMultipart>,
    ) -> Result<()> {
        for part in chain {
            let mut stream = self.store.get(&part.path).await?.into_stream();
            let mut read = 0u64;
            while let Some(bytes) = stream.next().await {
                let bytes = bytes?;
                read += bytes.len() as u64;
                hasher.update(&bytes);
                if let Some(out) = out.as_deref_mut() {
                    out.wait_for_capacity(4).await?;
                    out.write(&bytes);
                }
            }
            if read != part.size {
                return Err(Error::Blob(format!(
                    "{} at {} changed while read ({read} bytes, listed {})",
                    part.path, part.offset, part.size
                )));
            }
        }
        Ok(())
    }

    /// Deletes an upload's objects: parts from the last one back, the declared length last, so
    /// that what an interruption leaves is still a chain from offset 0.
    async fn discard(&self, objects: &[StorePath]) -> Result<()> {
        let mut objects = objects.to_vec();
        objects.sort_by(|a, b| b.cmp(a));
        if let Some(i) = objects.iter().position(|p| p.filename() == Some("length")) {
            let length = objects.remove(i);
            objects.push(length);
        }
        for path in &objects {
            ignore_missing(self.store.delete(path).await)?;
        }
        Ok(())
    }

    /// Deletes uploads in progress last written to more than `older_than` ago whose hash no
    /// photo or signature references (nobody will finish them, or read them if they did).
    /// Returns how many were deleted. Uploads of referenced hashes stay, to be resumed. Files of
    /// the layout before uploads lived in the object store (`uploads/t-…/<sha>.part` and
    /// `.len`) cannot be resumed: they go once as old, referenced or not.
    pub async fn expire_partials(
        &self,
        db: &dyn HeadOfficeStore,
        older_than: Duration,
    ) -> Result<usize> {
        let older_than = chrono::Duration::from_std(older_than)
            .map_err(|_| Error::invalid("an expiry age beyond reason"))?;
        let cutoff = Utc::now() - older_than;
        let listed: Vec<ObjectMeta> =
            self.store.list(Some(&StorePath::from("uploads"))).try_collect().await?;
        // Each upload (technician folder, hash) with its objects and when it was last written.
        let mut uploads: BTreeMap<(String, String), (Vec<StorePath>, chrono::DateTime<Utc>)> =
            BTreeMap::new();
        let mut old_layout = Vec::new();
        for meta in listed {
            let parts: Vec<String> = meta.location.parts().map(|p| p.as_ref().to_owned()).collect();
            match parts.as_slice() {
                [_, folder, sha, _] if is_sha256_hex(sha) => {
                    let entry = uploads
                        .entry((folder.clone(), sha.clone()))
                        .or_insert_with(|| (Vec::new(), meta.last_modified));
                    entry.0.push(meta.location);
                    entry.1 = entry.1.max(meta.last_modified);
                }
                [_, .., file]
                    if (file.ends_with(".part") || file.ends_with(".len"))
                        && meta.last_modified <= cutoff =>
                {
                    old_layout.push(meta.location);
                }
                _ => {}
            }
        }
        let mut expired = 0;
        for path in old_layout {
            if self.store.delete(&path).await.is_ok() {
                expired += 1;
                tracing::info!(path = %path, "removed an unfinished upload of the old layout");
            }
        }
        uploads.retain(|_, (_, last)| *last <= cutoff);
        if uploads.is_empty() {
            return Ok(expired);
        }
        let mut hashes: Vec<String> = uploads.keys().map(|(_, sha)| sha.clone()).collect();
        hashes.sort();
        hashes.dedup();
        let referenced = db.blobs_referenced(hashes).await?;
        for ((_, sha), (objects, _)) in uploads {
            if referenced.contains(&sha) {
                continue;
            }
            self.discard(&objects).await?;
            expired += 1;
            tracing::info!(sha256 = %sha, "expired an unfinished upload nobody references");
        }
        Ok(expired)
    }

    /// Stores `bytes` whole under their hash `sha` (head office's own pictures, made here and
    /// hashed here: knowledge-article photos). Writing the same bytes again changes nothing.
    pub async fn put(&self, sha: &str, bytes: Vec<u8>) -> Result<()> {
        check_name(sha)?;
        self.store.put(&blob_path(sha), PutPayload::from(bytes)).await?;
        Ok(())
    }

    /// A stored blob's bytes.
    pub async fn get(&self, sha: &str) -> Result<Bytes> {
        check_name(sha)?;
        Ok(self.store.get(&blob_path(sha)).await?.bytes().await?)
    }
}

/// A delete of something already gone succeeded.
fn ignore_missing(r: object_store::Result<()>) -> Result<()> {
    match r {
        Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

fn check_name(sha: &str) -> Result<()> {
    if is_sha256_hex(sha) {
        Ok(())
    } else {
        Err(Error::invalid("a blob is named by its SHA-256 in lowercase hex"))
    }
}

fn s3_name(bucket: &str, prefix: Option<&str>) -> String {
    match prefix {
        Some(p) => format!("s3://{bucket}/{p}"),
        None => format!("s3://{bucket}"),
    }
}

/// The bucket as an object store (endpoint, region and credentials from the `AWS_*`
/// variables), under `prefix`; listed once, so a wrong endpoint, bucket or credential is an
/// error here. Used by [`Blobs::open_s3`] and by `move`.
pub async fn s3_store(bucket: &str, prefix: Option<&str>) -> Result<Arc<dyn ObjectStore>> {
    let name = s3_name(bucket, prefix);
    let s3 = AmazonS3Builder::from_env()
        .with_bucket_name(bucket)
        .build()
        .map_err(|e| Error::Blob(format!("{name}: {e}")))?;
    let store: Arc<dyn ObjectStore> = match prefix {
        Some(p) => {
            let p = StorePath::parse(p)
                .map_err(|e| Error::invalid(format!("the prefix of {name}: {e}")))?;
            Arc::new(PrefixStore::new(s3, p))
        }
        None => Arc::new(s3),
    };
    store
        .list_with_delimiter(Some(&StorePath::from("uploads")))
        .await
        .map_err(|e| Error::Blob(format!("cannot reach {name}: {e}")))?;
    Ok(store)
}
