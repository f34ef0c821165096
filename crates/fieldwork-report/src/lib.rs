//! Fieldwork service report: the PDF a customer keeps after a visit.
//!
//! [`render`] is pure: a [`ReportInput`] (plain data, see [`input`]) in, PDF bytes out; no
//! store, no files, no network, no installed fonts (they are compiled in). [`from_job`] fills a
//! `ReportInput` from the domain's [`JobDetail`](fieldwork_domain::domain::JobDetail); the
//! caller passes the photo and signature bytes it read. The dependency direction is
//! device store (`fieldwork-core`, whose `report::render_job` reads a job from the store) and
//! head office → fieldwork-report → fieldwork-domain: the report links no store.
//!
//! ```no_run
//! # fn demo(detail: &fieldwork_domain::domain::JobDetail) -> Result<(), fieldwork_report::ReportError> {
//! use fieldwork_report::{CompanyHeader, JobReportOptions, Lang, RenderOptions, from_job, render};
//! let company = CompanyHeader { name: "Acme Service".into(), address_line: "1 Main St · 555-0100".into() };
//! let opts = JobReportOptions { lang: Lang::Zh, currency: "CNY".into(), ..JobReportOptions::default() };
//! let input = from_job(detail, &company, &opts, Vec::new(), None);
//! let pdf: Vec<u8> = render(&input, &RenderOptions::default())?;
//! # Ok(()) }
//! ```

mod compose;
mod error;
mod fonts;
mod images;
pub mod input;
mod job;
mod labels;
mod layout;
mod pdf;

pub use error::ReportError;
pub use input::{
    ChecklistLine, CompanyHeader, EquipmentInfo, Lang, PartLine, Party, Rating, RenderOptions,
    ReportInput, ReportPhoto, ReportSignature, SignatureBlock, TimeLine,
};
pub use job::{JobReportOptions, from_job, signature_block};

use krilla::image::Image;

/// Renders the service report as an A4 PDF.
///
/// Never panics on odd input: any text (very long, emoji, control characters, right-to-left)
/// is printed as well as the fonts allow, and a photo or signature that cannot be read becomes
/// a labelled placeholder. Errors only when the PDF itself cannot be written.
pub fn render(report: &ReportInput, opts: &RenderOptions) -> Result<Vec<u8>, ReportError> {
    let metrics = fonts::fonts()?;
    let l = labels::labels(report.lang);

    // Pictures first: their sizes decide the layout.
    let sources: Vec<&[u8]> = report.photos.iter().map(|p| p.jpeg.as_slice()).collect();
    let prepared = images::prepare_photos(&sources, opts.photo_max_px, opts.photo_quality);
    let mut photo_sizes = Vec::with_capacity(prepared.len());
    let mut photo_images = Vec::with_capacity(prepared.len());
    for p in prepared {
        let img = p.as_ref().and_then(|p| Image::from_jpeg(p.bytes.clone().into(), true).ok());
        photo_sizes.push(img.as_ref().and(p.as_ref()).map(|p| (p.width, p.height)));
        photo_images.push(img);
    }
    let (signature_image, signature_size) = match &report.signature {
        SignatureBlock::Signed(sig) => match images::prepare_signature(&sig.png) {
            Some(s) => {
                let size = (s.width, s.height);
                (Some(Image::from_rgba8(s.rgba, s.width, s.height)), Some(size))
            }
            None => (None, None),
        },
        SignatureBlock::Absent { .. } => (None, None),
    };

    let ctx = compose::Context {
        input: report,
        l,
        tz: opts.utc_offset,
        photo_sizes: &photo_sizes,
        signature_size,
    };
    let mut pages = layout::Pages::new(metrics);
    compose::compose(&mut pages, &ctx);

    let info = pdf::DocInfo {
        title: format!("{} {}", l.title, report.job_number),
        language: match report.lang {
            Lang::En => "en",
            Lang::Zh => "zh-Hans",
        },
        footer_left: compose::footer_text(&ctx),
        page_label: l.page,
    };
    let pictures = pdf::Pictures { photos: photo_images, signature: signature_image };
    pdf::write(metrics, &pages.pages, &pictures, &info)
}
