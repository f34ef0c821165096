//! Embedded migrations, versioned by SQLite's `user_version`. All pending migrations run in one
//! transaction: a database is either fully at the new version or untouched. A database written by
//! a newer Fieldwork is refused before anything is written to it.

use rusqlite::{Connection, TransactionBehavior};

use crate::error::{CoreError, Result};

/// The migrations, in order. Migration `n` (1-based) brings the schema to version `n`.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_initial.sql"),
    include_str!("migrations/0002_media.sql"),
    include_str!("migrations/0003_sync.sql"),
    include_str!("migrations/0004_part_withdrawals.sql"),
    include_str!("migrations/0005_knowledge.sql"),
    include_str!("migrations/0006_past_fixes.sql"),
    include_str!("migrations/0007_kb_field.sql"),
    include_str!("migrations/0008_kb_model_prefixes.sql"),
    include_str!("migrations/0009_kb_deferred_index.sql"),
    include_str!("migrations/0010_checklist_categories.sql"),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

pub(crate) fn user_version(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// Refuses a database from a newer version. Reads only.
pub(crate) fn refuse_newer(conn: &Connection) -> Result<i64> {
    let found = user_version(conn)?;
    if found > SCHEMA_VERSION {
        return Err(CoreError::DatabaseTooNew { found, supported: SCHEMA_VERSION });
    }
    Ok(found)
}

/// Brings the schema up to [`SCHEMA_VERSION`].
pub(crate) fn migrate(conn: &mut Connection) -> Result<()> {
    // Up to date (the usual case): no write lock, so opening never waits for another writer.
    if refuse_newer(conn)? == SCHEMA_VERSION {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Exclusive)?;
    // Read again inside the write lock: another process may have migrated meanwhile.
    let current = refuse_newer(&tx)?;
    let start = usize::try_from(current).unwrap_or(0);
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(start) {
        tx.execute_batch(sql)?;
        tracing::info!(version = index + 1, "applied migration");
    }
    if current < SCHEMA_VERSION {
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    }
    tx.commit()?;
    Ok(())
}
