//! `fieldwork check`: is the database sound, and do the media files and rows agree?

use std::collections::HashSet;
use std::path::Path;

use serde::Serialize;

use super::Store;
use crate::error::Result;

/// Folder of content-addressed media files inside the data folder.
pub const MEDIA_DIR: &str = "media";

/// What `check` found. `ok` is true only when nothing is wrong.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CheckReport {
    pub ok: bool,
    /// `PRAGMA integrity_check` lines other than `ok`.
    pub integrity_errors: Vec<String>,
    /// Rows whose foreign keys point nowhere: `table(rowid) → parent`.
    pub foreign_key_errors: Vec<String>,
    /// Hashes of photos, thumbnails and signature pictures with no file in the media folder.
    pub missing_media: Vec<String>,
    /// Media files that no row refers to (left by an interrupted import); removed when sweeping.
    pub orphan_media: Vec<String>,
    pub orphans_removed: usize,
    pub jobs: i64,
    pub pending_mutations: i64,
}

impl Store {
    /// Checks the database and, for a store on disk, the media folder. With `sweep`, deletes
    /// orphaned media files (never files a row refers to). The media folder is compared with
    /// the rows under the write lock, which every import holds from writing its files to
    /// committing its row, so a sweep never takes a file whose row is about to be committed.
    pub fn check(&self, sweep: bool) -> Result<CheckReport> {
        let conn = self.conn();
        let lock = if sweep {
            Some(rusqlite::Transaction::new_unchecked(
                conn,
                rusqlite::TransactionBehavior::Immediate,
            )?)
        } else {
            None
        };
        let integrity_errors: Vec<String> = conn
            .prepare("PRAGMA integrity_check")?
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?
            .into_iter()
            .filter(|l| l != "ok")
            .collect();
        let foreign_key_errors: Vec<String> = conn
            .prepare("PRAGMA foreign_key_check")?
            .query_map([], |r| {
                Ok(format!(
                    "{}({}) → {}",
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<i64>>(1)?.unwrap_or_default(),
                    r.get::<_, String>(2)?
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let referenced: HashSet<String> = conn
            .prepare(
                "SELECT sha256 FROM photos UNION SELECT thumb_sha256 FROM photos
                 WHERE thumb_sha256 IS NOT NULL
                 UNION SELECT png_sha256 FROM signatures WHERE png_sha256 IS NOT NULL",
            )?
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<_>>()?;
        let (mut missing_media, mut orphan_media, mut orphans_removed) =
            (Vec::new(), Vec::new(), 0);
        if let Some(data_dir) =
            self.path().parent().filter(|_| self.path() != Path::new(":memory:"))
        {
            let media = data_dir.join(MEDIA_DIR);
            let on_disk = media_files(&media)?;
            let names: HashSet<&str> = on_disk.iter().map(|(name, _)| name.as_str()).collect();
            for hash in &referenced {
                if !names.contains(hash.as_str()) {
                    missing_media.push(hash.clone());
                }
            }
            // Pictures of the articles held here are kept too (arrived or not).
            let articles: HashSet<String> =
                super::kb_photos::named_photos(conn)?.into_iter().collect();
            for (name, path) in on_disk {
                if !referenced.contains(&name) && !articles.contains(&name) {
                    if sweep {
                        std::fs::remove_file(&path)?;
                        orphans_removed += 1;
                    }
                    orphan_media.push(name);
                }
            }
        }
        if let Some(lock) = lock {
            lock.commit()?;
        }
        missing_media.sort();
        orphan_media.sort();
        Ok(CheckReport {
            ok: integrity_errors.is_empty()
                && foreign_key_errors.is_empty()
                && missing_media.is_empty()
                && (orphan_media.is_empty() || sweep),
            integrity_errors,
            foreign_key_errors,
            missing_media,
            orphan_media,
            orphans_removed,
            jobs: self.job_count()?,
            pending_mutations: self.pending_mutation_count()?,
        })
    }
}

/// Every file under `media/xx/`, as (file name, path). Temporary files of an interrupted write
/// count as orphans too.
fn media_files(media: &Path) -> Result<Vec<(String, std::path::PathBuf)>> {
    let mut out = Vec::new();
    if !media.is_dir() {
        return Ok(out);
    }
    for shard in std::fs::read_dir(media)? {
        let shard = shard?.path();
        if shard.is_dir() {
            for f in std::fs::read_dir(&shard)? {
                let path = f?.path();
                if path.is_file() {
                    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
                    out.push((name.unwrap_or_default(), path));
                }
            }
        } else if shard.is_file() {
            let name = shard.file_name().map(|n| n.to_string_lossy().into_owned());
            out.push((name.unwrap_or_default(), shard));
        }
    }
    Ok(out)
}
