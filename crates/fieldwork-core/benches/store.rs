//! Benchmarks of the local store against the performance targets of issue 2, on one store seeded
//! with 100,000 jobs and their notes, parts and time entries (`FIELDWORK_BENCH_JOBS` overrides the
//! count):
//!
//! - `today_list`: today's jobs of the device's technician (target ≤ 5 ms);
//! - `job_detail`: one completed job with notes, parts and time entries (target ≤ 2 ms);
//! - `search_mix/<kind>`: customer names, serial and phone fragments, Chinese and English words
//!   (target: p95 ≤ 20 ms over the whole mix, measured and printed here);
//! - `mutation_commit`: one note committed with its outbox entry, synchronous=FULL (reported);
//! - `seed_1000`: seeding 1,000 jobs into a fresh store, a scaled indicator of the 100,000-job
//!   seed (target ≤ 10 s), which is timed once when the big store is made.
//!
//! The big store is seeded once per process, in a temporary folder under Cargo's target tmp dir
//! (a real disk, so commits really wait for fsync), and the seed time and database size per
//! 1,000 jobs are printed then. The search mix's p50/p95/max over all its queries is measured
//! here as well, since criterion reports means per benchmark, not a percentile over a mix.
//!
//! `cargo test --benches` and `cargo bench -- --test` run every benchmark once against a small
//! store (2,000 jobs unless `FIELDWORK_BENCH_JOBS` says otherwise).

// A benchmark reports its figures on stdout.
#![allow(clippy::print_stdout)]

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, Local, NaiveDate, Utc};
use criterion::{BatchSize, BenchmarkId, Criterion, criterion_group};
use fieldwork_core::domain::JobStatus;
use fieldwork_core::seed::{self, SeedOptions};
use fieldwork_core::{JobFilter, Store};
use rusqlite::{Connection, OpenFlags};

/// Jobs in the big store when benchmarking, and when only testing that the benchmarks run.
const BENCH_JOBS: usize = 100_000;
const TEST_JOBS: usize = 2_000;
/// Seed of the demo-data generator: the same data on every run (for a given day).
const SEED: u64 = 42;
/// Queries sampled from the data for each searched-for kind (names, serials, phones).
const SAMPLED_QUERIES_PER_KIND: usize = 10;
/// Rounds over the whole search mix for the percentile figures.
const MIX_ROUNDS: usize = 20;
/// Results asked of a search, as the app asks.
const SEARCH_LIMIT: usize = 50;

/// What people search for. Sampled kinds take their queries from the seeded data; the others
/// are the word itself.
const SEARCH_KINDS: &[&str] = &[
    "name_en",
    "name_zh",
    "serial",
    "phone",
    "洗衣机",
    "空调",
    "热水器",
    "冰箱",
    "漏水",
    "leak",
    "noise",
];

/// Whether criterion runs in test mode (each benchmark once): `cargo bench -- --test`, or the
/// binary started without `--bench` as `cargo test --benches` does. Same rule as criterion's.
fn test_mode() -> bool {
    let args: Vec<String> = std::env::args().collect();
    args.iter().any(|a| a == "--test") || !args.iter().any(|a| a == "--bench")
}

fn job_count() -> usize {
    match std::env::var("FIELDWORK_BENCH_JOBS") {
        Ok(v) => {
            v.trim().replace(['_', ','], "").parse().unwrap_or_else(|_| {
                panic!("FIELDWORK_BENCH_JOBS must be a number of jobs, not {v:?}")
            })
        }
        Err(_) if test_mode() => TEST_JOBS,
        Err(_) => BENCH_JOBS,
    }
}

/// A fresh temporary folder on the target directory's disk (not a tmpfs /tmp, where fsync is
/// free and the commit benchmark would mean nothing).
fn temp_dir() -> tempfile::TempDir {
    let base = Path::new(env!("CARGO_TARGET_TMPDIR"));
    tempfile::Builder::new()
        .prefix("fieldwork-bench-")
        .tempdir_in(base)
        .or_else(|_| tempfile::Builder::new().prefix("fieldwork-bench-").tempdir())
        .expect("a temporary folder for the benchmark store")
}

fn clock() -> (NaiveDate, DateTime<Utc>) {
    (Local::now().date_naive(), Utc::now())
}

/// The big store and what the benchmarks need from it.
struct Fixture {
    /// Taken and dropped (closing the database) before the folder is removed, at the end of main.
    store: Mutex<Option<Store>>,
    dir: Mutex<Option<tempfile::TempDir>>,
    today: NaiveDate,
    technician_id: String,
    /// A completed job with notes, parts and time entries.
    detail_job: String,
    /// Jobs of the device's technician that still take notes (scheduled), today's first.
    note_jobs: Vec<String>,
    /// Queries for each of [`SEARCH_KINDS`], in that order.
    mix: Vec<Vec<String>>,
}

static FIXTURE: OnceLock<Fixture> = OnceLock::new();

fn fixture() -> &'static Fixture {
    FIXTURE.get_or_init(build_fixture)
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1_000_000.0
}

fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Size of the database file and its WAL, in bytes.
fn db_size(db: &Path) -> (u64, u64) {
    (file_size(db), file_size(&with_suffix(db, "-wal")))
}

fn build_fixture() -> Fixture {
    let jobs = job_count();
    let (today, now) = clock();
    let dir = temp_dir();
    let mut store = Store::init(dir.path()).expect("init the benchmark store");
    let db = store.path().to_path_buf();
    println!("seeding {jobs} jobs into {} ...", db.display());

    let started = Instant::now();
    let summary = seed::seed(&mut store, &SeedOptions { jobs, seed: SEED, today, now })
        .expect("seed the benchmark store");
    let seconds = started.elapsed().as_secs_f64();
    let per_k = |bytes: u64| mb(bytes) * 1_000.0 / jobs as f64;

    let (main, wal) = db_size(&db);
    println!(
        "seed: {jobs} jobs in {seconds:.1} s; database {:.1} MB ({:.2} MB per 1,000 jobs) \
         [file {:.1} MB + wal {:.1} MB, MB = 10^6 bytes]",
        mb(main + wal),
        per_k(main + wal),
        mb(main),
        mb(wal),
    );
    println!(
        "seed: {} customers, {} technicians; device technician {} has {} jobs today",
        summary.customers,
        summary.technicians,
        summary.device_technician_name,
        summary.today_jobs_for_device_technician
    );
    match checkpoint_and_breakdown(&db) {
        Ok(objects) => {
            let (main, wal) = db_size(&db);
            println!(
                "seed: after wal_checkpoint(TRUNCATE): database {:.1} MB ({:.2} MB per 1,000 \
                 jobs) [file {:.1} MB + wal {:.1} MB]",
                mb(main + wal),
                per_k(main + wal),
                mb(main),
                mb(wal),
            );
            if !objects.is_empty() {
                let parts: Vec<String> = objects
                    .iter()
                    .map(|(name, bytes)| format!("{name} {:.1}", mb(*bytes)))
                    .collect();
                println!("seed: largest objects (MB): {}", parts.join(", "));
            }
        }
        Err(e) => println!("seed: could not checkpoint the WAL through a second connection: {e}"),
    }
    // The app opens its store; it does not keep the connection that seeded it (whose page cache
    // was enlarged for the bulk load). Benchmark a freshly opened store.
    drop(store);
    let store = Store::open(dir.path()).expect("reopen the benchmark store");
    let technician_id = store
        .device_technician()
        .expect("read the device technician")
        .expect("seeding makes the first technician the device's");
    let detail_job = pick_detail_job(&store);
    let note_jobs = pick_note_jobs(&store, &technician_id, today);
    let mix = sample_search_mix(&db).expect("sample search queries from the seeded data");
    Fixture {
        store: Mutex::new(Some(store)),
        dir: Mutex::new(Some(dir)),
        today,
        technician_id,
        detail_job,
        note_jobs,
        mix,
    }
}

/// Checkpoints the WAL into the database through a second connection (the store is idle), and
/// lists the largest tables and indexes when SQLite was built with `dbstat`.
fn checkpoint_and_breakdown(db: &Path) -> rusqlite::Result<Vec<(String, u64)>> {
    let conn = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
    conn.busy_timeout(Duration::from_secs(10))?;
    let (busy, _, _): (i64, i64, i64) =
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
    if busy != 0 {
        println!("seed: wal_checkpoint(TRUNCATE) could not finish (busy)");
    }
    let objects = conn
        .prepare(
            "SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY sum(pgsize) DESC LIMIT 8",
        )
        .and_then(|mut stmt| {
            stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?
                .map(|row| row.map(|(name, bytes)| (name, u64::try_from(bytes).unwrap_or(0))))
                .collect()
        })
        .unwrap_or_default();
    Ok(objects)
}

/// A completed job with notes, parts and time entries (the fullest detail a technician opens).
fn pick_detail_job(store: &Store) -> String {
    let completed = store
        .list_jobs(&JobFilter::Status(JobStatus::Completed), Some(2_000))
        .expect("list completed jobs");
    let mut fallback = None;
    for job in &completed {
        let d = store.job_detail(&job.number).expect("job detail");
        if !d.notes.is_empty() && !d.parts.is_empty() && !d.time_entries.is_empty() {
            println!(
                "job_detail: {} ({} notes, {} parts, {} time entries, {} checklist items, {} \
                 status changes, {} earlier jobs)",
                job.number,
                d.notes.len(),
                d.parts.len(),
                d.time_entries.len(),
                d.checklist.len(),
                d.status_history.len(),
                d.history.len()
            );
            return job.number.clone();
        }
        fallback.get_or_insert_with(|| job.number.clone());
    }
    let fallback = fallback.unwrap_or_else(|| {
        let newest = store.list_jobs(&JobFilter::All, Some(1)).expect("list the newest job");
        newest.into_iter().next().expect("the seeded store has jobs").number
    });
    println!("job_detail: no completed job has notes, parts and time entries; using {fallback}");
    fallback
}

/// Scheduled jobs of the device's technician, today's first then the coming two weeks: a note
/// goes to each in turn, so no one job's search text keeps growing through the benchmark.
fn pick_note_jobs(store: &Store, technician_id: &str, today: NaiveDate) -> Vec<String> {
    let mut jobs = Vec::new();
    for day in 0..15 {
        let date = today + chrono::Duration::days(day);
        let filter = JobFilter::Day { date, technician_id: Some(technician_id.to_owned()) };
        let list = store.list_jobs(&filter, None).expect("list a day's jobs");
        jobs.extend(
            list.into_iter().filter(|j| j.status == JobStatus::Scheduled).map(|j| j.number),
        );
    }
    jobs
}

/// Every `n`th of `items`, `count` of them, spread over the whole list.
fn spread<T: Clone>(items: &[T], count: usize) -> Vec<T> {
    if items.is_empty() {
        return Vec::new();
    }
    let count = count.min(items.len());
    (0..count)
        .map(|i| {
            items[(i * items.len() / count + items.len() / (2 * count)).min(items.len() - 1)]
                .clone()
        })
        .collect()
}

/// Queries of every kind in [`SEARCH_KINDS`], taken from the seeded customers and appliances.
fn sample_search_mix(db: &Path) -> rusqlite::Result<Vec<Vec<String>>> {
    let conn = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let customers: Vec<(String, String)> = conn
        .prepare("SELECT name, phone FROM customers ORDER BY id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let serials: Vec<String> = conn
        .prepare("SELECT serial FROM equipment ORDER BY id")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let (english, chinese): (Vec<_>, Vec<_>) =
        customers.iter().map(|(name, _)| name.clone()).partition(|n| n.is_ascii());
    let n = SAMPLED_QUERIES_PER_KIND;
    // "Oliver Smith" is searched as "Oliver Smi": a first name and the start of a surname.
    let name_en: Vec<String> = spread(&english, n)
        .into_iter()
        .map(|name| {
            let mut words = name.split_whitespace();
            let first = words.next().unwrap_or_default();
            let last: String = words.next().unwrap_or_default().chars().take(3).collect();
            format!("{first} {last}").trim().to_owned()
        })
        .collect();
    // Chinese names are typed whole: surname and given name, e.g. 王秀英.
    let name_zh: Vec<String> = spread(&chinese, n);
    // The middle six characters of a serial, as read off a worn nameplate.
    let serial: Vec<String> = spread(&serials, n)
        .into_iter()
        .map(|s| {
            let chars: Vec<char> = s.chars().collect();
            let start = chars.len().saturating_sub(6) / 2;
            chars[start..(start + 6).min(chars.len())].iter().collect()
        })
        .collect();
    // The last four digits of a phone number.
    let phones: Vec<String> = customers.iter().map(|(_, phone)| phone.clone()).collect();
    let phone: Vec<String> = spread(&phones, n)
        .into_iter()
        .map(|p| {
            let digits: Vec<char> = p.chars().filter(char::is_ascii_digit).collect();
            digits[digits.len().saturating_sub(4)..].iter().collect()
        })
        .collect();
    Ok(SEARCH_KINDS
        .iter()
        .map(|&kind| match kind {
            "name_en" => name_en.clone(),
            "name_zh" => name_zh.clone(),
            "serial" => serial.clone(),
            "phone" => phone.clone(),
            word => vec![word.to_owned()],
        })
        .collect())
}

/// Runs `f` on the big store (seeding it on first use).
fn with_store<T>(f: impl FnOnce(&'static Fixture, &mut Store) -> T) -> T {
    let fx = fixture();
    let mut guard = fx.store.lock().expect("the benchmark store's lock");
    f(fx, guard.as_mut().expect("the benchmark store is open"))
}

fn bench_today_list(c: &mut Criterion) {
    c.bench_function("today_list", |b| {
        with_store(|fx, store| {
            let filter =
                JobFilter::Day { date: fx.today, technician_id: Some(fx.technician_id.clone()) };
            b.iter(|| black_box(store.list_jobs(black_box(&filter), None).expect("today's jobs")));
        });
    });
}

fn bench_job_detail(c: &mut Criterion) {
    c.bench_function("job_detail", |b| {
        with_store(|fx, store| {
            b.iter(|| black_box(store.job_detail(black_box(&fx.detail_job)).expect("job detail")));
        });
    });
}

/// Whether any search benchmark ran (it may be filtered out), so the mix is measured only then.
static SEARCH_SELECTED: AtomicBool = AtomicBool::new(false);

fn bench_search_mix(c: &mut Criterion) {
    let mut group = c.benchmark_group("search_mix");
    for (k, kind) in SEARCH_KINDS.iter().enumerate() {
        group.bench_with_input(BenchmarkId::from_parameter(kind), &k, |b, &k| {
            SEARCH_SELECTED.store(true, Ordering::Relaxed);
            with_store(|fx, store| {
                // Each iteration searches the next of this kind's queries.
                let queries = &fx.mix[k];
                let mut next = 0;
                b.iter(|| {
                    let query = &queries[next % queries.len()];
                    next += 1;
                    black_box(store.search(black_box(query), SEARCH_LIMIT).expect("search"))
                });
            });
        });
    }
    group.finish();
    if SEARCH_SELECTED.load(Ordering::Relaxed) {
        let rounds = if test_mode() { 1 } else { MIX_ROUNDS };
        with_store(|fx, store| report_search_mix(store, &fx.mix, rounds));
    }
}

/// The duration at quantile `q` (nearest rank) of sorted durations, in milliseconds.
fn quantile_ms(sorted: &[Duration], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1].as_secs_f64() * 1_000.0
}

fn summary_ms(durations: &mut [Duration]) -> String {
    durations.sort_unstable();
    format!(
        "p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms",
        quantile_ms(durations, 0.50),
        quantile_ms(durations, 0.95),
        quantile_ms(durations, 1.0)
    )
}

/// Runs the whole mix `rounds` times, query after query as a person would, and prints the
/// percentiles per kind and over everything.
fn report_search_mix(store: &Store, mix: &[Vec<String>], rounds: usize) {
    let mut all = Vec::new();
    let mut per_kind: Vec<Vec<Duration>> = vec![Vec::new(); mix.len()];
    let mut misses: Vec<Vec<&str>> = vec![Vec::new(); mix.len()];
    let mut hits: Vec<usize> = vec![0; mix.len()];
    for round in 0..rounds {
        for (k, queries) in mix.iter().enumerate() {
            for query in queries {
                let started = Instant::now();
                let found = store.search(query, SEARCH_LIMIT).expect("search");
                let took = started.elapsed();
                per_kind[k].push(took);
                all.push(took);
                if round == 0 {
                    hits[k] += found.len();
                    if found.is_empty() {
                        misses[k].push(query);
                    }
                }
                black_box(found);
            }
        }
    }
    for (k, kind) in SEARCH_KINDS.iter().enumerate() {
        let queries = mix[k].len();
        let missed = if misses[k].is_empty() {
            String::new()
        } else {
            format!("; found nothing for {:?}", misses[k])
        };
        println!(
            "search {kind:<7} {queries:>2} queries × {rounds}: {}; {:.1} results per query{missed}",
            summary_ms(&mut per_kind[k]),
            hits[k] as f64 / queries.max(1) as f64,
        );
    }
    let n = all.len();
    all.sort_unstable();
    println!(
        "search p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms over {n} queries",
        quantile_ms(&all, 0.50),
        quantile_ms(&all, 0.95),
        quantile_ms(&all, 1.0)
    );
}

fn bench_mutation_commit(c: &mut Criterion) {
    let mut commits: Vec<Duration> = Vec::new();
    c.bench_function("mutation_commit", |b| {
        with_store(|fx, store| {
            let jobs = &fx.note_jobs;
            assert!(!jobs.is_empty(), "the device technician has no scheduled job to note on");
            let mut next = commits.len();
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let job = &jobs[next % jobs.len()];
                    next += 1;
                    let started = Instant::now();
                    let note = store
                        .add_note(job, "Customer asks for a call 30 minutes ahead; gate code 4711.")
                        .expect("add a note");
                    let took = started.elapsed();
                    black_box(note);
                    total += took;
                    commits.push(took);
                }
                total
            });
        });
    });
    if !commits.is_empty() {
        let n = commits.len();
        println!(
            "mutation_commit: {} over {n} commits (note + outbox entry, synchronous=FULL)",
            summary_ms(&mut commits)
        );
    }
}

fn bench_seed_1000(c: &mut Criterion) {
    c.bench_function("seed_1000", |b| {
        let (today, now) = clock();
        let options = SeedOptions { jobs: 1_000, seed: SEED, today, now };
        b.iter_batched(
            || {
                let dir = temp_dir();
                let store = Store::init(dir.path()).expect("init a store to seed");
                (dir, store)
            },
            |(dir, mut store)| {
                let summary = seed::seed(&mut store, &options).expect("seed 1,000 jobs");
                // Returned, so closing the store and removing its folder are not timed.
                (summary, store, dir)
            },
            BatchSize::PerIteration,
        );
    });
}

criterion_group! {
    name = reads;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(30);
    targets = bench_today_list, bench_job_detail, bench_search_mix
}

criterion_group! {
    name = writes;
    // Few, slow iterations (a first commit after the bulk load can take a second while FTS5
    // merges): a little more time, so ten samples fit.
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10))
        .sample_size(10);
    targets = bench_mutation_commit, bench_seed_1000
}

/// `criterion_main!`, plus closing the big store and removing its folder at the end (a static
/// is never dropped).
fn main() {
    reads();
    writes();
    Criterion::default().configure_from_args().final_summary();
    if let Some(fx) = FIXTURE.get() {
        drop(fx.store.lock().ok().and_then(|mut s| s.take()));
        drop(fx.dir.lock().ok().and_then(|mut d| d.take()));
    }
}
