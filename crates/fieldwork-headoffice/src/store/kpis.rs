//! The KPIs of DOMAIN.md ("What head office measures") and the follow-up call, as the store
//! and the dispatcher API exchange them. Every measure is a ratio of two job counts, and the
//! jobs behind both counts can be listed with the same definition ([`KpiJobsQuery`]), so a
//! number on the KPI page is always one click from its orders.
//!
//! Definitions (all over the jobs *reported* in the period, cancelled jobs left out):
//! - `response`: acknowledged by `ack_due_at` and on site by `due_at` / jobs that arrived or
//!   whose arrival limit has passed.
//! - `resolution`: completed / jobs due (completed, or their completion limit — in-warranty
//!   repair limit, else the arrival limit — has passed).
//! - `first_time_fix`: completed without going on hold and with no return visit reported within
//!   30 days of completion / completed.
//! - `satisfaction`: satisfied jobs / jobs the customer gave their word on (an on-site rating, a
//!   follow-up call that reached them, or a complaint). The customer's latest word counts: the
//!   satisfaction given on the latest follow-up call that reached them, else the on-site rating;
//!   a job is satisfied when that is ≥ 4 and no complaint was recorded on it
//!   ([`customer_satisfied`]).
//! - `complaints`: complaints recorded on follow-up calls of completed jobs / completed (the
//!   numerator counts complaints, its job list the completed jobs with one).
//! - `repeat_visits`: completed jobs with a return visit reported within 30 days / completed.
//! - `follow_up`: completed jobs whose follow-up call (reached or not) was made within 3 days of
//!   completion / completed jobs whose call is due (made, or the 3 days have passed).
//! - `complaint_handling`: complaints closed with a documented outcome within 24 hours of being
//!   recorded / complaints due (closed, or recorded more than 24 hours ago). Counts complaints;
//!   its job lists are the jobs with such a complaint.
//! - `major_complaints`: major complaints (flagged to supervisors) / complaints. Counts
//!   complaints; its job lists are the jobs with such a complaint.
//! - mean time to complete: report → completion, per priority; mean time to close a complaint,
//!   per grade.
//!
//! The complaint measures count the complaints recorded on the live (not cancelled) jobs of the
//! period, whatever their status now: a complaint still needs an answer when its job reopens.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{Error, Result};

/// Which period, and whose jobs. The team is everyone (no technician).
#[derive(Debug, Clone, Default, Deserialize, Serialize, IntoParams, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/", optional_fields = nullable)]
#[into_params(parameter_in = Query)]
pub struct KpiQuery {
    /// Jobs reported at or after (default: 30 days before `to`).
    pub from: Option<DateTime<Utc>>,
    /// Jobs reported before (default: now).
    pub to: Option<DateTime<Utc>>,
    /// Only this technician's jobs (the assignee).
    pub technician: Option<String>,
}

impl KpiQuery {
    /// The period the query means, checked.
    pub fn period(&self, now: DateTime<Utc>) -> Result<(DateTime<Utc>, DateTime<Utc>)> {
        let to = self.to.unwrap_or(now);
        let from = self.from.unwrap_or(to - chrono::Duration::days(30));
        if from >= to {
            return Err(Error::invalid("the period must start before it ends"));
        }
        Ok((from, to))
    }
}

/// The KPIs, one ratio each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/")]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    Response,
    Resolution,
    FirstTimeFix,
    Satisfaction,
    Complaints,
    RepeatVisits,
    FollowUp,
    ComplaintHandling,
    MajorComplaints,
}

impl Measure {
    pub const ALL: [Measure; 9] = [
        Measure::Response,
        Measure::Resolution,
        Measure::FirstTimeFix,
        Measure::Satisfaction,
        Measure::Complaints,
        Measure::RepeatVisits,
        Measure::FollowUp,
        Measure::ComplaintHandling,
        Measure::MajorComplaints,
    ];

    /// Measures whose counts are complaints (one job may have several), not jobs.
    pub fn counts_complaints(self) -> bool {
        matches!(self, Measure::ComplaintHandling | Measure::MajorComplaints)
    }
}

/// The customer's word on one job, for the satisfaction KPI: whether the job counts (`rated`)
/// and whether it counts as satisfied. `latest_rating` is the satisfaction of the latest
/// follow-up call that reached the customer, else the on-site rating; a complaint recorded on
/// the job makes it unsatisfied whatever the rating, and counts it even when unrated.
pub fn customer_satisfied(latest_rating: Option<u8>, complaint: bool) -> (bool, bool) {
    let rated = latest_rating.is_some() || complaint;
    (rated, !complaint && latest_rating.is_some_and(|r| r >= 4))
}

/// Which side of a ratio.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/")]
#[serde(rename_all = "snake_case")]
pub enum RatioPart {
    Numerator,
    Denominator,
}

/// One KPI: `numerator / denominator` (no value when nothing is counted).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/")]
pub struct KpiValue {
    pub measure: Measure,
    pub numerator: i64,
    pub denominator: i64,
    /// The handbook's target as a share (e.g. 0.95), and whether higher is better.
    pub target: Option<f64>,
    pub higher_is_better: bool,
}

/// Mean time from report to completion of the completed jobs of one priority.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/")]
pub struct CompletionTime {
    /// `urgent`, `high`, `normal`, `low`, or `all`.
    pub priority: String,
    pub completed: i64,
    pub mean_minutes: Option<f64>,
}

/// How quickly the complaints of one grade were closed with a documented outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/")]
pub struct ComplaintTime {
    /// `general`, `major`, or `all`.
    pub grade: String,
    pub complaints: i64,
    /// Closed with a documented outcome.
    pub resolved: i64,
    /// Still open.
    pub open: i64,
    /// Mean time from recording to closing, over the closed ones.
    pub mean_minutes: Option<f64>,
}

/// One technician's figures in the period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/")]
pub struct TechnicianKpis {
    pub technician_id: String,
    pub name: String,
    pub jobs: i64,
    pub measures: Vec<KpiValue>,
    pub mean_minutes: Option<f64>,
}

/// The KPI page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/")]
pub struct KpiReport {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub technician: Option<String>,
    /// Jobs reported in the period (cancelled ones included).
    pub jobs: i64,
    pub cancelled: i64,
    pub measures: Vec<KpiValue>,
    pub completion_times: Vec<CompletionTime>,
    /// Complaint closing times per grade, then `all`.
    #[serde(default)]
    pub complaint_times: Vec<ComplaintTime>,
    /// Per technician (the whole team when no technician is chosen), most jobs first.
    pub technicians: Vec<TechnicianKpis>,
    /// First-time fix of the completed jobs on which a knowledge article was marked as used,
    /// against those with none.
    pub knowledge: KnowledgeEffect,
}

/// The first-time-fix rate with and without a knowledge article used on the job.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema, ts_rs::TS,
)]
#[ts(export, export_to = "headoffice/")]
pub struct KnowledgeEffect {
    pub with_article: FixRate,
    pub without_article: FixRate,
}

/// Completed jobs and how many of them were fixed the first time.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema, ts_rs::TS,
)]
#[ts(export, export_to = "headoffice/")]
pub struct FixRate {
    pub completed: i64,
    pub first_time: i64,
}

/// The jobs behind one number of the KPI page.
#[derive(Debug, Clone, Deserialize, Serialize, IntoParams, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/", optional_fields = nullable)]
#[into_params(parameter_in = Query)]
pub struct KpiJobsQuery {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub technician: Option<String>,
    pub measure: Measure,
    pub part: RatioPart,
    /// Only jobs of this priority.
    pub priority: Option<String>,
    pub limit: Option<usize>,
    pub offset: Option<usize>,
}

impl KpiJobsQuery {
    pub fn kpi_query(&self) -> KpiQuery {
        KpiQuery { from: self.from, to: self.to, technician: self.technician.clone() }
    }
}

/// What a complaint is about (DOMAIN.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/")]
#[serde(rename_all = "snake_case")]
pub enum ComplaintCategory {
    ProductQuality,
    ServiceAttitude,
    Delay,
    Damage,
}

/// How serious a complaint is; major ones go to a supervisor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/")]
#[serde(rename_all = "snake_case")]
pub enum ComplaintGrade {
    General,
    Major,
}

impl ComplaintGrade {
    pub fn as_str(self) -> &'static str {
        match self {
            ComplaintGrade::General => "general",
            ComplaintGrade::Major => "major",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/")]
pub struct Complaint {
    pub category: ComplaintCategory,
    pub grade: ComplaintGrade,
    /// How the complaint was closed; none while it is open. Ignored when a call is recorded
    /// (a complaint is closed afterwards, with [`ComplaintResolutionInput`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution: Option<ComplaintResolution>,
}

/// The documented outcome that closes a complaint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/")]
pub struct ComplaintResolution {
    /// What was done or agreed with the customer.
    pub outcome: String,
    /// The dispatcher who closed it.
    pub by: String,
    pub at: DateTime<Utc>,
}

/// Closing a complaint: its documented outcome.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/", optional_fields = nullable)]
pub struct ComplaintResolutionInput {
    pub outcome: String,
}

/// A follow-up call as the dispatcher records it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/", optional_fields = nullable)]
pub struct FollowUpInput {
    /// Whether the customer answered.
    pub reached: bool,
    /// 1 to 5; required when reached.
    pub satisfaction: Option<u8>,
    pub comment: Option<String>,
    pub complaint: Option<Complaint>,
}

/// A recorded follow-up call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/")]
pub struct FollowUp {
    pub id: String,
    pub job_id: String,
    pub reached: bool,
    pub satisfaction: Option<u8>,
    pub comment: Option<String>,
    pub complaint: Option<Complaint>,
    /// The dispatcher who called.
    pub by: String,
    pub at: DateTime<Utc>,
}

/// A major complaint, for the supervisors' attention list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/")]
pub struct MajorComplaint {
    pub follow_up: FollowUp,
    pub job_number: String,
    pub customer_name: String,
    #[schema(value_type = String)]
    pub job_status: fieldwork_domain::domain::JobStatus,
}

#[cfg(test)]
mod tests {
    use super::customer_satisfied;

    #[test]
    fn the_latest_rating_and_complaints_decide_satisfaction() {
        assert_eq!(customer_satisfied(None, false), (false, false));
        assert_eq!(customer_satisfied(Some(4), false), (true, true));
        assert_eq!(customer_satisfied(Some(5), false), (true, true));
        assert_eq!(customer_satisfied(Some(3), false), (true, false));
        // A complaint outweighs a good rating, and counts an unrated job.
        assert_eq!(customer_satisfied(Some(5), true), (true, false));
        assert_eq!(customer_satisfied(None, true), (true, false));
    }
}
