//! Bulk loading of head-office data into an empty store, for demo data and benchmarks. This is
//! what a first pull from head office amounts to: facts that already exist at head office, so
//! nothing goes to the outbox. Everything is written in one transaction.

use std::path::Path;

use chrono::{DateTime, Utc};
use rusqlite::Transaction;

use super::{Store, meta_set, queries, records, search};
use crate::domain::{
    ChecklistValue, Customer, Equipment, Feedback, JobType, Note, Part, PartUsed, SignatureRef,
    Site, StatusChange, Technician, TimeEntry, WorkOrder,
};
use crate::error::{CoreError, Result};
use crate::kb::Article;

/// Page cache during a bulk load (negative: KiB), and SQLite's default.
const BULK_CACHE_KIB: i64 = -512_000;
const DEFAULT_CACHE_KIB: i64 = -2_000;

/// Writes head-office records into the store in one transaction; nothing is kept unless
/// [`SeedWriter::commit`] is called.
#[derive(Debug)]
pub struct SeedWriter<'a> {
    tx: Transaction<'a>,
    /// (name, CREATE INDEX statement) of the indexes to build at commit.
    deferred_indexes: Vec<(String, String)>,
}

impl Store {
    /// Starts a bulk load. Refused when the store already holds jobs, so demo data never mixes
    /// with real work.
    pub fn seed_writer(&mut self) -> Result<SeedWriter<'_>> {
        let jobs = self.job_count()?;
        if jobs > 0 {
            return Err(CoreError::invalid(
                "seed",
                format!("this data folder already holds {jobs} jobs; seed an empty one"),
            ));
        }
        // A bulk load touches far more pages than the default cache holds; without a bigger cache
        // SQLite spills every page to the WAL and reads it back.
        self.conn.pragma_update(None, "cache_size", BULK_CACHE_KIB)?;
        // In WAL mode every page of a bulk load is written twice: to the WAL, then copied into
        // the database. The store is empty, so a rollback journal (which saves only the pages
        // that existed before) writes each page once and is just as crash-safe. If another
        // process has the store open, the mode cannot change and the load simply stays in WAL.
        if self.path() != Path::new(":memory:") {
            let _: String =
                self.conn.query_row("PRAGMA journal_mode = TRUNCATE", [], |r| r.get(0))?;
        }
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Exclusive)?;
        // Secondary indexes are built once at the end, from a sort, rather than updated row by
        // row; their definitions come from the schema itself, so they are recreated exactly.
        let deferred_indexes: Vec<(String, String)> = tx
            .prepare(
                "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL
                 AND tbl_name NOT LIKE 'job_search%'",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (name, _) in &deferred_indexes {
            tx.execute_batch(&format!("DROP INDEX \"{}\"", name.replace('"', "\"\"")))?;
        }
        Ok(SeedWriter { tx, deferred_indexes })
    }

    /// After a bulk load: give back the large page cache and return to WAL, with an empty WAL.
    pub fn finish_bulk_load(&self) -> Result<()> {
        self.conn.pragma_update(None, "cache_size", DEFAULT_CACHE_KIB)?;
        let mode: String = self.conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") && !mode.eq_ignore_ascii_case("memory") {
            return Err(CoreError::invalid(
                "database",
                format!("cannot return to WAL (got {mode})"),
            ));
        }
        self.conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }
}

impl SeedWriter<'_> {
    pub fn technician(&self, t: &Technician) -> Result<()> {
        records::technician(&self.tx, t)
    }

    pub fn customer(&self, c: &Customer) -> Result<()> {
        records::customer(&self.tx, c)
    }

    pub fn site(&self, s: &Site) -> Result<()> {
        records::site(&self.tx, s)
    }

    pub fn equipment(&self, e: &Equipment) -> Result<()> {
        records::equipment(&self.tx, e)
    }

    pub fn job_type(&self, jt: &JobType) -> Result<()> {
        records::job_type(&self.tx, jt)
    }

    pub fn catalogue_part(&self, p: &Part) -> Result<()> {
        records::catalogue_part(&self.tx, p)
    }

    /// Inserts a work order and returns its local row number (for [`Self::index_job`]).
    pub fn work_order(&self, o: &WorkOrder) -> Result<i64> {
        queries::insert_work_order(&self.tx, o)
    }

    pub fn status_change(&self, job_seq: i64, s: &StatusChange, hlc: &str) -> Result<()> {
        records::status_change(&self.tx, job_seq, s, hlc)
    }

    pub fn note(&self, job_seq: i64, n: &Note, hlc: &str) -> Result<()> {
        records::note(&self.tx, job_seq, n, hlc)
    }

    pub fn part_used(&self, job_seq: i64, p: &PartUsed, hlc: &str) -> Result<()> {
        records::part_used(&self.tx, job_seq, p, hlc)
    }

    pub fn time_entry(&self, job_seq: i64, t: &TimeEntry, hlc: &str) -> Result<()> {
        records::time_entry(&self.tx, job_seq, t, hlc)
    }

    pub fn feedback(&self, job_seq: i64, f: &Feedback, hlc: &str) -> Result<()> {
        records::feedback(&self.tx, job_seq, f, hlc)
    }

    /// Records a signature. Its signed-facts hash is computed here from the job's rows as
    /// written so far (the one in `s` is ignored), so write the job's facts first.
    pub fn signature(&self, job_seq: i64, s: &SignatureRef, hlc: &str) -> Result<()> {
        let job = queries::find_job_by_seq(&self.tx, job_seq)?;
        let summary_sha256 = super::signed::summary_sha256(&self.tx, &job)?;
        records::signature(&self.tx, job_seq, s, &summary_sha256, hlc)
    }

    pub fn checklist_answer(
        &self,
        job_seq: i64,
        item_key: &str,
        value: &ChecklistValue,
        at: DateTime<Utc>,
        hlc: &str,
    ) -> Result<()> {
        records::checklist_answer(&self.tx, job_seq, item_key, value, at, hlc)
    }

    /// A published knowledge article, with its search rows (kept unless a newer version of it is
    /// held already).
    pub fn kb_article(&self, a: &Article) -> Result<()> {
        super::kb::put_article(&self.tx, a).map(drop)
    }

    /// Builds the search rows of every job written so far (call once, at the end).
    pub fn index_jobs(&self) -> Result<()> {
        search::index_jobs_after(&self.tx, 0)
    }

    pub fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        meta_set(&self.tx, key, value)
    }

    pub fn commit(self) -> Result<()> {
        for (_, sql) in &self.deferred_indexes {
            self.tx.execute_batch(sql)?;
        }
        self.tx.commit()?;
        Ok(())
    }
}
