//! Photos and signatures: content-addressed blobs. Uploads arrive in chunks at an offset and are
//! kept in a private folder until the last byte; then the whole file is hashed, and only a
//! file whose SHA-256 matches its name is put into the blob store (`object_store`, a local
//! folder by default) and recorded as present. A reader never sees a partial or wrong blob.
//!
//! Nothing here tells one technician about another's blobs (issue 12, point 13): each
//! technician's uploads in progress are their own (one folder each), and a stored blob is
//! reported as stored only to a technician who may hold it (their device uploaded it, or their
//! job references it through someone else's photo or signature,
//! [`HeadOfficeStore::technician_may_read_blob`]). To anyone else it is absent: they see their
//! own upload's progress and must send every byte, which is verified like any upload (and
//! proves they have the file), after which they hold it too. Uploads in progress of hashes that
//! no photo or signature references expire ([`Blobs::expire_partials`]).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use object_store::ObjectStore;
use object_store::local::LocalFileSystem;
use object_store::path::Path as StorePath;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::error::{Error, Result};
use crate::store::HeadOfficeStore;
use fieldwork_sync::wire::{BlobUploadStatus, is_sha256_hex};

/// Largest blob accepted (a photo after the device's downscaling is far smaller).
pub const MAX_BLOB_BYTES: u64 = 64 * 1024 * 1024;

/// Held while a chunk of one technician's upload of one hash is written.
type UploadLock = Arc<tokio::sync::Mutex<()>>;

/// The blob store and the folder of uploads in progress.
#[derive(Debug)]
pub struct Blobs {
    store: Arc<dyn ObjectStore>,
    uploads: PathBuf,
    /// One upload at a time per technician and hash, so two chunks never interleave.
    locks: Mutex<HashMap<(String, String), UploadLock>>,
}

fn store_path(sha: &str) -> StorePath {
    StorePath::from(format!("{}/{}", &sha[..2], sha))
}

impl Blobs {
    /// Blobs in `blob_dir`, uploads in progress in `upload_dir`.
    pub fn open_local(blob_dir: PathBuf, upload_dir: PathBuf) -> Result<Blobs> {
        std::fs::create_dir_all(&blob_dir)?;
        std::fs::create_dir_all(&upload_dir)?;
        let store = LocalFileSystem::new_with_prefix(&blob_dir)?;
        Ok(Blobs { store: Arc::new(store), uploads: upload_dir, locks: Mutex::new(HashMap::new()) })
    }

    fn lock_for(&self, technician: &str, sha: &str) -> Result<UploadLock> {
        let mut locks = self.locks.lock().map_err(|_| Error::Internal("blob locks".into()))?;
        if locks.len() > 10_000 {
            locks.retain(|_, l| Arc::strong_count(l) > 1);
        }
        Ok(locks.entry((technician.to_owned(), sha.to_owned())).or_default().clone())
    }

    /// The technician's folder of uploads in progress: named by a hash of their id, so any id
    /// makes a safe file name.
    fn folder(&self, technician: &str) -> PathBuf {
        let digest = Sha256::digest(technician.as_bytes());
        self.uploads.join(format!("t-{}", &hex::encode(digest)[..24]))
    }

    fn partial(&self, technician: &str, sha: &str) -> (PathBuf, PathBuf) {
        let folder = self.folder(technician);
        (folder.join(format!("{sha}.part")), folder.join(format!("{sha}.len")))
    }

    async fn declared_length(&self, technician: &str, sha: &str) -> Option<u64> {
        let (_, len) = self.partial(technician, sha);
        tokio::fs::read_to_string(len).await.ok().and_then(|s| s.trim().parse().ok())
    }

    /// Where `technician`'s upload stands. A stored blob the technician may not hold is
    /// reported exactly like one head office lacks: by their own upload's progress.
    pub async fn status(
        &self,
        db: &dyn HeadOfficeStore,
        technician: &str,
        sha: &str,
    ) -> Result<BlobUploadStatus> {
        check_name(sha)?;
        if !db.blobs_held(technician, vec![sha.to_owned()]).await?.is_empty() {
            let size = self.store.head(&store_path(sha)).await?.size;
            return Ok(BlobUploadStatus {
                sha256: sha.to_owned(),
                offset: size,
                length: Some(size),
                complete: true,
            });
        }
        let (part, _) = self.partial(technician, sha);
        let held = tokio::fs::metadata(&part).await.map(|m| m.len()).unwrap_or(0);
        Ok(BlobUploadStatus {
            sha256: sha.to_owned(),
            offset: held,
            length: self.declared_length(technician, sha).await,
            complete: false,
        })
    }

    /// Appends a chunk at `offset` of a blob of `length` bytes. What arrives is kept even when
    /// the connection breaks mid-chunk, so the device can resume from [`Blobs::status`].
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
        check_name(sha)?;
        if length == 0 || length > MAX_BLOB_BYTES {
            return Err(Error::invalid(format!(
                "a blob has 1 to {MAX_BLOB_BYTES} bytes, not {length}"
            )));
        }
        let lock = self.lock_for(technician, sha)?;
        let _guard = lock.lock().await;
        let now = self.status(db, technician, sha).await?;
        if now.complete {
            return Ok(now);
        }
        if offset != now.offset {
            return Err(Error::OffsetMismatch { held: now.offset, sent: offset });
        }
        match now.length {
            Some(declared) if declared != length => {
                return Err(Error::invalid(format!(
                    "this upload was declared as {declared} bytes, not {length}"
                )));
            }
            Some(_) => {}
            None => {
                let (_, len) = self.partial(technician, sha);
                tokio::fs::create_dir_all(self.folder(technician)).await?;
                tokio::fs::write(len, length.to_string()).await?;
            }
        }
        let (part, len_file) = self.partial(technician, sha);
        let mut file = tokio::fs::OpenOptions::new().create(true).append(true).open(&part).await?;
        let mut held = offset;
        let mut broken = None;
        while let Some(chunk) = body.next().await {
            match chunk {
                Ok(bytes) => {
                    if held + bytes.len() as u64 > length {
                        broken = Some(Error::invalid("more bytes than the declared length"));
                        break;
                    }
                    file.write_all(&bytes).await?;
                    held += bytes.len() as u64;
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
        file.flush().await?;
        file.sync_all().await?;
        drop(file);
        if let Some(e) = broken {
            if held > length {
                let _ = tokio::fs::remove_file(&part).await;
            }
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
        let actual = hash_file(&part).await?;
        if actual != sha {
            let _ = tokio::fs::remove_file(&part).await;
            let _ = tokio::fs::remove_file(&len_file).await;
            tracing::warn!(expected = sha, actual, "blob upload refused: hash mismatch");
            return Err(Error::HashMismatch(sha.to_owned()));
        }
        // The same bytes may be stored already (another technician's upload): keep that copy.
        if db.blobs_present(vec![sha.to_owned()]).await?.is_empty() {
            let bytes = tokio::fs::read(&part).await?;
            self.store.put(&store_path(sha), Bytes::from(bytes).into()).await?;
        }
        db.blob_stored(sha, length, technician).await?;
        let _ = tokio::fs::remove_file(&part).await;
        let _ = tokio::fs::remove_file(&len_file).await;
        Ok(BlobUploadStatus {
            sha256: sha.to_owned(),
            offset: length,
            length: Some(length),
            complete: true,
        })
    }

    /// Deletes uploads in progress last written to more than `older_than` ago whose hash no
    /// photo or signature references (nobody will finish them, or read them if they did).
    /// Returns how many were deleted. Uploads of referenced hashes stay, to be resumed.
    pub async fn expire_partials(
        &self,
        db: &dyn HeadOfficeStore,
        older_than: Duration,
    ) -> Result<usize> {
        let cutoff = SystemTime::now().checked_sub(older_than).unwrap_or(SystemTime::UNIX_EPOCH);
        // (folder, hash) of every stale upload: one folder per technician, and loose files of
        // the layout before there were folders.
        let mut stale = Vec::new();
        let mut folders = vec![self.uploads.clone()];
        let mut top = tokio::fs::read_dir(&self.uploads).await?;
        while let Some(entry) = top.next_entry().await? {
            if entry.file_type().await?.is_dir() {
                folders.push(entry.path());
            }
        }
        for folder in folders {
            let mut files = tokio::fs::read_dir(&folder).await?;
            while let Some(entry) = files.next_entry().await? {
                let path = entry.path();
                let (Some(sha), Some("part" | "len")) = (
                    path.file_stem().and_then(|s| s.to_str()),
                    path.extension().and_then(|e| e.to_str()),
                ) else {
                    continue;
                };
                if !is_sha256_hex(sha) {
                    continue;
                }
                let modified = entry.metadata().await?.modified()?;
                if modified <= cutoff && !stale.iter().any(|(f, s)| f == &folder && s == sha) {
                    stale.push((folder.clone(), sha.to_owned()));
                }
            }
        }
        if stale.is_empty() {
            return Ok(0);
        }
        let mut hashes: Vec<String> = stale.iter().map(|(_, s)| s.clone()).collect();
        hashes.sort();
        hashes.dedup();
        let referenced = db.blobs_referenced(hashes).await?;
        let mut expired = 0;
        for (folder, sha) in stale.into_iter().filter(|(_, s)| !referenced.contains(s)) {
            let mut gone = false;
            for ext in ["part", "len"] {
                gone |= tokio::fs::remove_file(folder.join(format!("{sha}.{ext}"))).await.is_ok();
            }
            if gone {
                expired += 1;
                tracing::info!(sha256 = %sha, "expired an unfinished upload nobody references");
            }
        }
        Ok(expired)
    }

    /// A stored blob's bytes.
    pub async fn get(&self, sha: &str) -> Result<Bytes> {
        check_name(sha)?;
        Ok(self.store.get(&store_path(sha)).await?.bytes().await?)
    }
}

fn check_name(sha: &str) -> Result<()> {
    if is_sha256_hex(sha) {
        Ok(())
    } else {
        Err(Error::invalid("a blob is named by its SHA-256 in lowercase hex"))
    }
}

async fn hash_file(path: &std::path::Path) -> Result<String> {
    let mut file = tokio::fs::File::open(path).await?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = file.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}
