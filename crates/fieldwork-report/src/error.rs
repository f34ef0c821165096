//! The report's error type. Bad text, photos or signatures never end here: they are drawn as
//! well as they can be (a placeholder for a picture that cannot be read), because a customer's
//! report must still come out. Only a failure to write the PDF itself does (reading the job is
//! the caller's: the device store's `fieldwork_core::report::render_job`, or head office).

use fieldwork_domain::ErrorCode;

/// Errors raised while making a service report.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The embedded fonts could not be read (a broken build, never bad input).
    #[error("the report font cannot be read: {0}")]
    Font(String),

    /// The PDF writer refused the document.
    #[error("the report could not be written as PDF: {0}")]
    Pdf(String),
}

impl ReportError {
    /// A stable, lowercase code for programs (`{code, message}` on every boundary).
    pub fn code(&self) -> ErrorCode {
        match self {
            ReportError::Font(_) => ErrorCode::ReportFont,
            ReportError::Pdf(_) => ErrorCode::ReportPdf,
        }
    }
}
