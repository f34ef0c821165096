//! The local store: one SQLite file per data folder, opened with settings that make a committed
//! record survive a power cut, and the only way anything writes to it.
//!
//! Every change a person makes goes through a method of [`Store`] that writes the rows and an
//! outbox entry in one transaction (see [`outbox`]).

mod check;
pub(crate) mod commands;
mod kb;
mod kb_field;
mod kb_photos;
mod media;
pub mod outbox;
mod queries;
mod records;
pub mod remote;
mod schema;
mod search;
mod seed_writer;
pub mod signed;
mod sqltime;
mod views;

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags, OptionalExtension, Transaction, params};

pub use check::{CheckReport, MEDIA_DIR};
pub use commands::{NewPart, NewTimeEntry, NewWorkOrder};
pub use kb::{ArticleSuggestion, ArticleSummary, ArticleTitle, KbFilter};
pub use kb_field::ShareFix;
pub use media::{
    ErrorInfo, JobMedia, NewSignature, PhotoFile, PhotoImportResult, PhotoVariant, SignatureFile,
};
pub use queries::{JobFilter, local_day_bounds};
pub use schema::SCHEMA_VERSION;
pub use seed_writer::SeedWriter;
pub use views::{AppInfo, JobQuery, JobView, WarrantyBadge};

use crate::error::{CoreError, Result};
use crate::hlc::Hlc;
use crate::lifecycle::Role;
use crate::sla::SlaPolicy;

/// The database file inside a data folder.
pub const DB_FILE: &str = "fieldwork.db";

/// Who is making changes through this store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub role: Role,
    /// Name recorded on notes and status changes.
    pub name: String,
    /// The technician's id, when the actor is a technician.
    pub technician_id: Option<String>,
}

impl Actor {
    pub fn dispatcher(name: &str) -> Actor {
        Actor { role: Role::Dispatcher, name: name.to_owned(), technician_id: None }
    }

    pub fn technician(id: &str, name: &str) -> Actor {
        Actor { role: Role::Technician, name: name.to_owned(), technician_id: Some(id.to_owned()) }
    }
}

/// An open local store.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
    device_id: String,
    actor: Actor,
    /// Physical clock; replaceable in tests to simulate lying clocks.
    clock: fn() -> DateTime<Utc>,
}

fn system_clock() -> DateTime<Utc> {
    Utc::now()
}

/// Sets the connection up as DESIGN.md requires: WAL, `synchronous=FULL` so a commit is on disk
/// when it returns, foreign keys enforced, and waiting (not failing) when another process writes.
fn configure(conn: &Connection) -> Result<()> {
    conn.busy_timeout(Duration::from_secs(10))?;
    search::register_functions(conn)?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") && !mode.eq_ignore_ascii_case("memory") {
        return Err(CoreError::invalid("database", format!("cannot use WAL journal (got {mode})")));
    }
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    Ok(())
}

fn not_a_database(path: &Path, e: &CoreError) -> CoreError {
    CoreError::NotADatabase { path: path.display().to_string(), detail: e.to_string() }
}

fn data_dir_error(path: &Path, detail: impl std::fmt::Display) -> CoreError {
    CoreError::DataDir { path: path.display().to_string(), detail: detail.to_string() }
}

impl Store {
    /// Creates the data folder and database if needed and brings the schema up to date. Safe to
    /// run on an existing store.
    pub fn init(data_dir: &Path) -> Result<Store> {
        if data_dir.exists() && !data_dir.is_dir() {
            return Err(data_dir_error(data_dir, "it is a file, not a folder"));
        }
        std::fs::create_dir_all(data_dir).map_err(|e| data_dir_error(data_dir, e))?;
        // Open (and so validate) the database before adding anything else to the folder.
        let store = Self::open_file(&data_dir.join(DB_FILE), true)?;
        std::fs::create_dir_all(data_dir.join(MEDIA_DIR))
            .map_err(|e| data_dir_error(data_dir, e))?;
        Ok(store)
    }

    /// Opens an existing store; refuses a missing one rather than creating an empty store.
    pub fn open(data_dir: &Path) -> Result<Store> {
        if !data_dir.exists() {
            return Err(CoreError::NotInitialised);
        }
        if !data_dir.is_dir() {
            return Err(data_dir_error(data_dir, "it is a file, not a folder"));
        }
        let db = data_dir.join(DB_FILE);
        if !db.is_file() {
            return Err(CoreError::NotInitialised);
        }
        Self::open_file(&db, false)
    }

    /// A throwaway in-memory store for tests and tools.
    pub fn open_in_memory() -> Result<Store> {
        let mut conn = Connection::open_in_memory()?;
        configure(&conn)?;
        schema::migrate(&mut conn)?;
        Self::finish_open(conn, PathBuf::from(":memory:"))
    }

    fn open_file(db: &Path, create: bool) -> Result<Store> {
        let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        if create {
            flags |= OpenFlags::SQLITE_OPEN_CREATE;
        }
        let dir = db.parent().unwrap_or(Path::new("."));
        let fresh = create && !db.exists();
        let mut conn =
            Connection::open_with_flags(db, flags).map_err(|e| match e.sqlite_error_code() {
                Some(rusqlite::ErrorCode::CannotOpen | rusqlite::ErrorCode::PermissionDenied) => {
                    data_dir_error(dir, format!("cannot open the database there ({e})"))
                }
                _ => CoreError::from(e),
            })?;
        // Check what the file is before changing anything in it.
        schema::refuse_newer(&conn).map_err(|e| match e {
            CoreError::DatabaseTooNew { .. } => e,
            CoreError::DataDir { .. } => data_dir_error(dir, "it is read-only"),
            CoreError::NotADatabase { detail, .. } => {
                CoreError::NotADatabase { path: db.display().to_string(), detail }
            }
            other => not_a_database(db, &other),
        })?;
        if fresh {
            // Larger pages suit a store of many small rows read a job at a time; the page size
            // can only be chosen before the first table is written.
            conn.pragma_update(None, "page_size", 8192)?;
        }
        configure(&conn).map_err(|e| match e {
            CoreError::DataDir { .. } => data_dir_error(dir, "it is read-only"),
            CoreError::Database(ref inner)
                if inner.sqlite_error_code() == Some(rusqlite::ErrorCode::CannotOpen) =>
            {
                data_dir_error(dir, "cannot write the database journal there (read-only?)")
            }
            other => other,
        })?;
        schema::migrate(&mut conn)?;
        Self::finish_open(conn, db.to_path_buf())
    }

    fn finish_open(conn: Connection, path: PathBuf) -> Result<Store> {
        let device_id = match meta_get(&conn, "device_id")? {
            Some(id) => id,
            None => {
                let id = crate::ids::new_id();
                conn.execute("INSERT INTO meta(key, value) VALUES ('device_id', ?1)", [&id])?;
                id
            }
        };
        let actor = match meta_get(&conn, "technician_id")? {
            Some(tech) => {
                let name: Option<String> = conn
                    .query_row("SELECT name FROM technicians WHERE id = ?1", [&tech], |r| r.get(0))
                    .optional()?;
                Actor::technician(&tech, name.as_deref().unwrap_or("technician"))
            }
            None => Actor::dispatcher("local"),
        };
        Ok(Store { conn, path, device_id, actor, clock: system_clock })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn device_id(&self) -> &str {
        &self.device_id
    }

    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// Acts as `actor` for the following changes (the device's technician by default).
    pub fn set_actor(&mut self, actor: Actor) {
        self.actor = actor;
    }

    /// Replaces the physical clock (tests use it to make a device's clock lie).
    pub fn set_clock(&mut self, clock: fn() -> DateTime<Utc>) {
        self.clock = clock;
    }

    /// The present, to the millisecond: what is stored is exactly what is sent and shown.
    pub(crate) fn now(&self) -> DateTime<Utc> {
        let now = (self.clock)();
        DateTime::from_timestamp_millis(now.timestamp_millis()).unwrap_or(now)
    }

    /// The technician this device belongs to, if one is signed in.
    pub fn device_technician(&self) -> Result<Option<String>> {
        meta_get(&self.conn, "technician_id")
    }

    /// Makes `technician_id` the device's technician and acts as them from now on.
    pub fn set_device_technician(&mut self, technician_id: &str) -> Result<()> {
        let name: String = self
            .conn
            .query_row("SELECT name FROM technicians WHERE id = ?1", [technician_id], |r| r.get(0))
            .optional()?
            .ok_or_else(|| CoreError::not_found("technician", technician_id))?;
        meta_set(&self.conn, "technician_id", technician_id)?;
        self.actor = Actor::technician(technician_id, &name);
        Ok(())
    }

    /// The SLA policy in force (the handbook's defaults until configured).
    pub fn sla_policy(&self) -> Result<SlaPolicy> {
        match meta_get(&self.conn, "sla_policy")? {
            Some(json) => Ok(serde_json::from_str(&json)?),
            None => Ok(SlaPolicy::default()),
        }
    }

    pub fn set_sla_policy(&self, policy: &SlaPolicy) -> Result<()> {
        policy.validate()?;
        meta_set(&self.conn, "sla_policy", &serde_json::to_string(policy)?)
    }

    /// Currency of all money amounts (ISO 4217).
    pub fn currency(&self) -> Result<String> {
        Ok(meta_get(&self.conn, "currency")?.unwrap_or_else(|| String::from("CNY")))
    }

    /// The company printed on service reports: its name and one line of address and phone.
    /// Head office provides them; a store without them prints a neutral name.
    pub fn company(&self) -> Result<(String, String)> {
        let name = meta_get(&self.conn, "company_name")?
            .unwrap_or_else(|| String::from("Fieldwork Home Services"));
        let line = meta_get(&self.conn, "company_address")?.unwrap_or_default();
        Ok((name, line))
    }

    /// Sets the company printed on service reports.
    pub fn set_company(&self, name: &str, address_line: &str) -> Result<()> {
        meta_set(&self.conn, "company_name", name.trim())?;
        meta_set(&self.conn, "company_address", address_line.trim())
    }

    /// Runs `f` in one immediate transaction: all of it is committed, or none of it.
    pub(crate) fn write<T>(&mut self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }
}

pub(crate) fn meta_get(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)).optional()?)
}

pub(crate) fn meta_set(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO meta(key, value) VALUES (?1, ?2)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

/// The next hybrid-logical-clock stamp for this device, persisted in the same transaction as
/// the change it stamps, so it never repeats or goes backwards across restarts.
pub(crate) fn next_hlc(tx: &Transaction<'_>, device_id: &str, now: DateTime<Utc>) -> Result<Hlc> {
    let last = match meta_get(tx, "hlc")? {
        Some(s) => s.parse::<Hlc>().map_err(|e| CoreError::invalid("hlc", e.to_string()))?,
        None => Hlc::zero(device_id),
    };
    let last = Hlc { node: device_id.to_owned(), ..last };
    let next = last.tick(now.timestamp_millis());
    meta_set(tx, "hlc", &next.to_string())?;
    Ok(next)
}
