//! Who is calling. Two extractors: [`TechnicianCaller`] for the sync routes (a device bearer
//! token) and [`DispatcherCaller`] for the dispatcher routes (a session cookie plus the CSRF
//! header on every mutating request). A caller of the wrong kind gets `404 not_found`, as if the
//! route were not there; a revoked device gets `401 device_revoked` everywhere, and a disabled
//! user's sessions and devices `401 user_disabled`.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{Method, header};
use fieldwork_sync::wire::{CSRF_HEADER, SESSION_COOKIE};

use crate::api::AppState;
use crate::error::Error;
use crate::secrets::{constant_time_eq, token_hash};
use crate::store::{DeviceCaller, SessionCaller};

/// The bearer token of a request, if any.
pub fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(token.trim()).filter(|t| !t.is_empty())
}

/// The session cookie of a request, if any.
pub fn session_cookie(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value)
        .filter(|v| !v.is_empty())
}

/// A signed-in, not revoked technician device.
#[derive(Debug, Clone)]
pub struct TechnicianCaller(pub DeviceCaller);

/// A signed-in dispatcher or admin with a live session.
#[derive(Debug, Clone)]
pub struct DispatcherCaller(pub SessionCaller);

impl DispatcherCaller {
    pub fn dispatcher(&self) -> crate::store::Dispatcher {
        crate::store::Dispatcher { user_id: self.0.user_id.clone(), name: self.0.user_name.clone() }
    }
}

async fn device(state: &AppState, token: &str) -> Result<Option<DeviceCaller>, Error> {
    state.store.device_by_token(&token_hash(token)).await
}

async fn session(state: &AppState, token: &str) -> Result<Option<SessionCaller>, Error> {
    Ok(state.store.session(&token_hash(token)).await?.filter(|s| s.expires_at > chrono::Utc::now()))
}

/// Whom a request is from, as far as its credentials verify: `device:<id>` for a known device
/// token, `user:<id>` for a live session, `None` when it has neither (a made-up token or cookie
/// proves nothing). The rate limit keys its buckets by this, so a caller cannot get a fresh
/// bucket by sending new credentials with each request.
pub(crate) async fn verified_key(state: &AppState, parts: &Parts) -> Option<String> {
    if let Some(token) = bearer(parts)
        && let Ok(Some(d)) = device(state, token).await
    {
        return Some(format!("device:{}", d.device_id));
    }
    if let Some(cookie) = session_cookie(parts)
        && let Ok(Some(s)) = session(state, cookie).await
    {
        return Some(format!("user:{}", s.user_id));
    }
    None
}

impl FromRequestParts<AppState> for TechnicianCaller {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        if let Some(token) = bearer(parts) {
            return match device(state, token).await? {
                Some(d) if d.revoked => Err(Error::DeviceRevoked),
                Some(d) if d.user_disabled => Err(Error::UserDisabled),
                Some(d) => Ok(TechnicianCaller(d)),
                None => Err(Error::Unauthorized),
            };
        }
        if let Some(cookie) = session_cookie(parts)
            && session(state, cookie).await?.is_some()
        {
            // A dispatcher has no sync routes.
            return Err(Error::NotFound);
        }
        Err(Error::Unauthorized)
    }
}

impl FromRequestParts<AppState> for DispatcherCaller {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        if let Some(cookie) = session_cookie(parts) {
            let Some(s) = session(state, cookie).await? else {
                return Err(Error::SessionExpired);
            };
            if s.user_disabled {
                return Err(Error::UserDisabled);
            }
            if !s.role.dispatches() {
                return Err(Error::NotFound);
            }
            let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
            if !safe {
                let sent = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
                if !sent.is_some_and(|t| constant_time_eq(t, &s.csrf_token)) {
                    return Err(Error::CsrfFailed);
                }
            }
            return Ok(DispatcherCaller(s));
        }
        if let Some(token) = bearer(parts) {
            return match device(state, token).await? {
                Some(d) if d.revoked => Err(Error::DeviceRevoked),
                // A technician has no dispatcher routes.
                Some(_) => Err(Error::NotFound),
                None => Err(Error::Unauthorized),
            };
        }
        Err(Error::Unauthorized)
    }
}
