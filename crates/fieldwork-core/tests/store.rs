//! The local store, tested through its public API only, as the CLI and the desktop shell use it:
//!
//! - opening and migrating a data folder (real SQLite files in temporary folders);
//! - the outbox written in the same transaction as every change, and nothing written by a refusal;
//! - the work-order lifecycle as the store enforces it, with a test clock that can lie;
//! - search over a seeded store (Chinese substrings, phone and serial fragments, name prefixes);
//! - the demo-data generator;
//! - a property test over random sequences of changes to one job.

use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::path::Path;
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, Local, NaiveDate, TimeZone, Utc};
use fieldwork_core::domain::{
    ChecklistValue, Customer, Equipment, EquipmentCategory, JobDetail, JobStatus, JobSummary,
    JobType, Priority, Site, Technician, TimeEntryKind, TimeEntrySource,
};
use fieldwork_core::lifecycle::{self, Missing, Role};
use fieldwork_core::seed::{self, SeedOptions, SeedSummary};
use fieldwork_core::store::outbox::{JobField, Mutation, OutboxEntry};
use fieldwork_core::store::{
    DB_FILE, MEDIA_DIR, NewPart, NewTimeEntry, NewWorkOrder, SCHEMA_VERSION,
};
use fieldwork_core::{Actor, CoreError, JobFilter, RuleError, Store};
use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, TestCaseError, TestRunner};
use rusqlite::Connection;
use tempfile::TempDir;

// =============================================================================================
// A clock the tests control
// =============================================================================================

thread_local! {
    /// The test clock, in milliseconds since the epoch. One per thread: each test runs on its own
    /// thread and uses its store on it, so tests running in parallel never share a clock.
    static NOW_MS: Cell<i64> = const { Cell::new(0) };
}

/// The physical clock handed to [`Store::set_clock`].
fn test_clock() -> DateTime<Utc> {
    DateTime::from_timestamp_millis(NOW_MS.with(Cell::get)).expect("the test clock is in range")
}

fn set_now(t: DateTime<Utc>) {
    NOW_MS.with(|now| now.set(t.timestamp_millis()));
}

fn advance(minutes: i64) {
    set_now(test_clock() + Duration::minutes(minutes));
}

fn instant(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339).expect("a valid RFC 3339 instant").to_utc()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
}

// =============================================================================================
// A small hand-built store: two technicians, one customer with a washing machine, one repair job
// =============================================================================================

const TECH_ID: &str = "tech-wang-lei";
const TECH_NAME: &str = "Wang Lei";
const OTHER_TECH_ID: &str = "tech-dave-mitchell";
const OTHER_TECH_NAME: &str = "Dave Mitchell";
const DISPATCHER_NAME: &str = "Ann Dispatcher";
const CUSTOMER_ID: &str = "customer-emma-clarke";
const SITE_ID: &str = "site-12-mill-lane";
const EQUIPMENT_ID: &str = "equipment-bosch-washer";
/// The required items of the repair checklist, in template order.
const REPAIR_REQUIRED_ITEMS: [&str; 5] =
    ["symptom_confirmed", "root_cause", "test_after_repair", "safety_check", "customer_informed"];
/// Satisfying answers to [`REPAIR_REQUIRED_ITEMS`].
const REPAIR_ANSWERS: [(&str, &str); 5] = [
    ("symptom_confirmed", "yes"),
    ("root_cause", "Wear"),
    ("test_after_repair", "Pass"),
    ("safety_check", "yes"),
    ("customer_informed", "yes"),
];
/// When the hand-built job is reported and booked (where the test clock starts).
const MORNING: &str = "2026-11-18T08:00:00Z";

fn technician() -> Actor {
    Actor::technician(TECH_ID, TECH_NAME)
}

fn other_technician() -> Actor {
    Actor::technician(OTHER_TECH_ID, OTHER_TECH_NAME)
}

fn dispatcher() -> Actor {
    Actor::dispatcher(DISPATCHER_NAME)
}

/// Writes head-office records into an empty store, as a first pull would, and makes
/// [`TECH_ID`] the device's technician.
fn furnish(store: &mut Store) {
    let w = store.seed_writer().expect("the head-office records are written");
    for (id, name) in [(TECH_ID, TECH_NAME), (OTHER_TECH_ID, OTHER_TECH_NAME)] {
        w.technician(&Technician {
            id: id.into(),
            name: name.into(),
            phone: None,
            email: None,
            skills: vec!["washing_machine".into()],
            active: true,
        })
        .expect("the head-office records are written");
    }
    w.customer(&Customer {
        id: CUSTOMER_ID.into(),
        name: "Emma Clarke".into(),
        phone: "+44 7700 900123".into(),
        alt_phone: None,
        email: None,
        created_at: instant("2025-01-10T09:00:00Z"),
    })
    .expect("the head-office records are written");
    w.site(&Site {
        id: SITE_ID.into(),
        customer_id: CUSTOMER_ID.into(),
        address: "12 Mill Lane".into(),
        city: "Leeds".into(),
        postal_code: Some("LS1 4AB".into()),
        access_notes: None,
        contact_name: None,
        contact_phone: None,
    })
    .expect("the head-office records are written");
    w.equipment(&Equipment {
        id: EQUIPMENT_ID.into(),
        site_id: SITE_ID.into(),
        category: EquipmentCategory::WashingMachine,
        brand: "Bosch".into(),
        model: "WAN28281GB".into(),
        serial: "QX7M2K9P4TB8".into(),
        purchased_on: Some(date(2025, 6, 1)),
        installed_on: Some(date(2025, 6, 3)),
        warranty_end: Some(date(2027, 6, 2)),
    })
    .expect("the head-office records are written");
    // A second product at the site: a recliner, whose repairs ask a furniture checklist.
    w.equipment(&Equipment {
        id: "equipment-recliner".into(),
        site_id: SITE_ID.into(),
        category: EquipmentCategory::Furniture,
        brand: "La-Z-Boy".into(),
        model: "Pinnacle".into(),
        serial: "LZB-0042".into(),
        purchased_on: None,
        installed_on: None,
        warranty_end: None,
    })
    .expect("the head-office records are written");
    for t in seed::content::job_type_templates() {
        w.job_type(&JobType {
            id: format!("type-{}", t.code),
            code: t.code.into(),
            name: t.name.into(),
            name_zh: t.name_zh.into(),
            required_photo_kinds: t.required_photo_kinds,
            checklist: t.checklist,
        })
        .expect("the head-office records are written");
    }
    for part in seed::content::parts_catalogue() {
        w.catalogue_part(&part).expect("the head-office records are written");
    }
    w.commit().expect("the head-office records are written");
    store.set_device_technician(TECH_ID).expect("the head-office records are written");
}

/// A dispatcher reports a repair and books it for the device's technician an hour from the test
/// clock's now; afterwards the store acts as that technician again. Returns the job's id.
fn book_repair(store: &mut Store) -> String {
    store.set_actor(dispatcher());
    let order = store
        .create_work_order(NewWorkOrder {
            job_type_code: "repair".into(),
            priority: Priority::Normal,
            customer_id: CUSTOMER_ID.into(),
            site_id: SITE_ID.into(),
            equipment_id: Some(EQUIPMENT_ID.into()),
            reported_problem: "洗衣机不脱水，显示E21故障码".into(),
            reported_at: None,
            return_of: None,
            goodwill: false,
        })
        .expect("the dispatcher books the repair");
    let start = test_clock() + Duration::hours(1);
    store
        .schedule_job(&order.id, TECH_ID, start, start + Duration::hours(2))
        .expect("the dispatcher books the repair");
    store.set_actor(technician());
    order.id
}

/// An in-memory store on the test clock (at [`MORNING`]) with one booked repair job.
fn workshop() -> (Store, String) {
    set_now(instant(MORNING));
    let mut store = Store::open_in_memory().expect("the in-memory store opens");
    store.set_clock(test_clock);
    furnish(&mut store);
    let job = book_repair(&mut store);
    (store, job)
}

/// The technician travels, arrives and starts work, ten minutes apart.
fn start_work(store: &mut Store, job: &str) {
    for status in [JobStatus::EnRoute, JobStatus::OnSite, JobStatus::InProgress] {
        advance(10);
        store.change_status(job, status, None).expect("the technician starts work");
    }
}

/// Records everything the repair's completion guard asks for.
fn make_ready_to_complete(store: &mut Store, job: &str) {
    store
        .set_job_field(job, JobField::Resolution, Some("Replaced the drain pump"))
        .expect("the completion facts are recorded");
    for (key, value) in REPAIR_ANSWERS {
        store.answer_checklist(job, key, value).expect("the completion facts are recorded");
    }
    store
        .set_job_field(job, JobField::SignatureAbsenceReason, Some("Customer was called away"))
        .expect("the completion facts are recorded");
}

/// Everything a refused change must leave as it was: the job with all its records, and the
/// outbox.
fn snapshot(store: &Store, job: &str) -> (JobDetail, Vec<OutboxEntry>) {
    (
        store.job_detail(job).expect("the job and the outbox can be read"),
        store.pending_mutations(usize::MAX).expect("the job and the outbox can be read"),
    )
}

/// Makes a change that must be refused with `code`, checks that it changed neither the job nor
/// the outbox, and returns the error for checks on what it says.
#[track_caller]
fn refused<T: std::fmt::Debug>(
    store: &mut Store,
    job: &str,
    code: &str,
    change: impl FnOnce(&mut Store) -> fieldwork_core::Result<T>,
) -> CoreError {
    let before = snapshot(store, job);
    let err = match change(store) {
        Ok(made) => panic!("expected a refusal ({code}), but the change was made: {made:?}"),
        Err(e) => e,
    };
    assert_eq!(err.code(), code, "unexpected refusal: {err}");
    assert!(!err.to_string().contains('\n'), "an error is one line: {err}");
    assert_eq!(
        snapshot(store, job),
        before,
        "the refused change ({err}) altered the job or outbox"
    );
    err
}

fn outbox(store: &Store) -> Vec<OutboxEntry> {
    store.pending_mutations(usize::MAX).expect("the outbox can be read")
}

fn last_seq(store: &Store) -> i64 {
    outbox(store).last().map_or(0, |e| e.seq)
}

/// Outbox entries written after `seq`.
fn entries_after(store: &Store, seq: i64) -> Vec<OutboxEntry> {
    outbox(store).into_iter().filter(|e| e.seq > seq).collect()
}

fn kinds(entries: &[OutboxEntry]) -> Vec<&'static str> {
    entries.iter().map(|e| e.mutation.kind()).collect()
}

/// Checks that a job's history is a chain of moves the lifecycle allows (to some role), each
/// leaving the status the previous one reached, with a reason wherever the move needs one, and
/// ending in the job's status.
fn check_history(d: &JobDetail) -> Result<(), String> {
    let mut current = JobStatus::New;
    for (i, change) in d.status_history.iter().enumerate() {
        let Some(from) = change.from_status else {
            if i == 0 && change.to_status == JobStatus::New {
                continue;
            }
            return Err(format!(
                "change {i} (to {}) does not say where it came from",
                change.to_status
            ));
        };
        if from != current {
            return Err(format!(
                "change {i} leaves {from} → {}, but the job was {current}: {:#?}",
                change.to_status, d.status_history
            ));
        }
        let allowed = Role::ALL
            .iter()
            .flat_map(|role| lifecycle::allowed_moves(from, *role))
            .find(|m| m.to == change.to_status);
        let Some(allowed) = allowed else {
            return Err(format!("change {i}: {from} → {} is allowed to nobody", change.to_status));
        };
        let has_reason = change.reason.as_deref().is_some_and(|r| !r.trim().is_empty());
        if allowed.reason_required && !has_reason {
            return Err(format!("change {i}: {from} → {} has no reason", change.to_status));
        }
        current = change.to_status;
    }
    if current != d.work_order.status {
        return Err(format!(
            "the history ends in {current} but the job is {}",
            d.work_order.status
        ));
    }
    Ok(())
}

/// Checks that no time entry in effect ends before it starts.
fn check_time_entries(d: &JobDetail) -> Result<(), String> {
    for te in &d.time_entries {
        if te.ended_at < te.started_at || te.minutes < 0 {
            return Err(format!("time entry ends before it starts: {te:?}"));
        }
    }
    Ok(())
}

/// What the completion guard should find missing, worked out from the job as shown (not from the
/// store's own facts query).
fn still_missing_for_completion(d: &JobDetail) -> Vec<Missing> {
    let mut missing = Vec::new();
    if d.work_order.resolution.as_deref().is_none_or(|r| r.trim().is_empty()) {
        missing.push(Missing::Resolution);
    }
    for answer in &d.checklist {
        let done = answer.value.as_ref().is_some_and(|v| *v != ChecklistValue::Checkbox(false));
        if answer.required && !done {
            missing.push(Missing::ChecklistItem {
                key: answer.item_key.clone(),
                label: answer.label.clone(),
            });
        }
    }
    let mut wanted = d.job_type.required_photo_kinds.clone();
    wanted.sort();
    wanted.dedup();
    for kind in wanted {
        if !d.photos.iter().any(|p| p.kind == kind) {
            missing.push(Missing::Photo { kind });
        }
    }
    let has_reason =
        d.work_order.signature_absence_reason.as_deref().is_some_and(|r| !r.trim().is_empty());
    // The last signature is the one in force; it counts while the signed facts are unchanged.
    match d.signatures.last() {
        _ if has_reason => {}
        None => missing.push(Missing::SignatureOrReason),
        Some(s) if s.changed_after_signing => missing.push(Missing::SignatureStale),
        Some(_) => {}
    }
    missing
}

// =============================================================================================
// Opening and migrating
// =============================================================================================

fn header_files_left(db: &Path) -> Vec<String> {
    ["-wal", "-shm", "-journal"]
        .iter()
        .map(|suffix| format!("{}{suffix}", db.display()))
        .filter(|p| Path::new(p).exists())
        .collect()
}

#[test]
fn a_new_store_is_at_the_current_schema_version_in_wal_mode() {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path().join("data");
    let store = Store::init(&dir).unwrap();
    assert_eq!(store.path(), dir.join(DB_FILE));
    assert!(dir.join(MEDIA_DIR).is_dir(), "init makes the media folder");

    // The journal mode and user_version live in the file, so a second connection sees them.
    // (synchronous and foreign_keys are per connection: a second connection cannot see the
    // store's; foreign keys are checked by behaviour below.)
    let conn = Connection::open(dir.join(DB_FILE)).unwrap();
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(version, SCHEMA_VERSION);
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
    drop(store);
}

#[test]
fn the_store_connection_enforces_foreign_keys() {
    let tmp = TempDir::new().unwrap();
    let mut store = Store::init(tmp.path()).unwrap();
    let w = store.seed_writer().unwrap();
    let err = w
        .site(&Site {
            id: "site-of-nobody".into(),
            customer_id: "no-such-customer".into(),
            address: "1 Nowhere Street".into(),
            city: "Leeds".into(),
            postal_code: None,
            access_notes: None,
            contact_name: None,
            contact_phone: None,
        })
        .unwrap_err();
    assert!(err.to_string().contains("FOREIGN KEY"), "{err}");
}

#[test]
fn a_change_waits_for_another_writer_instead_of_failing() {
    set_now(instant(MORNING));
    let tmp = TempDir::new().unwrap();
    let mut store = Store::init(tmp.path()).unwrap();
    store.set_clock(test_clock);
    furnish(&mut store);
    let job = book_repair(&mut store);

    let other = Connection::open(tmp.path().join(DB_FILE)).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    let holder = std::thread::spawn(move || {
        std::thread::sleep(StdDuration::from_millis(300));
        other.execute_batch("COMMIT").unwrap();
    });
    let started = Instant::now();
    store.add_note(&job, "Written once the other writer let go").unwrap();
    assert!(started.elapsed() >= StdDuration::from_millis(250), "the note did not wait");
    holder.join().unwrap();
    assert_eq!(store.job_detail(&job).unwrap().notes.len(), 1);
}

/// A database as a newer Fieldwork leaves it: a schema this build does not know and a higher
/// `user_version`, in rollback-journal mode so that switching it to WAL would change its header.
fn write_newer_database(path: &Path) {
    let conn = Connection::open(path).expect("the newer database is written");
    conn.execute_batch(&format!(
        "PRAGMA journal_mode = DELETE;
         CREATE TABLE future_things (id INTEGER PRIMARY KEY, what TEXT NOT NULL);
         INSERT INTO future_things (what) VALUES ('hover boards'), ('teleporters');
         PRAGMA user_version = {};",
        SCHEMA_VERSION + 1
    ))
    .expect("the newer database is written");
}

#[test]
fn a_database_from_a_newer_version_is_refused_and_left_untouched() {
    let tmp = TempDir::new().unwrap();
    let db = tmp.path().join(DB_FILE);
    write_newer_database(&db);
    let before = std::fs::read(&db).unwrap();

    for (how, result) in [("open", Store::open(tmp.path())), ("init", Store::init(tmp.path()))] {
        let err = result.unwrap_err();
        assert_eq!(err.code(), "database_too_new", "{how}: {err}");
        let message = err.to_string();
        assert!(message.contains("newer version"), "{how}: {message}");
        assert!(message.contains(&format!("schema {}", SCHEMA_VERSION + 1)), "{how}: {message}");
        assert_eq!(std::fs::read(&db).unwrap(), before, "{how} changed the database file");
        assert_eq!(header_files_left(&db), Vec::<String>::new(), "{how} left journal files");
        assert!(!tmp.path().join(MEDIA_DIR).exists(), "{how} set the folder up anyway");
    }
}

/// Bytes that are no SQLite database (a fixed pseudo-random sequence).
fn noise(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x.to_le_bytes()[0]
        })
        .collect()
}

#[test]
fn a_file_that_is_not_a_database_is_refused_and_left_untouched() {
    let files: [(&str, Vec<u8>); 3] = [
        ("random bytes", noise(64 * 1024)),
        ("a text file", "Shopping list: milk, eggs, a drain pump\n".repeat(200).into_bytes()),
        ("a short text file", b"hello\n".to_vec()),
    ];
    for (what, bytes) in files {
        let tmp = TempDir::new().unwrap();
        let db = tmp.path().join(DB_FILE);
        std::fs::write(&db, &bytes).unwrap();
        for (how, result) in [("open", Store::open(tmp.path())), ("init", Store::init(tmp.path()))]
        {
            let err = result.unwrap_err();
            assert_eq!(err.code(), "not_a_database", "{what}, {how}: {err}");
            assert!(err.to_string().contains(DB_FILE), "{what}, {how}: {err}");
            assert_eq!(std::fs::read(&db).unwrap(), bytes, "{what}: {how} changed the file");
            assert_eq!(header_files_left(&db), Vec::<String>::new(), "{what}, {how}");
            assert!(!tmp.path().join(MEDIA_DIR).exists(), "{what}: {how} set the folder up");
        }
    }
}

#[test]
fn opening_a_folder_without_a_store_says_it_is_not_initialised() {
    let tmp = TempDir::new().unwrap();
    let missing = tmp.path().join("missing");
    assert_eq!(Store::open(&missing).unwrap_err().code(), "not_initialised");
    assert!(!missing.exists(), "open must not create the folder");

    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    assert_eq!(Store::open(&empty).unwrap_err().code(), "not_initialised");
    assert!(!empty.join(DB_FILE).exists(), "open must not create a database");
}

#[test]
fn a_data_folder_that_is_a_regular_file_is_refused() {
    let tmp = TempDir::new().unwrap();
    let path = tmp.path().join("data");
    std::fs::write(&path, "not a folder").unwrap();
    for (how, result) in [("open", Store::open(&path)), ("init", Store::init(&path))] {
        let err = result.unwrap_err();
        assert_eq!(err.code(), "data_dir_unusable", "{how}: {err}");
        assert!(err.to_string().contains("not a folder"), "{how}: {err}");
    }
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "not a folder");
}

#[test]
fn running_init_again_keeps_the_data_and_the_device_identity() {
    set_now(instant(MORNING));
    let tmp = TempDir::new().unwrap();
    let (device, job, detail, pending) = {
        let mut store = Store::init(tmp.path()).unwrap();
        store.set_clock(test_clock);
        furnish(&mut store);
        let job = book_repair(&mut store);
        store.add_note(&job, "Customer prefers a call before arrival").unwrap();
        (store.device_id().to_owned(), job.clone(), store.job_detail(&job).unwrap(), outbox(&store))
    };

    let again = Store::init(tmp.path()).unwrap();
    assert_eq!(again.device_id(), device);
    assert_eq!(again.device_technician().unwrap().as_deref(), Some(TECH_ID));
    assert_eq!(again.actor(), &technician());
    assert_eq!(again.job_count().unwrap(), 1);
    assert_eq!(again.job_detail(&job).unwrap(), detail);
    assert_eq!(outbox(&again), pending);
    assert!(again.check(false).unwrap().ok);
}

#[test]
fn a_migration_that_fails_leaves_no_partial_schema() {
    let tmp = TempDir::new().unwrap();
    let db = tmp.path().join(DB_FILE);
    {
        // A table in the way of the last statement of the first migration.
        let conn = Connection::open(&db).unwrap();
        conn.execute_batch("CREATE TABLE job_search_words (body TEXT);").unwrap();
    }
    let err = Store::init(tmp.path()).unwrap_err();
    assert!(err.to_string().contains("job_search_words"), "{err}");

    let conn = Connection::open(&db).unwrap();
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(version, 0);
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(tables, ["job_search_words"], "the migration left part of its schema behind");
}

// =============================================================================================
// The outbox
// =============================================================================================

#[test]
fn creating_and_booking_a_job_puts_it_in_the_outbox() {
    let (store, job) = workshop();
    let entries = outbox(&store);
    assert_eq!(entries.len(), 3, "{:#?}", kinds(&entries));
    let Mutation::JobCreated { work_order } = &entries[0].mutation else {
        panic!("the first mutation creates the job: {:?}", entries[0].mutation)
    };
    assert_eq!(work_order.id, job);
    assert_eq!(work_order.status, JobStatus::New);
    assert_eq!(work_order.owner_dispatcher, DISPATCHER_NAME);
    let scheduled = entries[1..].iter().find_map(|e| match &e.mutation {
        Mutation::JobScheduled { job_id, assignee_id, .. } => Some((job_id, assignee_id)),
        _ => None,
    });
    assert_eq!(scheduled, Some((&job, &TECH_ID.to_owned())));
    for e in &entries {
        assert_eq!(e.device_id, store.device_id());
        assert_eq!(e.mutation.job_id(), job);
    }
}

/// Head office will apply a device's mutations in `seq` order and check every status change
/// against the lifecycle, as the device did; a move to scheduled needs the assignee and the
/// appointment window, so the booking must come first.
#[test]
fn scheduling_puts_the_booking_in_the_outbox_before_the_status_change_it_enables() {
    set_now(instant(MORNING));
    let mut store = Store::open_in_memory().unwrap();
    store.set_clock(test_clock);
    furnish(&mut store);
    let seq = last_seq(&store);
    let job = book_repair(&mut store);
    let entries = entries_after(&store, seq);
    assert_eq!(kinds(&entries), ["job_created", "job_scheduled", "status_changed"], "{job}");
}

#[test]
fn every_change_appends_its_mutations_to_the_outbox_in_order() {
    let (mut store, job) = workshop();
    let mut previous = outbox(&store).last().cloned().unwrap();

    // Each change, and the kinds of mutation it must append.
    let mut check = |store: &mut Store, expected: &[&str], change: &dyn Fn(&mut Store)| {
        advance(7);
        change(store);
        let new = entries_after(store, previous.seq);
        assert_eq!(kinds(&new), expected);
        for e in &new {
            assert!(e.seq > previous.seq, "seq must increase: {} after {}", e.seq, previous.seq);
            assert_eq!(e.hlc, new[0].hlc, "one change, one stamp");
            assert_eq!(e.device_id, store.device_id());
            assert_eq!(e.mutation.job_id(), job);
            assert_eq!(e.created_at, test_clock());
        }
        assert!(new[0].hlc > previous.hlc, "{} is not after {}", new[0].hlc, previous.hlc);
        assert!(new[0].hlc.to_string() > previous.hlc.to_string(), "text form sorts too");
        assert_ne!(new[0].mutation_id, previous.mutation_id);
        previous = new.last().cloned().unwrap();
        new
    };

    let j = job.as_str();
    check(&mut store, &["status_changed"], &|s| {
        s.change_status(j, JobStatus::EnRoute, None).unwrap();
    });
    // The travel time the arrival closes goes first: head office applies the outbox in order.
    let arrival = check(&mut store, &["time_entry_added", "status_changed"], &|s| {
        s.change_status(j, JobStatus::OnSite, None).unwrap();
    });
    let Mutation::StatusChanged { from, to, reason, at, .. } = &arrival[1].mutation else {
        panic!("{:?}", arrival[1].mutation)
    };
    assert_eq!(
        (*from, *to, reason, *at),
        (JobStatus::EnRoute, JobStatus::OnSite, &None, test_clock())
    );
    let Mutation::TimeEntryAdded { entry } = &arrival[0].mutation else { panic!() };
    assert_eq!(
        (entry.kind, entry.minutes, entry.source),
        (TimeEntryKind::Travel, 7, TimeEntrySource::Derived)
    );

    check(&mut store, &["status_changed"], &|s| {
        s.change_status(j, JobStatus::InProgress, None).unwrap();
    });
    let note = RefCell::new(None);
    let noted = check(&mut store, &["note_added"], &|s| {
        *note.borrow_mut() = Some(s.add_note(j, "Drain filter full of coins").unwrap());
    });
    assert_eq!(noted[0].mutation, Mutation::NoteAdded { note: note.take().unwrap() });
    let part = RefCell::new(None);
    let parted = check(&mut store, &["part_added"], &|s| {
        let new = NewPart { part_no: "wm-pump-drn-01".into(), quantity: 1.0, ..NewPart::default() };
        *part.borrow_mut() = Some(s.add_part(j, new).unwrap());
    });
    let part = part.take().unwrap();
    assert_eq!((part.part_no.as_str(), part.from_catalogue), ("WM-PUMP-DRN-01", true));
    assert_eq!(parted[0].mutation, Mutation::PartAdded { part });
    check(&mut store, &["checklist_answered"], &|s| {
        s.answer_checklist(j, "root_cause", "wear").unwrap();
    });
    check(&mut store, &["field_set"], &|s| {
        s.set_job_field(j, JobField::Diagnosis, Some("Drain pump impeller jammed")).unwrap();
    });
    check(&mut store, &["time_entry_added"], &|s| {
        let start = test_clock() - Duration::minutes(90);
        let entry = NewTimeEntry {
            kind: TimeEntryKind::Labour,
            started_at: start,
            ended_at: start + Duration::minutes(30),
            supersedes: None,
        };
        s.add_time_entry(j, entry).unwrap();
    });
    let feedback = RefCell::new(None);
    let rated = check(&mut store, &["feedback_given"], &|s| {
        *feedback.borrow_mut() = Some(s.give_feedback(j, 5, Some("Quick and tidy")).unwrap());
    });
    assert_eq!(rated[0].mutation, Mutation::FeedbackGiven { feedback: feedback.take().unwrap() });
}

#[test]
fn a_refused_change_leaves_the_job_and_the_outbox_as_they_were() {
    let (mut store, job) = workshop();
    let j = job.as_str();

    let err = refused(&mut store, j, "transition_not_allowed", |s| {
        s.change_status(j, JobStatus::Completed, None)
    });
    assert!(err.to_string().contains("allowed now: en_route"), "{err}");
    start_work(&mut store, j);

    for rating in [7, 0, -1, 6, i64::MAX] {
        let err = refused(&mut store, j, "invalid", |s| s.give_feedback(j, rating, None));
        assert!(err.to_string().contains(&rating.to_string()), "{err}");
    }
    for quantity in [-1.0, 0.0, -0.001, f64::NAN, f64::INFINITY, 10_001.0] {
        let part = NewPart { part_no: "WM-PUMP-DRN-01".into(), quantity, ..NewPart::default() };
        refused(&mut store, j, "invalid", |s| s.add_part(j, part));
    }
    let typed_without_description =
        NewPart { part_no: "HOSE-2M".into(), quantity: 1.0, ..NewPart::default() };
    let err = refused(&mut store, j, "invalid", |s| s.add_part(j, typed_without_description));
    assert!(err.to_string().contains("HOSE-2M"), "{err}");
    let negative_price = NewPart {
        part_no: "WM-PUMP-DRN-01".into(),
        quantity: 1.0,
        unit_price_cents: Some(-100),
        ..NewPart::default()
    };
    refused(&mut store, j, "invalid", |s| s.add_part(j, negative_price));

    let ten_megabytes = "检".repeat(10 * 1024 * 1024 / 3);
    let err = refused(&mut store, j, "too_long", |s| s.add_note(j, &ten_megabytes));
    assert!(err.to_string().contains("10000"), "the refusal names the limit: {err}");
    refused(&mut store, j, "invalid", |s| s.add_note(j, "   "));
    let long_resolution = "x".repeat(10_001);
    refused(&mut store, j, "too_long", |s| {
        s.set_job_field(j, JobField::Resolution, Some(&long_resolution))
    });
    refused(&mut store, j, "invalid", |s| s.set_job_field(j, JobField::Diagnosis, Some(" \n ")));

    let err = refused(&mut store, j, "invalid", |s| s.answer_checklist(j, "no_such_item", "yes"));
    assert!(err.to_string().contains("symptom_confirmed"), "the refusal lists the items: {err}");
    refused(&mut store, j, "invalid", |s| s.answer_checklist(j, "symptom_confirmed", "perhaps"));
    let err =
        refused(&mut store, j, "invalid", |s| s.answer_checklist(j, "root_cause", "Gremlins"));
    assert!(err.to_string().contains("Wear"), "the refusal lists the choices: {err}");

    let now = test_clock();
    let backwards = NewTimeEntry {
        kind: TimeEntryKind::Labour,
        started_at: now,
        ended_at: now - Duration::minutes(1),
        supersedes: None,
    };
    refused(&mut store, j, "invalid", |s| s.add_time_entry(j, backwards));
    let too_long = NewTimeEntry {
        kind: TimeEntryKind::Travel,
        started_at: now - Duration::hours(25),
        ended_at: now,
        supersedes: None,
    };
    refused(&mut store, j, "invalid", |s| s.add_time_entry(j, too_long));
    let correcting_nothing = NewTimeEntry {
        kind: TimeEntryKind::Travel,
        started_at: now - Duration::hours(1),
        ended_at: now,
        supersedes: Some("no-such-entry".into()),
    };
    refused(&mut store, j, "not_found", |s| s.add_time_entry(j, correcting_nothing));

    refused(&mut store, j, "reason_required", |s| s.change_status(j, JobStatus::OnHold, None));
    let long_reason = "r".repeat(2_001);
    refused(&mut store, j, "too_long", |s| {
        s.change_status(j, JobStatus::OnHold, Some(&long_reason))
    });
    refused(&mut store, j, "completion_blocked", |s| {
        s.change_status(j, JobStatus::Completed, None)
    });

    // Unknown jobs, by number and by id.
    for unknown in ["WO-2026-999999", "0190f5b2-0000-7000-8000-000000000000"] {
        let err = refused(&mut store, j, "not_found", |s| {
            s.change_status(unknown, JobStatus::EnRoute, None)
        });
        assert!(err.to_string().contains(unknown), "{err}");
        refused(&mut store, j, "not_found", |s| s.add_note(unknown, "Hello"));
        refused(&mut store, j, "not_found", |s| s.give_feedback(unknown, 4, None));
        refused(&mut store, j, "not_found", |s| s.answer_checklist(unknown, "root_cause", "Wear"));
        refused(&mut store, j, "not_found", |s| {
            s.set_job_field(unknown, JobField::Diagnosis, Some("Worn"))
        });
        let part =
            NewPart { part_no: "WM-PUMP-DRN-01".into(), quantity: 1.0, ..NewPart::default() };
        refused(&mut store, j, "not_found", |s| s.add_part(unknown, part));
        assert_eq!(store.job_detail(unknown).unwrap_err().code(), "not_found");
    }

    // After all that, the next change is stamped after everything before it.
    let last = outbox(&store).last().cloned().unwrap();
    store.add_note(j, "Still here").unwrap();
    let next = outbox(&store).last().cloned().unwrap();
    assert!(next.seq > last.seq && next.hlc > last.hlc);
}

#[test]
fn acknowledging_deletes_mutations_up_to_that_sequence_number_only() {
    let (mut store, job) = workshop();
    for i in 0..4 {
        store.add_note(&job, &format!("Note {i}")).unwrap();
    }
    let all = outbox(&store);
    assert_eq!(all.len(), 7);
    let cut = all[3].seq;
    assert_eq!(store.acknowledge_mutations(cut).unwrap(), 4);
    assert_eq!(outbox(&store), all[4..].to_vec());
    assert_eq!(store.pending_mutation_count().unwrap(), 3);
    assert_eq!(store.acknowledge_mutations(cut).unwrap(), 0, "acknowledging again is a no-op");
    assert_eq!(store.acknowledge_mutations(0).unwrap(), 0);
    assert_eq!(store.pending_mutations(2).unwrap(), all[4..6].to_vec(), "oldest first, limited");
    // The records themselves stay: the outbox only says what head office still needs.
    assert_eq!(store.job_detail(&job).unwrap().notes.len(), 4);
}

#[test]
fn sequence_numbers_are_never_reused_after_acknowledgement() {
    set_now(instant(MORNING));
    let tmp = TempDir::new().unwrap();
    let (device, job, high) = {
        let mut store = Store::init(tmp.path()).unwrap();
        store.set_clock(test_clock);
        furnish(&mut store);
        let job = book_repair(&mut store);
        let high = last_seq(&store);
        assert_eq!(store.acknowledge_mutations(high).unwrap(), 3);
        assert_eq!(store.pending_mutation_count().unwrap(), 0);
        store.add_note(&job, "After the acknowledgement").unwrap();
        let next = outbox(&store);
        assert_eq!(next.len(), 1);
        assert!(next[0].seq > high, "seq {} reused (had reached {high})", next[0].seq);
        assert_eq!(store.acknowledge_mutations(next[0].seq).unwrap(), 1);
        (store.device_id().to_owned(), job, next[0].seq)
    };

    let mut store = Store::open(tmp.path()).unwrap();
    store.set_clock(test_clock);
    advance(5);
    store.add_note(&job, "After a restart").unwrap();
    let next = outbox(&store);
    assert_eq!(next.len(), 1);
    assert!(next[0].seq > high, "seq {} reused after a restart (had reached {high})", next[0].seq);
    assert_eq!(next[0].device_id, device);
}

// =============================================================================================
// The lifecycle, through the store
// =============================================================================================

#[test]
fn a_technician_works_a_job_from_scheduled_to_completed_with_travel_and_labour_derived() {
    let (mut store, job) = workshop();
    set_now(instant("2026-11-18T09:00:00Z"));
    store.change_status(&job, JobStatus::EnRoute, None).unwrap();
    set_now(instant("2026-11-18T09:25:00Z"));
    store.change_status(&job, JobStatus::OnSite, None).unwrap();
    set_now(instant("2026-11-18T09:30:00Z"));
    store.change_status(&job, JobStatus::InProgress, None).unwrap();
    set_now(instant("2026-11-18T10:20:00Z"));
    make_ready_to_complete(&mut store, &job);
    set_now(instant("2026-11-18T10:40:00Z"));
    let done = store.change_status(&job, JobStatus::Completed, None).unwrap();
    assert_eq!(done.status, JobStatus::Completed);

    let d = store.job_detail(&job).unwrap();
    assert_eq!(d.work_order.status, JobStatus::Completed);
    check_history(&d).unwrap();
    let moves: Vec<_> =
        d.status_history.iter().map(|c| (c.from_status, c.to_status, c.actor.as_str())).collect();
    use JobStatus::*;
    assert_eq!(
        moves,
        [
            (Some(New), Scheduled, DISPATCHER_NAME),
            (Some(Scheduled), EnRoute, TECH_NAME),
            (Some(EnRoute), OnSite, TECH_NAME),
            (Some(OnSite), InProgress, TECH_NAME),
            (Some(InProgress), Completed, TECH_NAME),
        ]
    );
    let times: Vec<_> = d
        .time_entries
        .iter()
        .map(|t| (t.kind, t.started_at, t.ended_at, t.minutes, t.source))
        .collect();
    assert_eq!(
        times,
        [
            (
                TimeEntryKind::Travel,
                instant("2026-11-18T09:00:00Z"),
                instant("2026-11-18T09:25:00Z"),
                25,
                TimeEntrySource::Derived
            ),
            (
                TimeEntryKind::Labour,
                instant("2026-11-18T09:30:00Z"),
                instant("2026-11-18T10:40:00Z"),
                70,
                TimeEntrySource::Derived
            ),
        ]
    );
}

#[test]
fn completion_is_refused_until_the_resolution_required_items_and_a_signature_or_reason_exist() {
    let (mut store, job) = workshop();
    start_work(&mut store, &job);
    let j = job.as_str();

    let err = refused(&mut store, j, "completion_blocked", |s| {
        s.change_status(j, JobStatus::Completed, None)
    });
    let CoreError::Rule(RuleError::CompletionBlocked { missing }) = &err else { panic!("{err:?}") };
    assert_eq!(missing.first(), Some(&Missing::Resolution));
    assert_eq!(missing.last(), Some(&Missing::SignatureOrReason));
    let keys: Vec<&str> = missing
        .iter()
        .filter_map(|m| match m {
            Missing::ChecklistItem { key, .. } => Some(key.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(keys, REPAIR_REQUIRED_ITEMS, "every required item, by key; no optional one");
    let message = err.to_string();
    for needle in ["resolution", "(root_cause)", "(customer_informed)", "signature"] {
        assert!(message.contains(needle), "{needle:?} not in {message}");
    }

    // A resolution and every item answered, but the safety check ticked "no".
    store.set_job_field(j, JobField::Resolution, Some("Replaced the drain pump")).unwrap();
    for (key, value) in REPAIR_ANSWERS {
        store.answer_checklist(j, key, value).unwrap();
    }
    store.answer_checklist(j, "safety_check", "no").unwrap();
    let err = refused(&mut store, j, "completion_blocked", |s| {
        s.change_status(j, JobStatus::Completed, None)
    });
    let CoreError::Rule(RuleError::CompletionBlocked { missing }) = &err else { panic!("{err:?}") };
    assert!(
        matches!(missing.as_slice(), [Missing::ChecklistItem { key, .. }, Missing::SignatureOrReason] if key == "safety_check"),
        "{missing:?}"
    );

    store.answer_checklist(j, "safety_check", "yes").unwrap();
    let err = refused(&mut store, j, "completion_blocked", |s| {
        s.change_status(j, JobStatus::Completed, None)
    });
    assert!(
        matches!(&err, CoreError::Rule(RuleError::CompletionBlocked { missing }) if missing == &[Missing::SignatureOrReason])
    );

    store.set_job_field(j, JobField::SignatureAbsenceReason, Some("Customer left early")).unwrap();
    store.change_status(j, JobStatus::Completed, None).unwrap();
    // Once completed, the work is fixed: clearing the resolution is no longer possible.
    refused(&mut store, j, "forbidden", |s| s.set_job_field(j, JobField::Resolution, None));
}

#[test]
fn a_sofa_repair_asks_the_furniture_checklist_not_the_electrical_and_gas_safety_check() {
    let (mut store, washer_job) = workshop();
    store.set_actor(dispatcher());
    let sofa = store
        .create_work_order(NewWorkOrder {
            job_type_code: "repair".into(),
            priority: Priority::Normal,
            customer_id: CUSTOMER_ID.into(),
            site_id: SITE_ID.into(),
            equipment_id: Some("equipment-recliner".into()),
            reported_problem: "Recliner footrest will not close".into(),
            reported_at: None,
            return_of: None,
            goodwill: false,
        })
        .unwrap()
        .id;
    let start = test_clock() + Duration::hours(4);
    store.schedule_job(&sofa, TECH_ID, start, start + Duration::hours(1)).unwrap();
    store.set_actor(technician());

    let keys = |store: &Store, job: &str| -> Vec<String> {
        store.job_detail(job).unwrap().checklist.into_iter().map(|a| a.item_key).collect()
    };
    let sofa_items = keys(&store, &sofa);
    assert!(sofa_items.contains(&"mechanism_test".to_owned()), "{sofa_items:?}");
    assert!(!sofa_items.contains(&"safety_check".to_owned()), "{sofa_items:?}");
    let washer_items = keys(&store, &washer_job);
    assert!(washer_items.contains(&"safety_check".to_owned()), "{washer_items:?}");
    assert!(!washer_items.contains(&"mechanism_test".to_owned()), "{washer_items:?}");

    // An item the job does not ask cannot be answered on it, and says which items it has.
    let err =
        refused(&mut store, &sofa, "invalid", |s| s.answer_checklist(&sofa, "safety_check", "yes"));
    assert!(err.to_string().contains("mechanism_test"), "{err}");

    // Completion asks the sofa's required items only.
    start_work(&mut store, &sofa);
    let err = refused(&mut store, &sofa, "completion_blocked", |s| {
        s.change_status(&sofa, JobStatus::Completed, None)
    });
    let CoreError::Rule(RuleError::CompletionBlocked { missing }) = &err else { panic!("{err:?}") };
    let missing: Vec<&str> = missing
        .iter()
        .filter_map(|m| match m {
            Missing::ChecklistItem { key, .. } => Some(key.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(
        missing,
        [
            "symptom_confirmed",
            "root_cause",
            "test_after_repair",
            "mechanism_test",
            "customer_informed"
        ]
    );
    store
        .set_job_field(&sofa, JobField::Resolution, Some("Re-tensioned the footrest spring"))
        .unwrap();
    for (key, value) in [
        ("symptom_confirmed", "yes"),
        ("root_cause", "Wear"),
        ("test_after_repair", "Pass"),
        ("mechanism_test", "yes"),
        ("customer_informed", "yes"),
    ] {
        store.answer_checklist(&sofa, key, value).unwrap();
    }
    store.set_job_field(&sofa, JobField::SignatureAbsenceReason, Some("Customer was out")).unwrap();
    store.change_status(&sofa, JobStatus::Completed, None).unwrap();
}

#[test]
fn a_technician_cannot_work_another_technicians_job() {
    let (mut store, job) = workshop();
    let j = job.as_str();
    let number = store.job_detail(j).unwrap().work_order.number;
    store.set_actor(other_technician());

    let err = refused(&mut store, j, "forbidden", |s| s.change_status(j, JobStatus::EnRoute, None));
    assert!(err.to_string().contains(&number), "{err}");
    refused(&mut store, j, "forbidden", |s| s.add_note(j, "Not my job"));
    refused(&mut store, j, "forbidden", |s| s.answer_checklist(j, "root_cause", "Wear"));
    refused(&mut store, j, "forbidden", |s| {
        s.set_job_field(j, JobField::Diagnosis, Some("Worn belt"))
    });
    let part = NewPart { part_no: "WM-PUMP-DRN-01".into(), quantity: 1.0, ..NewPart::default() };
    refused(&mut store, j, "forbidden", |s| s.add_part(j, part));
    let now = test_clock();
    let entry = NewTimeEntry {
        kind: TimeEntryKind::Travel,
        started_at: now - Duration::minutes(20),
        ended_at: now,
        supersedes: None,
    };
    refused(&mut store, j, "forbidden", |s| s.add_time_entry(j, entry));

    store.set_actor(technician());
    store.change_status(j, JobStatus::EnRoute, None).unwrap();
}

#[test]
fn only_dispatchers_create_and_schedule_jobs() {
    let (mut store, job) = workshop();
    let j = job.as_str();
    let new = NewWorkOrder {
        job_type_code: "repair".into(),
        priority: Priority::High,
        customer_id: CUSTOMER_ID.into(),
        site_id: SITE_ID.into(),
        equipment_id: None,
        reported_problem: "Leaking".into(),
        reported_at: None,
        return_of: None,
        goodwill: false,
    };
    refused(&mut store, j, "forbidden", |s| s.create_work_order(new));
    let start = test_clock() + Duration::days(1);
    refused(&mut store, j, "forbidden", |s| {
        s.schedule_job(j, TECH_ID, start, start + Duration::hours(1))
    });
    assert_eq!(store.job_count().unwrap(), 1);
}

#[test]
fn a_technician_cannot_cancel_close_or_reopen_a_job() {
    let (mut store, job) = workshop();
    let j = job.as_str();
    let err = refused(&mut store, j, "transition_not_allowed", |s| {
        s.change_status(j, JobStatus::Cancelled, Some("Customer rang to cancel"))
    });
    assert!(err.to_string().contains("allowed now: en_route"), "{err}");

    start_work(&mut store, j);
    let err = refused(&mut store, j, "transition_not_allowed", |s| {
        s.change_status(j, JobStatus::Cancelled, Some("Customer rang to cancel"))
    });
    assert!(err.to_string().contains("allowed now: completed, on_hold"), "{err}");

    make_ready_to_complete(&mut store, j);
    store.change_status(j, JobStatus::Completed, None).unwrap();
    let err = refused(&mut store, j, "transition_not_allowed", |s| {
        s.change_status(j, JobStatus::Closed, None)
    });
    assert!(err.to_string().contains("allowed now: none"), "{err}");
    refused(&mut store, j, "transition_not_allowed", |s| {
        s.change_status(j, JobStatus::Scheduled, Some("Customer says it still leaks"))
    });
}

#[test]
fn a_dispatcher_cancels_an_open_job_only_with_a_reason() {
    let (mut store, job) = workshop();
    let j = job.as_str();
    start_work(&mut store, j);
    let work_started = test_clock();
    store.set_actor(dispatcher());
    refused(&mut store, j, "reason_required", |s| s.change_status(j, JobStatus::Cancelled, None));
    refused(&mut store, j, "reason_required", |s| {
        s.change_status(j, JobStatus::Cancelled, Some("  \t "))
    });

    advance(45);
    store.change_status(j, JobStatus::Cancelled, Some("  Customer sold the machine ")).unwrap();
    let d = store.job_detail(j).unwrap();
    assert_eq!(d.work_order.status, JobStatus::Cancelled);
    check_history(&d).unwrap();
    let last = d.status_history.last().unwrap();
    assert_eq!(last.reason.as_deref(), Some("Customer sold the machine"));
    assert_eq!(last.actor, DISPATCHER_NAME);
    let labour = d.time_entries.iter().find(|t| t.kind == TimeEntryKind::Labour).unwrap();
    assert_eq!((labour.started_at, labour.minutes), (work_started, 45));

    // Nothing leaves cancelled, and nothing more is recorded on it.
    assert!(
        Role::ALL.iter().all(|r| lifecycle::allowed_moves(JobStatus::Cancelled, *r).is_empty())
    );
    refused(&mut store, j, "transition_not_allowed", |s| {
        s.change_status(j, JobStatus::Scheduled, Some("Customer changed their mind"))
    });
    store.set_actor(technician());
    refused(&mut store, j, "forbidden", |s| s.add_note(j, "Too late"));
}

#[test]
fn putting_a_job_on_hold_needs_a_reason_and_each_stint_of_work_is_labour() {
    let (mut store, job) = workshop();
    let j = job.as_str();
    start_work(&mut store, j);
    let first_stint = test_clock();
    refused(&mut store, j, "reason_required", |s| s.change_status(j, JobStatus::OnHold, None));
    refused(&mut store, j, "reason_required", |s| s.change_status(j, JobStatus::OnHold, Some(" ")));

    advance(40);
    store.change_status(j, JobStatus::OnHold, Some("Drain pump on back order")).unwrap();
    let d = store.job_detail(j).unwrap();
    assert_eq!(
        d.status_history.last().unwrap().reason.as_deref(),
        Some("Drain pump on back order")
    );

    advance(60 * 24);
    store.change_status(j, JobStatus::InProgress, None).unwrap();
    let second_stint = test_clock();
    advance(30);
    make_ready_to_complete(&mut store, j);
    store.change_status(j, JobStatus::Completed, None).unwrap();

    let d = store.job_detail(j).unwrap();
    check_history(&d).unwrap();
    let labour: Vec<_> = d
        .time_entries
        .iter()
        .filter(|t| t.kind == TimeEntryKind::Labour)
        .map(|t| (t.started_at, t.minutes))
        .collect();
    assert_eq!(labour, [(first_stint, 40), (second_stint, 30)]);
}

#[test]
fn a_dispatcher_closes_a_completed_job_and_can_reopen_it_with_a_reason() {
    let (mut store, job) = workshop();
    let j = job.as_str();
    start_work(&mut store, j);
    make_ready_to_complete(&mut store, j);
    store.change_status(j, JobStatus::Completed, None).unwrap();

    store.set_actor(dispatcher());
    store.change_status(j, JobStatus::Closed, None).unwrap();
    refused(&mut store, j, "reason_required", |s| s.change_status(j, JobStatus::Scheduled, None));
    store.change_status(j, JobStatus::Scheduled, Some("Customer says it leaks again")).unwrap();

    store.set_actor(technician());
    start_work(&mut store, j);
    let d = store.job_detail(j).unwrap();
    assert_eq!(d.work_order.status, JobStatus::InProgress);
    check_history(&d).unwrap();
    assert_eq!(d.time_entries.iter().filter(|t| t.kind == TimeEntryKind::Travel).count(), 2);
}

#[test]
fn a_device_clock_that_jumps_back_to_2001_still_stamps_changes_in_order() {
    let (mut store, job) = workshop();
    let j = job.as_str();
    set_now(instant("2026-11-18T09:00:00Z"));
    store.change_status(j, JobStatus::EnRoute, None).unwrap();
    let high_water = outbox(&store).last().unwrap().hlc.wall_ms;

    set_now(instant("2001-01-01T00:00:00Z"));
    store.change_status(j, JobStatus::OnSite, None).unwrap();
    advance(5);
    store.change_status(j, JobStatus::InProgress, None).unwrap();
    store.add_note(j, "Written while the clock said 2001").unwrap();
    make_ready_to_complete(&mut store, j);
    advance(30);
    store.change_status(j, JobStatus::Completed, None).unwrap();

    let entries = outbox(&store);
    for pair in entries.windows(2) {
        assert!(pair[1].seq > pair[0].seq);
        assert!(pair[1].hlc >= pair[0].hlc, "{} before {}", pair[1].hlc, pair[0].hlc);
        if pair[1].hlc == pair[0].hlc {
            assert_eq!(pair[1].created_at, pair[0].created_at, "only one change shares a stamp");
        }
    }
    let distinct: HashSet<String> = entries.iter().map(|e| e.hlc.to_string()).collect();
    // Booking (2 changes), 3 moves to in progress, a note, 7 facts for completion, completing.
    assert_eq!(distinct.len(), 14, "one stamp per change: {:#?}", kinds(&entries));
    assert!(entries.iter().all(|e| e.hlc.wall_ms >= instant(MORNING).timestamp_millis()));
    assert!(entries.last().unwrap().hlc.wall_ms >= high_water);

    let d = store.job_detail(j).unwrap();
    check_history(&d).unwrap();
    check_time_entries(&d).unwrap();
    let travel = d.time_entries.iter().find(|t| t.kind == TimeEntryKind::Travel).unwrap();
    assert_eq!(travel.minutes, 0, "a clock that went back gives an empty span: {travel:?}");
    let labour = d.time_entries.iter().find(|t| t.kind == TimeEntryKind::Labour).unwrap();
    assert_eq!(labour.minutes, 30);
}

#[test]
fn the_clock_stamp_survives_a_restart_with_the_clock_set_back() {
    set_now(instant("2026-11-18T09:00:00Z"));
    let tmp = TempDir::new().unwrap();
    let (job, before) = {
        let mut store = Store::init(tmp.path()).unwrap();
        store.set_clock(test_clock);
        furnish(&mut store);
        let job = book_repair(&mut store);
        store.add_note(&job, "Before the restart").unwrap();
        (job, outbox(&store).last().unwrap().hlc.clone())
    };
    set_now(instant("2001-01-01T00:00:00Z"));
    let mut store = Store::open(tmp.path()).unwrap();
    store.set_clock(test_clock);
    store.add_note(&job, "After the restart, clock in 2001").unwrap();
    let after = outbox(&store).last().unwrap().hlc.clone();
    assert!(after > before, "{after} is not after {before}");
    assert_eq!(after.wall_ms, before.wall_ms);
}

/// Seeding is what a first pull from head office amounts to; the device's stamps must then sort
/// after the pulled ones, or a change made on a device whose clock is behind appears before the
/// history it follows (the job's history and derived time entries are read in stamp order).
#[test]
fn changes_after_a_pull_sort_after_the_pulled_history_even_when_the_device_clock_is_behind() {
    let mut store = Store::open_in_memory().unwrap();
    seed::seed(&mut store, &demo_options(60, 3)).unwrap();
    set_now(instant("2001-01-01T09:00:00Z"));
    store.set_clock(test_clock);
    let tech = store.device_technician().unwrap().unwrap();
    let today = JobFilter::Day { date: demo_day(), technician_id: Some(tech) };
    let job = store.list_jobs(&today, Some(1)).unwrap().remove(0);
    assert_eq!(job.status, JobStatus::Scheduled);

    store.change_status(&job.id, JobStatus::EnRoute, None).unwrap();
    let d = store.job_detail(&job.id).unwrap();
    assert_eq!(
        d.status_history.last().map(|c| c.to_status),
        Some(JobStatus::EnRoute),
        "the latest change is shown before the pulled history: {:#?}",
        d.status_history
    );
    check_history(&d).unwrap();
}

// =============================================================================================
// Search, over one seeded store shared by the search and demo-data tests
// =============================================================================================

/// Jobs in the shared seeded store.
const DEMO_JOBS: usize = 3_000;
const DEMO_SEED: u64 = 20_261_118;
/// More than any search here can return.
const ALL: usize = 1_000_000;

/// A Wednesday: a working day for the whole team.
fn demo_day() -> NaiveDate {
    date(2026, 11, 18)
}

fn demo_now() -> DateTime<Utc> {
    demo_options(DEMO_JOBS, DEMO_SEED).now
}

fn demo_options(jobs: usize, seed: u64) -> SeedOptions {
    let quarter_past_ten = demo_day().and_hms_opt(10, 15, 0).expect("10:15 is a time of day");
    let now = Local
        .from_local_datetime(&quarter_past_ten)
        .earliest()
        .expect("10:15 exists on the demo day")
        .to_utc();
    SeedOptions { jobs, seed, today: demo_day(), now }
}

struct Demo {
    store: Store,
    summary: SeedSummary,
}

/// The shared seeded store (in memory; one test at a time uses it).
fn demo() -> MutexGuard<'static, Demo> {
    static DEMO: OnceLock<Mutex<Demo>> = OnceLock::new();
    DEMO.get_or_init(|| {
        let mut store = Store::open_in_memory().expect("an in-memory store opens");
        let summary = seed::seed(&mut store, &demo_options(DEMO_JOBS, DEMO_SEED))
            .expect("the demo store is seeded");
        Mutex::new(Demo { store, summary })
    })
    .lock()
    .unwrap_or_else(PoisonError::into_inner)
}

/// The text search covers for a job, as the job screen shows it.
fn searchable_text(d: &JobDetail) -> String {
    let mut text = vec![
        d.work_order.number.clone(),
        d.customer.name.clone(),
        d.customer.phone.clone(),
        d.site.address.clone(),
        d.site.city.clone(),
        d.work_order.reported_problem.clone(),
    ];
    text.extend(d.customer.alt_phone.clone());
    text.extend(d.site.postal_code.clone());
    text.extend(d.site.contact_name.clone());
    text.extend(d.site.contact_phone.clone());
    if let Some(e) = &d.equipment {
        text.extend([e.brand.clone(), e.model.clone(), e.serial.clone()]);
    }
    text.extend(d.work_order.diagnosis.clone());
    text.extend(d.work_order.resolution.clone());
    text.extend(d.notes.iter().map(|n| n.body.clone()));
    text.join(" ")
}

/// Whether a job's searchable text holds `fragment` (ignoring case), also within a token written
/// with punctuation (`7700-900123` holds `7700900`).
fn mentions(d: &JobDetail, fragment: &str) -> bool {
    let text = searchable_text(d).to_lowercase();
    let fragment = fragment.to_lowercase();
    text.contains(&fragment)
        || text.split_whitespace().any(|token| {
            token.chars().filter(|c| c.is_alphanumeric()).collect::<String>().contains(&fragment)
        })
}

fn ids(jobs: &[JobSummary]) -> HashSet<&str> {
    jobs.iter().map(|j| j.id.as_str()).collect()
}

#[test]
fn a_chinese_word_finds_every_job_whose_problem_says_it_and_nothing_else() {
    let demo = demo();
    let store = &demo.store;
    let all = store.list_jobs(&JobFilter::All, None).unwrap();
    let found = store.search("洗衣机", ALL).unwrap();
    let found_ids = ids(&found);

    let known = all
        .iter()
        .find(|j| j.reported_problem.contains("洗衣机不脱水"))
        .expect("the demo data has a washing machine that does not spin");
    assert!(found_ids.contains(known.id.as_str()), "{} not found", known.number);
    let expected: Vec<&JobSummary> =
        all.iter().filter(|j| j.reported_problem.contains("洗衣机")).collect();
    assert!(expected.len() > 10, "too few washing machines to say much: {}", expected.len());
    for job in expected {
        assert!(
            found_ids.contains(job.id.as_str()),
            "{} ({}) not found",
            job.number,
            job.reported_problem
        );
    }
    for job in &found {
        let d = store.job_detail(&job.id).unwrap();
        let said = [&d.work_order.reported_problem]
            .into_iter()
            .chain(d.work_order.diagnosis.as_ref())
            .chain(d.work_order.resolution.as_ref())
            .chain(d.notes.iter().map(|n| &n.body))
            .any(|text| text.contains("洗衣机"));
        assert!(said, "{} does not mention 洗衣机: {}", job.number, searchable_text(&d));
    }
}

#[test]
fn a_two_character_chinese_word_is_found_as_a_substring() {
    let demo = demo();
    let store = &demo.store;
    let all = store.list_jobs(&JobFilter::All, None).unwrap();
    let found = store.search("空调", ALL).unwrap();
    let found_ids = ids(&found);
    let expected: Vec<&JobSummary> =
        all.iter().filter(|j| j.reported_problem.contains("空调")).collect();
    assert!(!expected.is_empty());
    for job in expected {
        assert!(
            found_ids.contains(job.id.as_str()),
            "{} ({}) not found",
            job.number,
            job.reported_problem
        );
    }
    for job in &found {
        let d = store.job_detail(&job.id).unwrap();
        assert!(mentions(&d, "空调"), "{}: {}", job.number, searchable_text(&d));
    }
    // A single character is a substring too.
    assert!(ids(&store.search("调", ALL).unwrap()).is_superset(&found_ids));
}

#[test]
fn the_last_four_digits_of_a_phone_number_find_the_customers_jobs() {
    let demo = demo();
    let store = &demo.store;
    let all = store.list_jobs(&JobFilter::All, None).unwrap();
    let chinese_mobile = |p: &str| p.len() == 11 && p.chars().all(|c| c.is_ascii_digit());
    let uk_mobile = |p: &str| p.starts_with("+44 ");
    for (what, is_kind) in
        [("Chinese mobile", &chinese_mobile as &dyn Fn(&str) -> bool), ("UK mobile", &uk_mobile)]
    {
        let job =
            all.iter().find(|j| is_kind(&j.customer_phone)).unwrap_or_else(|| panic!("no {what}"));
        let phone = &job.customer_phone;
        let last_four = &phone[phone.len() - 4..];
        let found = store.search(last_four, ALL).unwrap();
        let found_ids = ids(&found);
        for same_phone in all.iter().filter(|j| &j.customer_phone == phone) {
            assert!(
                found_ids.contains(same_phone.id.as_str()),
                "{what} {phone}: {} not found by {last_four}",
                same_phone.number
            );
        }
        for job in found.iter().take(200) {
            let d = store.job_detail(&job.id).unwrap();
            assert!(
                mentions(&d, last_four),
                "{} has no {last_four}: {}",
                job.number,
                searchable_text(&d)
            );
        }
    }
}

#[test]
fn a_uk_phone_number_typed_without_its_spaces_finds_the_customer() {
    let demo = demo();
    let store = &demo.store;
    let all = store.list_jobs(&JobFilter::All, None).unwrap();
    let job = all.iter().find(|j| j.customer_phone.starts_with("+44 ")).unwrap();
    let digits: String = job.customer_phone.chars().filter(char::is_ascii_digit).collect();
    // As shown, as shown without spaces, only its digits, and without the country code.
    let typed = [
        job.customer_phone.clone(),
        job.customer_phone.replace(' ', ""),
        digits.clone(),
        digits[2..].to_owned(),
    ];
    let missed: Vec<&String> = typed
        .iter()
        .filter(|query| !ids(&store.search(query, ALL).unwrap()).contains(job.id.as_str()))
        .collect();
    assert!(missed.is_empty(), "{} ({}) not found by {missed:?}", job.number, job.customer_phone);
}

/// A serial that is long enough and has a digit in its middle, with its job.
fn job_with_serial(store: &Store, all: &[JobSummary]) -> (String, String) {
    for job in all {
        let d = store.job_detail(&job.id).expect("the job can be read");
        if let Some(e) = d.equipment
            && e.serial.len() >= 12
            && e.serial[4..9].chars().any(|c| c.is_ascii_digit())
        {
            return (job.id.clone(), e.serial);
        }
    }
    panic!("no serial with a digit in its middle")
}

#[test]
fn a_fragment_from_the_middle_of_a_serial_finds_the_job() {
    let demo = demo();
    let store = &demo.store;
    let all = store.list_jobs(&JobFilter::All, None).unwrap();
    let (job, serial) = job_with_serial(store, &all);
    let fragment = &serial[4..9];
    for query in [fragment.to_owned(), fragment.to_lowercase(), serial.clone()] {
        let found = store.search(&query, ALL).unwrap();
        assert!(ids(&found).contains(job.as_str()), "{query:?} (of {serial}) did not find the job");
        for hit in &found {
            let d = store.job_detail(&hit.id).unwrap();
            assert!(mentions(&d, &query), "{} has no {query}: {}", hit.number, searchable_text(&d));
        }
    }
}

/// Serials are found by their start (like any word) and by any fragment that contains a digit
/// (the trigram index holds every token with a digit). A letters-only piece from the middle of a
/// serial is deliberately not searched: matching every letters-only term as a substring would
/// make each name and word query scan the trigram index too.
#[test]
fn a_serial_is_found_by_its_start_or_by_any_fragment_with_a_digit() {
    let demo = demo();
    let store = &demo.store;
    let all = store.list_jobs(&JobFilter::All, None).unwrap();
    let (job, serial) = all
        .iter()
        .find_map(|j| {
            let serial = store.job_detail(&j.id).unwrap().equipment?.serial;
            let b = serial.as_bytes();
            (b.len() >= 10 && b[..3].iter().all(u8::is_ascii_alphanumeric))
                .then(|| (j.id.clone(), serial))
        })
        .expect("a job with a serial");
    let start = &serial[..4];
    let found = store.search(start, ALL).unwrap();
    assert!(
        ids(&found).contains(job.as_str()),
        "{start:?} (start of {serial}) did not find the job"
    );
    let digit = serial.find(|c: char| c.is_ascii_digit()).expect("serials carry digits");
    let from = digit.saturating_sub(2).max(1);
    let fragment = &serial[from..(from + 5).min(serial.len())];
    let found = store.search(fragment, ALL).unwrap();
    assert!(ids(&found).contains(job.as_str()), "{fragment:?} (of {serial}) did not find the job");
}

#[test]
fn the_start_of_a_customers_name_finds_their_jobs() {
    let demo = demo();
    let store = &demo.store;
    let all = store.list_jobs(&JobFilter::All, None).unwrap();

    let english = all
        .iter()
        .find(|j| {
            let mut words = j.customer_name.split(' ');
            words.clone().count() == 2
                && words.all(|w| w.len() >= 5 && w.chars().all(|c| c.is_ascii_alphabetic()))
        })
        .expect("an English customer with two plain names");
    let (first, last) = english.customer_name.split_once(' ').unwrap();
    let same_name: Vec<&JobSummary> =
        all.iter().filter(|j| j.customer_name == english.customer_name).collect();
    for query in
        [last[..4].to_owned(), last[..4].to_lowercase(), format!("{} {}", &first[..2], &last[..3])]
    {
        let found = ids(&store.search(&query, ALL).unwrap())
            .into_iter()
            .map(str::to_owned)
            .collect::<HashSet<_>>();
        for job in &same_name {
            assert!(
                found.contains(&job.id),
                "{query:?} did not find {} ({})",
                job.number,
                job.customer_name
            );
        }
    }

    let chinese = all
        .iter()
        .find(|j| j.customer_name.chars().count() >= 2 && !j.customer_name.is_ascii())
        .expect("a Chinese customer");
    let surname: String = chinese.customer_name.chars().take(1).collect();
    for query in [chinese.customer_name.as_str(), surname.as_str()] {
        let found = store.search(query, ALL).unwrap();
        assert!(
            ids(&found).contains(chinese.id.as_str()),
            "{query:?} did not find {}",
            chinese.number
        );
    }
}

#[test]
fn a_job_number_finds_exactly_that_job() {
    let demo = demo();
    let store = &demo.store;
    let all = store.list_jobs(&JobFilter::All, None).unwrap();
    for job in [&all[0], &all[all.len() / 2], &all[all.len() - 1]] {
        for query in [job.number.clone(), job.number.to_lowercase()] {
            let found = store.search(&query, ALL).unwrap();
            assert_eq!(found, std::slice::from_ref(job), "{query}");
        }
    }
}

#[test]
fn a_note_is_searchable_as_soon_as_it_is_added() {
    let mut demo = demo();
    let tech = demo.summary.device_technician_id.clone();
    let store = &mut demo.store;
    // The shared demo store lives at the demo's "now"; what is added to it must not come later.
    store.set_clock(demo_now);
    let today = JobFilter::Day { date: demo_day(), technician_id: Some(tech) };
    let job = store.list_jobs(&today, Some(1)).unwrap().remove(0);
    assert!(store.search("Wobblefrotz", ALL).unwrap().is_empty());

    store.add_note(&job.id, "Wobblefrotz hose clamp KX-90417 更换进水软管").unwrap();
    for query in ["Wobblefrotz", "wobblefr", "90417", "KX-904", "进水软管", "wobblefrotz 进水软管"]
    {
        let found = store.search(query, ALL).unwrap();
        assert!(ids(&found).contains(job.id.as_str()), "{query:?} did not find the new note");
    }
    assert_eq!(store.search("Wobblefrotz", ALL).unwrap(), [job]);
}

#[test]
fn nonsense_finds_nothing() {
    let demo = demo();
    for query in ["xqzvbnmwq", "Zyzzogeton", "洗衣机 xqzvbnmwq", "QQQ-0000000000-ZZZ", "", "   "]
    {
        assert_eq!(demo.store.search(query, ALL).unwrap(), [], "{query:?}");
    }
}

#[test]
fn search_syntax_characters_are_taken_literally_and_never_fail() {
    let demo = demo();
    let store = &demo.store;
    let long = "洗衣机 a\"b OR c* ".repeat(500);
    let queries = [
        "\"",
        "\"\"",
        "\"洗衣机",
        "洗衣机\"",
        "*",
        "**",
        "a*",
        "*a",
        "OR",
        "AND",
        "NOT",
        "NEAR",
        "NEAR(洗衣机 空调)",
        "NEAR(a b, 3)",
        "(",
        ")",
        "()",
        "(洗衣机",
        "a OR b",
        "洗衣机 OR 空调",
        "NOT 洗衣机",
        "-",
        "-洗衣机",
        "^",
        "^WO",
        ":",
        "body:洗衣机",
        "body : x",
        "{a b}",
        "[",
        "]",
        "+",
        "'",
        "o'brien",
        "a\"1\"c",
        "E21\"",
        "\\",
        "%",
        "_",
        "\u{0}",
        "\u{1F600}",
        "WO-",
        "WO-*",
        "\"WO-2026\"",
        "13800138000\"",
        "*138*",
        &long,
    ];
    for query in queries {
        if let Err(e) = store.search(query, 20) {
            panic!("{query:?} failed: {e}");
        }
    }
    // Quotes are not syntax: "洗衣机" in quotes is the same search.
    assert_eq!(store.search("\"洗衣机\"", ALL).unwrap(), store.search("洗衣机", ALL).unwrap());
}

#[test]
fn search_results_are_newest_first_and_limited() {
    let demo = demo();
    let store = &demo.store;
    let all = store.list_jobs(&JobFilter::All, None).unwrap();
    let found = store.search("洗衣机", ALL).unwrap();
    let position = |id: &str| all.iter().position(|j| j.id == id).unwrap();
    assert!(found.windows(2).all(|w| position(&w[0].id) < position(&w[1].id)), "not newest first");
    assert_eq!(store.search("洗衣机", 5).unwrap(), found[..5].to_vec());
    assert_eq!(store.search("洗衣机", 0).unwrap(), []);
}

// =============================================================================================
// Demo data
// =============================================================================================

#[test]
fn the_same_seed_on_the_same_day_gives_the_same_demo_data() {
    let seeded = |seed: u64| {
        let mut store = Store::open_in_memory().unwrap();
        let summary = seed::seed(&mut store, &demo_options(300, seed)).unwrap();
        (store, summary)
    };
    let (a, summary_a) = seeded(42);
    let (b, summary_b) = seeded(42);
    assert_eq!(summary_a, summary_b);
    let jobs_a = a.list_jobs(&JobFilter::All, None).unwrap();
    let jobs_b = b.list_jobs(&JobFilter::All, None).unwrap();
    assert_eq!(jobs_a.len(), 300);
    assert_eq!(jobs_a, jobs_b);
    assert_eq!(a.technicians().unwrap(), b.technicians().unwrap());
    assert_eq!(a.job_types().unwrap(), b.job_types().unwrap());
    for job in jobs_a.iter().step_by(37) {
        assert_eq!(a.job_detail(&job.id).unwrap(), b.job_detail(&job.id).unwrap());
    }
    assert_ne!(a.device_id(), b.device_id(), "each store is its own device");

    let (c, _) = seeded(43);
    let jobs_c = c.list_jobs(&JobFilter::All, None).unwrap();
    let names =
        |jobs: &[JobSummary]| jobs.iter().map(|j| j.customer_name.clone()).collect::<Vec<_>>();
    assert_ne!(names(&jobs_a), names(&jobs_c), "another seed gives other customers");
}

#[test]
fn seeding_writes_nothing_to_the_outbox() {
    let mut store = Store::open_in_memory().unwrap();
    seed::seed(&mut store, &demo_options(100, 1)).unwrap();
    assert_eq!(store.pending_mutation_count().unwrap(), 0);
}

#[test]
fn demo_data_has_jobs_in_every_status() {
    let demo = demo();
    for status in JobStatus::ALL {
        let jobs = demo.store.list_jobs(&JobFilter::Status(*status), None).unwrap();
        assert!(!jobs.is_empty(), "no {status} job among {DEMO_JOBS}");
        assert!(jobs.iter().all(|j| j.status == *status));
    }
    assert_eq!(demo.store.job_count().unwrap(), i64::try_from(DEMO_JOBS).unwrap());
}

#[test]
fn the_device_technician_has_a_day_of_appointments_in_order() {
    let demo = demo();
    let store = &demo.store;
    let tech = store.device_technician().unwrap().expect("seeding signs the technician in");
    assert_eq!(tech, demo.summary.device_technician_id);
    assert_eq!(store.actor(), &Actor::technician(&tech, &demo.summary.device_technician_name));

    let today = store
        .list_jobs(&JobFilter::Day { date: demo_day(), technician_id: Some(tech.clone()) }, None)
        .unwrap();
    assert_eq!(today.len(), demo.summary.today_jobs_for_device_technician);
    assert!(today.len() >= 4, "a realistic day: {}", today.len());
    let starts: Vec<DateTime<Utc>> = today.iter().map(|j| j.appointment_start.unwrap()).collect();
    assert!(starts.windows(2).all(|w| w[0] < w[1]), "not in appointment order: {starts:?}");
    for job in &today {
        assert_eq!(job.appointment_start.unwrap().with_timezone(&Local).date_naive(), demo_day());
        assert_eq!(
            job.assignee_name.as_deref(),
            Some(demo.summary.device_technician_name.as_str())
        );
        assert_eq!(job.status, JobStatus::Scheduled, "{} is still to be worked", job.number);
    }
}

#[test]
fn a_seeded_store_passes_the_integrity_check() {
    let tmp = TempDir::new().unwrap();
    let mut store = Store::init(tmp.path()).unwrap();
    seed::seed(&mut store, &demo_options(300, 9)).unwrap();
    let report = store.check(false).unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!(report.integrity_errors, Vec::<String>::new());
    assert_eq!(report.foreign_key_errors, Vec::<String>::new());
    assert_eq!((report.jobs, report.pending_mutations), (300, 0));

    let demo = demo();
    let report = demo.store.check(false).unwrap();
    assert!(
        report.ok && report.integrity_errors.is_empty() && report.foreign_key_errors.is_empty()
    );
}

#[test]
fn seeded_jobs_follow_the_lifecycle() {
    let demo = demo();
    let store = &demo.store;
    for job in store.list_jobs(&JobFilter::All, None).unwrap().iter().step_by(13) {
        let d = store.job_detail(&job.id).unwrap();
        check_history(&d).unwrap_or_else(|e| panic!("{}: {e}", job.number));
        check_time_entries(&d).unwrap_or_else(|e| panic!("{}: {e}", job.number));
        if matches!(d.work_order.status, JobStatus::Completed | JobStatus::Closed) {
            assert_eq!(
                still_missing_for_completion(&d),
                [],
                "{} was completed without",
                job.number
            );
        }
    }
}

/// Demo data is a company's records as of `now`: everything in it was reported, worked, signed,
/// rated and closed before that moment; only appointments lie ahead. (Stamps from the future
/// would also sort after every change the device then makes.)
#[test]
fn seeded_history_lies_in_the_past() {
    let demo = demo();
    let now = demo_options(DEMO_JOBS, DEMO_SEED).now;
    let mut in_future = Vec::new();
    for job in demo.store.list_jobs(&JobFilter::All, None).unwrap() {
        let d = demo.store.job_detail(&job.id).unwrap();
        let mut facts =
            vec![("reported", d.work_order.reported_at), ("created", d.work_order.created_at)];
        facts.extend(d.status_history.iter().map(|c| (c.to_status.as_str(), c.at)));
        facts.extend(d.time_entries.iter().map(|t| ("time entry", t.ended_at)));
        facts.extend(d.notes.iter().map(|n| ("note", n.created_at)));
        facts.extend(d.parts.iter().map(|p| ("part", p.created_at)));
        facts.extend(d.signatures.iter().map(|s| ("signature", s.signed_at)));
        facts.extend(d.feedback.iter().map(|f| ("feedback", f.created_at)));
        if let Some((what, at)) = facts.into_iter().find(|(_, at)| *at > now) {
            in_future.push(format!("{} ({}): {what} at {at}", job.number, job.status));
        }
    }
    assert!(
        in_future.is_empty(),
        "{} of {DEMO_JOBS} jobs have facts after {now}, e.g. {:#?}",
        in_future.len(),
        &in_future[..in_future.len().min(5)]
    );
}

/// A signed job that is reopened and worked again has more time on it than the customer signed
/// for: completion asks for a new signature, and a new one satisfies the guard without a reason.
#[test]
fn a_customer_signature_satisfies_the_completion_guard_without_a_reason() {
    // On disk: the signature picture goes to the media folder.
    let tmp = TempDir::new().unwrap();
    let mut store = Store::init(tmp.path()).unwrap();
    let opts = demo_options(300, 17);
    seed::seed(&mut store, &opts).unwrap();
    set_now(opts.now + Duration::hours(1));
    store.set_clock(test_clock);
    let signed = store
        .list_jobs(&JobFilter::Status(JobStatus::Completed), None)
        .unwrap()
        .into_iter()
        .map(|j| store.job_detail(&j.id).unwrap())
        .find(|d| !d.signatures.is_empty() && d.work_order.signature_absence_reason.is_none())
        .expect("a completed job the customer signed");
    let job = signed.work_order.id.as_str();
    let assignee = signed.assignee.clone().unwrap();

    store.set_actor(dispatcher());
    store
        .change_status(job, JobStatus::Scheduled, Some("Customer reports the fault again"))
        .unwrap();
    store.set_actor(Actor::technician(&assignee.id, &assignee.name));
    start_work(&mut store, job);
    assert_eq!(
        still_missing_for_completion(&store.job_detail(job).unwrap()),
        [Missing::SignatureStale]
    );
    let err = store.change_status(job, JobStatus::Completed, None).unwrap_err();
    assert_eq!(err.code(), "completion_blocked");
    let png = {
        let mut img = image::GrayImage::from_pixel(60, 20, image::Luma([255]));
        for x in 5..55 {
            img.put_pixel(x, 10, image::Luma([0]));
        }
        let mut png = Vec::new();
        img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).unwrap();
        png
    };
    let customer = signed.customer.name.clone();
    store
        .add_signature(
            job,
            fieldwork_core::store::NewSignature {
                signer_name: customer,
                statement: None,
                png,
                strokes_json: None,
            },
        )
        .unwrap();
    assert_eq!(still_missing_for_completion(&store.job_detail(job).unwrap()), []);
    store.change_status(job, JobStatus::Completed, None).unwrap();
    let d = store.job_detail(job).unwrap();
    assert_eq!(d.work_order.status, JobStatus::Completed);
    check_history(&d).unwrap();
}

#[test]
fn seeding_a_store_that_already_has_jobs_is_refused() {
    let mut store = Store::open_in_memory().unwrap();
    seed::seed(&mut store, &demo_options(50, 5)).unwrap();
    let before = store.list_jobs(&JobFilter::All, None).unwrap();
    let err = seed::seed(&mut store, &demo_options(50, 6)).unwrap_err();
    assert_eq!(err.code(), "invalid", "{err}");
    assert!(err.to_string().contains("50 jobs"), "{err}");
    assert_eq!(store.list_jobs(&JobFilter::All, None).unwrap(), before);

    // A store holding real work is refused too.
    let (mut store, job) = workshop();
    let err = seed::seed(&mut store, &demo_options(50, 6)).unwrap_err();
    assert_eq!(err.code(), "invalid", "{err}");
    assert_eq!(store.job_count().unwrap(), 1);
    assert_eq!(store.job_detail(&job).unwrap().work_order.id, job);
}

// =============================================================================================
// Property: no sequence of changes through the store reaches an invalid state
// =============================================================================================

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Technician,
    Dispatcher,
}

impl Who {
    fn role(self) -> Role {
        match self {
            Who::Technician => Role::Technician,
            Who::Dispatcher => Role::Dispatcher,
        }
    }

    fn actor(self) -> Actor {
        match self {
            Who::Technician => technician(),
            Who::Dispatcher => dispatcher(),
        }
    }
}

/// One change asked of the store.
#[derive(Debug, Clone)]
enum Op {
    /// A move to any status.
    Move {
        by: Who,
        to: JobStatus,
        reason: Option<String>,
    },
    /// One of the moves the lifecycle offers now (the `pick`-th, wrapping), so runs get far; by
    /// the technician while they have moves, else by the dispatcher, unless `by` says who.
    Advance {
        by: Option<Who>,
        pick: usize,
        reason: Option<String>,
    },
    Note(String),
    Answer {
        key: &'static str,
        raw: &'static str,
    },
    Part {
        part_no: &'static str,
        quantity: f64,
        description: Option<&'static str>,
    },
    Feedback(i64),
    Field {
        field: JobField,
        value: Option<&'static str>,
    },
    Time {
        kind: TimeEntryKind,
        offset_minutes: i64,
        length_minutes: i64,
    },
}

#[derive(Debug, Clone)]
enum Step {
    Op(Op),
    /// Answers every required checklist item so that it counts as done.
    AnswerAll,
    /// Records the resolution and why there is no signature, then answers every required item.
    PrepareCompletion,
    /// Moves the device clock (minutes; negative goes back).
    Tick(i64),
    /// The device clock jumps back to 2001.
    BackTo2001,
}

fn arb_who() -> impl Strategy<Value = Who> {
    prop_oneof![4 => Just(Who::Technician), 1 => Just(Who::Dispatcher)]
}

fn arb_reason() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        2 => Just(None),
        1 => Just(Some(String::new())),
        1 => Just(Some("  ".to_owned())),
        3 => Just(Some("Waiting for the drain pump".to_owned())),
        1 => Just(Some(" 客户改约 ".to_owned())),
        1 => Just(Some("r".repeat(2_001))),
    ]
}

fn arb_step() -> impl Strategy<Value = Step> {
    let status = proptest::sample::select(JobStatus::ALL.to_vec());
    let note = prop_oneof![
        4 => Just("Customer asked for a call back".to_owned()),
        2 => Just("需要更换排水泵".to_owned()),
        1 => Just(String::new()),
        1 => Just(" \n ".to_owned()),
        1 => Just("n".repeat(10_001)),
    ];
    let key = proptest::sample::select(vec![
        "symptom_confirmed",
        "root_cause",
        "test_after_repair",
        "safety_check",
        "customer_informed",
        "fault_code",
        "clean_up",
        "no_such_item",
    ]);
    let raw = proptest::sample::select(vec![
        "yes",
        "no",
        "Pass",
        "fail",
        "Wear",
        "E21",
        "",
        "maybe",
        "230 V",
        "Component failure",
    ]);
    let part_no = proptest::sample::select(vec!["WM-PUMP-DRN-01", "wm-door-seal", "HOSE-2M", " "]);
    let quantity = proptest::sample::select(vec![
        1.0,
        2.5,
        10_000.0,
        0.0,
        -1.0,
        -0.001,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        10_000.5,
    ]);
    let description = proptest::sample::select(vec![None, Some("Braided hose, 2 m"), Some("   ")]);
    let field = proptest::sample::select(vec![
        JobField::Diagnosis,
        JobField::Resolution,
        JobField::SignatureAbsenceReason,
    ]);
    let value = prop_oneof![
        4 => Just(Some("Replaced the drain pump")),
        1 => Just(None),
        1 => Just(Some("")),
        1 => Just(Some("  ")),
    ];
    let kind = proptest::sample::select(vec![TimeEntryKind::Travel, TimeEntryKind::Labour]);
    prop_oneof![
        8 => (0usize..4, arb_reason())
            .prop_map(|(pick, reason)| Step::Op(Op::Advance { by: None, pick, reason })),
        2 => (arb_who(), 0usize..4, arb_reason())
            .prop_map(|(by, pick, reason)| Step::Op(Op::Advance { by: Some(by), pick, reason })),
        3 => (arb_who(), status, arb_reason())
            .prop_map(|(by, to, reason)| Step::Op(Op::Move { by, to, reason })),
        1 => note.prop_map(|n| Step::Op(Op::Note(n))),
        2 => (key, raw).prop_map(|(key, raw)| Step::Op(Op::Answer { key, raw })),
        1 => Just(Step::AnswerAll),
        1 => Just(Step::PrepareCompletion),
        1 => (part_no, quantity, description).prop_map(|(part_no, quantity, description)| {
            Step::Op(Op::Part { part_no, quantity, description })
        }),
        1 => (-2i64..9).prop_map(|r| Step::Op(Op::Feedback(r))),
        3 => (field, value).prop_map(|(field, value)| Step::Op(Op::Field { field, value })),
        1 => (kind, -600i64..600, -60i64..1_600).prop_map(|(kind, offset_minutes, length_minutes)| {
            Step::Op(Op::Time { kind, offset_minutes, length_minutes })
        }),
        2 => (-120i64..600).prop_map(Step::Tick),
        1 => Just(Step::BackTo2001),
    ]
}

/// What the property test saw over all its runs, to show it is not vacuous.
#[derive(Debug, Default)]
struct Coverage {
    statuses: HashSet<JobStatus>,
    refusals: HashSet<&'static str>,
    changes: usize,
}

/// Whether moving `from` → `to` derives a time entry (travel on arrival, labour when work stops).
fn derives_time(from: JobStatus, to: JobStatus) -> bool {
    use JobStatus::*;
    matches!((from, to), (EnRoute, OnSite) | (InProgress, OnHold | Completed | Cancelled))
}

fn trimmed(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|t| !t.is_empty())
}

/// The statuses in which work details (checklist, parts, time, fields) may be recorded.
const WORK_STATUSES: [JobStatus; 5] = [
    JobStatus::Scheduled,
    JobStatus::EnRoute,
    JobStatus::OnSite,
    JobStatus::InProgress,
    JobStatus::OnHold,
];

/// The refusal expected for `op` on a job shown as `before`, worked out from the rules rather
/// than from the store (`None`: it is made; `Some(None)`: refused for a reason not predicted
/// here).
fn expected_refusal(
    op: &Op,
    to: Option<(Role, JobStatus)>,
    before: &JobDetail,
) -> Option<Option<&'static str>> {
    let status = before.work_order.status;
    let work = WORK_STATUSES.contains(&status);
    let code = match op {
        Op::Move { reason, .. } | Op::Advance { reason, .. } => {
            let (role, to) = to.expect("a move has a target");
            let allowed = lifecycle::allowed_moves(status, role);
            let reason = trimmed(reason.as_deref());
            match allowed.iter().find(|m| m.to == to) {
                None => Some("transition_not_allowed"),
                Some(m) if m.reason_required && reason.is_none() => Some("reason_required"),
                Some(_)
                    if reason.is_some_and(|r| r.chars().count() > lifecycle::REASON_MAX_CHARS) =>
                {
                    Some("too_long")
                }
                Some(_)
                    if to == JobStatus::Completed
                        && !still_missing_for_completion(before).is_empty() =>
                {
                    Some("completion_blocked")
                }
                Some(_) => None,
            }
        }
        Op::Note(body) => {
            let n = body.trim().chars().count();
            let open = !matches!(status, JobStatus::Closed | JobStatus::Cancelled);
            if n == 0 {
                Some("invalid")
            } else if n > 10_000 {
                Some("too_long")
            } else if !open {
                Some("forbidden")
            } else {
                None
            }
        }
        Op::Answer { key, raw } => {
            if !work {
                Some("forbidden")
            } else {
                match before.job_type.checklist.iter().find(|i| i.key == *key) {
                    None => Some("invalid"),
                    Some(item) => match item.parse_value(raw) {
                        Ok(_) => None,
                        Err(e) => return Some(Some(e.code().as_str())),
                    },
                }
            }
        }
        Op::Part { part_no, quantity, description } => {
            let bad_input = part_no.trim().is_empty()
                || !quantity.is_finite()
                || *quantity <= 0.0
                || *quantity > 10_000.0
                || description.is_some_and(|d| d.trim().is_empty());
            let in_catalogue = part_no.trim().eq_ignore_ascii_case("WM-PUMP-DRN-01")
                || part_no.trim().eq_ignore_ascii_case("WM-DOOR-SEAL");
            if bad_input {
                Some("invalid")
            } else if !work {
                Some("forbidden")
            } else if !in_catalogue && description.is_none() {
                Some("invalid")
            } else {
                None
            }
        }
        Op::Feedback(rating) => {
            let allowed =
                [JobStatus::OnSite, JobStatus::InProgress, JobStatus::OnHold, JobStatus::Completed];
            if !(1..=5).contains(rating) {
                Some("invalid")
            } else if !allowed.contains(&status) {
                Some("forbidden")
            } else {
                None
            }
        }
        Op::Field { value, .. } => {
            if value.is_some_and(|v| v.trim().is_empty()) {
                Some("invalid")
            } else if !work {
                Some("forbidden")
            } else {
                None
            }
        }
        Op::Time { length_minutes, .. } => {
            if *length_minutes < 0 || *length_minutes > 24 * 60 {
                Some("invalid")
            } else if !work {
                Some("forbidden")
            } else {
                None
            }
        }
    };
    code.map(Some)
}

/// The outbox as the property test's model counts it.
#[derive(Debug, Default)]
struct Tally {
    /// Mutations the successful changes should have appended (worked out from the rules).
    appended: usize,
    /// Mutations acknowledged (deleted) since.
    acknowledged: usize,
}

/// Applies one change and checks everything that must hold before and after it. Afterwards it
/// acknowledges all but the newest outbox entry, as a sync engine would, keeping the outbox
/// small while the newest entry still shows that stamps and numbers keep increasing.
fn apply(
    store: &mut Store,
    job: &str,
    op: &Op,
    tally: &mut Tally,
    seen: &mut Coverage,
) -> Result<(), TestCaseError> {
    let before = store.job_detail(job).expect("the store answers");
    let outbox_before = outbox(store);
    let from = before.work_order.status;
    let now = test_clock();

    let mut target = None;
    let result: fieldwork_core::Result<()> = match op {
        Op::Move { by, to, reason } => {
            target = Some((by.role(), *to));
            store.set_actor(by.actor());
            store.change_status(job, *to, reason.as_deref()).map(drop)
        }
        Op::Advance { by, pick, reason } => {
            let by = by.unwrap_or(if lifecycle::allowed_moves(from, Role::Technician).is_empty() {
                Who::Dispatcher
            } else {
                Who::Technician
            });
            let offered = lifecycle::allowed_moves(from, by.role());
            let to = if offered.is_empty() {
                JobStatus::Completed
            } else {
                offered[pick % offered.len()].to
            };
            target = Some((by.role(), to));
            store.set_actor(by.actor());
            store.change_status(job, to, reason.as_deref()).map(drop)
        }
        Op::Note(body) => store.add_note(job, body).map(drop),
        Op::Answer { key, raw } => store.answer_checklist(job, key, raw),
        Op::Part { part_no, quantity, description } => {
            let part = NewPart {
                part_no: (*part_no).to_owned(),
                quantity: *quantity,
                description: description.map(str::to_owned),
                ..NewPart::default()
            };
            store.add_part(job, part).map(drop)
        }
        Op::Feedback(rating) => store.give_feedback(job, *rating, Some("Thanks")).map(drop),
        Op::Field { field, value } => store.set_job_field(job, *field, *value),
        Op::Time { kind, offset_minutes, length_minutes } => {
            let started_at = now + Duration::minutes(*offset_minutes);
            let entry = NewTimeEntry {
                kind: *kind,
                started_at,
                ended_at: started_at + Duration::minutes(*length_minutes),
                supersedes: None,
            };
            store.add_time_entry(job, entry).map(drop)
        }
    };
    store.set_actor(technician());

    let after = store.job_detail(job).expect("the store answers");
    let outbox_after = outbox(store);
    let expected = expected_refusal(op, target, &before);
    match &result {
        Err(e) => {
            seen.refusals.insert(e.code().as_str());
            prop_assert_eq!(&after, &before, "refused ({}) but the job changed", e);
            prop_assert_eq!(
                &outbox_after,
                &outbox_before,
                "refused ({}) but the outbox changed",
                e
            );
            match expected {
                Some(Some(code)) => prop_assert_eq!(e.code(), code, "{}", e),
                Some(None) => {}
                None => prop_assert!(false, "{:?} on a {} job was refused: {}", op, from, e),
            }
            match e {
                CoreError::Rule(RuleError::TransitionNotAllowed { allowed, .. }) => {
                    let (role, to) = target.expect("a move has a target");
                    prop_assert_eq!(allowed, &lifecycle::allowed_moves(from, role));
                    prop_assert!(!allowed.iter().any(|m| m.to == to));
                }
                CoreError::Rule(RuleError::CompletionBlocked { missing }) => {
                    prop_assert_eq!(missing, &still_missing_for_completion(&before));
                }
                _ => {}
            }
        }
        Ok(()) => {
            seen.changes += 1;
            prop_assert!(
                expected.is_none(),
                "{:?} on a {} job was made; expected {:?}",
                op,
                from,
                expected
            );
            let new: Vec<&OutboxEntry> = outbox_after
                .iter()
                .filter(|e| outbox_before.last().is_none_or(|last| e.seq > last.seq))
                .collect();
            let mut mutations = 1;
            if let Some((role, to)) = target {
                let last = after.status_history.last().expect("a made move is in the history");
                prop_assert_eq!(after.work_order.status, to);
                prop_assert_eq!(last.from_status, Some(from));
                prop_assert_eq!(last.to_status, to);
                let reason = match op {
                    Op::Move { reason, .. } | Op::Advance { reason, .. } => reason.as_deref(),
                    _ => None,
                };
                prop_assert_eq!(last.reason.as_deref(), trimmed(reason));
                prop_assert_eq!(
                    &last.actor,
                    if role == Role::Technician { TECH_NAME } else { DISPATCHER_NAME }
                );
                if derives_time(from, to) {
                    mutations += 1;
                    prop_assert_eq!(after.time_entries.len(), before.time_entries.len() + 1);
                } else {
                    prop_assert_eq!(after.time_entries.len(), before.time_entries.len());
                }
            }
            prop_assert_eq!(new.len(), mutations, "{:?} appended {:?}", op, kinds(&outbox_after));
            if let Some(last) = outbox_before.last() {
                prop_assert!(new[0].hlc > last.hlc, "stamp {} not after {}", new[0].hlc, last.hlc);
            }
            prop_assert!(new.iter().all(|e| e.hlc == new[0].hlc));
            tally.appended += mutations;
        }
    }
    seen.statuses.insert(after.work_order.status);

    // What holds after every step, refused or made.
    check_history(&after).map_err(TestCaseError::fail)?;
    check_time_entries(&after).map_err(TestCaseError::fail)?;
    let pending = usize::try_from(store.pending_mutation_count().expect("the store answers"))
        .expect("a count is not negative");
    prop_assert_eq!(pending, outbox_after.len());
    prop_assert_eq!(pending + tally.acknowledged, tally.appended, "the outbox lost or gained");
    for pair in outbox_after.windows(2) {
        prop_assert!(pair[0].seq < pair[1].seq && pair[0].hlc <= pair[1].hlc);
    }
    prop_assert!(
        outbox_after.iter().all(|e| e.device_id == store.device_id() && e.mutation.job_id() == job)
    );
    prop_assert!(after.parts.iter().all(|p| p.quantity.is_finite() && p.quantity > 0.0));
    prop_assert!(after.feedback.as_ref().is_none_or(|f| (1..=5).contains(&f.rating)));

    if let [.., older, _newest] = outbox_after.as_slice() {
        tally.acknowledged += store.acknowledge_mutations(older.seq).expect("the store answers");
    }
    Ok(())
}

fn run_case(steps: &[Step], seen: &mut Coverage) -> Result<(), TestCaseError> {
    let (mut store, job) = workshop();
    let mut tally = Tally { appended: outbox(&store).len(), acknowledged: 0 };
    for step in steps {
        match step {
            Step::Op(op) => apply(&mut store, &job, op, &mut tally, seen)?,
            Step::AnswerAll => {
                for (key, raw) in REPAIR_ANSWERS {
                    apply(&mut store, &job, &Op::Answer { key, raw }, &mut tally, seen)?;
                }
            }
            Step::PrepareCompletion => {
                let facts = [
                    Op::Field { field: JobField::Resolution, value: Some("Replaced the pump") },
                    Op::Field { field: JobField::SignatureAbsenceReason, value: Some("Not home") },
                ];
                let answers = REPAIR_ANSWERS.map(|(key, raw)| Op::Answer { key, raw });
                for op in facts.iter().chain(&answers) {
                    apply(&mut store, &job, op, &mut tally, seen)?;
                }
            }
            Step::Tick(minutes) => advance(*minutes),
            Step::BackTo2001 => set_now(instant("2001-01-01T00:00:00Z")),
        }
    }
    Ok(())
}

#[test]
fn no_sequence_of_changes_through_the_store_reaches_an_invalid_state() {
    let config =
        ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() };
    let mut runner = TestRunner::new(config);
    let seen = RefCell::new(Coverage::default());
    let steps = proptest::collection::vec(arb_step(), 1..70);
    if let Err(e) = runner.run(&steps, |steps| run_case(&steps, &mut seen.borrow_mut())) {
        panic!("{e}");
    }
    let seen = seen.into_inner();
    for status in [JobStatus::OnHold, JobStatus::Completed, JobStatus::Closed, JobStatus::Cancelled]
    {
        assert!(seen.statuses.contains(&status), "no run reached {status}: {seen:?}");
    }
    for code in [
        "transition_not_allowed",
        "reason_required",
        "completion_blocked",
        "forbidden",
        "invalid",
        "too_long",
    ] {
        assert!(seen.refusals.contains(code), "no run met a {code} refusal: {seen:?}");
    }
}

#[test]
fn a_refusal_keeps_the_refused_change_when_head_office_sends_its_own_copy() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::init(tmp.path()).unwrap();
    let change =
        serde_json::json!({"type": "note_added", "note": {"body": "customer wants a callback"}});
    // From the push answer: the refusal with the change as this device recorded it.
    store
        .record_sync_issue(
            "m-1",
            "rejection",
            Some("job-1"),
            &serde_json::json!({"code": "not_recordable", "reason": "pushed", "change": change}),
        )
        .unwrap();
    // From a pull: head office's copy of the same refusal, without the change.
    let stamp = fieldwork_core::hlc::Hlc::zero("head-office");
    let page = store.remote_apply(&stamp).unwrap();
    page.issue(
        "m-1",
        "rejection",
        Some("job-1"),
        &serde_json::json!({"code": "not_recordable", "reason": "pulled"}),
    )
    .unwrap();
    page.commit(1).unwrap();

    let issues = store.sync_issues(10).unwrap();
    assert_eq!(issues.len(), 1);
    assert_eq!(
        issues[0].record["reason"], "pulled",
        "head office's copy wins: {:?}",
        issues[0].record
    );
    assert_eq!(issues[0].record["change"], change, "the refused note is still readable");

    // An issue that never had a change is simply replaced.
    store
        .record_sync_issue("m-2", "rejection", None, &serde_json::json!({"reason": "first"}))
        .unwrap();
    let page = store.remote_apply(&stamp).unwrap();
    page.issue("m-2", "rejection", None, &serde_json::json!({"reason": "second"})).unwrap();
    page.commit(2).unwrap();
    let issues = store.sync_issues(10).unwrap();
    let m2 = issues.iter().find(|i| i.id == "m-2").unwrap();
    assert_eq!(m2.record, serde_json::json!({"reason": "second"}));
}
