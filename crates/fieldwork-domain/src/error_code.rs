//! The one vocabulary of error codes: every `{code, message}` that crosses a boundary (the
//! device's commands, the CLI's `--json`, head office's API, a rejected mutation) carries one of
//! these. It lives here, at the bottom of the crate graph, so the device, the sync protocol and
//! head office name the same enum; the UI gets it as `ErrorCode.ts` (ts-rs) and head office's
//! OpenAPI document lists it as the `ErrorCode` schema.
//!
//! On the wire a code is its snake_case string; [`ErrorCode::as_str`] gives that string where a
//! `&'static str` is needed.

use serde::{Deserialize, Serialize};

/// Declares the enum, its list of every code and the code's string from one table, so the
/// three cannot drift apart.
macro_rules! error_codes {
    ($( $(#[doc = $doc:literal])* $variant:ident = $code:literal, )*) => {
        /// A stable, lowercase machine code for an error (`{code, message}` on every boundary).
        #[derive(
            Debug,
            Clone,
            Copy,
            PartialEq,
            Eq,
            Hash,
            PartialOrd,
            Ord,
            Serialize,
            Deserialize,
            ts_rs::TS,
            utoipa::ToSchema,
        )]
        // Every code is its variant in snake_case; `rename_all` says so to utoipa, which does not
        // read the per-variant `rename` a macro writes (the test below checks the two agree).
        #[serde(rename_all = "snake_case")]
        #[ts(export)]
        pub enum ErrorCode {
            $(
                $(#[doc = $doc])*
                #[serde(rename = $code)]
                $variant,
            )*
        }

        impl ErrorCode {
            /// Every code, in declaration order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),*];

            /// The code as sent on the wire (`"not_found"`).
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $code,)*
                }
            }
        }
    };
}

error_codes! {
    // -- The device's core (store, photos, lifecycle); most are head office's too. ---------------
    /// Nothing there, or nothing the caller may see (the two are indistinguishable on purpose).
    NotFound = "not_found",
    /// The lifecycle does not allow this move from the job's current status.
    TransitionNotAllowed = "transition_not_allowed",
    /// The move needs a reason.
    ReasonRequired = "reason_required",
    /// Completion (or scheduling) lacks something; the message lists what.
    CompletionBlocked = "completion_blocked",
    /// The request is malformed or a value breaks a rule.
    Invalid = "invalid",
    /// A field is longer than its limit (`fieldwork_core::limits`, the same on both sides).
    TooLong = "too_long",
    /// Not allowed: a fact that can no longer change on the device, or a route for admins only.
    Forbidden = "forbidden",
    /// The database was written by a newer version; it was left untouched.
    DatabaseTooNew = "database_too_new",
    /// The file is not a Fieldwork database, or it is damaged.
    NotADatabase = "not_a_database",
    /// The data folder cannot be used (missing, read-only).
    DataDirUnusable = "data_dir_unusable",
    /// The data folder has not been set up yet.
    NotInitialised = "not_initialised",
    /// A photo in a format that cannot be imported (HEIC, RAW).
    UnsupportedFormat = "unsupported_format",
    /// A file that is not a readable picture.
    NotAnImage = "not_an_image",
    /// A picture larger than the limits.
    ImageTooLarge = "image_too_large",
    /// The disk is full; nothing was saved.
    DiskFull = "disk_full",
    /// The database failed.
    Database = "database",
    /// A file could not be read or written.
    Io = "io",
    // -- The service report and the CLI. ---------------------------------------------------------
    /// The report's embedded font cannot be read (a broken build).
    ReportFont = "report_font",
    /// The report could not be written as PDF.
    ReportPdf = "report_pdf",
    /// The CLI's `--out` file cannot be written.
    OutputUnusable = "output_unusable",
    // -- The device's sync client. ---------------------------------------------------------------
    /// Head office cannot be reached.
    Offline = "offline",
    /// Head office did not answer in time.
    Timeout = "timeout",
    /// Head office failed on its side (5xx).
    ServerError = "server_error",
    /// Head office refused the request (the server's own code is in the message).
    Refused = "refused",
    /// The head-office address is not one the device will talk to.
    BadAddress = "bad_address",
    /// Head office's answer was not what the protocol promises.
    Protocol = "protocol",
    /// Head office's TLS certificate is not trusted.
    Certificate = "certificate",
    /// The device is not signed in to head office.
    NotSignedIn = "not_signed_in",
    // -- Head office's API (`fieldwork_sync::wire`). ----------------------------------------------
    /// No credentials, or credentials the server does not know.
    Unauthorized = "unauthorized",
    /// The device token was revoked: push nothing more, wipe local data, sign in again.
    DeviceRevoked = "device_revoked",
    /// The session expired or was signed out.
    SessionExpired = "session_expired",
    /// Missing or wrong `X-CSRF-Token` on a mutating dispatcher request.
    CsrfFailed = "csrf_failed",
    /// The account was disabled by an admin.
    UserDisabled = "user_disabled",
    /// The field belongs to dispatchers (assignee, schedule, priority, customer data).
    DispatcherOwned = "dispatcher_owned",
    /// The fact cannot be recorded in the job's current status.
    NotRecordable = "not_recordable",
    /// The mutation's `type` is not one this server knows.
    UnsupportedMutation = "unsupported_mutation",
    /// A blob upload's offset does not match what the server holds.
    OffsetMismatch = "offset_mismatch",
    /// The uploaded bytes do not hash to the name they were uploaded under.
    HashMismatch = "hash_mismatch",
    /// Same id, different content: an insert-only fact was sent twice with different data.
    DuplicateId = "duplicate_id",
    /// The name is taken (user, device), or the thing is already done (a closed complaint).
    AlreadyExists = "already_exists",
    /// The request body is larger than the server accepts.
    PayloadTooLarge = "payload_too_large",
    /// Too many requests; retry after the `Retry-After` seconds.
    RateLimited = "rate_limited",
    /// Something failed on the server; retrying the same request is safe.
    Internal = "internal",
    /// A booking clashes with the technician's other appointments (not confirmed).
    ScheduleOverlap = "schedule_overlap",
    /// The job type is inactive: no new jobs of it.
    JobTypeInactive = "job_type_inactive",
    /// An admin cannot disable or demote their own account.
    OwnAccount = "own_account",
    /// A user's role cannot change that way (a technician stays one).
    RoleChange = "role_change",
    /// The job has an open complaint; close it first.
    OpenComplaint = "open_complaint",
    /// Someone saved a newer version meanwhile (a knowledge article): reload and edit that.
    StaleVersion = "stale_version",
    /// A supervisor already decided on this shared fix (taken into an article or declined).
    AlreadyDecided = "already_decided",
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that is not one of the codes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an error code")]
pub struct UnknownErrorCode(pub String);

impl std::str::FromStr for ErrorCode {
    type Err = UnknownErrorCode;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ErrorCode::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| UnknownErrorCode(s.to_owned()))
    }
}

impl From<ErrorCode> for &'static str {
    fn from(code: ErrorCode) -> Self {
        code.as_str()
    }
}

impl From<ErrorCode> for String {
    fn from(code: ErrorCode) -> Self {
        code.as_str().to_owned()
    }
}

impl PartialEq<str> for ErrorCode {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<ErrorCode> for &str {
    fn eq(&self, other: &ErrorCode) -> bool {
        *self == other.as_str()
    }
}

impl PartialEq<ErrorCode> for String {
    fn eq(&self, other: &ErrorCode) -> bool {
        self == other.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn the_wire_string_is_the_serde_string_and_parses_back() {
        for &code in ErrorCode::ALL {
            assert_eq!(serde_json::to_value(code).unwrap(), serde_json::json!(code.as_str()));
            let back: ErrorCode = serde_json::from_value(serde_json::json!(code.as_str())).unwrap();
            assert_eq!(back, code);
            assert_eq!(code.as_str().parse::<ErrorCode>(), Ok(code));
            assert_eq!(code.to_string(), code.as_str());
        }
        assert!("no_such_code".parse::<ErrorCode>().is_err());
    }

    #[test]
    fn every_code_is_its_variant_in_snake_case() {
        // The OpenAPI schema is written from `rename_all`, the wire from each `rename`.
        for code in ErrorCode::ALL {
            let mut snake = String::new();
            for (i, c) in format!("{code:?}").chars().enumerate() {
                if c.is_ascii_uppercase() && i > 0 {
                    snake.push('_');
                }
                snake.push(c.to_ascii_lowercase());
            }
            assert_eq!(snake, code.as_str());
        }
    }

    #[test]
    fn codes_are_unique_lowercase_snake_case() {
        let all: BTreeSet<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(all.len(), ErrorCode::ALL.len(), "a code is listed twice");
        for code in all {
            assert!(
                !code.is_empty()
                    && code.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                    && !code.starts_with('_')
                    && !code.ends_with('_'),
                "{code:?} is not snake_case"
            );
        }
    }

    #[test]
    fn the_typescript_type_lists_every_code() {
        use ts_rs::TS;
        let decl = ErrorCode::decl(&ts_rs::Config::default());
        for code in ErrorCode::ALL {
            assert!(decl.contains(&format!("\"{code}\"")), "{code} missing from {decl}");
        }
    }
}
