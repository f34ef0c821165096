//! A photo import killed at any moment must leave no row pointing at a missing or partial file.
//! A child process imports batches of real photos (several workers, fsyncs, commits) until it is
//! SIGKILLed at a random moment; after every kill the parent checks that every photo row's
//! JPEG and thumbnail exist with the content their hash names, and that `check --sweep` removes
//! whatever the interrupted import left behind (temporary and unrecorded files) and nothing else.
//!
//! It re-runs its own executable as the child (`--child DIR`), so it has no test harness
//! (`harness = false` in Cargo.toml) and prints its own closing line.
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Utc;
use fieldwork_core::domain::{JobStatus, PhotoKind, Priority};
use fieldwork_core::media::{self, PhotoInput};
use fieldwork_core::seed::{SeedOptions, seed};
use fieldwork_core::store::{DB_FILE, NewWorkOrder};
use fieldwork_core::{Actor, JobFilter, Store};
use rand::{Rng, SeedableRng};

const KILLS: usize = 60;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(pos) = args.iter().position(|a| a == "--child") {
        child(Path::new(&args[pos + 1]), &args[pos + 2]);
        return;
    }
    if args.iter().any(|a| a == "--list") {
        println!("killed_photo_import_never_leaves_a_row_without_its_file: test");
        return;
    }
    let started = Instant::now();
    let imported = killed_photo_import_never_leaves_a_row_without_its_file();
    println!(
        "killed_photo_import_never_leaves_a_row_without_its_file ... ok ({KILLS} kills, {imported} photos, {:.1} s)",
        started.elapsed().as_secs_f64()
    );
    println!("crash_photos: 1 passed, 0 failed");
}

fn photos_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/photos")
}

/// Imports batches of photos until killed. Each batch has files of different sizes so the
/// kill lands in processing, in file writes and in commits.
fn child(dir: &Path, job: &str) {
    let mut store = Store::open(dir).expect("open store in child");
    // Small photos: processing is quick, so many kills land while files are written and rows
    // committed.
    let files = ["camera/Nikon_D70.jpg", "camera/Canon_40D.jpg", "camera/DSCN0010.jpg"];
    let originals: Vec<image::RgbImage> = files
        .iter()
        .map(|f| {
            let bytes = std::fs::read(photos_dir().join(f)).unwrap();
            image::load_from_memory(&bytes).unwrap().to_rgb8()
        })
        .collect();
    let mut round = 0u32;
    loop {
        round += 1;
        // Vary the bytes a little so most imports write new files rather than dedupe.
        let inputs: Vec<PhotoInput> = files
            .iter()
            .zip(&originals)
            .map(|(f, original)| {
                let mut img = original.clone();
                let px = img.get_pixel_mut(0, 0);
                px.0[0] = px.0[0].wrapping_add(u8::try_from(round % 251).unwrap());
                px.0[1] = u8::try_from(round / 251 % 251).unwrap();
                let mut png = Vec::new();
                image::DynamicImage::ImageRgb8(img)
                    .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
                    .unwrap();
                PhotoInput::Bytes { file_name: format!("{round}-{f}"), bytes: png }
            })
            .collect();
        store.import_photos(job, &inputs, PhotoKind::Other, None, |_| {}).expect("import");
    }
}

/// A seeded data folder with a repair job in progress; returns its id.
fn prepare(dir: &Path) -> String {
    let mut store = Store::init(dir).unwrap();
    let now = Utc::now();
    seed(&mut store, &SeedOptions { jobs: 10, seed: 4, today: now.date_naive(), now }).unwrap();
    let any = store.list_jobs(&JobFilter::All, Some(1)).unwrap();
    let template = store.job_detail(&any[0].id).unwrap();
    let tech = store.technicians().unwrap()[0].id.clone();
    store.set_actor(Actor::dispatcher("crash test"));
    let order = store
        .create_work_order(NewWorkOrder {
            job_type_code: String::from("repair"),
            priority: Priority::Normal,
            customer_id: template.customer.id,
            site_id: template.site.id,
            equipment_id: None,
            reported_problem: String::from("crash test"),
            reported_at: None,
            return_of: None,
            goodwill: false,
        })
        .unwrap();
    store.schedule_job(&order.id, &tech, now, now + chrono::Duration::hours(1)).unwrap();
    store.set_device_technician(&tech).unwrap();
    for s in [JobStatus::EnRoute, JobStatus::OnSite, JobStatus::InProgress] {
        store.change_status(&order.id, s, None).unwrap();
    }
    order.id
}

fn killed_photo_import_never_leaves_a_row_without_its_file() -> usize {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let job = prepare(dir);
    let exe = std::env::current_exe().unwrap();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0xfeed);
    let mut orphans_seen = 0;
    let mut rows = 0;
    for round in 0..KILLS {
        let mut child = Command::new(&exe)
            .arg("--child")
            .arg(dir)
            .arg(&job)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(rng.gen_range(20..500)));
        child.kill().unwrap(); // SIGKILL on Unix
        let status = child.wait().unwrap();
        if status.success() {
            panic!("round {round}: the child exited by itself");
        }
        rows = verify_rows(dir, round);
        let store = Store::open(dir).unwrap();
        let report = store.check(true).unwrap();
        assert!(report.missing_media.is_empty(), "round {round}: {report:?}");
        assert!(report.integrity_errors.is_empty(), "round {round}: {report:?}");
        orphans_seen += report.orphans_removed;
        let after = store.check(false).unwrap();
        assert!(after.ok, "round {round}: sweep left {after:?}");
        drop(store);
        verify_rows(dir, round);
    }
    assert!(rows > 10, "too few imports to mean anything: {rows}");
    println!("  {rows} photo rows; {orphans_seen} orphaned files swept over {KILLS} kills");
    rows
}

/// Every photo row's files exist and hold the content their hashes name; returns the row count.
fn verify_rows(dir: &Path, round: usize) -> usize {
    let conn = rusqlite::Connection::open(dir.join(DB_FILE)).unwrap();
    let integrity: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(integrity, "ok", "round {round}");
    let hashes: Vec<(String, String)> = conn
        .prepare("SELECT sha256, thumb_sha256 FROM photos")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let media_dir = dir.join("media");
    for (full, thumb) in &hashes {
        for h in [full, thumb] {
            let bytes = media::blobs::read_blob(&media_dir, h)
                .unwrap_or_else(|e| panic!("round {round}: row points at a bad file: {e}"));
            assert!(bytes.starts_with(&[0xFF, 0xD8]), "round {round}");
        }
    }
    let outbox: i64 = conn
        .query_row("SELECT count(*) FROM outbox WHERE kind = 'photo_added'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(usize::try_from(outbox).unwrap(), hashes.len(), "round {round}: outbox mismatch");
    hashes.len()
}
