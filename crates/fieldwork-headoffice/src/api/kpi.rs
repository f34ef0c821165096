//! The dispatcher's KPI and follow-up routes: the KPI page of a period (team or technician),
//! the jobs behind any of its numbers, the follow-up call on a completed job, closing a
//! complaint with its documented outcome, and the major complaints supervisors must see. Dispatcher session only; the write needs the CSRF header.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::Utc;
use fieldwork_wire::wire::ErrorBody;
use tracing::instrument;

use super::AppState;
use crate::auth::DispatcherCaller;
use crate::error::Result;
use crate::store::*;

/// The KPIs of DOMAIN.md over the jobs reported in `[from, to)`, for everyone or one technician.
#[utoipa::path(get, path = "/api/v1/kpis", tag = "dispatch", params(KpiQuery),
    responses((status = 200, body = KpiReport), (status = 400, body = ErrorBody)))]
pub async fn kpis(
    State(s): State<AppState>,
    _c: DispatcherCaller,
    Query(q): Query<KpiQuery>,
) -> Result<Json<KpiReport>> {
    Ok(Json(s.store.kpis(q, Utc::now()).await?))
}

/// The jobs counted by one side of one measure (same definition as the number), page by page.
#[utoipa::path(get, path = "/api/v1/kpis/jobs", tag = "dispatch", params(KpiJobsQuery),
    responses((status = 200, body = Vec<JobListItem>), (status = 400, body = ErrorBody)))]
pub async fn kpi_jobs(
    State(s): State<AppState>,
    _c: DispatcherCaller,
    Query(q): Query<KpiJobsQuery>,
) -> Result<Json<Vec<JobListItem>>> {
    Ok(Json(s.store.kpi_jobs(q, Utc::now()).await?))
}

/// Records the follow-up call of a completed or closed job, with a complaint when there is one.
#[utoipa::path(post, path = "/api/v1/jobs/{id}/follow-ups", tag = "dispatch", params(("id" = String, Path, description = "the job's id")), request_body = FollowUpInput,
    responses((status = 201, body = FollowUp), (status = 400, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[instrument(skip_all, fields(user = %c.0.user_name, job.id = %id))]
pub async fn record_follow_up(
    State(s): State<AppState>,
    c: DispatcherCaller,
    Path(id): Path<String>,
    Json(input): Json<FollowUpInput>,
) -> Result<(StatusCode, Json<FollowUp>)> {
    let f = s.store.record_follow_up(&c.dispatcher(), &id, input).await?;
    if let Some(complaint) = &f.complaint
        && complaint.grade == ComplaintGrade::Major
    {
        tracing::warn!(job.id = %f.job_id, "major complaint recorded; supervisors are flagged");
    }
    Ok((StatusCode::CREATED, Json(f)))
}

/// Closes the complaint recorded on a follow-up call with its documented outcome (once).
#[utoipa::path(post, path = "/api/v1/jobs/{id}/follow-ups/{follow_up_id}/resolution", tag = "dispatch", params(("id" = String, Path, description = "the job's id"), ("follow_up_id" = String, Path, description = "the follow-up call's id")),
    request_body = ComplaintResolutionInput,
    responses((status = 200, body = FollowUp), (status = 400, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[instrument(skip_all, fields(user = %c.0.user_name, job.id = %id))]
pub async fn resolve_complaint(
    State(s): State<AppState>,
    c: DispatcherCaller,
    Path((id, follow_up_id)): Path<(String, String)>,
    Json(input): Json<ComplaintResolutionInput>,
) -> Result<Json<FollowUp>> {
    Ok(Json(s.store.resolve_complaint(&c.dispatcher(), &id, &follow_up_id, input).await?))
}

/// Major complaints supervisors must act on: on jobs not closed yet, or recorded this week.
#[utoipa::path(get, path = "/api/v1/complaints/major", tag = "dispatch",
    responses((status = 200, body = Vec<MajorComplaint>)))]
pub async fn major_complaints(
    State(s): State<AppState>,
    _c: DispatcherCaller,
) -> Result<Json<Vec<MajorComplaint>>> {
    Ok(Json(s.store.major_complaints(Utc::now()).await?))
}
