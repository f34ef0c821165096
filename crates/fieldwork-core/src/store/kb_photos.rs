//! The pictures of knowledge articles on the laptop. An article names its pictures by SHA-256
//! (`ArticleContent::photos`); when a published article arrives, the pictures not here yet are
//! queued for download like a job's photos (`blob_transfers`), and come into the same
//! content-addressed media folder. A picture is shown only as a picture of an article held here,
//! and only once its file has arrived.

use rusqlite::{Connection, OptionalExtension};

use super::Store;
use crate::error::{CoreError, Result};
use crate::kb::Article;
use crate::media::blobs;

/// The pictures article `id` names (none when it is not here).
pub(crate) fn article_photos(conn: &Connection, id: &str) -> Result<Vec<String>> {
    let body: Option<String> = conn
        .prepare_cached("SELECT body FROM kb_articles WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    Ok(match body {
        Some(b) => serde_json::from_str::<Article>(&b)?.content.photos,
        None => Vec::new(),
    })
}

/// Whether any article held here names picture `sha`.
pub(crate) fn photo_named(conn: &Connection, sha: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM kb_articles a, json_each(a.body, '$.photos') p
                            WHERE p.value = ?1)",
        )?
        .query_row([sha], |r| r.get(0))?)
}

/// Every picture the articles held here name: files the media folder keeps.
pub(crate) fn named_photos(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn
        .prepare("SELECT DISTINCT p.value FROM kb_articles a, json_each(a.body, '$.photos') p")?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

impl Store {
    /// The JPEG of picture `sha` of article `article_id`. `NotFound` when the article is not
    /// here, does not name it, or the file has not arrived yet (it comes with a sync).
    pub fn kb_photo_bytes(&self, article_id: &str, sha: &str) -> Result<Vec<u8>> {
        if !article_photos(self.conn(), article_id)?.iter().any(|p| p == sha) {
            return Err(CoreError::not_found("picture", sha));
        }
        let path = blobs::blob_path(&self.media_dir()?, sha)?;
        if !path.is_file() {
            return Err(CoreError::not_found("picture", sha));
        }
        blobs::read_blob(&self.media_dir()?, sha)
    }
}
