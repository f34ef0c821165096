//! The outbox: every change made on this device, numbered, stamped and kept until head office
//! acknowledges it. An entry is written in the same transaction as the change, so a change
//! without its entry (or the reverse) cannot exist, whatever happens to the process or power.
//!
//! The sync engine reads [`Store::pending_mutations`] in `seq` order, sends them, and calls
//! [`Store::acknowledge_mutations`] once head office has committed them.

use chrono::{DateTime, Utc};
use rusqlite::{Transaction, params};

use super::Store;
use crate::error::Result;
use crate::hlc::Hlc;

pub use fieldwork_domain::mutation::{JobField, Mutation, OutboxEntry, Replaces};

/// Appends `mutation` to the outbox inside the caller's transaction.
pub(crate) fn append(
    tx: &Transaction<'_>,
    device_id: &str,
    hlc: &Hlc,
    mutation: &Mutation,
    now: DateTime<Utc>,
) -> Result<i64> {
    tx.prepare_cached(
        "INSERT INTO outbox (mutation_id, device_id, hlc, job_id, kind, payload, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        crate::ids::new_id(),
        device_id,
        hlc.to_string(),
        mutation.job_id(),
        mutation.kind(),
        serde_json::to_string(mutation)?,
        super::sqltime::Ms(now),
    ])?;
    Ok(tx.last_insert_rowid())
}

impl Store {
    /// The oldest `limit` unacknowledged mutations, in order.
    pub fn pending_mutations(&self, limit: usize) -> Result<Vec<OutboxEntry>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT seq, mutation_id, device_id, hlc, payload, created_at
             FROM outbox ORDER BY seq LIMIT ?1",
        )?;
        let rows = stmt.query_map([i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                super::sqltime::at(r, 5)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, mutation_id, device_id, hlc, payload, created_at) = row?;
            out.push(OutboxEntry {
                seq,
                mutation_id,
                device_id,
                hlc: hlc.parse().map_err(|e: crate::hlc::ParseHlcError| {
                    crate::CoreError::invalid("outbox", e.to_string())
                })?,
                mutation: serde_json::from_str(&payload)?,
                created_at,
            });
        }
        Ok(out)
    }

    /// How many mutations wait for head office.
    pub fn pending_mutation_count(&self) -> Result<i64> {
        Ok(self.conn().query_row("SELECT count(*) FROM outbox", [], |r| r.get(0))?)
    }

    /// Forgets the mutations up to and including `seq`, once head office has committed them.
    /// The media files of acknowledged photos and signatures are queued for upload in the same
    /// transaction, so none is forgotten between the two.
    pub fn acknowledge_mutations(&mut self, up_to_seq: i64) -> Result<usize> {
        let now = super::sqltime::Ms(self.now());
        self.write(|tx| {
            tx.execute(
                "INSERT OR IGNORE INTO blob_transfers (sha256, direction, queued_at)
                 SELECT h, 'up', ?2 FROM (
                   SELECT json_extract(payload, '$.photo.sha256') AS h FROM outbox
                   WHERE seq <= ?1 AND kind = 'photo_added'
                   UNION ALL SELECT json_extract(payload, '$.photo.thumb_sha256') FROM outbox
                   WHERE seq <= ?1 AND kind = 'photo_added'
                   UNION ALL SELECT json_extract(payload, '$.png_sha256') FROM outbox
                   WHERE seq <= ?1 AND kind = 'signature_added')
                 WHERE h IS NOT NULL",
                params![up_to_seq, now],
            )?;
            Ok(tx.execute("DELETE FROM outbox WHERE seq <= ?1", [up_to_seq])?)
        })
    }
}
