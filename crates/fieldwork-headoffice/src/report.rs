//! The service report at head office: the same PDF the technician's laptop prints, made from
//! head office's own copy of the job. The job record is mapped onto the core's
//! [`JobDetail`] so `fieldwork-report` fills the report exactly as it does on a device; the
//! photo and signature bytes come from the blob store. A photo or signature whose file has not
//! been uploaded yet is printed as a labelled placeholder, never an error: a dispatcher can
//! hand out a report while the laptop is still sending its pictures.

use chrono::{FixedOffset, Utc};
use fieldwork_domain::domain::JobDetail;
use fieldwork_report::{
    CompanyHeader, JobReportOptions, Lang, RenderOptions, ReportPhoto, ReportSignature, from_job,
};

use crate::blobs::Blobs;
use crate::error::{Error, Result};
use crate::store::{HeadOfficeStore, JobRecord};

/// The company printed on reports and the currency of their amounts (head office's settings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportHeader {
    pub company_name: String,
    /// Address and phone on one line.
    pub company_address: String,
    /// ISO 4217 code printed after amounts.
    pub currency: String,
}

impl Default for ReportHeader {
    fn default() -> Self {
        ReportHeader {
            company_name: String::from("Fieldwork Home Services"),
            company_address: String::new(),
            currency: String::from("CNY"),
        }
    }
}

/// A rendered report and the name to save it under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceReport {
    pub pdf: Vec<u8>,
    /// `WO-2026-000123.pdf` (only characters safe in a Content-Disposition header).
    pub file_name: String,
}

/// Longest offset from UTC a reader can be in, in minutes (UTC−12 … UTC+14).
const MAX_OFFSET_MINUTES: i32 = 14 * 60;

/// The reader's offset from UTC in minutes (east positive), checked.
pub fn utc_offset(minutes: Option<i32>) -> Result<FixedOffset> {
    let minutes = minutes.unwrap_or(0);
    if !(-MAX_OFFSET_MINUTES..=MAX_OFFSET_MINUTES).contains(&minutes) {
        return Err(Error::invalid("tz is the offset from UTC in minutes, −840 to 840"));
    }
    FixedOffset::east_opt(minutes * 60).ok_or_else(|| Error::invalid("tz is out of range"))
}

/// The job record as the core's job detail: time entries in force only, the last rating, the
/// chargeable total. Head office keeps no "history" of earlier jobs here; the report does not
/// print it.
pub fn job_detail(record: &JobRecord) -> JobDetail {
    let replaced: std::collections::HashSet<&str> =
        record.time_entries.iter().filter_map(|t| t.supersedes.as_deref()).collect();
    let time_entries =
        record.time_entries.iter().filter(|t| !replaced.contains(t.id.as_str())).cloned().collect();
    JobDetail {
        work_order: record.work_order.clone(),
        job_type: record.job_type.clone(),
        customer: record.customer.clone(),
        site: record.site.clone(),
        equipment: record.equipment.clone(),
        assignee: record.assignee.clone(),
        checklist: record.checklist.clone(),
        notes: record.notes.clone(),
        parts: record.parts.clone(),
        time_entries,
        feedback: record.feedback.last().cloned(),
        photos: record.photos.clone(),
        signatures: record.signatures.clone(),
        status_history: record.status_history.clone(),
        chargeable_parts_total_cents: record
            .parts
            .iter()
            .filter(|p| p.chargeable)
            .map(|p| p.line_total_cents)
            .sum(),
        history: Vec::new(),
    }
}

/// A blob's bytes, or nothing when head office does not have it (yet).
async fn blob_or_nothing(blobs: &Blobs, sha: &str, what: &str) -> Vec<u8> {
    match blobs.get(sha).await {
        Ok(bytes) => bytes.to_vec(),
        Err(Error::NotFound) => Vec::new(),
        Err(e) => {
            tracing::warn!(sha256 = %sha, error = %e, "{what} unreadable; the report shows a placeholder");
            Vec::new()
        }
    }
}

/// `WO-2026-000123.pdf`: the job number with anything but letters, digits, `-` and `_`
/// replaced, so the header cannot be broken by a strange number.
pub fn file_name(job_number: &str) -> String {
    let safe: String = job_number
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' })
        .collect();
    format!("{}.pdf", if safe.is_empty() { "service-report".to_owned() } else { safe })
}

/// Renders the service report of job `id` in `lang`, with times in `utc_offset`. The PDF is
/// drawn on the blocking pool: it is CPU work (fonts, photo scaling) that must not hold an
/// async worker.
pub async fn service_report(
    store: &dyn HeadOfficeStore,
    blobs: &Blobs,
    id: &str,
    lang: Lang,
    utc_offset: FixedOffset,
) -> Result<ServiceReport> {
    let record = store.job(id).await?;
    let header = store.report_header().await?;
    let mut photos = Vec::with_capacity(record.photos.len());
    for p in &record.photos {
        photos.push(ReportPhoto {
            jpeg: blob_or_nothing(blobs, &p.sha256, "photo").await,
            kind: p.kind,
            caption: p.caption.clone(),
        });
    }
    let signature = match record.signatures.iter().rev().find(|s| !s.superseded) {
        Some(s) => Some(ReportSignature {
            png: match &s.png_sha256 {
                Some(sha) => blob_or_nothing(blobs, sha, "signature").await,
                None => Vec::new(),
            },
            signer_name: s.signer_name.clone(),
            signed_at: s.signed_at,
            statement: s.statement.clone().unwrap_or_default(),
            changed_after_signing: s.changed_after_signing,
        }),
        None => None,
    };
    let file_name = file_name(&record.work_order.number);
    let detail = job_detail(&record);
    let company = CompanyHeader { name: header.company_name, address_line: header.company_address };
    let opts = JobReportOptions { lang, currency: header.currency, generated_at: Utc::now() };
    let pdf = tokio::task::spawn_blocking(move || {
        let input = from_job(&detail, &company, &opts, photos, signature);
        fieldwork_report::render(&input, &RenderOptions { utc_offset, ..RenderOptions::default() })
    })
    .await?
    .map_err(|e| Error::Internal(format!("service report: {e}")))?;
    Ok(ServiceReport { pdf, file_name })
}
