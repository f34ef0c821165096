//! What a customer's signature covers: a canonical summary of the job's signed facts — the
//! resolution, the checklist answers, the parts and the time — and its SHA-256. The hash is
//! recorded when the customer signs and recomputed whenever the job is read; if they differ,
//! something changed after signing and the job needs a new signature.
//!
//! Canonical means: fixed field order (structs, never maps), lists sorted, instants as integer
//! milliseconds, text as stored. The time of a job still in progress includes the labour span
//! that is open (from when work started), written exactly as the derived entry that completing
//! or pausing the job will record, so completing right after signing changes nothing.
//!
//! [`SignedFacts`] is the summary's input as plain data, made from a job's records by
//! [`SignedFacts::from_records`] (through [`crate::completion::JobRecords::signed_facts`]): the
//! device loads the records from its store and head office from its own copy of the job, and
//! both compute the same hash from the same facts with this one code. Pure: no storage.

use serde::Serialize;

use crate::domain::{
    ChecklistValue, JobStatus, PartUsed, TimeEntry, TimeEntryKind, TimeEntrySource, WorkOrder,
};
use crate::error::Result;

/// Version tag of the summary format, part of what is hashed.
const SUMMARY_VERSION: &str = "fieldwork-signed-facts-v1";

#[derive(Serialize)]
struct Summary<'a> {
    version: &'a str,
    job_id: &'a str,
    resolution: Option<&'a str>,
    checklist: Vec<String>,
    parts: Vec<String>,
    time: Vec<String>,
}

#[derive(Serialize)]
struct Answer<'a> {
    item: &'a str,
    value: ChecklistValue,
}

/// One part line as signed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SignedPart {
    pub id: String,
    pub part_no: String,
    pub description: String,
    pub quantity: f64,
    pub unit_price_cents: i64,
    pub chargeable: bool,
}

impl From<&PartUsed> for SignedPart {
    fn from(p: &PartUsed) -> SignedPart {
        SignedPart {
            id: p.id.clone(),
            part_no: p.part_no.clone(),
            description: p.description.clone(),
            quantity: p.quantity,
            unit_price_cents: p.unit_price_cents,
            chargeable: p.chargeable,
        }
    }
}

/// One span of time in force (not replaced by a correction), as signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedSpan {
    /// `travel` or `labour`.
    pub kind: String,
    /// `derived` or `manual`.
    pub source: String,
    /// Milliseconds since the epoch.
    pub started_at_ms: i64,
    pub ended_at_ms: i64,
}

impl From<&TimeEntry> for SignedSpan {
    fn from(t: &TimeEntry) -> SignedSpan {
        SignedSpan {
            kind: t.kind.as_str().to_owned(),
            source: t.source.as_str().to_owned(),
            started_at_ms: t.started_at.timestamp_millis(),
            ended_at_ms: t.ended_at.timestamp_millis(),
        }
    }
}

/// A span of time as written into the summary. Derived spans are written without their end:
/// the end of the span that is open when the customer signs is only known when work stops.
#[derive(Serialize)]
struct Span {
    kind: String,
    source: String,
    started_at: i64,
    ended_at: Option<i64>,
}

/// The facts a customer's signature covers, as plain data, so a copy of the job kept anywhere
/// (the device's store, head office's) hashes to the same value when the facts are the same.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SignedFacts {
    pub job_id: String,
    /// The resolution as stored (trimmed when hashed; empty counts as none).
    pub resolution: Option<String>,
    /// Answered checklist items: the item key and the answer's stored JSON (`ChecklistValue`).
    pub checklist: Vec<(String, String)>,
    pub parts: Vec<SignedPart>,
    /// The time entries in force (corrections replace the entries they name).
    pub time: Vec<SignedSpan>,
    /// While the job is in progress: when work last started (ms), the labour span still open.
    pub open_labour_since_ms: Option<i64>,
}

impl SignedFacts {
    /// The signed facts of a job from its records: every time entry of the job (the ones
    /// replaced by a correction are left out here), its part lines in force (withdrawn ones
    /// already left out by the caller), its answered checklist items, and — for a job in
    /// progress — when work last started.
    ///
    /// The labour span open since `in_progress_since` is left out when the derived entry that
    /// closes it is already recorded: a device records (and pushes) that entry just before the
    /// move that ends the work, so head office holds it while the job is still in progress,
    /// and the span must not count twice.
    pub fn from_records(
        job: &WorkOrder,
        checklist: Vec<(String, String)>,
        parts: &[PartUsed],
        time_entries: &[TimeEntry],
        in_progress_since: Option<chrono::DateTime<chrono::Utc>>,
    ) -> SignedFacts {
        let replaced: std::collections::HashSet<&str> =
            time_entries.iter().filter_map(|t| t.supersedes.as_deref()).collect();
        let time: Vec<SignedSpan> = time_entries
            .iter()
            .filter(|t| !replaced.contains(t.id.as_str()))
            .map(SignedSpan::from)
            .collect();
        let open_labour_since_ms = (job.status == JobStatus::InProgress)
            .then_some(in_progress_since)
            .flatten()
            .map(|at| at.timestamp_millis())
            .filter(|since| {
                !time_entries.iter().any(|t| {
                    t.kind == TimeEntryKind::Labour
                        && t.source == TimeEntrySource::Derived
                        && t.started_at.timestamp_millis() == *since
                })
            });
        SignedFacts {
            job_id: job.id.clone(),
            resolution: job.resolution.clone(),
            checklist,
            parts: parts.iter().map(SignedPart::from).collect(),
            time,
            open_labour_since_ms,
        }
    }

    /// The canonical summary text: fixed field order, lists sorted, instants as integer
    /// milliseconds, text as stored.
    pub fn summary_text(&self) -> Result<String> {
        let mut checklist = Vec::with_capacity(self.checklist.len());
        let mut answers: Vec<&(String, String)> = self.checklist.iter().collect();
        answers.sort_by(|a, b| a.0.cmp(&b.0));
        for (item, raw) in answers {
            // Re-serialised from the typed value, so equal answers always read the same.
            let text = match serde_json::from_str::<ChecklistValue>(raw) {
                Ok(value) => serde_json::to_string(&Answer { item, value })?,
                Err(_) => format!("{item}={raw}"),
            };
            checklist.push(text);
        }
        let mut parts =
            self.parts.iter().map(serde_json::to_string).collect::<serde_json::Result<Vec<_>>>()?;
        parts.sort();
        let mut time = self
            .time
            .iter()
            .map(|s| {
                let derived = s.source == "derived";
                serde_json::to_string(&Span {
                    kind: s.kind.clone(),
                    source: s.source.clone(),
                    started_at: s.started_at_ms,
                    ended_at: if derived { None } else { Some(s.ended_at_ms) },
                })
            })
            .collect::<serde_json::Result<Vec<_>>>()?;
        if let Some(started_at) = self.open_labour_since_ms {
            time.push(serde_json::to_string(&Span {
                kind: String::from("labour"),
                source: String::from("derived"),
                started_at,
                ended_at: None,
            })?);
        }
        time.sort();
        let summary = Summary {
            version: SUMMARY_VERSION,
            job_id: &self.job_id,
            resolution: self.resolution.as_deref().map(str::trim).filter(|r| !r.is_empty()),
            checklist,
            parts,
            time,
        };
        Ok(serde_json::to_string(&summary)?)
    }

    /// SHA-256 (lowercase hex) of [`SignedFacts::summary_text`]: what a signature records and
    /// what "changed after signing" compares against.
    pub fn sha256(&self) -> Result<String> {
        Ok(crate::ids::sha256_hex(self.summary_text()?.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;

    fn entry(id: &str, source: TimeEntrySource, supersedes: Option<&str>, end: i64) -> TimeEntry {
        TimeEntry {
            id: id.into(),
            job_id: "job-1".into(),
            kind: TimeEntryKind::Labour,
            started_at: Utc.timestamp_millis_opt(1_000).unwrap(),
            ended_at: Utc.timestamp_millis_opt(end).unwrap(),
            minutes: 1,
            source,
            supersedes: supersedes.map(str::to_owned),
            created_at: Utc.timestamp_millis_opt(1_000).unwrap(),
        }
    }

    #[test]
    fn facts_hash_the_same_whatever_order_the_records_come_in() {
        let a = SignedFacts {
            job_id: "job-1".into(),
            resolution: Some(" Replaced the pump ".into()),
            checklist: vec![
                ("b".into(), r#"{"kind":"checkbox","value":true}"#.into()),
                ("a".into(), r#"{"kind":"number","value":230.0}"#.into()),
            ],
            parts: vec![],
            time: vec![],
            open_labour_since_ms: None,
        };
        let mut b = a.clone();
        b.checklist.reverse();
        b.resolution = Some("Replaced the pump".into());
        assert_eq!(a.sha256().unwrap(), b.sha256().unwrap());
        b.resolution = Some("Replaced the valve".into());
        assert_ne!(a.sha256().unwrap(), b.sha256().unwrap());
    }

    #[test]
    fn a_corrected_entry_is_replaced_and_a_derived_end_is_not_signed() {
        let job: WorkOrder = serde_json::from_value(serde_json::json!({
            "id": "job-1", "number": "WO-2026-000001", "job_type_id": "jt", "priority": "normal",
            "status": "completed", "customer_id": "c", "site_id": "s", "equipment_id": null,
            "reported_problem": "p", "reported_at": "2026-01-01T00:00:00Z",
            "appointment_start": null, "appointment_end": null, "assignee_id": null,
            "owner_dispatcher": "d", "ack_due_at": "2026-01-01T00:30:00Z",
            "due_at": "2026-01-03T00:00:00Z", "complete_due_at": null,
            "warranty_status": "in_warranty", "chargeable": false, "diagnosis": null,
            "resolution": "done", "signature_absence_reason": null, "return_of": null,
            "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"
        }))
        .unwrap();
        let derived = |end| entry("t1", TimeEntrySource::Derived, None, end);
        let early = SignedFacts::from_records(&job, vec![], &[], &[derived(5_000)], None);
        let late = SignedFacts::from_records(&job, vec![], &[], &[derived(9_000)], None);
        assert_eq!(early.sha256().unwrap(), late.sha256().unwrap());
        let corrected = SignedFacts::from_records(
            &job,
            vec![],
            &[],
            &[derived(5_000), entry("t2", TimeEntrySource::Manual, Some("t1"), 4_000)],
            None,
        );
        assert_eq!(corrected.time.len(), 1);
        assert_eq!(corrected.time[0].source, "manual");
        assert_ne!(corrected.sha256().unwrap(), early.sha256().unwrap());
    }
}
