//! Facts a technician records on a job. Notes, parts, time entries, feedback, photos and
//! signatures are insert-only rows: they never conflict when devices sync.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{JobStatus, word_enum};

/// Longest note, in characters. A note is what a person types on site, not a file.
pub const NOTE_MAX_CHARS: usize = 10_000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct Note {
    pub id: String,
    pub job_id: String,
    pub author: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

word_enum! {
    pub enum TimeEntryKind ("time entry kind") {
        Travel = "travel",
        Labour = "labour",
    }
}

word_enum! {
    pub enum TimeEntrySource ("time entry source") {
        /// Made from the job's status changes (en route → on site is travel, and so on).
        Derived = "derived",
        /// Typed in by the technician.
        Manual = "manual",
    }
}

/// A span of travel or labour. A correction is a new entry that names the one it replaces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct TimeEntry {
    pub id: String,
    pub job_id: String,
    pub kind: TimeEntryKind,
    pub started_at: DateTime<Utc>,
    pub ended_at: DateTime<Utc>,
    #[ts(type = "number")]
    pub minutes: i64,
    pub source: TimeEntrySource,
    /// The entry this one corrects, if any.
    pub supersedes: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A part in the catalogue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct Part {
    pub part_no: String,
    pub description: String,
    pub description_zh: String,
    #[ts(type = "number")]
    pub unit_price_cents: i64,
}

/// Longest part description.
pub const PART_DESCRIPTION_MAX_CHARS: usize = 500;
/// Longest part number, in characters (the catalogue's and a typed-in one's).
pub const PART_NO_MAX_CHARS: usize = 64;

/// Largest quantity on one part line.
pub const PART_MAX_QUANTITY: f64 = 10_000.0;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct PartUsed {
    pub id: String,
    pub job_id: String,
    pub part_no: String,
    pub description: String,
    pub quantity: f64,
    #[ts(type = "number")]
    pub unit_price_cents: i64,
    pub chargeable: bool,
    /// Whether the part came from the catalogue or was typed in.
    pub from_catalogue: bool,
    #[ts(type = "number")]
    pub line_total_cents: i64,
    pub created_at: DateTime<Utc>,
}

/// Longest reason given for withdrawing or correcting a part line.
pub const PART_WITHDRAWAL_REASON_MAX_CHARS: usize = 2_000;

/// A part line taken back before completion: entered by mistake, or with a wrong quantity.
/// Insert-only, like a photo's deletion: the part line stays on record and every reader (the
/// job's parts and totals, the signed facts, the service report) leaves it out. A quantity
/// correction is a new part line (`replaced_by`) recorded together with this withdrawal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct PartWithdrawal {
    pub job_id: String,
    /// The part line withdrawn.
    pub part_used_id: String,
    pub reason: Option<String>,
    /// The part line with the corrected quantity, when this withdrawal is a correction.
    pub replaced_by: Option<String>,
    pub at: DateTime<Utc>,
}

/// The customer's rating of the visit. A later rating replaces an earlier one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct Feedback {
    pub id: String,
    pub job_id: String,
    /// 1 (poor) to 5 (excellent).
    pub rating: u8,
    pub comment: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Longest feedback comment.
pub const FEEDBACK_COMMENT_MAX_CHARS: usize = 2_000;

word_enum! {
    pub enum PhotoKind ("photo kind") {
        Before = "before",
        After = "after",
        Fault = "fault",
        Nameplate = "nameplate",
        Receipt = "receipt",
        Other = "other",
    }
}

/// A stored photo: an upright JPEG of at most 2560 px on the long edge without any metadata,
/// and a thumbnail, both content-addressed by SHA-256 in the data folder's `media/`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct PhotoRef {
    pub id: String,
    pub job_id: String,
    pub kind: PhotoKind,
    pub caption: Option<String>,
    /// SHA-256 of the stored JPEG.
    pub sha256: String,
    /// SHA-256 of the thumbnail JPEG (about 320 px on the long edge).
    pub thumb_sha256: String,
    pub width: u32,
    pub height: u32,
    /// Size of the stored JPEG.
    #[ts(type = "number")]
    pub bytes: i64,
    /// When the picture was taken, by the camera's clock (its local time), if it said.
    pub taken_at: Option<NaiveDateTime>,
    pub created_at: DateTime<Utc>,
}

/// Longest photo caption.
pub const PHOTO_CAPTION_MAX_CHARS: usize = 500;

/// A customer's signature on the job. Signatures are insert-only: a new one supersedes the
/// earlier ones, which stay on record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct SignatureRef {
    pub id: String,
    pub job_id: String,
    pub signer_name: String,
    /// The statement the customer signed (e.g. "The work was done to my satisfaction").
    pub statement: Option<String>,
    pub signed_at: DateTime<Utc>,
    /// SHA-256 of the signed facts at signing time.
    pub summary_sha256: String,
    /// SHA-256 of the signature picture (PNG) in `media/`; none for signatures recorded
    /// without one.
    pub png_sha256: Option<String>,
    /// The job's signed facts (resolution, checklist, parts, time) changed after this signature
    /// was given. Computed when the job is read.
    pub changed_after_signing: bool,
    /// A later signature replaces this one.
    pub superseded: bool,
}

/// Longest signer name and longest signed statement.
pub const SIGNER_NAME_MAX_CHARS: usize = 200;
pub const SIGNATURE_STATEMENT_MAX_CHARS: usize = 2_000;

/// One step of a job's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct StatusChange {
    pub id: String,
    pub job_id: String,
    pub from_status: Option<JobStatus>,
    pub to_status: JobStatus,
    pub reason: Option<String>,
    pub actor: String,
    pub at: DateTime<Utc>,
}
