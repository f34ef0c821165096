//! A domain rule refused its input. Every error has a stable machine code (`code()`, one of
//! [`ErrorCode`]) and a human sentence (`Display`). The device's store wraps it in its own
//! error (`fieldwork_core::RuleError::Rule`); head office maps it onto its HTTP answers.

use crate::error_code::ErrorCode;
use crate::lifecycle::{Missing, Move};

/// What a rule of the domain refused. None of them is a panic: bad input always ends here.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RuleError {
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
}

impl RuleError {
    /// A stable, lowercase code for programs (`{code, message}` on every boundary).
    pub fn code(&self) -> ErrorCode {
        match self {
            RuleError::NotFound { .. } => ErrorCode::NotFound,
            RuleError::TransitionNotAllowed { .. } => ErrorCode::TransitionNotAllowed,
            RuleError::ReasonRequired { .. } => ErrorCode::ReasonRequired,
            RuleError::CompletionBlocked { .. } => ErrorCode::CompletionBlocked,
            RuleError::Invalid { .. } => ErrorCode::Invalid,
            RuleError::TooLong { .. } => ErrorCode::TooLong,
            RuleError::Forbidden(_) => ErrorCode::Forbidden,
        }
    }

    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        RuleError::Invalid { field, message: message.into() }
    }

    pub fn not_found(entity: &'static str, id: impl Into<String>) -> Self {
        RuleError::NotFound { entity, id: id.into() }
    }
}

impl From<serde_json::Error> for RuleError {
    fn from(e: serde_json::Error) -> Self {
        RuleError::invalid("json", e.to_string())
    }
}

pub type Result<T, E = RuleError> = std::result::Result<T, E>;

fn list_or_none(moves: &[Move]) -> String {
    if moves.is_empty() {
        return String::from("none");
    }
    moves.iter().map(|m| m.to.as_str()).collect::<Vec<_>>().join(", ")
}

fn missing_sentence(missing: &[Missing]) -> String {
    missing.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
}
