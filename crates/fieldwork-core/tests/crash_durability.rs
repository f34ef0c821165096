//! A technician's record must survive a killed process. This test runs a child process that
//! creates jobs and writes notes as fast as it can, reporting each one on stdout only after its
//! transaction has committed; the parent SIGKILLs the child at random moments, hundreds of times,
//! and after every kill checks that every reported record is in the database with its outbox
//! entry, and that `PRAGMA integrity_check` is ok.
//!
//! It re-runs its own executable as the child (`--child DIR`), so it has no test harness
//! (`harness = false` in Cargo.toml) and prints its own closing line.
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fieldwork_core::domain::Priority;
use fieldwork_core::seed::{SeedOptions, seed};
use fieldwork_core::store::NewWorkOrder;
use fieldwork_core::{Actor, Store};
use rand::{Rng, SeedableRng};

const KILLS: usize = 250;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(pos) = args.iter().position(|a| a == "--child") {
        child(Path::new(&args[pos + 1]));
        return;
    }
    // `cargo test -- --list` and filters: this file holds one test.
    if args.iter().any(|a| a == "--list") {
        println!("killed_writer_never_loses_committed_records: test");
        return;
    }
    let started = Instant::now();
    killed_writer_never_loses_committed_records();
    println!(
        "killed_writer_never_loses_committed_records ... ok ({KILLS} kills, {:.1} s)",
        started.elapsed().as_secs_f64()
    );
    println!("crash_durability: 1 passed, 0 failed");
}

/// Writes jobs and notes until killed, printing `ready` once the store is open, then `job ID` /
/// `note ID` after each commit.
fn child(dir: &Path) {
    let mut store = Store::open(dir).expect("open store in child");
    store.set_actor(Actor::dispatcher("crash-test"));
    let customer = store.list_jobs(&fieldwork_core::JobFilter::All, Some(1)).unwrap();
    let template = store.job_detail(&customer[0].id).unwrap();
    let stdout = std::io::stdout();
    writeln!(stdout.lock(), "ready").unwrap();
    let mut n = 0u64;
    loop {
        n += 1;
        let job = store
            .create_work_order(NewWorkOrder {
                job_type_code: String::from("repair"),
                priority: Priority::Normal,
                customer_id: template.customer.id.clone(),
                site_id: template.site.id.clone(),
                equipment_id: None,
                reported_problem: format!("洗衣机不脱水 crash test {n}"),
                reported_at: None,
                return_of: None,
                goodwill: false,
            })
            .expect("create job");
        writeln!(stdout.lock(), "job {}", job.id).unwrap();
        for k in 0..3 {
            let note = store.add_note(&job.id, &format!("note {k} of job {n}")).expect("note");
            writeln!(stdout.lock(), "note {}", note.id).unwrap();
        }
    }
}

fn killed_writer_never_loses_committed_records() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    {
        let mut store = Store::init(dir).unwrap();
        let now = chrono::Utc::now();
        seed(&mut store, &SeedOptions { jobs: 20, seed: 3, today: now.date_naive(), now }).unwrap();
    }
    let exe = std::env::current_exe().unwrap();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0x5eed);
    let mut committed_jobs: HashSet<String> = HashSet::new();
    let mut committed_notes: HashSet<String> = HashSet::new();
    let mut kills_with_writes = 0;
    let mut mid_write_kills = 0;
    for round in 0..KILLS {
        let mut child = Command::new(&exe)
            .arg("--child")
            .arg(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let lines = Arc::new(Mutex::new(Vec::<String>::new()));
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let reader = {
            let lines = Arc::clone(&lines);
            let out = child.stdout.take().unwrap();
            std::thread::spawn(move || {
                for line in BufReader::new(out).lines().map_while(Result::ok) {
                    if line == "ready" {
                        let _ = ready_tx.send(());
                    } else {
                        lines.lock().unwrap().push(line);
                    }
                }
            })
        };
        // Kill at a random moment: one round in eight during start-up (whenever that happens to
        // be), the others mid-write, a few milliseconds after the store is open. Timed from the
        // child's own `ready`, not from the spawn, so a busy machine's slow start-ups do not turn
        // the mid-write kills into start-up kills.
        let mid_write = rng.gen_range(0..8) != 0;
        if mid_write {
            ready_rx.recv_timeout(Duration::from_secs(60)).expect("child ready");
            mid_write_kills += 1;
            std::thread::sleep(Duration::from_micros(rng.gen_range(2_000..20_000)));
        } else {
            std::thread::sleep(Duration::from_micros(rng.gen_range(0..40_000)));
        }
        child.kill().unwrap(); // SIGKILL on Unix
        let status = child.wait().unwrap();
        reader.join().unwrap();
        if status.success() {
            let mut err = String::new();
            std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
            panic!("round {round}: the child exited by itself: {err}");
        }
        let lines = lines.lock().unwrap();
        if mid_write && !lines.is_empty() {
            kills_with_writes += 1;
        }
        for line in lines.iter() {
            match line.split_once(' ') {
                Some(("job", id)) => committed_jobs.insert(id.to_owned()),
                Some(("note", id)) => committed_notes.insert(id.to_owned()),
                _ => panic!("round {round}: unexpected child output {line:?}"),
            };
        }
        verify(dir, round, &committed_jobs, &committed_notes);
    }
    assert!(
        kills_with_writes > mid_write_kills / 2,
        "most kills after `ready` should land mid-write, only {kills_with_writes} of \
         {mid_write_kills} did"
    );
    assert!(
        committed_notes.len() > 100,
        "too few writes to mean anything: {}",
        committed_notes.len()
    );
}

/// Every reported record is present with its outbox entry, and the database is sound.
fn verify(dir: &Path, round: usize, jobs: &HashSet<String>, notes: &HashSet<String>) {
    let conn = rusqlite::Connection::open(dir.join(fieldwork_core::store::DB_FILE)).unwrap();
    let integrity: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(integrity, "ok", "round {round}: integrity check failed");
    let fk: i64 =
        conn.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0)).unwrap();
    assert_eq!(fk, 0, "round {round}: broken references");
    let ids = |sql: &str| -> HashSet<String> {
        conn.prepare(sql)
            .unwrap()
            .query_map([], |r| r.get::<_, String>(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let stored_jobs = ids("SELECT id FROM work_orders");
    let stored_notes = ids("SELECT id FROM notes");
    let outbox_jobs = ids("SELECT job_id FROM outbox WHERE kind = 'job_created'");
    let outbox_notes =
        ids("SELECT json_extract(payload, '$.note.id') FROM outbox WHERE kind = 'note_added'");
    for j in jobs {
        assert!(stored_jobs.contains(j), "round {round}: committed job {j} is missing");
        assert!(outbox_jobs.contains(j), "round {round}: job {j} has no outbox entry");
    }
    for n in notes {
        assert!(stored_notes.contains(n), "round {round}: committed note {n} is missing");
        assert!(outbox_notes.contains(n), "round {round}: note {n} has no outbox entry");
    }
    // Nothing half-written either: every note the child made has its outbox entry.
    let child_notes = ids("SELECT id FROM notes WHERE author = 'crash-test'");
    let unmatched = child_notes.difference(&outbox_notes).count();
    assert_eq!(unmatched, 0, "round {round}: a note without its outbox entry");
}
