//! What a customer's signature covers: a canonical summary of the job's signed facts — the
//! resolution, the checklist answers, the parts and the time — and its SHA-256. The hash is
//! recorded when the customer signs and recomputed whenever the job is read; if they differ,
//! something changed after signing and the job needs a new signature.
//!
//! Canonical means: fixed field order (structs, never maps), lists sorted, instants as integer
//! milliseconds, text as stored. The time of a job still in progress includes the labour span
//! that is open (from when work started), written exactly as the derived entry that completing
//! or pausing the job will record, so completing right after signing changes nothing.

use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;

use super::queries::StoredJob;
use crate::domain::{ChecklistValue, JobStatus};
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

#[derive(Serialize)]
struct PartLine {
    id: String,
    part_no: String,
    description: String,
    quantity: f64,
    unit_price_cents: i64,
    chargeable: bool,
}

/// A span of time as signed. Derived spans are written without their end: the end of the span
/// that is open when the customer signs is only known when work stops.
#[derive(Serialize)]
struct Span {
    kind: String,
    source: String,
    started_at: i64,
    ended_at: Option<i64>,
}

/// The canonical summary text of a job's signed facts.
pub(crate) fn summary_text(conn: &Connection, job: &StoredJob) -> Result<String> {
    let seq = job.seq;
    let mut checklist = Vec::new();
    {
        let mut stmt = conn.prepare_cached(
            "SELECT item_key, value FROM checklist_answers WHERE job_seq = ?1 ORDER BY item_key",
        )?;
        let rows =
            stmt.query_map([seq], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        for row in rows {
            let (item, raw) = row?;
            // Re-serialised from the typed value, so equal answers always read the same.
            let text = match serde_json::from_str::<ChecklistValue>(&raw) {
                Ok(value) => serde_json::to_string(&Answer { item: &item, value })?,
                Err(_) => format!("{item}={raw}"),
            };
            checklist.push(text);
        }
    }
    let mut parts = conn
        .prepare_cached(
            "SELECT id, part_no, description, quantity, unit_price_cents, chargeable
             FROM parts_used WHERE job_seq = ?1",
        )?
        .query_map([seq], |r| {
            Ok(PartLine {
                id: r.get(0)?,
                part_no: r.get(1)?,
                description: r.get(2)?,
                quantity: r.get(3)?,
                unit_price_cents: r.get(4)?,
                chargeable: r.get(5)?,
            })
        })?
        .map(|p| Ok(serde_json::to_string(&p?)?))
        .collect::<Result<Vec<String>>>()?;
    parts.sort();
    let mut time = conn
        .prepare_cached(
            "SELECT kind, source, started_at, ended_at FROM time_entries te WHERE job_seq = ?1
             AND NOT EXISTS (SELECT 1 FROM time_entries n
                             WHERE n.job_seq = te.job_seq AND n.supersedes = te.id)",
        )?
        .query_map([seq], |r| {
            let source: String = r.get(1)?;
            let derived = source == "derived";
            Ok(Span {
                kind: r.get(0)?,
                started_at: r.get(2)?,
                ended_at: if derived { None } else { Some(r.get(3)?) },
                source,
            })
        })?
        .map(|s| Ok(serde_json::to_string(&s?)?))
        .collect::<Result<Vec<String>>>()?;
    if job.order.status == JobStatus::InProgress {
        let started: Option<i64> = conn
            .prepare_cached(
                "SELECT at FROM status_changes WHERE job_seq = ?1 AND to_status = 'in_progress'
                 ORDER BY hlc DESC LIMIT 1",
            )?
            .query_row([seq], |r| r.get(0))
            .optional()?;
        if let Some(started_at) = started {
            time.push(serde_json::to_string(&Span {
                kind: String::from("labour"),
                source: String::from("derived"),
                started_at,
                ended_at: None,
            })?);
        }
    }
    time.sort();
    let summary = Summary {
        version: SUMMARY_VERSION,
        job_id: &job.order.id,
        resolution: job.order.resolution.as_deref().map(str::trim).filter(|r| !r.is_empty()),
        checklist,
        parts,
        time,
    };
    Ok(serde_json::to_string(&summary)?)
}

/// SHA-256 (lowercase hex) of the job's signed facts as they are now.
pub(crate) fn summary_sha256(conn: &Connection, job: &StoredJob) -> Result<String> {
    Ok(crate::media::sha256_hex(summary_text(conn, job)?.as_bytes()))
}
