//! The content-addressed media folder: `media/ab/abcdef…`, named by the SHA-256 of the bytes.
//!
//! A file is written exactly as DESIGN.md requires: to a temporary file in its shard folder,
//! flushed to disk, renamed to its final name, and the folder flushed, all before the database
//! row that refers to it is committed. So a row never points at a missing or partial file; a
//! crash leaves at worst a temporary or unreferenced file, which `fieldwork check --sweep`
//! removes.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{CoreError, Result};

/// Whether `s` is a lowercase hex SHA-256, the only names the media folder holds.
pub fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Where the file with hash `sha256` lives under `media`.
pub fn blob_path(media: &Path, sha256: &str) -> Result<PathBuf> {
    if !is_sha256(sha256) {
        return Err(CoreError::invalid("media hash", format!("{sha256:?} is not a SHA-256")));
    }
    Ok(media.join(&sha256[..2]).join(sha256))
}

fn io_error(e: std::io::Error) -> CoreError {
    if e.kind() == std::io::ErrorKind::StorageFull { CoreError::DiskFull } else { CoreError::Io(e) }
}

/// Stores `bytes` under their hash `sha256` (computed by the caller) and returns the path. A
/// file already there with the same length is the same content and is kept.
pub fn put_blob(media: &Path, sha256: &str, bytes: &[u8]) -> Result<PathBuf> {
    let path = blob_path(media, sha256)?;
    if fs::metadata(&path).is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64) {
        return Ok(path);
    }
    let shard = path.parent().unwrap_or(media).to_path_buf();
    if !shard.is_dir() {
        fs::create_dir_all(&shard).map_err(io_error)?;
        sync_dir(media)?;
    }
    let tmp = shard.join(format!(".{sha256}.{}.tmp", crate::ids::new_id()));
    let written = (|| -> std::io::Result<()> {
        let mut f = File::create_new(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, &path)
    })();
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(io_error(e));
    }
    sync_dir(&shard)?;
    Ok(path)
}

/// Flushes a folder's entries (the rename) to disk.
fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(io_error)
}

/// Reads a stored file, checking it is still the content its name promises.
pub fn read_blob(media: &Path, sha256: &str) -> Result<Vec<u8>> {
    let path = blob_path(media, sha256)?;
    let bytes = fs::read(&path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => CoreError::not_found("media file", sha256),
        _ => io_error(e),
    })?;
    if super::sha256_hex(&bytes) != sha256 {
        return Err(CoreError::invalid(
            "media file",
            format!("{} is damaged (its content does not match its hash)", path.display()),
        ));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blob_is_stored_under_its_hash_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let bytes = b"a photo".to_vec();
        let sha = crate::media::sha256_hex(&bytes);
        let path = put_blob(dir.path(), &sha, &bytes).unwrap();
        assert_eq!(path, dir.path().join(&sha[..2]).join(&sha));
        // Storing it again is a no-op; no temporary file is left behind.
        put_blob(dir.path(), &sha, &bytes).unwrap();
        assert_eq!(fs::read_dir(path.parent().unwrap()).unwrap().count(), 1);
        assert_eq!(read_blob(dir.path(), &sha).unwrap(), bytes);
        assert!(blob_path(dir.path(), "../etc/passwd").is_err());
    }
}
