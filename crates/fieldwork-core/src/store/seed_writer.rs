//! Bulk loading of head-office data into an empty store, for demo data and benchmarks. This is
//! what a first pull from head office amounts to: facts that already exist at head office, so
//! nothing goes to the outbox. Everything is written in one transaction.

use chrono::{DateTime, Utc};
use rusqlite::{Transaction, params};

use super::{Store, meta_set, queries, search};
use crate::domain::{
    ChecklistValue, Customer, Equipment, Feedback, JobType, Note, Part, PartUsed, Site,
    StatusChange, Technician, TimeEntry, WorkOrder,
};
use crate::error::{CoreError, Result};

/// Writes head-office records into the store in one transaction; nothing is kept unless
/// [`SeedWriter::commit`] is called.
#[derive(Debug)]
pub struct SeedWriter<'a> {
    tx: Transaction<'a>,
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
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Exclusive)?;
        Ok(SeedWriter { tx })
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
            .execute(params![c.id, c.name, c.phone, c.alt_phone, c.email, c.created_at])?;
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

    pub fn status_change(&self, s: &StatusChange, hlc: &str) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO status_changes (id, job_id, from_status, to_status, reason, actor,
                 at, hlc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                s.id,
                s.job_id,
                s.from_status,
                s.to_status,
                s.reason,
                s.actor,
                s.at,
                hlc
            ])?;
        Ok(())
    }

    pub fn note(&self, n: &Note, hlc: &str) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO notes (id, job_id, author, body, created_at, hlc)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![n.id, n.job_id, n.author, n.body, n.created_at, hlc])?;
        Ok(())
    }

    pub fn part_used(&self, p: &PartUsed, hlc: &str) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO parts_used (id, job_id, part_no, description, quantity,
                 unit_price_cents, chargeable, from_catalogue, created_at, hlc)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?
            .execute(params![
                p.id,
                p.job_id,
                p.part_no,
                p.description,
                p.quantity,
                p.unit_price_cents,
                p.chargeable,
                p.from_catalogue,
                p.created_at,
                hlc
            ])?;
        Ok(())
    }

    pub fn time_entry(&self, t: &TimeEntry, hlc: &str) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO time_entries (id, job_id, kind, started_at, ended_at, source,
                 supersedes, created_at, hlc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(params![
                t.id,
                t.job_id,
                t.kind,
                t.started_at,
                t.ended_at,
                t.source,
                t.supersedes,
                t.created_at,
                hlc
            ])?;
        Ok(())
    }

    pub fn feedback(&self, f: &Feedback, hlc: &str) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO feedback (id, job_id, rating, comment, created_at, hlc)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![f.id, f.job_id, f.rating, f.comment, f.created_at, hlc])?;
        Ok(())
    }

    pub fn checklist_answer(
        &self,
        job_id: &str,
        item_key: &str,
        value: &ChecklistValue,
        at: DateTime<Utc>,
        hlc: &str,
    ) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO checklist_answers (job_id, item_key, value, answered_at, hlc)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![job_id, item_key, serde_json::to_string(value)?, at, hlc])?;
        Ok(())
    }

    /// Builds the search rows of a job once all its notes are written.
    pub fn index_job(&self, seq: i64) -> Result<()> {
        search::reindex_job(&self.tx, seq)
    }

    pub fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        meta_set(&self.tx, key, value)
    }

    pub fn commit(self) -> Result<()> {
        self.tx.commit()?;
        Ok(())
    }
}
