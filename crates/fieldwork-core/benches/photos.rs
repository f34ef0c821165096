//! Photo import speed against issue 4's target: an 8 MP phone photo (`camera/jolla.jpg` from
//! the shared test set) and a generated 12 MP JPEG, imported in ≤ 250 ms each (median) on one
//! core, and faster than ImageMagick doing the same work (`convert -auto-orient -resize
//! 2560x2560 -quality 82`). libvips (`vipsthumbnail`), the fastest tool we know, is measured
//! for comparison. Both tools are limited to one thread.
//!
//! Prints, per file: the median of Fieldwork's processing alone and of a full import (processing,
//! the two files written and fsynced, the row committed), ImageMagick's and libvips' medians (as
//! whole commands, so they include starting the program), and the ratios. Tools that are not
//! installed are skipped with a note (`make bench` installs them).
//!
//! Two clocks: wall time, and CPU time (this thread's, from `/proc/thread-self/schedstat`; the
//! tools' user + system time). On a busy machine wall time includes waiting for a core, CPU
//! time does not, so the CPU figures are the fair comparison there.
//!
//! `cargo bench --bench photos` measures; `cargo test --benches` runs each step once.

// A benchmark reports its figures on stdout.
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use chrono::Utc;
use fieldwork_core::domain::{JobStatus, PhotoKind, Priority};
use fieldwork_core::media;
use fieldwork_core::seed::{SeedOptions, seed};
use fieldwork_core::store::NewWorkOrder;
use fieldwork_core::{Actor, JobFilter, Store};

const RUNS: usize = 9;
const TOOL_RUNS: usize = 5;

fn main() {
    let quick =
        std::env::args().any(|a| a == "--test") || !std::env::args().any(|a| a == "--bench");
    let work = tempfile::Builder::new().prefix("fieldwork-photo-bench").tempdir().unwrap();
    let jolla =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/photos/camera/jolla.jpg");
    let twelve = work.path().join("generated-12mp.jpg");
    std::fs::write(&twelve, generated_jpeg(4000, 3000)).unwrap();
    let (mut store, job) = store_with_job(&work.path().join("data"));
    let runs = if quick { 1 } else { RUNS };
    println!("photo import, median of {runs} runs, one core (this machine: {} cores)", cores());
    for (label, file) in [("jolla.jpg (8 MP)", &jolla), ("generated (12 MP)", &twelve)] {
        let bytes = std::fs::read(file).unwrap();
        let process = median(runs, || {
            media::process_photo(label, &bytes).unwrap();
        });
        let import = median(runs, || {
            store.import_photo(&job, label, &bytes, PhotoKind::Other, None).unwrap();
        });
        println!("{label}");
        println!(
            "  fieldwork process      wall {:>7.1} ms   cpu {:>7.1} ms",
            ms(process.wall),
            ms(process.cpu)
        );
        println!(
            "  fieldwork import       wall {:>7.1} ms   cpu {:>7.1} ms   (target ≤ 250 ms: {})",
            ms(import.wall),
            ms(import.cpu),
            if ms(import.wall) <= 250.0 { "met" } else { "missed on wall time" }
        );
        if quick {
            continue;
        }
        let out = work.path().join("out.jpg");
        let magick = tool(TOOL_RUNS, "convert", |c| {
            c.env("MAGICK_THREAD_LIMIT", "1")
                .arg(file)
                .args(["-auto-orient", "-resize", "2560x2560", "-quality", "82"])
                .arg(&out);
        });
        let vips = tool(TOOL_RUNS, "vipsthumbnail", |c| {
            c.env("VIPS_CONCURRENCY", "1")
                .arg(file)
                .args(["-s", "2560", "-o"])
                .arg(format!("{}[Q=82,strip]", out.display()));
        });
        for (name, t) in [("ImageMagick convert", magick), ("libvips vipsthumbnail", vips)] {
            match t {
                Some(t) => println!(
                    "  {name:<22} wall {:>7.1} ms   cpu {:>7.1} ms   fieldwork import: {:.2}× as fast (wall), {:.2}× (cpu)",
                    ms(t.wall),
                    ms(t.cpu),
                    ms(t.wall) / ms(import.wall),
                    ms(t.cpu) / ms(import.cpu)
                ),
                None => println!(
                    "  {name:<22} not installed (apt-get install imagemagick libvips-tools)"
                ),
            }
        }
    }
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Wall and CPU time of one run.
#[derive(Debug, Clone, Copy)]
struct Timing {
    wall: Duration,
    cpu: Duration,
}

/// This thread's CPU time so far (Linux), zero where it cannot be read.
fn thread_cpu() -> Duration {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|ns| ns.parse().ok()))
        .map_or(Duration::ZERO, Duration::from_nanos)
}

/// Medians of wall and CPU time, each over the runs.
fn median(runs: usize, mut f: impl FnMut()) -> Timing {
    median_of(runs, || {
        let (t, c) = (Instant::now(), thread_cpu());
        f();
        Timing { wall: t.elapsed(), cpu: thread_cpu().saturating_sub(c) }
    })
}

fn median_of(runs: usize, f: impl FnMut() -> Timing) -> Timing {
    let samples: Vec<Timing> = std::iter::repeat_with(f).take(runs).collect();
    let mid = |mut v: Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    Timing {
        wall: mid(samples.iter().map(|t| t.wall).collect()),
        cpu: mid(samples.iter().map(|t| t.cpu).collect()),
    }
}

/// Median wall and CPU (user + system) time of a command, timed by bash's `time`, or `None`
/// when the program is not installed or fails.
fn tool(runs: usize, program: &str, args: impl Fn(&mut Command)) -> Option<Timing> {
    let ok = Command::new(program).arg("--version").output().is_ok_and(|o| o.status.success());
    if !ok {
        return None;
    }
    let quote = |s: &std::ffi::OsStr| format!("'{}'", s.to_string_lossy().replace('\'', "'\\''"));
    let mut failed = false;
    let t = median_of(runs, || {
        let mut inner = Command::new(program);
        args(&mut inner);
        let envs: String = inner
            .get_envs()
            .filter_map(|(k, v)| Some(format!("{}={} ", k.to_string_lossy(), quote(v?))))
            .collect();
        let line = std::iter::once(inner.get_program())
            .chain(inner.get_args())
            .map(quote)
            .collect::<Vec<_>>()
            .join(" ");
        let started = Instant::now();
        let out = Command::new("bash")
            .arg("-c")
            .arg(format!("TIMEFORMAT='%3U %3S'; time ( {envs}{line} >/dev/null 2>&1 )"))
            .output();
        let wall = started.elapsed();
        let cpu = out.ok().filter(|o| o.status.success()).and_then(|o| {
            let text = String::from_utf8_lossy(&o.stderr).into_owned();
            let v: Vec<f64> = text.split_whitespace().filter_map(|v| v.parse().ok()).collect();
            (v.len() == 2).then(|| v[0] + v[1])
        });
        match cpu {
            Some(secs) => Timing { wall, cpu: Duration::from_secs_f64(secs) },
            None => {
                failed = true;
                Timing { wall, cpu: Duration::ZERO }
            }
        }
    });
    if failed { None } else { Some(t) }
}

/// A camera-like picture: smooth gradients with fine texture and noise, so the JPEG has the
/// entropy of a real photo rather than a flat test card.
fn generated_jpeg(w: u16, h: u16) -> Vec<u8> {
    let mut rgb = Vec::with_capacity(usize::from(w) * usize::from(h) * 3);
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    for y in 0..h {
        for x in 0..w {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let noise = (state % 24) as f64;
            let (fx, fy) = (f64::from(x), f64::from(y));
            let r = 120.0 + 80.0 * (fx / 300.0).sin() + noise;
            let g = 110.0 + 70.0 * (fy / 220.0).cos() + noise;
            let b = 100.0 + 60.0 * ((fx + fy) / 90.0).sin() + noise;
            rgb.extend([r, g, b].map(|v| v.clamp(0.0, 255.0) as u8));
        }
    }
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 92)
        .encode(&rgb, w, h, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    out
}

/// A data folder with a repair job in progress for its technician.
fn store_with_job(dir: &Path) -> (Store, String) {
    let mut store = Store::init(dir).unwrap();
    let now = Utc::now();
    seed(&mut store, &SeedOptions { jobs: 10, seed: 5, today: now.date_naive(), now }).unwrap();
    let any = store.list_jobs(&JobFilter::All, Some(1)).unwrap();
    let template = store.job_detail(&any[0].id).unwrap();
    let tech = store.technicians().unwrap()[0].id.clone();
    store.set_actor(Actor::dispatcher("bench"));
    let order = store
        .create_work_order(NewWorkOrder {
            job_type_code: String::from("repair"),
            priority: Priority::Normal,
            customer_id: template.customer.id,
            site_id: template.site.id,
            equipment_id: None,
            reported_problem: String::from("photo benchmark"),
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
    (store, order.id)
}
