//! The dispatcher API: customers, sites, equipment, catalogues and work orders. Every route
//! needs a dispatcher session ([`DispatcherCaller`]); mutating routes also need the CSRF header.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use fieldwork_domain::domain::{
    Customer, Equipment, JobStatus, JobType, Part, Priority, Site, Technician, WarrantyStatus,
    WorkOrder,
};
use fieldwork_wire::wire::{ErrorBody, ErrorCode};
use serde::{Deserialize, Serialize};
use tracing::instrument;
use utoipa::{IntoParams, ToSchema};

use super::AppState;
use crate::auth::DispatcherCaller;
use crate::error::{Error, Result};
use crate::store::*;

/// Paging and text search of a list.
#[derive(Debug, Clone, Default, Deserialize, Serialize, IntoParams, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/", optional_fields = nullable)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    pub q: Option<String>,
    pub limit: Option<usize>,
    pub offset: Option<usize>,
}

/// The reason given for cancelling, closing or reopening.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/", optional_fields = nullable)]
pub struct ReasonInput {
    pub reason: Option<String>,
}

type Created<T> = (StatusCode, Json<T>);

#[utoipa::path(get, path = "/api/v1/customers", tag = "dispatch", params(ListQuery),
    responses((status = 200, body = Vec<Customer>), (status = 401, body = ErrorBody)))]
pub async fn list_customers(
    State(s): State<AppState>,
    _c: DispatcherCaller,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<Customer>>> {
    Ok(Json(s.store.list_customers(q.q, Page::new(q.limit, q.offset)).await?))
}

#[utoipa::path(post, path = "/api/v1/customers", tag = "dispatch", request_body = CustomerInput,
    responses((status = 201, body = Customer), (status = 400, body = ErrorBody)))]
#[instrument(skip_all, fields(user = %c.0.user_name))]
pub async fn create_customer(
    State(s): State<AppState>,
    c: DispatcherCaller,
    Json(input): Json<CustomerInput>,
) -> Result<Created<Customer>> {
    Ok((StatusCode::CREATED, Json(s.store.create_customer(&c.dispatcher(), input).await?)))
}

#[utoipa::path(get, path = "/api/v1/customers/{id}", tag = "dispatch", params(("id" = String, Path, description = "the customer's id")),
    responses((status = 200, body = Customer), (status = 404, body = ErrorBody)))]
pub async fn get_customer(
    State(s): State<AppState>,
    _c: DispatcherCaller,
    Path(id): Path<String>,
) -> Result<Json<Customer>> {
    Ok(Json(s.store.customer(&id).await?))
}

#[utoipa::path(patch, path = "/api/v1/customers/{id}", tag = "dispatch", params(("id" = String, Path, description = "the customer's id")), request_body = CustomerPatch,
    responses((status = 200, body = Customer), (status = 404, body = ErrorBody)))]
#[instrument(skip_all, fields(user = %c.0.user_name))]
pub async fn update_customer(
    State(s): State<AppState>,
    c: DispatcherCaller,
    Path(id): Path<String>,
    Json(patch): Json<CustomerPatch>,
) -> Result<Json<Customer>> {
    Ok(Json(s.store.update_customer(&c.dispatcher(), &id, patch).await?))
}

#[utoipa::path(get, path = "/api/v1/customers/{id}/sites", tag = "dispatch", params(("id" = String, Path, description = "the customer's id")),
    responses((status = 200, body = Vec<Site>), (status = 404, body = ErrorBody)))]
pub async fn sites_of_customer(
    State(s): State<AppState>,
    _c: DispatcherCaller,
    Path(id): Path<String>,
) -> Result<Json<Vec<Site>>> {
    Ok(Json(s.store.sites_of(&id).await?))
}

#[utoipa::path(post, path = "/api/v1/sites", tag = "dispatch", request_body = SiteInput,
    responses((status = 201, body = Site), (status = 400, body = ErrorBody)))]
#[instrument(skip_all, fields(user = %c.0.user_name))]
pub async fn create_site(
    State(s): State<AppState>,
    c: DispatcherCaller,
    Json(input): Json<SiteInput>,
) -> Result<Created<Site>> {
    Ok((StatusCode::CREATED, Json(s.store.create_site(&c.dispatcher(), input).await?)))
}

#[utoipa::path(patch, path = "/api/v1/sites/{id}", tag = "dispatch", params(("id" = String, Path, description = "the site's id")), request_body = SitePatch,
    responses((status = 200, body = Site), (status = 404, body = ErrorBody)))]
#[instrument(skip_all, fields(user = %c.0.user_name))]
pub async fn update_site(
    State(s): State<AppState>,
    c: DispatcherCaller,
    Path(id): Path<String>,
    Json(patch): Json<SitePatch>,
) -> Result<Json<Site>> {
    Ok(Json(s.store.update_site(&c.dispatcher(), &id, patch).await?))
}

#[utoipa::path(get, path = "/api/v1/sites/{id}/equipment", tag = "dispatch", params(("id" = String, Path, description = "the site's id")),
    responses((status = 200, body = Vec<Equipment>), (status = 404, body = ErrorBody)))]
pub async fn equipment_at_site(
    State(s): State<AppState>,
    _c: DispatcherCaller,
    Path(id): Path<String>,
) -> Result<Json<Vec<Equipment>>> {
    Ok(Json(s.store.equipment_at(&id).await?))
}

#[utoipa::path(post, path = "/api/v1/equipment", tag = "dispatch", request_body = EquipmentInput,
    responses((status = 201, body = Equipment), (status = 400, body = ErrorBody)))]
#[instrument(skip_all, fields(user = %c.0.user_name))]
pub async fn create_equipment(
    State(s): State<AppState>,
    c: DispatcherCaller,
    Json(input): Json<EquipmentInput>,
) -> Result<Created<Equipment>> {
    Ok((StatusCode::CREATED, Json(s.store.create_equipment(&c.dispatcher(), input).await?)))
}

#[utoipa::path(patch, path = "/api/v1/equipment/{id}", tag = "dispatch", params(("id" = String, Path, description = "the equipment's id")), request_body = EquipmentPatch,
    responses((status = 200, body = Equipment), (status = 404, body = ErrorBody)))]
#[instrument(skip_all, fields(user = %c.0.user_name))]
pub async fn update_equipment(
    State(s): State<AppState>,
    c: DispatcherCaller,
    Path(id): Path<String>,
    Json(patch): Json<EquipmentPatch>,
) -> Result<Json<Equipment>> {
    Ok(Json(s.store.update_equipment(&c.dispatcher(), &id, patch).await?))
}

#[utoipa::path(get, path = "/api/v1/technicians", tag = "dispatch",
    responses((status = 200, body = Vec<Technician>)))]
pub async fn technicians(
    State(s): State<AppState>,
    _c: DispatcherCaller,
) -> Result<Json<Vec<Technician>>> {
    Ok(Json(s.store.technicians().await?))
}

#[utoipa::path(get, path = "/api/v1/job-types", tag = "dispatch",
    responses((status = 200, body = Vec<JobType>)))]
pub async fn job_types(
    State(s): State<AppState>,
    _c: DispatcherCaller,
) -> Result<Json<Vec<JobType>>> {
    Ok(Json(s.store.job_types().await?))
}

#[utoipa::path(get, path = "/api/v1/parts", tag = "dispatch",
    responses((status = 200, body = Vec<Part>)))]
pub async fn parts(State(s): State<AppState>, _c: DispatcherCaller) -> Result<Json<Vec<Part>>> {
    Ok(Json(s.store.parts().await?))
}

#[utoipa::path(get, path = "/api/v1/jobs", tag = "dispatch", params(JobListFilter),
    responses((status = 200, body = Vec<JobListItem>), (status = 400, body = ErrorBody)))]
pub async fn list_jobs(
    State(s): State<AppState>,
    _c: DispatcherCaller,
    Query(filter): Query<JobListFilter>,
) -> Result<Json<Vec<JobListItem>>> {
    Ok(Json(s.store.list_jobs(filter).await?))
}

#[utoipa::path(post, path = "/api/v1/jobs", tag = "dispatch", request_body = JobInput,
    responses((status = 201, body = WorkOrder, description = "the work order, with its WO-YYYY-NNNNNN number"),
              (status = 400, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "`job_type_inactive`: the job type was deactivated by an admin")))]
#[instrument(skip_all, fields(user = %c.0.user_name))]
pub async fn create_job(
    State(s): State<AppState>,
    c: DispatcherCaller,
    Json(input): Json<JobInput>,
) -> Result<Created<WorkOrder>> {
    let job = s.store.create_job(&c.dispatcher(), input).await?;
    tracing::info!(job.number = %job.number, "job created");
    Ok((StatusCode::CREATED, Json(job)))
}

#[utoipa::path(get, path = "/api/v1/jobs/{id}", tag = "dispatch", params(("id" = String, Path, description = "the job's id")),
    responses((status = 200, body = JobRecord), (status = 404, body = ErrorBody)))]
pub async fn get_job(
    State(s): State<AppState>,
    _c: DispatcherCaller,
    Path(id): Path<String>,
) -> Result<Json<JobRecord>> {
    Ok(Json(s.store.job(&id).await?))
}

#[utoipa::path(patch, path = "/api/v1/jobs/{id}", tag = "dispatch", params(("id" = String, Path, description = "the job's id")), request_body = JobPatch,
    responses((status = 200, body = WorkOrder), (status = 404, body = ErrorBody)))]
#[instrument(skip_all, fields(user = %c.0.user_name, job.id = %id))]
pub async fn update_job(
    State(s): State<AppState>,
    c: DispatcherCaller,
    Path(id): Path<String>,
    Json(patch): Json<JobPatch>,
) -> Result<Json<WorkOrder>> {
    Ok(Json(s.store.update_job(&c.dispatcher(), &id, patch).await?))
}

#[utoipa::path(post, path = "/api/v1/jobs/{id}/schedule", tag = "dispatch", params(("id" = String, Path, description = "the job's id")), request_body = ScheduleInput,
    responses((status = 200, body = WorkOrder), (status = 400, body = ErrorBody, description = "no such or inactive technician, or a window that does not end after it starts"),
              (status = 404, body = ErrorBody),
              (status = 409, body = crate::error::ScheduleOverlapBody, description = "`schedule_overlap`: the window clashes with the technician's other appointments (listed in `clashes`; send `allow_overlap: true` to book anyway); `transition_not_allowed`: a finished job")))]
#[instrument(skip_all, fields(user = %c.0.user_name, job.id = %id))]
pub async fn schedule_job(
    State(s): State<AppState>,
    c: DispatcherCaller,
    Path(id): Path<String>,
    Json(input): Json<ScheduleInput>,
) -> Result<Json<WorkOrder>> {
    Ok(Json(s.store.schedule_job(&c.dispatcher(), &id, input).await?))
}

async fn move_job(
    s: &AppState,
    c: &DispatcherCaller,
    id: &str,
    to: JobStatus,
    input: ReasonInput,
) -> Result<Json<WorkOrder>> {
    let job = s.store.move_job(&c.dispatcher(), id, to, input.reason).await?;
    tracing::info!(job.number = %job.number, to = %to, "job moved");
    Ok(Json(job))
}

#[utoipa::path(post, path = "/api/v1/jobs/{id}/cancel", tag = "dispatch", params(("id" = String, Path, description = "the job's id")), request_body = ReasonInput,
    responses((status = 200, body = WorkOrder), (status = 409, body = ErrorBody)))]
#[instrument(skip_all, fields(user = %c.0.user_name, job.id = %id))]
pub async fn cancel_job(
    State(s): State<AppState>,
    c: DispatcherCaller,
    Path(id): Path<String>,
    Json(input): Json<ReasonInput>,
) -> Result<Json<WorkOrder>> {
    move_job(&s, &c, &id, JobStatus::Cancelled, input).await
}

/// Closing a job: a reason, and the dispatcher's confirmation when a complaint is still open.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/", optional_fields = nullable)]
pub struct CloseInput {
    pub reason: Option<String>,
    /// Close although a complaint recorded on a follow-up call is still open (the dispatcher
    /// confirmed it); without it such a job is refused with `open_complaint`.
    #[serde(default)]
    #[ts(as = "Option<bool>", optional)]
    pub confirm_open_complaint: bool,
}

/// Closes a completed job. A job with a complaint still open is closed only with
/// `confirm_open_complaint` (the console asks first): closing it would otherwise hide a
/// customer's complaint nobody has answered.
#[utoipa::path(post, path = "/api/v1/jobs/{id}/close", tag = "dispatch", params(("id" = String, Path, description = "the job's id")), request_body = CloseInput,
    responses((status = 200, body = WorkOrder),
              (status = 409, body = ErrorBody, description = "`open_complaint`: a complaint is still open (send `confirm_open_complaint: true` to close anyway); `transition_not_allowed`")))]
#[instrument(skip_all, fields(user = %c.0.user_name, job.id = %id))]
pub async fn close_job(
    State(s): State<AppState>,
    c: DispatcherCaller,
    Path(id): Path<String>,
    Json(input): Json<CloseInput>,
) -> Result<Json<WorkOrder>> {
    let open = s
        .store
        .job(&id)
        .await?
        .follow_ups
        .iter()
        .filter(|f| f.complaint.as_ref().is_some_and(|c| c.resolution.is_none()))
        .count();
    if open > 0 {
        if !input.confirm_open_complaint {
            return Err(Error::rule(
                ErrorCode::OpenComplaint,
                format!(
                    "{open} complaint(s) on this job are still open; close them with their \
                     outcome first, or confirm closing the job anyway"
                ),
            ));
        }
        tracing::info!(open, "job closed with an open complaint, confirmed");
    }
    move_job(&s, &c, &id, JobStatus::Closed, ReasonInput { reason: input.reason }).await
}

#[utoipa::path(post, path = "/api/v1/jobs/{id}/reopen", tag = "dispatch", params(("id" = String, Path, description = "the job's id")), request_body = ReasonInput,
    responses((status = 200, body = WorkOrder), (status = 409, body = ErrorBody)))]
#[instrument(skip_all, fields(user = %c.0.user_name, job.id = %id))]
pub async fn reopen_job(
    State(s): State<AppState>,
    c: DispatcherCaller,
    Path(id): Path<String>,
    Json(input): Json<ReasonInput>,
) -> Result<Json<WorkOrder>> {
    move_job(&s, &c, &id, JobStatus::Scheduled, input).await
}

/// Which rendition of a photo to download.
#[derive(Debug, Clone, Default, Deserialize, Serialize, IntoParams, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/", optional_fields = nullable)]
#[into_params(parameter_in = Query)]
pub struct PhotoQuery {
    /// The thumbnail (about 320 px) instead of the full picture.
    #[serde(default)]
    #[ts(as = "Option<bool>", optional)]
    pub thumb: bool,
}

/// A photo of the job, as uploaded (withdrawn photos included, for review).
#[utoipa::path(get, path = "/api/v1/jobs/{id}/photos/{photo_id}", tag = "dispatch", params(("id" = String, Path, description = "the job's id"), ("photo_id" = String, Path, description = "the photo's id"), PhotoQuery),
    responses((status = 200, description = "the picture; its media type from its first bytes",
            content(([u8] = "image/jpeg"), ([u8] = "image/png"), ([u8] = "image/webp"), ([u8] = "application/octet-stream"))),
        (status = 404, body = ErrorBody)))]
pub async fn job_photo(
    State(s): State<AppState>,
    _c: DispatcherCaller,
    Path((id, photo_id)): Path<(String, String)>,
    Query(q): Query<PhotoQuery>,
) -> Result<Response> {
    let photo = s.store.photo_of_job(&id, &photo_id).await?;
    let sha = if q.thumb { &photo.thumb_sha256 } else { &photo.sha256 };
    let bytes = s.blobs.get(sha).await?;
    let kind = sniff_image(&bytes);
    let mut resp = bytes.into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    Ok(resp)
}

/// The media type from the file's first bytes (photos are JPEG, signatures PNG).
fn sniff_image(bytes: &[u8]) -> &'static str {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        "image/jpeg"
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G']) {
        "image/png"
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        "image/webp"
    } else {
        "application/octet-stream"
    }
}

/// The picture of a signature on the job (PNG), for review beside its signer and time.
#[utoipa::path(get, path = "/api/v1/jobs/{id}/signatures/{signature_id}", tag = "dispatch", params(("id" = String, Path, description = "the job's id"), ("signature_id" = String, Path, description = "the signature's id")),
    responses((status = 200, description = "the signature's picture",
            content(([u8] = "image/png"), ([u8] = "image/jpeg"), ([u8] = "image/webp"), ([u8] = "application/octet-stream"))),
        (status = 404, body = ErrorBody)))]
pub async fn job_signature(
    State(s): State<AppState>,
    _c: DispatcherCaller,
    Path((id, signature_id)): Path<(String, String)>,
) -> Result<Response> {
    let job = s.store.job(&id).await?;
    let sha = job
        .signatures
        .iter()
        .find(|g| g.id == signature_id)
        .and_then(|g| g.png_sha256.clone())
        .ok_or(Error::NotFound)?;
    let bytes = s.blobs.get(&sha).await?;
    let kind = sniff_image(&bytes);
    let mut resp = bytes.into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    Ok(resp)
}

/// The language and time zone of a service report.
#[derive(Debug, Clone, Default, Deserialize, Serialize, IntoParams, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/", optional_fields = nullable)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// `en` (default) or `zh`.
    pub lang: Option<String>,
    /// The reader's offset from UTC in minutes, east positive (480 for China); default 0.
    pub tz: Option<i32>,
}

/// The service report of the job as a PDF (the one the customer keeps), in English or Chinese,
/// saved under the job number. Photos not uploaded yet are printed as placeholders.
#[utoipa::path(get, path = "/api/v1/jobs/{id}/report.pdf", tag = "dispatch", params(("id" = String, Path, description = "the job's id"), ReportQuery),
    responses((status = 200, body = [u8], content_type = "application/pdf", description = "the report, saved under the job number"), (status = 400, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
#[instrument(skip_all, fields(user = %c.0.user_name, job.id = %id))]
pub async fn service_report(
    State(s): State<AppState>,
    c: DispatcherCaller,
    Path(id): Path<String>,
    Query(q): Query<ReportQuery>,
) -> Result<Response> {
    let lang = match q.lang.as_deref().map(str::trim) {
        None | Some("") | Some("en") => fieldwork_report::Lang::En,
        Some(tag) if tag.to_ascii_lowercase().starts_with("zh") => fieldwork_report::Lang::Zh,
        Some(other) => return Err(Error::invalid(format!("lang is en or zh, not {other:?}"))),
    };
    let offset = crate::report::utc_offset(q.tz)?;
    let report =
        crate::report::service_report(s.store.as_ref(), &s.blobs, &id, lang, offset).await?;
    let disposition = format!("attachment; filename=\"{}\"", report.file_name);
    let mut resp = report.pdf.into_response();
    let headers = resp.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/pdf"));
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&disposition).map_err(|e| Error::Internal(e.to_string()))?,
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}

/// What the deadlines of a job would be, asked while a work order is being written.
#[derive(Debug, Clone, Deserialize, Serialize, IntoParams, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/", optional_fields = nullable)]
#[into_params(parameter_in = Query)]
pub struct DeadlinesQuery {
    /// `urgent`, `high`, `normal` or `low`.
    #[schema(value_type = String)]
    #[param(value_type = String)]
    pub priority: Priority,
    /// Job type code or id.
    pub job_type: String,
    /// The site of `equipment_id` (needed with it).
    pub site_id: Option<String>,
    /// The equipment, whose warranty decides the warranty status.
    pub equipment_id: Option<String>,
    /// For equipment not yet recorded: its purchase date (the default warranty runs a year
    /// from installation, or from purchase).
    pub purchased_on: Option<NaiveDate>,
    /// For equipment not yet recorded: its installation date.
    pub installed_on: Option<NaiveDate>,
    /// Out-of-warranty work paid as a courtesy.
    #[serde(default)]
    #[ts(as = "Option<bool>", optional)]
    pub goodwill: bool,
    /// When the customer reported it; now when absent.
    pub reported_at: Option<DateTime<Utc>>,
}

/// The deadlines and warranty a job created with these facts gets, computed by the same policy.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/")]
pub struct DeadlinesPreview {
    pub reported_at: DateTime<Utc>,
    pub ack_due_at: DateTime<Utc>,
    /// On site by then.
    pub due_at: DateTime<Utc>,
    /// Finish by then (in-warranty repairs).
    pub complete_due_at: Option<DateTime<Utc>>,
    #[schema(value_type = String)]
    pub warranty_status: WarrantyStatus,
    pub warranty_end: Option<NaiveDate>,
}

/// SLA deadlines and warranty for a job not yet created (the work-order form shows them as the
/// dispatcher picks the priority, job type and equipment).
#[utoipa::path(get, path = "/api/v1/sla/deadlines", tag = "dispatch", params(DeadlinesQuery),
    responses((status = 200, body = DeadlinesPreview), (status = 400, body = ErrorBody)))]
pub async fn sla_deadlines(
    State(s): State<AppState>,
    _c: DispatcherCaller,
    Query(q): Query<DeadlinesQuery>,
) -> Result<Json<DeadlinesPreview>> {
    let job_type = s
        .store
        .job_types()
        .await?
        .into_iter()
        .find(|t| t.code == q.job_type || t.id == q.job_type)
        .ok_or_else(|| Error::invalid(format!("no job type {:?}", q.job_type)))?;
    let warranty_end = match (&q.equipment_id, &q.site_id) {
        (Some(eq), Some(site)) => {
            s.store
                .equipment_at(site)
                .await?
                .into_iter()
                .find(|e| &e.id == eq)
                .ok_or_else(|| Error::invalid(format!("no equipment {eq:?} at that site")))?
                .warranty_end
        }
        (Some(_), None) => return Err(Error::invalid("equipment_id needs its site_id")),
        (None, _) => fieldwork_domain::sla::default_warranty_end(q.purchased_on, q.installed_on),
    };
    let reported_at = q.reported_at.unwrap_or_else(Utc::now);
    // The same rule as job creation: warranty on the day of the report, goodwill when asked.
    let warranty =
        match fieldwork_domain::sla::warranty_status(warranty_end, reported_at.date_naive()) {
            WarrantyStatus::OutOfWarranty if q.goodwill => WarrantyStatus::Goodwill,
            other => other,
        };
    let d = s.store.sla_settings().await?.policy.deadlines(
        q.priority,
        reported_at,
        job_type.code == "repair" && warranty == WarrantyStatus::InWarranty,
    );
    Ok(Json(DeadlinesPreview {
        reported_at,
        ack_due_at: d.ack_due_at,
        due_at: d.due_at,
        complete_due_at: d.complete_due_at,
        warranty_status: warranty,
        warranty_end,
    }))
}
