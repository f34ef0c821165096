//! One recorded change ([`Mutation`]), as a device's outbox keeps it and pushes it to head
//! office ([`OutboxEntry`]), and the shared job fields a technician may set ([`JobField`]).
//! Plain data: the device's store writes it, the sync protocol carries it, head office applies
//! it; [`crate::limits::check_mutation`] bounds its fields on both sides.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::{
    ChecklistValue, Feedback, JobStatus, Note, PartUsed, PartWithdrawal, PhotoRef, TimeEntry,
    WorkOrder,
};
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
    pub const ALL: [JobField; 3] =
        [JobField::Diagnosis, JobField::Resolution, JobField::SignatureAbsenceReason];

    /// The field's name: on the wire, in head office's field clocks, and the device store's
    /// column.
    pub fn name(self) -> &'static str {
        match self {
            JobField::Diagnosis => "diagnosis",
            JobField::Resolution => "resolution",
            JobField::SignatureAbsenceReason => "signature_absence_reason",
        }
    }

    /// The device store's column of this field (its [`name`](Self::name)).
    pub fn column(self) -> &'static str {
        self.name()
    }

    /// The field's value on `job`.
    pub fn get(self, job: &WorkOrder) -> Option<String> {
        match self {
            JobField::Diagnosis => job.diagnosis.clone(),
            JobField::Resolution => job.resolution.clone(),
            JobField::SignatureAbsenceReason => job.signature_absence_reason.clone(),
        }
    }

    /// Sets the field on `job`.
    pub fn set(self, job: &mut WorkOrder, value: Option<String>) {
        match self {
            JobField::Diagnosis => job.diagnosis = value,
            JobField::Resolution => job.resolution = value,
            JobField::SignatureAbsenceReason => job.signature_absence_reason = value,
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
    /// A knowledge article was marked as used on the job (it fixed it, or it did not help).
    ArticleUsed {
        usage: crate::kb_field::ArticleUse,
    },
    /// The job's fix was shared as a case for the knowledge base.
    FixShared {
        proposal: crate::kb_field::FixProposal,
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
            Mutation::ArticleUsed { .. } => "article_used",
            Mutation::FixShared { .. } => "fix_shared",
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
            Mutation::ArticleUsed { usage } => &usage.job_id,
            Mutation::FixShared { proposal } => &proposal.job_id,
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
