//! A job's service report straight from the device's store: the job, its photos and the
//! signature in force read here, laid out and written as PDF by `fieldwork-report` (which knows
//! no store, so head office renders the same report from its own records).

use fieldwork_report::{
    CompanyHeader, JobReportOptions, RenderOptions, ReportPhoto, from_job, render, signature_block,
};

use crate::error::Result;
use crate::store::Store;

/// Renders the report of `job` (id or number) straight from the store: the job, its photos in
/// the order taken and the signature in force, with the store's currency. Reading the photos
/// checks them against their hashes ([`Store::job_media`]).
pub fn render_job(
    store: &Store,
    job: &str,
    company: &CompanyHeader,
    job_opts: &JobReportOptions,
    opts: &RenderOptions,
) -> Result<Vec<u8>> {
    let detail = store.job_detail(job)?;
    let media = store.job_media(job)?;
    let photos = media
        .photos
        .into_iter()
        .map(|f| ReportPhoto { jpeg: f.jpeg, kind: f.photo.kind, caption: f.photo.caption })
        .collect();
    // The signature in force, with its picture when it has one (some are recorded without).
    let signature = match media.signature {
        Some(f) => Some(signature_block(&f.signature, f.png)),
        None => detail
            .signatures
            .iter()
            .rev()
            .find(|s| !s.superseded)
            .map(|s| signature_block(s, Vec::new())),
    };
    let job_opts = JobReportOptions { currency: store.currency()?, ..job_opts.clone() };
    let input = from_job(&detail, company, &job_opts, photos, signature);
    Ok(render(&input, opts)?)
}
