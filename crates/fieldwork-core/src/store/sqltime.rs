//! Instants in the database: INTEGER milliseconds since the Unix epoch, UTC. Compact, fast to
//! compare and index, and free of text-format ambiguity. Also the domain's words (enums stored
//! as their snake_case names).

use std::str::FromStr;

use chrono::{DateTime, Utc};
use fieldwork_domain::RuleError;
use rusqlite::Error::FromSqlConversionFailure;
use rusqlite::Row;
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, Type, ValueRef};

/// A UTC instant as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Ms(pub DateTime<Utc>);

impl ToSql for Ms {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.0.timestamp_millis()))
    }
}

impl FromSql for Ms {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let ms = value.as_i64()?;
        DateTime::from_timestamp_millis(ms).map(Ms).ok_or(FromSqlError::OutOfRange(ms))
    }
}

/// Reads an instant column.
pub(crate) fn at(r: &Row<'_>, i: usize) -> rusqlite::Result<DateTime<Utc>> {
    Ok(r.get::<_, Ms>(i)?.0)
}

/// Reads a nullable instant column.
pub(crate) fn at_opt(r: &Row<'_>, i: usize) -> rusqlite::Result<Option<DateTime<Utc>>> {
    Ok(r.get::<_, Option<Ms>>(i)?.map(|m| m.0))
}

/// Reads a column holding one of the domain's words (`in_progress`, `before`): the domain's
/// enums convert to and from their words (`as_str`, `FromStr`), and the store writes `as_str`.
pub(crate) fn word<T: FromStr<Err = RuleError>>(r: &Row<'_>, i: usize) -> rusqlite::Result<T> {
    let text =
        r.get_ref(i)?.as_str().map_err(|e| FromSqlConversionFailure(i, Type::Text, e.into()))?;
    text.parse().map_err(|e: RuleError| FromSqlConversionFailure(i, Type::Text, Box::new(e)))
}

/// Reads a nullable column of words (see [`word`]).
pub(crate) fn word_opt<T: FromStr<Err = RuleError>>(
    r: &Row<'_>,
    i: usize,
) -> rusqlite::Result<Option<T>> {
    match r.get_ref(i)? {
        ValueRef::Null => Ok(None),
        _ => word(r, i).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_round_trip_through_sqlite_as_integers() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let t = DateTime::parse_from_rfc3339("2026-11-22T09:30:00.123Z").unwrap().to_utc();
        let (kind, back): (String, Ms) = conn
            .query_row("SELECT typeof(?1), ?1", [Ms(t)], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap();
        assert_eq!(kind, "integer");
        assert_eq!(back.0, t);
    }
}
