//! What goes in and out of the store: people, callers, inputs of the dispatcher API and the job
//! as a dispatcher reads it. The same types are the JSON bodies of the dispatcher API.

use chrono::{DateTime, NaiveDate, Utc};
use fieldwork_domain::domain::{
    ChecklistAnswer, Customer, Equipment, EquipmentCategory, Feedback, JobStatus, JobType, Note,
    PartUsed, PhotoRef, Priority, SignatureRef, Site, StatusChange, Technician, TimeEntry,
    WorkOrder,
};
use fieldwork_domain::lifecycle::Move;
use fieldwork_wire::wire::{ConflictRecord, RejectedMutation};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{Error, Result};

/// What a user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/")]
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/")]
pub struct User {
    pub id: String,
    pub name: String,
    pub role: UserRole,
    pub technician_id: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Set while an admin has disabled the user: no sign-in, and their sessions and device
    /// tokens are refused with `401 user_disabled`.
    pub disabled_at: Option<DateTime<Utc>>,
    /// A technician's name on the board, the laptops and the service report; none for office
    /// users, who are shown by their user name.
    #[serde(default)]
    pub display_name: Option<String>,
}

/// What an admin changes about a user; absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/", optional_fields = nullable)]
pub struct UserUpdate {
    /// Technicians only.
    pub display_name: Option<String>,
    pub role: Option<UserRole>,
}

#[derive(Debug, Clone)]
pub struct UserWithPassword {
    pub user: User,
    pub password_hash: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/")]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/", optional_fields = nullable)]
pub struct Page {
    pub limit: usize,
    pub offset: usize,
}

impl Page {
    pub fn new(limit: Option<usize>, offset: Option<usize>) -> Page {
        Page { limit: limit.unwrap_or(100).clamp(1, 1_000), offset: offset.unwrap_or(0) }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/", optional_fields = nullable)]
pub struct CustomerInput {
    pub name: String,
    pub phone: String,
    pub alt_phone: Option<String>,
    pub email: Option<String>,
}

/// Fields to change; absent fields stay. `Some(None)` is not expressible: send `""` to clear an
/// optional text field.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/", optional_fields = nullable)]
pub struct CustomerPatch {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub alt_phone: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/", optional_fields = nullable)]
pub struct SiteInput {
    pub customer_id: String,
    pub address: String,
    pub city: String,
    pub postal_code: Option<String>,
    pub access_notes: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/", optional_fields = nullable)]
pub struct SitePatch {
    pub address: Option<String>,
    pub city: Option<String>,
    pub postal_code: Option<String>,
    pub access_notes: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/", optional_fields = nullable)]
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

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/", optional_fields = nullable)]
pub struct EquipmentPatch {
    pub brand: Option<String>,
    pub model: Option<String>,
    pub serial: Option<String>,
    pub purchased_on: Option<NaiveDate>,
    pub installed_on: Option<NaiveDate>,
    pub warranty_end: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/", optional_fields = nullable)]
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
    #[ts(as = "Option<bool>", optional)]
    pub goodwill: bool,
}

/// Dispatcher edits of a job. Diagnosis, resolution and the signature absence reason are
/// shared with the technician and merge last-writer-wins with head office's clock.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/", optional_fields = nullable)]
pub struct JobPatch {
    #[schema(value_type = Option<String>)]
    pub priority: Option<Priority>,
    pub reported_problem: Option<String>,
    pub equipment_id: Option<String>,
    pub diagnosis: Option<String>,
    pub resolution: Option<String>,
    pub signature_absence_reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/", optional_fields = nullable)]
pub struct ScheduleInput {
    pub assignee_id: String,
    pub appointment_start: DateTime<Utc>,
    pub appointment_end: DateTime<Utc>,
    /// Book even when the window clashes with the technician's other appointments (the
    /// dispatcher confirmed the double booking); without it a clash is refused with
    /// `schedule_overlap`.
    #[serde(default)]
    #[ts(as = "Option<bool>", optional)]
    pub allow_overlap: bool,
}

/// One of a technician's appointments that holds their time (a job not completed, closed or
/// cancelled): what a new booking is checked against.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/")]
pub struct Appointment {
    pub job_id: String,
    pub number: String,
    pub appointment_start: DateTime<Utc>,
    pub appointment_end: DateTime<Utc>,
}

/// Filters of the job list; all optional, combined with AND.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, IntoParams, ts_rs::TS)]
#[ts(export, export_to = "headoffice/", optional_fields = nullable)]
#[into_params(parameter_in = Query)]
pub struct JobListFilter {
    /// Comma-separated statuses.
    pub status: Option<String>,
    /// Technician id, or `none` for unassigned jobs.
    pub assignee: Option<String>,
    /// Appointment (or, when unscheduled, due time) at or after.
    pub from: Option<DateTime<Utc>>,
    /// … and before.
    pub to: Option<DateTime<Utc>>,
    /// Text in the job number, problem, customer name or phone, address.
    pub q: Option<String>,
    pub limit: Option<usize>,
    pub offset: Option<usize>,
}

/// One line of the dispatcher's job list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/")]
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
    /// Acknowledge the request by then.
    pub ack_due_at: DateTime<Utc>,
    /// Finish by then (in-warranty repairs).
    pub complete_due_at: Option<DateTime<Utc>>,
    /// Still new: no dispatcher has acted on it (`fieldwork_domain::sla::awaiting_acknowledgement`).
    pub awaiting_acknowledgement: bool,
    /// The deadlines its appointment cannot meet (`fieldwork_domain::sla::booking_misses`);
    /// empty when it is booked in time or not booked.
    pub booking_misses: Vec<fieldwork_domain::sla::MissedDeadline>,
    pub reported_problem: String,
    pub open_conflicts: i64,
    pub rejected_mutations: i64,
}

/// A part line withdrawn (or corrected) on a device before completion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/")]
pub struct WithdrawnPart {
    pub part: PartUsed,
    pub withdrawal: fieldwork_domain::domain::PartWithdrawal,
    /// Who withdrew it (the technician signed in on the device).
    pub actor: String,
}

/// A job with everything synced, as a dispatcher reviews it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/")]
pub struct JobRecord {
    pub work_order: WorkOrder,
    pub job_type: JobType,
    pub customer: Customer,
    pub site: Site,
    pub equipment: Option<Equipment>,
    pub assignee: Option<Technician>,
    pub checklist: Vec<ChecklistAnswer>,
    pub notes: Vec<Note>,
    /// The part lines that count (withdrawn ones are in `withdrawn_parts`).
    pub parts: Vec<PartUsed>,
    /// Part lines withdrawn or corrected before completion, with why (history: they count
    /// nowhere).
    #[serde(default)]
    pub withdrawn_parts: Vec<WithdrawnPart>,
    pub time_entries: Vec<TimeEntry>,
    /// Every rating given, oldest first (the last one counts).
    pub feedback: Vec<Feedback>,
    pub photos: Vec<PhotoRef>,
    pub signatures: Vec<SignatureRef>,
    pub status_history: Vec<StatusChange>,
    /// The moves a dispatcher may make from the job's status, in the order to offer them
    /// (`lifecycle::allowed_moves`): the console shows these and no rule of its own.
    #[serde(default, skip_deserializing)]
    pub moves: Vec<Move>,
    /// Whether a follow-up call may be recorded now (`lifecycle::takes_follow_up`).
    #[serde(default, skip_deserializing)]
    pub takes_follow_up: bool,
    /// Whether a return visit may be opened now (`lifecycle::takes_return_visit`).
    #[serde(default, skip_deserializing)]
    pub takes_return_visit: bool,
    pub conflicts: Vec<ConflictRecord>,
    pub rejected_mutations: Vec<RejectedMutation>,
    /// Follow-up calls, oldest first.
    #[serde(default)]
    pub follow_ups: Vec<crate::store::kpis::FollowUp>,
    /// The status changes whose device clock looked wrong, in history order.
    #[serde(default)]
    pub clock_warnings: Vec<ClockWarning>,
}

/// A status change a device reported at an implausible time (before the job was reported, or
/// after head office received it): the device's claim is kept in the history, SLA and KPIs use
/// `trusted_at` (see `crate::device_time`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/")]
pub struct ClockWarning {
    pub change_id: String,
    /// The status the change moved to.
    pub to_status: String,
    /// What the device's clock said.
    pub claimed_at: DateTime<Utc>,
    /// When head office received the change.
    pub received_at: DateTime<Utc>,
    /// The time SLA and KPIs use.
    pub trusted_at: DateTime<Utc>,
}
