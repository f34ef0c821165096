//! Every change a person can make. Each method runs in one transaction that checks the rules,
//! writes the rows, appends the outbox entry, refreshes the search index and commits — or
//! changes nothing at all.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Transaction, params};

use super::outbox::{self, JobField, Mutation, Replaces};
use super::queries::{self, StoredJob};
use super::sqltime::Ms;
use super::{Actor, Store, next_hlc, search};
use crate::domain::records::{
    FEEDBACK_COMMENT_MAX_CHARS, NOTE_MAX_CHARS, PART_DESCRIPTION_MAX_CHARS, PART_MAX_QUANTITY,
    PART_NO_MAX_CHARS, PART_WITHDRAWAL_REASON_MAX_CHARS,
};
use crate::domain::{
    Feedback, JobStatus, Note, PartUsed, PartWithdrawal, Priority, TimeEntry, TimeEntryKind,
    TimeEntrySource, WarrantyStatus, WorkOrder,
};
use crate::error::{CoreError, Result};
use crate::hlc::Hlc;
use crate::lifecycle::{self, Fact, MoveRequest, Role, ScheduleFacts};

/// What a dispatcher enters to create a work order.
#[derive(Debug, Clone)]
pub struct NewWorkOrder {
    pub job_type_code: String,
    pub priority: Priority,
    pub customer_id: String,
    pub site_id: String,
    pub equipment_id: Option<String>,
    pub reported_problem: String,
    /// When the customer reported it; now when not given.
    pub reported_at: Option<DateTime<Utc>>,
    pub return_of: Option<String>,
    /// Pay for out-of-warranty work as a courtesy.
    pub goodwill: bool,
}

/// A part line as entered: from the catalogue by number, or typed in with a description.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[ts(export, rename = "NewPartInput")]
pub struct NewPart {
    pub part_no: String,
    pub quantity: f64,
    pub description: Option<String>,
    #[ts(type = "number | null")]
    pub unit_price_cents: Option<i64>,
    /// Defaults to whether the job is chargeable.
    pub chargeable: Option<bool>,
}

/// A time entry typed in, or a correction of an existing one.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[ts(export, rename = "NewTimeEntryInput")]
pub struct NewTimeEntry {
    pub kind: TimeEntryKind,
    pub started_at: DateTime<Utc>,
    pub ended_at: DateTime<Utc>,
    pub supersedes: Option<String>,
}

pub use fieldwork_domain::limits::JOB_TEXT_MAX_CHARS;

/// What a change needs to know about where and when it happens.
pub(crate) struct Change<'a> {
    pub tx: &'a Transaction<'a>,
    pub hlc: Hlc,
    pub now: DateTime<Utc>,
    pub actor: &'a Actor,
    mutations: Vec<Mutation>,
}

impl Change<'_> {
    pub(super) fn emit(&mut self, m: Mutation) {
        self.mutations.push(m);
    }
}

pub(crate) fn check_text(field: &'static str, text: &str, limit: usize) -> Result<String> {
    let text = text.trim();
    if text.is_empty() {
        return Err(CoreError::invalid(field, "must not be empty"));
    }
    let n = text.chars().count();
    if n > limit {
        return Err(CoreError::too_long(field, n, limit));
    }
    Ok(text.to_owned())
}

/// A part line's quantity: more than zero, at most [`PART_MAX_QUANTITY`].
fn check_quantity(quantity: f64) -> Result<()> {
    if !quantity.is_finite() || quantity <= 0.0 {
        return Err(CoreError::invalid("quantity", "must be a number greater than zero"));
    }
    if quantity > PART_MAX_QUANTITY {
        return Err(CoreError::invalid(
            "quantity",
            format!("{quantity} is more than the limit of {PART_MAX_QUANTITY}"),
        ));
    }
    Ok(())
}

fn insert_part_used(c: &mut Change<'_>, job: &StoredJob, line: &PartUsed) -> Result<()> {
    c.tx.prepare_cached(
        "INSERT INTO parts_used (id, job_seq, part_no, description, quantity,
         unit_price_cents, chargeable, from_catalogue, created_at, hlc)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        line.id,
        job.seq,
        line.part_no,
        line.description,
        line.quantity,
        line.unit_price_cents,
        line.chargeable,
        line.from_catalogue,
        Ms(line.created_at),
        c.hlc.to_string()
    ])?;
    c.emit(Mutation::PartAdded { part: line.clone() });
    Ok(())
}

/// A part line of `job` that still counts (not withdrawn), by id.
fn live_part(tx: &Transaction<'_>, job: &StoredJob, part_used_id: &str) -> Result<PartUsed> {
    queries::live_parts(tx, job)?
        .into_iter()
        .find(|p| p.id == part_used_id)
        .ok_or_else(|| CoreError::not_found("part used", part_used_id))
}

fn insert_part_withdrawal(c: &mut Change<'_>, job: &StoredJob, w: &PartWithdrawal) -> Result<()> {
    c.tx.prepare_cached(
        "INSERT INTO part_withdrawals (part_used_id, job_seq, reason, replaced_by, actor,
         withdrawn_at, hlc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        w.part_used_id,
        job.seq,
        w.reason,
        w.replaced_by,
        c.actor.name,
        Ms(w.at),
        c.hlc.to_string()
    ])?;
    c.emit(Mutation::PartWithdrawn { withdrawal: w.clone() });
    Ok(())
}

fn check_withdrawal_reason(reason: Option<&str>) -> Result<Option<String>> {
    reason
        .filter(|r| !r.trim().is_empty())
        .map(|r| check_text("reason", r, PART_WITHDRAWAL_REASON_MAX_CHARS))
        .transpose()
}

pub(super) fn check_assignee(actor: &Actor, job: &WorkOrder) -> Result<()> {
    if actor.role == Role::Technician && job.assignee_id != actor.technician_id {
        return Err(CoreError::forbidden(format!(
            "job {} is not assigned to {}",
            job.number, actor.name
        )));
    }
    Ok(())
}

impl Store {
    /// Runs one change: opens the transaction, stamps it, lets `f` write rows and name the
    /// mutations, then appends them to the outbox and commits.
    fn change<T>(&mut self, f: impl FnOnce(&mut Change<'_>) -> Result<T>) -> Result<T> {
        let now = self.now();
        let device_id = self.device_id.clone();
        let actor = self.actor.clone();
        self.write(|tx| {
            let hlc = next_hlc(tx, &device_id, now)?;
            let mut change = Change { tx, hlc, now, actor: &actor, mutations: Vec::new() };
            let out = f(&mut change)?;
            for m in &change.mutations {
                // The limits head office holds every pushed mutation to (one definition).
                crate::limits::check_mutation(m)?;
                outbox::append(tx, &device_id, &change.hlc, m, now)?;
            }
            Ok(out)
        })
    }

    /// Runs a change on one job that the actor may work on, then touches and reindexes it.
    pub(super) fn change_job<T>(
        &mut self,
        job: &str,
        fact: Option<Fact>,
        f: impl FnOnce(&mut Change<'_>, &StoredJob) -> Result<T>,
    ) -> Result<T> {
        self.change(|c| {
            let stored = queries::find_job(c.tx, job)?;
            check_assignee(c.actor, &stored.order)?;
            if let Some(fact) = fact {
                lifecycle::check_recording(stored.order.status, fact)?;
            }
            let out = f(c, &stored)?;
            c.tx.execute(
                "UPDATE work_orders SET updated_at = ?1 WHERE seq = ?2",
                params![Ms(c.now), stored.seq],
            )?;
            search::reindex_job(c.tx, stored.seq)?;
            Ok(out)
        })
    }

    /// Creates a work order (dispatchers). Deadlines and warranty are computed, not entered.
    pub fn create_work_order(&mut self, new: NewWorkOrder) -> Result<WorkOrder> {
        if self.actor.role != Role::Dispatcher {
            return Err(CoreError::forbidden(String::from("only dispatchers create work orders")));
        }
        let policy = self.sla_policy()?;
        let problem = check_text("reported problem", &new.reported_problem, JOB_TEXT_MAX_CHARS)?;
        let device_id = self.device_id.clone();
        self.change(|c| {
            let tx = c.tx;
            let job_type_id: String = tx
                .query_row("SELECT id FROM job_types WHERE code = ?1", [&new.job_type_code], |r| {
                    r.get(0)
                })
                .optional()?
                .ok_or_else(|| CoreError::not_found("job type", &new.job_type_code))?;
            let site_customer: String = tx
                .query_row("SELECT customer_id FROM sites WHERE id = ?1", [&new.site_id], |r| {
                    r.get(0)
                })
                .optional()?
                .ok_or_else(|| CoreError::not_found("site", &new.site_id))?;
            if site_customer != new.customer_id {
                return Err(CoreError::invalid("site", "the site belongs to another customer"));
            }
            let warranty_end = match &new.equipment_id {
                Some(eq) => tx
                    .query_row(
                        "SELECT warranty_end FROM equipment WHERE id = ?1 AND site_id = ?2",
                        params![eq, new.site_id],
                        |r| r.get::<_, Option<chrono::NaiveDate>>(0),
                    )
                    .optional()?
                    .ok_or_else(|| CoreError::not_found("equipment at this site", eq))?,
                None => None,
            };
            if let Some(earlier) = &new.return_of {
                queries::find_job(tx, earlier)?;
            }
            let reported_at = new.reported_at.unwrap_or(c.now);
            let warranty = match crate::sla::warranty_status(warranty_end, reported_at.date_naive())
            {
                WarrantyStatus::OutOfWarranty if new.goodwill => WarrantyStatus::Goodwill,
                w => w,
            };
            let is_warranty_repair =
                new.job_type_code == "repair" && warranty == WarrantyStatus::InWarranty;
            let deadlines = policy.deadlines(new.priority, reported_at, is_warranty_repair);
            let serial: u64 =
                super::meta_get(tx, "job_serial")?.and_then(|s| s.parse().ok()).unwrap_or(0) + 1;
            super::meta_set(tx, "job_serial", &serial.to_string())?;
            let order = WorkOrder {
                id: crate::ids::new_id(),
                number: crate::ids::device_job_number(&device_id, c.now, serial),
                job_type_id,
                priority: new.priority,
                status: JobStatus::New,
                customer_id: new.customer_id.clone(),
                site_id: new.site_id.clone(),
                equipment_id: new.equipment_id.clone(),
                reported_problem: problem.clone(),
                reported_at,
                appointment_start: None,
                appointment_end: None,
                assignee_id: None,
                owner_dispatcher: c.actor.name.clone(),
                ack_due_at: deadlines.ack_due_at,
                due_at: deadlines.due_at,
                complete_due_at: deadlines.complete_due_at,
                warranty_status: warranty,
                chargeable: warranty.is_chargeable(),
                diagnosis: None,
                resolution: None,
                signature_absence_reason: None,
                return_of: new.return_of.clone(),
                created_at: c.now,
                updated_at: c.now,
            };
            let seq = queries::insert_work_order(tx, &order)?;
            search::reindex_job(tx, seq)?;
            c.emit(Mutation::JobCreated { work_order: order.clone() });
            Ok(order)
        })
    }

    /// Books the appointment and the technician (dispatchers). A new job becomes scheduled; a
    /// scheduled one is rescheduled.
    pub fn schedule_job(
        &mut self,
        job: &str,
        assignee_id: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<WorkOrder> {
        if self.actor.role != Role::Dispatcher {
            return Err(CoreError::forbidden(String::from("only dispatchers schedule jobs")));
        }
        if end <= start {
            return Err(CoreError::invalid("appointment", "the window must end after it starts"));
        }
        self.change_job(job, None, |c, stored| {
            let exists: bool = c.tx.query_row(
                "SELECT EXISTS(SELECT 1 FROM technicians WHERE id = ?1 AND active = 1)",
                [assignee_id],
                |r| r.get(0),
            )?;
            if !exists {
                return Err(CoreError::not_found("active technician", assignee_id));
            }
            let order = &stored.order;
            let moves_to_scheduled = match order.status {
                JobStatus::New => {
                    let facts = lifecycle::CompletionFacts::default();
                    lifecycle::check_move(&MoveRequest {
                        from: order.status,
                        to: JobStatus::Scheduled,
                        role: Role::Dispatcher,
                        reason: None,
                        completion: &facts,
                        schedule: ScheduleFacts {
                            has_assignee: true,
                            has_appointment_window: true,
                        },
                    })?;
                    true
                }
                JobStatus::Scheduled => false,
                other => {
                    return Err(CoreError::forbidden(format!(
                        "a {other} job cannot be rescheduled; only new and scheduled jobs can"
                    )));
                }
            };
            // The booking goes first: whoever replays the outbox in order (head office) sees
            // the assignee and window before the move to scheduled that needs them.
            c.tx.execute(
                "UPDATE work_orders SET assignee_id = ?1, appointment_start = ?2,
                 appointment_end = ?3 WHERE seq = ?4",
                params![assignee_id, Ms(start), Ms(end), stored.seq],
            )?;
            c.emit(Mutation::JobScheduled {
                job_id: order.id.clone(),
                assignee_id: assignee_id.to_owned(),
                appointment_start: start,
                appointment_end: end,
            });
            if moves_to_scheduled {
                record_status(c, stored, JobStatus::Scheduled, None)?;
            }
            queries::find_job(c.tx, &order.id).map(|s| s.order)
        })
    }

    /// Moves a job to `to` if the lifecycle allows it for the current actor. Travel and labour
    /// time entries are derived from the move.
    pub fn change_status(
        &mut self,
        job: &str,
        to: JobStatus,
        reason: Option<&str>,
    ) -> Result<WorkOrder> {
        self.change_job(job, None, |c, stored| {
            let order = &stored.order;
            let completion = if to == JobStatus::Completed {
                queries::completion_facts(c.tx, stored)?
            } else {
                lifecycle::CompletionFacts::default()
            };
            lifecycle::check_move(&MoveRequest {
                from: order.status,
                to,
                role: c.actor.role,
                reason,
                completion: &completion,
                schedule: ScheduleFacts {
                    has_assignee: order.assignee_id.is_some(),
                    has_appointment_window: order.appointment_start.is_some(),
                },
            })?;
            let reason = reason.map(str::trim).filter(|r| !r.is_empty());
            record_status(c, stored, to, reason)?;
            queries::find_job(c.tx, &order.id).map(|s| s.order)
        })
    }

    /// Sets the diagnosis, resolution or the reason a signature is missing (`None` clears it).
    pub fn set_job_field(&mut self, job: &str, field: JobField, value: Option<&str>) -> Result<()> {
        let value = value.map(|v| check_text(field.column(), v, JOB_TEXT_MAX_CHARS)).transpose()?;
        self.change_job(job, Some(Fact::Work), |c, stored| {
            let replaces = Replaces {
                value: match field {
                    JobField::Diagnosis => stored.order.diagnosis.clone(),
                    JobField::Resolution => stored.order.resolution.clone(),
                    JobField::SignatureAbsenceReason => {
                        stored.order.signature_absence_reason.clone()
                    }
                },
            };
            let clocks = queries::stamp_field_clock(c.tx, stored.seq, field.column(), &c.hlc)?;
            // The column name comes from a closed enum, never from input.
            let sql = format!(
                "UPDATE work_orders SET {} = ?1, field_clocks = ?2 WHERE seq = ?3",
                field.column()
            );
            c.tx.execute(&sql, params![value, clocks, stored.seq])?;
            c.emit(Mutation::FieldSet {
                job_id: stored.order.id.clone(),
                field,
                value,
                replaces: Some(replaces),
            });
            Ok(())
        })
    }

    pub fn add_note(&mut self, job: &str, body: &str) -> Result<Note> {
        let body = check_text("note", body, NOTE_MAX_CHARS)?;
        self.change_job(job, Some(Fact::Note), |c, stored| {
            let note = Note {
                id: crate::ids::new_id(),
                job_id: stored.order.id.clone(),
                author: c.actor.name.clone(),
                body,
                created_at: c.now,
            };
            c.tx.prepare_cached(
                "INSERT INTO notes (id, job_seq, author, body, created_at, hlc)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                note.id,
                stored.seq,
                note.author,
                note.body,
                Ms(note.created_at),
                c.hlc.to_string()
            ])?;
            c.emit(Mutation::NoteAdded { note: note.clone() });
            Ok(note)
        })
    }

    /// Records a part used, from the catalogue (`part_no` found there) or typed in (then the
    /// description and unit price are required).
    pub fn add_part(&mut self, job: &str, part: NewPart) -> Result<PartUsed> {
        let part_no = check_text("part number", &part.part_no, PART_NO_MAX_CHARS)?;
        check_quantity(part.quantity)?;
        if part.unit_price_cents.is_some_and(|p| p < 0) {
            return Err(CoreError::invalid("unit price", "must not be negative"));
        }
        let description = part
            .description
            .as_deref()
            .map(|d| check_text("description", d, PART_DESCRIPTION_MAX_CHARS))
            .transpose()?;
        self.change_job(job, Some(Fact::Work), |c, stored| {
            let catalogue: Option<(String, i64)> =
                c.tx.query_row(
                    "SELECT description, unit_price_cents FROM parts_catalogue
                     WHERE part_no = ?1 COLLATE NOCASE",
                    [&part_no],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let (description, unit_price_cents, from_catalogue) = match catalogue {
                Some((d, p)) => {
                    (description.unwrap_or(d), part.unit_price_cents.unwrap_or(p), true)
                }
                None => (
                    description.ok_or_else(|| {
                        CoreError::invalid(
                            "description",
                            format!("{part_no} is not in the catalogue; describe the part"),
                        )
                    })?,
                    part.unit_price_cents.unwrap_or(0),
                    false,
                ),
            };
            let line = PartUsed {
                id: crate::ids::new_id(),
                job_id: stored.order.id.clone(),
                part_no: if from_catalogue { part_no.to_uppercase() } else { part_no.clone() },
                description,
                quantity: part.quantity,
                unit_price_cents,
                chargeable: part.chargeable.unwrap_or(stored.order.chargeable),
                from_catalogue,
                line_total_cents: crate::money::line_total(part.quantity, unit_price_cents),
                created_at: c.now,
            };
            insert_part_used(c, stored, &line)?;
            Ok(line)
        })
    }

    /// Withdraws part line `part_used_id` from `job` (entered by mistake), while the job is
    /// still being worked (the same rule as recording parts). Insert-only: records a tombstone
    /// and a `part_withdrawn` outbox entry; the line stays on record, and the job's parts, totals,
    /// signed facts (a signature taken before shows "changed after signing") and report leave
    /// it out.
    pub fn withdraw_part(
        &mut self,
        job: &str,
        part_used_id: &str,
        reason: Option<&str>,
    ) -> Result<()> {
        let reason = check_withdrawal_reason(reason)?;
        self.change_job(job, Some(Fact::Work), |c, stored| {
            let part = live_part(c.tx, stored, part_used_id)?;
            let withdrawal = PartWithdrawal {
                job_id: stored.order.id.clone(),
                part_used_id: part.id,
                reason,
                replaced_by: None,
                at: c.now,
            };
            insert_part_withdrawal(c, stored, &withdrawal)
        })
    }

    /// Corrects the quantity of part line `part_used_id` on `job`, under the same rule as
    /// [`Store::withdraw_part`]. Insert-only: a new part line with the same part, price and
    /// chargeability and the new quantity, and the withdrawal of the old line naming it
    /// (`part_added` then `part_withdrawn` in the outbox, in one transaction). Returns the new
    /// line.
    pub fn correct_part_quantity(
        &mut self,
        job: &str,
        part_used_id: &str,
        quantity: f64,
        reason: Option<&str>,
    ) -> Result<PartUsed> {
        check_quantity(quantity)?;
        let reason = check_withdrawal_reason(reason)?;
        self.change_job(job, Some(Fact::Work), |c, stored| {
            let old = live_part(c.tx, stored, part_used_id)?;
            if old.quantity == quantity {
                return Err(CoreError::invalid(
                    "quantity",
                    format!("the quantity is already {quantity}"),
                ));
            }
            let line = PartUsed {
                id: crate::ids::new_id(),
                quantity,
                line_total_cents: crate::money::line_total(quantity, old.unit_price_cents),
                created_at: c.now,
                ..old.clone()
            };
            insert_part_used(c, stored, &line)?;
            let withdrawal = PartWithdrawal {
                job_id: stored.order.id.clone(),
                part_used_id: old.id,
                reason,
                replaced_by: Some(line.id.clone()),
                at: c.now,
            };
            insert_part_withdrawal(c, stored, &withdrawal)?;
            Ok(line)
        })
    }

    /// Answers checklist item `item_key` with a value typed by a person (`yes`, `230 V`, …).
    pub fn answer_checklist(&mut self, job: &str, item_key: &str, raw: &str) -> Result<()> {
        self.change_job(job, Some(Fact::Work), |c, stored| {
            let item = queries::checklist_item(c.tx, &stored.order, item_key)?;
            let value = item.parse_value(raw)?;
            let before: Option<String> =
                c.tx.query_row(
                    "SELECT value FROM checklist_answers WHERE job_seq = ?1 AND item_key = ?2",
                    params![stored.seq, item.key],
                    |r| r.get(0),
                )
                .optional()?;
            // An answer this version cannot read counts as unknown, not as empty.
            let replaces = match before {
                None => Some(Replaces { value: None }),
                Some(json) => serde_json::from_str(&json).ok().map(|v| Replaces { value: Some(v) }),
            };
            c.tx.execute(
                "INSERT INTO checklist_answers (job_seq, item_key, value, answered_at, hlc)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (job_seq, item_key) DO UPDATE SET value = excluded.value,
                   answered_at = excluded.answered_at, hlc = excluded.hlc",
                params![
                    stored.seq,
                    item.key,
                    serde_json::to_string(&value)?,
                    Ms(c.now),
                    c.hlc.to_string()
                ],
            )?;
            c.emit(Mutation::ChecklistAnswered {
                job_id: stored.order.id.clone(),
                item_key: item.key,
                value,
                at: c.now,
                replaces,
            });
            Ok(())
        })
    }

    /// Adds a time entry typed by the technician, or corrects one (`supersedes`).
    pub fn add_time_entry(&mut self, job: &str, entry: NewTimeEntry) -> Result<TimeEntry> {
        if entry.ended_at < entry.started_at {
            return Err(CoreError::invalid("time entry", "it ends before it starts"));
        }
        if entry.ended_at - entry.started_at > chrono::Duration::hours(24) {
            return Err(CoreError::invalid("time entry", "a single entry cannot exceed 24 hours"));
        }
        self.change_job(job, Some(Fact::Work), |c, stored| {
            if let Some(old) = &entry.supersedes {
                let belongs: bool = c.tx.query_row(
                    "SELECT EXISTS(SELECT 1 FROM time_entries WHERE id = ?1 AND job_seq = ?2)",
                    params![old, stored.seq],
                    |r| r.get(0),
                )?;
                if !belongs {
                    return Err(CoreError::not_found("time entry on this job", old));
                }
            }
            let te = insert_time_entry(
                c,
                stored,
                entry.kind,
                entry.started_at,
                entry.ended_at,
                TimeEntrySource::Manual,
                entry.supersedes.clone(),
            )?;
            Ok(te)
        })
    }

    /// Records the customer's rating (1–5) and comment. A later rating replaces the earlier one.
    pub fn give_feedback(
        &mut self,
        job: &str,
        rating: i64,
        comment: Option<&str>,
    ) -> Result<Feedback> {
        let rating =
            u8::try_from(rating).ok().filter(|r| (1..=5).contains(r)).ok_or_else(|| {
                CoreError::invalid(
                    "rating",
                    format!("{rating} is not a rating; use 1 (poor) to 5 (excellent)"),
                )
            })?;
        let comment = comment
            .filter(|c| !c.trim().is_empty())
            .map(|c| check_text("comment", c, FEEDBACK_COMMENT_MAX_CHARS))
            .transpose()?;
        self.change_job(job, Some(Fact::Feedback), |c, stored| {
            let fb = Feedback {
                id: crate::ids::new_id(),
                job_id: stored.order.id.clone(),
                rating,
                comment,
                created_at: c.now,
            };
            c.tx.execute(
                "INSERT INTO feedback (id, job_seq, rating, comment, created_at, hlc)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    fb.id,
                    stored.seq,
                    fb.rating,
                    fb.comment,
                    Ms(fb.created_at),
                    c.hlc.to_string()
                ],
            )?;
            c.emit(Mutation::FeedbackGiven { feedback: fb.clone() });
            Ok(fb)
        })
    }
}

/// Writes a status change, its history row and any time entry it derives.
fn record_status(
    c: &mut Change<'_>,
    stored: &StoredJob,
    to: JobStatus,
    reason: Option<&str>,
) -> Result<()> {
    let order = &stored.order;
    let entered_from_at: Option<DateTime<Utc>> =
        c.tx.query_row(
            "SELECT at FROM status_changes WHERE job_seq = ?1 AND to_status = ?2
             ORDER BY hlc DESC LIMIT 1",
            params![stored.seq, order.status.as_str()],
            |r| super::sqltime::at(r, 0),
        )
        .optional()?;
    // The time the move closes (travel on arrival, labour on pause, completion or cancel) is
    // recorded, and queued for head office, before the move itself: head office applies the
    // outbox in order and takes no work details on a job that is already completed.
    if let Some(d) = lifecycle::derived_time_entry(order.status, to, entered_from_at, c.now) {
        insert_time_entry(
            c,
            stored,
            d.kind,
            d.started_at,
            d.ended_at,
            TimeEntrySource::Derived,
            None,
        )?;
    }
    let change_id = crate::ids::new_id();
    c.tx.prepare_cached(
        "INSERT INTO status_changes (id, job_seq, from_status, to_status, reason, actor, at, hlc)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        change_id,
        stored.seq,
        order.status.as_str(),
        to.as_str(),
        reason,
        c.actor.name,
        Ms(c.now),
        c.hlc.to_string()
    ])?;
    c.tx.execute(
        "UPDATE work_orders SET status = ?1 WHERE seq = ?2",
        params![to.as_str(), stored.seq],
    )?;
    c.emit(Mutation::StatusChanged {
        job_id: order.id.clone(),
        change_id,
        from: order.status,
        to,
        reason: reason.map(str::to_owned),
        at: c.now,
    });
    Ok(())
}

fn insert_time_entry(
    c: &mut Change<'_>,
    job: &StoredJob,
    kind: TimeEntryKind,
    started_at: DateTime<Utc>,
    ended_at: DateTime<Utc>,
    source: TimeEntrySource,
    supersedes: Option<String>,
) -> Result<TimeEntry> {
    let te = TimeEntry {
        id: crate::ids::new_id(),
        job_id: job.order.id.clone(),
        kind,
        started_at,
        ended_at,
        minutes: (ended_at - started_at).num_minutes(),
        source,
        supersedes,
        created_at: c.now,
    };
    c.tx.prepare_cached(
        "INSERT INTO time_entries (id, job_seq, kind, started_at, ended_at, source, supersedes,
         created_at, hlc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        te.id,
        job.seq,
        te.kind.as_str(),
        Ms(te.started_at),
        Ms(te.ended_at),
        te.source.as_str(),
        te.supersedes,
        Ms(te.created_at),
        c.hlc.to_string()
    ])?;
    c.emit(Mutation::TimeEntryAdded { entry: te.clone() });
    Ok(te)
}
