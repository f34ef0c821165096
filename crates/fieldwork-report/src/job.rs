//! From the core's [`JobDetail`] to a [`ReportInput`]: picks the labels in the report's
//! language, formats checklist answers, and finds when the job was completed. Photo and
//! signature bytes are read by the caller (from the store's media) and passed in, so this
//! crate does not depend on how media is stored.

use chrono::{DateTime, Utc};
use fieldwork_domain::domain::{ChecklistValue, JobDetail, JobStatus, SignatureRef, Site};

use crate::input::{
    ChecklistLine, CompanyHeader, EquipmentInfo, Lang, PartLine, Party, Rating, ReportInput,
    ReportPhoto, ReportSignature, SignatureBlock, TimeLine,
};
use crate::labels;

/// Choices for a report made from a job.
#[derive(Debug, Clone, PartialEq)]
pub struct JobReportOptions {
    pub lang: Lang,
    /// ISO currency code printed after amounts (the store's `currency()`).
    pub currency: String,
    /// When the report is made (printed in the footer).
    pub generated_at: DateTime<Utc>,
}

impl Default for JobReportOptions {
    fn default() -> Self {
        JobReportOptions { lang: Lang::En, currency: String::from("CNY"), generated_at: Utc::now() }
    }
}

/// The site's address on one line, with the city and postal code unless the address already
/// names them.
fn site_address(site: &Site) -> String {
    let mut out = site.address.trim().to_owned();
    for extra in [Some(site.city.as_str()), site.postal_code.as_deref()].into_iter().flatten() {
        let extra = extra.trim();
        if !extra.is_empty() && !out.contains(extra) {
            if !out.is_empty() {
                out.push_str(", ");
            }
            out.push_str(extra);
        }
    }
    out
}

fn number(n: f64) -> String {
    let s = format!("{n:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// Builds the report's content from a job. `signature` is the job's latest signature, if any;
/// without one the report shows the recorded reason for its absence.
pub fn from_job(
    detail: &JobDetail,
    company: &CompanyHeader,
    opts: &JobReportOptions,
    photos: Vec<ReportPhoto>,
    signature: Option<ReportSignature>,
) -> ReportInput {
    let lang = opts.lang;
    let l = labels::labels(lang);
    let wo = &detail.work_order;
    let pick = |en: &str, zh: &str| -> String {
        if lang == Lang::Zh && !zh.trim().is_empty() { zh.to_owned() } else { en.to_owned() }
    };
    let checklist = detail
        .checklist
        .iter()
        .map(|a| ChecklistLine {
            label: pick(&a.label, &a.label_zh),
            value: match &a.value {
                None => String::from("—"),
                Some(ChecklistValue::Checkbox(true)) => l.yes.to_owned(),
                Some(ChecklistValue::Checkbox(false)) => l.no.to_owned(),
                Some(ChecklistValue::Number(n)) => match a.unit.as_deref() {
                    Some(u) if !u.is_empty() => format!("{} {u}", number(*n)),
                    _ => number(*n),
                },
                Some(ChecklistValue::Choice(s) | ChecklistValue::Text(s)) => s.clone(),
            },
        })
        .collect();
    let completed_at = detail
        .status_history
        .iter()
        .filter(|s| s.to_status == JobStatus::Completed)
        .map(|s| s.at)
        .max();
    let site_addr = site_address(&detail.site);
    ReportInput {
        lang,
        company: company.clone(),
        job_number: wo.number.clone(),
        job_type: pick(&detail.job_type.name, &detail.job_type.name_zh),
        priority: wo.priority,
        status: wo.status,
        reported_at: wo.reported_at,
        appointment_start: wo.appointment_start,
        appointment_end: wo.appointment_end,
        completed_at,
        technician: detail.assignee.as_ref().map(|t| t.name.clone()),
        customer: Party {
            name: detail.customer.name.clone(),
            phone: match detail.customer.alt_phone.as_deref().map(str::trim) {
                Some(alt) if !alt.is_empty() => format!("{} / {alt}", detail.customer.phone),
                _ => detail.customer.phone.clone(),
            },
            address: site_addr.clone(),
        },
        site: Party {
            name: detail.site.contact_name.clone().unwrap_or_default(),
            phone: detail.site.contact_phone.clone().unwrap_or_default(),
            address: site_addr,
        },
        equipment: detail.equipment.as_ref().map(|e| EquipmentInfo {
            brand: e.brand.clone(),
            model: e.model.clone(),
            serial: e.serial.clone(),
        }),
        warranty: wo.warranty_status,
        reported_problem: wo.reported_problem.clone(),
        diagnosis: wo.diagnosis.clone(),
        resolution: wo.resolution.clone(),
        checklist,
        currency: opts.currency.clone(),
        parts: detail
            .parts
            .iter()
            .map(|p| PartLine {
                part_no: p.part_no.clone(),
                description: p.description.clone(),
                quantity: p.quantity,
                unit_price_cents: p.unit_price_cents,
                chargeable: p.chargeable,
                line_total_cents: p.line_total_cents,
            })
            .collect(),
        time_entries: detail
            .time_entries
            .iter()
            .map(|t| TimeLine {
                kind: t.kind,
                started_at: t.started_at,
                ended_at: t.ended_at,
                minutes: t.minutes,
            })
            .collect(),
        photos,
        signature: match signature {
            Some(s) => SignatureBlock::Signed(s),
            None => SignatureBlock::Absent { reason: wo.signature_absence_reason.clone() },
        },
        rating: detail
            .feedback
            .as_ref()
            .map(|f| Rating { stars: f.rating, comment: f.comment.clone() }),
        generated_at: opts.generated_at,
    }
}

/// A recorded signature as the report prints it, with its picture (`png`; empty when the
/// signature was recorded without one or the picture is not at hand).
pub fn signature_block(s: &SignatureRef, png: Vec<u8>) -> ReportSignature {
    ReportSignature {
        png,
        signer_name: s.signer_name.clone(),
        signed_at: s.signed_at,
        statement: s.statement.clone().unwrap_or_default(),
        changed_after_signing: s.changed_after_signing,
    }
}
