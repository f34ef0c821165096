//! Admin routes of the console: users (list, add, edit, reset a password, disable, enable), devices (list, revoke a
//! lost laptop), job types with their checklist templates, the parts catalogue and the SLA
//! policy. Every route needs an admin's session ([`AdminCaller`]; mutations also the CSRF
//! header): a dispatcher's session or a technician's device token gets `403 forbidden`, no or
//! unknown credentials `401`.

use axum::Json;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use fieldwork_domain::domain::Technician;
use fieldwork_domain::sla::SlaPolicy;
use fieldwork_wire::wire::ErrorBody;
use serde::{Deserialize, Serialize};
use tracing::instrument;
use utoipa::ToSchema;

use super::AppState;
use crate::auth::{DispatcherCaller, TechnicianCaller, bearer, session_cookie};
use crate::error::{Error, Result};
use crate::store::{
    Device, JobTypeAdmin, JobTypeInput, NewUser, PartAdmin, PartInput, PartPatch, PartQuery,
    SessionCaller, SlaLimits, SlaSettings, User, UserRole,
};

/// A signed-in admin with a live session (and the CSRF header on mutations).
#[derive(Debug, Clone)]
pub struct AdminCaller(pub SessionCaller);

impl AdminCaller {
    pub fn dispatcher(&self) -> crate::store::Dispatcher {
        DispatcherCaller(self.0.clone()).dispatcher()
    }
}

impl FromRequestParts<AppState> for AdminCaller {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        if session_cookie(parts).is_none() && bearer(parts).is_some() {
            // A technician's laptop: known and allowed elsewhere, never here.
            TechnicianCaller::from_request_parts(parts, state).await?;
            return Err(Error::Forbidden);
        }
        let DispatcherCaller(session) = DispatcherCaller::from_request_parts(parts, state).await?;
        if session.role != UserRole::Admin {
            return Err(Error::Forbidden);
        }
        Ok(AdminCaller(session))
    }
}

/// A user an admin adds.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/", optional_fields = nullable)]
pub struct NewUserInput {
    pub name: String,
    /// `technician`, `dispatcher` or `admin`.
    pub role: String,
    /// At least 8 characters.
    pub password: String,
    /// For technicians: the name shown on the board and the service report (the user name
    /// when absent).
    pub display_name: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/admin/users", tag = "admin",
    responses((status = 200, body = Vec<User>), (status = 403, body = ErrorBody)))]
pub async fn users(State(s): State<AppState>, _c: AdminCaller) -> Result<Json<Vec<User>>> {
    Ok(Json(s.store.list_users().await?))
}

#[utoipa::path(post, path = "/api/v1/admin/users", tag = "admin", request_body = NewUserInput,
    responses((status = 201, body = User), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[instrument(skip_all, fields(user = %c.0.user_name))]
pub async fn add_user(
    State(s): State<AppState>,
    c: AdminCaller,
    Json(input): Json<NewUserInput>,
) -> Result<(StatusCode, Json<User>)> {
    let role = UserRole::parse(&input.role)?;
    if input.password.chars().count() < 8 {
        return Err(Error::invalid("a password has at least 8 characters"));
    }
    let name = input.name.trim().to_owned();
    let technician = (role == UserRole::Technician).then(|| Technician {
        id: fieldwork_domain::ids::new_id(),
        name: input
            .display_name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .unwrap_or(&name)
            .to_owned(),
        phone: None,
        email: None,
        skills: Vec::new(),
        active: true,
    });
    let cost = s.config.password_cost;
    let password = input.password;
    let password_hash = s.passwords.hash(s.passwords.turn().await?, password, cost).await?;
    let user = s.store.add_user(NewUser { name, role, password_hash, technician }).await?;
    tracing::info!(added = %user.name, role = role.as_str(), "user added");
    Ok((StatusCode::CREATED, Json(user)))
}

#[utoipa::path(get, path = "/api/v1/admin/devices", tag = "admin",
    responses((status = 200, body = Vec<Device>), (status = 403, body = ErrorBody)))]
pub async fn devices(State(s): State<AppState>, _c: AdminCaller) -> Result<Json<Vec<Device>>> {
    Ok(Json(s.store.list_devices().await?))
}

/// Revokes a device: its next request gets `401 device_revoked` and it wipes its local data.
#[utoipa::path(post, path = "/api/v1/admin/devices/{id}/revoke", tag = "admin", params(("id" = String, Path, description = "the device's id")),
    responses((status = 200, body = Device), (status = 404, body = ErrorBody)))]
#[instrument(skip_all, fields(user = %c.0.user_name, device.id = %id))]
pub async fn revoke_device(
    State(s): State<AppState>,
    c: AdminCaller,
    Path(id): Path<String>,
) -> Result<Json<Device>> {
    let device = s.store.revoke_device(&id).await?;
    tracing::info!(device.name = %device.name, "device revoked");
    Ok(Json(device))
}

/// Disables a user: they cannot sign in, their open sessions and their laptops' tokens are
/// refused at once (`401 user_disabled`) and their consoles' live-update streams end. Their jobs stay as they are. An admin cannot disable
/// themself.
#[utoipa::path(post, path = "/api/v1/admin/users/{id}/disable", tag = "admin", params(("id" = String, Path, description = "the user's id")),
    responses((status = 200, body = User), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "own_account")))]
#[instrument(skip_all, fields(user = %c.0.user_name, target.id = %id))]
pub async fn disable_user(
    State(s): State<AppState>,
    c: AdminCaller,
    Path(id): Path<String>,
) -> Result<Json<User>> {
    let user = s.store.set_user_disabled(&c.dispatcher(), &id, true).await?;
    // Their open consoles' live-update streams end now, not at their next request.
    s.events.access_changed();
    tracing::info!(disabled = %user.name, "user disabled");
    Ok(Json(user))
}

/// Enables a disabled user again: they sign in anew; their laptops sync again.
#[utoipa::path(post, path = "/api/v1/admin/users/{id}/enable", tag = "admin", params(("id" = String, Path, description = "the user's id")),
    responses((status = 200, body = User), (status = 404, body = ErrorBody)))]
#[instrument(skip_all, fields(user = %c.0.user_name, target.id = %id))]
pub async fn enable_user(
    State(s): State<AppState>,
    c: AdminCaller,
    Path(id): Path<String>,
) -> Result<Json<User>> {
    let user = s.store.set_user_disabled(&c.dispatcher(), &id, false).await?;
    // Enabling ends the user's old sessions.
    s.events.access_changed();
    tracing::info!(enabled = %user.name, "user enabled");
    Ok(Json(user))
}

/// What an admin changes about a user; absent fields stay as they are.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/", optional_fields = nullable)]
pub struct UserUpdateInput {
    /// Technicians only: the name on the board, the laptops and the service report.
    pub display_name: Option<String>,
    /// `dispatcher` or `admin` for an office user; a technician stays a technician.
    pub role: Option<String>,
}

/// Changes a user's display name (technicians) or role (dispatcher ↔ admin). An admin cannot
/// change their own role (`own_account`), so head office always keeps an admin; a technician's
/// account does not become an office account or the other way round (`role_change`). A new
/// role applies from the user's next request.
#[utoipa::path(patch, path = "/api/v1/admin/users/{id}", tag = "admin", params(("id" = String, Path, description = "the user's id")), request_body = UserUpdateInput,
    responses((status = 200, body = User), (status = 400, body = ErrorBody),
              (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "own_account, role_change")))]
#[instrument(skip_all, fields(user = %c.0.user_name, target.id = %id))]
pub async fn update_user(
    State(s): State<AppState>,
    c: AdminCaller,
    Path(id): Path<String>,
    Json(input): Json<UserUpdateInput>,
) -> Result<Json<User>> {
    let role = input.role.as_deref().map(UserRole::parse).transpose()?;
    let update = crate::store::UserUpdate { display_name: input.display_name, role };
    let user = s.store.update_user(&c.dispatcher(), &id, update).await?;
    // A console of the user reads their role again.
    s.events.access_changed();
    tracing::info!(updated = %user.name, role = user.role.as_str(), "user updated");
    Ok(Json(user))
}

/// A new password an admin sets for a user.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/", optional_fields = nullable)]
pub struct PasswordInput {
    /// At least 8 characters.
    pub password: String,
}

/// Sets a new password for a user who forgot theirs (hashed with argon2id like every
/// password). Their open browser sessions end; their laptops keep syncing (revoke a lost laptop
/// on Devices).
#[utoipa::path(post, path = "/api/v1/admin/users/{id}/password", tag = "admin", params(("id" = String, Path, description = "the user's id")),
    request_body = PasswordInput,
    responses((status = 200, body = User), (status = 400, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
#[instrument(skip_all, fields(user = %c.0.user_name, target.id = %id))]
pub async fn reset_password(
    State(s): State<AppState>,
    c: AdminCaller,
    Path(id): Path<String>,
    Json(input): Json<PasswordInput>,
) -> Result<Json<User>> {
    if input.password.chars().count() < 8 {
        return Err(Error::invalid("a password has at least 8 characters"));
    }
    let cost = s.config.password_cost;
    let password = input.password;
    let password_hash = s.passwords.hash(s.passwords.turn().await?, password, cost).await?;
    let user = s.store.set_user_password(&id, password_hash).await?;
    // Their consoles' live-update streams end with their sessions.
    s.events.access_changed();
    tracing::info!(target = %user.name, "password reset by an admin");
    Ok(Json(user))
}

/// Every job type, active ones first, with its checklist template.
#[utoipa::path(get, path = "/api/v1/admin/job-types", tag = "admin", operation_id = "admin_job_types",
    responses((status = 200, body = Vec<JobTypeAdmin>), (status = 403, body = ErrorBody)))]
pub async fn job_types(
    State(s): State<AppState>,
    _c: AdminCaller,
) -> Result<Json<Vec<JobTypeAdmin>>> {
    Ok(Json(s.store.admin_job_types().await?))
}

/// Creates a job type; laptops receive it at their next pull.
#[utoipa::path(post, path = "/api/v1/admin/job-types", tag = "admin", request_body = JobTypeInput,
    responses((status = 201, body = JobTypeAdmin), (status = 400, body = ErrorBody),
              (status = 409, body = ErrorBody)))]
#[instrument(skip_all, fields(user = %c.0.user_name))]
pub async fn create_job_type(
    State(s): State<AppState>,
    c: AdminCaller,
    Json(input): Json<JobTypeInput>,
) -> Result<(StatusCode, Json<JobTypeAdmin>)> {
    let jt = s.store.create_job_type(input).await?;
    tracing::info!(code = %jt.job_type.code, "job type created");
    Ok((StatusCode::CREATED, Json(jt)))
}

/// Replaces a job type's names, required photos, checklist and default duration (its code
/// stays). Jobs of the type, open ones included, follow the new checklist on the laptops after
/// their next pull.
#[utoipa::path(put, path = "/api/v1/admin/job-types/{id}", tag = "admin", params(("id" = String, Path, description = "the job type's id")), request_body = JobTypeInput,
    responses((status = 200, body = JobTypeAdmin), (status = 400, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
#[instrument(skip_all, fields(user = %c.0.user_name, job_type.id = %id))]
pub async fn update_job_type(
    State(s): State<AppState>,
    c: AdminCaller,
    Path(id): Path<String>,
    Json(input): Json<JobTypeInput>,
) -> Result<Json<JobTypeAdmin>> {
    let jt = s.store.update_job_type(&id, input).await?;
    tracing::info!(code = %jt.job_type.code, "job type edited");
    Ok(Json(jt))
}

/// Deactivates a job type: no new job can use it; jobs that use it keep it.
#[utoipa::path(post, path = "/api/v1/admin/job-types/{id}/deactivate", tag = "admin", params(("id" = String, Path, description = "the job type's id")),
    responses((status = 200, body = JobTypeAdmin), (status = 404, body = ErrorBody)))]
pub async fn deactivate_job_type(
    State(s): State<AppState>,
    _c: AdminCaller,
    Path(id): Path<String>,
) -> Result<Json<JobTypeAdmin>> {
    Ok(Json(s.store.set_job_type_active(&id, false).await?))
}

/// Offers a deactivated job type for new jobs again.
#[utoipa::path(post, path = "/api/v1/admin/job-types/{id}/activate", tag = "admin", params(("id" = String, Path, description = "the job type's id")),
    responses((status = 200, body = JobTypeAdmin), (status = 404, body = ErrorBody)))]
pub async fn activate_job_type(
    State(s): State<AppState>,
    _c: AdminCaller,
    Path(id): Path<String>,
) -> Result<Json<JobTypeAdmin>> {
    Ok(Json(s.store.set_job_type_active(&id, true).await?))
}

/// What the board needs of a job type: whether new jobs may use it and how long to book it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/")]
pub struct JobTypeDefaults {
    pub code: String,
    pub active: bool,
    /// The appointment length to book, in minutes; the board's own default when absent.
    pub default_duration_minutes: Option<i64>,
}

/// Every job type's defaults, for dispatchers (the board books appointments of this length).
#[utoipa::path(get, path = "/api/v1/job-types/defaults", tag = "dispatch",
    responses((status = 200, body = Vec<JobTypeDefaults>), (status = 404, body = ErrorBody)))]
pub async fn job_type_defaults(
    State(s): State<AppState>,
    _c: DispatcherCaller,
) -> Result<Json<Vec<JobTypeDefaults>>> {
    let types = s.store.admin_job_types().await?;
    Ok(Json(
        types
            .into_iter()
            .map(|t| JobTypeDefaults {
                code: t.job_type.code,
                active: t.active,
                default_duration_minutes: t.default_duration_minutes,
            })
            .collect(),
    ))
}

/// A page of the parts catalogue, searched by number or description.
#[utoipa::path(get, path = "/api/v1/admin/parts", tag = "admin", operation_id = "admin_parts", params(PartQuery),
    responses((status = 200, body = Vec<PartAdmin>), (status = 403, body = ErrorBody)))]
pub async fn parts(
    State(s): State<AppState>,
    _c: AdminCaller,
    Query(q): Query<PartQuery>,
) -> Result<Json<Vec<PartAdmin>>> {
    Ok(Json(s.store.admin_parts(q).await?))
}

/// Adds a part to the catalogue; laptops receive it at their next pull.
#[utoipa::path(post, path = "/api/v1/admin/parts", tag = "admin", request_body = PartInput,
    responses((status = 201, body = PartAdmin), (status = 400, body = ErrorBody),
              (status = 409, body = ErrorBody)))]
#[instrument(skip_all, fields(user = %c.0.user_name))]
pub async fn add_part(
    State(s): State<AppState>,
    c: AdminCaller,
    Json(input): Json<PartInput>,
) -> Result<(StatusCode, Json<PartAdmin>)> {
    let p = s.store.add_part(input).await?;
    tracing::info!(part_no = %p.part.part_no, "part added");
    Ok((StatusCode::CREATED, Json(p)))
}

/// Changes a part's descriptions or unit price; lines already recorded keep their price.
#[utoipa::path(patch, path = "/api/v1/admin/parts/{part_no}", tag = "admin", params(("part_no" = String, Path, description = "the part number")), request_body = PartPatch,
    responses((status = 200, body = PartAdmin), (status = 400, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
#[instrument(skip_all, fields(user = %c.0.user_name, part_no = %part_no))]
pub async fn update_part(
    State(s): State<AppState>,
    c: AdminCaller,
    Path(part_no): Path<String>,
    Json(patch): Json<PartPatch>,
) -> Result<Json<PartAdmin>> {
    Ok(Json(s.store.update_part(&part_no, patch).await?))
}

/// Deactivates a part: head office's catalogue lookup no longer offers it.
#[utoipa::path(post, path = "/api/v1/admin/parts/{part_no}/deactivate", tag = "admin", params(("part_no" = String, Path, description = "the part number")),
    responses((status = 200, body = PartAdmin), (status = 404, body = ErrorBody)))]
pub async fn deactivate_part(
    State(s): State<AppState>,
    _c: AdminCaller,
    Path(part_no): Path<String>,
) -> Result<Json<PartAdmin>> {
    Ok(Json(s.store.set_part_active(&part_no, false).await?))
}

/// Offers a deactivated part again.
#[utoipa::path(post, path = "/api/v1/admin/parts/{part_no}/activate", tag = "admin", params(("part_no" = String, Path, description = "the part number")),
    responses((status = 200, body = PartAdmin), (status = 404, body = ErrorBody)))]
pub async fn activate_part(
    State(s): State<AppState>,
    _c: AdminCaller,
    Path(part_no): Path<String>,
) -> Result<Json<PartAdmin>> {
    Ok(Json(s.store.set_part_active(&part_no, true).await?))
}

/// The SLA policy in force.
#[utoipa::path(get, path = "/api/v1/admin/sla-policy", tag = "admin",
    responses((status = 200, body = SlaSettings), (status = 403, body = ErrorBody)))]
pub async fn sla_policy(State(s): State<AppState>, _c: AdminCaller) -> Result<Json<SlaSettings>> {
    Ok(Json(s.store.sla_settings().await?))
}

/// Puts a new SLA policy in force for jobs created (or given a new priority) from now on;
/// deadlines already computed are not rewritten.
#[utoipa::path(put, path = "/api/v1/admin/sla-policy", tag = "admin",
    request_body = SlaLimits,
    responses((status = 200, body = SlaSettings), (status = 400, body = ErrorBody)))]
#[instrument(skip_all, fields(user = %c.0.user_name))]
pub async fn set_sla_policy(
    State(s): State<AppState>,
    c: AdminCaller,
    Json(limits): Json<SlaLimits>,
) -> Result<Json<SlaSettings>> {
    let settings = s.store.set_sla_policy(&c.dispatcher(), SlaPolicy::from(limits)).await?;
    tracing::info!(policy = ?settings.policy, "sla policy changed");
    Ok(Json(settings))
}
