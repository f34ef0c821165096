//! The embedded backend: [`Db`] on a SQLite connection inside a transaction (rusqlite), and
//! [`SqliteBackend`], one database file opened like the device store (WAL, `synchronous=FULL`,
//! foreign keys, busy timeout). Statements are prepared once per connection
//! (`prepare_cached`); SQLite already speaks the portable dialect.
//!
//! Writes go through one connection with `BEGIN IMMEDIATE`, one at a time (which is also what
//! makes change-feed versions commit in order); reads take a connection of their own from a
//! small pool, so they run beside each other and beside a write (WAL snapshots).

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, ToSql, TransactionBehavior};

use super::{Backend, Db, Dialect, Row, ToValue, Value};
use crate::error::{Error, Result};

/// Read connections kept open (more are opened when all are busy, and closed after use).
const IDLE_READERS: usize = 8;

/// Head office's database in one SQLite file.
#[derive(Debug)]
pub struct SqliteBackend {
    path: std::path::PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
}

/// How much of the database file connections map into memory.
const SQLITE_MMAP_BYTES: i64 = 1 << 30;

fn connect(path: &Path) -> Result<Connection> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Read the database file through a shared memory map: a reader whose page cache a write
    // invalidated (every write does, for every reader) then reads pages in place instead of
    // copying each one out of the kernel again. The pages are the kernel's file cache, shared
    // by all connections, not memory of this process's own.
    conn.pragma_update(None, "mmap_size", SQLITE_MMAP_BYTES)?;
    Ok(conn)
}

impl SqliteBackend {
    /// Opens (creating when absent) the database at `path`; `migrate` brings its schema up to
    /// date (or refuses a newer one) before anything else runs.
    pub fn open(
        path: &Path,
        migrate: impl FnOnce(&mut Connection) -> Result<()>,
    ) -> Result<SqliteBackend> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut writer = connect(path)?;
        migrate(&mut writer)?;
        Ok(SqliteBackend {
            path: path.to_owned(),
            writer: Mutex::new(writer),
            readers: Mutex::new(Vec::new()),
        })
    }

    fn reader(&self) -> Result<Connection> {
        let idle = self.readers.lock().map_err(|_| poisoned())?.pop();
        match idle {
            Some(conn) => Ok(conn),
            None => connect(&self.path),
        }
    }

    fn give_back(&self, conn: Connection) {
        if let Ok(mut idle) = self.readers.lock()
            && idle.len() < IDLE_READERS
        {
            idle.push(conn);
        }
    }
}

fn poisoned() -> Error {
    Error::Internal("database lock poisoned".into())
}

impl Backend for SqliteBackend {
    /// Readers as many as are kept open; one writer (SQLite has one).
    fn concurrency(&self) -> (usize, usize) {
        (IDLE_READERS, 1)
    }

    fn write<T>(&self, f: impl FnOnce(&dyn Db) -> Result<T>) -> Result<T> {
        let mut conn = self.writer.lock().map_err(|_| poisoned())?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&SqliteDb::new(&tx))?;
        tx.commit()?;
        Ok(out)
    }

    fn read<T>(&self, f: impl FnOnce(&dyn Db) -> Result<T>) -> Result<T> {
        let mut conn = self.reader()?;
        let out = {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
            let out = f(&SqliteDb::new(&tx));
            // A read changes nothing: ending it either way is the same.
            tx.rollback()?;
            out
        };
        self.give_back(conn);
        out
    }
}

/// A connection whose caller holds a transaction open on it.
#[derive(Debug, Clone, Copy)]
pub struct SqliteDb<'a> {
    conn: &'a Connection,
}

impl<'a> SqliteDb<'a> {
    pub fn new(conn: &'a Connection) -> SqliteDb<'a> {
        SqliteDb { conn }
    }
}

/// A parameter as rusqlite binds it.
struct Param(Value);

impl ToSql for Param {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match &self.0 {
            Value::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Value::Int(i) => ToSqlOutput::Borrowed(ValueRef::Integer(*i)),
            Value::Real(r) => ToSqlOutput::Borrowed(ValueRef::Real(*r)),
            Value::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Value::Bytes(b) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
            Value::Bool(b) => ToSqlOutput::Borrowed(ValueRef::Integer(i64::from(*b))),
        })
    }
}

fn params(params: &[&dyn ToValue]) -> Vec<Param> {
    params.iter().map(|p| Param(p.to_value())).collect()
}

fn value(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Int(i),
        ValueRef::Real(r) => Value::Real(r),
        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::Bytes(b.to_vec()),
    }
}

impl Db for SqliteDb<'_> {
    fn execute(&self, sql: &str, p: &[&dyn ToValue]) -> Result<usize> {
        let p = params(p);
        Ok(self.conn.prepare_cached(sql)?.execute(rusqlite::params_from_iter(p.iter()))?)
    }

    fn query(&self, sql: &str, p: &[&dyn ToValue]) -> Result<Vec<Row>> {
        let p = params(p);
        let mut stmt = self.conn.prepare_cached(sql)?;
        let columns: Arc<[String]> = stmt.column_names().map(String::from).collect();
        let n = columns.len();
        let mut rows = stmt.query(rusqlite::params_from_iter(p.iter()))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let mut values = Vec::with_capacity(n);
            for i in 0..n {
                values.push(value(row.get_ref(i)?));
            }
            out.push(Row::new(columns.clone(), values));
        }
        Ok(out)
    }

    fn batch(&self, sql: &str) -> Result<()> {
        Ok(self.conn.execute_batch(sql)?)
    }

    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_run_beside_a_write_and_see_a_snapshot() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let backend = SqliteBackend::open(&dir.path().join("t.db"), |c| {
            Ok(c.execute_batch("CREATE TABLE n (v INTEGER NOT NULL); INSERT INTO n VALUES (1)")?)
        })?;
        backend.write(|db| {
            db.execute("UPDATE n SET v = 2", &[])?;
            // The write has not committed: a read elsewhere still sees 1.
            let seen: Option<i64> = backend.read(|r| r.value("SELECT v FROM n", &[]))?;
            assert_eq!(seen, Some(1));
            Ok(())
        })?;
        assert_eq!(backend.read(|r| r.value::<i64>("SELECT v FROM n", &[]))?, Some(2));
        let failed: Result<()> = backend.write(|db| {
            db.execute("UPDATE n SET v = 3", &[])?;
            Err(Error::NotFound)
        });
        assert!(failed.is_err());
        assert_eq!(backend.read(|r| r.value::<i64>("SELECT v FROM n", &[]))?, Some(2));
        Ok(())
    }

    #[test]
    fn runs_portable_sql_on_sqlite() -> Result<()> {
        let conn = Connection::open_in_memory()?;
        let db: &dyn Db = &SqliteDb::new(&conn);
        db.batch("CREATE TABLE t (id TEXT PRIMARY KEY, n INTEGER, flag INTEGER NOT NULL)")?;
        db.execute("INSERT INTO t (id, n, flag) VALUES (?1, ?2, ?3)", &[&"a", &5_i64, &true])?;
        db.execute(
            "INSERT INTO t (id, n, flag) VALUES (?1, ?2, ?3) ON CONFLICT (id) DO NOTHING",
            &[&"a", &None::<i64>, &false],
        )?;
        let (n, flag): (i64, bool) =
            db.query_row("SELECT n, flag FROM t WHERE id = ?1", &[&"a"], |r| {
                Ok((r.get("n")?, r.get(1)?))
            })?;
        assert_eq!((n, flag), (5, true));
        assert!(db.exists("SELECT 1 FROM t WHERE flag", &[])?);
        assert_eq!(db.value::<i64>("SELECT n FROM t WHERE id = ?1", &[&"b"])?, None);
        Ok(())
    }
}
