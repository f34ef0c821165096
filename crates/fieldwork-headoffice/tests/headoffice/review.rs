//! What the dispatcher's review page gets beyond the job record: the service report as a PDF,
//! and "changed after signing" computed by head office from its own copy of the job. The
//! signing device here is the real one: the core's store and the sync engine, talking to the
//! test server over HTTP.

use std::io::Cursor;
use std::path::Path;

use fieldwork_core::Store;
use fieldwork_core::store::NewPart;
use fieldwork_domain::mutation::{JobField, Mutation};
use fieldwork_headoffice::store::UserRole;
use fieldwork_sync::client::TlsOptions;
use fieldwork_sync::engine::{Engine, sign_in};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::*;

/// A real JPEG of `w`×`h` pixels.
fn jpeg(w: u32, h: u32) -> Vec<u8> {
    let img =
        image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Jpeg)
        .unwrap();
    out
}

/// The text of a PDF, by poppler's pdftotext (Debian package poppler-utils).
fn pdf_text(pdf: &[u8], dir: &Path) -> String {
    let file = dir.join("report.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    assert!(out.status.success(), "pdftotext: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

async fn download(
    d: &DispatcherClient,
    path: &str,
) -> (StatusCode, Option<String>, Option<String>, Vec<u8>) {
    let resp = d.http.get(format!("{}{path}", d.base)).send().await.unwrap();
    let status = resp.status();
    let header = |name: &str| resp.headers().get(name).map(|v| v.to_str().unwrap().to_owned());
    let (kind, disposition) = (header("content-type"), header("content-disposition"));
    (status, kind, disposition, resp.bytes().await.unwrap().to_vec())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_report_is_a_pdf_named_by_the_job_number_even_before_its_photos_arrive() {
    let mut w = World::new().await;
    let job = w.job_a.clone();
    let number = w.dispatcher.job(&job).await["work_order"]["number"].as_str().unwrap().to_owned();
    // One photo uploaded, one whose file the laptop has not sent yet.
    let real = jpeg(640, 480);
    let thumb = jpeg(160, 120);
    let uploaded = w.a.photo(&job, &real, &thumb);
    let pending = w.a.photo(&job, &fake_jpeg(7, 2000), &fake_jpeg(8, 200));
    let steps = vec![
        uploaded,
        pending,
        Mutation::FieldSet {
            job_id: job.clone(),
            field: JobField::Diagnosis,
            value: Some("Drain pipe blocked by lint".into()),
            replaces: None,
        },
    ];
    let entries: Vec<_> = steps.into_iter().map(|m| w.a.entry(m)).collect();
    let resp = w.a.push(&entries).await;
    assert!(resp.results.iter().all(|r| serde_json::to_value(r).unwrap()["outcome"] == "applied"));
    w.a.upload(&real).await;
    w.a.upload(&thumb).await;

    let scratch = tempfile::tempdir().unwrap();
    let (status, kind, disposition, pdf) =
        download(&w.dispatcher, &format!("/api/v1/jobs/{job}/report.pdf?lang=en&tz=480")).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&pdf));
    assert_eq!(kind.as_deref(), Some("application/pdf"));
    assert_eq!(disposition, Some(format!("attachment; filename=\"{number}.pdf\"")));
    assert!(pdf.starts_with(b"%PDF-"), "a PDF");
    let text = pdf_text(&pdf, scratch.path());
    assert!(text.contains(&number), "job number in the report: {text}");
    assert!(text.contains("Service Report"), "{text}");
    assert!(text.contains("Chen Jing"), "customer: {text}");
    assert!(text.contains("Drain pipe blocked by lint"), "diagnosis: {text}");
    assert!(text.contains("This photo could not be read"), "placeholder: {text}");

    // In Chinese.
    let (status, _, _, pdf) =
        download(&w.dispatcher, &format!("/api/v1/jobs/{job}/report.pdf?lang=zh")).await;
    assert_eq!(status, StatusCode::OK);
    let text = pdf_text(&pdf, scratch.path());
    assert!(text.contains("服务报告") && text.contains(&number), "{text}");

    // Bad requests and unknown jobs.
    for (path, want) in [
        (format!("/api/v1/jobs/{job}/report.pdf?lang=fr"), StatusCode::BAD_REQUEST),
        (format!("/api/v1/jobs/{job}/report.pdf?tz=100000"), StatusCode::BAD_REQUEST),
        ("/api/v1/jobs/no-such-job/report.pdf".to_owned(), StatusCode::NOT_FOUND),
    ] {
        let (s, v) = w.dispatcher.call(Method::GET, &path, None).await;
        assert_eq!(s, want, "{path}: {v}");
    }
    w.server.stop().await;
}

/// The device's own store and sync engine, signed in to the test server as `user`.
struct Laptop {
    dir: tempfile::TempDir,
    engine: Engine,
}

impl Laptop {
    async fn sign_in(server: &TestServer, user: &str) -> Laptop {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::init(dir.path()).unwrap();
        let tls = TlsOptions::default();
        sign_in(&mut store, &server.base, user, &password(user), "laptop", true, &tls)
            .await
            .unwrap();
        drop(store);
        let engine = Engine::open(dir.path(), &tls).unwrap();
        Laptop { dir, engine }
    }

    /// The technician's own view of the store (a second connection, like the app's).
    fn store(&self) -> Store {
        Store::open(self.dir.path()).unwrap()
    }

    async fn sync(&mut self) {
        let report = self.engine.sync_once().await.unwrap();
        let status = self.engine.status();
        assert_eq!(status.pending_mutations, 0, "{report:?} {status:?}");
        assert_eq!(status.rejected, 0, "nothing refused: {status:?}");
    }
}

fn signature_of(record: &Value) -> &Value {
    let sigs = record["signatures"].as_array().unwrap();
    assert_eq!(sigs.len(), 1, "{record}");
    &sigs[0]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn head_office_says_changed_after_signing_exactly_when_the_signed_facts_changed() {
    install_crypto_provider();
    let server = TestServer::start().await;
    server.add_user("disp", UserRole::Dispatcher, None).await;
    server.add_user("alice", UserRole::Technician, Some("tech-a")).await;
    let d = DispatcherClient::sign_in(&server, "disp").await;
    let untouched = d.job_for("tech-a").await;
    let part_later = d.job_for("tech-a").await;
    let edited_later = d.job_for("tech-a").await;
    let mut laptop = Laptop::sign_in(&server, "alice").await;
    laptop.sync().await;
    {
        let mut store = laptop.store();
        for job in [&untouched, &part_later, &edited_later] {
            work_and_sign(&mut store, job);
        }
    }
    laptop.sync().await;

    // Signed and synced, nothing changed since: head office's hash is the device's.
    for job in [&untouched, &part_later, &edited_later] {
        let record = d.job(job).await;
        let sig = signature_of(&record);
        assert_eq!(sig["changed_after_signing"], false, "{job}: {record}");
        assert_eq!(sig["signer_name"], "Chen Jing");
        assert!(sig["png_sha256"].is_string());
    }

    // The technician adds a part after the customer signed, and syncs.
    {
        let mut store = laptop.store();
        store
            .add_part(
                &part_later,
                NewPart {
                    part_no: "CLAMP".into(),
                    quantity: 2.0,
                    description: Some("Hose clamp".into()),
                    unit_price_cents: Some(300),
                    chargeable: Some(true),
                },
            )
            .unwrap();
        let own = store.signatures(&part_later).unwrap();
        assert!(own[0].changed_after_signing, "the device says so too");
    }
    laptop.sync().await;
    // A dispatcher rewrites the resolution of another signed job.
    d.patch(
        &format!("/api/v1/jobs/{edited_later}"),
        json!({"resolution": "Replaced the drain hose and the pump"}),
    )
    .await;

    assert_eq!(signature_of(&d.job(&part_later).await)["changed_after_signing"], true);
    assert_eq!(signature_of(&d.job(&edited_later).await)["changed_after_signing"], true);
    assert_eq!(signature_of(&d.job(&untouched).await)["changed_after_signing"], false);

    // The service report says it too, and carries the signature picture.
    let scratch = tempfile::tempdir().unwrap();
    let (status, _, _, pdf) =
        download(&d, &format!("/api/v1/jobs/{part_later}/report.pdf?lang=en")).await;
    assert_eq!(status, StatusCode::OK);
    let text = pdf_text(&pdf, scratch.path());
    assert!(text.contains("Changed after signing"), "{text}");
    let (_, _, _, pdf) =
        download(&d, &format!("/api/v1/jobs/{untouched}/report.pdf?lang=en")).await;
    let text = pdf_text(&pdf, scratch.path());
    assert!(!text.contains("Changed after signing"), "{text}");
    assert!(text.contains("Chen Jing"), "{text}");
    server.stop().await;
}
