//! The sync protocol's two halves on SQLite: applying a pushed batch exactly once, and reading
//! a device's scope of the change feed in pages that end on transaction boundaries.

use std::collections::{HashMap, HashSet};

use fieldwork_domain::ErrorCode;
use fieldwork_domain::domain::{ChecklistValue, JobStatus, SignatureRef, WorkOrder};
use fieldwork_domain::hlc::Hlc;
use fieldwork_wire::merge::{
    LwwDecision, Rejection, Stamped, StatusDecision, check_recordable, check_technician_may_change,
    decide_technician_move, fact_of, lww_seen, plan_batch,
};
use fieldwork_wire::mutation::{IncomingMutation, decode, raw_job_id};
use fieldwork_wire::wire::{
    self, Change, ConflictKind, ConflictRecord, MutationResult, Outcome, PullResponse, PushEntry,
    PushRequest, PushResponse, Record,
};
use serde::Serialize;

use super::jobs::{
    self, FieldWrite, field_clock, load_job, record_status, save_job, set_field_clock,
    write_shared_field,
};
use super::{Writer, master, meta_get, ms};
use crate::db::Db;
use crate::error::{Error, Result};
use crate::store::types::DeviceCaller;

/// Most feed rows one pull examines, so a device with nothing in scope still gets an answer
/// quickly (with `has_more` and an advanced cursor).
const MAX_SCAN_ROWS: usize = 50_000;

pub(super) fn push(
    w: &mut Writer<'_>,
    device: &DeviceCaller,
    req: PushRequest,
) -> Result<PushResponse> {
    if device.revoked {
        return Err(Error::DeviceRevoked);
    }
    if req.device_id != device.device_id {
        return Err(Error::invalid("device_id is not the device this token belongs to"));
    }
    if req.entries.len() > wire::MAX_PUSH_ENTRIES {
        return Err(Error::invalid(format!(
            "at most {} entries per push, not {}",
            wire::MAX_PUSH_ENTRIES,
            req.entries.len()
        )));
    }
    if let Some(e) = req.entries.iter().find(|e| e.device_id != device.device_id) {
        return Err(Error::invalid(format!("entry {} names another device", e.seq)));
    }
    let last: i64 = w.db.query_row(
        "SELECT last_applied_seq FROM devices WHERE id = ?1",
        &[&device.device_id],
        |r| r.get(0),
    )?;
    let seqs: Vec<i64> = req.entries.iter().map(|e| e.seq).collect();
    let plan = plan_batch(last, &seqs).map_err(|r| Error::invalid(r.reason))?;
    let mut results: Vec<Option<MutationResult>> = vec![None; req.entries.len()];
    for i in plan.already_applied {
        results[i] = Some(stored_result(w.db, device, &req.entries[i])?);
    }
    let mut last_applied = last;
    for i in plan.fresh {
        let e = &bounded_clock(&req.entries[i], w.now);
        w.receive(&e.hlc);
        w.db.batch("SAVEPOINT entry")?;
        let outcome = match apply_entry(w, device, e) {
            Ok(Ok(outcome)) => {
                w.db.batch("RELEASE SAVEPOINT entry")?;
                outcome
            }
            Ok(Err(rejection)) => {
                // Undo whatever the entry wrote before it was refused.
                w.db.batch("ROLLBACK TO SAVEPOINT entry; RELEASE SAVEPOINT entry")?;
                Outcome::Rejected { code: rejection.code.into(), reason: rejection.reason }
            }
            Err(e) => return Err(e),
        };
        record_outcome(w, device, e, &outcome)?;
        last_applied = e.seq;
        results[i] =
            Some(MutationResult { seq: e.seq, mutation_id: e.mutation_id.clone(), outcome });
    }
    w.db.execute_later(
        "UPDATE devices SET last_applied_seq = ?2, last_seen_at = ?3 WHERE id = ?1",
        &[&device.device_id, &last_applied, &ms(w.now)],
    )?;
    Ok(PushResponse {
        last_applied_seq: last_applied,
        results: results.into_iter().flatten().collect(),
        server_hlc: w.hlc().clone(),
    })
}

/// How far ahead of head office's clock a device's timestamp may be.
const MAX_CLOCK_AHEAD_MS: i64 = 2 * 60 * 1000;

/// An entry whose timestamp is further ahead of head office's clock than any honest skew, with
/// the timestamp brought back to head office's present (counter and node kept). Otherwise a
/// laptop whose clock runs hours or years ahead would win every last-writer-wins merge for that
/// long, and drag head office's clock, and through it every other device's, into its future.
fn bounded_clock(e: &PushEntry, now: chrono::DateTime<chrono::Utc>) -> PushEntry {
    let limit = now.timestamp_millis() + MAX_CLOCK_AHEAD_MS;
    if e.hlc.wall_ms <= limit {
        return e.clone();
    }
    let mut bounded = e.clone();
    bounded.hlc = Hlc { wall_ms: now.timestamp_millis(), ..e.hlc.clone() };
    bounded
}

/// The answer to a push with no entries: where the device stands.
pub(super) fn empty_push(
    db: &dyn Db,
    device: &DeviceCaller,
    req: &PushRequest,
) -> Result<PushResponse> {
    if device.revoked {
        return Err(Error::DeviceRevoked);
    }
    if req.device_id != device.device_id {
        return Err(Error::invalid("device_id is not the device this token belongs to"));
    }
    let last_applied_seq: i64 = db.query_row(
        "SELECT last_applied_seq FROM devices WHERE id = ?1",
        &[&device.device_id],
        |r| r.get(0),
    )?;
    let server_hlc = meta_get(db, "hlc")?
        .and_then(|h| h.parse::<Hlc>().ok())
        .unwrap_or_else(|| Hlc::zero(super::HEAD_OFFICE_NODE));
    Ok(PushResponse { last_applied_seq, results: Vec::new(), server_hlc })
}

/// The outcome stored when an entry was first applied.
fn stored_result(db: &dyn Db, device: &DeviceCaller, e: &PushEntry) -> Result<MutationResult> {
    let row = db.query_opt(
        "SELECT mutation_id, outcome, code, reason, conflict_id FROM device_mutations
         WHERE device_id = ?1 AND seq = ?2",
        &[&device.device_id, &e.seq],
        |r| {
            Ok((
                r.get::<String>(0)?,
                r.get::<String>(1)?,
                r.get::<Option<String>>(2)?,
                r.get::<Option<String>>(3)?,
                r.get::<Option<String>>(4)?,
            ))
        },
    )?;
    let outcome = match row {
        Some((mid, _, _, _, _)) if mid != e.mutation_id => Outcome::Rejected {
            code: ErrorCode::Invalid.into(),
            reason: format!("seq {} was already used by mutation {mid}", e.seq),
        },
        Some((_, o, code, reason, conflict)) => match o.as_str() {
            "applied" => Outcome::Applied,
            "conflict" => Outcome::Conflict {
                conflict_id: conflict.unwrap_or_default(),
                reason: reason.unwrap_or_default(),
            },
            _ => Outcome::Rejected {
                code: code.unwrap_or_default(),
                reason: reason.unwrap_or_default(),
            },
        },
        None => Outcome::Rejected {
            code: ErrorCode::Invalid.into(),
            reason: format!("seq {} is not above the last applied seq", e.seq),
        },
    };
    Ok(MutationResult { seq: e.seq, mutation_id: e.mutation_id.clone(), outcome })
}

fn record_outcome(
    w: &mut Writer<'_>,
    device: &DeviceCaller,
    e: &PushEntry,
    outcome: &Outcome,
) -> Result<()> {
    let kind = e.mutation.get("type").and_then(|t| t.as_str()).unwrap_or("unknown");
    let job_id = raw_job_id(&e.mutation);
    let (name, code, reason, conflict) = match outcome {
        Outcome::Applied => ("applied", None, None, None),
        Outcome::Rejected { code, reason } => ("rejected", Some(code), Some(reason), None),
        Outcome::Conflict { conflict_id, reason } => {
            ("conflict", None, Some(reason), Some(conflict_id))
        }
    };
    w.db.execute_later(
        "INSERT INTO device_mutations (device_id, seq, mutation_id, kind, job_id, outcome, code,
             reason, conflict_id, payload, received_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        &[
            &device.device_id,
            &e.seq,
            &e.mutation_id,
            &kind.chars().take(60).collect::<String>(),
            &job_id,
            &name,
            &code,
            &reason,
            &conflict,
            &e.mutation.to_string(),
            &ms(w.now),
        ],
    )?;
    if name == "rejected" {
        w.feed(
            "rejection",
            &format!("{}/{}", device.device_id, e.seq),
            job_id.as_deref(),
            Some(&device.technician_id),
        )?;
    }
    Ok(())
}

type Applied = std::result::Result<Outcome, Rejection>;

fn reject(code: ErrorCode, reason: impl Into<String>) -> Result<Applied> {
    Ok(Err(Rejection::new(code, reason)))
}

/// Applies one fresh entry. `Ok(Err(_))` is a refusal (recorded, the batch goes on); `Err(_)`
/// is a failure of head office itself (the whole batch rolls back and may be retried).
fn apply_entry(w: &mut Writer<'_>, device: &DeviceCaller, e: &PushEntry) -> Result<Applied> {
    let m = match decode(&e.mutation) {
        Ok(m) => m,
        Err(d) => return reject(d.code(), d.to_string()),
    };
    // Every field within the device's own limits, before anything is looked up or written.
    if let Err(e) = fieldwork_domain::limits::check_mutation(&m) {
        let code = match e.code() {
            ErrorCode::TooLong => ErrorCode::TooLong,
            _ => ErrorCode::Invalid,
        };
        return reject(code, e.to_string());
    }
    if let Err(r) = check_technician_may_change(&m) {
        return Ok(Err(r));
    }
    let mut job = match load_job(w.db, m.job_id()) {
        Ok(job) if job.assignee_id.as_deref() == Some(device.technician_id.as_str()) => job,
        Ok(_) | Err(Error::NotFound) => {
            return reject(
                ErrorCode::NotFound,
                format!("job {} does not exist or is not assigned to you", m.job_id()),
            );
        }
        Err(other) => return Err(other),
    };
    if let Some(fact) = fact_of(&m)
        && let Err(r) = check_recordable(job.status, fact)
    {
        return Ok(Err(r));
    }
    match m {
        IncomingMutation::JobCreated { .. } | IncomingMutation::JobScheduled { .. } => {
            // Refused above by ownership; kept explicit so a new kind is a compile error here.
            reject(ErrorCode::DispatcherOwned, "only a dispatcher can create or schedule jobs")
        }
        IncomingMutation::StatusChanged { change_id, to, reason, at, .. } => {
            let facts = jobs::completion_facts(w.db, &job)?;
            match decide_technician_move(job.status, to, reason.as_deref(), &facts) {
                StatusDecision::Apply => {
                    record_status(
                        w,
                        &mut job,
                        to,
                        reason.as_deref(),
                        &device.technician_name,
                        Some((&change_id, at, &e.hlc)),
                    )?;
                    job.updated_at = w.now;
                    save_job(w, &job)?;
                    Ok(Ok(Outcome::Applied))
                }
                StatusDecision::AlreadyThere => Ok(Ok(Outcome::Applied)),
                StatusDecision::FlagCancelledVsCompleted => {
                    let id = format!("cc-{}-{}", job.id, change_id);
                    let detail = format!(
                        "{} completed job {} on their device, but head office had cancelled it; \
                         the job stays cancelled until a dispatcher decides",
                        device.technician_name, job.number
                    );
                    jobs::insert_conflict(
                        w,
                        &ConflictRecord {
                            id: id.clone(),
                            job_id: job.id.clone(),
                            kind: ConflictKind::CancelledVsCompleted,
                            field: Some("status".into()),
                            winning_value: Some(JobStatus::Cancelled.as_str().into()),
                            losing_value: Some(JobStatus::Completed.as_str().into()),
                            winning_hlc: None,
                            losing_hlc: Some(e.hlc.to_string()),
                            losing_node: Some(e.device_id.clone()),
                            detail: detail.clone(),
                            created_at: w.now,
                            resolved: false,
                        },
                    )?;
                    Ok(Ok(Outcome::Conflict { conflict_id: id, reason: detail }))
                }
                StatusDecision::Reject(r) => Ok(Err(r)),
            }
        }
        IncomingMutation::FieldSet { field, value, replaces, .. } => {
            let value = value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
            // Compared the way head office stores values: trimmed, empty as none.
            let seen =
                replaces.map(|r| r.value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()));
            let outcome =
                match write_shared_field(w, &mut job, field, value, &e.hlc, seen.as_ref())? {
                    FieldWrite::Applied | FieldWrite::Unchanged => Outcome::Applied,
                    FieldWrite::Conflict(id, kept) => Outcome::Conflict {
                        conflict_id: id,
                        reason: fieldwork_wire::merge::conflict_reason(field.name(), kept),
                    },
                };
            job.updated_at = w.now;
            save_job(w, &job)?;
            Ok(Ok(outcome))
        }
        IncomingMutation::ChecklistAnswered { item_key, value, at, replaces, .. } => {
            // Compared the way head office stores answers: their JSON.
            let seen = match replaces {
                Some(r) => Some(r.value.as_ref().map(serde_json::to_string).transpose()?),
                None => None,
            };
            answer_checklist(w, &job, &item_key, &value, at, &e.hlc, seen.as_ref())
        }
        IncomingMutation::NoteAdded { note } => {
            insert_fact(w, "notes", "note", &note.id, &job.id, &note, None)
        }
        IncomingMutation::PartAdded { part } => {
            insert_fact(w, "parts_used", "part_used", &part.id, &job.id, &part, None)
        }
        IncomingMutation::PartWithdrawn { withdrawal } => {
            withdraw_part(w, device, &job, &withdrawal)
        }
        IncomingMutation::TimeEntryAdded { entry } => {
            if entry.ended_at < entry.started_at {
                return reject(ErrorCode::Invalid, "a time entry cannot end before it starts");
            }
            insert_fact(w, "time_entries", "time_entry", &entry.id, &job.id, &entry, None)
        }
        IncomingMutation::FeedbackGiven { feedback } => {
            if !(1..=5).contains(&feedback.rating) {
                return reject(ErrorCode::Invalid, "a rating is 1 to 5");
            }
            let outcome =
                insert_fact(w, "feedback", "feedback", &feedback.id, &job.id, &feedback, None)?;
            super::kpi::refresh_facts(w.db, &job)?;
            Ok(outcome)
        }
        IncomingMutation::PhotoAdded { photo } => {
            if !wire::is_sha256_hex(&photo.sha256) || !wire::is_sha256_hex(&photo.thumb_sha256) {
                return reject(
                    ErrorCode::Invalid,
                    "a photo's hashes are 64 lowercase hex characters",
                );
            }
            let sha = photo.sha256.clone();
            let mut photo = photo;
            // The same import again after its caption was edited: compared with the edited
            // caption, so it is the same fact, not a `duplicate_id`.
            if field_clock(w.db, &job.id, &caption_field(&photo.id))?.is_some()
                && let Some(stored) = w.db.body::<fieldwork_domain::domain::PhotoRef>(
                    "SELECT body FROM photos WHERE id = ?1",
                    &[&photo.id],
                )?
            {
                photo.caption = stored.caption;
            }
            insert_fact(w, "photos", "photo", &photo.id, &job.id, &photo, Some(&sha))
        }
        IncomingMutation::PhotoDeleted { photo_id, at, .. } => {
            let on_job = w.db.exists(
                "SELECT 1 FROM photos WHERE id = ?1 AND job_id = ?2",
                &[&photo_id, &job.id],
            )?;
            if !on_job {
                return reject(
                    ErrorCode::NotFound,
                    format!("job {} has no photo {photo_id}", job.number),
                );
            }
            let added = w.db.execute(
                "INSERT INTO photo_deletions (photo_id, job_id, at) VALUES (?1, ?2, ?3)
                 ON CONFLICT DO NOTHING",
                &[&photo_id, &job.id, &ms(at)],
            )?;
            if added > 0 {
                w.feed("photo_deleted", &photo_id, Some(&job.id), None)?;
            }
            Ok(Ok(Outcome::Applied))
        }
        IncomingMutation::PhotoCaptionSet { photo_id, caption, replaces, .. } => {
            set_photo_caption(w, &job, &photo_id, caption, replaces, &e.hlc)
        }
        IncomingMutation::SignatureAdded {
            signature_id,
            signer_name,
            statement,
            signed_at,
            summary_sha256,
            png_sha256,
            strokes,
            ..
        } => {
            if !wire::is_sha256_hex(&png_sha256) {
                return reject(ErrorCode::Invalid, "png_sha256 is 64 lowercase hex characters");
            }
            let signature = SignatureRef {
                id: signature_id.clone(),
                job_id: job.id.clone(),
                signer_name,
                statement,
                signed_at,
                summary_sha256,
                png_sha256: Some(png_sha256.clone()),
                changed_after_signing: false,
                superseded: false,
            };
            let outcome = insert_fact(
                w,
                "signatures",
                "signature",
                &signature_id,
                &job.id,
                &signature,
                None,
            )?;
            if outcome.is_ok() {
                w.db.execute(
                    "UPDATE signatures SET png_sha256 = ?2, strokes = COALESCE(strokes, ?3)
                     WHERE id = ?1",
                    &[&signature_id, &png_sha256, &strokes],
                )?;
            }
            Ok(outcome)
        }
        IncomingMutation::ArticleUsed { usage } => {
            super::kb_field::use_article(w, device, &job, &usage)
        }
        IncomingMutation::FixShared { proposal } => {
            super::kb_field::share_fix(w, device, &job, proposal)
        }
    }
}

/// The conflict-log field of a photo's caption (one last-writer-wins clock per photo).
fn caption_field(photo_id: &str) -> String {
    format!("photo_caption:{photo_id}")
}

/// A photo's caption edited after import: last writer wins per photo by HLC (as `field_set`).
/// The photo's stored record takes the winning caption and goes into the feed again, so every
/// device pulls the photo with it.
fn set_photo_caption(
    w: &mut Writer<'_>,
    job: &WorkOrder,
    photo_id: &str,
    caption: Option<String>,
    replaces: Option<fieldwork_domain::mutation::Replaces<String>>,
    hlc: &Hlc,
) -> Result<Applied> {
    let stored: Option<String> =
        w.db.value("SELECT body FROM photos WHERE id = ?1 AND job_id = ?2", &[&photo_id, &job.id])?;
    let Some(stored) = stored else {
        return reject(ErrorCode::NotFound, format!("job {} has no photo {photo_id}", job.number));
    };
    let mut photo: fieldwork_domain::domain::PhotoRef = serde_json::from_str(&stored)?;
    // Compared the way head office stores captions: trimmed, empty as none.
    let tidy = |c: Option<String>| c.map(|c| c.trim().to_owned()).filter(|c| !c.is_empty());
    let caption = tidy(caption);
    let seen = replaces.map(|r| tidy(r.value));
    let field = caption_field(photo_id);
    // The caption set at import has no clock: it counts as the oldest write.
    let current = field_clock(w.db, &job.id, &field)?
        .map(|c| Stamped { value: photo.caption.clone(), hlc: c });
    let incoming = Stamped { value: caption.clone(), hlc: hlc.clone() };
    let conflict = |id: String, kept: bool| Outcome::Conflict {
        conflict_id: id,
        reason: fieldwork_wire::merge::conflict_reason("the photo's caption", kept),
    };
    match lww_seen(current.as_ref(), &incoming, seen.as_ref()) {
        LwwDecision::Same => Ok(Ok(Outcome::Applied)),
        LwwDecision::Take { overwritten } => {
            photo.caption = caption;
            w.db.execute(
                "UPDATE photos SET body = ?2 WHERE id = ?1",
                &[&photo_id, &serde_json::to_string(&photo)?],
            )?;
            set_field_clock(w.db, &job.id, &field, hlc)?;
            w.feed("photo", photo_id, Some(&job.id), None)?;
            match overwritten {
                Some(loser) => Ok(Ok(conflict(
                    jobs::log_field_conflict(w, &job.id, &field, &incoming, &loser, false)?,
                    true,
                ))),
                None => Ok(Ok(Outcome::Applied)),
            }
        }
        LwwDecision::Keep { lost } => match (lost, current) {
            (Some(loser), Some(winner)) => Ok(Ok(conflict(
                jobs::log_field_conflict(w, &job.id, &field, &winner, &loser, true)?,
                false,
            ))),
            _ => Ok(Ok(Outcome::Applied)),
        },
    }
}

/// A part line withdrawn (or corrected) before completion: a tombstone naming a part line of
/// this job (and, for a correction, the line that replaces it, also of this job). The same
/// withdrawal again changes nothing.
fn withdraw_part(
    w: &mut Writer<'_>,
    device: &DeviceCaller,
    job: &WorkOrder,
    withdrawal: &fieldwork_domain::domain::PartWithdrawal,
) -> Result<Applied> {
    // The reason's length is checked with every other field (fieldwork_domain::limits).
    let on_job = |id: &str| -> Result<bool> {
        w.db.exists("SELECT 1 FROM parts_used WHERE id = ?1 AND job_id = ?2", &[&id, &job.id])
    };
    for id in std::iter::once(&withdrawal.part_used_id).chain(&withdrawal.replaced_by) {
        if !on_job(id)? {
            return reject(
                ErrorCode::NotFound,
                format!("job {} has no part line {id}", job.number),
            );
        }
    }
    let added = w.db.execute(
        "INSERT INTO part_withdrawals (part_used_id, job_id, actor, body)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT DO NOTHING",
        &[
            &withdrawal.part_used_id,
            &job.id,
            &device.technician_name,
            &serde_json::to_string(withdrawal)?,
        ],
    )?;
    if added > 0 {
        w.feed("part_withdrawn", &withdrawal.part_used_id, Some(&job.id), None)?;
    }
    Ok(Ok(Outcome::Applied))
}

/// Inserts an insert-only fact, deduplicated by id: the same fact again is a no-op, a different
/// fact under a used id is refused.
fn insert_fact<T: Serialize>(
    w: &mut Writer<'_>,
    table: &'static str,
    entity: &'static str,
    id: &str,
    job_id: &str,
    fact: &T,
    sha256: Option<&str>,
) -> Result<Applied> {
    let json = serde_json::to_value(fact)?;
    let existing: Option<(String, String)> =
        w.db.query_opt(&format!("SELECT job_id, body FROM {table} WHERE id = ?1"), &[&id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    if let Some((existing_job, existing_body)) = existing {
        let same = existing_job == job_id
            && serde_json::from_str::<serde_json::Value>(&existing_body).ok().as_ref()
                == Some(&json);
        return if same {
            Ok(Ok(Outcome::Applied))
        } else {
            reject(ErrorCode::DuplicateId, format!("a different {entity} already has id {id}"))
        };
    }
    match sha256 {
        Some(sha) => w.db.execute_later(
            &format!("INSERT INTO {table} (id, job_id, sha256, body) VALUES (?1, ?2, ?3, ?4)"),
            &[&id, &job_id, &sha, &json.to_string()],
        )?,
        None => w.db.execute_later(
            &format!("INSERT INTO {table} (id, job_id, body) VALUES (?1, ?2, ?3)"),
            &[&id, &job_id, &json.to_string()],
        )?,
    };
    w.feed(entity, id, Some(job_id), None)?;
    Ok(Ok(Outcome::Applied))
}

fn answer_checklist(
    w: &mut Writer<'_>,
    job: &WorkOrder,
    item_key: &str,
    value: &ChecklistValue,
    at: chrono::DateTime<chrono::Utc>,
    hlc: &Hlc,
    seen: Option<&Option<String>>,
) -> Result<Applied> {
    let jt = jobs::job_type_of(w.db, job)?;
    let Some(item) = jt.checklist.iter().find(|i| i.key == item_key) else {
        return reject(ErrorCode::Invalid, format!("the job's checklist has no item {item_key:?}"));
    };
    let kind_matches = matches!(
        (item.kind, value),
        (fieldwork_domain::domain::ChecklistItemKind::Checkbox, ChecklistValue::Checkbox(_))
            | (fieldwork_domain::domain::ChecklistItemKind::Number, ChecklistValue::Number(_))
            | (fieldwork_domain::domain::ChecklistItemKind::Choice, ChecklistValue::Choice(_))
            | (fieldwork_domain::domain::ChecklistItemKind::Text, ChecklistValue::Text(_))
    );
    if !kind_matches {
        return reject(ErrorCode::Invalid, format!("{item_key} is a {} item", item.kind));
    }
    let field = format!("checklist:{item_key}");
    let stored: Option<String> = w.db.value(
        "SELECT value FROM checklist_answers WHERE job_id = ?1 AND item_key = ?2",
        &[&job.id, &item_key],
    )?;
    let current = field_clock(w.db, &job.id, &field)?.map(|c| Stamped { value: stored, hlc: c });
    let new_value = serde_json::to_string(value)?;
    let incoming = Stamped { value: Some(new_value.clone()), hlc: hlc.clone() };
    let take = |w: &mut Writer<'_>| -> Result<()> {
        w.db.execute(
            "INSERT INTO checklist_answers (job_id, item_key, value, answered_at)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (job_id, item_key) DO UPDATE SET value = excluded.value,
                 answered_at = excluded.answered_at",
            &[&job.id, &item_key, &new_value, &ms(at)],
        )?;
        set_field_clock(w.db, &job.id, &field, hlc)?;
        w.feed("checklist_answer", &format!("{}/{item_key}", job.id), Some(&job.id), None)
    };
    let conflict = |id: String| Outcome::Conflict {
        conflict_id: id,
        reason: format!("checklist item {item_key} was also answered elsewhere"),
    };
    match lww_seen(current.as_ref(), &incoming, seen) {
        LwwDecision::Same => Ok(Ok(Outcome::Applied)),
        LwwDecision::Take { overwritten } => {
            take(w)?;
            match overwritten {
                Some(loser) => Ok(Ok(conflict(jobs::log_field_conflict(
                    w, &job.id, &field, &incoming, &loser, false,
                )?))),
                None => Ok(Ok(Outcome::Applied)),
            }
        }
        LwwDecision::Keep { lost } => match (lost, current) {
            (Some(loser), Some(winner)) => Ok(Ok(conflict(jobs::log_field_conflict(
                w, &job.id, &field, &winner, &loser, true,
            )?))),
            _ => Ok(Ok(Outcome::Applied)),
        },
    }
}

// ---------------------------------------------------------------------------------------------
// Pull
// ---------------------------------------------------------------------------------------------

struct FeedRow {
    version: i64,
    entity: String,
    entity_id: String,
}

/// Who can see what, with the lookups cached for one page.
struct Scope<'t> {
    db: &'t dyn Db,
    technician_id: String,
    jobs: HashMap<String, bool>,
    parties: HashMap<(&'static str, String), bool>,
}

impl Scope<'_> {
    fn owns_job(&mut self, job_id: &str) -> Result<bool> {
        if let Some(v) = self.jobs.get(job_id) {
            return Ok(*v);
        }
        let mine = self.db.exists(
            "SELECT 1 FROM work_orders WHERE id = ?1 AND assignee_id = ?2",
            &[&job_id, &self.technician_id],
        )?;
        self.jobs.insert(job_id.to_owned(), mine);
        Ok(mine)
    }

    fn sees_party(&mut self, column: &'static str, id: &str) -> Result<bool> {
        let key = (column, id.to_owned());
        if let Some(v) = self.parties.get(&key) {
            return Ok(*v);
        }
        let seen: bool = self.db.query_row(
            &format!(
                "SELECT EXISTS (SELECT 1 FROM work_orders WHERE {column} = ?1 AND assignee_id = ?2)"
            ),
            &[&id, &self.technician_id],
            |r| r.get(0),
        )?;
        self.parties.insert(key, seen);
        Ok(seen)
    }

    fn visible(
        &mut self,
        entity: &str,
        entity_id: &str,
        job_id: Option<&str>,
        scope: Option<&str>,
    ) -> Result<bool> {
        match entity {
            // The catalogues, and the knowledge base (only published articles enter the feed).
            "job_type" | "part" | "technician" | "kb_article" | "past_fix" => Ok(true),
            "customer" => self.sees_party("customer_id", entity_id),
            "site" => self.sees_party("site_id", entity_id),
            "equipment" => self.sees_party("equipment_id", entity_id),
            "job_removed" => {
                Ok(scope == Some(self.technician_id.as_str()) && !self.owns_job(entity_id)?)
            }
            // Only the technician who shared a fix learns what became of it.
            "rejection" | "kb_proposal" => Ok(scope == Some(self.technician_id.as_str())),
            _ => match job_id {
                Some(j) => self.owns_job(j),
                None => Ok(false),
            },
        }
    }
}

/// Feed rows read per query while a pull scans the change feed.
const FEED_PAGE_ROWS: usize = 1_000;

/// Where one pull's scan after `start` stops: about [`MAX_SCAN_ROWS`] versions on, at the end of
/// the transaction there (a page never ends inside one), or at `last`, the end of the feed. The
/// first row of a transaction is the one whose `tx` is its own version.
fn scan_window_end(db: &dyn Db, start: i64, last: i64) -> Result<i64> {
    let target = start.saturating_add(MAX_SCAN_ROWS as i64);
    if target >= last {
        return Ok(last);
    }
    let next_tx: Option<i64> = db
        .value(
            "SELECT MIN(version) FROM change_feed WHERE version > ?1 AND tx = version",
            &[&target],
        )?
        .flatten();
    Ok(next_tx.map_or(last, |first| first - 1))
}

/// One page of a device's scope of the change feed after `cursor`, read in the caller's read
/// transaction (one snapshot), and whether the device's last contact is due to be recorded
/// (by [`touch_device`], in a write transaction of its own: a read writes nothing).
pub(super) fn pull(
    db: &dyn Db,
    device: &DeviceCaller,
    cursor: i64,
    limit: usize,
) -> Result<(PullResponse, bool)> {
    if device.revoked {
        return Err(Error::DeviceRevoked);
    }
    let limit = limit.clamp(1, wire::MAX_PULL_LIMIT);
    // Head office's clock, the end of the feed in this snapshot (which holds a prefix of it, see
    // PROTOCOL.md) and the device's last contact, in one statement (one round trip).
    let (hlc, last, last_contact): (Option<String>, i64, Option<i64>) = db.query_row(
        "SELECT (SELECT value FROM meta WHERE key = 'hlc'),
                (SELECT COALESCE(MAX(version), 0) FROM change_feed),
                (SELECT last_seen_at FROM devices WHERE id = ?1)",
        &[&device.device_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let server_hlc = hlc
        .and_then(|h| h.parse::<Hlc>().ok())
        .unwrap_or_else(|| Hlc::zero(super::HEAD_OFFICE_NODE));
    let mut scope = Scope {
        db,
        technician_id: device.technician_id.clone(),
        jobs: HashMap::new(),
        parties: HashMap::new(),
    };
    let mut visible_rows = Vec::new();
    let start = cursor.max(0);
    let window_end = scan_window_end(db, start, last)?;
    let mut new_cursor = window_end;
    let mut has_more = window_end < last;
    // Only rows that may be in this device's scope leave the database: rows of no job
    // (catalogues, parties), rows scoped to this technician (tombstones, rejections) and rows of
    // jobs assigned to them; `Scope::visible` then decides exactly. They are read in bounded
    // queries until the page is full at a transaction boundary or the window is read.
    let mut after = start;
    let mut current_tx: Option<i64> = None;
    'scan: loop {
        let rows = db.query(
            "SELECT f.version, f.tx, f.entity, f.entity_id, f.job_id, f.scope, w.assignee_id
             FROM change_feed f LEFT JOIN work_orders w ON w.id = f.job_id
             WHERE f.version > ?1 AND f.version <= ?2
               AND (f.job_id IS NULL OR f.scope = ?3 OR w.assignee_id = ?3)
             ORDER BY f.version LIMIT ?4",
            &[&after, &window_end, &device.technician_id, &FEED_PAGE_ROWS],
        )?;
        for r in &rows {
            let version: i64 = r.get(0)?;
            let row_tx: i64 = r.get(1)?;
            if current_tx != Some(row_tx) {
                // A transaction boundary: the only place a page may end. The rows between the
                // last one read and this one are out of scope, so the cursor may stay on it.
                if visible_rows.len() >= limit {
                    new_cursor = after;
                    has_more = true;
                    break 'scan;
                }
                current_tx = Some(row_tx);
            }
            after = version;
            let entity: String = r.get(2)?;
            let entity_id: String = r.get(3)?;
            let job_id: Option<String> = r.get(4)?;
            let row_scope: Option<String> = r.get(5)?;
            let assignee: Option<String> = r.get(6)?;
            if let Some(job) = &job_id {
                let mine = assignee.as_deref() == Some(scope.technician_id.as_str());
                scope.jobs.insert(job.clone(), mine);
            }
            if scope.visible(&entity, &entity_id, job_id.as_deref(), row_scope.as_deref())? {
                visible_rows.push(FeedRow { version, entity, entity_id });
            }
        }
        if rows.len() < FEED_PAGE_ROWS {
            break;
        }
    }
    let mut records: Vec<(i64, (String, String), Record)> = Vec::new();
    let pre = prefetch(db, &visible_rows)?;
    for row in &visible_rows {
        materialise(db, &pre, row, &mut records)?;
    }
    // A record changed several times in the page is sent once, at its last version.
    let mut seen = HashSet::new();
    let mut changes: Vec<Change> = records
        .into_iter()
        .rev()
        .filter(|(_, key, _)| seen.insert(key.clone()))
        .map(|(version, _, record)| Change { version, record })
        .collect();
    changes.reverse();
    let contact_due = last_contact.is_none_or(|at| ms(chrono::Utc::now()) - at >= CONTACT_EVERY_MS);
    Ok((PullResponse { cursor: new_cursor, has_more, changes, server_hlc }, contact_due))
}

/// Most sync rounds push nothing, so a pull counts as the device's last contact too (`device
/// list` and the admin page show it). Written at most once a minute per device, so a busy
/// head office's pulls stay reads.
fn contact_due(db: &dyn Db, device_id: &str, now: i64) -> Result<bool> {
    let seen: Option<i64> = db
        .value::<Option<i64>>("SELECT last_seen_at FROM devices WHERE id = ?1", &[&device_id])?
        .flatten();
    Ok(seen.is_none_or(|at| now - at >= CONTACT_EVERY_MS))
}

/// How often a device's last contact is written, at most.
const CONTACT_EVERY_MS: i64 = 60_000;

/// Records a pull as the device's last contact (see [`contact_due`]; checked again here, so
/// pulls racing each other write it once).
pub(super) fn touch_device(w: &mut Writer<'_>, device_id: &str) -> Result<()> {
    let now = ms(w.now);
    if contact_due(w.db, device_id, now)? {
        w.db.execute("UPDATE devices SET last_seen_at = ?2 WHERE id = ?1", &[&device_id, &now])?;
    }
    Ok(())
}

fn key(entity: &str, id: &str) -> (String, String) {
    (entity.to_owned(), id.to_owned())
}

/// The tables whose rows feed entities stand for one to one, with their key column: a page reads
/// each kind's current bodies in a query per few hundred ids ([`prefetch`]) rather than one query
/// per feed row (on PostgreSQL, a round trip each: priming a laptop is tens of thousands of rows).
const BODY_TABLES: &[(&str, &str, &str)] = &[
    ("job", "work_orders", "id"),
    ("customer", "customers", "id"),
    ("site", "sites", "id"),
    ("equipment", "equipment", "id"),
    ("job_type", "job_types", "id"),
    ("part", "parts", "part_no"),
    ("technician", "technicians", "id"),
    ("note", "notes", "id"),
    ("part_used", "parts_used", "id"),
    ("time_entry", "time_entries", "id"),
    ("feedback", "feedback", "id"),
    ("photo", "photos", "id"),
    ("part_withdrawn", "part_withdrawals", "part_used_id"),
    ("signature", "signatures", "id"),
    ("status_change", "status_changes", "id"),
    ("conflict", "conflicts", "id"),
    // The published version of a knowledge article; absent when nothing is published.
    ("kb_article", "kb_published", "id"),
    // A resolved job reduced to its fix (no personal details); absent when reopened.
    ("past_fix", "past_fixes", "id"),
    // A knowledge article marked as used on a job ("{job_id}/{article_id}").
    ("article_use", "kb_article_uses", "id"),
    // A shared fix and its review.
    ("kb_proposal", "kb_proposals", "id"),
];

/// Ids per prefetch query.
const PREFETCH_IDS: usize = 500;

/// The current JSON bodies of a page's one-to-one rows, by (entity, id); a row absent from it
/// no longer exists in this snapshot.
type Prefetched = HashMap<(String, String), String>;

fn prefetch(db: &dyn Db, rows: &[FeedRow]) -> Result<Prefetched> {
    let mut out = Prefetched::new();
    for (entity, table, key) in BODY_TABLES {
        let ids: Vec<&str> = rows
            .iter()
            .filter(|r| r.entity == *entity)
            .map(|r| r.entity_id.as_str())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        for chunk in ids.chunks(PREFETCH_IDS) {
            let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("?{i}")).collect();
            let params: Vec<&dyn crate::db::ToValue> =
                chunk.iter().map(|id| id as &dyn crate::db::ToValue).collect();
            let sql =
                format!("SELECT {key}, body FROM {table} WHERE {key} IN ({})", marks.join(", "));
            for (id, body) in db.query_map(&sql, &params, |r| Ok((r.get(0)?, r.get(1)?)))? {
                out.insert(((*entity).to_owned(), id), body);
            }
        }
    }
    Ok(out)
}

/// Turns a feed row into the records it stands for, read as they are now (one-to-one rows from
/// `pre`, the rest from `db`).
fn materialise(
    db: &dyn Db,
    pre: &Prefetched,
    row: &FeedRow,
    out: &mut Vec<(i64, (String, String), Record)>,
) -> Result<()> {
    let v = row.version;
    let id = row.entity_id.as_str();
    let body = pre.get(&(row.entity.clone(), id.to_owned()));
    let mut push = |entity: &str, rid: &str, record: Record| {
        out.push((v, key(entity, rid), record));
    };
    // A one-to-one row's record from its body; none when the row is gone.
    macro_rules! one {
        ($entity:literal, $variant:ident, $field:ident) => {{
            if let Some(text) = body {
                push($entity, id, Record::$variant { $field: serde_json::from_str(text)? });
            }
        }};
    }
    match row.entity.as_str() {
        "job" => one!("job", Job, work_order),
        "job_full" => {
            if let Ok(job) = load_job(db, id) {
                for (entity, id, record) in whole_job(db, job)? {
                    push(entity, &id, record);
                }
            }
        }
        "job_removed" => push("job_removed", id, Record::JobRemoved { job_id: id.to_owned() }),
        "customer" => one!("customer", Customer, customer),
        "site" => one!("site", Site, site),
        "equipment" => one!("equipment", Equipment, equipment),
        "job_type" => one!("job_type", JobType, job_type),
        "part" => one!("part", Part, part),
        "technician" => one!("technician", Technician, technician),
        "note" => one!("note", Note, note),
        "part_used" => one!("part_used", PartUsed, part_used),
        "time_entry" => one!("time_entry", TimeEntry, entry),
        "feedback" => one!("feedback", Feedback, feedback),
        "photo" => one!("photo", Photo, photo),
        "part_withdrawn" => one!("part_withdrawn", PartWithdrawn, withdrawal),
        "photo_deleted" => {
            let row = db.query_opt(
                "SELECT job_id, at FROM photo_deletions WHERE photo_id = ?1",
                &[&id],
                |r| Ok((r.get::<String>(0)?, r.get::<i64>(1)?)),
            )?;
            if let Some((job_id, at)) = row {
                push(
                    "photo_deleted",
                    id,
                    Record::PhotoDeleted {
                        job_id,
                        photo_id: id.to_owned(),
                        at: super::from_ms(at),
                    },
                );
            }
        }
        "signature" => one!("signature", Signature, signature),
        "status_change" => one!("status_change", StatusChange, change),
        "conflict" => one!("conflict", Conflict, conflict),
        "kb_article" => match body {
            Some(text) => {
                push("kb_article", id, Record::KbArticle { article: serde_json::from_str(text)? })
            }
            None => push("kb_article", id, Record::KbArticleRemoved { article_id: id.to_owned() }),
        },
        "past_fix" => match body {
            Some(text) => {
                push("past_fix", id, Record::PastFix { fix: serde_json::from_str(text)? })
            }
            None => push("past_fix", id, Record::PastFixRemoved { fix_id: id.to_owned() }),
        },
        "article_use" => one!("article_use", ArticleUse, usage),
        "kb_proposal" => one!("kb_proposal", KbProposal, review),
        "checklist_answer" => {
            if let Some((job_id, item_key)) = id.split_once('/')
                && let Ok(job) = load_job(db, job_id)
            {
                let jt = jobs::job_type_of(db, &job)?;
                if let Some(answer) =
                    jobs::every_answer(db, &job, &jt)?.into_iter().find(|a| a.item_key == item_key)
                {
                    push(
                        "checklist_answer",
                        id,
                        Record::ChecklistAnswer { job_id: job_id.to_owned(), answer },
                    );
                }
            }
        }
        "rejection" => {
            if let Some((device_id, seq)) = id.split_once('/') {
                let rejection = db.query_opt(
                    "SELECT device_id, seq, mutation_id, kind, job_id, code, reason, received_at
                     FROM device_mutations WHERE device_id = ?1 AND seq = ?2",
                    &[&device_id, &seq.parse::<i64>().unwrap_or(-1)],
                    jobs::rejection_row,
                )?;
                if let Some(rejection) = rejection {
                    push("rejection", id, Record::Rejection { rejection });
                }
            }
        }
        // A kind written by a newer head office: skip rather than fail the device's sync.
        _ => {}
    }
    Ok(())
}

/// A job with its parties and every fact, for a device that just got the job.
fn whole_job(db: &dyn Db, job: WorkOrder) -> Result<Vec<(&'static str, String, Record)>> {
    let mut out = Vec::new();
    let customer = master::customer(db, &job.customer_id)?;
    out.push(("customer", customer.id.clone(), Record::Customer { customer }));
    let site = master::site(db, &job.site_id)?;
    out.push(("site", site.id.clone(), Record::Site { site }));
    if let Some(eq) = &job.equipment_id {
        let equipment = master::equipment(db, eq)?;
        out.push(("equipment", equipment.id.clone(), Record::Equipment { equipment }));
    }
    let id = job.id.clone();
    let jt = jobs::job_type_of(db, &job)?;
    let answers = jobs::every_answer(db, &job, &jt)?;
    out.push(("job", id.clone(), Record::Job { work_order: job }));
    for n in db.bodies::<fieldwork_domain::domain::Note>(
        "SELECT body FROM notes WHERE job_id = ?1",
        &[&id],
    )? {
        out.push(("note", n.id.clone(), Record::Note { note: n }));
    }
    for p in db.bodies::<fieldwork_domain::domain::PartUsed>(
        "SELECT body FROM parts_used WHERE job_id = ?1",
        &[&id],
    )? {
        out.push(("part_used", p.id.clone(), Record::PartUsed { part_used: p }));
    }
    for t in db.bodies::<fieldwork_domain::domain::TimeEntry>(
        "SELECT body FROM time_entries WHERE job_id = ?1",
        &[&id],
    )? {
        out.push(("time_entry", t.id.clone(), Record::TimeEntry { entry: t }));
    }
    for f in db.bodies::<fieldwork_domain::domain::Feedback>(
        "SELECT body FROM feedback WHERE job_id = ?1",
        &[&id],
    )? {
        out.push(("feedback", f.id.clone(), Record::Feedback { feedback: f }));
    }
    for p in db.bodies::<fieldwork_domain::domain::PhotoRef>(
        "SELECT body FROM photos WHERE job_id = ?1",
        &[&id],
    )? {
        out.push(("photo", p.id.clone(), Record::Photo { photo: p }));
    }
    // The articles marked as used on it (the job's new technician sees what was tried).
    for (key, body) in
        db.query_map("SELECT id, body FROM kb_article_uses WHERE job_id = ?1", &[&id], |r| {
            Ok((r.get::<String>(0)?, r.get::<String>(1)?))
        })?
    {
        out.push(("article_use", key, Record::ArticleUse { usage: serde_json::from_str(&body)? }));
    }
    for w in db.bodies::<fieldwork_domain::domain::PartWithdrawal>(
        "SELECT body FROM part_withdrawals WHERE job_id = ?1",
        &[&id],
    )? {
        out.push((
            "part_withdrawn",
            w.part_used_id.clone(),
            Record::PartWithdrawn { withdrawal: w },
        ));
    }
    let deleted =
        db.query_map("SELECT photo_id, at FROM photo_deletions WHERE job_id = ?1", &[&id], |r| {
            Ok((r.get::<String>(0)?, r.get::<i64>(1)?))
        })?;
    for (photo_id, at) in deleted {
        out.push((
            "photo_deleted",
            photo_id.clone(),
            Record::PhotoDeleted { job_id: id.clone(), photo_id, at: super::from_ms(at) },
        ));
    }
    for s in db.bodies::<fieldwork_domain::domain::SignatureRef>(
        "SELECT body FROM signatures WHERE job_id = ?1",
        &[&id],
    )? {
        out.push(("signature", s.id.clone(), Record::Signature { signature: s }));
    }
    for s in db.bodies::<fieldwork_domain::domain::StatusChange>(
        "SELECT body FROM status_changes WHERE job_id = ?1 ORDER BY hlc",
        &[&id],
    )? {
        out.push(("status_change", s.id.clone(), Record::StatusChange { change: s }));
    }
    for a in answers.into_iter().filter(|a| a.value.is_some()) {
        let key = format!("{id}/{}", a.item_key);
        out.push((
            "checklist_answer",
            key,
            Record::ChecklistAnswer { job_id: id.clone(), answer: a },
        ));
    }
    for c in db.bodies::<ConflictRecord>("SELECT body FROM conflicts WHERE job_id = ?1", &[&id])? {
        out.push(("conflict", c.id.clone(), Record::Conflict { conflict: c }));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::SqliteStore;

    fn device() -> DeviceCaller {
        DeviceCaller {
            device_id: "d1".into(),
            user_id: "u1".into(),
            user_name: "alice".into(),
            technician_id: "t1".into(),
            technician_name: "Alice".into(),
            revoked: false,
            user_disabled: false,
        }
    }

    /// A new store whose change feed holds `txs` transactions of `per_tx` rows each (versions
    /// from 1). Technician rows are in every scope (and name no record, so a page carries no
    /// changes); note rows without a job are in none.
    async fn feed(txs: i64, per_tx: i64, entity: &'static str) -> (tempfile::TempDir, SqliteStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("ho.db")).unwrap();
        store
            .write(move |w| {
                for t in 0..txs {
                    let first = t * per_tx + 1;
                    for v in first..first + per_tx {
                        w.db.execute(
                            "INSERT INTO change_feed (version, tx, entity, entity_id)
                             VALUES (?1, ?2, ?3, ?4)",
                            &[&v, &first, &entity, &format!("x{v}")],
                        )?;
                    }
                }
                Ok(())
            })
            .await
            .unwrap();
        (dir, store)
    }

    async fn page(store: &SqliteStore, cursor: i64, limit: usize) -> PullResponse {
        store.read(move |db| pull(db, &device(), cursor, limit)).await.unwrap().0
    }

    #[tokio::test]
    async fn a_page_ends_on_a_transaction_boundary_across_feed_queries() {
        // 400 transactions of 7 rows: 2,800 rows, read 1,000 at a time.
        let (_dir, store) = feed(400, 7, "technician").await;
        // Full after 1,000 visible rows, at the end of the transaction holding row 1,000
        // (rows 995..=1001), which the second feed query finishes.
        let p = page(&store, 0, 1_000).await;
        assert_eq!((p.cursor, p.has_more), (1_001, true));
        let p = page(&store, 1_001, 5_000).await;
        assert_eq!((p.cursor, p.has_more), (2_800, false));
        let p = page(&store, 2_800, 5_000).await;
        assert_eq!((p.cursor, p.has_more, p.changes.len()), (2_800, false, 0));
        // A cursor inside a transaction (not one a page gives) reads on from there.
        let p = page(&store, 3, 2).await;
        assert_eq!((p.cursor, p.has_more), (7, true));
    }

    #[tokio::test]
    async fn a_scan_of_rows_out_of_scope_stops_at_the_budget_on_a_boundary() {
        // 60,000 one-row transactions nobody sees: the scan stops after MAX_SCAN_ROWS.
        let (_dir, store) = feed(60_000, 1, "note").await;
        let p = page(&store, 0, 500).await;
        assert_eq!((p.cursor, p.has_more, p.changes.len()), (MAX_SCAN_ROWS as i64, true, 0));
        let p = page(&store, p.cursor, 500).await;
        assert_eq!((p.cursor, p.has_more), (60_000, false));
    }

    #[tokio::test]
    async fn one_transaction_larger_than_the_budget_is_read_whole() {
        let (_dir, store) = feed(1, 52_500, "note").await;
        let p = page(&store, 0, 500).await;
        assert_eq!((p.cursor, p.has_more), (52_500, false));
    }

    #[tokio::test]
    async fn a_page_reads_every_record_it_names_however_many_of_a_kind_in_version_order() {
        // 1,234 technicians (more than one prefetch query's ids), one changed again later, one
        // named by the feed but gone: each record once, at its last version, in version order.
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("ho.db")).unwrap();
        store
            .write(|w| {
                for i in 0..1_234 {
                    let t = fieldwork_domain::domain::Technician {
                        id: format!("t{i:04}"),
                        name: format!("Tech {i}"),
                        phone: None,
                        email: None,
                        skills: vec![],
                        active: true,
                    };
                    w.db.execute(
                        "INSERT INTO technicians (id, name, body) VALUES (?1, ?2, ?3)",
                        &[&t.id, &t.name, &serde_json::to_string(&t)?],
                    )?;
                    w.feed("technician", &t.id, None, None)?;
                }
                w.feed("technician", "t0007", None, None)?;
                w.feed("technician", "gone", None, None)?;
                Ok(())
            })
            .await
            .unwrap();
        let p = page(&store, 0, 5_000).await;
        let ids: Vec<String> = p
            .changes
            .iter()
            .map(|c| match &c.record {
                Record::Technician { technician } => technician.id.clone(),
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        assert_eq!(ids.len(), 1_234);
        assert_eq!(ids.last().map(String::as_str), Some("t0007"), "changed last, sent last");
        let mut sorted = ids[..1_233].to_vec();
        sorted.sort();
        assert_eq!(sorted, ids[..1_233].to_vec(), "the others in the order they were written");
        assert!(p.changes.windows(2).all(|w| w[0].version < w[1].version));
        assert_eq!((p.cursor, p.has_more), (1_236, false));
    }
}
