//! The signed facts of a job in the device's store: its records loaded
//! ([`super::queries::job_records`]) and summarised by the shared code in [`crate::signed`]
//! (re-exported here for callers that name it by this path).

use rusqlite::Connection;

use super::queries::StoredJob;
use crate::error::Result;
pub use crate::signed::{SignedFacts, SignedPart, SignedSpan};

/// SHA-256 (lowercase hex) of the job's signed facts as they are now.
pub(crate) fn summary_sha256(conn: &Connection, job: &StoredJob) -> Result<String> {
    Ok(super::queries::job_records(conn, job)?.signed_facts_sha256()?)
}
