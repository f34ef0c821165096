//! [`Db`] and [`Backend`] on PostgreSQL (the sync `postgres` driver, called on tokio's blocking
//! pool like all of head office's database work), over a small pool of connections.
//!
//! - Statements: the portable SQL's `?N` become `$N` ([`super::dollar_placeholders`]); each
//!   statement is prepared once per connection and cached there.
//! - Parameters are converted to the type PostgreSQL inferred for them (a `bool` bound to a
//!   BIGINT is 0 or 1, an integer bound to a BOOLEAN is `<> 0`, an integer bound to TEXT is its
//!   digits, a real bound to a BIGINT must be whole); columns come back as the nearest
//!   [`Value`] (NUMERIC, what `SUM` and `AVG` return, as an integer when it is one with no
//!   decimals, else a real). A type with no [`Value`] is an error naming it: CAST it in the SQL.
//! - Writes are serialised across every instance sharing the database, reads are snapshots:
//!   see [`PgBackend`].
//! - The schema is migrated when the backend opens: see [`PgBackend::open`].
//! - Instances sharing the database tell each other of their writes with `NOTIFY`, and each
//!   listens on a connection of its own: see [`PgBackend::watch`].

use std::cell::RefCell;
use std::collections::HashMap;
use std::error::Error as StdError;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use bytes::{BufMut, BytesMut};
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::{FromSql, IsNull, ToSql, Type, to_sql_checked};
use postgres::{Client, Config, NoTls, Statement};

use super::{Backend, Db, Dialect, Notice, Row, ToValue, Value, Watch, dollar_placeholders};
use crate::error::{Error, Result};

/// The schema version this program's PostgreSQL schema is at: the same number as SQLite's, as
/// both hold the same tables.
pub const SCHEMA_VERSION: i64 = crate::service::SCHEMA_VERSION;

/// One migration: the SQL that brings a database from the previous version to `version`.
struct Migration {
    version: i64,
    sql: &'static str,
}

/// Every migration, in order. PostgreSQL databases start at version 7 (the first version with
/// a PostgreSQL backend); a later version adds `pg_schema/vN.sql` here beside SQLite's.
const MIGRATIONS: &[Migration] = &[
    Migration { version: 7, sql: include_str!("pg_schema/v7.sql") },
    // Failed sign-ins, counted by every instance alike.
    Migration { version: 8, sql: include_str!("pg_schema/v8.sql") },
    // The knowledge base.
    Migration { version: 9, sql: include_str!("pg_schema/v9.sql") },
    // Articles used on jobs, fixes shared for review.
    Migration { version: 10, sql: include_str!("pg_schema/v10.sql") },
    // Pictures on knowledge articles.
    Migration { version: 11, sql: include_str!("pg_schema/v11.sql") },
];

// A schema version added to SQLite without its PostgreSQL migration does not compile.
const _: () = assert!(MIGRATIONS[MIGRATIONS.len() - 1].version == SCHEMA_VERSION);

/// The transaction-scoped advisory lock every write transaction takes first (one key per
/// database: PostgreSQL's advisory locks are per database). "fw" + 1.
const WRITE_LOCK: i64 = 0x6677_0001;
/// The advisory lock the migration takes, so two instances starting at once migrate once.
const MIGRATE_LOCK: i64 = 0x6677_0002;

/// How long a transaction waits for a free connection when all are in use.
const CHECKOUT_TIMEOUT: Duration = Duration::from_secs(30);
/// How long opening a connection may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The channel a committed write is announced on ([`Notice::Changed`]); the payload is the
/// announcing instance's id, so an instance can leave out its own.
pub const CHANGES_CHANNEL: &str = "fieldwork_changes";
/// The channel "access may have changed" is announced on ([`Notice::AccessChanged`]).
pub const ACCESS_CHANNEL: &str = "fieldwork_access";
/// The `application_name` of every instance's listening connection (followed by the
/// instance's id), by which an operator (or a test) finds it in `pg_stat_activity`.
// PostgreSQL keeps 63 bytes of it: this and an id (36) fit.
pub const LISTENER_NAME: &str = "fieldwork listen";
/// How long the listener waits for a notification before it looks at its stop flag again.
const LISTEN_POLL: Duration = Duration::from_millis(200);
/// How often an idle listening connection is checked (a dead peer that never said so).
const LISTEN_PING: Duration = Duration::from_secs(10);
/// The listener's first and longest wait between attempts to connect again.
const RECONNECT_FIRST: Duration = Duration::from_millis(100);
const RECONNECT_MAX: Duration = Duration::from_secs(5);
/// Prepared statements kept per connection; the rules have a few hundred distinct statements,
/// so this only bounds a runaway (statements built with a varying number of placeholders).
const STATEMENT_CACHE: usize = 2_000;

/// Head office's PostgreSQL storage: a pool of connections to one database.
///
/// **Writes** ([`Backend::write`]) run in `READ COMMITTED` transactions that first take one
/// transaction-scoped advisory lock (`pg_advisory_xact_lock`), the same key for every instance
/// sharing the database, so write transactions run one at a time across all instances, as on
/// SQLite (`BEGIN IMMEDIATE`). This is what keeps the change feed gap-free: a write takes its
/// versions from a counter row inside the transaction, and as the next writer cannot take the
/// lock before this one has committed (PostgreSQL makes a commit visible before it releases
/// the transaction's locks), versions become visible in number order. A reader that has seen
/// version n has therefore seen every version below n, and a device's pull, which asks for
/// "everything after the highest version I have", can never skip a change that commits after
/// a higher-numbered one was already read (the sequence visibility gap that a plain
/// `SEQUENCE` with concurrent writers has). Each statement after the lock sees everything
/// committed before it (`READ COMMITTED`), so a write never works from a stale snapshot and
/// never fails with a serialisation error.
///
/// **Reads** ([`Backend::read`]) run in `REPEATABLE READ, READ ONLY` transactions: one
/// consistent snapshot, concurrent with each other and with the write in progress.
///
/// A connection that broke (the server restarted, the backend was terminated) is dropped from
/// the pool, never reused; a transaction that finds its connection dead before it started
/// anything retries on another one (or a new one), so the first call after a restart works.
#[derive(Clone)]
pub struct PgBackend {
    pool: Arc<Pool>,
    /// This instance's id, the payload of its notifications (see [`PgBackend::watch`]).
    instance: Arc<str>,
}

impl std::fmt::Debug for PgBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.pool.lock();
        f.debug_struct("PgBackend")
            .field("instance", &self.instance)
            .field("pool_size", &self.pool.size)
            .field("open", &state.open)
            .field("idle", &state.idle.len())
            .finish()
    }
}

impl PgBackend {
    /// Connects to the database at `url` (`postgres://user:password@host:port/database`, or
    /// PostgreSQL's `key=value` form) with at most `pool_size` connections, and brings its
    /// schema up to [`SCHEMA_VERSION`]: every missing migration in one transaction, under an
    /// advisory lock (a second instance starting at the same time waits, then finds nothing to
    /// do). A database whose schema is newer than this program's is refused, untouched.
    pub fn open(url: &str, pool_size: usize) -> Result<PgBackend> {
        let mut config: Config =
            url.parse().map_err(|e| Error::Internal(format!("database URL {url:?}: {e}")))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            config.application_name("fieldwork-headoffice");
        }
        let pool = Arc::new(Pool {
            config,
            size: pool_size.max(1),
            state: Mutex::new(PoolState { idle: Vec::new(), open: 0 }),
            freed: Condvar::new(),
        });
        {
            let mut conn = pool.get()?;
            migrate(&mut conn)?;
        }
        Ok(PgBackend { pool, instance: uuid::Uuid::now_v7().to_string().into() })
    }

    /// This instance's id: what its notifications carry.
    pub fn instance(&self) -> &str {
        &self.instance
    }

    /// Hears what the other instances sharing the database commit, and calls `on` for each
    /// [`Notice`] (from a thread of its own; a burst of notifications is one call per kind).
    ///
    /// How the instances tell each other: every write transaction that changes something a
    /// console shows runs `SELECT pg_notify('fieldwork_changes', <instance id>)` inside the
    /// transaction ([`Db::announce`]), and one that may take a session's access away does the
    /// same on `fieldwork_access`. PostgreSQL delivers a notification when its transaction
    /// commits, never for one rolled back. Each instance keeps one connection of its own
    /// (`application_name` [`LISTENER_NAME`] and its id) `LISTEN`ing on both channels; its own
    /// notifications it leaves out (its consoles heard of its writes already).
    ///
    /// The connection is made and `LISTEN`s before this returns (an error if it cannot). When
    /// it breaks (PostgreSQL restarted, the backend was terminated, the network dropped it:
    /// an idle connection is checked every few seconds), the watch connects again, waiting
    /// 0.1 s, then twice as long after each failure, at most 5 s; once it listens again it
    /// calls `on` with both notices, as whatever was announced meanwhile went unheard. It
    /// stops when the [`Watch`] is dropped or stopped.
    ///
    /// Blocking: call it off the async workers (as [`PgBackend::open`]).
    pub fn watch(&self, on: impl Fn(Notice) + Send + 'static) -> Result<Watch> {
        let mut config = self.pool.config.clone();
        config.application_name(&format!("{LISTENER_NAME} {}", self.instance));
        config.keepalives(true);
        let first = listen(&config).map_err(|e| {
            Error::Internal(format!("listening for other instances' changes: {}", describe(&e)))
        })?;
        let instance = self.instance.clone();
        Watch::spawn("pg-listen", move |stop| {
            follow(first, &config, &instance, &on, stop);
        })
    }

    /// The schema version recorded in the database.
    pub fn schema_version(&self) -> Result<i64> {
        self.read(|db| db.value::<i64>("SELECT MAX(version) FROM schema_version", &[]))?
            .ok_or_else(|| Error::Internal("schema_version is empty".into()))
    }

    /// The most connections this backend opens.
    pub fn pool_size(&self) -> usize {
        self.pool.size
    }

    /// Runs `f` in a transaction started by `begin`, committed when `f` returns `Ok`.
    fn transaction<T>(&self, begin: &str, f: impl FnOnce(&dyn Db) -> Result<T>) -> Result<T> {
        let mut conn = self.pool.begin(begin)?;
        let db = PgDb::new(&mut conn, &self.instance);
        let out = f(&db);
        match out {
            Ok(value) => {
                // The writes held back ([`Db::execute_later`]) go with the commit, in one round
                // trip. `SELECT 1` before COMMIT: after an error that `f` did not pass on (and
                // did not undo with ROLLBACK TO SAVEPOINT) the transaction is aborted, and
                // PostgreSQL would answer a plain COMMIT by rolling back without an error.
                let sql = format!("{}SELECT 1; COMMIT", db.take_deferred());
                drop(db);
                conn.client.batch_execute(&sql).map_err(|e| conn.failed(e, &sql))?;
                conn.in_transaction = false;
                Ok(value)
            }
            Err(e) => {
                drop(db);
                if conn.client.batch_execute("ROLLBACK").is_ok() {
                    conn.in_transaction = false;
                }
                Err(e)
            }
        }
    }
}

impl Backend for PgBackend {
    /// The pool shared: two writers (one at the lock, the next one ready behind it; writes
    /// are serialised across instances anyway), the rest readers.
    fn concurrency(&self) -> (usize, usize) {
        let writers = if self.pool.size > 2 { 2 } else { 1 };
        ((self.pool.size - writers).max(1), writers)
    }

    fn write<T>(&self, f: impl FnOnce(&dyn Db) -> Result<T>) -> Result<T> {
        self.transaction(
            &format!(
                "BEGIN ISOLATION LEVEL READ COMMITTED; SELECT pg_advisory_xact_lock({WRITE_LOCK})"
            ),
            f,
        )
    }

    fn read<T>(&self, f: impl FnOnce(&dyn Db) -> Result<T>) -> Result<T> {
        self.transaction("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", f)
    }
}

// --- migrations --------------------------------------------------------------------------------

fn migrate(conn: &mut Conn) -> Result<()> {
    let begin = format!(
        "BEGIN ISOLATION LEVEL READ COMMITTED; SELECT pg_advisory_xact_lock({MIGRATE_LOCK})"
    );
    conn.client.batch_execute(&begin).map_err(|e| conn.failed(e, &begin))?;
    conn.in_transaction = true;
    match run_migrations(&mut conn.client) {
        Ok(()) => {
            conn.client.batch_execute("COMMIT").map_err(|e| conn.failed(e, "COMMIT"))?;
            conn.in_transaction = false;
            Ok(())
        }
        Err(e) => {
            if conn.client.batch_execute("ROLLBACK").is_ok() {
                conn.in_transaction = false;
            }
            Err(e)
        }
    }
}

/// Inside the migration's transaction, holding its lock.
fn run_migrations(client: &mut Client) -> Result<()> {
    let pg =
        |e: postgres::Error| Error::Internal(format!("migrating the database: {}", describe(&e)));
    let exists: bool = client
        .query_one("SELECT to_regclass('schema_version') IS NOT NULL", &[])
        .map_err(pg)?
        .get(0);
    let version: i64 = if exists {
        client
            .query_one("SELECT COALESCE(MAX(version), 0) FROM schema_version", &[])
            .map_err(pg)?
            .get(0)
    } else {
        0
    };
    if version > SCHEMA_VERSION {
        return Err(Error::Internal(format!(
            "the head-office database has schema version {version}, newer than this program's \
             {SCHEMA_VERSION}; run a newer fieldwork-headoffice"
        )));
    }
    if version == SCHEMA_VERSION {
        return Ok(());
    }
    if !exists {
        client
            .batch_execute(
                "CREATE TABLE schema_version (
                    version BIGINT PRIMARY KEY,
                    applied_at BIGINT NOT NULL,
                    program TEXT NOT NULL
                )",
            )
            .map_err(pg)?;
    }
    let program = concat!("fieldwork-headoffice ", env!("CARGO_PKG_VERSION"));
    for m in MIGRATIONS.iter().filter(|m| m.version > version) {
        client.batch_execute(m.sql).map_err(|e| {
            Error::Internal(format!("schema version {}: {}", m.version, describe(&e)))
        })?;
        client
            .execute(
                "INSERT INTO schema_version (version, applied_at, program)
                 VALUES ($1, CAST(extract(epoch FROM clock_timestamp()) * 1000 AS BIGINT), $2)",
                &[&m.version, &program],
            )
            .map_err(pg)?;
    }
    Ok(())
}

// --- hearing other instances -----------------------------------------------------------------

/// A new connection listening on both channels.
fn listen(config: &Config) -> std::result::Result<Client, postgres::Error> {
    let mut client = config.connect(NoTls)?;
    client.batch_execute(&format!("LISTEN {CHANGES_CHANNEL}; LISTEN {ACCESS_CHANNEL}"))?;
    Ok(client)
}

/// Sleeps `d` in short steps; false if `stop` was set meanwhile.
fn sleep_unless(stop: &AtomicBool, d: Duration) -> bool {
    let until = Instant::now() + d;
    while !stop.load(Ordering::SeqCst) {
        let now = Instant::now();
        if now >= until {
            return true;
        }
        std::thread::sleep((until - now).min(Duration::from_millis(50)));
    }
    false
}

/// The watch's thread: hands what other instances announce to `on`, connecting again (with
/// backoff) whenever the connection is lost, until `stop` is set.
fn follow(first: Client, config: &Config, instance: &str, on: &dyn Fn(Notice), stop: &AtomicBool) {
    let mut client = Some(first);
    let mut backoff = RECONNECT_FIRST;
    let mut checked = Instant::now();
    while !stop.load(Ordering::SeqCst) {
        let Some(conn) = client.as_mut() else {
            match listen(config) {
                Ok(c) => {
                    tracing::info!("listening again for other instances' changes");
                    client = Some(c);
                    backoff = RECONNECT_FIRST;
                    checked = Instant::now();
                    // Whatever was announced while nobody listened.
                    on(Notice::Changed);
                    on(Notice::AccessChanged);
                }
                Err(e) => {
                    tracing::warn!(error = %describe(&e), retry_in_ms = backoff.as_millis() as u64,
                        "cannot listen for other instances' changes");
                    if !sleep_unless(stop, backoff) {
                        break;
                    }
                    backoff = (backoff * 2).min(RECONNECT_MAX);
                }
            }
            continue;
        };
        let (mut changed, mut access) = (false, false);
        let mut heard = |n: postgres::Notification| {
            if n.payload() == instance {
                return;
            }
            match n.channel() {
                CHANGES_CHANNEL => changed = true,
                ACCESS_CHANNEL => access = true,
                _ => {}
            }
        };
        // One notification (waiting a little for it), then every one already there.
        let first = conn.notifications().timeout_iter(LISTEN_POLL).next();
        let got = match first {
            Ok(Some(n)) => {
                heard(n);
                let mut notifications = conn.notifications();
                let mut rest = notifications.iter();
                loop {
                    match rest.next() {
                        Ok(Some(n)) => heard(n),
                        Ok(None) => break Ok(()),
                        Err(e) => break Err(e),
                    }
                }
            }
            Ok(None) => Ok(()),
            Err(e) => Err(e),
        };
        if access {
            on(Notice::AccessChanged);
        }
        if changed {
            on(Notice::Changed);
        }
        let mut lost = got.err().map(|e| describe(&e));
        if lost.is_none() && conn.is_closed() {
            lost = Some("the connection closed".into());
        }
        if lost.is_none() && checked.elapsed() >= LISTEN_PING {
            checked = Instant::now();
            if let Err(e) = conn.is_valid(LISTEN_PING) {
                lost = Some(describe(&e));
            }
        }
        if let Some(why) = lost {
            tracing::warn!(error = %why, "lost the connection listening for other instances' changes");
            client = None;
        }
    }
}

// --- the pool ----------------------------------------------------------------------------------

struct Pool {
    config: Config,
    size: usize,
    state: Mutex<PoolState>,
    freed: Condvar,
}

struct PoolState {
    idle: Vec<Conn>,
    /// Connections open (idle or checked out).
    open: usize,
}

/// The driver closes a connection by blocking on its own runtime, which panics on a thread that
/// drives async tasks: the backend (and its idle connections) may be dropped on one (head office
/// shutting down, a test ending), so the connections are closed on a thread of their own then.
impl Drop for Pool {
    fn drop(&mut self) {
        let idle = std::mem::take(&mut self.lock().idle);
        if idle.is_empty() {
            return;
        }
        if tokio::runtime::Handle::try_current().is_ok() {
            let _ = std::thread::Builder::new().name("pg-close".into()).spawn(move || drop(idle));
        } else {
            drop(idle);
        }
    }
}

impl Pool {
    fn lock(&self) -> MutexGuard<'_, PoolState> {
        // The state is a list and a count, consistent after every line: a panic elsewhere
        // while it was held cannot leave it half-changed.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// An idle connection, or a new one while fewer than `size` are open, or the first one
    /// given back within [`CHECKOUT_TIMEOUT`].
    fn get(&self) -> Result<Pooled<'_>> {
        let deadline = Instant::now() + CHECKOUT_TIMEOUT;
        let mut state = self.lock();
        loop {
            if let Some(conn) = state.idle.pop() {
                return Ok(Pooled { pool: self, conn: Some(conn) });
            }
            if state.open < self.size {
                state.open += 1;
                drop(state);
                return match self.config.connect(NoTls) {
                    Ok(client) => Ok(Pooled { pool: self, conn: Some(Conn::new(client)) }),
                    Err(e) => {
                        self.lock().open -= 1;
                        self.freed.notify_one();
                        Err(Error::Internal(format!("connecting to PostgreSQL: {}", describe(&e))))
                    }
                };
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(Error::Internal(format!(
                    "no database connection came free within {} s (pool of {})",
                    CHECKOUT_TIMEOUT.as_secs(),
                    self.size
                )));
            }
            state = self
                .freed
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .0;
        }
    }

    /// A connection with a transaction begun by `begin`. A connection found dead (the server
    /// restarted since it was last used) is dropped and the next one tried: nothing was done
    /// on it, so trying again is safe. Every idle connection may be dead, hence `size + 1`.
    fn begin(&self, begin: &str) -> Result<Pooled<'_>> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut conn = self.get()?;
            match conn.client.batch_execute(begin) {
                Ok(()) => {
                    conn.in_transaction = true;
                    return Ok(conn);
                }
                Err(e) => {
                    let dead = is_connection_lost(&e) || conn.client.is_closed();
                    let err = conn.failed(e, begin);
                    // Whatever state it is in, this connection is not reused.
                    conn.broken = true;
                    if !dead || attempt > self.size {
                        return Err(err);
                    }
                }
            }
        }
    }
}

/// A driver error in full: the server's message, detail, hint and SQLSTATE, or the cause
/// (the driver's own `Display` says only "db error").
fn describe(e: &postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        let mut out = format!("{}: {}", db.severity(), db.message());
        if let Some(detail) = db.detail() {
            let _ = write!(out, " ({detail})");
        }
        if let Some(hint) = db.hint() {
            let _ = write!(out, " (hint: {hint})");
        }
        let _ = write!(out, " [{}]", db.code().code());
        return out;
    }
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            let _ = write!(out, ": {text}");
        }
        source = s.source();
    }
    out
}

/// Whether an error says the connection is gone (rather than that the statement failed).
fn is_connection_lost(e: &postgres::Error) -> bool {
    if e.is_closed() {
        return true;
    }
    match e.code() {
        // 08: connection exception; 57P01..03: the server shut down or is starting.
        Some(code) => code.code().starts_with("08") || code.code().starts_with("57P"),
        None => e.source().is_some_and(|s| s.is::<std::io::Error>()),
    }
}

/// A connection checked out of the pool; back in on drop, unless it broke or a transaction
/// was left open on it (a panic in the rules), then closed (which rolls the transaction back).
struct Pooled<'a> {
    pool: &'a Pool,
    conn: Option<Conn>,
}

impl std::ops::Deref for Pooled<'_> {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        self.conn
            .as_ref()
            .unwrap_or_else(|| unreachable!("a pooled connection is present until dropped"))
    }
}

impl std::ops::DerefMut for Pooled<'_> {
    fn deref_mut(&mut self) -> &mut Conn {
        self.conn
            .as_mut()
            .unwrap_or_else(|| unreachable!("a pooled connection is present until dropped"))
    }
}

impl Drop for Pooled<'_> {
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else { return };
        let reusable = !conn.broken && !conn.in_transaction && !conn.client.is_closed();
        let mut state = self.pool.lock();
        if reusable {
            state.idle.push(conn);
        } else {
            state.open -= 1;
            drop(state);
            drop(conn);
        }
        self.pool.freed.notify_one();
    }
}

/// One connection with its prepared statements.
struct Conn {
    client: Client,
    /// By the portable SQL's text: the statement and its column names.
    statements: HashMap<String, (Statement, Arc<[String]>)>,
    in_transaction: bool,
    broken: bool,
}

impl Conn {
    fn new(client: Client) -> Conn {
        Conn { client, statements: HashMap::new(), in_transaction: false, broken: false }
    }

    fn statement(&mut self, sql: &str) -> Result<(Statement, Arc<[String]>)> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let stmt =
            self.client.prepare(&dollar_placeholders(sql)).map_err(|e| self.failed(e, sql))?;
        let columns: Arc<[String]> = stmt.columns().iter().map(|c| c.name().to_owned()).collect();
        if self.statements.len() >= STATEMENT_CACHE {
            self.statements.clear();
        }
        self.statements.insert(sql.to_owned(), (stmt.clone(), columns.clone()));
        Ok((stmt, columns))
    }

    /// The error of a statement, with the statement; a lost connection is marked broken.
    fn failed(&mut self, e: postgres::Error, sql: &str) -> Error {
        if is_connection_lost(&e) || self.client.is_closed() {
            self.broken = true;
        }
        let mut message = format!("postgres: {}", describe(&e));
        let sql = sql.split_whitespace().collect::<Vec<_>>().join(" ");
        let shown: String = sql.chars().take(300).collect();
        let _ = write!(message, " in: {shown}{}", if shown.len() < sql.len() { "…" } else { "" });
        Error::Internal(message)
    }
}

// --- Db --------------------------------------------------------------------------------------

/// A pooled connection with a transaction open on it.
struct PgDb<'a> {
    conn: RefCell<&'a mut Conn>,
    /// The instance's id, which its notifications carry.
    instance: &'a str,
    /// What is held back to go with the next statement that must see it, or with the commit
    /// ([`Db::execute_later`]), in order.
    deferred: RefCell<Vec<Deferred>>,
}

/// A statement held back by [`PgDb`].
#[derive(Debug, Clone, PartialEq)]
enum Deferred {
    /// `SAVEPOINT name`: kept back too, so that an entry refused before anything of it was
    /// sent costs no round trip to undo, and one that succeeded none to release.
    Savepoint(String),
    /// A whole statement, its parameters written into it as literals.
    Sql(String),
}

impl<'a> PgDb<'a> {
    fn new(conn: &'a mut Conn, instance: &'a str) -> PgDb<'a> {
        PgDb { conn: RefCell::new(conn), instance, deferred: RefCell::new(Vec::new()) }
    }

    /// The held-back statements as one batch (each followed by `; `), emptied.
    fn take_deferred(&self) -> String {
        let mut out = String::new();
        for d in self.deferred.borrow_mut().drain(..) {
            match d {
                Deferred::Savepoint(name) => {
                    let _ = write!(out, "SAVEPOINT {name}; ");
                }
                Deferred::Sql(sql) => {
                    out.push_str(&sql);
                    out.push_str("; ");
                }
            }
        }
        out
    }

    /// Sends what is held back, before a statement that must see it: everything before a
    /// write, and before a read only when a held-back write is among it (a savepoint alone
    /// changes nothing a read sees).
    fn flush(&self, before_write: bool) -> Result<()> {
        let pending = {
            let deferred = self.deferred.borrow();
            if before_write {
                !deferred.is_empty()
            } else {
                deferred.iter().any(|d| matches!(d, Deferred::Sql(_)))
            }
        };
        if !pending {
            return Ok(());
        }
        let sql = self.take_deferred();
        let mut conn = self.conn.borrow_mut();
        conn.client.batch_execute(&sql).map_err(|e| conn.failed(e, &sql))
    }
}

/// A value as an SQL literal PostgreSQL reads into whatever type the statement's column or
/// comparison has (like a parameter of unknown type): quoted text through the type's input
/// function, an escape string (`E'…'`) so that no setting changes how it reads.
fn literal(v: &Value) -> Result<String> {
    fn quoted(text: &str) -> String {
        format!("E'{}'", text.replace('\\', "\\\\").replace('\'', "''"))
    }
    Ok(match v {
        Value::Null => "NULL".to_owned(),
        Value::Int(i) => format!("'{i}'"),
        // Flags are booleans in PostgreSQL's schema; '1' and '0' read as a boolean or a number.
        Value::Bool(b) => (if *b { "'1'" } else { "'0'" }).to_owned(),
        Value::Real(r) if r.is_nan() => "'NaN'".to_owned(),
        Value::Real(r) if r.is_infinite() => {
            (if *r > 0.0 { "'Infinity'" } else { "'-Infinity'" }).to_owned()
        }
        // A whole number as one (it may fill an integer column, as a parameter may).
        Value::Real(r) if r.fract() == 0.0 && r.abs() < 9.0e15 => format!("'{}'", *r as i64),
        // `{:?}` writes the shortest text that reads back as the same f64.
        Value::Real(r) => format!("'{r:?}'"),
        Value::Text(t) if t.contains('\0') => {
            return Err(Error::invalid("text with a NUL character cannot be stored"));
        }
        Value::Text(t) => quoted(t),
        Value::Bytes(b) => {
            let mut hex = String::with_capacity(2 + b.len() * 2);
            hex.push_str("\\x");
            for byte in b {
                let _ = write!(hex, "{byte:02x}");
            }
            quoted(&hex)
        }
    })
}

/// `sql` with its placeholders replaced by `params` as literals.
fn inline(sql: &str, params: &[&dyn ToValue]) -> Result<String> {
    crate::db::rewrite_placeholders(sql, |n| match n.checked_sub(1).and_then(|i| params.get(i)) {
        Some(p) => literal(&p.to_value()),
        None => Err(Error::Internal(format!("no parameter {n} for: {sql}"))),
    })
}

/// A parameter, encoded as the type PostgreSQL inferred for it.
#[derive(Debug)]
struct Param(Value);

type BoxError = Box<dyn StdError + Sync + Send>;

impl ToSql for Param {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> std::result::Result<IsNull, BoxError> {
        encode(&self.0, ty, out)
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

fn params(p: &[&dyn ToValue]) -> Vec<Param> {
    p.iter().map(|v| Param(v.to_value())).collect()
}

fn cannot_bind(v: &Value, ty: &Type) -> BoxError {
    format!("cannot bind {v:?} to a parameter of type {ty}").into()
}

fn encode(v: &Value, ty: &Type, out: &mut BytesMut) -> std::result::Result<IsNull, BoxError> {
    let int = || -> std::result::Result<i64, BoxError> {
        match v {
            Value::Int(i) => Ok(*i),
            Value::Bool(b) => Ok(i64::from(*b)),
            Value::Real(r) if r.fract() == 0.0 && r.abs() < 9.0e15 => Ok(*r as i64),
            _ => Err(cannot_bind(v, ty)),
        }
    };
    match (v, ty) {
        (Value::Null, _) => Ok(IsNull::Yes),
        (_, &Type::INT8) => int()?.to_sql(ty, out),
        (_, &Type::INT4) => i32::try_from(int()?)?.to_sql(ty, out),
        (_, &Type::INT2) => i16::try_from(int()?)?.to_sql(ty, out),
        (Value::Bool(b), &Type::BOOL) => b.to_sql(ty, out),
        (Value::Int(i), &Type::BOOL) => (*i != 0).to_sql(ty, out),
        (Value::Real(r), &Type::FLOAT8) => r.to_sql(ty, out),
        (Value::Int(i), &Type::FLOAT8) => (*i as f64).to_sql(ty, out),
        (Value::Real(r), &Type::FLOAT4) => (*r as f32).to_sql(ty, out),
        (Value::Int(i), &Type::FLOAT4) => (*i as f32).to_sql(ty, out),
        (_, &Type::TEXT | &Type::VARCHAR | &Type::BPCHAR | &Type::NAME | &Type::UNKNOWN) => {
            let text = match v {
                Value::Text(s) => s.clone(),
                Value::Int(i) => i.to_string(),
                Value::Real(r) => r.to_string(),
                // As SQLite's json_extract reads a JSON boolean, and as it stores a bool.
                Value::Bool(b) => i64::from(*b).to_string(),
                _ => return Err(cannot_bind(v, ty)),
            };
            out.put_slice(text.as_bytes());
            Ok(IsNull::No)
        }
        (Value::Text(s), &Type::JSON) => {
            out.put_slice(s.as_bytes());
            Ok(IsNull::No)
        }
        (Value::Text(s), &Type::JSONB) => {
            out.put_u8(1); // jsonb's binary format version
            out.put_slice(s.as_bytes());
            Ok(IsNull::No)
        }
        (Value::Bytes(b), &Type::BYTEA) => b.as_slice().to_sql(ty, out),
        (Value::Text(s), &Type::BYTEA) => s.as_bytes().to_sql(ty, out),
        _ => Err(cannot_bind(v, ty)),
    }
}

/// A column, decoded from PostgreSQL's binary format into a [`Value`].
struct Col(Value);

impl<'a> FromSql<'a> for Col {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> std::result::Result<Col, BoxError> {
        decode(ty, raw).map(Col)
    }

    fn from_sql_null(_: &Type) -> std::result::Result<Col, BoxError> {
        Ok(Col(Value::Null))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

fn decode(ty: &Type, raw: &[u8]) -> std::result::Result<Value, BoxError> {
    Ok(match *ty {
        Type::BOOL => Value::Bool(bool::from_sql(ty, raw)?),
        Type::INT2 => Value::Int(i16::from_sql(ty, raw)?.into()),
        Type::INT4 => Value::Int(i32::from_sql(ty, raw)?.into()),
        Type::INT8 => Value::Int(i64::from_sql(ty, raw)?),
        Type::OID => Value::Int(u32::from_sql(ty, raw)?.into()),
        Type::FLOAT4 => Value::Real(f32::from_sql(ty, raw)?.into()),
        Type::FLOAT8 => Value::Real(f64::from_sql(ty, raw)?),
        Type::NUMERIC => numeric(raw)?,
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN | Type::JSON => {
            Value::Text(std::str::from_utf8(raw)?.to_owned())
        }
        Type::JSONB => match raw.split_first() {
            Some((1, text)) => Value::Text(std::str::from_utf8(text)?.to_owned()),
            _ => return Err("unsupported jsonb format version".into()),
        },
        Type::BYTEA => Value::Bytes(raw.to_vec()),
        _ => {
            return Err(format!(
                "a column of type {ty} has no Value: CAST it to BIGINT, DOUBLE PRECISION, TEXT or \
                 BOOLEAN in the SQL"
            )
            .into());
        }
    })
}

/// PostgreSQL's binary NUMERIC: `ndigits`, `weight`, `sign`, `dscale` (each 16 bits), then
/// `ndigits` base-10000 digits, the first worth 10000^weight. A whole number with no decimal
/// places (`SUM` of integers) that fits comes back as [`Value::Int`], anything else as the
/// nearest [`Value::Real`] (`AVG`).
fn numeric(raw: &[u8]) -> std::result::Result<Value, BoxError> {
    let word = |i: usize| -> std::result::Result<u16, BoxError> {
        raw.get(i * 2..i * 2 + 2)
            .map(|b| u16::from_be_bytes([b[0], b[1]]))
            .ok_or_else(|| "truncated numeric".into())
    };
    let ndigits = usize::from(word(0)?);
    let weight = i32::from(word(1)? as i16);
    let sign = word(2)?;
    let dscale = word(3)?;
    if raw.len() != 8 + 2 * ndigits {
        return Err("malformed numeric".into());
    }
    let negative = match sign {
        0x0000 => false,
        0x4000 => true,
        0xC000 => return Ok(Value::Real(f64::NAN)),
        0xD000 => return Ok(Value::Real(f64::INFINITY)),
        0xF000 => return Ok(Value::Real(f64::NEG_INFINITY)),
        _ => return Err(format!("numeric with sign {sign:#x}").into()),
    };
    let mut digits = Vec::with_capacity(ndigits);
    for i in 0..ndigits {
        let d = word(4 + i)?;
        if d >= 10_000 {
            return Err("malformed numeric digit".into());
        }
        digits.push(d);
    }
    // The digit worth 10000^(weight - i), 0 beyond those stored.
    let digit = |i: i32| -> u16 {
        usize::try_from(i).ok().and_then(|i| digits.get(i)).copied().unwrap_or(0)
    };
    let whole = ndigits == 0 || (ndigits as i32) <= weight + 1;
    if dscale == 0 && whole {
        let mut acc: Option<i128> = Some(0);
        for i in 0..=weight.max(-1) {
            acc = acc
                .and_then(|a| a.checked_mul(10_000))
                .and_then(|a| a.checked_add(i128::from(digit(i))));
        }
        if let Some(i) =
            acc.map(|a| if negative { -a } else { a }).and_then(|a| i64::try_from(a).ok())
        {
            return Ok(Value::Int(i));
        }
    }
    // The decimal text, parsed: correctly rounded, unlike a sum of powers.
    let mut text = String::with_capacity(8 + 4 * ndigits);
    if negative {
        text.push('-');
    }
    if weight < 0 {
        text.push('0');
    } else {
        for i in 0..=weight {
            if i == 0 {
                let _ = write!(text, "{}", digit(i));
            } else {
                let _ = write!(text, "{:04}", digit(i));
            }
        }
    }
    text.push('.');
    let mut i = weight + 1;
    while i < ndigits as i32 {
        let _ = write!(text, "{:04}", digit(i));
        i += 1;
    }
    text.push('0');
    Ok(Value::Real(text.parse()?))
}

impl Db for PgDb<'_> {
    fn execute(&self, sql: &str, p: &[&dyn ToValue]) -> Result<usize> {
        self.flush(true)?;
        let mut conn = self.conn.borrow_mut();
        let (stmt, _) = conn.statement(sql)?;
        let p = params(p);
        let args: Vec<&(dyn ToSql + Sync)> = p.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        let n = conn.client.execute(&stmt, &args).map_err(|e| conn.failed(e, sql))?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    fn execute_later(&self, sql: &str, p: &[&dyn ToValue]) -> Result<()> {
        let statement = inline(sql, p)?;
        self.deferred.borrow_mut().push(Deferred::Sql(statement));
        Ok(())
    }

    fn query(&self, sql: &str, p: &[&dyn ToValue]) -> Result<Vec<Row>> {
        self.flush(false)?;
        let mut conn = self.conn.borrow_mut();
        let (stmt, columns) = conn.statement(sql)?;
        let p = params(p);
        let args: Vec<&(dyn ToSql + Sync)> = p.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        let rows = conn.client.query(&stmt, &args).map_err(|e| conn.failed(e, sql))?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let mut values = Vec::with_capacity(columns.len());
            for i in 0..columns.len() {
                let Col(v) = row.try_get(i).map_err(|e| conn.failed(e, sql))?;
                values.push(v);
            }
            out.push(Row::new(columns.clone(), values));
        }
        Ok(out)
    }

    /// Savepoints are held back with the writes (see [`Deferred::Savepoint`]): releasing one
    /// still held back just forgets it, rolling back to one still held back drops it and what
    /// followed it, unsent. Anything else is sent at once, after what is held back.
    fn batch(&self, sql: &str) -> Result<()> {
        let words: Vec<&str> = sql.split_whitespace().collect();
        let held = |name: &str| {
            self.deferred.borrow().iter().rposition(|d| *d == Deferred::Savepoint(name.to_owned()))
        };
        match words.as_slice() {
            ["SAVEPOINT", name] => {
                self.deferred.borrow_mut().push(Deferred::Savepoint((*name).to_owned()));
                return Ok(());
            }
            ["RELEASE", "SAVEPOINT", name] => {
                if let Some(i) = held(name) {
                    self.deferred.borrow_mut().remove(i);
                } else {
                    self.deferred.borrow_mut().push(Deferred::Sql(sql.to_owned()));
                }
                return Ok(());
            }
            ["ROLLBACK", "TO", "SAVEPOINT", a, "RELEASE", "SAVEPOINT", b]
                if a.strip_suffix(';') == Some(*b) =>
            {
                if let Some(i) = held(b) {
                    self.deferred.borrow_mut().truncate(i);
                } else {
                    self.deferred.borrow_mut().push(Deferred::Sql(sql.to_owned()));
                }
                return Ok(());
            }
            _ => {}
        }
        let sql = format!("{}{sql}", self.take_deferred());
        let mut conn = self.conn.borrow_mut();
        conn.client.batch_execute(&sql).map_err(|e| conn.failed(e, &sql))
    }

    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    /// `pg_notify` inside the transaction: delivered to every listening instance at commit.
    fn announce(&self, notice: Notice) -> Result<()> {
        let channel = match notice {
            Notice::Changed => CHANGES_CHANNEL,
            Notice::AccessChanged => ACCESS_CHANNEL,
        };
        self.execute_later("SELECT pg_notify(?1, ?2)", &[&channel, &self.instance])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// NUMERIC's binary form of (digits, weight, negative, dscale).
    fn numeric_bytes(digits: &[u16], weight: i16, negative: bool, dscale: u16) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend((digits.len() as u16).to_be_bytes());
        out.extend(weight.to_be_bytes());
        out.extend((if negative { 0x4000_u16 } else { 0 }).to_be_bytes());
        out.extend(dscale.to_be_bytes());
        for d in digits {
            out.extend(d.to_be_bytes());
        }
        out
    }

    #[test]
    fn numeric_decodes_whole_numbers_as_integers_and_the_rest_as_reals() {
        let n = |digits: &[u16], weight, negative, dscale| {
            numeric(&numeric_bytes(digits, weight, negative, dscale)).ok()
        };
        assert_eq!(n(&[], 0, false, 0), Some(Value::Int(0)));
        assert_eq!(n(&[42], 0, false, 0), Some(Value::Int(42)));
        // 12,345,678 = 1234 5678; 10,000 = 1 (weight 1, trailing zero groups not stored)
        assert_eq!(n(&[1234, 5678], 1, false, 0), Some(Value::Int(12_345_678)));
        assert_eq!(n(&[1], 1, true, 0), Some(Value::Int(-10_000)));
        // i64::MAX + 1 does not fit: a real
        assert_eq!(
            n(&[922, 3372, 368, 5477, 5808], 4, false, 0),
            Some(Value::Real(9_223_372_036_854_775_808.0))
        );
        // 3.25 = 3 . 2500 (dscale 2); 3.0 with decimals (AVG) stays a real
        assert_eq!(n(&[3, 2500], 0, false, 2), Some(Value::Real(3.25)));
        assert_eq!(n(&[3], 0, false, 16), Some(Value::Real(3.0)));
        // 0.000012 = 0.0000 0012 → weight -2, digit 1200
        assert_eq!(n(&[1200], -2, true, 6), Some(Value::Real(-0.000012)));
        assert!(numeric(&[0, 1]).is_err());
    }

    #[test]
    fn parameters_convert_to_the_inferred_type() {
        let enc = |v: Value, ty: Type| {
            let mut out = BytesMut::new();
            encode(&v, &ty, &mut out).map(|n| (matches!(n, IsNull::Yes), out.to_vec())).ok()
        };
        assert_eq!(enc(Value::Bool(true), Type::INT8), Some((false, 1_i64.to_be_bytes().to_vec())));
        assert_eq!(enc(Value::Int(0), Type::BOOL), Some((false, vec![0])));
        assert_eq!(enc(Value::Int(7), Type::TEXT), Some((false, b"7".to_vec())));
        assert_eq!(enc(Value::Null, Type::INT8), Some((true, vec![])));
        assert_eq!(enc(Value::Text("{}".into()), Type::JSONB), Some((false, b"\x01{}".to_vec())));
        assert!(enc(Value::Int(1 << 40), Type::INT4).is_none());
        assert!(enc(Value::Real(1.5), Type::INT8).is_none());
        assert!(enc(Value::Text("x".into()), Type::INT8).is_none());
        assert!(enc(Value::Int(1), Type::TIMESTAMPTZ).is_none());
    }
}
