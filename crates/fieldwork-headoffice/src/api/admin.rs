//! Admin routes of the console: users (list, add) and devices (list, revoke a lost laptop).
//! They need an admin's session; for everyone else they do not exist (404, like every route a
//! caller may not use).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use fieldwork_core::domain::Technician;
use fieldwork_sync::wire::ErrorBody;
use serde::{Deserialize, Serialize};
use tracing::instrument;
use utoipa::ToSchema;

use super::AppState;
use crate::auth::DispatcherCaller;
use crate::error::{Error, Result};
use crate::secrets::hash_password;
use crate::store::{Device, NewUser, User, UserRole};

/// A user an admin adds.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
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

fn admin_only(c: &DispatcherCaller) -> Result<()> {
    if c.0.role == UserRole::Admin { Ok(()) } else { Err(Error::NotFound) }
}

#[utoipa::path(get, path = "/api/v1/admin/users", tag = "admin",
    responses((status = 200, body = Vec<User>), (status = 404, body = ErrorBody)))]
pub async fn users(State(s): State<AppState>, c: DispatcherCaller) -> Result<Json<Vec<User>>> {
    admin_only(&c)?;
    Ok(Json(s.store.list_users().await?))
}

#[utoipa::path(post, path = "/api/v1/admin/users", tag = "admin", request_body = NewUserInput,
    responses((status = 201, body = User), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[instrument(skip_all, fields(user = %c.0.user_name))]
pub async fn add_user(
    State(s): State<AppState>,
    c: DispatcherCaller,
    Json(input): Json<NewUserInput>,
) -> Result<(StatusCode, Json<User>)> {
    admin_only(&c)?;
    let role = UserRole::parse(&input.role)?;
    if input.password.chars().count() < 8 {
        return Err(Error::invalid("a password has at least 8 characters"));
    }
    let name = input.name.trim().to_owned();
    let technician = (role == UserRole::Technician).then(|| Technician {
        id: fieldwork_core::ids::new_id(),
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
    let password_hash =
        tokio::task::spawn_blocking(move || hash_password(&password, cost)).await??;
    let user = s.store.add_user(NewUser { name, role, password_hash, technician }).await?;
    tracing::info!(added = %user.name, role = role.as_str(), "user added");
    Ok((StatusCode::CREATED, Json(user)))
}

#[utoipa::path(get, path = "/api/v1/admin/devices", tag = "admin",
    responses((status = 200, body = Vec<Device>), (status = 404, body = ErrorBody)))]
pub async fn devices(State(s): State<AppState>, c: DispatcherCaller) -> Result<Json<Vec<Device>>> {
    admin_only(&c)?;
    Ok(Json(s.store.list_devices().await?))
}

/// Revokes a device: its next request gets `401 device_revoked` and it wipes its local data.
#[utoipa::path(post, path = "/api/v1/admin/devices/{id}/revoke", tag = "admin",
    responses((status = 200, body = Device), (status = 404, body = ErrorBody)))]
#[instrument(skip_all, fields(user = %c.0.user_name, device.id = %id))]
pub async fn revoke_device(
    State(s): State<AppState>,
    c: DispatcherCaller,
    Path(id): Path<String>,
) -> Result<Json<Device>> {
    admin_only(&c)?;
    let device = s.store.revoke_device(&id).await?;
    tracing::info!(device.name = %device.name, "device revoked");
    Ok(Json(device))
}
