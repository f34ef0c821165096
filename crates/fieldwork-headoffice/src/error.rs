//! Head office's error type: every failure a handler can meet, each with a stable code and an
//! HTTP status, sent as `{code, message}`. Internal failures are logged in full and shown only
//! as "internal" so nothing about the database leaks to a caller.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use fieldwork_domain::RuleError;
use fieldwork_wire::wire::{ErrorBody, ErrorCode};

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
    /// A picture that is not one (or too large, or in a format that cannot be read): `400` with
    /// the photo pipeline's code.
    #[error(transparent)]
    Media(#[from] fieldwork_media::MediaError),
    /// A rule refused the request (409) with `code`.
    #[error("{message}")]
    Rule { code: ErrorCode, message: String },
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
    pub code: ErrorCode,
    pub message: String,
    /// The technician's appointments the booking clashes with (only with `schedule_overlap`).
    #[serde(default)]
    pub clashes: Vec<crate::store::Appointment>,
}

impl Error {
    /// The stable code sent to callers.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Unauthorized => ErrorCode::Unauthorized,
            Error::DeviceRevoked => ErrorCode::DeviceRevoked,
            Error::SessionExpired => ErrorCode::SessionExpired,
            Error::CsrfFailed => ErrorCode::CsrfFailed,
            Error::UserDisabled => ErrorCode::UserDisabled,
            Error::Forbidden => ErrorCode::Forbidden,
            Error::NotFound => ErrorCode::NotFound,
            Error::Invalid(_) => ErrorCode::Invalid,
            Error::Media(e) => e.code(),
            Error::Rule { code, .. } => *code,
            Error::ScheduleOverlap { .. } => ErrorCode::ScheduleOverlap,
            Error::AlreadyExists(_) => ErrorCode::AlreadyExists,
            Error::OffsetMismatch { .. } => ErrorCode::OffsetMismatch,
            Error::HashMismatch(_) => ErrorCode::HashMismatch,
            Error::PayloadTooLarge => ErrorCode::PayloadTooLarge,
            Error::RateLimited { .. } => ErrorCode::RateLimited,
            Error::Database(_) | Error::Blob(_) | Error::Io(_) | Error::Internal(_) => {
                ErrorCode::Internal
            }
        }
    }

    /// A rule refused the request: `409` with `code`.
    pub fn rule(code: ErrorCode, message: impl Into<String>) -> Error {
        Error::Rule { code, message: message.into() }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Error::Unauthorized
            | Error::DeviceRevoked
            | Error::SessionExpired
            | Error::UserDisabled => StatusCode::UNAUTHORIZED,
            Error::CsrfFailed | Error::Forbidden => StatusCode::FORBIDDEN,
            Error::NotFound => StatusCode::NOT_FOUND,
            Error::Invalid(_) | Error::Media(_) => StatusCode::BAD_REQUEST,
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

    /// A domain rule refused the change (lifecycle, limits, policy): keep the rule's code.
    pub fn from_rule(e: RuleError) -> Error {
        match e.code() {
            ErrorCode::NotFound => Error::NotFound,
            ErrorCode::Invalid | ErrorCode::TooLong => Error::Invalid(e.to_string()),
            code @ (ErrorCode::TransitionNotAllowed
            | ErrorCode::ReasonRequired
            | ErrorCode::CompletionBlocked) => Error::rule(code, e.to_string()),
            ErrorCode::Forbidden => Error::rule(ErrorCode::NotRecordable, e.to_string()),
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
                let body =
                    ScheduleOverlapBody { code: self.code(), message, clashes: clashes.clone() };
                (status, axum::Json(body)).into_response()
            }
            _ => {
                let body = ErrorBody { code: self.code(), message };
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
                    resp.headers_mut().insert(fieldwork_wire::wire::UPLOAD_OFFSET, v);
                }
            }
            _ => {}
        }
        resp
    }
}
