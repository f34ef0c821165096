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

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use fieldwork_core::store::{NewPart, Store};
use fieldwork_core::{JobFilter, hlc::Hlc};
use fieldwork_e2e_sync::{HeadOffice, free_port, sha256_hex};
use fieldwork_sync::client::{ClientError, HeadOffice as Client, TlsOptions, parse_base_url};
use fieldwork_sync::engine::{Engine, sign_in};
use fieldwork_sync::wire::{DeviceSignIn, PushEntry, PushRequest};
use serde_json::json;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

async fn device(url: &str, user: &str) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::init(dir.path()).unwrap();
    sign_in(&mut store, url, user, &format!("{user}-demo"), user, false, &TlsOptions::default())
        .await
        .unwrap();
    (dir, store)
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
    let (dir_a, store_a) = device(&url, "tech1").await;
    let mut engine = Engine::new(store_a, &TlsOptions::default()).unwrap();
    let first = engine.sync_once().await.unwrap();
    drop(engine);
    let mut store = Store::open(dir_a.path()).unwrap();
    let jobs: Vec<String> =
        store.list_jobs(&JobFilter::All, None).unwrap().into_iter().map(|j| j.id).collect();
    println!("tech1 has {} jobs ({} records pulled first)", jobs.len(), first.pulled_records);
    let per_job = 10_000usize.div_ceil(jobs.len().max(1));
    let t = Instant::now();
    let mut made = 0;
    'outer: for job in &jobs {
        for k in 0..per_job {
            if made == 10_000 {
                break 'outer;
            }
            if k % 4 == 3 {
                store
                    .add_part(
                        job,
                        NewPart {
                            part_no: format!("BENCH-{k}"),
                            quantity: 1.0,
                            description: Some(String::from("Bench part")),
                            unit_price_cents: Some(1_250),
                            chargeable: Some(false),
                        },
                    )
                    .unwrap();
            } else {
                store.add_note(job, &format!("bench note {k}: checked the seals")).unwrap();
            }
            made += 1;
        }
    }
    println!("recorded {made} changes locally in {:.1} s", t.elapsed().as_secs_f64());
    drop(store);
    let mut engine = Engine::open(dir_a.path(), &TlsOptions::default()).unwrap();
    let pushed = engine.sync_once().await.unwrap();
    println!(
        "PUSH   {} mutations in {:.0} ms → {:.0} mutations/s",
        pushed.pushed,
        pushed.push_ms,
        pushed.pushed as f64 / (pushed.push_ms / 1e3)
    );
    drop(engine);

    // Laptop B of the same technician: a first sync primes it with everything.
    let (dir_b, store_b) = device(&url, "tech1").await;
    let mut engine = Engine::new(store_b, &TlsOptions::default()).unwrap();
    let primed = engine.sync_once().await.unwrap();
    let jobs_b = engine.store().job_count().unwrap();
    println!(
        "PRIME  {} jobs, {} records in {} pages: applied on the device in {:.0} ms → {:.0} rows/s; \
         whole pull {:.0} ms → {:.0} rows/s",
        jobs_b,
        primed.pulled_records,
        primed.pull_pages,
        primed.apply_ms,
        primed.pulled_records as f64 / (primed.apply_ms / 1e3),
        primed.pull_ms,
        primed.pulled_records as f64 / (primed.pull_ms / 1e3)
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

/// Simulated devices: each signs in, pulls its scope once, then loops: push a note, pull.
async fn many_devices(ho: &HeadOffice) {
    let devices = env_usize("SYNC_BENCH_DEVICES", 300);
    let seconds = env_usize("SYNC_BENCH_SECONDS", 60) as u64;
    let url = ho.url();
    println!("signing in {devices} simulated devices …");
    let mut clients = Vec::new();
    for i in 0..devices {
        let user = format!("tech{}", i % 3 + 1);
        let anon = Client::new(parse_base_url(&url, false).unwrap(), None, &TlsOptions::default())
            .unwrap();
        let signed = loop {
            match anon
                .sign_in(&DeviceSignIn {
                    user: user.clone(),
                    password: format!("{user}-demo"),
                    device_name: format!("sim-{i}"),
                })
                .await
            {
                Ok(s) => break s,
                Err(ClientError::RateLimited(d)) => tokio::time::sleep(d).await,
                Err(e) => panic!("sign-in: {e}"),
            }
        };
        let c = Client::new(
            parse_base_url(&url, false).unwrap(),
            Some(signed.token.clone()),
            &TlsOptions::default(),
        )
        .unwrap();
        clients.push((c, signed));
    }
    // Prime every device (not measured): the scope's head cursor and one job to write on.
    let mut sims = Vec::new();
    for (c, signed) in clients {
        let mut cursor = 0;
        let mut job = None;
        loop {
            let page = c.pull(cursor, 5_000).await.unwrap();
            for ch in &page.changes {
                if let fieldwork_sync::wire::Record::Job { work_order } = &ch.record {
                    job.get_or_insert_with(|| work_order.id.clone());
                }
            }
            cursor = page.cursor;
            if !page.has_more {
                break;
            }
        }
        let Some(job) = job else {
            panic!("simulated device of {} got no job in its scope", signed.user_name);
        };
        sims.push((c, signed, cursor, job));
    }
    let latencies = Arc::new(std::sync::Mutex::new(Vec::<f64>::new()));
    let errors = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    println!("{devices} devices syncing for {seconds} s …");
    let mut tasks = Vec::new();
    for (i, (c, signed, mut cursor, job)) in sims.into_iter().enumerate() {
        let latencies = latencies.clone();
        let errors = errors.clone();
        tasks.push(tokio::spawn(async move {
            // Spread the devices over the first second.
            tokio::time::sleep(Duration::from_millis((i as u64 * 1000) / devices.max(1) as u64))
                .await;
            let mut seq = 0i64;
            let mut hlc = Hlc::zero(&signed.device_id).receive(&signed.server_hlc, 0);
            while Instant::now() < deadline {
                seq += 1;
                hlc = hlc.tick(chrono::Utc::now().timestamp_millis());
                let note_id = uuid_like(i, seq);
                let entry = PushEntry {
                    seq,
                    mutation_id: format!("m-{note_id}"),
                    device_id: signed.device_id.clone(),
                    hlc: hlc.clone(),
                    mutation: json!({"type": "note_added", "note": {
                        "id": note_id, "job_id": job, "author": signed.technician_name,
                        "body": format!("sim note {seq}"), "created_at": chrono::Utc::now()}}),
                    created_at: chrono::Utc::now(),
                };
                let t = Instant::now();
                let pushed = c
                    .push(&PushRequest {
                        device_id: signed.device_id.clone(),
                        entries: vec![entry],
                    })
                    .await;
                let pulled = c.pull(cursor, 500).await;
                let ms = t.elapsed().as_secs_f64() * 1e3;
                match (pushed, pulled) {
                    (Ok(_), Ok(page)) => {
                        cursor = page.cursor;
                        latencies.lock().unwrap().push(ms);
                    }
                    _ => {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
                tokio::time::sleep(Duration::from_millis(1_000)).await;
            }
        }));
    }
    let mut peak = 0.0f64;
    let pid = ho.pid();
    while Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(500)).await;
        peak = peak.max(rss_mb(pid));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let mut l = latencies.lock().unwrap().clone();
    l.sort_by(f64::total_cmp);
    if l.is_empty() {
        println!("FLEET  no batch succeeded; errors {}", errors.load(Ordering::Relaxed));
        return;
    }
    println!(
        "FLEET  {devices} devices, {} batches (push + pull) in {seconds} s: p50 {:.1} ms, p99 {:.1} ms, \
         max {:.1} ms; errors {}; head office memory peak {:.0} MB",
        l.len(),
        percentile(&l, 0.5),
        percentile(&l, 0.99),
        l[l.len() - 1],
        errors.load(Ordering::Relaxed),
        peak
    );
}

/// A unique UUID-shaped id per simulated device and sequence number.
fn uuid_like(device: usize, seq: i64) -> String {
    format!("00000000-0000-7000-8000-{:06x}{:06x}", device, seq)
}
