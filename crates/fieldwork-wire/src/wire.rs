//! The messages of the sync protocol, exactly as they travel as JSON (see `PROTOCOL.md`). Head
//! office and the device client both use these types, so the two sides cannot drift apart.
//!
//! Records inside messages are the core's domain types ([`WorkOrder`], [`Note`], …): a pulled
//! page can be written into the device store without translation, and a pushed entry is the
//! device's [`OutboxEntry`] unchanged.

use chrono::{DateTime, Utc};
pub use fieldwork_domain::ErrorCode;
use fieldwork_domain::domain::{
    ChecklistAnswer, Customer, Equipment, Feedback, JobType, Note, Part, PartUsed, PartWithdrawal,
    PhotoRef, SignatureRef, Site, StatusChange, Technician, TimeEntry, WorkOrder,
};
use fieldwork_domain::hlc::Hlc;
use fieldwork_domain::kb::{Article, PastFix};
use fieldwork_domain::kb_field::{ArticleUse, ProposalReview};
use fieldwork_domain::mutation::OutboxEntry;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Every route of the protocol lives under this prefix; a breaking change gets `/api/v2`.
pub const API_PREFIX: &str = "/api/v1";
/// Request/response header: how many bytes of a blob the server holds (resumable upload).
pub const UPLOAD_OFFSET: &str = "upload-offset";
/// Request header: the blob's full size in bytes, sent with every upload chunk.
pub const UPLOAD_LENGTH: &str = "upload-length";
/// Header every mutating dispatcher request must carry, equal to the session's CSRF token.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Name of the dispatcher session cookie.
pub const SESSION_COOKIE: &str = "fw_session";
/// Most entries one push may carry; a device with more sends several batches.
pub const MAX_PUSH_ENTRIES: usize = 1_000;
/// Records per pull page when the device does not say.
pub const DEFAULT_PULL_LIMIT: usize = 500;
/// Most records a device may ask for in one page.
pub const MAX_PULL_LIMIT: usize = 5_000;

/// The body of every error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/")]
pub struct ErrorBody {
    /// Stable machine-readable code.
    pub code: ErrorCode,
    /// A sentence for a person.
    pub message: String,
}

// ---------------------------------------------------------------------------------------------
// Sign-in
// ---------------------------------------------------------------------------------------------

/// `POST /api/v1/auth/device`: a technician signs a device in.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DeviceSignIn {
    pub user: String,
    pub password: String,
    /// A name the technician recognises the device by (`Li Wei's ThinkPad`).
    pub device_name: String,
}

/// The answer to [`DeviceSignIn`]. The token is shown once; the server keeps only its hash.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DeviceSignedIn {
    /// The device id to stamp on every outbox entry and HLC from now on.
    pub device_id: String,
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    pub user_name: String,
    /// The technician record this user works as; the device's store acts as this technician.
    pub technician_id: String,
    pub technician_name: String,
    /// Head office's clock, for the device's HLC to `receive`.
    #[schema(value_type = String)]
    pub server_hlc: Hlc,
}

/// `POST /api/v1/auth/session`: a dispatcher or admin signs in from a browser.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/")]
pub struct SessionSignIn {
    pub user: String,
    pub password: String,
}

/// The signed-in dispatcher session (also `GET /api/v1/auth/session`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/")]
pub struct SessionInfo {
    pub user_id: String,
    pub user_name: String,
    /// `dispatcher` or `admin`.
    pub role: String,
    /// Echo in the `X-CSRF-Token` header of every POST/PATCH/PUT/DELETE.
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
}

// ---------------------------------------------------------------------------------------------
// Push
// ---------------------------------------------------------------------------------------------

/// One outbox entry as pushed. Field for field the device's [`OutboxEntry`]; the mutation is
/// kept as raw JSON so an entry of a kind this server does not know is rejected on its own
/// instead of failing the whole batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PushEntry {
    pub seq: i64,
    pub mutation_id: String,
    pub device_id: String,
    #[schema(value_type = String)]
    pub hlc: Hlc,
    /// A core `Mutation`: `{"type": "note_added", "note": {...}}` and so on.
    #[schema(value_type = Object)]
    pub mutation: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

impl PushEntry {
    /// The wire form of a device outbox entry.
    pub fn from_outbox(entry: &OutboxEntry) -> Result<PushEntry, serde_json::Error> {
        Ok(PushEntry {
            seq: entry.seq,
            mutation_id: entry.mutation_id.clone(),
            device_id: entry.device_id.clone(),
            hlc: entry.hlc.clone(),
            mutation: serde_json::to_value(&entry.mutation)?,
            created_at: entry.created_at,
        })
    }
}

/// `POST /api/v1/sync/push`: the device's oldest pending entries, in increasing `seq`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PushRequest {
    /// Must be the device the bearer token belongs to.
    pub device_id: String,
    pub entries: Vec<PushEntry>,
}

impl PushRequest {
    /// A push of `entries` read from the device's outbox.
    pub fn from_outbox(
        device_id: &str,
        entries: &[OutboxEntry],
    ) -> Result<PushRequest, serde_json::Error> {
        Ok(PushRequest {
            device_id: device_id.to_owned(),
            entries: entries.iter().map(PushEntry::from_outbox).collect::<Result<_, _>>()?,
        })
    }
}

/// What became of one pushed entry. Every entry with `seq <= last_applied_seq` gets one, and a
/// retried entry gets the same outcome as the first time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// Applied in full.
    Applied,
    /// Not applied; recorded at head office with this reason.
    Rejected { code: String, reason: String },
    /// Accepted, but it met a concurrent change: the losing value (which may be this one) or a
    /// clash needing a person is in the conflict log under `conflict_id`.
    Conflict { conflict_id: String, reason: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MutationResult {
    pub seq: i64,
    pub mutation_id: String,
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// The answer to a push. After it the device deletes its outbox entries up to
/// `last_applied_seq` and keeps any rejections and conflicts to show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PushResponse {
    /// Highest seq head office has committed for this device (also for entries of earlier
    /// pushes whose answer was lost).
    pub last_applied_seq: i64,
    pub results: Vec<MutationResult>,
    #[schema(value_type = String)]
    pub server_hlc: Hlc,
}

// ---------------------------------------------------------------------------------------------
// Pull
// ---------------------------------------------------------------------------------------------

/// One changed record in the device's scope. Records are full current state, not deltas:
/// applying one is an upsert (or a delete for [`Record::JobRemoved`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "entity", rename_all = "snake_case")]
pub enum Record {
    Job {
        work_order: WorkOrder,
    },
    /// The job left this device's scope (reassigned or deleted): drop it and its facts, once
    /// no outbox entry for it is pending.
    JobRemoved {
        job_id: String,
    },
    Customer {
        customer: Customer,
    },
    Site {
        site: Site,
    },
    Equipment {
        equipment: Equipment,
    },
    JobType {
        job_type: JobType,
    },
    Part {
        part: Part,
    },
    Technician {
        technician: Technician,
    },
    Note {
        note: Note,
    },
    PartUsed {
        part_used: PartUsed,
    },
    /// A part line withdrawn (or corrected) before completion: it no longer counts.
    PartWithdrawn {
        withdrawal: PartWithdrawal,
    },
    TimeEntry {
        entry: TimeEntry,
    },
    Feedback {
        feedback: Feedback,
    },
    Photo {
        photo: PhotoRef,
    },
    /// A photo withdrawn before completion: hide it (keep the file until it is swept).
    PhotoDeleted {
        job_id: String,
        photo_id: String,
        at: DateTime<Utc>,
    },
    Signature {
        signature: SignatureRef,
    },
    StatusChange {
        change: StatusChange,
    },
    ChecklistAnswer {
        job_id: String,
        answer: ChecklistAnswer,
    },
    Conflict {
        conflict: ConflictRecord,
    },
    Rejection {
        rejection: RejectedMutation,
    },
    /// A published knowledge article, new or changed (its latest published version).
    KbArticle {
        article: Article,
    },
    /// A knowledge article withdrawn or deleted: drop it from the device.
    KbArticleRemoved {
        article_id: String,
    },
    /// A resolved job of the team, without personal details (see `kb::PastFix`).
    PastFix {
        fix: PastFix,
    },
    /// A past fix no longer stands (its job was reopened): drop it.
    PastFixRemoved {
        fix_id: String,
    },
    /// A knowledge article marked as used on a job (the latest mark per job and article).
    ArticleUse {
        usage: ArticleUse,
    },
    /// A fix this device's technician shared, and what became of it in review.
    KbProposal {
        review: ProposalReview,
    },
    /// An entity this client does not know (sent by a newer head office): skip it.
    #[serde(other)]
    Unknown,
}

impl Record {
    /// The job this record belongs to, if it belongs to one.
    pub fn job_id(&self) -> Option<&str> {
        match self {
            Record::Job { work_order } => Some(&work_order.id),
            Record::JobRemoved { job_id } | Record::ChecklistAnswer { job_id, .. } => Some(job_id),
            Record::Note { note } => Some(&note.job_id),
            Record::PartUsed { part_used } => Some(&part_used.job_id),
            Record::PartWithdrawn { withdrawal } => Some(&withdrawal.job_id),
            Record::TimeEntry { entry } => Some(&entry.job_id),
            Record::Feedback { feedback } => Some(&feedback.job_id),
            Record::Photo { photo } => Some(&photo.job_id),
            Record::PhotoDeleted { job_id, .. } => Some(job_id),
            Record::Signature { signature } => Some(&signature.job_id),
            Record::StatusChange { change } => Some(&change.job_id),
            Record::Conflict { conflict } => Some(&conflict.job_id),
            Record::Rejection { rejection } => rejection.job_id.as_deref(),
            Record::ArticleUse { usage } => Some(&usage.job_id),
            Record::Customer { .. }
            | Record::Site { .. }
            | Record::Equipment { .. }
            | Record::JobType { .. }
            | Record::Part { .. }
            | Record::Technician { .. }
            | Record::KbArticle { .. }
            | Record::KbArticleRemoved { .. }
            | Record::PastFix { .. }
            | Record::PastFixRemoved { .. }
            // Kept whether or not the device still holds the job.
            | Record::KbProposal { .. }
            | Record::Unknown => None,
        }
    }
}

/// A record with the change-feed version that carried it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Change {
    pub version: i64,
    #[serde(flatten)]
    pub record: Record,
}

/// `GET /api/v1/sync/pull?cursor=N&limit=M`: the changes in the device's scope after `cursor`.
/// The page ends on a head-office transaction boundary; the device applies `changes` and stores
/// `cursor` in one local transaction, then pulls again while `has_more`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PullResponse {
    /// The cursor to send next time. Never smaller than the one sent.
    pub cursor: i64,
    pub has_more: bool,
    pub changes: Vec<Change>,
    #[schema(value_type = String)]
    pub server_hlc: Hlc,
}

/// Query of a pull.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PullQuery {
    #[serde(default)]
    pub cursor: i64,
    pub limit: Option<usize>,
}

// ---------------------------------------------------------------------------------------------
// Conflicts and rejections (kept at head office, shown to dispatchers and pulled by devices)
// ---------------------------------------------------------------------------------------------

/// What kind of clash a conflict record describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/")]
#[serde(rename_all = "snake_case")]
pub enum ConflictKind {
    /// Two writers set the same field; the later HLC won, the other value is kept here.
    FieldOverwritten,
    /// A technician completed a job a dispatcher had cancelled (or the reverse): a person
    /// decides; the status was not merged.
    CancelledVsCompleted,
}

/// One entry of the conflict log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/")]
pub struct ConflictRecord {
    pub id: String,
    pub job_id: String,
    pub kind: ConflictKind,
    /// The field, for [`ConflictKind::FieldOverwritten`].
    pub field: Option<String>,
    pub winning_value: Option<String>,
    pub losing_value: Option<String>,
    /// HLC of the winning write (text form).
    pub winning_hlc: Option<String>,
    pub losing_hlc: Option<String>,
    /// Device id or `head-office:<user>` whose write lost.
    pub losing_node: Option<String>,
    /// A sentence for the dispatcher.
    pub detail: String,
    pub created_at: DateTime<Utc>,
    pub resolved: bool,
}

/// A pushed mutation head office refused, kept with its reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/")]
pub struct RejectedMutation {
    pub device_id: String,
    pub seq: i64,
    pub mutation_id: String,
    /// The mutation's `type`.
    pub kind: String,
    pub job_id: Option<String>,
    pub code: String,
    pub reason: String,
    pub received_at: DateTime<Utc>,
}

// ---------------------------------------------------------------------------------------------
// Blobs
// ---------------------------------------------------------------------------------------------

/// `POST /api/v1/blobs/missing`: which of these SHA-256 hashes (lowercase hex) does head office
/// lack?
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BlobsMissingRequest {
    pub hashes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BlobsMissingResponse {
    /// The subset of the asked hashes head office does not hold (in the order asked).
    pub missing: Vec<String>,
}

/// Where an upload stands (`HEAD`/`PATCH /api/v1/blobs/{sha256}`; also sent as headers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BlobUploadStatus {
    pub sha256: String,
    /// Bytes received so far; the next chunk starts here.
    pub offset: u64,
    /// The full size, once a chunk has declared it.
    pub length: Option<u64>,
    /// The blob is verified and visible.
    pub complete: bool,
}

/// True when `s` is a SHA-256 in lowercase hex, the only form blob names take.
pub fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use fieldwork_domain::domain::Note;
    use fieldwork_domain::mutation::Mutation;

    fn entry() -> OutboxEntry {
        OutboxEntry {
            seq: 7,
            mutation_id: "m-7".into(),
            device_id: "dev-a".into(),
            hlc: Hlc { wall_ms: 1_795_000_000_000, logical: 3, node: "dev-a".into() },
            mutation: Mutation::NoteAdded {
                note: Note {
                    id: "n1".into(),
                    job_id: "j1".into(),
                    author: "Li Wei".into(),
                    body: "Compressor replaced".into(),
                    created_at: Utc::now(),
                },
            },
            created_at: Utc::now(),
        }
    }

    #[test]
    fn a_push_entry_is_the_outbox_entry_unchanged_on_the_wire() {
        let e = entry();
        let wire = serde_json::to_value(PushEntry::from_outbox(&e).unwrap()).unwrap();
        assert_eq!(wire, serde_json::to_value(&e).unwrap());
        let back: OutboxEntry = serde_json::from_value(wire).unwrap();
        assert_eq!(back, e);
    }

    #[test]
    fn outcomes_are_tagged_flat_objects() {
        let r = MutationResult {
            seq: 3,
            mutation_id: "m".into(),
            outcome: Outcome::Rejected { code: "dispatcher_owned".into(), reason: "no".into() },
        };
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["outcome"], "rejected");
        assert_eq!(v["code"], "dispatcher_owned");
        assert_eq!(serde_json::from_value::<MutationResult>(v).unwrap(), r);
    }

    #[test]
    fn records_are_tagged_by_entity() {
        let c = Change { version: 4, record: Record::JobRemoved { job_id: "j".into() } };
        let v = serde_json::to_value(&c).unwrap();
        assert_eq!(v, serde_json::json!({"version": 4, "entity": "job_removed", "job_id": "j"}));
    }

    #[test]
    fn an_entity_from_a_newer_head_office_reads_as_unknown() {
        let v = serde_json::json!({"version": 9, "entity": "drone_dispatch", "id": "x"});
        let c: Change = serde_json::from_value(v).unwrap();
        assert_eq!(c, Change { version: 9, record: Record::Unknown });
    }

    #[test]
    fn only_lowercase_hex_of_the_right_length_names_a_blob() {
        assert!(is_sha256_hex(&"ab".repeat(32)));
        assert!(!is_sha256_hex(&"AB".repeat(32)));
        assert!(!is_sha256_hex("../etc/passwd"));
    }
}
