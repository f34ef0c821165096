//! Work orders: creation with head-office job numbers, dispatcher edits, scheduling and
//! reassignment, dispatcher status moves (checked by the core's lifecycle), the job list and
//! the full job record. Also the shared helpers the sync push uses on jobs.

use chrono::{DateTime, Datelike, Utc};
use fieldwork_domain::ErrorCode;
use fieldwork_domain::domain::{
    ChecklistAnswer, ChecklistItem, ChecklistValue, Customer, Equipment, EquipmentCategory,
    JobStatus, JobType, PartUsed, StatusChange, Technician, TimeEntry, WarrantyStatus, WorkOrder,
};
use fieldwork_domain::hlc::Hlc;
use fieldwork_domain::lifecycle::{self, CompletionFacts, MoveRequest, Role, ScheduleFacts};
use fieldwork_domain::mutation::JobField;
use fieldwork_domain::schedule::{self, Window};
use fieldwork_domain::signed::SignedFacts;
use fieldwork_wire::merge::{LwwDecision, Stamped, conflict_detail, lww_seen};
use fieldwork_wire::wire::{ConflictKind, ConflictRecord, RejectedMutation};

use super::master::{self, optional};
use super::{Writer, from_ms, meta_get, meta_set, ms};
use crate::db::{Db, Row, ToValue, Value};
use crate::error::{Error, Result};
use crate::store::types::*;

/// Longest reported problem, diagnosis or resolution: the device store's limit.
pub(super) const TEXT_MAX: usize = fieldwork_domain::limits::JOB_TEXT_MAX_CHARS;

pub(super) fn load_job(db: &dyn Db, id: &str) -> Result<WorkOrder> {
    db.body("SELECT body FROM work_orders WHERE id = ?1", &[&id])?.ok_or(Error::NotFound)
}

/// Stores a job and appends its change-feed row.
pub(super) fn save_job(w: &mut Writer<'_>, job: &WorkOrder) -> Result<()> {
    let customer = master::customer(w.db, &job.customer_id)?;
    let site = master::site(w.db, &job.site_id)?;
    let search = format!(
        "{} {} {} {} {}",
        job.number, job.reported_problem, customer.name, customer.phone, site.address
    )
    .to_lowercase();
    let plan_at = job.appointment_start.unwrap_or(job.due_at);
    w.db.execute(
        "INSERT INTO work_orders (id, number, status, priority, assignee_id, customer_id, site_id,
             equipment_id, plan_at, search_text, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT (id) DO UPDATE SET status = excluded.status, priority = excluded.priority,
             assignee_id = excluded.assignee_id, equipment_id = excluded.equipment_id,
             plan_at = excluded.plan_at, search_text = excluded.search_text, body = excluded.body",
        &[
            &job.id,
            &job.number,
            &job.status.as_str(),
            &job.priority.as_str(),
            &job.assignee_id,
            &job.customer_id,
            &job.site_id,
            &job.equipment_id,
            &ms(plan_at),
            &search,
            &serde_json::to_string(job)?,
        ],
    )?;
    super::kpi::refresh_facts(w.db, job)?;
    super::kb::refresh_past_fix(w, job)?;
    // A return visit decides whether the job it returns to was a first-time fix.
    if let Some(earlier) = job.return_of.as_deref().filter(|e| *e != job.id) {
        super::kb::refresh_past_fix(w, &load_job(w.db, earlier)?)?;
    }
    w.feed("job", &job.id, Some(&job.id), None)
}

fn job_type(db: &dyn Db, code_or_id: &str) -> Result<JobType> {
    db.body("SELECT body FROM job_types WHERE code = ?1 OR id = ?1", &[&code_or_id])?
        .ok_or_else(|| Error::invalid(format!("no job type {code_or_id:?}")))
}

fn technician(db: &dyn Db, id: &str) -> Result<Technician> {
    db.body("SELECT body FROM technicians WHERE id = ?1", &[&id])?
        .ok_or_else(|| Error::invalid(format!("no technician {id:?}")))
}

fn text(field: &str, value: &str) -> Result<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(Error::invalid(format!("{field} must not be empty")));
    }
    if v.chars().count() > TEXT_MAX {
        return Err(Error::invalid(format!("{field} is longer than {TEXT_MAX} characters")));
    }
    Ok(v.to_owned())
}

pub(super) fn create_job(
    w: &mut Writer<'_>,
    by: &Dispatcher,
    input: JobInput,
) -> Result<WorkOrder> {
    let jt = job_type(w.db, &input.job_type)?;
    if !master::job_type_active(w.db, &jt.id)? {
        return Err(Error::rule(
            ErrorCode::JobTypeInactive,
            format!("the job type {} is deactivated; pick another", jt.name),
        ));
    }
    let site = master::site(w.db, &input.site_id)
        .map_err(|_| Error::invalid(format!("no site {:?}", input.site_id)))?;
    if site.customer_id != input.customer_id {
        return Err(Error::invalid("the site belongs to another customer"));
    }
    let warranty_end = match &input.equipment_id {
        Some(eq) => {
            let e = master::equipment(w.db, eq)
                .map_err(|_| Error::invalid(format!("no equipment {eq:?}")))?;
            if e.site_id != site.id {
                return Err(Error::invalid("the equipment is at another site"));
            }
            e.warranty_end
        }
        None => None,
    };
    if let Some(earlier) = &input.return_of {
        let earlier =
            load_job(w.db, earlier).map_err(|_| Error::invalid(format!("no job {earlier:?}")))?;
        if !fieldwork_domain::lifecycle::takes_return_visit(earlier.status) {
            return Err(Error::rule(
                ErrorCode::TransitionNotAllowed,
                format!(
                    "job {} is {}; a return visit follows a completed, closed or on-hold job",
                    earlier.number, earlier.status
                ),
            ));
        }
    }
    let reported_at = input.reported_at.unwrap_or(w.now);
    let warranty =
        match fieldwork_domain::sla::warranty_status(warranty_end, reported_at.date_naive()) {
            WarrantyStatus::OutOfWarranty if input.goodwill => WarrantyStatus::Goodwill,
            other => other,
        };
    // The policy in force now; later policy changes leave these deadlines as they are.
    let deadlines = master::sla_policy(w.db)?.deadlines(
        input.priority,
        reported_at,
        jt.code == "repair" && warranty == WarrantyStatus::InWarranty,
    );
    let job = WorkOrder {
        id: fieldwork_domain::ids::new_id(),
        number: next_job_number(w.db, w.now)?,
        job_type_id: jt.id,
        priority: input.priority,
        status: JobStatus::New,
        customer_id: input.customer_id,
        site_id: input.site_id,
        equipment_id: input.equipment_id,
        reported_problem: text("reported_problem", &input.reported_problem)?,
        reported_at,
        appointment_start: None,
        appointment_end: None,
        assignee_id: None,
        owner_dispatcher: by.name.clone(),
        ack_due_at: deadlines.ack_due_at,
        due_at: deadlines.due_at,
        complete_due_at: deadlines.complete_due_at,
        warranty_status: warranty,
        chargeable: warranty.is_chargeable(),
        diagnosis: None,
        resolution: None,
        signature_absence_reason: None,
        return_of: input.return_of,
        created_at: w.now,
        updated_at: w.now,
    };
    save_job(w, &job)?;
    Ok(job)
}

/// `WO-2026-000123`: a counter per year, kept in the same transaction as the job.
fn next_job_number(db: &dyn Db, now: DateTime<Utc>) -> Result<String> {
    let key = format!("job_serial:{}", now.year());
    let serial: u64 = meta_get(db, &key)?.and_then(|s| s.parse().ok()).unwrap_or(0) + 1;
    meta_set(db, &key, &serial.to_string())?;
    Ok(fieldwork_domain::ids::job_number(now.year(), serial))
}

pub(super) fn field_clock(db: &dyn Db, job_id: &str, field: &str) -> Result<Option<Hlc>> {
    let text: Option<String> = db.value(
        "SELECT hlc FROM field_clocks WHERE job_id = ?1 AND field = ?2",
        &[&job_id, &field],
    )?;
    Ok(text.and_then(|t| t.parse().ok()))
}

pub(super) fn set_field_clock(db: &dyn Db, job_id: &str, field: &str, hlc: &Hlc) -> Result<()> {
    db.execute(
        "INSERT INTO field_clocks (job_id, field, hlc) VALUES (?1, ?2, ?3)
         ON CONFLICT (job_id, field) DO UPDATE SET hlc = excluded.hlc",
        &[&job_id, &field, &hlc.to_string()],
    )?;
    Ok(())
}

/// What became of a write to a shared field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum FieldWrite {
    Applied,
    /// Applied (`true`: the incoming write won) or the stored value kept (`false`), with a
    /// conflict logged under this id.
    Conflict(String, bool),
    Unchanged,
}

/// Applies a write to a shared field by last-writer-wins, logging the losing value unless the
/// writer had seen the value it overwrote (`seen`, see [`lww_seen`]).
/// The stored value without a clock (set at creation) counts as the oldest write.
pub(super) fn write_shared_field(
    w: &mut Writer<'_>,
    job: &mut WorkOrder,
    field: JobField,
    value: Option<String>,
    hlc: &Hlc,
    seen: Option<&Option<String>>,
) -> Result<FieldWrite> {
    let current = field_clock(w.db, &job.id, field.name())?
        .map(|c| Stamped { value: field.get(job), hlc: c });
    let incoming = Stamped { value: value.clone(), hlc: hlc.clone() };
    match lww_seen(current.as_ref(), &incoming, seen) {
        LwwDecision::Same => Ok(FieldWrite::Unchanged),
        LwwDecision::Take { overwritten } => {
            field.set(job, value);
            set_field_clock(w.db, &job.id, field.name(), hlc)?;
            match overwritten {
                Some(loser) => Ok(FieldWrite::Conflict(
                    log_field_conflict(w, &job.id, field.name(), &incoming, &loser, false)?,
                    true,
                )),
                None => Ok(FieldWrite::Applied),
            }
        }
        LwwDecision::Keep { lost } => match (lost, current) {
            (Some(loser), Some(winner)) => Ok(FieldWrite::Conflict(
                log_field_conflict(w, &job.id, field.name(), &winner, &loser, true)?,
                false,
            )),
            _ => Ok(FieldWrite::Unchanged),
        },
    }
}

/// Who wrote with clock node `node`, for people: head office, or a user's laptop by its name
/// (the bare node id if head office does not know it).
fn writer_name(db: &dyn Db, node: &str) -> Result<String> {
    if node == super::HEAD_OFFICE_NODE {
        return Ok(String::from("head office"));
    }
    let known: Option<(String, String)> = db.query_opt(
        "SELECT u.name, d.name FROM devices d JOIN users u ON u.id = d.user_id WHERE d.id = ?1",
        &[&node],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(match known {
        Some((user, device)) => format!("{user} on “{device}”"),
        None => node.to_owned(),
    })
}

/// Logs a field conflict once per (job, field, losing write): the id is derived from them.
/// `winner_arrived_first`: the kept write was at head office before the losing one arrived
/// (it wins by its clock time; the wording says so, see [`conflict_detail`]).
pub(super) fn log_field_conflict(
    w: &mut Writer<'_>,
    job_id: &str,
    field: &str,
    winner: &Stamped,
    loser: &Stamped,
    winner_arrived_first: bool,
) -> Result<String> {
    let id = format!("fc-{}", &hex_sha(&format!("{job_id}|{field}|{}", loser.hlc))[..32]);
    let record = ConflictRecord {
        id: id.clone(),
        job_id: job_id.to_owned(),
        kind: ConflictKind::FieldOverwritten,
        field: Some(field.to_owned()),
        winning_value: winner.value.clone(),
        losing_value: loser.value.clone(),
        winning_hlc: Some(winner.hlc.to_string()),
        losing_hlc: Some(loser.hlc.to_string()),
        losing_node: Some(loser.hlc.node.clone()),
        detail: conflict_detail(
            field,
            &writer_name(w.db, &winner.hlc.node)?,
            &writer_name(w.db, &loser.hlc.node)?,
            winner_arrived_first,
        ),
        created_at: w.now,
        resolved: false,
    };
    insert_conflict(w, &record)?;
    Ok(id)
}

pub(super) fn insert_conflict(w: &mut Writer<'_>, c: &ConflictRecord) -> Result<()> {
    let added = w.db.execute(
        "INSERT INTO conflicts (id, job_id, body) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
        &[&c.id, &c.job_id, &serde_json::to_string(c)?],
    )?;
    if added > 0 {
        w.feed("conflict", &c.id, Some(&c.job_id), None)?;
    }
    Ok(())
}

fn hex_sha(s: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(s.as_bytes()))
}

pub(super) fn update_job(
    w: &mut Writer<'_>,
    _by: &Dispatcher,
    id: &str,
    p: JobPatch,
) -> Result<WorkOrder> {
    let mut job = load_job(w.db, id)?;
    if let Some(pr) = p.priority
        && pr != job.priority
    {
        // A new priority means a new arrival limit, from the policy in force now.
        job.priority = pr;
        job.due_at = job.reported_at
            + chrono::Duration::minutes(master::sla_policy(w.db)?.arrive_minutes(pr));
    }
    if let Some(t) = p.reported_problem {
        job.reported_problem = text("reported_problem", &t)?;
    }
    if let Some(eq) = p.equipment_id {
        match optional("equipment_id", Some(eq))? {
            Some(eq) => {
                let e = master::equipment(w.db, &eq)
                    .map_err(|_| Error::invalid(format!("no equipment {eq:?}")))?;
                if e.site_id != job.site_id {
                    return Err(Error::invalid("the equipment is at another site"));
                }
                job.equipment_id = Some(eq);
            }
            None => job.equipment_id = None,
        }
    }
    for (field, value) in [
        (JobField::Diagnosis, p.diagnosis),
        (JobField::Resolution, p.resolution),
        (JobField::SignatureAbsenceReason, p.signature_absence_reason),
    ] {
        if let Some(v) = value {
            let v = optional(field.name(), Some(v))?;
            if let Some(t) = &v {
                text(field.name(), t)?;
            }
            let hlc = w.tick();
            write_shared_field(w, &mut job, field, v, &hlc, None)?;
        }
    }
    job.updated_at = w.now;
    save_job(w, &job)?;
    Ok(job)
}

/// Appends the job and everything in it to the feed, for a technician who just got it.
pub(super) fn feed_whole_job(w: &mut Writer<'_>, job: &WorkOrder) -> Result<()> {
    w.feed("job_full", &job.id, Some(&job.id), None)
}

pub(super) fn schedule_job(
    w: &mut Writer<'_>,
    by: &Dispatcher,
    id: &str,
    input: ScheduleInput,
) -> Result<WorkOrder> {
    let mut job = load_job(w.db, id)?;
    let tech = technician(w.db, &input.assignee_id)?;
    if !tech.active {
        return Err(Error::invalid(format!("{} is not active", tech.name)));
    }
    if super::people::technician_disabled(w.db, &tech.id)? {
        return Err(Error::invalid(format!(
            "{}'s account is disabled; assign someone else",
            tech.name
        )));
    }
    if input.appointment_end <= input.appointment_start {
        return Err(Error::invalid("the appointment must end after it starts"));
    }
    if !input.allow_overlap {
        let booking = Window::new(input.appointment_start, input.appointment_end);
        let others = appointments_of(w.db, &tech.id, &job.id)?;
        let clashing: Vec<Appointment> = schedule::clashes(&booking, &others, |a| {
            Some(Window::new(a.appointment_start, a.appointment_end))
        })
        .into_iter()
        .cloned()
        .collect();
        if !clashing.is_empty() {
            return Err(Error::ScheduleOverlap { technician: tech.name, clashes: clashing });
        }
    }
    let previous = job.assignee_id.clone();
    job.assignee_id = Some(tech.id.clone());
    job.appointment_start = Some(input.appointment_start);
    job.appointment_end = Some(input.appointment_end);
    match job.status {
        JobStatus::New => {
            check_dispatcher_move(&job, JobStatus::Scheduled, None)?;
            record_status(w, &mut job, JobStatus::Scheduled, None, &by.name, None)?;
        }
        s if s.is_open() => {}
        s => {
            return Err(Error::rule(
                ErrorCode::TransitionNotAllowed,
                format!("a {s} job cannot be rescheduled; reopen it first"),
            ));
        }
    }
    job.updated_at = w.now;
    save_job(w, &job)?;
    match previous {
        Some(old) if old != tech.id => {
            w.feed("job_removed", &job.id, Some(&job.id), Some(&old))?;
            feed_whole_job(w, &job)?;
        }
        Some(_) => {}
        None => feed_whole_job(w, &job)?,
    }
    Ok(job)
}

/// The appointments of `technician_id` that hold their time (see
/// [`fieldwork_domain::schedule::holds_slot`]), but for `except_job`'s, in time order.
pub(super) fn appointments_of(
    db: &dyn Db,
    technician_id: &str,
    except_job: &str,
) -> Result<Vec<Appointment>> {
    let holding: Vec<String> = JobStatus::ALL
        .iter()
        .filter(|s| schedule::holds_slot(**s))
        .map(|s| format!("'{}'", s.as_str()))
        .collect();
    let jobs: Vec<WorkOrder> = db.bodies(
        &format!(
            "SELECT body FROM work_orders WHERE assignee_id = ?1 AND id != ?2
             AND status IN ({}) ORDER BY plan_at",
            holding.join(", ")
        ),
        &[&technician_id, &except_job],
    )?;
    Ok(jobs
        .into_iter()
        .filter_map(|j| match (j.appointment_start, j.appointment_end) {
            (Some(start), Some(end)) => Some(Appointment {
                job_id: j.id,
                number: j.number,
                appointment_start: start,
                appointment_end: end,
            }),
            _ => None,
        })
        .collect())
}

fn check_dispatcher_move(job: &WorkOrder, to: JobStatus, reason: Option<&str>) -> Result<()> {
    let facts = CompletionFacts::default();
    lifecycle::check_move(&MoveRequest {
        from: job.status,
        to,
        role: Role::Dispatcher,
        reason,
        completion: &facts,
        schedule: ScheduleFacts {
            has_assignee: job.assignee_id.is_some(),
            has_appointment_window: job.appointment_start.is_some()
                && job.appointment_end.is_some(),
        },
    })
    .map(|_| ())
    .map_err(Error::from_rule)
}

/// Records a status change on the job (row, feed) and sets the new status on `job` (the caller
/// saves the job).
pub(super) fn record_status(
    w: &mut Writer<'_>,
    job: &mut WorkOrder,
    to: JobStatus,
    reason: Option<&str>,
    actor: &str,
    from_device: Option<(&str, DateTime<Utc>, &Hlc)>,
) -> Result<()> {
    let (id, at, hlc) = match from_device {
        Some((id, at, hlc)) => (id.to_owned(), at, hlc.clone()),
        None => (fieldwork_domain::ids::new_id(), w.now, w.tick()),
    };
    let change = StatusChange {
        id: id.clone(),
        job_id: job.id.clone(),
        from_status: Some(job.status),
        to_status: to,
        reason: reason.map(str::to_owned),
        actor: actor.to_owned(),
        at,
    };
    let added = w.db.execute(
        "INSERT INTO status_changes (id, job_id, hlc, body) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT DO NOTHING",
        &[&id, &job.id, &hlc.to_string(), &serde_json::to_string(&change)?],
    )?;
    if added > 0 {
        if from_device.is_some() {
            // The device's claim stays in the change; SLA and KPIs use a time head office
            // can trust.
            let judged = crate::device_time::judge(at, job.reported_at, w.now);
            w.db.execute(
                "INSERT INTO status_times (change_id, received_at, trusted_at, plausible)
                 VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
                &[&id, &ms(w.now), &ms(judged.trusted), &judged.plausible],
            )?;
        }
        w.feed("status_change", &id, Some(&job.id), None)?;
    }
    job.status = to;
    Ok(())
}

pub(super) fn dispatcher_move(
    w: &mut Writer<'_>,
    by: &Dispatcher,
    id: &str,
    to: JobStatus,
    reason: Option<&str>,
) -> Result<WorkOrder> {
    let mut job = load_job(w.db, id)?;
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    check_dispatcher_move(&job, to, reason)?;
    record_status(w, &mut job, to, reason, &by.name, None)?;
    job.updated_at = w.now;
    save_job(w, &job)?;
    Ok(job)
}

/// The job list's select, to which a caller appends conditions (`AND …`) and an order.
pub(super) const JOB_LIST_SELECT: &str = "SELECT w.body, c.name, s.address, t.name, jt.code,
            (SELECT count(*) FROM conflicts k WHERE k.job_id = w.id AND NOT k.resolved),
            (SELECT count(*) FROM device_mutations m WHERE m.job_id = w.id AND m.outcome = 'rejected')
         FROM work_orders w
         JOIN customers c ON c.id = w.customer_id
         JOIN sites s ON s.id = w.site_id
         LEFT JOIN technicians t ON t.id = w.assignee_id
         LEFT JOIN job_types jt ON jt.id = json_extract(w.body, '$.job_type_id')
         WHERE 1 = 1";

pub(super) fn list_jobs(db: &dyn Db, f: &JobListFilter) -> Result<Vec<JobListItem>> {
    let mut sql = String::from(JOB_LIST_SELECT);
    let mut args: Vec<Value> = Vec::new();
    if let Some(status) = f.status.as_deref().filter(|s| !s.trim().is_empty()) {
        let mut marks = Vec::new();
        for s in status.split(',') {
            let st: JobStatus = s
                .parse()
                .map_err(|e: fieldwork_domain::RuleError| Error::invalid(e.to_string()))?;
            args.push(Value::Text(st.as_str().to_owned()));
            marks.push(format!("?{}", args.len()));
        }
        sql.push_str(&format!(" AND w.status IN ({})", marks.join(", ")));
    }
    match f.assignee.as_deref() {
        Some("none") => sql.push_str(" AND w.assignee_id IS NULL"),
        Some(a) => {
            args.push(Value::Text(a.to_owned()));
            sql.push_str(&format!(" AND w.assignee_id = ?{}", args.len()));
        }
        None => {}
    }
    if let Some(from) = f.from {
        args.push(Value::Int(ms(from)));
        sql.push_str(&format!(" AND w.plan_at >= ?{}", args.len()));
    }
    if let Some(to) = f.to {
        args.push(Value::Int(ms(to)));
        sql.push_str(&format!(" AND w.plan_at < ?{}", args.len()));
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let escaped =
            q.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        args.push(Value::Text(format!("%{escaped}%")));
        sql.push_str(&format!(" AND w.search_text LIKE ?{} ESCAPE '\\'", args.len()));
    }
    let page = Page::new(f.limit, f.offset);
    sql.push_str(&format!(
        " ORDER BY w.plan_at, w.number LIMIT {} OFFSET {}",
        page.limit, page.offset
    ));
    job_list_rows(db, &sql, args)
}

/// Runs a query that starts with [`JOB_LIST_SELECT`] and maps its rows to job list lines.
pub(super) fn job_list_rows(db: &dyn Db, sql: &str, args: Vec<Value>) -> Result<Vec<JobListItem>> {
    let params: Vec<&dyn ToValue> = args.iter().map(|v| v as &dyn ToValue).collect();
    let rows = db.query_map(sql, &params, |r| {
        Ok((
            r.get::<String>(0)?,
            r.get::<String>(1)?,
            r.get::<String>(2)?,
            r.get::<Option<String>>(3)?,
            r.get::<Option<String>>(4)?,
            r.get::<i64>(5)?,
            r.get::<i64>(6)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (body, customer_name, site_address, assignee_name, code, conflicts, rejected) = row;
        let job: WorkOrder = serde_json::from_str(&body)?;
        let booking_misses = match (job.appointment_start, job.appointment_end) {
            (Some(start), Some(end)) if job.status.is_open() => {
                fieldwork_domain::sla::booking_misses(job.due_at, job.complete_due_at, start, end)
            }
            _ => Vec::new(),
        };
        out.push(JobListItem {
            id: job.id,
            number: job.number,
            status: job.status,
            priority: job.priority,
            job_type: code.unwrap_or_default(),
            customer_name,
            site_address,
            assignee_id: job.assignee_id,
            assignee_name,
            appointment_start: job.appointment_start,
            appointment_end: job.appointment_end,
            due_at: job.due_at,
            ack_due_at: job.ack_due_at,
            complete_due_at: job.complete_due_at,
            awaiting_acknowledgement: fieldwork_domain::sla::awaiting_acknowledgement(job.status),
            booking_misses,
            reported_problem: job.reported_problem,
            open_conflicts: conflicts,
            rejected_mutations: rejected,
        });
    }
    Ok(out)
}

/// The checklist a job follows (its type's items for its equipment), with the answers given.
pub(super) fn checklist(
    db: &dyn Db,
    job: &WorkOrder,
    jt: &JobType,
) -> Result<Vec<ChecklistAnswer>> {
    let category = equipment_category(db, job)?;
    answers_to(db, job, jt.checklist_for(category))
}

/// Every item of the job's type with its answer, whether or not it applies to the job's
/// equipment now: what a laptop holds of the job (the signed facts cover every answer).
pub(super) fn every_answer(
    db: &dyn Db,
    job: &WorkOrder,
    jt: &JobType,
) -> Result<Vec<ChecklistAnswer>> {
    answers_to(db, job, jt.checklist.iter())
}

/// The kind of product the job's equipment is; `None` when the job names none.
pub(super) fn equipment_category(
    db: &dyn Db,
    job: &WorkOrder,
) -> Result<Option<EquipmentCategory>> {
    let Some(id) = job.equipment_id.as_deref() else { return Ok(None) };
    let equipment: Option<Equipment> =
        db.body("SELECT body FROM equipment WHERE id = ?1", &[&id])?;
    Ok(equipment.map(|e| e.category))
}

fn answers_to<'a>(
    db: &dyn Db,
    job: &WorkOrder,
    items: impl Iterator<Item = &'a ChecklistItem>,
) -> Result<Vec<ChecklistAnswer>> {
    let mut out = Vec::new();
    for item in items {
        let answer = db.query_opt(
            "SELECT value, answered_at FROM checklist_answers WHERE job_id = ?1 AND item_key = ?2",
            &[&job.id, &item.key],
            |r| Ok((r.get::<String>(0)?, r.get::<i64>(1)?)),
        )?;
        let (value, answered_at) = match answer {
            Some((v, at)) => (Some(serde_json::from_str::<ChecklistValue>(&v)?), Some(from_ms(at))),
            None => (None, None),
        };
        out.push(ChecklistAnswer {
            item_key: item.key.clone(),
            label: item.label.clone(),
            label_zh: item.label_zh.clone(),
            kind: item.kind,
            required: item.required,
            unit: item.unit.clone(),
            value,
            answered_at,
        });
    }
    Ok(out)
}

pub(super) fn job_type_of(db: &dyn Db, job: &WorkOrder) -> Result<JobType> {
    db.body("SELECT body FROM job_types WHERE id = ?1", &[&job.job_type_id])?
        .ok_or_else(|| Error::Internal(format!("job type {} is missing", job.job_type_id)))
}

/// What the completion guard needs, as head office knows the job: the job's records, loaded
/// here, judged by the core's one rule ([`fieldwork_domain::completion::completion_facts`]), the
/// same the device judges its own copy by.
pub(super) fn completion_facts(db: &dyn Db, job: &WorkOrder) -> Result<CompletionFacts> {
    fieldwork_domain::completion::completion_facts(&job_records(db, job)?).map_err(Error::from_rule)
}

/// Every record of a job that completion and the signed facts are computed from, withdrawn
/// photos and part lines flagged, corrected time entries included.
pub(super) fn job_records(
    db: &dyn Db,
    job: &WorkOrder,
) -> Result<fieldwork_domain::completion::JobRecords> {
    use fieldwork_domain::completion::{JobRecords, PartRecord, PhotoRecord};
    use fieldwork_domain::domain::{PhotoRef, SignatureRef};
    let job_type: JobType = db
        .body("SELECT body FROM job_types WHERE id = ?1", &[&job.job_type_id])?
        .ok_or_else(|| Error::Internal(format!("job type {} is missing", job.job_type_id)))?;
    let checklist_answers = db.query_map(
        "SELECT item_key, value FROM checklist_answers WHERE job_id = ?1",
        &[&job.id],
        |r| Ok((r.get::<String>(0)?, r.get::<String>(1)?)),
    )?;
    let photos = db.query_map(
        "SELECT p.body, EXISTS (SELECT 1 FROM photo_deletions d WHERE d.photo_id = p.id)
         FROM photos p WHERE p.job_id = ?1 ORDER BY p.id",
        &[&job.id],
        |r| {
            let photo: PhotoRef = serde_json::from_str(&r.get::<String>(0)?)?;
            Ok(PhotoRecord { kind: photo.kind, withdrawn: r.get(1)? })
        },
    )?;
    let parts = db.query_map(
        "SELECT p.body, EXISTS (SELECT 1 FROM part_withdrawals w WHERE w.part_used_id = p.id)
         FROM parts_used p WHERE p.job_id = ?1 ORDER BY p.id",
        &[&job.id],
        |r| {
            let part: PartUsed = serde_json::from_str(&r.get::<String>(0)?)?;
            Ok(PartRecord { part, withdrawn: r.get(1)? })
        },
    )?;
    let time_entries: Vec<TimeEntry> =
        db.bodies("SELECT body FROM time_entries WHERE job_id = ?1 ORDER BY id", &[&job.id])?;
    // The latest move to in progress in clock order, as the device reads it.
    let in_progress_since = db
        .body::<StatusChange>(
            "SELECT body FROM status_changes
             WHERE job_id = ?1 AND json_extract(body, '$.to_status') = 'in_progress'
             ORDER BY hlc DESC, id DESC LIMIT 1",
            &[&job.id],
        )?
        .map(|c| c.at);
    // Oldest first, as the job record lists them: the last is the signature in force.
    let signatures: Vec<SignatureRef> = db.bodies(
        "SELECT body FROM signatures WHERE job_id = ?1
         ORDER BY json_extract(body, '$.signed_at'), id",
        &[&job.id],
    )?;
    Ok(JobRecords {
        job: job.clone(),
        job_type,
        equipment_category: equipment_category(db, job)?,
        checklist_answers,
        photos,
        parts,
        time_entries,
        in_progress_since,
        signature_summaries: signatures.into_iter().map(|s| s.summary_sha256).collect(),
    })
}

pub(super) fn rejected_of_job(db: &dyn Db, job_id: &str) -> Result<Vec<RejectedMutation>> {
    db.query_map(
        "SELECT device_id, seq, mutation_id, kind, job_id, code, reason, received_at
         FROM device_mutations WHERE job_id = ?1 AND outcome = 'rejected' ORDER BY received_at, seq",
        &[&job_id],
        rejection_row,
    )
}

pub(super) fn rejection_row(r: &Row) -> Result<RejectedMutation> {
    Ok(RejectedMutation {
        device_id: r.get(0)?,
        seq: r.get(1)?,
        mutation_id: r.get(2)?,
        kind: r.get(3)?,
        job_id: r.get(4)?,
        code: r.get::<Option<String>>(5)?.unwrap_or_default(),
        reason: r.get::<Option<String>>(6)?.unwrap_or_default(),
        received_at: from_ms(r.get(7)?),
    })
}

/// A job's signatures, oldest first; all but the last are superseded.
pub(super) fn signatures_of(
    db: &dyn Db,
    job_id: &str,
) -> Result<Vec<fieldwork_domain::domain::SignatureRef>> {
    let mut all: Vec<fieldwork_domain::domain::SignatureRef> = db.bodies(
        "SELECT body FROM signatures WHERE job_id = ?1
         ORDER BY json_extract(body, '$.signed_at'), id",
        &[&job_id],
    )?;
    let n = all.len();
    for (i, s) in all.iter_mut().enumerate() {
        s.superseded = i + 1 < n;
    }
    Ok(all)
}

/// SHA-256 of the job's signed facts as head office holds them now, by the core's canonical
/// summary ([`SignedFacts`]): the device recorded the same hash when the customer signed, so a
/// difference means a signed fact changed after signing, on a device or at head office.
pub(super) fn signed_facts_sha256(
    db: &dyn Db,
    job: &WorkOrder,
    parts: &[PartUsed],
    time_entries: &[TimeEntry],
    status_history: &[StatusChange],
) -> Result<String> {
    let checklist = db.query_map(
        "SELECT item_key, value FROM checklist_answers WHERE job_id = ?1",
        &[&job.id],
        |r| Ok((r.get::<String>(0)?, r.get::<String>(1)?)),
    )?;
    // The history is in clock order: the last move to in progress started the open span.
    let started =
        status_history.iter().rev().find(|c| c.to_status == JobStatus::InProgress).map(|c| c.at);
    SignedFacts::from_records(job, checklist, parts, time_entries, started)
        .sha256()
        .map_err(Error::from_rule)
}

/// A job's withdrawn (or corrected) part lines with their withdrawals, in the order withdrawn.
fn withdrawn_parts_of(db: &dyn Db, job_id: &str) -> Result<Vec<WithdrawnPart>> {
    let rows = db.query_map(
        "SELECT p.body, w.body, w.actor FROM part_withdrawals w
         JOIN parts_used p ON p.id = w.part_used_id
         WHERE w.job_id = ?1 ORDER BY json_extract(w.body, '$.at'), w.part_used_id",
        &[&job_id],
        |r| Ok((r.get::<String>(0)?, r.get::<String>(1)?, r.get::<String>(2)?)),
    )?;
    rows.into_iter()
        .map(|(part, withdrawal, actor)| {
            Ok(WithdrawnPart {
                part: serde_json::from_str(&part)?,
                withdrawal: serde_json::from_str(&withdrawal)?,
                actor,
            })
        })
        .collect()
}

pub(super) fn job_record(db: &dyn Db, id: &str) -> Result<JobRecord> {
    let mut record = job_record_as_stored(db, id)?;
    if !record.signatures.is_empty() {
        let now = signed_facts_sha256(
            db,
            &record.work_order,
            &record.parts,
            &record.time_entries,
            &record.status_history,
        )?;
        for s in &mut record.signatures {
            s.changed_after_signing = s.summary_sha256 != now;
        }
    }
    Ok(record)
}

/// The status changes of job `id` whose device time was implausible, in history order.
fn clock_warnings_of(db: &dyn Db, id: &str) -> Result<Vec<ClockWarning>> {
    let rows = db.query_map(
        "SELECT s.id, s.body, t.received_at, t.trusted_at FROM status_changes s
         JOIN status_times t ON t.change_id = s.id
         WHERE s.job_id = ?1 AND NOT t.plausible ORDER BY s.hlc, s.id",
        &[&id],
        |r| Ok((r.get::<String>(0)?, r.get::<String>(1)?, r.get::<i64>(2)?, r.get::<i64>(3)?)),
    )?;
    let mut out = Vec::new();
    for (change_id, body, received, trusted) in rows {
        let change: StatusChange = serde_json::from_str(&body)?;
        out.push(ClockWarning {
            change_id,
            to_status: change.to_status.as_str().to_owned(),
            claimed_at: change.at,
            received_at: from_ms(received),
            trusted_at: from_ms(trusted),
        });
    }
    Ok(out)
}

fn job_record_as_stored(db: &dyn Db, id: &str) -> Result<JobRecord> {
    let work_order = load_job(db, id)?;
    let jt = job_type_of(db, &work_order)?;
    let customer: Customer = master::customer(db, &work_order.customer_id)?;
    let site = master::site(db, &work_order.site_id)?;
    let equipment =
        work_order.equipment_id.as_deref().map(|e| master::equipment(db, e)).transpose()?;
    let assignee = work_order
        .assignee_id
        .as_deref()
        .map(|t| db.body("SELECT body FROM technicians WHERE id = ?1", &[&t]))
        .transpose()?
        .flatten();
    let by_job = |table: &str, order: &str| {
        format!("SELECT body FROM {table} WHERE job_id = ?1 ORDER BY {order}")
    };
    Ok(JobRecord {
        follow_ups: super::kpi::follow_ups_of(db, id)?,
        clock_warnings: clock_warnings_of(db, id)?,
        checklist: checklist(db, &work_order, &jt)?,
        notes: db.bodies(&by_job("notes", "json_extract(body, '$.created_at'), id"), &[&id])?,
        parts: db.bodies(
            "SELECT body FROM parts_used WHERE job_id = ?1
               AND id NOT IN (SELECT part_used_id FROM part_withdrawals)
             ORDER BY json_extract(body, '$.created_at'), id",
            &[&id],
        )?,
        withdrawn_parts: withdrawn_parts_of(db, id)?,
        time_entries: db
            .bodies(&by_job("time_entries", "json_extract(body, '$.started_at'), id"), &[&id])?,
        feedback: db
            .bodies(&by_job("feedback", "json_extract(body, '$.created_at'), id"), &[&id])?,
        photos: db.bodies(
            "SELECT body FROM photos WHERE job_id = ?1
               AND id NOT IN (SELECT photo_id FROM photo_deletions)
             ORDER BY json_extract(body, '$.created_at'), id",
            &[&id],
        )?,
        signatures: signatures_of(db, id)?,
        status_history: db.bodies(&by_job("status_changes", "hlc, id"), &[&id])?,
        moves: fieldwork_domain::lifecycle::allowed_moves(
            work_order.status,
            fieldwork_domain::lifecycle::Role::Dispatcher,
        ),
        takes_follow_up: fieldwork_domain::lifecycle::takes_follow_up(work_order.status),
        takes_return_visit: fieldwork_domain::lifecycle::takes_return_visit(work_order.status),
        conflicts: db
            .bodies(&by_job("conflicts", "json_extract(body, '$.created_at'), id"), &[&id])?,
        rejected_mutations: rejected_of_job(db, id)?,
        work_order,
        job_type: jt,
        customer,
        site,
        equipment,
        assignee,
    })
}
