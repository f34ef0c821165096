//! Moving a company's embedded store up to PostgreSQL and a bucket (`fieldwork-headoffice
//! move`), and backing up and restoring both backends (`backup` + the blob folder; `pg_dump` /
//! `pg_restore`), against a real PostgreSQL and a real S3-compatible server: run under
//! `scripts/with-postgres scripts/with-s3` (`make unit` does), which set
//! `FIELDWORK_TEST_POSTGRES`, `FIELDWORK_TEST_S3` and the `AWS_*` variables. Without them these
//! tests fail, saying how to run them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[allow(dead_code)]
#[path = "headoffice/common.rs"]
mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::str::FromStr;
use std::sync::Arc;

use common::*;
use fieldwork_headoffice::config::{BlobLocation, Config, DatabaseLocation};
use fieldwork_headoffice::moveup::{self, MoveOptions};
use reqwest::StatusCode;

const HEADOFFICE: &str = env!("CARGO_BIN_EXE_fieldwork-headoffice");

fn cluster_url() -> String {
    std::env::var("FIELDWORK_TEST_POSTGRES").unwrap_or_else(|_| {
        panic!(
            "FIELDWORK_TEST_POSTGRES is not set: these tests need PostgreSQL and an S3 server. \
             Run them with `scripts/with-postgres scripts/with-s3 cargo test -p \
             fieldwork-headoffice --test move_up`"
        )
    })
}

fn bucket_url() -> String {
    std::env::var("FIELDWORK_TEST_S3").unwrap_or_else(|_| {
        panic!(
            "FIELDWORK_TEST_S3 is not set: these tests need an S3-compatible server. Run them \
             with `scripts/with-postgres scripts/with-s3 cargo test -p fieldwork-headoffice \
             --test move_up`"
        )
    })
}

/// A new, empty database in the test cluster; its URL.
async fn fresh_database(hint: &str) -> String {
    let cluster = cluster_url();
    let name = format!("mv_{hint}_{}", uuid::Uuid::now_v7().simple());
    tokio::task::spawn_blocking(move || {
        let mut admin = postgres::Client::connect(&cluster, postgres::NoTls).unwrap();
        admin.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
        let (server, _) = cluster.rsplit_once('/').unwrap();
        format!("{server}/{name}")
    })
    .await
    .unwrap()
}

/// Runs statements on `url` (on a blocking thread: the driver is synchronous).
async fn pg_batch(url: &str, sql: &str) {
    let (url, sql) = (url.to_owned(), sql.to_owned());
    tokio::task::spawn_blocking(move || {
        postgres::Client::connect(&url, postgres::NoTls).unwrap().batch_execute(&sql).unwrap();
    })
    .await
    .unwrap();
}

/// One number from `url`.
async fn pg_count(url: &str, sql: &str) -> i64 {
    let (url, sql) = (url.to_owned(), sql.to_owned());
    tokio::task::spawn_blocking(move || {
        postgres::Client::connect(&url, postgres::NoTls)
            .unwrap()
            .query_one(&sql, &[])
            .unwrap()
            .get(0)
    })
    .await
    .unwrap()
}

/// Every table of `url`'s schema with its rows.
async fn pg_counts(url: &str) -> BTreeMap<String, i64> {
    let url = url.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        let tables: Vec<String> = c
            .query(
                "SELECT CAST(tablename AS TEXT) FROM pg_tables WHERE schemaname = current_schema()",
                &[],
            )
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        tables
            .into_iter()
            .map(|t| {
                let n: i64 =
                    c.query_one(&format!("SELECT COUNT(*) FROM \"{t}\""), &[]).unwrap().get(0);
                (t, n)
            })
            .collect()
    })
    .await
    .unwrap()
}

/// A fresh prefix of the test bucket.
fn fresh_bucket(name: &str) -> BlobLocation {
    let url = bucket_url();
    let BlobLocation::S3 { bucket, .. } = BlobLocation::from_str(&url).unwrap() else {
        unreachable!()
    };
    BlobLocation::from_str(&format!("s3://{bucket}/{name}-{}", uuid::Uuid::now_v7())).unwrap()
}

fn quiet() -> moveup::Progress {
    Arc::new(|line: &str| eprintln!("move: {line}"))
}

/// The data folder's files that hold the database, with their bytes.
fn database_files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    ["headoffice.db", "headoffice.db-wal"]
        .iter()
        .filter_map(|f| std::fs::read(dir.join(f)).ok().map(|b| ((*f).to_owned(), b)))
        .collect()
}

/// A blob downloaded by a device.
async fn download(device: &Device, sha: &str) -> (StatusCode, Vec<u8>) {
    let resp = device
        .http
        .get(format!("{}/api/v1/blobs/{sha}", device.base))
        .bearer_auth(&device.token)
        .send()
        .await
        .unwrap();
    (resp.status(), resp.bytes().await.unwrap().to_vec())
}

/// The notes of a job, by text, as head office's database holds them.
async fn note_texts(url: &str, job: &str) -> Vec<String> {
    let (url, job) = (url.to_owned(), job.to_owned());
    tokio::task::spawn_blocking(move || {
        let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        let mut texts: Vec<String> = c
            .query("SELECT json_extract(body, '$.body') FROM notes WHERE job_id = $1", &[&job])
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        texts.sort();
        texts
    })
    .await
    .unwrap()
}

fn sqlite_note_texts(db: &Path, job: &str) -> Vec<String> {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let mut stmt =
        conn.prepare("SELECT json_extract(body, '$.body') FROM notes WHERE job_id = ?1").unwrap();
    let mut texts: Vec<String> =
        stmt.query_map([job], |r| r.get(0)).unwrap().map(|r| r.unwrap()).collect();
    texts.sort();
    texts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn laptops_signed_in_before_the_move_keep_syncing_after_it() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_owned();
    let on_sqlite = dir.clone();
    let server = TestServer::start_with(move |c| {
        c.data_dir = on_sqlite;
        c.database = DatabaseLocation::DataDir;
        c.blobs = BlobLocation::DataDir;
    })
    .await;
    let World { server, dispatcher, a: mut alice, job_a, .. } = World::with(server).await;

    // Before the move: notes and a photo pushed, everything pulled.
    let first = alice.entry(alice.note(&job_a, "before the move 1"));
    let second = alice.entry(alice.note(&job_a, "before the move 2"));
    let pushed = alice.push(&[first.clone(), second.clone()]).await;
    assert_eq!(outcome(&pushed, 0)["outcome"], "applied");
    assert_eq!(outcome(&pushed, 1)["outcome"], "applied");
    let (_photo, photo_sha) = alice.add_photo(&job_a, 7).await;
    let pages = alice.pull_all(0, 100).await;
    let cursor = pages.last().unwrap().cursor;
    assert!(cursor > 0);
    let applied_before = alice.push(&[]).await.last_applied_seq;
    server.stop().await;

    // The move.
    let url = fresh_database("keep").await;
    let bucket = fresh_bucket("move");
    let before = database_files(&dir);
    let report = moveup::move_up(
        &MoveOptions {
            data_dir: dir.clone(),
            to_database: url.clone(),
            to_blobs: Some(bucket.clone()),
        },
        quiet(),
    )
    .await
    .unwrap();
    assert!(report.matches(), "{}", report.render());
    assert_eq!(database_files(&dir), before, "the source was changed by the move");
    let rows: BTreeMap<&str, (i64, i64)> =
        report.tables.iter().map(|t| (t.table.as_str(), (t.source, t.target))).collect();
    assert_eq!(rows["notes"], (2, 2));
    assert_eq!(rows["photos"], (1, 1));
    assert_eq!(rows["device_mutations"], (3, 3));
    assert!(rows["change_feed"].0 > 0 && rows["sessions"].0 >= 1 && rows["devices"].0 == 2);
    let blobs = report.blobs.clone().unwrap();
    assert_eq!(
        (blobs.source, blobs.target, blobs.copied),
        (2, 2, 2),
        "the photo and its thumbnail"
    );
    // Every table of the PostgreSQL schema was copied (none forgotten).
    let target_tables: Vec<String> =
        pg_counts(&url).await.into_keys().filter(|t| t != "schema_version").collect();
    let copied: Vec<String> = report.tables.iter().map(|t| t.table.clone()).collect();
    assert_eq!(target_tables, copied);

    // Head office on PostgreSQL and the bucket; the same laptop, token and cursor.
    let (on_pg, in_bucket) = (url.clone(), bucket.clone());
    let server = TestServer::start_with(move |c| {
        c.database = DatabaseLocation::Postgres { url: on_pg };
        c.blobs = in_bucket;
    })
    .await;
    alice.base = server.base.clone();
    assert_eq!(alice.push(&[]).await.last_applied_seq, applied_before);

    let after = alice.entry(alice.note(&job_a, "after the move"));
    let pushed = alice.push(&[after]).await;
    assert_eq!(outcome(&pushed, 0)["outcome"], "applied", "{:?}", pushed.results);
    assert_eq!(pushed.last_applied_seq, applied_before + 1);
    // An old push again (the laptop never saw its answer): acknowledged, applied once.
    let replayed = alice.push(&[first, second]).await;
    assert_eq!(outcome(&replayed, 0)["outcome"], "applied", "{:?}", replayed.results);
    assert_eq!(outcome(&replayed, 1)["outcome"], "applied", "{:?}", replayed.results);
    assert_eq!(
        note_texts(&url, &job_a).await,
        vec!["after the move", "before the move 1", "before the move 2"]
    );
    assert_eq!(
        pg_count(&url, "SELECT COUNT(*) FROM device_mutations").await,
        4,
        "one more mutation recorded, the replayed ones not again"
    );

    // The pull from the old cursor brings the new note and nothing pulled before.
    let pages = alice.pull_all(cursor, 100).await;
    let changes: Vec<_> = pages.iter().flat_map(|p| p.changes.iter()).collect();
    assert!(changes.iter().all(|c| c.version > cursor), "{changes:?}");
    let text = serde_json::to_string(&changes).unwrap();
    assert!(text.contains("after the move"), "{text}");
    assert!(!text.contains("before the move"), "pulled again: {text}");
    assert!(!text.contains(&photo_sha), "the photo pulled again: {text}");

    // The photo uploaded before the move comes from the bucket.
    let (status, bytes) = download(&alice, &photo_sha).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, fake_jpeg(7, 3000));

    // The dispatcher's session moved too.
    let mut dispatcher = dispatcher;
    dispatcher.base = server.base.clone();
    let job = dispatcher.job(&job_a).await;
    assert!(job.to_string().contains(&job_a), "{job}");

    // The moved store passes its check: counts and every recorded blob in the bucket.
    let mut config = Config::new(dir.join("unused"));
    config.database = DatabaseLocation::Postgres { url: url.clone() };
    config.blobs = bucket;
    let check = moveup::check(&config).await.unwrap();
    assert!(check.ok(), "{}", check.render());
    assert_eq!((check.blobs_recorded, check.blobs_present), (2, 2));
    server.stop().await;
}

/// `fieldwork-headoffice` run with a data folder, the console off.
fn program(dir: &Path) -> impl Fn(&[&str]) -> Command + '_ {
    move |args: &[&str]| {
        let mut cmd = Command::new(HEADOFFICE);
        cmd.arg("--data-dir").arg(dir).args(args);
        cmd.env("FIELDWORK_UI_DIR", dir.join("no-console"));
        cmd.env_remove("FIELDWORK_HEADOFFICE_DATABASE").env_remove("FIELDWORK_HEADOFFICE_BLOBS");
        cmd
    }
}

fn run(mut cmd: Command) -> (bool, String, String) {
    let out = cmd.output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_move_command_refuses_a_target_that_is_not_empty_and_changes_nothing() {
    install_crypto_provider();
    let data = tempfile::tempdir().unwrap();
    let ho = program(data.path());
    let (ok, _, err) = run(ho(&["seed", "--demo", "--jobs", "3"]));
    assert!(ok, "{err}");

    // The first move: the counts side by side, exit 0.
    let url = fresh_database("cli").await;
    let bucket = fresh_bucket("cli").to_string();
    let (ok, out, err) = run(ho(&["move", "--to-database", &url, "--to-blobs", &bucket]));
    assert!(ok, "{out}\n{err}");
    assert!(out.contains("work_orders") && out.contains("moved: every count matches"), "{out}");
    assert!(err.contains("move: work_orders: 3 rows copied"), "progress on stderr: {err}");
    let moved = pg_counts(&url).await;
    assert_eq!(moved["work_orders"], 3);

    // A second move into the same database is refused, and nothing in it changes (the
    // source has a user more meanwhile).
    let mut add = ho(&["user", "add", "late", "--role", "dispatcher", "--password-stdin"]);
    add.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = add.spawn().unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), b"late-password\n").unwrap();
    assert!(child.wait_with_output().unwrap().status.success());
    let (ok, out, err) = run(ho(&["move", "--to-database", &url]));
    assert!(!ok, "{out}");
    assert!(err.contains("not empty"), "{err}");
    assert_eq!(pg_counts(&url).await, moved);

    // A database with someone else's tables is refused too, and left as it was.
    let other = fresh_database("other").await;
    pg_batch(&other, "CREATE TABLE inventory (id BIGINT)").await;
    let (ok, _, err) = run(ho(&["move", "--to-database", &other, "--to-blobs", &bucket]));
    assert!(!ok && err.contains("not head office's"), "{err}");
    assert_eq!(pg_counts(&other).await.into_keys().collect::<Vec<_>>(), vec!["inventory"]);

    // While head office runs on the data folder, the move is refused before anything is done.
    let mut serve = ho(&["serve", "--listen", "127.0.0.1:0"]);
    let mut child = serve.stderr(Stdio::piped()).stdout(Stdio::null()).spawn().unwrap();
    let mut log = BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    loop {
        let mut line = String::new();
        if log.read_line(&mut line).unwrap() == 0 {
            let _ = child.kill();
            panic!("head office did not start: {seen}");
        }
        seen.push_str(&line);
        if line.contains("listen=") {
            break;
        }
    }
    std::thread::spawn(move || {
        let mut rest = String::new();
        while log.read_line(&mut rest).map(|n| n > 0).unwrap_or(false) {
            rest.clear();
        }
    });
    let third = fresh_database("running").await;
    let (ok, _, err) = run(ho(&["move", "--to-database", &third]));
    let _ = child.kill();
    let _ = child.wait();
    assert!(!ok && err.contains("stop head office"), "{err}");
    assert!(pg_counts(&third).await.is_empty(), "the target was touched");

    // Stopped, the same move goes through.
    let (ok, out, err) = run(ho(&["move", "--to-database", &third]));
    assert!(ok, "{out}\n{err}");
    assert_eq!(pg_counts(&third).await["users"], moved["users"] + 1);
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sqlite_backup_taken_while_serving_restores_into_a_new_data_folder() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().join("live");
    let on_sqlite = dir.clone();
    let server = TestServer::start_with(move |c| {
        c.data_dir = on_sqlite;
        c.database = DatabaseLocation::DataDir;
        c.blobs = BlobLocation::DataDir;
    })
    .await;
    let World { server, a: mut alice, job_a, .. } = World::with(server).await;
    let e = alice.entry(alice.note(&job_a, "in the backup"));
    alice.push(&[e]).await;
    let (_, photo_sha) = alice.add_photo(&job_a, 9).await;

    // The backup, while head office serves; then the blob folder, after it.
    let backup = data.path().join("backup.db");
    let (ok, out, err) = run(program(&dir)(&["backup", "--to", backup.to_str().unwrap()]));
    assert!(ok, "{out}\n{err}");
    assert!(out.contains("notes\t1"), "{out}");
    let restored = data.path().join("restored");
    copy_tree(&dir.join("blobs"), &restored.join("blobs"));
    let (ok, _, err) = run(program(&dir)(&["backup", "--to", backup.to_str().unwrap()]));
    assert!(!ok && err.contains("exists"), "an existing backup is not overwritten: {err}");

    // More is written after the backup.
    let e = alice.entry(alice.note(&job_a, "after the backup"));
    alice.push(&[e]).await;
    server.stop().await;

    // Restore: the backup file as the new data folder's database.
    std::fs::copy(&backup, restored.join("headoffice.db")).unwrap();
    let (ok, out, err) = run(program(&restored)(&["check"]));
    assert!(ok, "{out}\n{err}");
    assert!(out.contains("blobs present") && out.ends_with("ok\n"), "{out}");
    assert_eq!(sqlite_note_texts(&restored.join("headoffice.db"), &job_a), vec!["in the backup"]);

    let back = restored.clone();
    let server = TestServer::start_with(move |c| {
        c.data_dir = back;
        c.database = DatabaseLocation::DataDir;
        c.blobs = BlobLocation::DataDir;
    })
    .await;
    alice.base = server.base.clone();
    let (status, bytes) = download(&alice, &photo_sha).await;
    assert_eq!((status, bytes), (StatusCode::OK, fake_jpeg(9, 3000)));
    let pulled = serde_json::to_string(&alice.pull_all(0, 500).await).unwrap();
    assert!(pulled.contains("in the backup") && !pulled.contains("after the backup"));
    server.stop().await;
}

/// pg_dump and pg_restore of the PostgreSQL that runs the test cluster.
fn pg_tool(name: &str) -> PathBuf {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("Debian's PostgreSQL under /usr/lib/postgresql (scripts/with-postgres installs it)")
        .map(|e| e.unwrap().path().join("bin"))
        .filter(|d| d.join(name).is_file())
        .collect();
    dirs.sort_by_key(|d| {
        d.parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    });
    dirs.pop()
        .map(|d| d.join(name))
        .unwrap_or_else(|| panic!("no {name} under /usr/lib/postgresql"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pg_dump_restores_into_a_new_database() {
    let url = fresh_database("dump").await;
    let blobs = tempfile::tempdir().unwrap();
    let (on_pg, blob_dir) = (url.clone(), blobs.path().to_owned());
    let server = TestServer::start_with(move |c| {
        c.data_dir = blob_dir;
        c.database = DatabaseLocation::Postgres { url: on_pg };
        c.blobs = BlobLocation::DataDir;
    })
    .await;
    let World { server, a: mut alice, job_a, .. } = World::with(server).await;
    let e = alice.entry(alice.note(&job_a, "in the dump"));
    alice.push(&[e]).await;
    let (_, photo_sha) = alice.add_photo(&job_a, 11).await;

    let dump = blobs.path().join("headoffice.dump");
    let out = Command::new(pg_tool("pg_dump"))
        .args(["--format=custom", "--file"])
        .arg(&dump)
        .arg(&url)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let dumped = pg_counts(&url).await;

    let e = alice.entry(alice.note(&job_a, "after the dump"));
    alice.push(&[e]).await;
    server.stop().await;

    let restored = fresh_database("restored").await;
    let out = Command::new(pg_tool("pg_restore"))
        .args(["--no-owner", "--exit-on-error", "--dbname"])
        .arg(&restored)
        .arg(&dump)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(pg_counts(&restored).await, dumped);

    let mut config = Config::new(blobs.path());
    config.database = DatabaseLocation::Postgres { url: restored.clone() };
    let check = moveup::check(&config).await.unwrap();
    assert!(check.ok(), "{}", check.render());

    let (on_pg, blob_dir) = (restored.clone(), blobs.path().to_owned());
    let server = TestServer::start_with(move |c| {
        c.data_dir = blob_dir;
        c.database = DatabaseLocation::Postgres { url: on_pg };
        c.blobs = BlobLocation::DataDir;
    })
    .await;
    alice.base = server.base.clone();
    assert_eq!(note_texts(&restored, &job_a).await, vec!["in the dump"]);
    let (status, bytes) = download(&alice, &photo_sha).await;
    assert_eq!((status, bytes), (StatusCode::OK, fake_jpeg(11, 3000)));
    // Head office goes on from the restored feed: a new note gets a version after the old ones.
    let last = pg_count(&restored, "SELECT MAX(version) FROM change_feed").await;
    let e = alice.entry(alice.note(&job_a, "after the restore"));
    let r = alice.push(&[e]).await;
    assert_eq!(outcome(&r, 0)["outcome"], "applied", "{:?}", r.results);
    let pages = alice.pull_all(last, 100).await;
    let text = serde_json::to_string(&pages).unwrap();
    assert!(text.contains("after the restore") && !text.contains("in the dump"), "{text}");
    server.stop().await;
}
