//! Reading: job lists, one job with everything in it, and the small look-ups the commands need.

use chrono::{DateTime, Local, NaiveDate, TimeZone, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::Store;
use super::sqltime::{Ms, at, at_opt, word, word_opt};
use crate::completion::{self, JobRecords, PartRecord, PhotoRecord};
use crate::domain::{
    ChecklistAnswer, ChecklistItem, ChecklistValue, Customer, Equipment, EquipmentCategory,
    Feedback, JobDetail, JobStatus, JobSummary, JobType, Note, PartUsed, Site, StatusChange,
    Technician, TimeEntry, WorkOrder,
};
use crate::error::{CoreError, Result};
use crate::hlc::Hlc;
use crate::lifecycle::CompletionFacts;

/// A work order with its local row number.
#[derive(Debug, Clone)]
pub(crate) struct StoredJob {
    pub seq: i64,
    pub order: WorkOrder,
}

const WORK_ORDER_COLUMNS: &str = "seq, id, number, job_type_id, priority, status, customer_id, \
    site_id, equipment_id, reported_problem, reported_at, appointment_start, appointment_end, \
    assignee_id, owner_dispatcher, ack_due_at, due_at, complete_due_at, warranty_status, \
    chargeable, diagnosis, resolution, signature_absence_reason, return_of, created_at, updated_at";

fn stored_job(r: &Row<'_>) -> rusqlite::Result<StoredJob> {
    Ok(StoredJob {
        seq: r.get(0)?,
        order: WorkOrder {
            id: r.get(1)?,
            number: r.get(2)?,
            job_type_id: r.get(3)?,
            priority: word(r, 4)?,
            status: word(r, 5)?,
            customer_id: r.get(6)?,
            site_id: r.get(7)?,
            equipment_id: r.get(8)?,
            reported_problem: r.get(9)?,
            reported_at: at(r, 10)?,
            appointment_start: at_opt(r, 11)?,
            appointment_end: at_opt(r, 12)?,
            assignee_id: r.get(13)?,
            owner_dispatcher: r.get(14)?,
            ack_due_at: at(r, 15)?,
            due_at: at(r, 16)?,
            complete_due_at: at_opt(r, 17)?,
            warranty_status: word(r, 18)?,
            chargeable: r.get(19)?,
            diagnosis: r.get(20)?,
            resolution: r.get(21)?,
            signature_absence_reason: r.get(22)?,
            return_of: r.get(23)?,
            created_at: at(r, 24)?,
            updated_at: at(r, 25)?,
        },
    })
}

/// Finds a job by id or by job number.
pub(crate) fn find_job(conn: &Connection, id_or_number: &str) -> Result<StoredJob> {
    let key = id_or_number.trim();
    // Job numbers are made upper case and ids lower case; normalising the key (rather than
    // comparing without case) lets the lookup use the unique indexes.
    let (column, wanted) = if crate::ids::is_job_number(key) {
        ("number", key.to_ascii_uppercase())
    } else {
        ("id", key.to_ascii_lowercase())
    };
    let sql = format!("SELECT {WORK_ORDER_COLUMNS} FROM work_orders WHERE {column} = ?1");
    conn.prepare_cached(&sql)?
        .query_row([&wanted], stored_job)
        .optional()?
        .ok_or_else(|| CoreError::not_found("job", key.chars().take(80).collect::<String>()))
}

/// Finds a job by its local row number.
pub(crate) fn find_job_by_seq(conn: &Connection, seq: i64) -> Result<StoredJob> {
    let sql = format!("SELECT {WORK_ORDER_COLUMNS} FROM work_orders WHERE seq = ?1");
    conn.prepare_cached(&sql)?
        .query_row([seq], stored_job)
        .optional()?
        .ok_or_else(|| CoreError::not_found("job", seq.to_string()))
}

pub(crate) fn insert_work_order(conn: &Connection, o: &WorkOrder) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO work_orders (id, number, job_type_id, priority, status, customer_id, site_id,
         equipment_id, reported_problem, reported_at, appointment_start, appointment_end,
         assignee_id, owner_dispatcher, ack_due_at, due_at, complete_due_at, warranty_status,
         chargeable, diagnosis, resolution, signature_absence_reason, return_of, created_at,
         updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
         ?19, ?20, ?21, ?22, ?23, ?24, ?25)",
    )?
    .execute(params![
        o.id,
        o.number,
        o.job_type_id,
        o.priority.as_str(),
        o.status.as_str(),
        o.customer_id,
        o.site_id,
        o.equipment_id,
        o.reported_problem,
        Ms(o.reported_at),
        o.appointment_start.map(Ms),
        o.appointment_end.map(Ms),
        o.assignee_id,
        o.owner_dispatcher,
        Ms(o.ack_due_at),
        Ms(o.due_at),
        o.complete_due_at.map(Ms),
        o.warranty_status.as_str(),
        o.chargeable,
        o.diagnosis,
        o.resolution,
        o.signature_absence_reason,
        o.return_of,
        Ms(o.created_at),
        Ms(o.updated_at)
    ])?;
    Ok(conn.last_insert_rowid())
}

/// Records that `field` was last written at `hlc`; returns the new JSON of all field clocks.
pub(crate) fn stamp_field_clock(
    conn: &Connection,
    seq: i64,
    field: &str,
    hlc: &Hlc,
) -> Result<String> {
    let json: String =
        conn.query_row("SELECT field_clocks FROM work_orders WHERE seq = ?1", [seq], |r| r.get(0))?;
    let mut clocks: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&json).unwrap_or_default();
    clocks.insert(field.to_owned(), serde_json::Value::String(hlc.to_string()));
    Ok(serde_json::to_string(&clocks)?)
}

fn checklist_template(r: &Row<'_>) -> rusqlite::Result<ChecklistItem> {
    let options: String = r.get(6)?;
    let categories: String = r.get(7)?;
    Ok(ChecklistItem {
        key: r.get(0)?,
        label: r.get(1)?,
        label_zh: r.get(2)?,
        kind: word(r, 3)?,
        required: r.get(4)?,
        unit: r.get(5)?,
        options: serde_json::from_str(&options).unwrap_or_default(),
        categories: serde_json::from_str(&categories).unwrap_or_default(),
    })
}

const CHECKLIST_COLUMNS: &str = "key, label, label_zh, kind, required, unit, options, categories";

/// The kind of product the job's equipment is; `None` when it names none (or one this laptop
/// does not hold).
pub(crate) fn equipment_category(
    conn: &Connection,
    job: &WorkOrder,
) -> Result<Option<EquipmentCategory>> {
    let Some(id) = job.equipment_id.as_deref() else { return Ok(None) };
    let category: Option<String> = conn
        .prepare_cached("SELECT category FROM equipment WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    Ok(category.and_then(|c| c.parse().ok()))
}

/// The item `key` of the checklist `job` follows (its type's items for its equipment).
pub(crate) fn checklist_item(
    conn: &Connection,
    job: &WorkOrder,
    key: &str,
) -> Result<ChecklistItem> {
    let jt = job_type(conn, &job.job_type_id)?;
    let category = equipment_category(conn, job)?;
    let key = key.trim();
    if let Some(item) = jt.checklist_for(category).find(|i| i.key == key) {
        return Ok(item.clone());
    }
    let keys: Vec<&str> = jt.checklist_for(category).map(|i| i.key.as_str()).collect();
    Err(CoreError::invalid(
        "checklist item",
        format!("this job has no item {:?}; its items are: {}", key, keys.join(", ")),
    ))
}

pub(crate) fn job_type(conn: &Connection, id: &str) -> Result<JobType> {
    let (code, name, name_zh, photos): (String, String, String, String) = conn
        .prepare_cached(
            "SELECT code, name, name_zh, required_photo_kinds FROM job_types WHERE id = ?1",
        )?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .optional()?
        .ok_or_else(|| CoreError::not_found("job type", id))?;
    let sql = format!(
        "SELECT {CHECKLIST_COLUMNS} FROM checklist_items WHERE job_type_id = ?1 ORDER BY position"
    );
    let checklist = conn
        .prepare_cached(&sql)?
        .query_map([id], checklist_template)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(JobType {
        id: id.to_owned(),
        code,
        name,
        name_zh,
        required_photo_kinds: serde_json::from_str(&photos)?,
        checklist,
    })
}

/// The checklist `job` follows, each item with its answer (unanswered: `None`).
fn answers(
    conn: &Connection,
    seq: i64,
    job: &WorkOrder,
    jt: &JobType,
) -> Result<Vec<ChecklistAnswer>> {
    let category = equipment_category(conn, job)?;
    let mut stmt = conn.prepare_cached(
        "SELECT item_key, value, answered_at FROM checklist_answers WHERE job_seq = ?1",
    )?;
    let given: Vec<(String, String, DateTime<Utc>)> = stmt
        .query_map([seq], |r| Ok((r.get(0)?, r.get(1)?, at(r, 2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(jt
        .checklist_for(category)
        .map(|item| {
            let found = given.iter().find(|(k, _, _)| *k == item.key);
            ChecklistAnswer {
                item_key: item.key.clone(),
                label: item.label.clone(),
                label_zh: item.label_zh.clone(),
                kind: item.kind,
                required: item.required,
                unit: item.unit.clone(),
                value: found.and_then(|(_, v, _)| serde_json::from_str::<ChecklistValue>(v).ok()),
                answered_at: found.map(|(_, _, at)| *at),
            }
        })
        .collect())
}

/// Every record of the job that completion and the signed facts are computed from, withdrawn
/// ones flagged: the input of the shared rules in [`crate::completion`].
pub(crate) fn job_records(conn: &Connection, stored: &StoredJob) -> Result<JobRecords> {
    let seq = stored.seq;
    let job = &stored.order;
    let checklist_answers = conn
        .prepare_cached("SELECT item_key, value FROM checklist_answers WHERE job_seq = ?1")?
        .query_map([seq], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let photos = conn
        .prepare_cached(
            "SELECT p.kind, EXISTS (SELECT 1 FROM photo_deletions d
                                    WHERE d.job_seq = p.job_seq AND d.photo_id = p.id)
             FROM photos p WHERE p.job_seq = ?1 ORDER BY p.hlc, p.id",
        )?
        .query_map([seq], |r| Ok(PhotoRecord { kind: word(r, 0)?, withdrawn: r.get(1)? }))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let parts = conn
        .prepare_cached(&format!(
            "SELECT {PART_COLUMNS}, EXISTS (SELECT 1 FROM part_withdrawals w
                                            WHERE w.job_seq = pu.job_seq AND w.part_used_id = pu.id)
             FROM parts_used pu WHERE job_seq = ?1 ORDER BY hlc, id"
        ))?
        .query_map([seq], |r| Ok(PartRecord { part: part_row(r, &job.id)?, withdrawn: r.get(8)? }))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let time_entries = conn
        .prepare_cached(
            "SELECT id, kind, started_at, ended_at, source, supersedes, created_at
             FROM time_entries WHERE job_seq = ?1 ORDER BY started_at, hlc",
        )?
        .query_map([seq], |r| time_entry_row(r, &job.id))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let in_progress_since = conn
        .prepare_cached(
            "SELECT at FROM status_changes WHERE job_seq = ?1 AND to_status = 'in_progress'
             ORDER BY hlc DESC LIMIT 1",
        )?
        .query_row([seq], |r| at(r, 0))
        .optional()?;
    let signature_summaries = conn
        .prepare_cached(
            "SELECT summary_sha256 FROM signatures WHERE job_seq = ?1 ORDER BY hlc, id",
        )?
        .query_map([seq], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(JobRecords {
        job: job.clone(),
        job_type: job_type(conn, &job.job_type_id)?,
        equipment_category: equipment_category(conn, job)?,
        checklist_answers,
        photos,
        parts,
        time_entries,
        in_progress_since,
        signature_summaries,
    })
}

/// What the completion guard needs: the job's records judged by the shared rule.
pub(crate) fn completion_facts(conn: &Connection, stored: &StoredJob) -> Result<CompletionFacts> {
    Ok(completion::completion_facts(&job_records(conn, stored)?)?)
}

/// A time entry row: `id, kind, started_at, ended_at, source, supersedes, created_at`.
pub(crate) fn time_entry_row(r: &Row<'_>, job_id: &str) -> rusqlite::Result<TimeEntry> {
    let started_at = at(r, 2)?;
    let ended_at = at(r, 3)?;
    Ok(TimeEntry {
        id: r.get(0)?,
        job_id: job_id.to_owned(),
        kind: word(r, 1)?,
        started_at,
        ended_at,
        minutes: (ended_at - started_at).num_minutes(),
        source: word(r, 4)?,
        supersedes: r.get(5)?,
        created_at: at(r, 6)?,
    })
}

/// Which jobs a list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobFilter {
    /// Appointments on this local day, for this technician (everyone's when `None`).
    Day {
        date: NaiveDate,
        technician_id: Option<String>,
    },
    Status(JobStatus),
    /// Everything, newest first.
    All,
}

/// A part line (`pu`) not withdrawn: the only part lines that count (parts, totals, signed
/// facts, report).
pub(crate) const PART_LIVE: &str = "NOT EXISTS (SELECT 1 FROM part_withdrawals w \
    WHERE w.job_seq = pu.job_seq AND w.part_used_id = pu.id)";

const PART_COLUMNS: &str = "id, part_no, description, quantity, unit_price_cents, chargeable, \
    from_catalogue, created_at";

/// A part line row ([`PART_COLUMNS`] first).
fn part_row(r: &Row<'_>, job_id: &str) -> rusqlite::Result<PartUsed> {
    let quantity: f64 = r.get(3)?;
    let unit_price_cents: i64 = r.get(4)?;
    Ok(PartUsed {
        id: r.get(0)?,
        job_id: job_id.to_owned(),
        part_no: r.get(1)?,
        description: r.get(2)?,
        quantity,
        unit_price_cents,
        chargeable: r.get(5)?,
        from_catalogue: r.get(6)?,
        line_total_cents: crate::money::line_total(quantity, unit_price_cents),
        created_at: at(r, 7)?,
    })
}

/// The part lines of a job that count (withdrawn ones left out), in the order recorded.
pub(crate) fn live_parts(conn: &Connection, job: &StoredJob) -> Result<Vec<PartUsed>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {PART_COLUMNS} FROM parts_used pu WHERE job_seq = ?1 AND {PART_LIVE}
             ORDER BY hlc, id"
        ))?
        .query_map([job.seq], |r| part_row(r, &job.order.id))?
        .collect::<rusqlite::Result<Vec<_>>>()?)
}

pub(crate) const SUMMARY_SELECT: &str = "SELECT wo.id, wo.number, wo.status, wo.priority, jt.code, c.name, \
    c.phone, s.address, s.city, wo.appointment_start, wo.appointment_end, wo.due_at, t.name, \
    wo.reported_problem \
    FROM work_orders wo \
    JOIN job_types jt ON jt.id = wo.job_type_id \
    JOIN customers c ON c.id = wo.customer_id \
    JOIN sites s ON s.id = wo.site_id \
    LEFT JOIN technicians t ON t.id = wo.assignee_id";

pub(crate) fn summary(r: &Row<'_>) -> rusqlite::Result<JobSummary> {
    Ok(JobSummary {
        id: r.get(0)?,
        number: r.get(1)?,
        status: word(r, 2)?,
        priority: word(r, 3)?,
        job_type: r.get(4)?,
        customer_name: r.get(5)?,
        customer_phone: r.get(6)?,
        site_address: r.get(7)?,
        city: r.get(8)?,
        appointment_start: at_opt(r, 9)?,
        appointment_end: at_opt(r, 10)?,
        due_at: at(r, 11)?,
        assignee_name: r.get(12)?,
        reported_problem: r.get(13)?,
    })
}

/// UTC bounds of a local calendar day.
pub fn local_day_bounds(date: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
    let start_of = |d: NaiveDate| {
        let naive = d.and_hms_opt(0, 0, 0).unwrap_or_default();
        Local
            .from_local_datetime(&naive)
            .earliest()
            .map_or_else(|| Utc.from_utc_datetime(&naive), |t| t.with_timezone(&Utc))
    };
    (start_of(date), start_of(date.succ_opt().unwrap_or(date)))
}

impl Store {
    /// A job list, in appointment order for a day and newest first otherwise.
    pub fn list_jobs(&self, filter: &JobFilter, limit: Option<usize>) -> Result<Vec<JobSummary>> {
        let limit = limit.map_or(i64::MAX, |l| i64::try_from(l).unwrap_or(i64::MAX));
        let conn = self.conn();
        let rows = match filter {
            JobFilter::Day { date, technician_id } => {
                let (start, end) = local_day_bounds(*date);
                match technician_id {
                    Some(t) => conn
                        .prepare_cached(&format!(
                            "{SUMMARY_SELECT} WHERE wo.assignee_id = ?1 AND wo.appointment_start >= ?2 \
                             AND wo.appointment_start < ?3 ORDER BY wo.appointment_start, wo.seq LIMIT ?4"
                        ))?
                        .query_map(params![t, Ms(start), Ms(end), limit], summary)?
                        .collect::<rusqlite::Result<Vec<_>>>()?,
                    None => conn
                        .prepare_cached(&format!(
                            "{SUMMARY_SELECT} WHERE wo.appointment_start >= ?1 \
                             AND wo.appointment_start < ?2 ORDER BY wo.appointment_start, wo.seq LIMIT ?3"
                        ))?
                        .query_map(params![Ms(start), Ms(end), limit], summary)?
                        .collect::<rusqlite::Result<Vec<_>>>()?,
                }
            }
            JobFilter::Status(status) => conn
                .prepare_cached(&format!(
                    "{SUMMARY_SELECT} WHERE wo.status = ?1 ORDER BY wo.appointment_start DESC, wo.seq DESC LIMIT ?2"
                ))?
                .query_map(params![status.as_str(), limit], summary)?
                .collect::<rusqlite::Result<Vec<_>>>()?,
            JobFilter::All => conn
                .prepare_cached(&format!("{SUMMARY_SELECT} ORDER BY wo.seq DESC LIMIT ?1"))?
                .query_map(params![limit], summary)?
                .collect::<rusqlite::Result<Vec<_>>>()?,
        };
        Ok(rows)
    }

    /// Summaries for local row numbers, in the given order (used by search).
    pub(crate) fn summaries_by_seq(&self, seqs: &[i64]) -> Result<Vec<JobSummary>> {
        let mut stmt =
            self.conn().prepare_cached(&format!("{SUMMARY_SELECT} WHERE wo.seq = ?1"))?;
        let mut out = Vec::with_capacity(seqs.len());
        for seq in seqs {
            if let Some(s) = stmt.query_row([seq], summary).optional()? {
                out.push(s);
            }
        }
        Ok(out)
    }

    /// The job's id for an id or job number.
    pub fn resolve_job_id(&self, id_or_number: &str) -> Result<String> {
        Ok(find_job(self.conn(), id_or_number)?.order.id)
    }

    /// One job with everything recorded on it.
    pub fn job_detail(&self, id_or_number: &str) -> Result<JobDetail> {
        let conn = self.conn();
        let StoredJob { seq, order } = find_job(conn, id_or_number)?;
        let jt = job_type(conn, &order.job_type_id)?;
        let checklist = answers(conn, seq, &order, &jt)?;
        let customer = conn
            .prepare_cached(
                "SELECT id, name, phone, alt_phone, email, created_at FROM customers WHERE id = ?1",
            )?
            .query_row([&order.customer_id], |r| {
                Ok(Customer {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    phone: r.get(2)?,
                    alt_phone: r.get(3)?,
                    email: r.get(4)?,
                    created_at: at(r, 5)?,
                })
            })?;
        let site = conn
            .prepare_cached(
                "SELECT id, customer_id, address, city, postal_code, access_notes, contact_name,
                 contact_phone FROM sites WHERE id = ?1",
            )?
            .query_row([&order.site_id], |r| {
                Ok(Site {
                    id: r.get(0)?,
                    customer_id: r.get(1)?,
                    address: r.get(2)?,
                    city: r.get(3)?,
                    postal_code: r.get(4)?,
                    access_notes: r.get(5)?,
                    contact_name: r.get(6)?,
                    contact_phone: r.get(7)?,
                })
            })?;
        let equipment = match &order.equipment_id {
            Some(id) => conn
                .prepare_cached(
                    "SELECT id, site_id, category, brand, model, serial, purchased_on,
                     installed_on, warranty_end FROM equipment WHERE id = ?1",
                )?
                .query_row([id], |r| {
                    Ok(Equipment {
                        id: r.get(0)?,
                        site_id: r.get(1)?,
                        category: word(r, 2)?,
                        brand: r.get(3)?,
                        model: r.get(4)?,
                        serial: r.get(5)?,
                        purchased_on: r.get(6)?,
                        installed_on: r.get(7)?,
                        warranty_end: r.get(8)?,
                    })
                })
                .optional()?,
            None => None,
        };
        let assignee = match &order.assignee_id {
            Some(id) => self.technician(id)?,
            None => None,
        };
        let notes = conn
            .prepare_cached(
                "SELECT id, author, body, created_at FROM notes WHERE job_seq = ?1
                 ORDER BY hlc, id",
            )?
            .query_map([seq], |r| {
                Ok(Note {
                    id: r.get(0)?,
                    job_id: order.id.clone(),
                    author: r.get(1)?,
                    body: r.get(2)?,
                    created_at: at(r, 3)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let parts = live_parts(conn, &StoredJob { seq, order: order.clone() })?;
        let time_entries = conn
            .prepare_cached(
                "SELECT id, kind, started_at, ended_at, source, supersedes, created_at
                 FROM time_entries te WHERE job_seq = ?1
                 AND NOT EXISTS (SELECT 1 FROM time_entries n
                                 WHERE n.job_seq = te.job_seq AND n.supersedes = te.id)
                 ORDER BY started_at, hlc",
            )?
            .query_map([seq], |r| time_entry_row(r, &order.id))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let feedback = conn
            .prepare_cached(
                "SELECT id, rating, comment, created_at FROM feedback WHERE job_seq = ?1
                 ORDER BY hlc DESC LIMIT 1",
            )?
            .query_row([seq], |r| {
                Ok(Feedback {
                    id: r.get(0)?,
                    job_id: order.id.clone(),
                    rating: r.get(1)?,
                    comment: r.get(2)?,
                    created_at: at(r, 3)?,
                })
            })
            .optional()?;
        let photos = super::media::live_photos(conn, seq, &order.id)?;
        let signatures = super::media::signatures(conn, &StoredJob { seq, order: order.clone() })?;
        let status_history = conn
            .prepare_cached(
                "SELECT id, from_status, to_status, reason, actor, at FROM status_changes
                 WHERE job_seq = ?1 ORDER BY hlc",
            )?
            .query_map([seq], |r| {
                Ok(StatusChange {
                    id: r.get(0)?,
                    job_id: order.id.clone(),
                    from_status: word_opt(r, 1)?,
                    to_status: word(r, 2)?,
                    reason: r.get(3)?,
                    actor: r.get(4)?,
                    at: at(r, 5)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let history = conn
            .prepare_cached(&format!(
                "{SUMMARY_SELECT} WHERE wo.seq IN (
                   SELECT seq FROM work_orders WHERE site_id = ?1 AND id <> ?3
                   UNION
                   SELECT seq FROM work_orders WHERE equipment_id = ?2 AND id <> ?3)
                 ORDER BY wo.reported_at DESC LIMIT 20"
            ))?
            .query_map(params![order.site_id, order.equipment_id, order.id], summary)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let chargeable_parts_total_cents =
            parts.iter().filter(|p| p.chargeable).map(|p| p.line_total_cents).sum();
        Ok(JobDetail {
            work_order: order,
            job_type: jt,
            customer,
            site,
            equipment,
            assignee,
            checklist,
            notes,
            parts,
            time_entries,
            feedback,
            photos,
            signatures,
            status_history,
            chargeable_parts_total_cents,
            history,
        })
    }

    pub fn technician(&self, id: &str) -> Result<Option<Technician>> {
        Ok(self
            .conn()
            .prepare_cached(
                "SELECT id, name, phone, email, skills, active FROM technicians WHERE id = ?1",
            )?
            .query_row([id], technician)
            .optional()?)
    }

    pub fn technicians(&self) -> Result<Vec<Technician>> {
        Ok(self
            .conn()
            .prepare_cached(
                "SELECT id, name, phone, email, skills, active FROM technicians ORDER BY name",
            )?
            .query_map([], technician)?
            .collect::<rusqlite::Result<Vec<_>>>()?)
    }

    pub fn job_types(&self) -> Result<Vec<JobType>> {
        let ids: Vec<String> = self
            .conn()
            .prepare_cached("SELECT id FROM job_types ORDER BY code")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        ids.iter().map(|id| job_type(self.conn(), id)).collect()
    }

    /// Catalogue parts whose number or description contains `query` (all when empty).
    pub fn find_parts(&self, query: &str, limit: usize) -> Result<Vec<crate::domain::Part>> {
        let pattern = format!("%{}%", query.trim().replace(['%', '_'], ""));
        Ok(self
            .conn()
            .prepare_cached(
                "SELECT part_no, description, description_zh, unit_price_cents FROM parts_catalogue
                 WHERE part_no LIKE ?1 OR description LIKE ?1 OR description_zh LIKE ?1
                 ORDER BY part_no LIMIT ?2",
            )?
            .query_map(params![pattern, i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
                Ok(crate::domain::Part {
                    part_no: r.get(0)?,
                    description: r.get(1)?,
                    description_zh: r.get(2)?,
                    unit_price_cents: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// How many jobs the store holds.
    pub fn job_count(&self) -> Result<i64> {
        Ok(self.conn().query_row("SELECT count(*) FROM work_orders", [], |r| r.get(0))?)
    }
}

fn technician(r: &Row<'_>) -> rusqlite::Result<Technician> {
    let skills: String = r.get(4)?;
    Ok(Technician {
        id: r.get(0)?,
        name: r.get(1)?,
        phone: r.get(2)?,
        email: r.get(3)?,
        skills: serde_json::from_str(&skills).unwrap_or_default(),
        active: r.get(5)?,
    })
}
