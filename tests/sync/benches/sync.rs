//! Sync figures of issue 5, printed (run with `make bench-sync`; release builds of head office and
//! of this engine, real SQLite files, loopback HTTP):
//! - push 10,000 mutations (notes and parts on 2,000 jobs);
//! - prime a second laptop of the same technician: 2,000 jobs with their parties and facts,
//!   rows applied per second on the device (and end to end, with head office's queries);
//! - a sync with nothing to do, round trip (median and p95 of 50);
//! - photo-sized blob upload throughput;
//! - 300 simulated devices syncing against one head office for 60 s (set `SYNC_BENCH_DEVICES`
//!   and `SYNC_BENCH_SECONDS` to change; `SYNC_BENCH_ONLY=fleet` runs only this part): batch
//!   latency percentiles, errors, server memory.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::time::{Duration, Instant};

use fieldwork_e2e_sync::fleet::{self, Credentials, percentile};
use fieldwork_e2e_sync::{HeadOffice, free_port, sha256_hex};
use fieldwork_sync::client::{HeadOffice as Client, TlsOptions, parse_base_url};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    if std::env::var("SYNC_BENCH_ONLY").as_deref() != Ok("fleet") {
        device_figures(&rt);
    }
    // The fleet gets its own head office with a small demo, so priming 300 devices is quick and
    // the figures are about steady-state syncing.
    let fleet = HeadOffice::start(env_usize("SYNC_BENCH_FLEET_JOBS", 600));
    rt.block_on(many_devices(&fleet));
}

/// Push, prime, empty sync and upload, against a head office with `SYNC_BENCH_SEED_JOBS` jobs.
fn device_figures(rt: &tokio::runtime::Runtime) {
    let jobs_total = env_usize("SYNC_BENCH_SEED_JOBS", 7_500);
    println!("seeding head office with {jobs_total} demo jobs …");
    let t = Instant::now();
    let ho = HeadOffice::start(jobs_total);
    println!("  seeded and started in {:.1} s", t.elapsed().as_secs_f64());
    rt.block_on(run(&ho));
}

async fn run(ho: &HeadOffice) {
    let url = ho.url();

    // Laptop A: pulls its jobs, records 10,000 facts, pushes them.
    let tech1 = Credentials::demo("tech1");
    let pushed = fleet::push_changes(&url, &tech1, 10_000).await;
    println!("tech1 has {} jobs ({} records pulled first)", pushed.jobs, pushed.first_pull_records);
    println!("recorded {} changes locally in {:.1} s", pushed.recorded, pushed.record_s);
    println!(
        "PUSH   {} mutations in {:.0} ms → {:.0} mutations/s",
        pushed.pushed,
        pushed.push_ms,
        pushed.pushed as f64 / (pushed.push_ms / 1e3)
    );

    // Laptop B of the same technician: a first sync primes it with everything.
    let (primed, mut engine, dir_b) = fleet::prime_laptop(&url, &tech1).await;
    println!(
        "PRIME  {} jobs, {} records in {} pages: applied on the device in {:.0} ms → {:.0} rows/s; \
         whole pull {:.0} ms → {:.0} rows/s",
        primed.jobs,
        primed.records,
        primed.pages,
        primed.apply_ms,
        primed.applied_per_second(),
        primed.pull_ms,
        primed.pulled_per_second()
    );

    // A sync with nothing to do.
    let mut times = Vec::new();
    for _ in 0..50 {
        let t = Instant::now();
        engine.sync_once().await.unwrap();
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "EMPTY  sync with nothing to do: median {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        percentile(&times, 0.5),
        percentile(&times, 0.95),
        times[times.len() - 1]
    );
    let link = engine.store().head_office_link().unwrap().unwrap();
    drop(engine);
    let _ = dir_b;

    // Upload throughput: a 64 MiB file in 4 MiB chunks.
    let client =
        Client::new(parse_base_url(&url, false).unwrap(), Some(link.token), &TlsOptions::default())
            .unwrap();
    let mut bytes = vec![0u8; 64 * 1024 * 1024];
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for b in &mut bytes {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        *b = x as u8;
    }
    let sha = sha256_hex(&bytes);
    let t = Instant::now();
    let mut offset = 0usize;
    let mut ok = true;
    while offset < bytes.len() {
        let end = (offset + 4 * 1024 * 1024).min(bytes.len());
        match client
            .blob_chunk(&sha, offset as u64, bytes.len() as u64, bytes[offset..end].to_vec())
            .await
        {
            Ok(_) => offset = end,
            Err(e) => {
                println!("UPLOAD refused: {e}");
                ok = false;
                break;
            }
        }
    }
    if ok {
        let s = t.elapsed().as_secs_f64();
        println!(
            "UPLOAD 64 MiB in {:.0} ms → {:.0} MB/s (hash verified at the end)",
            s * 1e3,
            64.0 * 1.048_576 / s
        );
    }
    let _ = free_port();
}

/// Simulated devices (`fleet`): each signs in as one of the three demo technicians, pulls its
/// scope once, then loops: push a note, pull.
async fn many_devices(ho: &HeadOffice) {
    let devices = env_usize("SYNC_BENCH_DEVICES", 300);
    let seconds = env_usize("SYNC_BENCH_SECONDS", 60) as u64;
    let url = ho.url();
    println!("signing in {devices} simulated devices …");
    let users: Vec<Credentials> = ["tech1", "tech2", "tech3"].map(Credentials::demo).into();
    let sims = fleet::sign_in_fleet(&url, devices, &users, 1).await;
    println!("{devices} devices syncing for {seconds} s …");
    let f = fleet::run_fleet(sims, seconds, Duration::from_secs(1), &[ho.pid()]).await;
    if f.batch_ms.is_empty() {
        println!("FLEET  no batch succeeded; errors {} ({:?})", f.errors, f.first_errors);
        return;
    }
    println!(
        "FLEET  {devices} devices, {} batches (push + pull) in {seconds} s: p50 {:.1} ms, p99 {:.1} ms, \
         max {:.1} ms; errors {}; head office memory peak {:.0} MB",
        f.batches(),
        f.batch_p50(),
        f.batch_p99(),
        f.batch_max(),
        f.errors,
        f.peak_rss_mb[0]
    );
}
