//! Photos and signature pictures: checking, processing and storing the files a technician
//! brings in from a camera, a phone or the signature pad.
//!
//! - [`process_photo`]: one file's bytes → an upright, metadata-free JPEG and thumbnail, or an
//!   error naming the file and what is wrong with it. Pure and thread-safe; the pipeline itself
//!   is `fieldwork-media`'s, which head office runs on article photos too.
//! - [`process_batch`]: many files on a few worker threads, reporting each as it finishes, so a
//!   batch of 30 photos never blocks the caller's UI thread for long.
//! - [`blobs`]: the content-addressed media folder, written atomically.
//! - [`signature`]: limits and checks for signature pictures and strokes.
//!
//! The store ([`crate::Store::import_photo`] and friends) ties these to a job's rows.

pub mod blobs;
pub mod signature;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

pub use fieldwork_media::{
    JPEG_QUALITY, MAX_DECODE_BYTES, MAX_EDGE, MAX_FILE_BYTES, MAX_PIXELS, MediaError,
    ProcessedPhoto, Sniffed, THUMB_EDGE, THUMB_QUALITY, sha256_hex, sniff,
};

use crate::error::{CoreError, Result};

/// Processes one photo file (see [`fieldwork_media::process_photo`]); `file_name` only names
/// the file in errors.
pub fn process_photo(file_name: &str, bytes: &[u8]) -> Result<ProcessedPhoto> {
    Ok(fieldwork_media::process_photo(file_name, bytes)?)
}

/// One photo to import: a file on disk, or bytes already in memory (a paste, a drop).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhotoInput {
    File(PathBuf),
    Bytes { file_name: String, bytes: Vec<u8> },
}

impl PhotoInput {
    /// The name shown in messages: the file's name without its folder.
    pub fn file_name(&self) -> String {
        match self {
            PhotoInput::File(path) => path
                .file_name()
                .map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned()),
            PhotoInput::Bytes { file_name, .. } => file_name.clone(),
        }
    }

    /// Reads and processes the photo.
    pub fn process(&self) -> Result<ProcessedPhoto> {
        match self {
            PhotoInput::File(path) => process_photo(&self.file_name(), &read_limited(path)?),
            PhotoInput::Bytes { file_name, bytes } => process_photo(file_name, bytes),
        }
    }
}

/// Reads a photo file, refusing one over [`MAX_FILE_BYTES`] without reading it all.
pub fn read_limited(path: &Path) -> Result<Vec<u8>> {
    let name = path
        .file_name()
        .map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    let open_error = |e: std::io::Error| {
        CoreError::from(MediaError::NotAnImage {
            file: name.clone(),
            detail: format!("it cannot be read ({e})"),
        })
    };
    let file = std::fs::File::open(path).map_err(open_error)?;
    let meta = file.metadata().map_err(open_error)?;
    if meta.is_dir() {
        let folder = MediaError::NotAnImage { file: name, detail: String::from("it is a folder") };
        return Err(folder.into());
    }
    let too_large = |len: u64| {
        CoreError::from(MediaError::ImageTooLarge {
            file: name.clone(),
            detail: format!(
                "the file is {:.1} MB; the limit is {} MB",
                len as f64 / 1_048_576.0,
                MAX_FILE_BYTES / 1_048_576
            ),
        })
    };
    if meta.len() > MAX_FILE_BYTES as u64 {
        return Err(too_large(meta.len()));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(MAX_FILE_BYTES as u64 + 1).read_to_end(&mut bytes).map_err(open_error)?;
    if bytes.len() > MAX_FILE_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

/// How many photos are processed at once: the cores, at most four (each photo being processed
/// holds its decoded pixels, up to a few hundred MB for the largest accepted pictures).
pub fn default_workers() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get()).min(4)
}

/// Processes `inputs` on up to `workers` threads. `on_done(index, result)` is called on the
/// calling thread for each input as it finishes (in finishing order), so the caller can store
/// the photo and report progress while the others are still being processed. Returns when all
/// are done. At most `workers` finished photos wait for the caller at any time.
pub fn process_batch<F>(inputs: &[PhotoInput], workers: usize, mut on_done: F)
where
    F: FnMut(usize, Result<ProcessedPhoto>),
{
    let workers = workers.clamp(1, inputs.len().max(1));
    let next = AtomicUsize::new(0);
    let (tx, rx) = mpsc::sync_channel::<(usize, Result<ProcessedPhoto>)>(workers);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let tx = tx.clone();
            let next = &next;
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(input) = inputs.get(i) else { break };
                    // A panic in a decoder must cost one photo, not the batch.
                    let result =
                        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| input.process()))
                            .unwrap_or_else(|_| {
                                Err(CoreError::from(MediaError::NotAnImage {
                                    file: input.file_name(),
                                    detail: String::from("the picture could not be decoded"),
                                }))
                            });
                    if tx.send((i, result)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        for (i, result) in rx {
            on_done(i, result);
        }
    });
}
