//! The report the app hands over, made straight from a real store: a seeded job with imported
//! camera photos and a signature, through `render_job` (the core's `job_detail` and
//! `job_media`), read back with poppler.

// Helpers may unwrap: a failing unwrap is a failing test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;

use chrono::{FixedOffset, Utc};
use fieldwork_core::domain::{JobStatus, PhotoKind};
use fieldwork_core::report::render_job;
use fieldwork_core::seed::{self, SeedOptions};
use fieldwork_core::store::{NewPart, NewSignature};
use fieldwork_core::{Actor, JobFilter, Store};
use fieldwork_report::{CompanyHeader, JobReportOptions, Lang, RenderOptions};
use image::{ImageEncoder, Rgba, RgbaImage};

fn signature_png() -> Vec<u8> {
    let mut img = RgbaImage::from_pixel(300, 100, Rgba([0, 0, 0, 0]));
    for x in 10..290 {
        img.put_pixel(x, 50 + (x % 20), Rgba([0, 0, 0, 255]));
    }
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(img.as_raw(), 300, 100, image::ExtendedColorType::Rgba8)
        .unwrap();
    out
}

fn poppler(pdf: &[u8], tool: &str, extra: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new(tool)
        .arg(&path)
        .args(extra)
        .output()
        .unwrap_or_else(|e| panic!("{tool} is needed (Debian package poppler-utils): {e}"));
    assert!(out.status.success(), "{tool}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Yesterday at noon (UTC): a seed for that day has jobs in every status whatever the hour the
/// test runs (seeded for today before the working day begins, nothing is in progress yet).
fn settled_now() -> chrono::DateTime<Utc> {
    let yesterday = Utc::now().date_naive() - chrono::Days::new(1);
    yesterday.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc()
}

#[test]
fn a_job_from_the_store_reports_its_photos_signature_and_later_changes() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::init(dir.path()).unwrap();
    let now = settled_now();
    seed::seed(&mut store, &SeedOptions { jobs: 40, seed: 11, today: now.date_naive(), now })
        .unwrap();
    store.set_actor(Actor::dispatcher("report test"));
    let job = store
        .list_jobs(&JobFilter::Status(JobStatus::InProgress), Some(1))
        .unwrap()
        .pop()
        .expect("the seed has a job in progress");
    let camera = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/photos/camera");
    for (name, kind) in [("jolla.jpg", PhotoKind::Before), ("DSCN0010.jpg", PhotoKind::Nameplate)] {
        let bytes = std::fs::read(camera.join(name)).unwrap();
        store.import_photo(&job.id, name, &bytes, kind, Some("现场照片")).unwrap();
    }
    store
        .add_signature(
            &job.id,
            NewSignature {
                signer_name: job.customer_name.clone(),
                statement: Some(String::from("本人确认维修已完成。")),
                png: signature_png(),
                strokes_json: None,
            },
        )
        .unwrap();
    let company = CompanyHeader { name: "Acme Service".into(), address_line: "1 Main St".into() };
    let job_opts = JobReportOptions { lang: Lang::Zh, ..JobReportOptions::default() };
    let opts = RenderOptions {
        utc_offset: FixedOffset::east_opt(8 * 3600).unwrap(),
        ..RenderOptions::default()
    };

    let pdf = render_job(&store, &job.number, &company, &job_opts, &opts).unwrap();
    let text = poppler(&pdf, "pdftotext", &["-"]);
    assert!(text.contains(&job.number), "{text}");
    assert!(text.contains(&job.customer_name), "{text}");
    assert!(text.contains("本人确认维修已完成"), "{text}");
    assert!(text.contains("现场照片"), "{text}");
    assert!(!text.contains("签名后已更改"), "{text}");
    let images = poppler(&pdf, "pdfimages", &["-list"]);
    // Columns: page num type width height color comp bpc enc …
    let rows: Vec<Vec<&str>> =
        images.lines().skip(2).map(|l| l.split_whitespace().collect()).collect();
    let count = |kind: &str, jpeg: bool| {
        rows.iter()
            .filter(|r| r.get(2) == Some(&kind) && (r.get(8) == Some(&"jpeg")) == jpeg)
            .count()
    };
    assert_eq!(count("image", true), 2, "two photos: {images}");
    assert_eq!(count("image", false), 1, "the signature: {images}");
    assert_eq!(count("smask", false), 1, "its transparency: {images}");

    // A part added after signing: the report says the signature no longer covers the facts.
    store
        .add_part(
            &job.id,
            NewPart {
                part_no: String::from("EXTRA-1"),
                quantity: 1.0,
                description: Some(String::from("Added after signing")),
                unit_price_cents: Some(1_000),
                chargeable: Some(true),
            },
        )
        .unwrap();
    let pdf = render_job(&store, &job.id, &company, &job_opts, &opts).unwrap();
    let text = poppler(&pdf, "pdftotext", &["-"]);
    assert!(text.contains("签名后已更改"), "{text}");
    assert!(text.contains("EXTRA-1"), "{text}");
}

#[test]
fn an_unknown_job_is_a_not_found_error() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::init(dir.path()).unwrap();
    let err = render_job(
        &store,
        "WO-0000-000000",
        &CompanyHeader::default(),
        &JobReportOptions::default(),
        &RenderOptions::default(),
    )
    .unwrap_err();
    assert_eq!(err.code(), "not_found");
}

#[test]
fn withdrawn_and_corrected_part_lines_are_not_on_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::init(dir.path()).unwrap();
    let now = settled_now();
    seed::seed(&mut store, &SeedOptions { jobs: 40, seed: 11, today: now.date_naive(), now })
        .unwrap();
    store.set_actor(Actor::dispatcher("report test"));
    let job = store
        .list_jobs(&JobFilter::Status(JobStatus::InProgress), Some(1))
        .unwrap()
        .pop()
        .expect("the seed has a job in progress");
    let mut add = |no: &str, quantity: f64, what: &str| {
        store
            .add_part(
                &job.id,
                NewPart {
                    part_no: no.into(),
                    quantity,
                    description: Some(what.into()),
                    unit_price_cents: Some(1_000),
                    chargeable: Some(true),
                },
            )
            .unwrap()
    };
    let wrong = add("WRONG-JOB-1", 1.0, "Entered on the wrong job");
    let hose = add("HOSE-77", 7.0, "Inlet hose");
    store.withdraw_part(&job.id, &wrong.id, Some("wrong job")).unwrap();
    store.correct_part_quantity(&job.id, &hose.id, 2.0, None).unwrap();

    let company = CompanyHeader { name: "Acme Service".into(), address_line: "1 Main St".into() };
    let pdf = render_job(
        &store,
        &job.id,
        &company,
        &JobReportOptions::default(),
        &RenderOptions::default(),
    )
    .unwrap();
    let text = poppler(&pdf, "pdftotext", &["-layout", "-"]);
    assert!(!text.contains("WRONG-JOB-1"), "a withdrawn line is not on the report: {text}");
    let hose_lines: Vec<&str> = text.lines().filter(|l| l.contains("HOSE-77")).collect();
    assert_eq!(hose_lines.len(), 1, "only the corrected line: {text}");
    assert!(hose_lines[0].contains("20.00"), "2 × 10.00: {}", hose_lines[0]);
    assert!(!hose_lines[0].contains("70.00"), "not the old quantity: {}", hose_lines[0]);
}
