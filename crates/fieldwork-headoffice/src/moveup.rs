//! Operator commands over a whole store: moving a company's embedded store up to PostgreSQL
//! and a bucket ([`move_up`]), SQLite's online backup ([`backup_sqlite`]), and the integrity
//! and count check a restored or moved store passes ([`check`]).
//!
//! **Moving up** copies every table of the data folder's SQLite database into an empty
//! PostgreSQL database, in one PostgreSQL transaction, and every object of the data folder's
//! blob store (`blobs/`, and `uploads/` in progress) into the bucket. Nothing in it names a
//! table: the tables and their columns are read from the source's schema, checked against the
//! target's (the same schema version, the same columns), and copied in an order that satisfies
//! the foreign keys of both, so a table added by a later schema version moves without a change
//! here. Head office keeps every counter in rows (the change feed's last version, head office's
//! clock, job-number serials in `meta`; devices' `last_applied_seq`; the applied mutations in
//! `device_mutations`), never in a database sequence, so copying the rows carries them: a
//! device signed in before the move pushes, pulls and downloads after it as before, and new
//! changes are numbered after the copied ones.
//!
//! The source is opened read-only and is never changed; head office must not run on it during
//! the move (on Linux a process holding the database open is detected and the move refused).
//! The target must be empty (no tables, or head office's schema at this program's version with
//! every table empty); anything else is refused before anything is written.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use futures_util::TryStreamExt;
use object_store::ObjectStore;
use object_store::local::LocalFileSystem;
use object_store::path::Path as StorePath;
use rusqlite::{Connection, OpenFlags};
use sha2::{Digest, Sha256};

use crate::config::{BlobLocation, Config, DatabaseLocation};
use crate::db::postgres::PgBackend;
use crate::db::sqlite::SqliteDb;
use crate::db::{Backend, Db, ToValue, Value};
use crate::error::{Error, Result};
use crate::service::SCHEMA_VERSION;

/// Where progress lines go (the command writes them to stderr).
pub type Progress = Arc<dyn Fn(&str) + Send + Sync>;

/// A table PostgreSQL has and SQLite does not: the schema's version record (SQLite keeps it
/// in `user_version`).
const PG_ONLY_TABLES: &[&str] = &["schema_version"];

/// Rows copied per INSERT statement, at most (and at most this many parameters in one).
const ROWS_PER_INSERT: usize = 500;
const PARAMS_PER_INSERT: usize = 20_000;

/// A progress line every this many rows of a table.
const PROGRESS_ROWS: u64 = 20_000;

/// What `move` copies and where to.
#[derive(Debug, Clone)]
pub struct MoveOptions {
    /// The data folder: `headoffice.db` and the blob folder.
    pub data_dir: PathBuf,
    /// `postgres://…` of an empty database.
    pub to_database: String,
    /// The bucket for the blobs; `None` leaves them in the data folder.
    pub to_blobs: Option<BlobLocation>,
}

/// One table's rows on both sides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCount {
    pub table: String,
    pub source: i64,
    pub target: i64,
}

/// The blobs on both sides.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BlobCount {
    /// Verified blobs in the data folder.
    pub source: u64,
    /// Of those, how many the bucket holds with the same size after the move.
    pub target: u64,
    /// Copied now.
    pub copied: u64,
    /// Already in the bucket (content-addressed: the same name is the same bytes).
    pub already_there: u64,
    /// Uploads in progress: objects in the folder, and how many the bucket holds.
    pub upload_objects: u64,
    pub upload_objects_target: u64,
    /// Bytes copied.
    pub bytes: u64,
}

/// What a move did, side by side.
#[derive(Debug, Clone)]
pub struct MoveReport {
    pub tables: Vec<TableCount>,
    pub blobs: Option<BlobCount>,
}

impl MoveReport {
    /// Every table and blob count is the same on both sides.
    pub fn matches(&self) -> bool {
        self.tables.iter().all(|t| t.source == t.target)
            && self
                .blobs
                .as_ref()
                .is_none_or(|b| b.source == b.target && b.upload_objects == b.upload_objects_target)
    }

    /// The counts as a table for people.
    pub fn render(&self) -> String {
        let width = self.tables.iter().map(|t| t.table.len()).max().unwrap_or(5).max(30);
        let mut out = format!("{:<width$} {:>12} {:>12}\n", "table", "SQLite", "PostgreSQL");
        for t in &self.tables {
            let mark = if t.source == t.target { "" } else { "  MISMATCH" };
            out.push_str(&format!("{:<width$} {:>12} {:>12}{mark}\n", t.table, t.source, t.target));
        }
        match &self.blobs {
            Some(b) => {
                let mark = |ok: bool| if ok { "" } else { "  MISMATCH" };
                out.push_str(&format!("\n{:<width$} {:>12} {:>12}\n", "", "folder", "bucket"));
                out.push_str(&format!(
                    "{:<width$} {:>12} {:>12}{}\n",
                    "blobs",
                    b.source,
                    b.target,
                    mark(b.source == b.target)
                ));
                out.push_str(&format!(
                    "{:<width$} {:>12} {:>12}{}\n",
                    "uploads in progress (objects)",
                    b.upload_objects,
                    b.upload_objects_target,
                    mark(b.upload_objects == b.upload_objects_target)
                ));
                out.push_str(&format!(
                    "({} blobs copied, {} bytes; {} already in the bucket)\n",
                    b.copied, b.bytes, b.already_there
                ));
            }
            None => out.push_str("\nblobs: left in the data folder (no --to-blobs)\n"),
        }
        out
    }
}

/// Copies the embedded store in `options.data_dir` into the PostgreSQL database and the
/// bucket, then counts both sides. Refuses, changing nothing, when head office runs on the
/// source, when the source is not at this program's schema version, or when the target
/// database is not empty or at another schema version.
pub async fn move_up(options: &MoveOptions, progress: Progress) -> Result<MoveReport> {
    let db_path = Config::new(&options.data_dir).db_path();
    let url = options.to_database.clone();
    {
        let db_path = db_path.clone();
        let url = url.clone();
        tokio::task::spawn_blocking(move || -> Result<()> {
            refuse_if_in_use(&db_path)?;
            let src = open_source(&db_path)?;
            source_tables(&src)?;
            precheck_target(&url)
        })
        .await??;
    }
    let blobs = match &options.to_blobs {
        Some(BlobLocation::S3 { bucket, prefix }) => {
            let target = crate::blobs::s3_store(bucket, prefix.as_deref()).await?;
            Some(copy_blobs(&options.data_dir, target, &progress).await?)
        }
        Some(BlobLocation::DataDir) | None => None,
    };
    let tables = {
        let progress = progress.clone();
        tokio::task::spawn_blocking(move || copy_database(&db_path, &url, &progress)).await??
    };
    Ok(MoveReport { tables, blobs })
}

// --- the source ----------------------------------------------------------------------------------

/// The data folder's database, opened read-only, at this program's schema version.
fn open_source(path: &Path) -> Result<Connection> {
    if !path.is_file() {
        return Err(Error::invalid(format!(
            "there is no embedded database at {} (is --data-dir the data folder head office runs \
             on?)",
            path.display()
        )));
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version != SCHEMA_VERSION {
        return Err(Error::invalid(format!(
            "{} has schema version {version}, this program's is {SCHEMA_VERSION}: {}",
            path.display(),
            if version < SCHEMA_VERSION {
                "open it once with this program (for example `fieldwork-headoffice user list`) \
                 to upgrade it, then move it"
            } else {
                "move it with the newer fieldwork-headoffice that wrote it"
            }
        )));
    }
    Ok(conn)
}

/// A name used in SQL as an identifier: only what head office's schema uses.
fn identifier(name: &str) -> Result<String> {
    let ok = !name.is_empty()
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(format!("\"{name}\""))
    } else {
        Err(Error::Internal(format!("unexpected table or column name {name:?}")))
    }
}

/// The source's tables with their columns (in the table's order), by name.
fn source_tables(conn: &Connection) -> Result<BTreeMap<String, Vec<String>>> {
    let mut stmt = conn.prepare(
        "SELECT m.name, c.name FROM sqlite_master m JOIN pragma_table_info(m.name) c
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
         ORDER BY m.name, c.cid",
    )?;
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    for row in rows {
        let (table, column) = row?;
        identifier(&table)?;
        identifier(&column)?;
        out.entry(table).or_default().push(column);
    }
    Ok(out)
}

/// (table, the table it refers to) for every foreign key of the source.
fn source_references(conn: &Connection) -> Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare(
        "SELECT m.name, f.\"table\" FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f
         WHERE m.type = 'table'",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Refuses when another process holds the database open: head office running on it (or any
/// other command). SQLite in WAL mode keeps a shared POSIX lock on the `-shm` file for as long
/// as a connection is open; Linux lists every such lock in `/proc/locks`. Elsewhere nothing is
/// detected (the README says to stop head office first).
fn refuse_if_in_use(db_path: &Path) -> Result<()> {
    if let Some(pid) = holder_of(db_path)? {
        return Err(Error::invalid(format!(
            "{} is open in process {pid}: stop head office (and every other fieldwork-headoffice \
             command on this data folder) before moving it",
            db_path.display()
        )));
    }
    Ok(())
}

#[cfg(target_os = "linux")]
fn holder_of(db_path: &Path) -> Result<Option<u32>> {
    use std::os::unix::fs::MetadataExt;
    let mut shm = db_path.as_os_str().to_owned();
    shm.push("-shm");
    let mut files = Vec::new();
    for path in [db_path.to_owned(), PathBuf::from(shm)] {
        if let Ok(meta) = std::fs::metadata(&path) {
            let dev = meta.dev();
            // glibc's major/minor split of a dev_t, as /proc/locks prints them (hex).
            let major = ((dev >> 8) & 0xfff) | ((dev >> 32) & !0xfff);
            let minor = (dev & 0xff) | ((dev >> 12) & !0xff);
            files.push((major, minor, meta.ino()));
        }
    }
    let Ok(locks) = std::fs::read_to_string("/proc/locks") else { return Ok(None) };
    let me = std::process::id();
    for line in locks.lines() {
        // "1: POSIX  ADVISORY  READ 1234 08:01:56789 128 128" (a "->" marks a waiter)
        let fields: Vec<&str> = line.split_whitespace().filter(|f| *f != "->").collect();
        let (Some(pid), Some(file)) = (fields.get(4), fields.get(5)) else { continue };
        let Ok(pid) = pid.parse::<u32>() else { continue };
        let mut parts = file.split(':');
        let (Some(major), Some(minor), Some(ino)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let (Ok(major), Ok(minor), Ok(ino)) =
            (u64::from_str_radix(major, 16), u64::from_str_radix(minor, 16), ino.parse::<u64>())
        else {
            continue;
        };
        if pid != me && files.contains(&(major, minor, ino)) {
            return Ok(Some(pid));
        }
    }
    Ok(None)
}

#[cfg(not(target_os = "linux"))]
fn holder_of(_: &Path) -> Result<Option<u32>> {
    Ok(None)
}

// --- the target ----------------------------------------------------------------------------------

fn pg_error(what: &str) -> impl Fn(postgres::Error) -> Error + '_ {
    move |e| {
        let detail = e.as_db_error().map_or_else(|| e.to_string(), |d| d.message().to_owned());
        Error::Internal(format!("{what}: {detail}"))
    }
}

/// The tables of the target's schema (the first schema of its search path).
const PG_TABLES: &str = "SELECT CAST(c.relname AS TEXT) FROM pg_class c
     JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
     ORDER BY 1";

/// Before anything is written: the target is an empty database, or head office's schema at
/// this program's version with every table empty.
fn precheck_target(url: &str) -> Result<()> {
    let config: postgres::Config =
        url.parse().map_err(|e| Error::invalid(format!("--to-database: {e}")))?;
    let mut client =
        config.connect(postgres::NoTls).map_err(pg_error("connecting to PostgreSQL"))?;
    let tables: Vec<String> = client
        .query(PG_TABLES, &[])
        .map_err(pg_error("listing the target's tables"))?
        .iter()
        .map(|r| r.get(0))
        .collect();
    if tables.is_empty() {
        return Ok(());
    }
    if !tables.iter().any(|t| t == "schema_version") {
        return Err(Error::invalid(format!(
            "the target database is not empty: it holds {} that are not head office's; move \
             into a new, empty database",
            list(&tables)
        )));
    }
    let version: Option<i64> = client
        .query_one("SELECT MAX(version) FROM schema_version", &[])
        .map_err(pg_error("reading the target's schema version"))?
        .get(0);
    if version != Some(SCHEMA_VERSION) {
        return Err(Error::invalid(format!(
            "the target database has head office's schema at version {}, this program's is \
             {SCHEMA_VERSION}: move into a new, empty database",
            version.map_or_else(|| "(none)".to_owned(), |v| v.to_string())
        )));
    }
    let mut filled = Vec::new();
    for t in tables.iter().filter(|t| !PG_ONLY_TABLES.contains(&t.as_str())) {
        let sql = format!("SELECT EXISTS (SELECT 1 FROM {})", identifier(t)?);
        let any: bool = client.query_one(&sql, &[]).map_err(pg_error("reading the target"))?.get(0);
        if any {
            filled.push(t.clone());
        }
    }
    if filled.is_empty() { Ok(()) } else { Err(not_empty(&filled)) }
}

fn not_empty(filled: &[String]) -> Error {
    Error::invalid(format!(
        "the target database is not empty: {} hold rows (was head office started on it, or was \
         a store moved into it already?); move into a new, empty database",
        list(filled)
    ))
}

fn list(names: &[String]) -> String {
    let shown: Vec<&str> = names.iter().take(8).map(String::as_str).collect();
    let more = names.len().saturating_sub(shown.len());
    if more > 0 { format!("{} and {more} more", shown.join(", ")) } else { shown.join(", ") }
}

/// The target's tables with their columns, by name (without [`PG_ONLY_TABLES`]).
fn target_tables(db: &dyn Db) -> Result<BTreeMap<String, Vec<String>>> {
    let rows = db.query(
        "SELECT CAST(c.relname AS TEXT), CAST(a.attname AS TEXT) FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace
         JOIN pg_attribute a ON a.attrelid = c.oid
         WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
           AND a.attnum > 0 AND NOT a.attisdropped
         ORDER BY c.relname, a.attnum",
        &[],
    )?;
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in rows {
        let table: String = r.get(0)?;
        if !PG_ONLY_TABLES.contains(&table.as_str()) {
            out.entry(table).or_default().push(r.get(1)?);
        }
    }
    Ok(out)
}

/// (table, the table it refers to) for every foreign key of the target.
fn target_references(db: &dyn Db) -> Result<Vec<(String, String)>> {
    db.query_map(
        "SELECT CAST(t.relname AS TEXT), CAST(r.relname AS TEXT) FROM pg_constraint k
         JOIN pg_class t ON t.oid = k.conrelid
         JOIN pg_class r ON r.oid = k.confrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace
         WHERE k.contype = 'f' AND n.nspname = current_schema()",
        &[],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

/// The same tables with the same columns on both sides, or an error saying what differs.
fn same_schema(
    source: &BTreeMap<String, Vec<String>>,
    target: &BTreeMap<String, Vec<String>>,
) -> Result<()> {
    let mut differences = Vec::new();
    for (table, columns) in source {
        match target.get(table) {
            None => differences.push(format!("{table} is missing in PostgreSQL")),
            Some(t) => {
                let a: BTreeSet<&String> = columns.iter().collect();
                let b: BTreeSet<&String> = t.iter().collect();
                if a != b {
                    differences.push(format!(
                        "{table} has columns ({}) in SQLite but ({}) in PostgreSQL",
                        columns.join(", "),
                        t.join(", ")
                    ));
                }
            }
        }
    }
    for table in target.keys().filter(|t| !source.contains_key(*t)) {
        differences.push(format!("{table} is missing in SQLite"));
    }
    if differences.is_empty() {
        Ok(())
    } else {
        Err(Error::Internal(format!(
            "the SQLite and PostgreSQL schemas differ at version {SCHEMA_VERSION}: {}",
            differences.join("; ")
        )))
    }
}

/// The tables in an order where every table comes after the tables it refers to (by name
/// among equals, so the order is the same on every run).
fn insert_order(tables: &[String], references: &[(String, String)]) -> Result<Vec<String>> {
    let mut waits_for: BTreeMap<&str, BTreeSet<&str>> =
        tables.iter().map(|t| (t.as_str(), BTreeSet::new())).collect();
    for (table, refers_to) in references {
        if table != refers_to
            && waits_for.contains_key(refers_to.as_str())
            && let Some(w) = waits_for.get_mut(table.as_str())
        {
            w.insert(refers_to.as_str());
        }
    }
    let mut order = Vec::with_capacity(tables.len());
    while !waits_for.is_empty() {
        let ready: Vec<&str> =
            waits_for.iter().filter(|(_, w)| w.is_empty()).map(|(t, _)| *t).collect();
        if ready.is_empty() {
            let stuck: Vec<String> = waits_for.keys().map(|t| (*t).to_owned()).collect();
            return Err(Error::Internal(format!(
                "the foreign keys of {} form a cycle",
                list(&stuck)
            )));
        }
        for t in ready {
            waits_for.remove(t);
            for w in waits_for.values_mut() {
                w.remove(t);
            }
            order.push(t.to_owned());
        }
    }
    Ok(order)
}

/// Copies every table in one PostgreSQL transaction (holding head office's write lock, so no
/// instance writes meanwhile) from one snapshot of the source; returns each table's count on
/// both sides, the target's counted after the commit.
fn copy_database(db_path: &Path, url: &str, progress: &Progress) -> Result<Vec<TableCount>> {
    let src = open_source(db_path)?;
    src.execute_batch("BEGIN")?;
    let source = source_tables(&src)?;
    let mut references = source_references(&src)?;
    let src_db = SqliteDb::new(&src);
    let src_db: &dyn Db = &src_db;

    progress("preparing the target database (schema, checks)");
    let backend = PgBackend::open(url, 2)?;
    let counts = backend.write(|db| {
        let target = target_tables(db)?;
        same_schema(&source, &target)?;
        let mut filled = Vec::new();
        for table in target.keys() {
            let sql = format!("SELECT EXISTS (SELECT 1 FROM {})", identifier(table)?);
            if db.value::<bool>(&sql, &[])?.unwrap_or(false) {
                filled.push(table.clone());
            }
        }
        if !filled.is_empty() {
            return Err(not_empty(&filled));
        }
        references.extend(target_references(db)?);
        let names: Vec<String> = source.keys().cloned().collect();
        let mut counts = Vec::new();
        for table in insert_order(&names, &references)? {
            let columns = &source[&table];
            let copied = copy_table(&src, db, &table, columns, progress)?;
            let counted = count(src_db, &table)?;
            if i64::try_from(copied).ok() != Some(counted) {
                return Err(Error::Internal(format!(
                    "{table}: read {copied} rows but the source counts {counted}"
                )));
            }
            counts.push((table, counted));
        }
        progress("committing");
        Ok(counts)
    })?;
    src.execute_batch("COMMIT")?;
    backend.read(|db| {
        let mut out = Vec::new();
        for (table, source) in counts {
            let target = count(db, &table)?;
            out.push(TableCount { table, source, target });
        }
        out.sort_by(|a, b| a.table.cmp(&b.table));
        Ok(out)
    })
}

fn count(db: &dyn Db, table: &str) -> Result<i64> {
    Ok(db.value::<i64>(&format!("SELECT COUNT(*) FROM {}", identifier(table)?), &[])?.unwrap_or(0))
}

/// A source column as a [`Value`].
fn sqlite_value(v: rusqlite::types::ValueRef<'_>) -> Value {
    use rusqlite::types::ValueRef;
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Int(i),
        ValueRef::Real(r) => Value::Real(r),
        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::Bytes(b.to_vec()),
    }
}

/// Copies one table's rows, a few hundred per INSERT, streaming them from the source (one
/// batch held at a time); returns how many.
fn copy_table(
    src: &Connection,
    dst: &dyn Db,
    table: &str,
    columns: &[String],
    progress: &Progress,
) -> Result<u64> {
    let total = count(&SqliteDb::new(src), table)?;
    let cols: Vec<String> = columns.iter().map(|c| identifier(c)).collect::<Result<_>>()?;
    let col_list = cols.join(", ");
    let per_insert = (PARAMS_PER_INSERT / cols.len().max(1)).clamp(1, ROWS_PER_INSERT);
    let insert = |rows: usize| -> Result<String> {
        let mut sql = format!("INSERT INTO {} ({col_list}) VALUES ", identifier(table)?);
        let mut n = 0;
        for r in 0..rows {
            sql.push_str(if r == 0 { "(" } else { ", (" });
            for c in 0..cols.len() {
                n += 1;
                if c > 0 {
                    sql.push_str(", ");
                }
                sql.push_str(&format!("?{n}"));
            }
            sql.push(')');
        }
        Ok(sql)
    };
    let full = insert(per_insert)?;
    let flush = |batch: &mut Vec<Value>| -> Result<u64> {
        let rows = batch.len() / cols.len().max(1);
        if rows == 0 {
            return Ok(0);
        }
        let params: Vec<&dyn ToValue> = batch.iter().map(|v| v as &dyn ToValue).collect();
        let sql = if rows == per_insert { full.clone() } else { insert(rows)? };
        dst.execute(&sql, &params)?;
        batch.clear();
        Ok(rows as u64)
    };
    let mut stmt = src.prepare(&format!("SELECT {col_list} FROM {}", identifier(table)?))?;
    let mut rows = stmt.query([])?;
    let mut batch: Vec<Value> = Vec::with_capacity(per_insert * cols.len());
    let mut copied: u64 = 0;
    let mut last_report = 0;
    while let Some(row) = rows.next()? {
        for i in 0..cols.len() {
            batch.push(sqlite_value(row.get_ref(i)?));
        }
        if batch.len() == per_insert * cols.len() {
            copied += flush(&mut batch)?;
            if copied - last_report >= PROGRESS_ROWS {
                progress(&format!("{table}: {copied} of {total} rows"));
                last_report = copied;
            }
        }
    }
    copied += flush(&mut batch)?;
    progress(&format!("{table}: {copied} rows copied"));
    Ok(copied)
}

// --- blobs -----------------------------------------------------------------------------------

/// The data folder's object store (`blobs/`, `uploads/`), read only here.
fn folder_store(data_dir: &Path) -> Result<Option<Arc<dyn ObjectStore>>> {
    if !data_dir.join("blobs").is_dir() && !data_dir.join("uploads").is_dir() {
        return Ok(None);
    }
    Ok(Some(Arc::new(LocalFileSystem::new_with_prefix(data_dir)?)))
}

/// Objects of `store` under `area`, by path, with their sizes; temporary files of an
/// interrupted local write (`…#n`) are left out.
async fn objects(store: &dyn ObjectStore, area: &str) -> Result<BTreeMap<String, u64>> {
    let metas: Vec<_> = store.list(Some(&StorePath::from(area))).try_collect().await?;
    Ok(metas
        .into_iter()
        .filter(|m| !m.location.as_ref().contains('#'))
        .map(|m| (m.location.to_string(), m.size))
        .collect())
}

/// Whether `path` is a blob's place, `blobs/<sha[..2]>/<sha>`; its hash.
fn blob_name(path: &str) -> Option<&str> {
    let mut parts = path.split('/');
    let (Some("blobs"), Some(dir), Some(sha), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    (fieldwork_wire::wire::is_sha256_hex(sha) && sha.starts_with(dir)).then_some(sha)
}

/// Copies every blob (verified against its name) and every object of an upload in progress
/// from the data folder into `target`, skipping what is there already with the same size.
async fn copy_blobs(
    data_dir: &Path,
    target: Arc<dyn ObjectStore>,
    progress: &Progress,
) -> Result<BlobCount> {
    let mut counts = BlobCount::default();
    let Some(source) = folder_store(data_dir)? else {
        progress("blobs: the data folder has none");
        return Ok(counts);
    };
    let blobs = objects(source.as_ref(), "blobs").await?;
    let uploads = objects(source.as_ref(), "uploads").await?;
    let there: BTreeMap<String, u64> = objects(target.as_ref(), "blobs")
        .await?
        .into_iter()
        .chain(objects(target.as_ref(), "uploads").await?)
        .collect();
    let total = blobs.len() + uploads.len();
    progress(&format!(
        "blobs: {} in the folder, {} objects of uploads in progress",
        blobs.len(),
        uploads.len()
    ));
    let mut done = 0usize;
    for (path, size) in blobs.iter().chain(uploads.iter()) {
        done += 1;
        let is_blob = path.starts_with("blobs/");
        let sha = blob_name(path);
        if is_blob && sha.is_none() {
            return Err(Error::Blob(format!("{path} in the data folder is not a blob's name")));
        }
        if there.get(path) == Some(size) {
            if is_blob {
                counts.already_there += 1;
            }
        } else {
            let location = StorePath::from(path.as_str());
            let bytes = source.get(&location).await?.bytes().await?;
            if bytes.len() as u64 != *size {
                return Err(Error::Blob(format!("{path} changed while it was read")));
            }
            if let Some(sha) = sha {
                let actual = hex::encode(Sha256::digest(&bytes));
                if actual != sha {
                    return Err(Error::Blob(format!(
                        "{path} in the data folder does not hash to its name (it hashes to \
                         {actual}): the file is damaged; restore it from a backup, then move"
                    )));
                }
                counts.copied += 1;
            }
            counts.bytes += *size;
            target.put(&location, bytes.into()).await?;
        }
        if done.is_multiple_of(200) {
            progress(&format!("blobs: {done} of {total} objects"));
        }
    }
    // The count check: what the bucket now holds of what the folder holds.
    let after: BTreeMap<String, u64> = objects(target.as_ref(), "blobs")
        .await?
        .into_iter()
        .chain(objects(target.as_ref(), "uploads").await?)
        .collect();
    counts.source = blobs.len() as u64;
    counts.target = blobs.iter().filter(|(p, s)| after.get(*p) == Some(s)).count() as u64;
    counts.upload_objects = uploads.len() as u64;
    counts.upload_objects_target =
        uploads.iter().filter(|(p, s)| after.get(*p) == Some(s)).count() as u64;
    progress(&format!(
        "blobs: {} copied, {} already in the bucket",
        counts.copied, counts.already_there
    ));
    Ok(counts)
}

// --- backup ----------------------------------------------------------------------------------

/// Backs up the data folder's SQLite database to `to` with SQLite's online backup, safe while
/// head office serves (it reads one snapshot; writers go on meanwhile). The copy is written
/// beside `to` and renamed into place once complete and checked (`PRAGMA integrity_check`);
/// an existing `to` is refused. Returns the copy's row counts.
pub fn backup_sqlite(db_path: &Path, to: &Path) -> Result<Vec<(String, i64)>> {
    if to.exists() {
        return Err(Error::invalid(format!("{} exists: back up to a new file", to.display())));
    }
    if !db_path.is_file() {
        return Err(Error::invalid(format!("there is no database at {}", db_path.display())));
    }
    let src = Connection::open_with_flags(
        db_path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    src.busy_timeout(std::time::Duration::from_secs(10))?;
    let mut partial = to.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    let _ = std::fs::remove_file(&partial);
    {
        let mut dst = Connection::open(&partial)?;
        {
            let backup = rusqlite::backup::Backup::new(&src, &mut dst)?;
            // Every page in one step: one read transaction, one consistent snapshot (a step
            // of a few pages at a time starts over whenever head office writes meanwhile).
            loop {
                match backup.step(-1)? {
                    rusqlite::backup::StepResult::Done => break,
                    _ => std::thread::sleep(std::time::Duration::from_millis(50)),
                }
            }
        }
        // A file on its own (no -wal beside it to be copied with it).
        dst.pragma_update(None, "journal_mode", "DELETE")?;
        let verdict: String = dst.pragma_query_value(None, "integrity_check", |r| r.get(0))?;
        if verdict != "ok" {
            return Err(Error::Internal(format!(
                "the backup failed its integrity check: {verdict}"
            )));
        }
    }
    std::fs::File::open(&partial)?.sync_all()?;
    std::fs::rename(&partial, to)?;
    let copy = Connection::open_with_flags(to, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let tables = source_tables(&copy)?;
    let db = SqliteDb::new(&copy);
    let mut out = Vec::new();
    for table in tables.keys() {
        out.push((table.clone(), count(&db, table)?));
    }
    Ok(out)
}

// --- check -----------------------------------------------------------------------------------

/// What [`check`] found.
#[derive(Debug, Clone, Default)]
pub struct CheckReport {
    /// Rows per table.
    pub tables: Vec<(String, i64)>,
    /// Blobs the database records, and how many of them the blob store holds at their size.
    pub blobs_recorded: u64,
    pub blobs_present: u64,
    /// What is wrong; empty when all is well.
    pub problems: Vec<String>,
}

impl CheckReport {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }

    pub fn render(&self) -> String {
        let width = self.tables.iter().map(|(t, _)| t.len()).max().unwrap_or(5).max(24);
        let mut out = format!("{:<width$} {:>12}\n", "table", "rows");
        for (t, n) in &self.tables {
            out.push_str(&format!("{t:<width$} {n:>12}\n"));
        }
        out.push_str(&format!(
            "{:<width$} {:>12}\n{:<width$} {:>12}\n",
            "blobs recorded", self.blobs_recorded, "blobs present", self.blobs_present
        ));
        if self.problems.is_empty() {
            out.push_str("ok\n");
        } else {
            for p in &self.problems {
                out.push_str(&format!("PROBLEM: {p}\n"));
            }
        }
        out
    }
}

/// Checks the store `config` names, changing nothing in it (a PostgreSQL database at an older
/// schema version is upgraded first, as by any command): on SQLite `PRAGMA integrity_check` and
/// `foreign_key_check`, on both the rows per table and that every blob the database records is
/// in the blob store at its recorded size.
pub async fn check(config: &Config) -> Result<CheckReport> {
    let mut report = match config.database.clone() {
        DatabaseLocation::DataDir => {
            let path = config.db_path();
            tokio::task::spawn_blocking(move || -> Result<CheckReport> {
                let conn = open_source(&path)?;
                conn.execute_batch("BEGIN")?;
                let mut report = CheckReport::default();
                let verdict: String =
                    conn.pragma_query_value(None, "integrity_check", |r| r.get(0))?;
                if verdict != "ok" {
                    report.problems.push(format!("integrity_check: {verdict}"));
                }
                let mut fk = conn.prepare("PRAGMA foreign_key_check")?;
                let broken: Vec<String> = fk
                    .query_map([], |r| r.get::<_, String>(0))?
                    .collect::<rusqlite::Result<_>>()?;
                if !broken.is_empty() {
                    report.problems.push(format!(
                        "{} rows refer to rows that are not there (in {})",
                        broken.len(),
                        list(
                            &broken
                                .into_iter()
                                .collect::<BTreeSet<_>>()
                                .into_iter()
                                .collect::<Vec<_>>()
                        )
                    ));
                }
                let tables = source_tables(&conn)?;
                let db = SqliteDb::new(&conn);
                fill_counts(&db, tables.keys().cloned().collect(), &mut report)?;
                Ok(report)
            })
            .await??
        }
        DatabaseLocation::Postgres { url } => {
            tokio::task::spawn_blocking(move || -> Result<CheckReport> {
                let backend = PgBackend::open(&url, 1)?;
                backend.read(|db| {
                    let mut report = CheckReport::default();
                    let tables = target_tables(db)?;
                    fill_counts(db, tables.keys().cloned().collect(), &mut report)?;
                    Ok(report)
                })
            })
            .await??
        }
    };
    let store: Option<Arc<dyn ObjectStore>> = match &config.blobs {
        BlobLocation::DataDir => folder_store(&config.data_dir)?,
        BlobLocation::S3 { bucket, prefix } => {
            Some(crate::blobs::s3_store(bucket, prefix.as_deref()).await?)
        }
    };
    let held = match &store {
        Some(s) => objects(s.as_ref(), "blobs").await?,
        None => BTreeMap::new(),
    };
    let blob_rows = blob_rows(config).await?;
    report.blobs_recorded = blob_rows.len() as u64;
    let mut missing = Vec::new();
    for (sha, size) in &blob_rows {
        let path = format!("blobs/{}/{sha}", &sha[..2.min(sha.len())]);
        if held.get(&path) == Some(size) {
            report.blobs_present += 1;
        } else {
            missing.push(sha.clone());
        }
    }
    if !missing.is_empty() {
        report.problems.push(format!(
            "{} recorded blobs are missing from the blob store or have another size: {}",
            missing.len(),
            list(&missing)
        ));
    }
    Ok(report)
}

fn fill_counts(db: &dyn Db, tables: Vec<String>, report: &mut CheckReport) -> Result<()> {
    for table in tables {
        let n = count(db, &table)?;
        report.tables.push((table, n));
    }
    Ok(())
}

/// Every blob the database records (hash, size).
async fn blob_rows(config: &Config) -> Result<Vec<(String, u64)>> {
    let sql = "SELECT sha256, size FROM blobs ORDER BY sha256";
    let read = |db: &dyn Db| db.query_map(sql, &[], |r| Ok((r.get(0)?, r.get(1)?)));
    match config.database.clone() {
        DatabaseLocation::DataDir => {
            let path = config.db_path();
            tokio::task::spawn_blocking(move || {
                let conn = open_source(&path)?;
                read(&SqliteDb::new(&conn))
            })
            .await?
        }
        DatabaseLocation::Postgres { url } => {
            tokio::task::spawn_blocking(move || PgBackend::open(&url, 1)?.read(read)).await?
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn tables_come_after_the_tables_they_refer_to() -> Result<()> {
        let tables = names(&["photos", "customers", "work_orders", "meta", "sites"]);
        let refs = vec![
            ("photos".to_owned(), "work_orders".to_owned()),
            ("work_orders".to_owned(), "sites".to_owned()),
            ("work_orders".to_owned(), "customers".to_owned()),
            ("sites".to_owned(), "customers".to_owned()),
            ("sites".to_owned(), "sites".to_owned()),
        ];
        let order = insert_order(&tables, &refs)?;
        assert_eq!(order, names(&["customers", "meta", "sites", "work_orders", "photos"]));
        let cycle = vec![("a".to_owned(), "b".to_owned()), ("b".to_owned(), "a".to_owned())];
        assert!(insert_order(&names(&["a", "b", "c"]), &cycle).is_err());
        Ok(())
    }

    #[test]
    fn only_plain_names_are_used_as_identifiers() {
        assert_eq!(identifier("work_orders").ok().as_deref(), Some("\"work_orders\""));
        assert!(identifier("x\"; DROP TABLE y").is_err());
        assert!(identifier("").is_err());
    }

    #[test]
    fn blob_places_are_recognised_by_their_hash() {
        let sha = "ab".to_owned() + &"0".repeat(62);
        assert_eq!(blob_name(&format!("blobs/ab/{sha}")), Some(sha.as_str()));
        assert_eq!(blob_name(&format!("blobs/cd/{sha}")), None);
        assert_eq!(blob_name("blobs/ab/readme"), None);
    }
}
