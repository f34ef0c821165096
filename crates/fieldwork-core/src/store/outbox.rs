//! The outbox: every change made on this device, numbered, stamped and kept until head office
//! acknowledges it. An entry is written in the same transaction as the change, so a change
//! without its entry (or the reverse) cannot exist, whatever happens to the process or power.
//!
//! The sync engine reads [`Store::pending_mutations`] in `seq` order, sends them, and calls
//! [`Store::acknowledge_mutations`] once head office has committed them.

use chrono::{DateTime, Utc};
use rusqlite::{Transaction, params};
use serde::{Deserialize, Serialize};

use super::Store;
use crate::domain::{
    ChecklistValue, Feedback, JobStatus, Note, PartUsed, PartWithdrawal, PhotoRef, TimeEntry,
    WorkOrder,
};
use crate::error::Result;
use crate::hlc::Hlc;

/// A shared scalar field of a work order that the technician may set (last writer wins).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum JobField {
    Diagnosis,
    Resolution,
    SignatureAbsenceReason,
}

impl JobField {
    pub fn column(self) -> &'static str {
        match self {
            JobField::Diagnosis => "diagnosis",
            JobField::Resolution => "resolution",
            JobField::SignatureAbsenceReason => "signature_absence_reason",
        }
    }
}

/// What a shared value was on the device when a person changed it (`None`: it was empty).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Replaces<T> {
    pub value: Option<T>,
}

/// One change, as sent to head office. The payload carries the full new facts, so head office
/// can apply it without asking back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Mutation {
    JobCreated {
        work_order: WorkOrder,
    },
    JobScheduled {
        job_id: String,
        assignee_id: String,
        appointment_start: DateTime<Utc>,
        appointment_end: DateTime<Utc>,
    },
    StatusChanged {
        job_id: String,
        change_id: String,
        from: JobStatus,
        to: JobStatus,
        reason: Option<String>,
        at: DateTime<Utc>,
    },
    FieldSet {
        job_id: String,
        field: JobField,
        value: Option<String>,
        /// The value this device showed when it was changed: head office tells an edit made on
        /// top of the current value from one made without having seen it (only the latter is
        /// a conflict). Absent in entries written before it existed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        replaces: Option<Replaces<String>>,
    },
    ChecklistAnswered {
        job_id: String,
        item_key: String,
        value: ChecklistValue,
        at: DateTime<Utc>,
        /// The answer this device showed before (see `FieldSet::replaces`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        replaces: Option<Replaces<ChecklistValue>>,
    },
    NoteAdded {
        note: Note,
    },
    PartAdded {
        part: PartUsed,
    },
    /// A part line was withdrawn before completion (a tombstone; nothing is erased). A quantity
    /// correction is the new line's `part_added` followed by this, naming it in `replaced_by`.
    PartWithdrawn {
        withdrawal: PartWithdrawal,
    },
    TimeEntryAdded {
        entry: TimeEntry,
    },
    FeedbackGiven {
        feedback: Feedback,
    },
    /// A photo was imported; its JPEG and thumbnail (by hash) are uploaded separately.
    PhotoAdded {
        photo: PhotoRef,
    },
    /// A photo was withdrawn before completion (a tombstone; nothing is erased).
    PhotoDeleted {
        job_id: String,
        photo_id: String,
        at: DateTime<Utc>,
    },
    /// A photo's caption was edited after import (`None`: cleared). Last writer wins by HLC,
    /// like `field_set`; a pulled photo carries the caption that won.
    PhotoCaptionSet {
        job_id: String,
        photo_id: String,
        caption: Option<String>,
        at: DateTime<Utc>,
        /// The caption this device showed before (see `FieldSet::replaces`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        replaces: Option<Replaces<String>>,
    },
    /// The customer signed; the picture (by hash) is uploaded separately.
    SignatureAdded {
        job_id: String,
        signature_id: String,
        signer_name: String,
        statement: Option<String>,
        signed_at: DateTime<Utc>,
        summary_sha256: String,
        png_sha256: String,
        strokes: Option<String>,
    },
}

impl Mutation {
    pub fn kind(&self) -> &'static str {
        match self {
            Mutation::JobCreated { .. } => "job_created",
            Mutation::JobScheduled { .. } => "job_scheduled",
            Mutation::StatusChanged { .. } => "status_changed",
            Mutation::FieldSet { .. } => "field_set",
            Mutation::ChecklistAnswered { .. } => "checklist_answered",
            Mutation::NoteAdded { .. } => "note_added",
            Mutation::PartAdded { .. } => "part_added",
            Mutation::PartWithdrawn { .. } => "part_withdrawn",
            Mutation::TimeEntryAdded { .. } => "time_entry_added",
            Mutation::FeedbackGiven { .. } => "feedback_given",
            Mutation::PhotoAdded { .. } => "photo_added",
            Mutation::PhotoDeleted { .. } => "photo_deleted",
            Mutation::PhotoCaptionSet { .. } => "photo_caption_set",
            Mutation::SignatureAdded { .. } => "signature_added",
        }
    }

    pub fn job_id(&self) -> &str {
        match self {
            Mutation::JobCreated { work_order } => &work_order.id,
            Mutation::JobScheduled { job_id, .. }
            | Mutation::StatusChanged { job_id, .. }
            | Mutation::FieldSet { job_id, .. }
            | Mutation::ChecklistAnswered { job_id, .. }
            | Mutation::PhotoDeleted { job_id, .. }
            | Mutation::PhotoCaptionSet { job_id, .. }
            | Mutation::SignatureAdded { job_id, .. } => job_id,
            Mutation::PhotoAdded { photo } => &photo.job_id,
            Mutation::NoteAdded { note } => &note.job_id,
            Mutation::PartAdded { part } => &part.job_id,
            Mutation::PartWithdrawn { withdrawal } => &withdrawal.job_id,
            Mutation::TimeEntryAdded { entry } => &entry.job_id,
            Mutation::FeedbackGiven { feedback } => &feedback.job_id,
        }
    }
}

/// An outbox entry: a mutation with its place in this device's sequence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxEntry {
    /// Increasing per device, never reused (also after acknowledged entries are deleted).
    pub seq: i64,
    pub mutation_id: String,
    pub device_id: String,
    pub hlc: Hlc,
    pub mutation: Mutation,
    pub created_at: DateTime<Utc>,
}

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
