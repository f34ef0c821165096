//! What the sync benchmarks share (`benches/sync.rs`, `make bench-sync`, and `benches/scale.rs`,
//! `make bench-scale`): simulated devices syncing against a head office for a while, a laptop
//! pushing many changes, a new laptop primed with everything its technician has, and the
//! figures they print (latency percentiles, a process's memory).
//!
//! A simulated device is the sync client of the real engine (`fieldwork_sync::client`) with a
//! device token of its own, without a store: it signs in, pulls its scope once, then loops for
//! the length of the run: push one note on one of its jobs, pull what changed, wait a second.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use fieldwork_core::JobFilter;
use fieldwork_core::hlc::Hlc;
use fieldwork_core::store::{NewPart, Store};
use fieldwork_sync::client::{ClientError, HeadOffice as Client, TlsOptions, parse_base_url};
use fieldwork_sync::engine::{Engine, sign_in};
use fieldwork_sync::wire::{DeviceSignIn, DeviceSignedIn, PushEntry, PushRequest, Record};
use serde_json::json;

/// The value at quantile `p` (0..=1) of sorted samples (nearest rank).
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// A memory line of `/proc/PID/status` (`VmRSS`, `VmHWM`…) in MB; `None` when the process is
/// gone or the line is missing.
pub fn proc_status_mb(pid: u32, field: &str) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.strip_prefix(field).is_some_and(|rest| rest.starts_with(':')))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
}

/// Resident memory now, in MB (0 when unknown).
pub fn rss_mb(pid: u32) -> f64 {
    proc_status_mb(pid, "VmRSS").unwrap_or(0.0)
}

/// The most resident memory the process ever had (the kernel's high-water mark, `VmHWM`), in
/// MB (0 when unknown). Read it before the process ends.
pub fn peak_mb(pid: u32) -> f64 {
    proc_status_mb(pid, "VmHWM").unwrap_or(0.0)
}

/// A user a device signs in as.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub user: String,
    pub password: String,
}

impl Credentials {
    /// A demo account: `tech1` signs in with `tech1-demo`.
    pub fn demo(user: &str) -> Credentials {
        Credentials { user: user.to_owned(), password: format!("{user}-demo") }
    }
}

fn client(url: &str, token: Option<String>) -> Client {
    Client::new(parse_base_url(url, false).unwrap(), token, &TlsOptions::default()).unwrap()
}

/// A simulated device, signed in and primed.
#[derive(Debug)]
pub struct SimDevice {
    client: Client,
    signed: DeviceSignedIn,
    cursor: i64,
    job: String,
}

/// Signs in one device as `who` (waiting out `429`s) and pulls its whole scope once.
async fn sim_device(url: &str, who: &Credentials, name: String) -> SimDevice {
    let anon = client(url, None);
    let signed = loop {
        match anon
            .sign_in(&DeviceSignIn {
                user: who.user.clone(),
                password: who.password.clone(),
                device_name: name.clone(),
            })
            .await
        {
            Ok(s) => break s,
            Err(ClientError::RateLimited(d)) => tokio::time::sleep(d).await,
            Err(e) => panic!("sign-in of {name} as {}: {e}", who.user),
        }
    };
    let c = client(url, Some(signed.token.clone()));
    // The scope's head cursor and one job to write on (not measured).
    let mut cursor = 0;
    let mut job = None;
    loop {
        let page = loop {
            match c.pull(cursor, 5_000).await {
                Ok(p) => break p,
                Err(ClientError::RateLimited(d)) => tokio::time::sleep(d).await,
                Err(e) => panic!("first pull of {name}: {e}"),
            }
        };
        for ch in &page.changes {
            if let Record::Job { work_order } = &ch.record {
                job.get_or_insert_with(|| work_order.id.clone());
            }
        }
        cursor = page.cursor;
        if !page.has_more {
            break;
        }
    }
    let Some(job) = job else {
        panic!("simulated device {name} of {} got no job in its scope", signed.user_name);
    };
    SimDevice { client: c, signed, cursor, job }
}

/// Signs in `devices` simulated devices at `url`, device `i` as `users[i % users.len()]`,
/// `parallel` at a time, and primes each (the first pull of its scope). Not measured.
pub async fn sign_in_fleet(
    url: &str,
    devices: usize,
    users: &[Credentials],
    parallel: usize,
) -> Vec<SimDevice> {
    assert!(!users.is_empty(), "a fleet needs at least one user");
    let gate = Arc::new(tokio::sync::Semaphore::new(parallel.max(1)));
    let mut tasks = Vec::with_capacity(devices);
    for i in 0..devices {
        let url = url.to_owned();
        let who = users[i % users.len()].clone();
        let gate = gate.clone();
        tasks.push(tokio::spawn(async move {
            let _permit = gate.acquire_owned().await.unwrap();
            sim_device(&url, &who, format!("sim-{i}")).await
        }));
    }
    let mut out = Vec::with_capacity(devices);
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

/// What a fleet run measured.
#[derive(Debug, Clone)]
pub struct FleetFigures {
    pub devices: usize,
    pub seconds: u64,
    /// Wall time of each successful batch (one push and the pull after it), sorted, in ms.
    pub batch_ms: Vec<f64>,
    /// Wall time of each successful request (pushes and pulls), sorted, in ms.
    pub request_ms: Vec<f64>,
    /// Batches where the push or the pull failed.
    pub errors: u64,
    /// The first few failures, as the client described them.
    pub first_errors: Vec<String>,
    /// Highest resident memory sampled every half second during the run, per watched process.
    pub peak_rss_mb: Vec<f64>,
}

impl FleetFigures {
    pub fn batches(&self) -> usize {
        self.batch_ms.len()
    }

    /// Successful requests per second of the run.
    pub fn requests_per_second(&self) -> f64 {
        self.request_ms.len() as f64 / self.seconds.max(1) as f64
    }

    pub fn batch_p50(&self) -> f64 {
        percentile(&self.batch_ms, 0.5)
    }

    pub fn batch_p99(&self) -> f64 {
        percentile(&self.batch_ms, 0.99)
    }

    pub fn batch_max(&self) -> f64 {
        self.batch_ms.last().copied().unwrap_or(f64::NAN)
    }

    pub fn request_p50(&self) -> f64 {
        percentile(&self.request_ms, 0.5)
    }

    pub fn request_p99(&self) -> f64 {
        percentile(&self.request_ms, 0.99)
    }
}

/// Runs the fleet for `seconds`: every device pushes one note and pulls, then waits `pause`,
/// until the time is up (the devices start spread over the first `pause`). `watch` are process
/// ids whose resident memory is sampled meanwhile.
pub async fn run_fleet(
    devices: Vec<SimDevice>,
    seconds: u64,
    pause: Duration,
    watch: &[u32],
) -> FleetFigures {
    let count = devices.len();
    let batches = Arc::new(std::sync::Mutex::new(Vec::<f64>::new()));
    let requests = Arc::new(std::sync::Mutex::new(Vec::<f64>::new()));
    let first_errors = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let errors = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for (i, d) in devices.into_iter().enumerate() {
        let batches = batches.clone();
        let requests = requests.clone();
        let errors = errors.clone();
        let first_errors = first_errors.clone();
        tasks.push(tokio::spawn(async move {
            let SimDevice { client: c, signed, mut cursor, job } = d;
            tokio::time::sleep(pause.mul_f64(i as f64 / count.max(1) as f64)).await;
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
                let push_ms = t.elapsed().as_secs_f64() * 1e3;
                let pushed_failed = pushed.is_err();
                let pulled = match &pushed {
                    Ok(_) => Some(c.pull(cursor, 500).await),
                    Err(_) => None,
                };
                let ms = t.elapsed().as_secs_f64() * 1e3;
                match (pushed, pulled) {
                    (Ok(_), Some(Ok(page))) => {
                        cursor = page.cursor;
                        batches.lock().unwrap().push(ms);
                        requests.lock().unwrap().extend([push_ms, ms - push_ms]);
                    }
                    (Ok(_), Some(Err(e))) | (Err(e), None) => {
                        if pushed_failed {
                            // Sent again under the same sequence number, as the engine would.
                            seq -= 1;
                        }
                        errors.fetch_add(1, Ordering::Relaxed);
                        let mut first = first_errors.lock().unwrap();
                        if first.len() < 5 {
                            first.push(e.to_string());
                        }
                    }
                    (Ok(_), None) | (Err(_), Some(_)) => {
                        unreachable!("a pull follows every push that succeeded, and only those")
                    }
                }
                tokio::time::sleep(pause).await;
            }
        }));
    }
    let mut peaks = vec![0.0f64; watch.len()];
    while Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(500)).await;
        for (peak, pid) in peaks.iter_mut().zip(watch) {
            *peak = peak.max(rss_mb(*pid));
        }
    }
    for t in tasks {
        t.await.unwrap();
    }
    let mut batch_ms = batches.lock().unwrap().clone();
    batch_ms.sort_by(f64::total_cmp);
    let mut request_ms = requests.lock().unwrap().clone();
    request_ms.sort_by(f64::total_cmp);
    let first_errors = first_errors.lock().unwrap().clone();
    FleetFigures {
        devices: count,
        seconds,
        batch_ms,
        request_ms,
        errors: errors.load(Ordering::Relaxed),
        first_errors,
        peak_rss_mb: peaks,
    }
}

/// A unique UUID-shaped id per simulated device and sequence number.
fn uuid_like(device: usize, seq: i64) -> String {
    format!("00000000-0000-7000-8000-{:06x}{:06x}", device, seq)
}

/// A new device store in a temporary folder, signed in at `url` as `who`.
pub async fn laptop(url: &str, who: &Credentials) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::init(dir.path()).unwrap();
    sign_in(&mut store, url, &who.user, &who.password, &who.user, false, &TlsOptions::default())
        .await
        .unwrap();
    (dir, store)
}

/// What [`push_changes`] measured.
#[derive(Debug, Clone)]
pub struct PushFigures {
    pub jobs: usize,
    pub first_pull_records: usize,
    pub recorded: usize,
    pub record_s: f64,
    pub pushed: usize,
    pub push_ms: f64,
}

/// A laptop of `who` pulls its jobs, records `changes` notes and parts on them (a part every
/// fourth), and pushes them in one sync.
pub async fn push_changes(url: &str, who: &Credentials, changes: usize) -> PushFigures {
    let (dir, store) = laptop(url, who).await;
    let mut engine = Engine::new(store, &TlsOptions::default()).unwrap();
    let first = engine.sync_once().await.unwrap();
    drop(engine);
    let mut store = Store::open(dir.path()).unwrap();
    let jobs: Vec<String> =
        store.list_jobs(&JobFilter::All, None).unwrap().into_iter().map(|j| j.id).collect();
    let per_job = changes.div_ceil(jobs.len().max(1));
    let t = Instant::now();
    let mut made = 0;
    'outer: for job in &jobs {
        for k in 0..per_job {
            if made == changes {
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
    let record_s = t.elapsed().as_secs_f64();
    drop(store);
    let mut engine = Engine::open(dir.path(), &TlsOptions::default()).unwrap();
    let pushed = engine.sync_once().await.unwrap();
    PushFigures {
        jobs: jobs.len(),
        first_pull_records: first.pulled_records,
        recorded: made,
        record_s,
        pushed: pushed.pushed,
        push_ms: pushed.push_ms,
    }
}

/// What [`prime_laptop`] measured.
#[derive(Debug, Clone)]
pub struct PrimeFigures {
    pub jobs: usize,
    pub records: usize,
    pub pages: usize,
    /// Writing the pages into the device's store.
    pub apply_ms: f64,
    /// The whole pull: head office's queries, the transfer and applying.
    pub pull_ms: f64,
}

impl PrimeFigures {
    /// Rows applied per second on the device.
    pub fn applied_per_second(&self) -> f64 {
        self.records as f64 / (self.apply_ms / 1e3)
    }

    /// Rows per second of the whole pull.
    pub fn pulled_per_second(&self) -> f64 {
        self.records as f64 / (self.pull_ms / 1e3)
    }
}

/// A new laptop of `who`: its first sync primes it with everything in its scope. Returns the
/// figures and the engine (its store in the returned folder) for more syncs.
pub async fn prime_laptop(
    url: &str,
    who: &Credentials,
) -> (PrimeFigures, Engine, tempfile::TempDir) {
    let (dir, store) = laptop(url, who).await;
    let mut engine = Engine::new(store, &TlsOptions::default()).unwrap();
    let primed = engine.sync_once().await.unwrap();
    let jobs = usize::try_from(engine.store().job_count().unwrap()).unwrap();
    let figures = PrimeFigures {
        jobs,
        records: primed.pulled_records,
        pages: primed.pull_pages,
        apply_ms: primed.apply_ms,
        pull_ms: primed.pull_ms,
    };
    (figures, engine, dir)
}
