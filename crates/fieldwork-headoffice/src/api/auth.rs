//! Sign-in routes: device tokens for technicians, session cookies for dispatchers.

use axum::Json;
use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, State};
use axum::http::Extensions;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use fieldwork_domain::hlc::Hlc;
use fieldwork_wire::wire::{
    DeviceSignIn, DeviceSignedIn, ErrorBody, SESSION_COOKIE, SessionInfo, SessionSignIn,
};
use tracing::instrument;

use super::AppState;
use crate::auth::{DispatcherCaller, session_cookie};
use crate::error::{Error, Result};
use crate::secrets::{new_token, token_hash};
use crate::store::{NewSession, User, UserRole};

/// The client's address (what the rate limit and sign-in throttling count by): the peer's, or
/// the one a trusted proxy forwarded for ([`crate::auth::client_address`]).
fn client(state: &AppState, extensions: &Extensions, headers: &HeaderMap) -> IpAddr {
    let peer = extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(a)| a.ip());
    crate::auth::forwarded_client(&state.config.trusted_proxies, peer, headers)
}

/// Checks a user name and password. Refused at once while the name or the address is locked
/// out after repeated failures; otherwise argon2 runs on one of a few workers (an unknown name
/// is checked against a decoy hash of the same cost, so it takes as long). Failures are logged
/// with the user name and address, never the password.
async fn check_password(
    state: &AppState,
    address: IpAddr,
    user: &str,
    password: &str,
) -> Result<User> {
    // Debug formatting escapes control characters, so a name cannot forge log lines.
    let logged: String = user.chars().take(100).collect();
    let throttled = |retry_after_secs| {
        tracing::warn!(user = ?logged, %address, retry_after_secs, "sign-in refused: too many failures");
        Error::RateLimited { retry_after_secs }
    };
    if let Some(wait) = state.sign_in_failures.check(user, address).await? {
        return Err(throttled(wait));
    }
    let found = state.store.user_by_name(user).await?;
    let (phc, user_row) = match found {
        Some(u) => (u.password_hash, Some(u.user)),
        None => (state.decoy_hash.as_str().to_owned(), None),
    };
    let turn = state.passwords.turn().await?;
    // Failures registered while this request waited for a worker count too.
    if let Some(wait) = state.sign_in_failures.check(user, address).await? {
        return Err(throttled(wait));
    }
    let ok = state.passwords.verify(turn, password.to_owned(), phc).await?;
    match (ok, user_row) {
        (true, Some(u)) => {
            state.sign_in_failures.succeeded(user).await?;
            // Said only to someone who knows the password.
            if u.disabled_at.is_some() { Err(Error::UserDisabled) } else { Ok(u) }
        }
        _ => {
            state.sign_in_failures.failed(user, address).await?;
            tracing::warn!(user = ?logged, %address, "sign-in failed: wrong user name or password");
            Err(Error::Unauthorized)
        }
    }
}

/// A technician signs a device in and gets its token.
#[utoipa::path(post, path = "/api/v1/auth/device", tag = "auth", request_body = DeviceSignIn,
    responses((status = 200, body = DeviceSignedIn), (status = 401, body = ErrorBody),
              (status = 429, body = ErrorBody, description = "too many failed sign-ins; Retry-After")))]
#[instrument(skip_all, fields(user = ?req.user))]
pub async fn device_sign_in(
    State(state): State<AppState>,
    extensions: Extensions,
    headers: HeaderMap,
    Json(req): Json<DeviceSignIn>,
) -> Result<Json<DeviceSignedIn>> {
    let address = client(&state, &extensions, &headers);
    let user = check_password(&state, address, &req.user, &req.password).await?;
    let Some(technician_id) =
        user.technician_id.clone().filter(|_| user.role == UserRole::Technician)
    else {
        return Err(Error::Unauthorized);
    };
    let token = new_token();
    let device = state.store.add_device(&user.id, &req.device_name, &token_hash(&token)).await?;
    let technician_name = state
        .store
        .technicians()
        .await?
        .into_iter()
        .find(|t| t.id == technician_id)
        .map(|t| t.name)
        .unwrap_or_else(|| user.name.clone());
    tracing::info!(device.id = %device.id, "device signed in");
    Ok(Json(DeviceSignedIn {
        device_id: device.id,
        token,
        user_name: user.name,
        technician_id,
        technician_name,
        server_hlc: Hlc::zero(crate::service::HEAD_OFFICE_NODE).tick(Utc::now().timestamp_millis()),
    }))
}

fn session_cookie_header(state: &AppState, value: &str, max_age_secs: u64) -> Result<HeaderValue> {
    let secure = if state.config.secure_cookies { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={value}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age_secs}{secure}"
    ))
    .map_err(|e| Error::Internal(format!("cookie header: {e}")))
}

/// A dispatcher or admin signs in; the answer sets the session cookie.
#[utoipa::path(post, path = "/api/v1/auth/session", tag = "auth", request_body = SessionSignIn,
    responses((status = 200, body = SessionInfo), (status = 401, body = ErrorBody),
              (status = 429, body = ErrorBody, description = "too many failed sign-ins; Retry-After")))]
#[instrument(skip_all, fields(user = ?req.user))]
pub async fn session_sign_in(
    State(state): State<AppState>,
    extensions: Extensions,
    headers: HeaderMap,
    Json(req): Json<SessionSignIn>,
) -> Result<Response> {
    let address = client(&state, &extensions, &headers);
    let user = check_password(&state, address, &req.user, &req.password).await?;
    if !user.role.dispatches() {
        return Err(Error::Unauthorized);
    }
    let token = new_token();
    let csrf_token = new_token();
    let ttl = state.config.session_ttl;
    let expires_at = Utc::now() + chrono::Duration::from_std(ttl).unwrap_or_default();
    state
        .store
        .add_session(NewSession {
            token_hash: token_hash(&token),
            user_id: user.id.clone(),
            csrf_token: csrf_token.clone(),
            expires_at,
        })
        .await?;
    let info = SessionInfo {
        user_id: user.id,
        user_name: user.name,
        role: user.role.as_str().to_owned(),
        csrf_token,
        expires_at,
    };
    let mut resp = Json(info).into_response();
    resp.headers_mut()
        .insert(header::SET_COOKIE, session_cookie_header(&state, &token, ttl.as_secs())?);
    Ok(resp)
}

/// The current session, with its CSRF token (for a console that was reloaded).
#[utoipa::path(get, path = "/api/v1/auth/session", tag = "auth",
    responses((status = 200, body = SessionInfo), (status = 401, body = ErrorBody)),
    security(("session" = [])))]
pub async fn session_info(caller: DispatcherCaller) -> Json<SessionInfo> {
    let s = caller.0;
    Json(SessionInfo {
        user_id: s.user_id,
        user_name: s.user_name,
        role: s.role.as_str().to_owned(),
        csrf_token: s.csrf_token,
        expires_at: s.expires_at,
    })
}

/// Signs out: the session is deleted, its live-update streams end and the cookie is cleared.
#[utoipa::path(delete, path = "/api/v1/auth/session", tag = "auth",
    responses((status = 204, description = "signed out; the cookie is cleared"), (status = 401, body = ErrorBody)),
    security(("session" = [], "csrf" = [])))]
pub async fn sign_out(
    State(state): State<AppState>,
    _caller: DispatcherCaller,
    headers: HeaderMap,
) -> Result<Response> {
    let mut parts = axum::http::Request::new(()).into_parts().0;
    parts.headers = headers;
    if let Some(token) = session_cookie(&parts) {
        state.store.end_session(&token_hash(token)).await?;
        // Streams opened with this session (other tabs too) end now.
        state.events.access_changed();
    }
    let mut resp = StatusCode::NO_CONTENT.into_response();
    resp.headers_mut().insert(header::SET_COOKIE, session_cookie_header(&state, "", 0)?);
    Ok(resp)
}
