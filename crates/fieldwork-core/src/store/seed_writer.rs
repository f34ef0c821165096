//! Bulk loading of head-office data into an empty store, for demo data and benchmarks. This is
//! what a first pull from head office amounts to: facts that already exist at head office, so
//! nothing goes to the outbox. Everything is written in one transaction.

use std::path::Path;

use chrono::{DateTime, Utc};
use rusqlite::{Transaction, params};

use super::sqltime::Ms;
use super::{Store, meta_set, queries, search};
use crate::domain::{
    ChecklistValue, Customer, Equipment, Feedback, JobType, Note, Part, PartUsed, SignatureRef,
    Site, StatusChange, Technician, TimeEntry, WorkOrder,
};
use crate::error::{CoreError, Result};

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
        self.tx
            .prepare_cached(
                "INSERT INTO technicians (id, name, phone, email, skills, active)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                t.id,
                t.name,
                t.phone,
                t.email,
                serde_json::to_string(&t.skills)?,
                t.active
            ])?;
        Ok(())
    }

    pub fn customer(&self, c: &Customer) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO customers (id, name, phone, alt_phone, email, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![c.id, c.name, c.phone, c.alt_phone, c.email, Ms(c.created_at)])?;
        Ok(())
    }

    pub fn site(&self, s: &Site) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO sites (id, customer_id, address, city, postal_code, access_notes,
                 contact_name, contact_phone) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                s.id,
                s.customer_id,
                s.address,
                s.city,
                s.postal_code,
                s.access_notes,
                s.contact_name,
                s.contact_phone
            ])?;
        Ok(())
    }

    pub fn equipment(&self, e: &Equipment) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO equipment (id, site_id, category, brand, model, serial, purchased_on,
                 installed_on, warranty_end) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(params![
                e.id,
                e.site_id,
                e.category,
                e.brand,
                e.model,
                e.serial,
                e.purchased_on,
                e.installed_on,
                e.warranty_end
            ])?;
        Ok(())
    }

    pub fn job_type(&self, jt: &JobType) -> Result<()> {
        self.tx.execute(
            "INSERT INTO job_types (id, code, name, name_zh, required_photo_kinds)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                jt.id,
                jt.code,
                jt.name,
                jt.name_zh,
                serde_json::to_string(&jt.required_photo_kinds)?
            ],
        )?;
        for (position, item) in jt.checklist.iter().enumerate() {
            self.tx.execute(
                "INSERT INTO checklist_items (job_type_id, key, position, label, label_zh, kind,
                 required, unit, options) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    jt.id,
                    item.key,
                    i64::try_from(position).unwrap_or(i64::MAX),
                    item.label,
                    item.label_zh,
                    item.kind,
                    item.required,
                    item.unit,
                    serde_json::to_string(&item.options)?
                ],
            )?;
        }
        Ok(())
    }

    pub fn catalogue_part(&self, p: &Part) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO parts_catalogue (part_no, description, description_zh,
                 unit_price_cents) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![p.part_no, p.description, p.description_zh, p.unit_price_cents])?;
        Ok(())
    }

    /// Inserts a work order and returns its local row number (for [`Self::index_job`]).
    pub fn work_order(&self, o: &WorkOrder) -> Result<i64> {
        queries::insert_work_order(&self.tx, o)
    }

    pub fn status_change(&self, job_seq: i64, s: &StatusChange, hlc: &str) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO status_changes (id, job_seq, from_status, to_status, reason, actor,
                 at, hlc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                s.id,
                job_seq,
                s.from_status,
                s.to_status,
                s.reason,
                s.actor,
                Ms(s.at),
                hlc
            ])?;
        Ok(())
    }

    pub fn note(&self, job_seq: i64, n: &Note, hlc: &str) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO notes (id, job_seq, author, body, created_at, hlc)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![n.id, job_seq, n.author, n.body, Ms(n.created_at), hlc])?;
        Ok(())
    }

    pub fn part_used(&self, job_seq: i64, p: &PartUsed, hlc: &str) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO parts_used (id, job_seq, part_no, description, quantity,
                 unit_price_cents, chargeable, from_catalogue, created_at, hlc)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?
            .execute(params![
                p.id,
                job_seq,
                p.part_no,
                p.description,
                p.quantity,
                p.unit_price_cents,
                p.chargeable,
                p.from_catalogue,
                Ms(p.created_at),
                hlc
            ])?;
        Ok(())
    }

    pub fn time_entry(&self, job_seq: i64, t: &TimeEntry, hlc: &str) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO time_entries (id, job_seq, kind, started_at, ended_at, source,
                 supersedes, created_at, hlc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(params![
                t.id,
                job_seq,
                t.kind,
                Ms(t.started_at),
                Ms(t.ended_at),
                t.source,
                t.supersedes,
                Ms(t.created_at),
                hlc
            ])?;
        Ok(())
    }

    pub fn feedback(&self, job_seq: i64, f: &Feedback, hlc: &str) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO feedback (id, job_seq, rating, comment, created_at, hlc)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![f.id, job_seq, f.rating, f.comment, Ms(f.created_at), hlc])?;
        Ok(())
    }

    /// Records a signature. Its signed-facts hash is computed here from the job's rows as
    /// written so far (the one in `s` is ignored), so write the job's facts first.
    pub fn signature(&self, job_seq: i64, s: &SignatureRef, hlc: &str) -> Result<()> {
        let job = queries::find_job_by_seq(&self.tx, job_seq)?;
        let summary_sha256 = super::signed::summary_sha256(&self.tx, &job)?;
        self.tx
            .prepare_cached(
                "INSERT INTO signatures (id, job_seq, signer_name, signed_at, summary_sha256, hlc)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![s.id, job_seq, s.signer_name, Ms(s.signed_at), summary_sha256, hlc])?;
        Ok(())
    }

    pub fn checklist_answer(
        &self,
        job_seq: i64,
        item_key: &str,
        value: &ChecklistValue,
        at: DateTime<Utc>,
        hlc: &str,
    ) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO checklist_answers (job_seq, item_key, value, answered_at, hlc)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![job_seq, item_key, serde_json::to_string(value)?, Ms(at), hlc])?;
        Ok(())
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
