//! What the admin pages read and write: job types with their checklist templates, the parts
//! catalogue and the SLA policy, each with what head office alone keeps about them (whether it
//! is still offered, a default appointment length, who changed the policy). The records
//! technicians' laptops receive stay the core's `JobType` and `Part`, unchanged on the wire.

use chrono::{DateTime, Utc};
use fieldwork_domain::domain::{ChecklistItem, JobType, Part, PhotoKind};
use fieldwork_domain::sla::SlaPolicy;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A job type as the admin page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/")]
pub struct JobTypeAdmin {
    /// The record laptops receive.
    pub job_type: JobType,
    /// A deactivated type is kept (jobs still use it, laptops still show it) but no new job can
    /// be created with it.
    pub active: bool,
    /// The appointment length the board books for a job of this type, in minutes.
    pub default_duration_minutes: Option<i64>,
}

/// A new job type, or the new state of one (the code never changes once created: rules such
/// as the in-warranty repair deadline look at it).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/", optional_fields = nullable)]
pub struct JobTypeInput {
    /// Lower-case letters, digits and `_`, 2 to 40 characters; only read when creating.
    pub code: Option<String>,
    pub name: String,
    pub name_zh: String,
    #[serde(default)]
    #[schema(value_type = Vec<String>)]
    pub required_photo_kinds: Vec<PhotoKind>,
    /// In the order technicians see them.
    #[serde(default)]
    pub checklist: Vec<ChecklistItem>,
    pub default_duration_minutes: Option<i64>,
}

/// A catalogue part as the admin page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/")]
pub struct PartAdmin {
    /// The record laptops receive.
    pub part: Part,
    /// A deactivated part is no longer offered by head office's catalogue lookup.
    pub active: bool,
}

/// A part to add to the catalogue.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/", optional_fields = nullable)]
pub struct PartInput {
    /// Letters, digits, `-`, `_` and `.`, at most 64; stored upper-case (laptops look part
    /// numbers up without regard to case).
    pub part_no: String,
    pub description: String,
    pub description_zh: String,
    pub unit_price_cents: i64,
}

/// Fields of a part to change; absent fields stay.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/", optional_fields = nullable)]
pub struct PartPatch {
    pub description: Option<String>,
    pub description_zh: Option<String>,
    pub unit_price_cents: Option<i64>,
}

/// `GET /api/v1/admin/parts`: a page of the catalogue.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/", optional_fields = nullable)]
#[into_params(parameter_in = Query)]
pub struct PartQuery {
    /// Matches part number or either description, case-insensitively.
    pub q: Option<String>,
    /// Include deactivated parts (default: yes).
    pub include_inactive: Option<bool>,
    pub limit: Option<usize>,
    pub offset: Option<usize>,
}

/// The SLA policy in force: the limits of `fieldwork_domain::sla::SlaPolicy`, in minutes, and
/// who last changed them. Deadlines are computed from it when a job is created or its priority
/// changes; deadlines already computed stay as they were.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/")]
pub struct SlaSettings {
    pub policy: SlaPolicy,
    /// `None` while the handbook's defaults are in force.
    pub updated_at: Option<DateTime<Utc>>,
    pub updated_by: Option<String>,
}

/// `PUT /api/v1/admin/sla-policy`: every limit of the policy, in minutes (see
/// `fieldwork_domain::sla::SlaPolicy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/")]
pub struct SlaLimits {
    /// Acknowledge any request within this many minutes.
    pub acknowledge_minutes: i64,
    pub arrive_urgent_minutes: i64,
    pub arrive_high_minutes: i64,
    pub arrive_normal_minutes: i64,
    pub arrive_low_minutes: i64,
    /// In-warranty repairs are completed within this many minutes of the report.
    pub complete_in_warranty_repair_minutes: i64,
}

impl From<SlaLimits> for SlaPolicy {
    fn from(l: SlaLimits) -> SlaPolicy {
        SlaPolicy {
            acknowledge_minutes: l.acknowledge_minutes,
            arrive_urgent_minutes: l.arrive_urgent_minutes,
            arrive_high_minutes: l.arrive_high_minutes,
            arrive_normal_minutes: l.arrive_normal_minutes,
            arrive_low_minutes: l.arrive_low_minutes,
            complete_in_warranty_repair_minutes: l.complete_in_warranty_repair_minutes,
        }
    }
}
