//! Issue 13's figures, head office beyond one machine, printed side by side in one run (`make
//! bench-scale`: release builds, under `scripts/with-postgres`, which provides a throwaway
//! PostgreSQL cluster and `FIELDWORK_TEST_POSTGRES`, a superuser URL; the bench makes a database
//! of its own for each part):
//!
//! - **fleet**: 1,000 simulated devices ([`fleet`]: push a note, pull, wait a second) syncing for
//!   60 s through HAProxy (`deploy/haproxy.cfg`) to two head-office instances on one PostgreSQL
//!   database, then the same fleet against one head office on its embedded SQLite database:
//!   batch and request latency (p50, p99), requests per second, errors, and the peak memory
//!   (`VmHWM`) of each head-office process and of HAProxy. Each device signs in as a technician
//!   of its own (added through the admin API, with one job booked for them), as laptops in a
//!   company of 1,000 technicians would.
//! - **prime**: a head office seeded with 7,500 demo jobs; a laptop of tech1 pushes 10,000 notes
//!   and parts, then a second laptop of tech1 is primed with its 2,000 jobs: rows applied per
//!   second on the device, from PostgreSQL (through HAProxy) and from SQLite.
//! - **kpi**: the KPI page over a year of 1,000,000 jobs (the `kpi_bench` example, release build),
//!   on PostgreSQL and on SQLite.
//!
//! Environment: `SCALE_BENCH_ONLY=fleet|prime|kpi` (comma-separated; `fleet-pg` and
//! `fleet-sqlite` for one side of the fleet) runs only those parts;
//! `SCALE_BENCH_DEVICES` (1000), `SCALE_BENCH_TECHNICIANS` (as many as devices),
//! `SCALE_BENCH_SECONDS` (60), `SCALE_BENCH_PAUSE_MS` (1000: each device's wait between
//! batches), `SCALE_BENCH_KPI_JOBS` (1000000).
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fieldwork_e2e_sync::fleet::{self, Credentials, FleetFigures, PrimeFigures};
use fieldwork_e2e_sync::{Dispatcher, HeadOffice, bin, blocking_client, free_port};
use serde_json::{Value, json};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn wants(part: &str) -> bool {
    match std::env::var("SCALE_BENCH_ONLY") {
        Ok(only) if !only.trim().is_empty() => only.split(',').any(|p| p.trim() == part),
        _ => true,
    }
}

/// The repository's root (for deploy/haproxy.cfg).
fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

// --- PostgreSQL and the cluster -----------------------------------------------------------------

/// The superuser URL of the throwaway cluster `scripts/with-postgres` started.
fn pg_admin_url() -> String {
    std::env::var("FIELDWORK_TEST_POSTGRES").unwrap_or_else(|_| {
        panic!(
            "FIELDWORK_TEST_POSTGRES is not set: run `make bench-scale` (or this bench under \
             scripts/with-postgres)"
        )
    })
}

/// Creates database `name` in the cluster and returns its URL.
fn create_database(name: &str) -> String {
    let admin = pg_admin_url();
    let out = Command::new("psql")
        .args([admin.as_str(), "-v", "ON_ERROR_STOP=1", "-q"])
        // Two commands, two transactions: DROP DATABASE cannot run inside a transaction block.
        .args(["-c", &format!("DROP DATABASE IF EXISTS {name}")])
        .args(["-c", &format!("CREATE DATABASE {name}")])
        .output()
        .expect("psql (Debian's postgresql-client) runs");
    assert!(
        out.status.success(),
        "creating database {name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (server, _) = admin.rsplit_once('/').unwrap();
    format!("{server}/{name}")
}

/// One `fieldwork-headoffice serve --database postgres://…` process in a data folder of its own.
struct Instance {
    _dir: tempfile::TempDir,
    port: u16,
    child: Child,
}

fn wait_healthy(url: &str, what: &str, log: &Path) {
    let http = blocking_client(false);
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if http
            .get(format!("{url}/healthz"))
            .timeout(Duration::from_secs(1))
            .send()
            .is_ok_and(|r| r.status().is_success())
        {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!(
        "{what} did not answer at {url}; log:\n{}",
        std::fs::read_to_string(log).unwrap_or_default()
    );
}

impl Instance {
    fn start(database: &str) -> Instance {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let log_path = dir.path().join("serve.log");
        let log = std::fs::File::create(&log_path).unwrap();
        let child = Command::new(bin("fieldwork-headoffice"))
            .arg("--data-dir")
            .arg(dir.path())
            .args(["--database", database, "serve", "--listen", &format!("127.0.0.1:{port}")])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        wait_healthy(&format!("http://127.0.0.1:{port}"), "head office", &log_path);
        Instance { _dir: dir, port, child }
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Two head-office instances on one PostgreSQL database, behind HAProxy started with the
/// repository's `deploy/haproxy.cfg` (blobs in each instance's data folder: the figures upload
/// none).
struct PgCluster {
    instances: Vec<Instance>,
    haproxy: Child,
    lb_port: u16,
    _haproxy_dir: tempfile::TempDir,
}

impl PgCluster {
    /// A new database `name`, seeded with the demo and `jobs` jobs, served by two instances.
    fn start(name: &str, jobs: usize) -> PgCluster {
        let database = create_database(name);
        let seed_dir = tempfile::tempdir().unwrap();
        let out = Command::new(bin("fieldwork-headoffice"))
            .arg("--data-dir")
            .arg(seed_dir.path())
            .args(["--database", &database, "seed", "--demo", "--jobs", &jobs.to_string()])
            .env("RUST_LOG", "warn")
            .output()
            .unwrap();
        assert!(out.status.success(), "seed failed: {}", String::from_utf8_lossy(&out.stderr));
        let instances = vec![Instance::start(&database), Instance::start(&database)];
        let haproxy_dir = tempfile::tempdir().unwrap();
        let lb_port = free_port();
        let log_path = haproxy_dir.path().join("haproxy.log");
        let log = std::fs::File::create(&log_path).unwrap();
        let haproxy = Command::new("haproxy")
            .arg("-db")
            .arg("-f")
            .arg(repo_root().join("deploy/haproxy.cfg"))
            .env("FIELDWORK_LB_LISTEN", format!("127.0.0.1:{lb_port}"))
            .env("FIELDWORK_HO_A", format!("127.0.0.1:{}", instances[0].port))
            .env("FIELDWORK_HO_B", format!("127.0.0.1:{}", instances[1].port))
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("haproxy (Debian's package) runs");
        let cluster = PgCluster { instances, haproxy, lb_port, _haproxy_dir: haproxy_dir };
        wait_healthy(&cluster.url(), "HAProxy", &log_path);
        cluster
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.lb_port)
    }

    fn instance_pids(&self) -> Vec<u32> {
        self.instances.iter().map(|i| i.child.id()).collect()
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        let _ = self.haproxy.kill();
        let _ = self.haproxy.wait();
    }
}

// --- the fleet's technicians ------------------------------------------------------------------

/// A POST that waits out `429 rate_limited` (the setup is faster than one session may go).
fn post(session: &Dispatcher, path: &str, body: &Value) -> Value {
    loop {
        let (status, v) = session.try_send(reqwest::Method::POST, path, Some(body.clone()));
        match status {
            200..=299 => return v,
            429 => std::thread::sleep(Duration::from_millis(200)),
            _ => panic!("POST {path}: {status} {v}"),
        }
    }
}

/// Adds `n` technicians through the admin API (`fleet-0001`…, password `fleet-0001-pw`), each
/// with one job booked for them an hour from now, `parallel` at a time.
fn add_technicians(url: &str, n: usize, parallel: usize) -> Vec<Credentials> {
    let office = Dispatcher::sign_in(url);
    let customer = office.get("/customers?limit=1")[0].clone();
    let cid = customer["id"].as_str().unwrap().to_owned();
    let site = office.get(&format!("/customers/{cid}/sites"))[0]["id"].as_str().unwrap().to_owned();
    let start = chrono::Utc::now() + chrono::Duration::hours(1);
    let end = start + chrono::Duration::hours(2);
    std::thread::scope(|s| {
        let workers: Vec<_> = (0..parallel.max(1))
            .map(|w| {
                let (cid, site) = (&cid, &site);
                s.spawn(move || {
                    let admin = Dispatcher::sign_in_as(url, "admin", "admin-demo");
                    let dispatcher = Dispatcher::sign_in(url);
                    let mut made = Vec::new();
                    for i in (w..n).step_by(parallel.max(1)) {
                        let who = Credentials {
                            user: format!("fleet-{i:04}"),
                            password: format!("fleet-{i:04}-pw"),
                        };
                        let user = post(
                            &admin,
                            "/admin/users",
                            &json!({"name": who.user, "role": "technician", "password": who.password}),
                        );
                        let tech = user["technician_id"].as_str().unwrap().to_owned();
                        let job = post(
                            &dispatcher,
                            "/jobs",
                            &json!({"job_type": "repair", "priority": "normal", "customer_id": cid,
                                    "site_id": site, "equipment_id": null,
                                    "reported_problem": format!("Fleet job {i}")}),
                        );
                        let id = job["id"].as_str().or(job["work_order"]["id"].as_str()).unwrap();
                        post(
                            &dispatcher,
                            &format!("/jobs/{id}/schedule"),
                            &json!({"assignee_id": tech, "appointment_start": start,
                                    "appointment_end": end, "allow_overlap": true}),
                        );
                        made.push((i, who));
                    }
                    made
                })
            })
            .collect();
        let mut all: Vec<(usize, Credentials)> =
            workers.into_iter().flat_map(|w| w.join().unwrap()).collect();
        all.sort_by_key(|(i, _)| *i);
        all.into_iter().map(|(_, c)| c).collect()
    })
}

// --- the parts ----------------------------------------------------------------------------------

struct FleetResult {
    figures: FleetFigures,
    /// (process, VmHWM in MB), read at the end of the run.
    peaks: Vec<(String, f64)>,
    setup_s: f64,
}

fn fleet_on(
    rt: &tokio::runtime::Runtime,
    url: &str,
    processes: &[(String, u32)],
    devices: usize,
    technicians: usize,
    seconds: u64,
    pause: Duration,
) -> FleetResult {
    let t = Instant::now();
    let users = add_technicians(url, technicians, 4);
    println!(
        "  {technicians} technicians added, each with a job, in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let t2 = Instant::now();
    let sims = rt.block_on(fleet::sign_in_fleet(url, devices, &users, 16));
    println!("  {devices} devices signed in and primed in {:.1} s", t2.elapsed().as_secs_f64());
    let setup_s = t.elapsed().as_secs_f64();
    println!("  {devices} devices syncing for {seconds} s …");
    let pids: Vec<u32> = processes.iter().map(|(_, p)| *p).collect();
    let figures = rt.block_on(fleet::run_fleet(sims, seconds, pause, &pids));
    let peaks = processes.iter().map(|(name, pid)| (name.clone(), fleet::peak_mb(*pid))).collect();
    let r = FleetResult { figures, peaks, setup_s };
    print_fleet(&r);
    r
}

fn print_fleet(r: &FleetResult) {
    let f = &r.figures;
    println!(
        "  FLEET {} devices, {} s: {} batches (push + pull), {:.0} requests/s; batch p50 {:.1} ms, \
         p99 {:.1} ms, max {:.1} ms; request p50 {:.1} ms, p99 {:.1} ms; errors {}",
        f.devices,
        f.seconds,
        f.batches(),
        f.requests_per_second(),
        f.batch_p50(),
        f.batch_p99(),
        f.batch_max(),
        f.request_p50(),
        f.request_p99(),
        f.errors
    );
    if !f.first_errors.is_empty() {
        println!("  first errors: {:?}", f.first_errors);
    }
    for ((name, hwm), rss) in r.peaks.iter().zip(&f.peak_rss_mb) {
        println!("  memory {name}: VmHWM {hwm:.0} MB (highest RSS during the run {rss:.0} MB)");
    }
}

struct PrimeResult {
    figures: PrimeFigures,
    seed_s: f64,
}

fn prime_on(rt: &tokio::runtime::Runtime, url: &str, seed_s: f64) -> PrimeResult {
    let tech1 = Credentials::demo("tech1");
    let pushed = rt.block_on(fleet::push_changes(url, &tech1, 10_000));
    println!(
        "  laptop A: {} jobs; pushed {} mutations in {:.0} ms",
        pushed.jobs, pushed.pushed, pushed.push_ms
    );
    let (figures, engine, dir) = rt.block_on(fleet::prime_laptop(url, &tech1));
    drop(engine);
    drop(dir);
    println!(
        "  PRIME {} jobs, {} rows in {} pages: applied on the device in {:.0} ms → {:.0} rows/s; \
         whole pull {:.0} ms → {:.0} rows/s",
        figures.jobs,
        figures.records,
        figures.pages,
        figures.apply_ms,
        figures.applied_per_second(),
        figures.pull_ms,
        figures.pulled_per_second()
    );
    PrimeResult { figures, seed_s }
}

struct KpiResult {
    /// The worst median of the KPI page's three cases, in ms.
    worst_page_ms: f64,
    load_s: f64,
}

/// Runs the `kpi_bench` example (built next to this bench) and reads its figures.
fn kpi_on(database: Option<&str>, jobs: usize) -> Option<KpiResult> {
    // target/release/deps/scale-… → target/release/examples/kpi_bench
    let exe = bin("fieldwork-headoffice").with_file_name("examples").join("kpi_bench");
    assert!(
        exe.is_file(),
        "{} is missing: build it with `cargo build --release -p fieldwork-headoffice --example kpi_bench`",
        exe.display()
    );
    let mut cmd = Command::new(&exe);
    cmd.arg(jobs.to_string());
    if let Some(url) = database {
        cmd.args(["--database", url]);
    }
    let out = cmd.output().unwrap_or_else(|e| panic!("{}: {e}", exe.display()));
    let text = String::from_utf8_lossy(&out.stdout);
    for line in text.lines() {
        println!("  {line}");
    }
    if !out.status.success() {
        println!("  kpi_bench failed: {}", String::from_utf8_lossy(&out.stderr));
        return None;
    }
    let number_after = |prefix: &str| -> Option<f64> {
        let line = text.lines().find(|l| l.contains(prefix))?;
        let rest = &line[line.find(prefix)? + prefix.len()..];
        rest.trim_start().split(|c: char| !(c.is_ascii_digit() || c == '.')).next()?.parse().ok()
    };
    Some(KpiResult {
        worst_page_ms: number_after("KPI page worst median:")?,
        load_s: number_after("technicians written in")?,
    })
}

// --- main ---------------------------------------------------------------------------------------

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let devices = env_usize("SCALE_BENCH_DEVICES", 1_000);
    let technicians = env_usize("SCALE_BENCH_TECHNICIANS", devices).max(1);
    let seconds = env_usize("SCALE_BENCH_SECONDS", 60) as u64;
    let pause = Duration::from_millis(env_usize("SCALE_BENCH_PAUSE_MS", 1_000) as u64);
    let kpi_jobs = env_usize("SCALE_BENCH_KPI_JOBS", 1_000_000);
    let _ = pg_admin_url();

    let mut fleet_pg = None;
    let mut fleet_sqlite = None;
    if wants("fleet") || wants("fleet-pg") {
        println!("FLEET on PostgreSQL: two instances behind HAProxy …");
        let cluster = PgCluster::start("fieldwork_scale_fleet", 30);
        let pids = cluster.instance_pids();
        let processes = vec![
            (String::from("head office A"), pids[0]),
            (String::from("head office B"), pids[1]),
            (String::from("HAProxy"), cluster.haproxy.id()),
        ];
        fleet_pg =
            Some(fleet_on(&rt, &cluster.url(), &processes, devices, technicians, seconds, pause));
        drop(cluster);
    }
    if wants("fleet") || wants("fleet-sqlite") {
        println!("FLEET on SQLite: one instance …");
        let ho = HeadOffice::start(30);
        let processes = vec![(String::from("head office"), ho.pid())];
        fleet_sqlite =
            Some(fleet_on(&rt, &ho.url(), &processes, devices, technicians, seconds, pause));
        drop(ho);
    }

    let mut prime_pg = None;
    let mut prime_sqlite = None;
    if wants("prime") {
        println!("PRIME from PostgreSQL (through HAProxy): seeding 7,500 demo jobs …");
        let t = Instant::now();
        let cluster = PgCluster::start("fieldwork_scale_prime", 7_500);
        let seed_s = t.elapsed().as_secs_f64();
        println!("  seeded and started in {seed_s:.1} s");
        prime_pg = Some(prime_on(&rt, &cluster.url(), seed_s));
        drop(cluster);

        println!("PRIME from SQLite: seeding 7,500 demo jobs …");
        let t = Instant::now();
        let ho = HeadOffice::start(7_500);
        let seed_s = t.elapsed().as_secs_f64();
        println!("  seeded and started in {seed_s:.1} s");
        prime_sqlite = Some(prime_on(&rt, &ho.url(), seed_s));
        drop(ho);
    }

    let mut kpi_pg = None;
    let mut kpi_sqlite = None;
    if wants("kpi") {
        println!("KPIS on PostgreSQL: {kpi_jobs} jobs …");
        let database = create_database("fieldwork_scale_kpi");
        kpi_pg = kpi_on(Some(&database), kpi_jobs);
        println!("KPIS on SQLite: {kpi_jobs} jobs …");
        kpi_sqlite = kpi_on(None, kpi_jobs);
    }

    summary(
        devices,
        technicians,
        seconds,
        kpi_jobs,
        (fleet_pg.as_ref(), fleet_sqlite.as_ref()),
        (prime_pg.as_ref(), prime_sqlite.as_ref()),
        (kpi_pg.as_ref(), kpi_sqlite.as_ref()),
    );
}

fn verdict(ok: bool) -> &'static str {
    if ok { "OK" } else { "MISSED" }
}

fn summary(
    devices: usize,
    technicians: usize,
    seconds: u64,
    kpi_jobs: usize,
    fleet: (Option<&FleetResult>, Option<&FleetResult>),
    prime: (Option<&PrimeResult>, Option<&PrimeResult>),
    kpi: (Option<&KpiResult>, Option<&KpiResult>),
) {
    let cell = |s: Option<String>| s.unwrap_or_else(|| String::from("—"));
    let rows: Vec<[String; 4]> = {
        let mut rows = Vec::new();
        if fleet.0.is_some() || fleet.1.is_some() {
            let f = |r: Option<&FleetResult>, g: &dyn Fn(&FleetResult) -> String| cell(r.map(g));
            let head = format!("{devices} devices ({technicians} technicians), {seconds} s");
            rows.push([
                format!("{head}: batch p50 / p99"),
                f(fleet.0, &|r| {
                    format!("{:.1} / {:.1} ms", r.figures.batch_p50(), r.figures.batch_p99())
                }),
                f(fleet.1, &|r| {
                    format!("{:.1} / {:.1} ms", r.figures.batch_p50(), r.figures.batch_p99())
                }),
                String::from("p99 ≤ 250 ms"),
            ]);
            rows.push([
                String::from("  request p50 / p99"),
                f(fleet.0, &|r| {
                    format!("{:.1} / {:.1} ms", r.figures.request_p50(), r.figures.request_p99())
                }),
                f(fleet.1, &|r| {
                    format!("{:.1} / {:.1} ms", r.figures.request_p50(), r.figures.request_p99())
                }),
                String::new(),
            ]);
            rows.push([
                String::from("  requests/s (batches)"),
                f(fleet.0, &|r| {
                    format!("{:.0} ({})", r.figures.requests_per_second(), r.figures.batches())
                }),
                f(fleet.1, &|r| {
                    format!("{:.0} ({})", r.figures.requests_per_second(), r.figures.batches())
                }),
                String::new(),
            ]);
            rows.push([
                String::from("  errors"),
                f(fleet.0, &|r| r.figures.errors.to_string()),
                f(fleet.1, &|r| r.figures.errors.to_string()),
                String::from("0"),
            ]);
            rows.push([
                String::from("  peak memory (VmHWM)"),
                f(fleet.0, &|r| {
                    r.peaks
                        .iter()
                        .map(|(n, m)| format!("{n} {m:.0} MB"))
                        .collect::<Vec<_>>()
                        .join(", ")
                }),
                f(fleet.1, &|r| {
                    r.peaks
                        .iter()
                        .map(|(n, m)| format!("{n} {m:.0} MB"))
                        .collect::<Vec<_>>()
                        .join(", ")
                }),
                String::new(),
            ]);
            rows.push([
                String::from("  setup (technicians, sign-ins)"),
                f(fleet.0, &|r| format!("{:.0} s", r.setup_s)),
                f(fleet.1, &|r| format!("{:.0} s", r.setup_s)),
                String::new(),
            ]);
        }
        if prime.0.is_some() || prime.1.is_some() {
            let f = |r: Option<&PrimeResult>, g: &dyn Fn(&PrimeResult) -> String| cell(r.map(g));
            rows.push([
                String::from("prime a laptop: rows/s applied"),
                f(prime.0, &|r| {
                    format!(
                        "{:.0} ({} jobs, {} rows)",
                        r.figures.applied_per_second(),
                        r.figures.jobs,
                        r.figures.records
                    )
                }),
                f(prime.1, &|r| {
                    format!(
                        "{:.0} ({} jobs, {} rows)",
                        r.figures.applied_per_second(),
                        r.figures.jobs,
                        r.figures.records
                    )
                }),
                String::from("≥ 50,000 rows/s"),
            ]);
            rows.push([
                String::from("  whole pull, rows/s"),
                f(prime.0, &|r| {
                    format!("{:.0} ({:.0} ms)", r.figures.pulled_per_second(), r.figures.pull_ms)
                }),
                f(prime.1, &|r| {
                    format!("{:.0} ({:.0} ms)", r.figures.pulled_per_second(), r.figures.pull_ms)
                }),
                String::new(),
            ]);
            rows.push([
                String::from("  seeding 7,500 jobs"),
                f(prime.0, &|r| format!("{:.0} s", r.seed_s)),
                f(prime.1, &|r| format!("{:.0} s", r.seed_s)),
                String::new(),
            ]);
        }
        if kpi.0.is_some() || kpi.1.is_some() {
            let f = |r: Option<&KpiResult>, g: &dyn Fn(&KpiResult) -> String| cell(r.map(g));
            rows.push([
                format!("KPI page over a year of {kpi_jobs} jobs (worst median)"),
                f(kpi.0, &|r| format!("{:.0} ms", r.worst_page_ms)),
                f(kpi.1, &|r| format!("{:.0} ms", r.worst_page_ms)),
                String::from("≤ 500 ms"),
            ]);
            rows.push([
                String::from("  writing the jobs"),
                f(kpi.0, &|r| format!("{:.0} s", r.load_s)),
                f(kpi.1, &|r| format!("{:.0} s", r.load_s)),
                String::new(),
            ]);
        }
        rows
    };
    let header = [
        String::from("figure"),
        String::from("PostgreSQL (2 instances + HAProxy)"),
        String::from("SQLite (1 instance)"),
        String::from("target"),
    ];
    let widths: Vec<usize> = (0..4)
        .map(|c| {
            rows.iter().chain(std::iter::once(&header)).map(|r| r[c].chars().count()).max().unwrap()
        })
        .collect();
    let line = |r: &[String; 4]| {
        let cells: Vec<String> =
            r.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}", w = *w)).collect();
        println!("| {} |", cells.join(" | "));
    };
    println!();
    println!("SUMMARY (make bench-scale)");
    line(&header);
    println!("|{}|", widths.iter().map(|w| "-".repeat(w + 2)).collect::<Vec<_>>().join("|"));
    for r in &rows {
        line(r);
    }
    // The verdicts on the targets, PostgreSQL first.
    if let Some(r) = fleet.0 {
        let f = &r.figures;
        println!(
            "fleet on PostgreSQL: p99 {:.1} ms, {} errors → {}",
            f.batch_p99(),
            f.errors,
            verdict(f.batch_p99() <= 250.0 && f.errors == 0)
        );
    }
    if let Some(r) = prime.0 {
        let rate = r.figures.applied_per_second();
        println!("prime from PostgreSQL: {rate:.0} rows/s → {}", verdict(rate >= 50_000.0));
    }
    if let Some(r) = kpi.0 {
        println!(
            "KPIs on PostgreSQL: {:.0} ms → {}",
            r.worst_page_ms,
            verdict(r.worst_page_ms <= 500.0)
        );
    }
}
