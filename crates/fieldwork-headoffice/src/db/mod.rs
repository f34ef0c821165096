//! The narrow interface between head office's rules and its storage: run one SQL statement
//! inside the current transaction, get rows of plain values back.
//!
//! The rules (`crate::service`) are written once, in one portable SQL dialect, against
//! [`Db`]. A backend only opens connections, runs transactions, migrates its schema and runs
//! statements: [`sqlite`] (the embedded default) and the PostgreSQL one. What the portable
//! dialect is:
//!
//! - placeholders `?1`, `?2`… (a backend rewrites them to its own);
//! - `INSERT … ON CONFLICT … DO NOTHING / DO UPDATE`, `RETURNING`, `COALESCE`, `CASE`, `EXISTS`,
//!   `TRUE` / `FALSE`, `CAST(x AS BIGINT)`, `lower(x) LIKE lower(?n)` (SQLite's `LIKE` ignores
//!   ASCII case, PostgreSQL's does not, so case-blind matching says so with `lower`);
//! - `json_extract(text, '$.a.b')` reading a field of a JSON body as text or number (PostgreSQL's
//!   schema defines it);
//! - integers are 64-bit, flags are booleans, instants are milliseconds since the epoch (an
//!   integer), bodies are JSON text.
//!
//! Values cross the interface as [`Value`]s: a backend converts a parameter to the type the
//! statement needs (a `bool` bound to an integer column is 0 or 1) and a column to the nearest
//! [`Value`]; [`FromValue`] accepts the harmless differences (a boolean read as an integer).

pub mod postgres;
pub mod sqlite;

use crate::error::{Error, Result};

/// One SQL value, as it crosses between the rules and a backend.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Bytes(Vec<u8>),
    Bool(bool),
}

/// Which SQL a backend speaks, for the rare statement that cannot be written portably (the
/// rules should almost never need it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// A statement's parameter.
pub trait ToValue {
    fn to_value(&self) -> Value;
}

/// A column's value read back.
pub trait FromValue: Sized {
    fn from_value(v: &Value) -> Result<Self>;
}

/// One row of a result, with its column names.
#[derive(Debug, Clone)]
pub struct Row {
    columns: std::sync::Arc<[String]>,
    values: Vec<Value>,
}

/// A column by position (from 0) or by name.
pub trait ColumnIndex {
    fn index_in(&self, columns: &[String]) -> Option<usize>;
    fn describe(&self) -> String;
}

impl ColumnIndex for usize {
    fn index_in(&self, columns: &[String]) -> Option<usize> {
        (*self < columns.len()).then_some(*self)
    }
    fn describe(&self) -> String {
        format!("column {self}")
    }
}

impl ColumnIndex for &str {
    fn index_in(&self, columns: &[String]) -> Option<usize> {
        columns.iter().position(|c| c == self)
    }
    fn describe(&self) -> String {
        format!("column {self:?}")
    }
}

impl Row {
    pub fn new(columns: std::sync::Arc<[String]>, values: Vec<Value>) -> Row {
        Row { columns, values }
    }

    /// The value of a column, converted.
    pub fn get<T: FromValue>(&self, index: impl ColumnIndex) -> Result<T> {
        let i = index
            .index_in(&self.columns)
            .ok_or_else(|| Error::Internal(format!("no {} in the row", index.describe())))?;
        T::from_value(&self.values[i])
            .map_err(|e| Error::Internal(format!("{}: {e}", index.describe())))
    }

    pub fn values(&self) -> &[Value] {
        &self.values
    }

    pub fn columns(&self) -> &[String] {
        &self.columns
    }
}

/// One open transaction of a backend. Every method runs one statement in it.
pub trait Db {
    /// Runs a statement; returns how many rows it changed.
    fn execute(&self, sql: &str, params: &[&dyn ToValue]) -> Result<usize>;
    /// Runs a write whose changed-row count nobody needs (an `INSERT`, `UPDATE` or
    /// `SELECT pg_notify`, whose parameters only fill columns or compare with them). A backend
    /// may hold it back and send it with the next statement that must see it, or with the commit:
    /// on PostgreSQL every statement is a round trip made while every instance waits for the
    /// write lock, and a push's bookkeeping rows are sent together this way. Its error, if any,
    /// then fails the transaction at that later point (it is rolled back whole, as for any error).
    fn execute_later(&self, sql: &str, params: &[&dyn ToValue]) -> Result<()> {
        self.execute(sql, params).map(|_| ())
    }
    /// Runs a query and returns all its rows (queries are bounded by the rules with `LIMIT`
    /// where a result could grow).
    fn query(&self, sql: &str, params: &[&dyn ToValue]) -> Result<Vec<Row>>;
    /// Runs statements without parameters, separated by `;` (savepoints, schema).
    fn batch(&self, sql: &str) -> Result<()>;
    fn dialect(&self) -> Dialect;
    /// Tells the other instances sharing this database, when (and only if) this transaction
    /// commits: PostgreSQL's `NOTIFY`, heard by their [`Watch`]. Nothing on a backend only one
    /// instance uses (SQLite).
    fn announce(&self, _notice: Notice) -> Result<()> {
        Ok(())
    }
}

/// What one head-office instance tells the others sharing its database (so their open
/// consoles hear of it as fast as its own do).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Notice {
    /// Something a console shows changed (`crate::events::Events::changed`).
    Changed,
    /// Some session may have lost its access: signed out, user disabled or changed, sessions
    /// ended (`crate::events::Events::access_changed`).
    AccessChanged,
}

/// A running watch of what other instances commit: a thread of the backend's (see
/// `postgres::PgBackend::watch`) that calls its listener for every [`Notice`] it hears. It
/// stops when the `Watch` is dropped (within a fraction of a second; [`Watch::stop`] also
/// waits for the thread to end).
#[derive(Debug)]
pub struct Watch {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Watch {
    /// Runs `body` on a thread named `name`; `body` returns once the flag it is given is set.
    pub fn spawn(
        name: &str,
        body: impl FnOnce(&std::sync::atomic::AtomicBool) + Send + 'static,
    ) -> Result<Watch> {
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        let thread =
            std::thread::Builder::new().name(name.to_owned()).spawn(move || body(&flag))?;
        Ok(Watch { stop, thread: Some(thread) })
    }

    /// Stops the watch and waits for its thread (blocking: not on an async worker).
    pub fn stop(mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }

    /// Whether the watch's thread has ended.
    pub fn is_finished(&self) -> bool {
        self.thread.as_ref().is_none_or(std::thread::JoinHandle::is_finished)
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

/// A storage backend: opens transactions and runs the rules' closures in them, on the calling
/// (blocking) thread. What a backend promises:
///
/// - [`Backend::write`]: one transaction, committed if `f` returns `Ok`, rolled back otherwise;
///   write transactions are serialised (one at a time across every instance sharing the
///   database), so the change feed's versions, taken from a counter inside the transaction,
///   commit in the order they are numbered: a reader never sees version n+1 without n.
/// - [`Backend::read`]: one consistent snapshot (reads run concurrently with each other and
///   with a write).
///
/// [`Backend::concurrency`] says how many of each are worth running at once: the service waits
/// (without holding a thread) for one of those slots before it starts a transaction, so a burst
/// of requests queues instead of opening connections or parking threads by the hundred.
pub trait Backend: Send + Sync + std::fmt::Debug + 'static {
    fn write<T>(&self, f: impl FnOnce(&dyn Db) -> Result<T>) -> Result<T>;
    fn read<T>(&self, f: impl FnOnce(&dyn Db) -> Result<T>) -> Result<T>;
    /// How many (read, write) transactions this instance runs at once, at most.
    fn concurrency(&self) -> (usize, usize);
}

impl dyn Db + '_ {
    /// The first row mapped by `f`; [`Error::NotFound`] when there is none.
    pub fn query_row<T>(
        &self,
        sql: &str,
        params: &[&dyn ToValue],
        f: impl FnOnce(&Row) -> Result<T>,
    ) -> Result<T> {
        self.query_opt(sql, params, f)?.ok_or(Error::NotFound)
    }

    /// The first row mapped by `f`, if there is one.
    pub fn query_opt<T>(
        &self,
        sql: &str,
        params: &[&dyn ToValue],
        f: impl FnOnce(&Row) -> Result<T>,
    ) -> Result<Option<T>> {
        self.query(sql, params)?.first().map(f).transpose()
    }

    /// Every row mapped by `f`.
    pub fn query_map<T>(
        &self,
        sql: &str,
        params: &[&dyn ToValue],
        f: impl FnMut(&Row) -> Result<T>,
    ) -> Result<Vec<T>> {
        self.query(sql, params)?.iter().map(f).collect()
    }

    /// The first column of the first row, if there is a row.
    pub fn value<T: FromValue>(&self, sql: &str, params: &[&dyn ToValue]) -> Result<Option<T>> {
        self.query_opt(sql, params, |r| r.get(0))
    }

    /// Whether the query returns a row.
    pub fn exists(&self, sql: &str, params: &[&dyn ToValue]) -> Result<bool> {
        Ok(!self.query(sql, params)?.is_empty())
    }

    /// Reads one JSON `body` column (the first column of the first row).
    pub fn body<T: serde::de::DeserializeOwned>(
        &self,
        sql: &str,
        params: &[&dyn ToValue],
    ) -> Result<Option<T>> {
        let text: Option<String> = self.value(sql, params)?;
        text.map(|t| serde_json::from_str(&t).map_err(Error::from)).transpose()
    }

    /// Reads the JSON `body` column (the first) of every row.
    pub fn bodies<T: serde::de::DeserializeOwned>(
        &self,
        sql: &str,
        params: &[&dyn ToValue],
    ) -> Result<Vec<T>> {
        self.query_map(sql, params, |r| Ok(serde_json::from_str(&r.get::<String>(0)?)?))
    }
}

// --- parameters ------------------------------------------------------------------------------

impl<T: ToValue + ?Sized> ToValue for &T {
    fn to_value(&self) -> Value {
        (**self).to_value()
    }
}

impl<T: ToValue> ToValue for Option<T> {
    fn to_value(&self) -> Value {
        self.as_ref().map_or(Value::Null, ToValue::to_value)
    }
}

impl ToValue for Value {
    fn to_value(&self) -> Value {
        self.clone()
    }
}

impl ToValue for str {
    fn to_value(&self) -> Value {
        Value::Text(self.to_owned())
    }
}

impl ToValue for String {
    fn to_value(&self) -> Value {
        Value::Text(self.clone())
    }
}

impl ToValue for bool {
    fn to_value(&self) -> Value {
        Value::Bool(*self)
    }
}

impl ToValue for f64 {
    fn to_value(&self) -> Value {
        Value::Real(*self)
    }
}

impl ToValue for [u8] {
    fn to_value(&self) -> Value {
        Value::Bytes(self.to_vec())
    }
}

impl ToValue for Vec<u8> {
    fn to_value(&self) -> Value {
        Value::Bytes(self.clone())
    }
}

macro_rules! int_to_value {
    ($($t:ty),*) => {$(
        impl ToValue for $t {
            fn to_value(&self) -> Value {
                Value::Int(i64::try_from(*self).unwrap_or(i64::MAX))
            }
        }
    )*};
}
int_to_value!(i64, i32, i16, u8, u16, u32, u64, usize);

// --- columns ---------------------------------------------------------------------------------

fn mismatch(want: &str, v: &Value) -> Error {
    Error::Internal(format!("expected {want}, found {v:?}"))
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(v: &Value) -> Result<Self> {
        match v {
            Value::Null => Ok(None),
            v => T::from_value(v).map(Some),
        }
    }
}

impl FromValue for Value {
    fn from_value(v: &Value) -> Result<Self> {
        Ok(v.clone())
    }
}

impl FromValue for i64 {
    fn from_value(v: &Value) -> Result<Self> {
        match v {
            Value::Int(i) => Ok(*i),
            Value::Bool(b) => Ok(i64::from(*b)),
            // SQLite's `total()` and PostgreSQL's sums of integers may come back as reals.
            Value::Real(r) if r.fract() == 0.0 && r.abs() < 9.0e15 => Ok(*r as i64),
            v => Err(mismatch("an integer", v)),
        }
    }
}

macro_rules! int_from_value {
    ($($t:ty),*) => {$(
        impl FromValue for $t {
            fn from_value(v: &Value) -> Result<Self> {
                let i = i64::from_value(v)?;
                <$t>::try_from(i).map_err(|_| mismatch(stringify!($t), v))
            }
        }
    )*};
}
int_from_value!(i32, i16, u8, u16, u32, u64, usize);

impl FromValue for bool {
    fn from_value(v: &Value) -> Result<Self> {
        match v {
            Value::Bool(b) => Ok(*b),
            Value::Int(i) => Ok(*i != 0),
            v => Err(mismatch("a boolean", v)),
        }
    }
}

impl FromValue for f64 {
    fn from_value(v: &Value) -> Result<Self> {
        match v {
            Value::Real(r) => Ok(*r),
            Value::Int(i) => Ok(*i as f64),
            v => Err(mismatch("a number", v)),
        }
    }
}

impl FromValue for String {
    fn from_value(v: &Value) -> Result<Self> {
        match v {
            Value::Text(s) => Ok(s.clone()),
            // A JSON field read with json_extract is a number on SQLite, text on PostgreSQL.
            Value::Int(i) => Ok(i.to_string()),
            v => Err(mismatch("text", v)),
        }
    }
}

impl FromValue for Vec<u8> {
    fn from_value(v: &Value) -> Result<Self> {
        match v {
            Value::Bytes(b) => Ok(b.clone()),
            Value::Text(s) => Ok(s.clone().into_bytes()),
            v => Err(mismatch("bytes", v)),
        }
    }
}

/// Rewrites `?N` placeholders (and bare `?`, numbered in order) to `$N`, leaving quoted text
/// and identifiers alone: what a backend whose driver wants `$N` does with portable SQL.
pub fn dollar_placeholders(sql: &str) -> String {
    let dollars: std::result::Result<String, std::convert::Infallible> =
        rewrite_placeholders(sql, |n| Ok(format!("${n}")));
    match dollars {
        Ok(sql) => sql,
        Err(never) => match never {},
    }
}

/// Replaces each placeholder (`?N`, or a bare `?` numbered in order) outside quoted text and
/// identifiers with what `with` gives for its number.
pub fn rewrite_placeholders<E>(
    sql: &str,
    mut with: impl FnMut(usize) -> std::result::Result<String, E>,
) -> std::result::Result<String, E> {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut chars = sql.chars().peekable();
    let mut quote: Option<char> = None;
    let mut next = 1usize;
    while let Some(c) = chars.next() {
        if let Some(q) = quote {
            out.push(c);
            if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '\'' | '"' => {
                quote = Some(c);
                out.push(c);
            }
            '?' => {
                let mut digits = String::new();
                while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    digits.push(*d);
                    chars.next();
                }
                let n = if digits.is_empty() {
                    next += 1;
                    next - 1
                } else {
                    digits.parse().unwrap_or(usize::MAX)
                };
                out.push_str(&with(n)?);
            }
            c => out.push(c),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_dollars_outside_quotes() {
        assert_eq!(
            dollar_placeholders("SELECT a FROM t WHERE b = ?1 AND c = '?2' AND d = ?12"),
            "SELECT a FROM t WHERE b = $1 AND c = '?2' AND d = $12"
        );
        assert_eq!(dollar_placeholders("VALUES (?, ?)"), "VALUES ($1, $2)");
        assert_eq!(dollar_placeholders("SELECT \"q?\" FROM t"), "SELECT \"q?\" FROM t");
    }

    #[test]
    fn values_convert_where_the_backends_differ() {
        assert_eq!(i64::from_value(&Value::Bool(true)).ok(), Some(1));
        assert_eq!(bool::from_value(&Value::Int(0)).ok(), Some(false));
        assert_eq!(String::from_value(&Value::Int(42)).ok().as_deref(), Some("42"));
        assert_eq!(Option::<i64>::from_value(&Value::Null).ok(), Some(None));
        assert!(i64::from_value(&Value::Text("x".into())).is_err());
        assert!(u32::from_value(&Value::Int(-1)).is_err());
    }
}
