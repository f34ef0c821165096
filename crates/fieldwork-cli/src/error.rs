//! The CLI's error: the core's and the report's errors as they are, plus the one failure only
//! the CLI has, a file the user named that cannot be written. Every variant has a stable
//! `code()` so `--json` callers get `{code, message}` like everywhere else.

use fieldwork_core::{CoreError, ErrorCode};
use fieldwork_report::ReportError;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Core(#[from] CoreError),

    #[error(transparent)]
    Report(#[from] ReportError),

    #[error(transparent)]
    Sync(#[from] fieldwork_sync::engine::SyncError),

    /// The `--out` file cannot be written (missing folder, a folder in its place, no
    /// permission). Nothing was written.
    #[error("cannot write {path}: {detail} (nothing was written)")]
    Output { path: String, detail: String },
}

/// A domain rule refused (parsing a status, a limit): the core's error, as everywhere else.
impl From<fieldwork_core::RuleError> for CliError {
    fn from(e: fieldwork_core::RuleError) -> Self {
        CliError::Core(CoreError::Rule(e))
    }
}

impl CliError {
    /// A stable, lowercase code for programs.
    pub fn code(&self) -> ErrorCode {
        match self {
            CliError::Core(e) => e.code(),
            CliError::Report(e) => e.code(),
            CliError::Sync(e) => e.code(),
            CliError::Output { .. } => ErrorCode::OutputUnusable,
        }
    }
}
