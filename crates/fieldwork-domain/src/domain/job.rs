//! The work order (job) and the views of it the callers read.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{
    ChecklistAnswer, Customer, Equipment, Feedback, JobType, Note, PartUsed, PhotoRef,
    SignatureRef, Site, StatusChange, Technician, TimeEntry, word_enum,
};

word_enum! {
    /// Where a job is in its lifecycle (see [`crate::lifecycle`]).
    pub enum JobStatus ("status") {
        New = "new",
        Scheduled = "scheduled",
        EnRoute = "en_route",
        OnSite = "on_site",
        InProgress = "in_progress",
        OnHold = "on_hold",
        Completed = "completed",
        Closed = "closed",
        Cancelled = "cancelled",
    }
}

impl JobStatus {
    /// Open jobs still need someone to act; completed, closed and cancelled ones do not.
    pub fn is_open(self) -> bool {
        !matches!(self, JobStatus::Completed | JobStatus::Closed | JobStatus::Cancelled)
    }
}

word_enum! {
    /// Urgency, which sets the SLA deadlines (see [`crate::sla::SlaPolicy`]).
    pub enum Priority ("priority") {
        /// Safety risk: gas, water leak, electrical hazard.
        Urgent = "urgent",
        High = "high",
        Normal = "normal",
        Low = "low",
    }
}

word_enum! {
    pub enum WarrantyStatus ("warranty status") {
        InWarranty = "in_warranty",
        OutOfWarranty = "out_of_warranty",
        /// Out of warranty, but the company pays as a courtesy.
        Goodwill = "goodwill",
    }
}

impl WarrantyStatus {
    /// Whether the customer pays for parts and labour by default.
    pub fn is_chargeable(self) -> bool {
        self == WarrantyStatus::OutOfWarranty
    }
}

/// A work order as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct WorkOrder {
    pub id: String,
    /// Human-facing number, e.g. `WO-2026-000123`.
    pub number: String,
    pub job_type_id: String,
    pub priority: Priority,
    pub status: JobStatus,
    pub customer_id: String,
    pub site_id: String,
    pub equipment_id: Option<String>,
    pub reported_problem: String,
    pub reported_at: DateTime<Utc>,
    pub appointment_start: Option<DateTime<Utc>>,
    pub appointment_end: Option<DateTime<Utc>>,
    pub assignee_id: Option<String>,
    /// The dispatcher who took the call and owns the order until it is closed.
    pub owner_dispatcher: String,
    /// Acknowledge the request by then.
    pub ack_due_at: DateTime<Utc>,
    /// Be on site by then (the priority's arrival limit).
    pub due_at: DateTime<Utc>,
    /// Finish by then (in-warranty repairs), when the policy sets a limit.
    pub complete_due_at: Option<DateTime<Utc>>,
    pub warranty_status: WarrantyStatus,
    pub chargeable: bool,
    pub diagnosis: Option<String>,
    pub resolution: Option<String>,
    /// Why the customer did not sign (e.g. not at home), when there is no signature.
    pub signature_absence_reason: Option<String>,
    /// For a return visit: the earlier job it follows up.
    pub return_of: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One line of a job list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct JobSummary {
    pub id: String,
    pub number: String,
    pub status: JobStatus,
    pub priority: Priority,
    /// The job type's code (`repair`, `installation`, …).
    pub job_type: String,
    pub customer_name: String,
    pub customer_phone: String,
    pub site_address: String,
    pub city: String,
    pub appointment_start: Option<DateTime<Utc>>,
    pub appointment_end: Option<DateTime<Utc>>,
    pub due_at: DateTime<Utc>,
    pub assignee_name: Option<String>,
    pub reported_problem: String,
}

/// A job with everything in it: what the job screen and `fieldwork job show` display.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct JobDetail {
    #[serde(flatten)]
    pub work_order: WorkOrder,
    pub job_type: JobType,
    pub customer: Customer,
    pub site: Site,
    pub equipment: Option<Equipment>,
    pub assignee: Option<Technician>,
    pub checklist: Vec<ChecklistAnswer>,
    pub notes: Vec<Note>,
    pub parts: Vec<PartUsed>,
    /// Time entries in effect (corrected entries are replaced by their correction).
    pub time_entries: Vec<TimeEntry>,
    pub feedback: Option<Feedback>,
    pub photos: Vec<PhotoRef>,
    pub signatures: Vec<SignatureRef>,
    pub status_history: Vec<StatusChange>,
    /// Sum of the chargeable part lines, in minor units (cents).
    #[ts(type = "number")]
    pub chargeable_parts_total_cents: i64,
    /// Earlier jobs at the same site or on the same equipment, newest first.
    pub history: Vec<JobSummary>,
}
