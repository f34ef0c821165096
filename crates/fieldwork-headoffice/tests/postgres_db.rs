//! The PostgreSQL adapter (`db::postgres`) against a real PostgreSQL: run through
//! `scripts/with-postgres` (`make test-postgres-db`), which starts a throwaway cluster and sets
//! `FIELDWORK_TEST_POSTGRES`. Without it these tests fail: they are never skipped silently.
//!
//! Every test works in a database of its own (`CREATE DATABASE`), so they run in parallel; the
//! one that restarts the server holds the cluster to itself for that time.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

use fieldwork_headoffice::db::postgres::{LISTENER_NAME, PgBackend, SCHEMA_VERSION};
use fieldwork_headoffice::db::{Backend, Db, Notice, Value};
use fieldwork_headoffice::{Error, Result};
use postgres::{Client, NoTls};

/// Tests hold it shared; the server-restart test holds it alone.
static CLUSTER: RwLock<()> = RwLock::new(());

fn server_url() -> String {
    std::env::var("FIELDWORK_TEST_POSTGRES").unwrap_or_else(|_| {
        panic!(
            "FIELDWORK_TEST_POSTGRES is not set: these tests need a PostgreSQL server. Run them \
             through scripts/with-postgres, which starts a throwaway cluster: \
             `make test-postgres-db`, or `scripts/with-postgres cargo test -p \
             fieldwork-headoffice --test postgres_db`"
        )
    })
}

fn shared() -> RwLockReadGuard<'static, ()> {
    CLUSTER.read().unwrap_or_else(|p| p.into_inner())
}

fn exclusive() -> RwLockWriteGuard<'static, ()> {
    CLUSTER.write().unwrap_or_else(|p| p.into_inner())
}

fn admin() -> Client {
    Client::connect(&server_url(), NoTls).expect("connect to the test cluster")
}

/// A new, empty database; its URL.
fn fresh_database(hint: &str) -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let name = format!("fw_{hint}_{}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::SeqCst));
    admin().batch_execute(&format!("CREATE DATABASE {name}")).expect("create the test database");
    let url = server_url();
    let (server, _) = url.rsplit_once('/').expect("the URL names a database");
    format!("{server}/{name}")
}

fn raw(url: &str) -> Client {
    Client::connect(url, NoTls).expect("connect to the test database")
}

fn open(url: &str, pool: usize) -> PgBackend {
    PgBackend::open(url, pool).expect("open the PostgreSQL backend")
}

#[test]
fn parameters_and_columns_convert_between_values_and_postgres_types() -> Result<()> {
    let _c = shared();
    let url = fresh_database("conv");
    let b = open(&url, 2);
    b.write(|db| {
        db.batch(
            "CREATE TABLE conv (id BIGINT PRIMARY KEY, flag BOOLEAN, n BIGINT, i4 INTEGER,
                 r DOUBLE PRECISION, t TEXT, bin BYTEA, body TEXT, j JSONB)",
        )?;
        let sql = "INSERT INTO conv (id, flag, n, i4, r, t, bin, body, j)
                   VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
        // A bool into BIGINT, an integer into BOOLEAN, an integer into TEXT and DOUBLE.
        db.execute(
            sql,
            &[
                &1_i64,
                &1_i64,
                &true,
                &7_i32,
                &2_i64,
                &42_i64,
                &vec![0_u8, 1, 255],
                &r#"{"a": "x", "b": {"c": 5, "d": true}, "e": null}"#,
                &r#"{"k": 1}"#,
            ],
        )?;
        db.execute(
            sql,
            &[
                &2_i64,
                &false,
                &5_i64,
                &None::<i64>,
                &1.25_f64,
                &"two",
                &None::<Vec<u8>>,
                &"{}",
                &None::<String>,
            ],
        )?;
        // NULL of every type.
        db.execute(
            sql,
            &[
                &3_i64,
                &Value::Null,
                &Value::Null,
                &Value::Null,
                &Value::Null,
                &Value::Null,
                &Value::Null,
                &Value::Null,
                &Value::Null,
            ],
        )?;
        Ok(())
    })?;

    b.read(|db| {
        let row = db.query_row("SELECT * FROM conv WHERE id = ?1", &[&1_i64], |r| Ok(r.clone()))?;
        assert_eq!(
            row.values(),
            &[
                Value::Int(1),
                Value::Bool(true),
                Value::Int(1),
                Value::Int(7),
                Value::Real(2.0),
                Value::Text("42".into()),
                Value::Bytes(vec![0, 1, 255]),
                Value::Text(r#"{"a": "x", "b": {"c": 5, "d": true}, "e": null}"#.into()),
                Value::Text(r#"{"k": 1}"#.into()),
            ]
        );
        assert_eq!(row.get::<i64>("flag")?, 1, "a boolean reads as an integer");
        assert!(row.get::<bool>("n")?, "an integer reads as a boolean");
        let nulls = db.query_row("SELECT * FROM conv WHERE id = 3", &[], |r| Ok(r.clone()))?;
        assert!(nulls.values()[1..].iter().all(|v| *v == Value::Null), "{nulls:?}");
        assert_eq!(nulls.get::<Option<bool>>("flag")?, None);

        // Booleans as parameters of comparisons, both ways.
        assert_eq!(db.value::<i64>("SELECT id FROM conv WHERE flag = ?1", &[&true])?, Some(1));
        assert_eq!(db.value::<i64>("SELECT id FROM conv WHERE flag = ?1", &[&0_i64])?, Some(2));
        assert_eq!(db.value::<i64>("SELECT id FROM conv WHERE n = ?1", &[&true])?, Some(1));
        assert!(db.exists("SELECT 1 FROM conv WHERE flag", &[])?);

        // NUMERIC: SUM of integers is a whole NUMERIC (an integer), AVG is not (a real).
        let (sum, avg, sum_real, cast, frac): (Value, Value, Value, i64, f64) = db.query_row(
            "SELECT SUM(n), AVG(n), SUM(r), CAST(SUM(n) AS BIGINT), CAST(7 AS NUMERIC) / 4
             FROM conv",
            &[],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )?;
        assert_eq!(sum, Value::Int(6));
        assert_eq!(avg, Value::Real(3.0));
        assert_eq!(sum_real, Value::Real(3.25));
        assert_eq!(cast, 6);
        assert_eq!(frac, 1.75);
        let big: Value =
            db.query_row("SELECT CAST(123456789012345 AS NUMERIC) * -1000", &[], |r| r.get(0))?;
        assert_eq!(big, Value::Int(-123_456_789_012_345_000));
        let empty: Option<Option<i64>> = db.value("SELECT SUM(n) FROM conv WHERE id > 100", &[])?;
        assert_eq!(empty, Some(None), "SUM of nothing is NULL");

        // json_extract, as SQLite's: '$.a', '$.a.b', a boolean as 1, null and missing as NULL.
        let (a, c, d, e, missing, obj): (
            String,
            String,
            i64,
            Option<String>,
            Option<String>,
            String,
        ) = db.query_row(
            "SELECT json_extract(body, '$.a'), json_extract(body, '$.b.c'),
                    CAST(json_extract(body, '$.b.d') AS BIGINT), json_extract(body, '$.e'),
                    json_extract(body, '$.b.zz'), json_extract(body, '$.b')
             FROM conv WHERE id = 1",
            &[],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
        )?;
        assert_eq!((a.as_str(), c.as_str(), d), ("x", "5", 1));
        assert_eq!((e, missing), (None, None));
        assert_eq!(serde_json::from_str::<serde_json::Value>(&obj)?["c"], 5);
        assert_eq!(
            db.value::<i64>("SELECT id FROM conv WHERE json_extract(body, '$.b.c') = ?1", &[&"5"])?,
            Some(1)
        );
        assert_eq!(
            db.value::<i64>(
                "SELECT id FROM conv WHERE CAST(json_extract(body, '$.b.c') AS BIGINT) = ?1",
                &[&5_i64]
            )?,
            Some(1)
        );
        assert_eq!(
            db.value::<Option<String>>("SELECT json_extract(NULL, '$.a')", &[])?,
            Some(None)
        );

        // Placeholders: numbered, repeated, out of order, and left alone inside quotes.
        let (x, y, q): (i64, String, String) = db.query_row(
            "SELECT id + ?2, CAST(?1 AS TEXT) || '?1', '?3' FROM conv WHERE id = ?2",
            &[&"t", &1_i64],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        assert_eq!((x, y.as_str(), q.as_str()), (2, "t?1", "?3"));
        // An integer where PostgreSQL wants text becomes its digits.
        assert_eq!(db.value::<i64>("SELECT id FROM conv WHERE t = ?1", &[&42_i64])?, Some(1));
        // A parameter whose type cannot be inferred is CAST, as the portable SQL says.
        assert!(db.exists("SELECT 1 WHERE CAST(?1 AS TEXT) IS NULL", &[&None::<String>])?);
        Ok(())
    })?;

    // A column type with no Value is an error that names the type; a parameter that cannot
    // take the inferred type is an error too.
    let err = b.read(|db| db.query("SELECT now()", &[])).expect_err("timestamptz has no Value");
    assert!(err.to_string().contains("timestamptz"), "{err}");
    let err = b
        .read(|db| db.query("SELECT 1 FROM conv WHERE n = ?1", &[&"seven"]))
        .expect_err("text is not a bigint");
    assert!(err.to_string().contains("int8"), "{err}");
    // The backend goes on working after errors.
    assert_eq!(b.read(|db| db.value::<i64>("SELECT COUNT(*) FROM conv", &[]))?, Some(3));
    Ok(())
}

/// (table, column) pairs, and index names.
type Schema = (Vec<(String, String)>, Vec<String>);

/// The tables and views, their columns and the explicit indexes of a SQLite store at the current
/// version, to compare with.
fn sqlite_schema() -> Result<Schema> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("headoffice.db");
    drop(fieldwork_headoffice::service::SqliteStore::open(&path)?);
    let conn = rusqlite::Connection::open(&path)?;
    let mut columns = Vec::new();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') ORDER BY name")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for t in tables {
        let names: Vec<String> = conn
            .prepare(&format!("SELECT name FROM pragma_table_info('{t}')"))?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        columns.extend(names.into_iter().map(|c| (t.clone(), c)));
    }
    columns.sort();
    let mut indexes: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    indexes.sort();
    Ok((columns, indexes))
}

#[test]
fn migrations_create_the_schema_at_the_current_version_once() -> Result<()> {
    let _c = shared();
    let url = fresh_database("migrate");
    let b = open(&url, 2);
    assert_eq!(SCHEMA_VERSION, 11);
    assert_eq!(b.schema_version()?, 11);

    // The same tables and views, columns and indexes as SQLite's schema at version 11 (SQLite's
    // case-insensitive unique `users.name` is the index `users_name` on lower(name)).
    let (sqlite_columns, mut sqlite_indexes) = sqlite_schema()?;
    sqlite_indexes.push("users_name".into());
    sqlite_indexes.sort();
    let mut pg = raw(&url);
    let mut pg_columns: Vec<(String, String)> = pg
        .query(
            "SELECT table_name::text, column_name::text FROM information_schema.columns
             WHERE table_schema = 'public' AND table_name <> 'schema_version'",
            &[],
        )
        .map_err(|e| Error::Internal(e.to_string()))?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    pg_columns.sort();
    assert_eq!(pg_columns, sqlite_columns);
    let mut pg_indexes: Vec<String> = pg
        .query(
            "SELECT indexname::text FROM pg_indexes WHERE schemaname = 'public'
             AND indexname NOT LIKE '%\\_pkey' AND indexname NOT LIKE '%\\_key'",
            &[],
        )
        .map_err(|e| Error::Internal(e.to_string()))?
        .iter()
        .map(|r| r.get(0))
        .collect();
    pg_indexes.sort();
    assert_eq!(pg_indexes, sqlite_indexes);

    // Flags are booleans, instants 64-bit.
    let ty = |pg: &mut Client, table: &str, column: &str| -> String {
        pg.query_one(
            "SELECT data_type::text FROM information_schema.columns
             WHERE table_name = $1 AND column_name = $2",
            &[&table, &column],
        )
        .map(|r| r.get(0))
        .unwrap_or_default()
    };
    assert_eq!(ty(&mut pg, "job_types", "active"), "boolean");
    assert_eq!(ty(&mut pg, "conflicts", "resolved"), "boolean");
    assert_eq!(ty(&mut pg, "status_times", "plausible"), "boolean");
    for flag in ["live", "completed", "resp_ok", "ftf", "repeat", "rated", "satisfied", "fu_ok"] {
        assert_eq!(ty(&mut pg, "job_facts", flag), "boolean", "job_facts.{flag}");
    }
    assert_eq!(ty(&mut pg, "job_facts", "complaints"), "bigint");
    assert_eq!(ty(&mut pg, "job_facts", "complete_minutes"), "double precision");
    assert_eq!(ty(&mut pg, "work_orders", "plan_at"), "bigint");
    assert_eq!(ty(&mut pg, "change_feed", "version"), "bigint");

    // users.name is unique whatever its case, as with SQLite's COLLATE NOCASE.
    b.write(|db| {
        db.execute(
            "INSERT INTO users (id, name, role, password_hash, created_at)
             VALUES ('u1', 'Alice', 'admin', 'x', 0)",
            &[],
        )?;
        db.execute("INSERT INTO meta (key, value) VALUES ('kept', 'yes')", &[])?;
        Ok(())
    })?;
    let err = b
        .write(|db| {
            db.execute(
                "INSERT INTO users (id, name, role, password_hash, created_at)
                 VALUES ('u2', 'alice', 'admin', 'x', 0)",
                &[],
            )
        })
        .expect_err("a second alice");
    assert!(err.to_string().contains("users_name"), "{err}");

    // A second open finds version 11 and changes nothing.
    drop(b);
    let b = open(&url, 1);
    assert_eq!(b.schema_version()?, 11);
    let rows: i64 = pg
        .query_one("SELECT COUNT(*) FROM schema_version", &[])
        .map_err(|e| Error::Internal(e.to_string()))?
        .get(0);
    assert_eq!(rows, 5, "versions 7 to 11, each once");
    assert_eq!(
        b.read(|db| db.value::<String>("SELECT value FROM meta WHERE key = 'kept'", &[]))?,
        Some("yes".into())
    );
    Ok(())
}

#[test]
fn two_instances_opening_at_once_migrate_once() {
    let _c = shared();
    let url = fresh_database("race");
    let n = 4;
    let start = Arc::new(Barrier::new(n));
    let opened: Vec<_> = (0..n)
        .map(|_| {
            let (url, start) = (url.clone(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                PgBackend::open(&url, 1).map(|b| b.schema_version())
            })
        })
        .collect();
    for t in opened {
        let version = t.join().expect("no panic").expect("opened").expect("version read");
        assert_eq!(version, SCHEMA_VERSION);
    }
    let rows: Vec<i64> = raw(&url)
        .query("SELECT version FROM schema_version", &[])
        .expect("schema_version")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(rows, vec![7, 8, 9, 10, 11], "each migration, recorded once");
}

#[test]
fn a_database_with_a_newer_schema_is_refused_untouched() {
    let _c = shared();
    let url = fresh_database("newer");
    let mut pg = raw(&url);
    pg.batch_execute(
        "CREATE TABLE schema_version (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL,
             program TEXT NOT NULL);
         INSERT INTO schema_version VALUES (7, 0, 'old'), (8, 0, 'old'), (9, 0, 'old'),
             (10, 0, 'old'), (11, 0, 'old'), (12, 1, 'a newer fieldwork');
         CREATE TABLE from_the_future (x BIGINT)",
    )
    .expect("a database at version 12");
    let catalog = |pg: &mut Client| -> Vec<String> {
        pg.query(
            "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'public' ORDER BY 1",
            &[],
        )
        .expect("catalog")
        .iter()
        .map(|r| r.get(0))
        .collect()
    };
    let before = catalog(&mut pg);

    let err = PgBackend::open(&url, 1).expect_err("a newer schema is refused");
    let message = err.to_string();
    assert!(message.contains("schema version 12") && message.contains("newer"), "{message}");

    assert_eq!(catalog(&mut pg), before, "nothing created or dropped");
    let versions: Vec<i64> = pg
        .query("SELECT version FROM schema_version ORDER BY 1", &[])
        .expect("versions")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(versions, vec![7, 8, 9, 10, 11, 12]);
}

#[test]
fn a_write_is_rolled_back_when_it_fails() -> Result<()> {
    let _c = shared();
    let url = fresh_database("rollback");
    let b = open(&url, 2);
    let count = |b: &PgBackend| -> Result<i64> {
        Ok(b.read(|db| db.value::<i64>("SELECT COUNT(*) FROM meta", &[]))?.unwrap_or(-1))
    };

    // f returns Err: nothing it wrote stays.
    let err = b
        .write(|db| {
            db.execute("INSERT INTO meta (key, value) VALUES ('a', '1')", &[])?;
            Err::<(), _>(Error::Invalid("the rules said no".into()))
        })
        .expect_err("the write fails");
    assert!(matches!(err, Error::Invalid(_)));
    assert_eq!(count(&b)?, 0);

    // A statement fails and f returns its error.
    b.write(|db| {
        db.execute("INSERT INTO meta (key, value) VALUES ('a', '1')", &[])?;
        db.execute("INSERT INTO meta (key, value) VALUES ('a', '2')", &[])?;
        Ok(())
    })
    .expect_err("duplicate key");
    assert_eq!(count(&b)?, 0);

    // A statement fails and f swallows the error: PostgreSQL has aborted the transaction, and
    // the write says so instead of reporting a commit that did not happen.
    b.write(|db| {
        db.execute("INSERT INTO meta (key, value) VALUES ('b', '1')", &[])?;
        let _ = db.execute("INSERT INTO meta (key, value) VALUES ('b', '2')", &[]);
        Ok(())
    })
    .expect_err("an aborted transaction does not commit silently");
    assert_eq!(count(&b)?, 0);

    // A failed statement undone with ROLLBACK TO SAVEPOINT: the rest commits.
    b.write(|db| {
        db.execute("INSERT INTO meta (key, value) VALUES ('c', '1')", &[])?;
        db.batch("SAVEPOINT attempt")?;
        if db.execute("INSERT INTO meta (key, value) VALUES ('c', '2')", &[]).is_err() {
            db.batch("ROLLBACK TO SAVEPOINT attempt")?;
        }
        db.batch("RELEASE SAVEPOINT attempt")?;
        db.execute("INSERT INTO meta (key, value) VALUES ('d', '1')", &[])?;
        Ok(())
    })?;
    assert_eq!(count(&b)?, 2);

    // A panic inside a write leaves nothing behind either, and the pool goes on.
    let b2 = b.clone();
    let panicked = std::thread::spawn(move || {
        b2.write(|db| -> Result<()> {
            db.execute("INSERT INTO meta (key, value) VALUES ('e', '1')", &[])?;
            panic!("a bug in the rules");
        })
    })
    .join();
    assert!(panicked.is_err());
    assert_eq!(count(&b)?, 2);
    b.write(|db| db.execute("INSERT INTO meta (key, value) VALUES ('f', '1')", &[]))?;
    assert_eq!(count(&b)?, 3);
    Ok(())
}

#[test]
fn writes_are_serialised_across_instances_and_versions_commit_in_order() -> Result<()> {
    let _c = shared();
    let url = fresh_database("serial");
    let setup = open(&url, 1);
    setup.write(|db| {
        db.batch(
            "CREATE TABLE counter (id BIGINT PRIMARY KEY, n BIGINT NOT NULL);
             INSERT INTO counter VALUES (1, 0);
             CREATE TABLE feed (version BIGINT PRIMARY KEY, writer BIGINT NOT NULL)",
        )
    })?;
    const N: i64 = 40;
    let writers = 2;
    let done = Arc::new(AtomicUsize::new(0));
    // Two instances (two backends, two pools) on the same database, one thread writing on each;
    // every write reads the counter, waits a little, then writes counter + 1 and a feed row with
    // that version: without serialisation, increments would be lost and versions collide.
    let handles: Vec<_> = (0..writers)
        .map(|w| {
            let (url, done) = (url.clone(), done.clone());
            std::thread::spawn(move || -> Result<()> {
                // Counted as done however it ends, so the reader below stops.
                struct Done(Arc<AtomicUsize>);
                impl Drop for Done {
                    fn drop(&mut self) {
                        self.0.fetch_add(1, Ordering::SeqCst);
                    }
                }
                let _done = Done(done);
                let b = PgBackend::open(&url, 2)?;
                for _ in 0..N {
                    b.write(|db| {
                        let n: i64 =
                            db.query_row("SELECT n FROM counter WHERE id = 1", &[], |r| r.get(0))?;
                        std::thread::sleep(Duration::from_millis(2));
                        db.execute("UPDATE counter SET n = ?1 WHERE id = 1", &[&(n + 1)])?;
                        db.execute(
                            "INSERT INTO feed (version, writer) VALUES (?1, ?2)",
                            &[&(n + 1), &(w as i64)],
                        )?;
                        Ok(())
                    })?;
                }
                Ok(())
            })
        })
        .collect();
    // Meanwhile a reader on a third instance: every snapshot it takes holds versions 1..=max
    // with no gap (a version never becomes visible before a lower one).
    let reader = open(&url, 1);
    let mut snapshots = 0;
    while done.load(Ordering::SeqCst) < writers {
        let (count, max): (i64, i64) = reader.read(|db| {
            db.query_row("SELECT COUNT(*), COALESCE(MAX(version), 0) FROM feed", &[], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
        })?;
        assert_eq!(count, max, "a snapshot saw version {max} without all before it");
        snapshots += 1;
    }
    for h in handles {
        h.join().expect("no panic")?;
    }
    assert!(snapshots > 0);
    let (n, versions, writers_seen): (i64, Vec<i64>, i64) = reader.read(|db| {
        Ok((
            db.query_row("SELECT n FROM counter", &[], |r| r.get(0))?,
            db.query_map("SELECT version FROM feed ORDER BY version", &[], |r| r.get(0))?,
            db.query_row("SELECT COUNT(DISTINCT writer) FROM feed", &[], |r| r.get(0))?,
        ))
    })?;
    assert_eq!(n, 2 * N, "no increment lost");
    assert_eq!(versions, (1..=2 * N).collect::<Vec<_>>(), "versions gap-free");
    assert_eq!(writers_seen, 2);
    Ok(())
}

#[test]
fn a_read_sees_one_snapshot_and_does_not_wait_for_a_write() -> Result<()> {
    let _c = shared();
    let url = fresh_database("snapshot");
    let b = open(&url, 3);
    b.write(|db| db.execute("INSERT INTO meta (key, value) VALUES ('a', '1')", &[]))?;

    // A write commits between two statements of a read: the read still sees its snapshot.
    let (first, second) = b.read(|db| {
        let first = db.value::<i64>("SELECT COUNT(*) FROM meta", &[])?;
        b.write(|w| w.execute("INSERT INTO meta (key, value) VALUES ('b', '1')", &[]))?;
        let second = db.value::<i64>("SELECT COUNT(*) FROM meta", &[])?;
        Ok((first, second))
    })?;
    assert_eq!((first, second), (Some(1), Some(1)));
    assert_eq!(b.read(|db| db.value::<i64>("SELECT COUNT(*) FROM meta", &[]))?, Some(2));

    // A write in progress (holding the write lock, its row uncommitted) blocks neither a read
    // nor another read beside it; the reads see the state before it.
    let (inside, release) = (Arc::new(Barrier::new(2)), Arc::new(Barrier::new(2)));
    let writer = {
        let (b, inside, release) = (b.clone(), inside.clone(), release.clone());
        std::thread::spawn(move || {
            b.write(|db| {
                db.execute("INSERT INTO meta (key, value) VALUES ('c', '1')", &[])?;
                inside.wait();
                release.wait();
                Ok(())
            })
        })
    };
    inside.wait();
    let seen = b.read(|db| {
        let a = db.value::<i64>("SELECT COUNT(*) FROM meta", &[])?;
        let other = b.read(|db2| db2.value::<i64>("SELECT COUNT(*) FROM meta", &[]))?;
        Ok((a, other))
    })?;
    release.wait();
    writer.join().expect("no panic")?;
    assert_eq!(seen, (Some(2), Some(2)));
    assert_eq!(b.read(|db| db.value::<i64>("SELECT COUNT(*) FROM meta", &[]))?, Some(3));
    // Reads are read-only.
    let err = b
        .read(|db| db.execute("INSERT INTO meta (key, value) VALUES ('x', '1')", &[]))
        .expect_err("a read cannot write");
    assert!(err.to_string().contains("read-only"), "{err}");
    Ok(())
}

/// Checks out `n` connections at once so the pool holds `n` open ones.
fn fill_pool(b: &PgBackend, n: usize) {
    let all_in = Arc::new(Barrier::new(n));
    let threads: Vec<_> = (0..n)
        .map(|_| {
            let (b, all_in) = (b.clone(), all_in.clone());
            std::thread::spawn(move || {
                b.read(|db| {
                    all_in.wait();
                    db.value::<i64>("SELECT 1", &[])
                })
            })
        })
        .collect();
    for t in threads {
        t.join().expect("no panic").expect("read");
    }
}

fn works(b: &PgBackend, key: &str) -> Result<()> {
    b.write(|db| db.execute("INSERT INTO meta (key, value) VALUES (?1, 'v')", &[&key]))?;
    let found = b.read(|db| db.exists("SELECT 1 FROM meta WHERE key = ?1", &[&key]))?;
    assert!(found);
    Ok(())
}

#[test]
fn a_backend_survives_its_connections_being_killed() -> Result<()> {
    let _c = shared();
    let url = fresh_database("terminate");
    let b = open(&url, 3);
    fill_pool(&b, 3);
    works(&b, "before")?;

    // What a server restart does to this database's connections: every one is ended.
    let name = url.rsplit_once('/').map(|(_, n)| n.to_owned()).unwrap_or_default();
    let mut pg = admin();
    let killed: i64 = pg
        .query_one(
            "SELECT COUNT(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE datname = $1 AND pid <> pg_backend_pid()) AS t",
            &[&name],
        )
        .map_err(|e| Error::Internal(e.to_string()))?
        .get(0);
    assert_eq!(killed, 3, "the pool held three connections");
    // The next calls work: the dead connections are dropped, new ones opened.
    works(&b, "after")?;
    works(&b, "after again")?;
    fill_pool(&b, 3);

    // A connection killed in the middle of a write: that write fails, the next one works.
    let err = b
        .write(|db| {
            db.execute("INSERT INTO meta (key, value) VALUES ('lost', 'v')", &[])?;
            let me: i64 =
                db.query_row("SELECT CAST(pg_backend_pid() AS BIGINT)", &[], |r| r.get(0))?;
            admin()
                .execute("SELECT pg_terminate_backend($1)", &[&(me as i32)])
                .map_err(|e| Error::Internal(e.to_string()))?;
            db.execute("INSERT INTO meta (key, value) VALUES ('lost 2', 'v')", &[])?;
            Ok(())
        })
        .expect_err("the connection died under the write");
    assert!(err.to_string().contains("postgres"), "{err}");
    works(&b, "after the write")?;
    assert!(!b.read(|db| db.exists("SELECT 1 FROM meta WHERE key = 'lost'", &[]))?);
    Ok(())
}

#[test]
fn a_backend_survives_a_server_restart() -> Result<()> {
    // The whole cluster restarts: the other tests wait.
    let _c = exclusive();
    let restart = std::env::var("FIELDWORK_TEST_POSTGRES_RESTART").unwrap_or_else(|_| {
        panic!("FIELDWORK_TEST_POSTGRES_RESTART is not set: run through scripts/with-postgres")
    });
    let url = fresh_database("restart");
    let b = open(&url, 2);
    fill_pool(&b, 2);
    works(&b, "before")?;

    let status = std::process::Command::new(&restart).status()?;
    assert!(status.success(), "{restart} failed");

    works(&b, "after")?;
    assert_eq!(b.read(|db| db.value::<i64>("SELECT COUNT(*) FROM meta", &[]))?, Some(2));
    assert_eq!(b.schema_version()?, SCHEMA_VERSION);
    Ok(())
}

#[test]
fn acknowledged_writes_survive_the_server_being_killed() -> Result<()> {
    // The whole cluster is SIGKILLed: the other tests wait.
    let _c = exclusive();
    let kill = std::env::var("FIELDWORK_TEST_POSTGRES_KILL").unwrap_or_else(|_| {
        panic!("FIELDWORK_TEST_POSTGRES_KILL is not set: run through scripts/with-postgres")
    });
    let url = fresh_database("sigkill");
    let b = open(&url, 2);
    // One thread writes rows one transaction each, and notes which writes were acknowledged,
    // while the server is killed (every process at once) and started again under it.
    let back = Arc::new(AtomicUsize::new(0));
    let writer = {
        let (b, back) = (b.clone(), back.clone());
        std::thread::spawn(move || {
            let (mut acknowledged, mut failed, mut after_restart) = (Vec::new(), 0, 0);
            let mut i = 0_i64;
            // Until five writes were acknowledged after the server came back.
            while after_restart < 5 && i < 100_000 {
                i += 1;
                let restarted = back.load(Ordering::SeqCst) == 1;
                let key = format!("k{i:05}");
                match b.write(|db| {
                    db.execute("INSERT INTO meta (key, value) VALUES (?1, 'v')", &[&key])
                }) {
                    Ok(_) => {
                        acknowledged.push(key);
                        after_restart += usize::from(restarted);
                    }
                    Err(_) => {
                        failed += 1;
                        std::thread::sleep(Duration::from_millis(20));
                    }
                }
            }
            (acknowledged, failed)
        })
    };
    std::thread::sleep(Duration::from_millis(300));
    let status = std::process::Command::new(&kill).status()?;
    assert!(status.success(), "{kill} failed");
    back.store(1, Ordering::SeqCst);
    let (acknowledged, failed) = writer.join().expect("no panic");
    assert!(acknowledged.len() > 5, "writes before and after the crash: {acknowledged:?}");

    // Every acknowledged write is there after crash recovery; the backend works.
    let stored: Vec<String> =
        b.read(|db| db.query_map("SELECT key FROM meta ORDER BY key", &[], |r| r.get(0)))?;
    let missing: Vec<&String> = acknowledged.iter().filter(|k| !stored.contains(k)).collect();
    assert!(missing.is_empty(), "acknowledged but lost: {missing:?} ({failed} writes failed)");
    works(&b, "after the crash")?;
    Ok(())
}

#[test]
fn the_database_url_is_checked() {
    let _c = shared();
    let err = PgBackend::open("not a url at all", 1).expect_err("refused");
    assert!(err.to_string().contains("database URL"), "{err}");
    let (server, _) = server_url()
        .rsplit_once('/')
        .map(|(s, d)| (s.to_owned(), d.to_owned()))
        .unwrap_or_default();
    let err = PgBackend::open(&format!("{server}/no_such_database"), 1).expect_err("refused");
    assert!(err.to_string().contains("no_such_database"), "{err}");
}

#[test]
fn the_dialect_is_postgres() -> Result<()> {
    let _c = shared();
    let url = fresh_database("dialect");
    let b = open(&url, 1);
    let d = b.read(|db: &dyn Db| Ok(db.dialect()))?;
    assert_eq!(d, fieldwork_headoffice::db::Dialect::Postgres);
    assert_eq!(b.pool_size(), 1);
    Ok(())
}

// --- the change watch: instances hear each other's commits (LISTEN/NOTIFY) ------------------

/// Long enough for a notification on an idle machine to arrive many times over; never reached
/// when things work (a notice missing is the failure).
const NOTICE_WAIT: Duration = Duration::from_secs(15);

/// A watch of `b` whose notices arrive on the returned channel.
fn watching(b: &PgBackend) -> (fieldwork_headoffice::db::Watch, std::sync::mpsc::Receiver<Notice>) {
    let (tx, rx) = std::sync::mpsc::channel();
    let watch = b
        .watch(move |n| {
            let _ = tx.send(n);
        })
        .expect("the watch listens");
    (watch, rx)
}

fn next(rx: &std::sync::mpsc::Receiver<Notice>, what: &str) -> Notice {
    rx.recv_timeout(NOTICE_WAIT).unwrap_or_else(|e| panic!("no notice ({what}): {e}"))
}

fn announce(b: &PgBackend, notice: Notice) -> Result<()> {
    b.write(|db| {
        db.execute(
            "INSERT INTO meta (key, value) VALUES ('n', '1')
                    ON CONFLICT (key) DO UPDATE SET value = meta.value || '1'",
            &[],
        )?;
        db.announce(notice)
    })
}

/// The server pids of the watch's listening connection(s).
fn listeners(b: &PgBackend) -> Vec<i32> {
    admin()
        .query(
            "SELECT pid FROM pg_stat_activity WHERE application_name = $1",
            &[&format!("{LISTENER_NAME} {}", b.instance())],
        )
        .expect("pg_stat_activity")
        .iter()
        .map(|r| r.get(0))
        .collect()
}

/// Waits (up to NOTICE_WAIT) until `f` holds.
fn eventually(what: &str, mut f: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + NOTICE_WAIT;
    while !f() {
        assert!(std::time::Instant::now() < deadline, "never: {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_watch_hears_what_other_instances_commit_and_nothing_else() -> Result<()> {
    let _c = shared();
    let url = fresh_database("watch");
    let (a, b) = (open(&url, 2), open(&url, 2));
    assert_ne!(a.instance(), b.instance());
    let (watch, rx) = watching(&a);
    assert_eq!(listeners(&a).len(), 1, "one listening connection, there when watch returns");

    let sent = std::time::Instant::now();
    announce(&b, Notice::Changed)?;
    assert_eq!(next(&rx, "b's change"), Notice::Changed);
    eprintln!("a commit through another instance was heard after {:?}", sent.elapsed());
    announce(&b, Notice::AccessChanged)?;
    assert_eq!(next(&rx, "b's access change"), Notice::AccessChanged);

    // A rolled-back write announces nothing; the instance's own writes are not handed back.
    let failed = b.write(|db| {
        db.announce(Notice::Changed)?;
        Err::<(), _>(Error::NotFound)
    });
    assert!(failed.is_err());
    announce(&a, Notice::Changed)?;
    // A write that announces nothing is not heard either.
    b.write(|db| db.execute("INSERT INTO meta (key, value) VALUES ('quiet', '1')", &[]))?;
    // What comes next is this access change, and only it: nothing was heard before it.
    announce(&b, Notice::AccessChanged)?;
    assert_eq!(next(&rx, "the marker"), Notice::AccessChanged);
    announce(&b, Notice::Changed)?;
    assert_eq!(next(&rx, "the second marker"), Notice::Changed);
    assert!(rx.try_recv().is_err(), "nothing else");

    // Stopping ends the thread and closes the listening connection.
    watch.stop();
    eventually("the listening connection closed", || listeners(&a).is_empty());
    Ok(())
}

#[test]
fn a_watch_listens_again_after_its_connection_is_terminated() -> Result<()> {
    let _c = shared();
    let url = fresh_database("watchkill");
    let (a, b) = (open(&url, 2), open(&url, 2));
    let (watch, rx) = watching(&a);
    let before = listeners(&a);
    assert_eq!(before.len(), 1);
    let ended: bool = admin()
        .query_one("SELECT pg_terminate_backend($1)", &[&before[0]])
        .map_err(|e| Error::Internal(e.to_string()))?
        .get(0);
    assert!(ended);

    // Once it listens again it says that anything may have changed meanwhile…
    assert_eq!(next(&rx, "catching up"), Notice::Changed);
    assert_eq!(next(&rx, "catching up"), Notice::AccessChanged);
    let after = listeners(&a);
    assert_eq!(after.len(), 1, "one listening connection again");
    assert_ne!(after, before, "a new connection");
    // …and hears what is committed from then on.
    announce(&b, Notice::Changed)?;
    assert_eq!(next(&rx, "a change after the reconnection"), Notice::Changed);
    assert!(!watch.is_finished());
    drop(watch);
    eventually("the listening connection closed on drop", || listeners(&a).is_empty());
    Ok(())
}

#[test]
fn a_watch_listens_again_after_a_server_restart() -> Result<()> {
    // The whole cluster restarts: the other tests wait.
    let _c = exclusive();
    let restart = std::env::var("FIELDWORK_TEST_POSTGRES_RESTART").unwrap_or_else(|_| {
        panic!("FIELDWORK_TEST_POSTGRES_RESTART is not set: run through scripts/with-postgres")
    });
    let url = fresh_database("watchrestart");
    let (a, b) = (open(&url, 2), open(&url, 2));
    let (watch, rx) = watching(&a);
    let status = std::process::Command::new(&restart).status()?;
    assert!(status.success(), "{restart} failed");

    assert_eq!(next(&rx, "catching up after the restart"), Notice::Changed);
    assert_eq!(next(&rx, "catching up after the restart"), Notice::AccessChanged);
    announce(&b, Notice::Changed)?;
    assert_eq!(next(&rx, "a change after the restart"), Notice::Changed);
    watch.stop();
    Ok(())
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 24, ..Default::default() })]

    /// A write held back for the commit ([`Db::execute_later`]: its parameters written into the
    /// statement as literals) stores exactly what the same statement with bound parameters
    /// stores: any text (quotes, backslashes, `$$`, newlines, any script), bytes, numbers,
    /// flags and NULLs, into columns of every type the schema uses.
    #[test]
    fn a_write_held_back_for_the_commit_stores_what_bound_parameters_store(
        rows in proptest::collection::vec(
            (
                proptest::option::of("\\PC*|[\\\\'\"$;\\-E\n\r\t ]{0,12}"),
                proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40),
                proptest::prelude::any::<i64>(),
                proptest::num::f64::NORMAL | proptest::num::f64::ZERO | proptest::num::f64::SUBNORMAL,
                proptest::prelude::any::<bool>(),
            ),
            1..12,
        )
    ) {
        let _c = shared();
        let url = fresh_database(&format!("later{}", NEXT.fetch_add(1, Ordering::SeqCst)));
        let b = open(&url, 1);
        let sql = "INSERT INTO conv (id, t, bin, n, r, flag, flag_n, j)
                   VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
        b.write(|db| {
            db.batch(
                "CREATE TABLE conv (id BIGINT PRIMARY KEY, t TEXT, bin BYTEA, n BIGINT,
                     r DOUBLE PRECISION, flag BOOLEAN, flag_n BIGINT, j JSONB)",
            )?;
            for (i, (t, bin, n, r, flag)) in rows.iter().enumerate() {
                let json = serde_json::json!({"text": t}).to_string();
                let t = t.as_ref().map(|t| t.replace('\0', ""));
                let params = |id: i64| -> Vec<Value> {
                    vec![
                        Value::Int(id),
                        t.clone().map_or(Value::Null, Value::Text),
                        Value::Bytes(bin.clone()),
                        Value::Int(*n),
                        Value::Real(*r),
                        Value::Bool(*flag),
                        Value::Bool(*flag),
                        Value::Text(json.clone().replace("\\u0000", "")),
                    ]
                };
                let bound = params(2 * i as i64);
                let later = params(2 * i as i64 + 1);
                db.execute(sql, &refs(&bound))?;
                db.execute_later(sql, &refs(&later))?;
            }
            Ok(())
        })
        .unwrap();
        let all = b.read(|db| db.query("SELECT * FROM conv ORDER BY id", &[])).unwrap();
        proptest::prop_assert_eq!(all.len(), rows.len() * 2);
        for pair in all.chunks(2) {
            proptest::prop_assert_eq!(&pair[0].values()[1..], &pair[1].values()[1..]);
        }
    }
}

fn refs(values: &[Value]) -> Vec<&dyn fieldwork_headoffice::db::ToValue> {
    values.iter().map(|v| v as &dyn fieldwork_headoffice::db::ToValue).collect()
}

/// Databases of the property test above, one per case.
static NEXT: AtomicUsize = AtomicUsize::new(0);

#[test]
fn writes_held_back_keep_their_order_their_savepoints_and_their_errors() -> Result<()> {
    let _c = shared();
    let url = fresh_database("later");
    let b = open(&url, 2);
    let keys = |b: &PgBackend| -> Result<Vec<String>> {
        b.read(|db| db.query_map("SELECT key FROM meta ORDER BY key", &[], |r| r.get(0)))
    };
    let put = "INSERT INTO meta (key, value) VALUES (?1, ?2)";

    // A read sees what was held back before it; a released savepoint keeps its writes; one
    // rolled back before anything of it was sent drops them unsent, and one rolled back after
    // (a read sent them) undoes them on the server.
    b.write(|db| {
        db.execute_later(put, &[&"a", &"1"])?;
        assert_eq!(
            db.value::<String>("SELECT value FROM meta WHERE key = 'a'", &[])?,
            Some("1".into())
        );
        db.batch("SAVEPOINT entry")?;
        db.execute_later(put, &[&"b", &"1"])?;
        db.batch("RELEASE SAVEPOINT entry")?;
        db.batch("SAVEPOINT entry")?;
        db.execute_later(put, &[&"c", &"1"])?;
        db.batch("ROLLBACK TO SAVEPOINT entry; RELEASE SAVEPOINT entry")?;
        db.batch("SAVEPOINT entry")?;
        db.execute_later(put, &[&"d", &"1"])?;
        assert!(db.exists("SELECT 1 FROM meta WHERE key = 'd'", &[])?, "sent by the read");
        db.batch("ROLLBACK TO SAVEPOINT entry; RELEASE SAVEPOINT entry")?;
        assert!(!db.exists("SELECT 1 FROM meta WHERE key = 'd'", &[])?, "undone");
        // A write sent at once comes after what was held back.
        db.execute_later(put, &[&"e", &"1"])?;
        db.execute("UPDATE meta SET value = '2' WHERE key = 'e'", &[])?;
        db.execute_later(put, &[&"f", &"it's \\ \"quoted\""])?;
        Ok(())
    })?;
    assert_eq!(keys(&b)?, ["a", "b", "e", "f"]);
    b.read(|db| {
        assert_eq!(
            db.value::<String>("SELECT value FROM meta WHERE key = 'e'", &[])?,
            Some("2".into())
        );
        assert_eq!(
            db.value::<String>("SELECT value FROM meta WHERE key = 'f'", &[])?,
            Some("it's \\ \"quoted\"".into())
        );
        Ok(())
    })?;

    // A held-back write that fails at the commit fails the write, and nothing of it stays.
    let err = b
        .write(|db| {
            db.execute_later(put, &[&"g", &"1"])?;
            db.execute_later(put, &[&"a", &"again"])?;
            Ok(())
        })
        .expect_err("a duplicate key at the commit");
    assert!(err.to_string().contains("duplicate key"), "{err}");
    assert_eq!(keys(&b)?, ["a", "b", "e", "f"]);
    // Text PostgreSQL cannot hold is refused when it is held back, not sent.
    let err = b
        .write(|db| db.execute_later(put, &[&"h", &"nul \0 inside"]))
        .expect_err("a NUL character");
    assert!(matches!(err, Error::Invalid(_)), "{err}");
    assert_eq!(keys(&b)?, ["a", "b", "e", "f"]);
    Ok(())
}
