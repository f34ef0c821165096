//! Planning help for the dispatcher: before booking a technician, what the booking would clash
//! with, which deadlines it would miss, and the technician's next free slot of the job's
//! length. The rules are the core's ([`fieldwork_domain::schedule`], [`fieldwork_domain::sla`]);
//! `POST /jobs/{id}/schedule` enforces the same clash rule.

use axum::Json;
use axum::extract::{Path, Query, State};
use chrono::{DateTime, Duration, Utc};
use fieldwork_domain::schedule::{self, Window, WorkingHours};
use fieldwork_domain::sla::MissedDeadline;
use fieldwork_wire::wire::ErrorBody;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::AppState;
use crate::auth::DispatcherCaller;
use crate::error::{Error, Result};
use crate::store::Appointment;

/// How far ahead a free slot is looked for.
const HORIZON_DAYS: i64 = 60;

/// The technician and window a dispatcher is considering for a job.
#[derive(Debug, Clone, Deserialize, Serialize, IntoParams, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/", optional_fields = nullable)]
#[into_params(parameter_in = Query)]
pub struct ScheduleAdviceQuery {
    /// The technician to book.
    pub assignee_id: String,
    /// Look for a free slot from then on (rounded up to a quarter hour); now when absent or
    /// earlier than now.
    pub after: Option<DateTime<Utc>>,
    /// The start of a window being considered; with `end`, its clashes and missed deadlines
    /// are listed.
    pub start: Option<DateTime<Utc>>,
    /// The end of the window being considered (needed with `start`).
    pub end: Option<DateTime<Utc>>,
    /// The planner's offset from UTC in minutes, east positive (480 for China): working hours
    /// are 08:00–18:00 there. Default 0.
    pub tz: Option<i32>,
}

/// An appointment window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/")]
pub struct Slot {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// What booking the technician for the job would mean.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/")]
pub struct ScheduleAdvice {
    /// The job type's appointment length (its default when an admin set none).
    pub length_minutes: i64,
    /// The technician's first free slot of that length at or after `after`, within working
    /// hours; null when none in the next 60 days.
    pub next_free: Option<Slot>,
    /// The technician's appointments that clash with the window considered (empty without one).
    pub clashes: Vec<Appointment>,
    /// The deadlines the window considered cannot meet, as `{deadline: "arrival" | "resolution",
    /// due_at}` (empty without one).
    pub misses: Vec<MissedDeadline>,
}

/// Booking help for the Schedule dialog and the board: the technician's next free slot for the
/// job, and, for a window being considered, what it clashes with and which deadlines it misses.
#[utoipa::path(get, path = "/api/v1/jobs/{id}/schedule/advice", tag = "dispatch",
    params(("id" = String, Path, description = "the job's id"), ScheduleAdviceQuery),
    responses((status = 200, body = ScheduleAdvice),
              (status = 400, body = ErrorBody, description = "no such technician, half a window, or a bad tz"),
              (status = 404, body = ErrorBody, description = "no such job")))]
pub async fn schedule_advice(
    State(s): State<AppState>,
    _c: DispatcherCaller,
    Path(id): Path<String>,
    Query(q): Query<ScheduleAdviceQuery>,
) -> Result<Json<ScheduleAdvice>> {
    let offset = crate::report::utc_offset(q.tz)?;
    let record = s.store.job(&id).await?;
    let job = record.work_order;
    if !s.store.technicians().await?.iter().any(|t| t.id == q.assignee_id) {
        return Err(Error::invalid(format!("no technician {:?}", q.assignee_id)));
    }
    let minutes = s
        .store
        .admin_job_types()
        .await?
        .into_iter()
        .find(|t| t.job_type.id == record.job_type.id)
        .and_then(|t| t.default_duration_minutes);
    let length = schedule::appointment_length(minutes);
    let busy = s.store.technician_appointments(&q.assignee_id, &job.id).await?;
    let windows: Vec<Window> =
        busy.iter().map(|a| Window::new(a.appointment_start, a.appointment_end)).collect();
    let now = Utc::now();
    let after = q.after.filter(|a| *a > now).unwrap_or(now);
    let next_free = schedule::next_free_slot(
        &windows,
        after,
        length,
        WorkingHours::standard(offset),
        Duration::days(HORIZON_DAYS),
    )
    .map(|w| Slot { start: w.start, end: w.end });
    let (clashes, misses) = match (q.start, q.end) {
        (Some(start), Some(end)) if end > start => {
            let window = Window::new(start, end);
            let clashes = schedule::clashes(&window, &busy, |a| {
                Some(Window::new(a.appointment_start, a.appointment_end))
            })
            .into_iter()
            .cloned()
            .collect();
            (
                clashes,
                fieldwork_domain::sla::booking_misses(job.due_at, job.complete_due_at, start, end),
            )
        }
        (None, None) => (Vec::new(), Vec::new()),
        _ => return Err(Error::invalid("a window needs a start and a later end")),
    };
    Ok(Json(ScheduleAdvice { length_minutes: length.num_minutes(), next_free, clashes, misses }))
}
