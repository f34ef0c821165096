//! The device's error type: a refused domain rule ([`RuleError`], from `fieldwork-domain`) or
//! what only the device meets (its database, data folder, photos, disk). Every error has a
//! stable machine code (`code()`) and a human sentence (`Display`); callers (CLI, desktop shell)
//! show the sentence and branch on the code.

pub use crate::error_code::{ErrorCode, UnknownErrorCode};
pub use fieldwork_domain::RuleError;

/// Errors raised by the core. None of them is a panic: bad input always ends here.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// A domain rule refused the input (lifecycle, limits, validation): its own message and code.
    #[error(transparent)]
    Rule(#[from] RuleError),

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

    /// A file that is not taken as a photo (`unsupported_format`, `not_an_image`,
    /// `image_too_large`), as the shared photo pipeline says it.
    #[error(transparent)]
    Media(#[from] fieldwork_media::MediaError),

    #[error("the disk is full; nothing was saved")]
    DiskFull,

    #[error("database error: {0}")]
    Database(rusqlite::Error),

    /// The service report could not be made (fonts, PDF writer).
    #[error(transparent)]
    Report(#[from] fieldwork_report::ReportError),

    #[error("file error: {0}")]
    Io(#[from] std::io::Error),
}

impl CoreError {
    /// A stable, lowercase code for programs (`{code, message}` on every boundary).
    pub fn code(&self) -> ErrorCode {
        match self {
            CoreError::Rule(e) => e.code(),
            CoreError::DatabaseTooNew { .. } => ErrorCode::DatabaseTooNew,
            CoreError::NotADatabase { .. } => ErrorCode::NotADatabase,
            CoreError::DataDir { .. } => ErrorCode::DataDirUnusable,
            CoreError::NotInitialised => ErrorCode::NotInitialised,
            CoreError::Media(e) => e.code(),
            CoreError::DiskFull => ErrorCode::DiskFull,
            CoreError::Database(_) => ErrorCode::Database,
            CoreError::Report(e) => e.code(),
            CoreError::Io(_) => ErrorCode::Io,
        }
    }

    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        CoreError::Rule(RuleError::invalid(field, message))
    }

    pub fn not_found(entity: &'static str, id: impl Into<String>) -> Self {
        CoreError::Rule(RuleError::not_found(entity, id))
    }

    pub fn too_long(field: &'static str, actual: usize, limit: usize) -> Self {
        CoreError::Rule(RuleError::TooLong { field, actual, limit })
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        CoreError::Rule(RuleError::Forbidden(message.into()))
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
