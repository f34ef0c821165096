//! What goes in and out of the store: people, callers, inputs of the dispatcher API and the job
//! as a dispatcher reads it. The same types are the JSON bodies of the dispatcher API.

use chrono::{DateTime, NaiveDate, Utc};
use fieldwork_core::domain::{
    ChecklistAnswer, Customer, Equipment, EquipmentCategory, Feedback, JobStatus, JobType, Note,
    PartUsed, PhotoRef, Priority, SignatureRef, Site, StatusChange, Technician, TimeEntry,
    WorkOrder,
};
use fieldwork_sync::wire::{ConflictRecord, RejectedMutation};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{Error, Result};

/// What a user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UserRole {
    /// Works jobs on a device; signs in per device.
    Technician,
    /// Creates, plans and reviews jobs in the browser.
    Dispatcher,
    /// A dispatcher who also manages users and devices.
    Admin,
}

impl UserRole {
    pub fn as_str(self) -> &'static str {
        match self {
            UserRole::Technician => "technician",
            UserRole::Dispatcher => "dispatcher",
            UserRole::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Result<UserRole> {
        match s {
            "technician" => Ok(UserRole::Technician),
            "dispatcher" => Ok(UserRole::Dispatcher),
            "admin" => Ok(UserRole::Admin),
            other => Err(Error::invalid(format!(
                "unknown role {other:?}; expected technician, dispatcher or admin"
            ))),
        }
    }

    /// Dispatchers and admins use the dispatcher API.
    pub fn dispatches(self) -> bool {
        matches!(self, UserRole::Dispatcher | UserRole::Admin)
    }
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub name: String,
    pub role: UserRole,
    pub password_hash: String,
    /// For technicians: the technician record they work as (created when absent).
    pub technician: Option<Technician>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct User {
    pub id: String,
    pub name: String,
    pub role: UserRole,
    pub technician_id: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Set while an admin has disabled the user: no sign-in, and their sessions and device
    /// tokens are refused with `401 user_disabled`.
    pub disabled_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub struct UserWithPassword {
    pub user: User,
    pub password_hash: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Device {
    pub id: String,
    pub name: String,
    pub user_id: String,
    pub user_name: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_applied_seq: i64,
}

/// A device making a sync request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceCaller {
    pub device_id: String,
    pub user_id: String,
    pub user_name: String,
    pub technician_id: String,
    pub technician_name: String,
    pub revoked: bool,
    /// The technician's user account is disabled.
    pub user_disabled: bool,
}

#[derive(Debug, Clone)]
pub struct NewSession {
    pub token_hash: String,
    pub user_id: String,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
}

/// A browser session making a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionCaller {
    pub user_id: String,
    pub user_name: String,
    pub role: UserRole,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
    /// The user's account is disabled.
    pub user_disabled: bool,
}

/// The dispatcher (or admin) on whose behalf a change is made; their name goes on status
/// history and as the owner of jobs they create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dispatcher {
    pub user_id: String,
    pub name: String,
}

/// Paging of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Page {
    pub limit: usize,
    pub offset: usize,
}

impl Page {
    pub fn new(limit: Option<usize>, offset: Option<usize>) -> Page {
        Page { limit: limit.unwrap_or(100).clamp(1, 1_000), offset: offset.unwrap_or(0) }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CustomerInput {
    pub name: String,
    pub phone: String,
    pub alt_phone: Option<String>,
    pub email: Option<String>,
}

/// Fields to change; absent fields stay. `Some(None)` is not expressible: send `""` to clear an
/// optional text field.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct CustomerPatch {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub alt_phone: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SiteInput {
    pub customer_id: String,
    pub address: String,
    pub city: String,
    pub postal_code: Option<String>,
    pub access_notes: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct SitePatch {
    pub address: Option<String>,
    pub city: Option<String>,
    pub postal_code: Option<String>,
    pub access_notes: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EquipmentInput {
    pub site_id: String,
    #[schema(value_type = String)]
    pub category: EquipmentCategory,
    pub brand: String,
    pub model: String,
    pub serial: String,
    pub purchased_on: Option<NaiveDate>,
    pub installed_on: Option<NaiveDate>,
    /// Defaults to one year after installation (or purchase).
    pub warranty_end: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct EquipmentPatch {
    pub brand: Option<String>,
    pub model: Option<String>,
    pub serial: Option<String>,
    pub purchased_on: Option<NaiveDate>,
    pub installed_on: Option<NaiveDate>,
    pub warranty_end: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct JobInput {
    /// Job type code (`repair`, `installation`, …) or id.
    pub job_type: String,
    #[schema(value_type = String)]
    pub priority: Priority,
    pub customer_id: String,
    pub site_id: String,
    pub equipment_id: Option<String>,
    pub reported_problem: String,
    pub reported_at: Option<DateTime<Utc>>,
    /// For a return visit: the earlier job.
    pub return_of: Option<String>,
    /// Pay for out-of-warranty work as a courtesy.
    #[serde(default)]
    pub goodwill: bool,
}

/// Dispatcher edits of a job. Diagnosis, resolution and the signature absence reason are
/// shared with the technician and merge last-writer-wins with head office's clock.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct JobPatch {
    #[schema(value_type = Option<String>)]
    pub priority: Option<Priority>,
    pub reported_problem: Option<String>,
    pub equipment_id: Option<String>,
    pub diagnosis: Option<String>,
    pub resolution: Option<String>,
    pub signature_absence_reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ScheduleInput {
    pub assignee_id: String,
    pub appointment_start: DateTime<Utc>,
    pub appointment_end: DateTime<Utc>,
}

/// Filters of the job list; all optional, combined with AND.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, IntoParams)]
pub struct JobListFilter {
    /// Comma-separated statuses.
    pub status: Option<String>,
    /// Technician id, or `none` for unassigned jobs.
    pub assignee: Option<String>,
    /// Appointment (or, when unscheduled, due time) at or after.
    pub from: Option<DateTime<Utc>>,
    /// … and before.
    /// Book even when the window clashes with the technician's other appointments (the
    /// dispatcher confirmed the double booking); without it a clash is refused with
    /// `schedule_overlap`.
    #[serde(default)]
    pub allow_overlap: bool,
}

/// One of a technician's appointments that holds their time (a job not completed, closed or
/// cancelled): what a new booking is checked against.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Appointment {
    pub job_id: String,
    pub number: String,
    pub appointment_start: DateTime<Utc>,
    pub appointment_end: DateTime<Utc>,
    pub to: Option<DateTime<Utc>>,
    /// Text in the job number, problem, customer name or phone, address.
    pub q: Option<String>,
    pub limit: Option<usize>,
    pub offset: Option<usize>,
}

/// One line of the dispatcher's job list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct JobListItem {
    pub id: String,
    pub number: String,
    #[schema(value_type = String)]
    pub status: JobStatus,
    #[schema(value_type = String)]
    pub priority: Priority,
    pub job_type: String,
    pub customer_name: String,
    pub site_address: String,
    pub assignee_id: Option<String>,
    pub assignee_name: Option<String>,
    pub appointment_start: Option<DateTime<Utc>>,
    pub appointment_end: Option<DateTime<Utc>>,
    pub due_at: DateTime<Utc>,
    pub reported_problem: String,
    pub open_conflicts: i64,
    pub rejected_mutations: i64,
}

/// A part line withdrawn (or corrected) on a device before completion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct WithdrawnPart {
    #[schema(value_type = Object)]
    pub part: PartUsed,
    #[schema(value_type = Object)]
    pub withdrawal: fieldwork_core::domain::PartWithdrawal,
    /// Who withdrew it (the technician signed in on the device).
    /// Acknowledge the request by then.
    pub ack_due_at: DateTime<Utc>,
    /// Finish by then (in-warranty repairs).
    pub complete_due_at: Option<DateTime<Utc>>,
    /// Still new: no dispatcher has acted on it (`fieldwork_core::sla::awaiting_acknowledgement`).
    pub awaiting_acknowledgement: bool,
    /// The deadlines its appointment cannot meet (`fieldwork_core::sla::booking_misses`);
    /// empty when it is booked in time or not booked.
    #[schema(value_type = Vec<Object>)]
    pub booking_misses: Vec<fieldwork_core::sla::MissedDeadline>,
    pub actor: String,
}

/// A job with everything synced, as a dispatcher reviews it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct JobRecord {
    #[schema(value_type = Object)]
    pub work_order: WorkOrder,
    #[schema(value_type = Object)]
    pub job_type: JobType,
    #[schema(value_type = Object)]
    pub customer: Customer,
    #[schema(value_type = Object)]
    pub site: Site,
    #[schema(value_type = Option<Object>)]
    pub equipment: Option<Equipment>,
    #[schema(value_type = Option<Object>)]
    pub assignee: Option<Technician>,
    #[schema(value_type = Vec<Object>)]
    pub checklist: Vec<ChecklistAnswer>,
    #[schema(value_type = Vec<Object>)]
    pub notes: Vec<Note>,
    /// The part lines that count (withdrawn ones are in `withdrawn_parts`).
    #[schema(value_type = Vec<Object>)]
    pub parts: Vec<PartUsed>,
    /// Part lines withdrawn or corrected before completion, with why (history: they count
    /// nowhere).
    #[serde(default)]
    pub withdrawn_parts: Vec<WithdrawnPart>,
    #[schema(value_type = Vec<Object>)]
    pub time_entries: Vec<TimeEntry>,
    /// Every rating given, oldest first (the last one counts).
    #[schema(value_type = Vec<Object>)]
    pub feedback: Vec<Feedback>,
    #[schema(value_type = Vec<Object>)]
    pub photos: Vec<PhotoRef>,
    #[schema(value_type = Vec<Object>)]
    pub signatures: Vec<SignatureRef>,
    #[schema(value_type = Vec<Object>)]
    pub status_history: Vec<StatusChange>,
    pub conflicts: Vec<ConflictRecord>,
    pub rejected_mutations: Vec<RejectedMutation>,
    /// Follow-up calls, oldest first.
    #[serde(default)]
    pub follow_ups: Vec<crate::store::kpis::FollowUp>,
}
