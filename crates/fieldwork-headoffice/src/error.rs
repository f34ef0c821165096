//! Head office's error type: every failure a handler can meet, each with a stable code and an
//! HTTP status, sent as `{code, message}`. Internal failures are logged in full and shown only
//! as "internal" so nothing about the database leaks to a caller.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use fieldwork_sync::wire::{ErrorBody, codes};

/// Anything that can go wrong in head office.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("sign in first")]
    Unauthorized,
    #[error("this device was signed out by head office; its local data must be wiped")]
    DeviceRevoked,
    #[error("the session has expired; sign in again")]
    SessionExpired,
    #[error("the request lacks the session's X-CSRF-Token")]
    CsrfFailed,
    #[error("this account was disabled by an admin; ask head office")]
    UserDisabled,
    /// Signed in, but the route is for admins only.
    #[error("only an admin may do this")]
    Forbidden,
    /// Not there, or not the caller's to see: the two look the same on purpose.
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Invalid(String),
    #[error("{message}")]
    Rule { code: &'static str, message: String },
    /// The booking clashes with the technician's other appointments (listed in the body as
    /// `clashes`); sent again with `allow_overlap` it is booked anyway.
    #[error("{technician} already has {}; book anyway to double-book", overlap_list(clashes))]
    ScheduleOverlap { technician: String, clashes: Vec<crate::store::Appointment> },
    #[error("{0} already exists")]
    AlreadyExists(String),
    #[error("the upload is at byte {held}, not {sent}")]
    OffsetMismatch { held: u64, sent: u64 },
    #[error("the uploaded bytes do not hash to {0}; upload again from the start")]
    HashMismatch(String),
    #[error("the request body is too large")]
    PayloadTooLarge,
    #[error("too many requests; retry in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    #[error("database: {0}")]
    Database(#[from] rusqlite::Error),
    #[error("blob storage: {0}")]
    Blob(String),
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    #[error("internal: {0}")]
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The user's account is disabled (sign-in, sessions and device tokens all answer it).
pub const USER_DISABLED: &str = "user_disabled";
/// A signed-in caller without the role the route needs (admin routes).
pub const FORBIDDEN: &str = "forbidden";
/// A booking that clashes with the technician's other appointments, not confirmed.
pub const SCHEDULE_OVERLAP: &str = "schedule_overlap";

/// `WO-2026-000001 (2026-12-07 08:00–10:00 UTC), …`
fn overlap_list(clashes: &[crate::store::Appointment]) -> String {
    clashes
        .iter()
        .map(|a| {
            format!(
                "{} ({}–{} UTC)",
                a.number,
                a.appointment_start.format("%Y-%m-%d %H:%M"),
                a.appointment_end.format("%H:%M")
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The body of a refused booking: `{code, message}`, and with `schedule_overlap` the clashing
/// appointments.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ScheduleOverlapBody {
    /// `schedule_overlap`.
    pub code: String,
    pub message: String,
    /// The technician's appointments the booking clashes with (only with `schedule_overlap`).
    #[serde(default)]
    pub clashes: Vec<crate::store::Appointment>,
}

impl Error {
    /// The stable code sent to callers.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Unauthorized => codes::UNAUTHORIZED,
            Error::DeviceRevoked => codes::DEVICE_REVOKED,
            Error::SessionExpired => codes::SESSION_EXPIRED,
            Error::CsrfFailed => codes::CSRF_FAILED,
            Error::UserDisabled => USER_DISABLED,
            Error::Forbidden => FORBIDDEN,
            Error::NotFound => codes::NOT_FOUND,
            Error::Invalid(_) => codes::INVALID,
            Error::Rule { code, .. } => code,
            Error::ScheduleOverlap { .. } => SCHEDULE_OVERLAP,
            Error::AlreadyExists(_) => codes::ALREADY_EXISTS,
            Error::OffsetMismatch { .. } => codes::OFFSET_MISMATCH,
            Error::HashMismatch(_) => codes::HASH_MISMATCH,
            Error::PayloadTooLarge => codes::PAYLOAD_TOO_LARGE,
            Error::RateLimited { .. } => codes::RATE_LIMITED,
            Error::Database(_) | Error::Blob(_) | Error::Io(_) | Error::Internal(_) => {
                codes::INTERNAL
            }
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Error::Unauthorized
            | Error::DeviceRevoked
            | Error::SessionExpired
            | Error::UserDisabled => StatusCode::UNAUTHORIZED,
            Error::CsrfFailed | Error::Forbidden => StatusCode::FORBIDDEN,
            Error::NotFound => StatusCode::NOT_FOUND,
            Error::Invalid(_) => StatusCode::BAD_REQUEST,
            Error::Rule { .. }
            | Error::ScheduleOverlap { .. }
            | Error::AlreadyExists(_)
            | Error::OffsetMismatch { .. } => StatusCode::CONFLICT,
            Error::HashMismatch(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Error::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Error::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Error::Database(_) | Error::Blob(_) | Error::Io(_) | Error::Internal(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    pub fn invalid(message: impl Into<String>) -> Error {
        Error::Invalid(message.into())
    }

    /// A core rule refused the change (lifecycle, limits): keep the core's code.
    pub fn from_core(e: fieldwork_core::CoreError) -> Error {
        match e.code() {
            "not_found" => Error::NotFound,
            "invalid" | "too_long" => Error::Invalid(e.to_string()),
            "transition_not_allowed" => {
                Error::Rule { code: codes::TRANSITION_NOT_ALLOWED, message: e.to_string() }
            }
            "reason_required" => {
                Error::Rule { code: codes::REASON_REQUIRED, message: e.to_string() }
            }
            "completion_blocked" => {
                Error::Rule { code: codes::COMPLETION_BLOCKED, message: e.to_string() }
            }
            "forbidden" => Error::Rule { code: codes::NOT_RECORDABLE, message: e.to_string() },
            _ => Error::Internal(e.to_string()),
        }
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::Internal(format!("json: {e}"))
    }
}

impl From<tokio::task::JoinError> for Error {
    fn from(e: tokio::task::JoinError) -> Self {
        Error::Internal(format!("blocking task: {e}"))
    }
}

impl From<object_store::Error> for Error {
    fn from(e: object_store::Error) -> Self {
        match e {
            object_store::Error::NotFound { .. } => Error::NotFound,
            other => Error::Blob(other.to_string()),
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = if status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(error = %self, "request failed");
            String::from("something went wrong at head office; retrying is safe")
        } else {
            self.to_string()
        };
        let mut resp = match &self {
            Error::ScheduleOverlap { clashes, .. } => {
                let body = ScheduleOverlapBody {
                    code: self.code().to_owned(),
                    message,
                    clashes: clashes.clone(),
                };
                (status, axum::Json(body)).into_response()
            }
            _ => {
                let body = ErrorBody { code: self.code().to_owned(), message };
                (status, axum::Json(body)).into_response()
            }
        };
        match &self {
            Error::RateLimited { retry_after_secs } => {
                if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                    resp.headers_mut().insert(header::RETRY_AFTER, v);
                }
            }
            Error::OffsetMismatch { held, .. } => {
                if let Ok(v) = HeaderValue::from_str(&held.to_string()) {
                    resp.headers_mut().insert(fieldwork_sync::wire::UPLOAD_OFFSET, v);
                }
            }
            _ => {}
        }
        resp
    }
}
