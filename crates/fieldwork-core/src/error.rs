//! The core's error type. Every error has a stable machine code (`code()`) and a human sentence
//! (`Display`); callers (CLI, desktop shell, head office) show the sentence and branch on the code.

pub use crate::error_code::{ErrorCode, UnknownErrorCode};
use crate::lifecycle::{Missing, Move};

/// Errors raised by the core. None of them is a panic: bad input always ends here.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error("{entity} {id} was not found")]
    NotFound { entity: &'static str, id: String },

    #[error("cannot move the job from {from} to {to}; allowed now: {}", list_or_none(.allowed))]
    TransitionNotAllowed { from: String, to: String, allowed: Vec<Move> },

    #[error("a reason is required to move a job to {to}")]
    ReasonRequired { to: String },

    #[error("the job cannot be completed yet: {}", missing_sentence(.missing))]
    CompletionBlocked { missing: Vec<Missing> },

    #[error("{field}: {message}")]
    Invalid { field: &'static str, message: String },

    #[error("{field} is too long: {actual} characters, the limit is {limit}")]
    TooLong { field: &'static str, actual: usize, limit: usize },

    #[error("not allowed: {0}")]
    Forbidden(String),

    #[error(
        "this database was written by a newer version of Fieldwork (schema {found}, this version \
         understands up to {supported}); update Fieldwork. The file was not changed"
    )]
    DatabaseTooNew { found: i64, supported: i64 },

    #[error("{path} is not a Fieldwork database (or it is damaged): {detail}")]
    NotADatabase { path: String, detail: String },

    #[error("the data folder {path} cannot be used: {detail}")]
    DataDir { path: String, detail: String },

    #[error("the data folder has not been set up yet; run `fieldwork init` first")]
    NotInitialised,

    #[error(
        "{file}: {format} files cannot be imported; save the photo as JPEG (or PNG) and import that"
    )]
    UnsupportedFormat { file: String, format: String },

    #[error("{file} is not a picture Fieldwork can read: {detail}")]
    NotAnImage { file: String, detail: String },

    #[error("{file} is too large: {detail}")]
    ImageTooLarge { file: String, detail: String },

    #[error("the disk is full; nothing was saved")]
    DiskFull,

    #[error("database error: {0}")]
    Database(rusqlite::Error),

    #[error("file error: {0}")]
    Io(#[from] std::io::Error),
}

impl CoreError {
    /// A stable, lowercase code for programs (`{code, message}` on every boundary).
    pub fn code(&self) -> ErrorCode {
        match self {
            CoreError::NotFound { .. } => ErrorCode::NotFound,
            CoreError::TransitionNotAllowed { .. } => ErrorCode::TransitionNotAllowed,
            CoreError::ReasonRequired { .. } => ErrorCode::ReasonRequired,
            CoreError::CompletionBlocked { .. } => ErrorCode::CompletionBlocked,
            CoreError::Invalid { .. } => ErrorCode::Invalid,
            CoreError::TooLong { .. } => ErrorCode::TooLong,
            CoreError::Forbidden(_) => ErrorCode::Forbidden,
            CoreError::DatabaseTooNew { .. } => ErrorCode::DatabaseTooNew,
            CoreError::NotADatabase { .. } => ErrorCode::NotADatabase,
            CoreError::DataDir { .. } => ErrorCode::DataDirUnusable,
            CoreError::NotInitialised => ErrorCode::NotInitialised,
            CoreError::UnsupportedFormat { .. } => ErrorCode::UnsupportedFormat,
            CoreError::NotAnImage { .. } => ErrorCode::NotAnImage,
            CoreError::ImageTooLarge { .. } => ErrorCode::ImageTooLarge,
            CoreError::DiskFull => ErrorCode::DiskFull,
            CoreError::Database(_) => ErrorCode::Database,
            CoreError::Io(_) => ErrorCode::Io,
        }
    }

    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        CoreError::Invalid { field, message: message.into() }
    }

    pub fn not_found(entity: &'static str, id: impl Into<String>) -> Self {
        CoreError::NotFound { entity, id: id.into() }
    }
}

impl From<rusqlite::Error> for CoreError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        match e.sqlite_error_code() {
            Some(ErrorCode::DiskFull) => CoreError::DiskFull,
            Some(ErrorCode::ReadOnly) => CoreError::DataDir {
                path: String::from("(database)"),
                detail: String::from("it is read-only; nothing was saved"),
            },
            Some(ErrorCode::NotADatabase) => CoreError::NotADatabase {
                path: String::from("the database"),
                detail: e.to_string(),
            },
            _ => CoreError::Database(e),
        }
    }
}

impl From<serde_json::Error> for CoreError {
    fn from(e: serde_json::Error) -> Self {
        CoreError::invalid("json", e.to_string())
    }
}

pub type Result<T, E = CoreError> = std::result::Result<T, E>;

fn list_or_none(moves: &[Move]) -> String {
    if moves.is_empty() {
        return String::from("none");
    }
    moves.iter().map(|m| m.to.as_str()).collect::<Vec<_>>().join(", ")
}

fn missing_sentence(missing: &[Missing]) -> String {
    missing.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
}
