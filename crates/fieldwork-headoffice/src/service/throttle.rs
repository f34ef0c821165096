//! Failed sign-ins in the database (`sign_in_failures`, schema version 8), so that every
//! instance sharing it counts the same failures: with the count in each process's memory, N
//! instances behind a load balancer would give a guesser N times the tries. The policy (how
//! many failures are free, how long a lockout lasts) is [`crate::config::SignInThrottle`],
//! applied here with [`crate::ratelimit::lockout_after`]; [`crate::ratelimit::SignInFailures`]
//! is what the sign-in routes call.
//!
//! A failure is one write transaction (read the row, count, write it back): write transactions
//! run one at a time on both backends, so two instances recording failures of one name at once
//! both count.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::ms;
use crate::config::SignInThrottle;
use crate::db::Db;
use crate::error::Result;
use crate::ratelimit::lockout_after;

const USER: &str = "user";
const ADDRESS: &str = "address";

/// Milliseconds in a duration, as instants are stored.
fn duration_ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// How long the user name or the address is still locked out at `now`, the longer.
pub(crate) fn lockout(
    db: &dyn Db,
    user_key: &str,
    address: &str,
    now: DateTime<Utc>,
) -> Result<Option<Duration>> {
    // MAX over no rows is one row with NULL.
    let until: Option<i64> = db
        .value::<Option<i64>>(
            "SELECT MAX(locked_until) FROM sign_in_failures
             WHERE (kind = ?1 AND subject = ?2) OR (kind = ?3 AND subject = ?4)",
            &[&USER, &user_key, &ADDRESS, &address],
        )?
        .flatten();
    let left = until.unwrap_or(0).saturating_sub(ms(now));
    Ok((left > 0).then(|| Duration::from_millis(u64::try_from(left).unwrap_or(0))))
}

/// One more failure of `subject`: counted from 0 again when the last was `forget_after` ago;
/// beyond the free ones it locks the subject out (see [`lockout_after`]).
fn count_failure(
    db: &dyn Db,
    kind: &str,
    subject: &str,
    now: i64,
    (free, max, policy): (u32, Duration, &SignInThrottle),
) -> Result<()> {
    let row = db.query_opt(
        "SELECT failures, last_failed_at, locked_until FROM sign_in_failures
         WHERE kind = ?1 AND subject = ?2",
        &[&kind, &subject],
        |r| Ok((r.get::<u32>(0)?, r.get::<i64>(1)?, r.get::<i64>(2)?)),
    )?;
    let forget = duration_ms(policy.forget_after);
    let (count, locked_until) = match row {
        Some((count, last, locked_until)) if now.saturating_sub(last) < forget => {
            (count.saturating_add(1), locked_until)
        }
        Some((_, _, locked_until)) => (1, locked_until),
        None => (1, now),
    };
    let locked_until = match lockout_after(count, free, policy.first_lockout, max) {
        Some(lockout) => now.saturating_add(duration_ms(lockout)),
        None => locked_until,
    };
    db.execute(
        "INSERT INTO sign_in_failures (kind, subject, failures, last_failed_at, locked_until)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (kind, subject) DO UPDATE SET failures = excluded.failures,
             last_failed_at = excluded.last_failed_at, locked_until = excluded.locked_until",
        &[&kind, &subject, &count, &now, &locked_until],
    )?;
    Ok(())
}

/// A wrong user name or password from `address`. Rows whose failures are forgotten and whose
/// lockout is over are deleted on the way, so the table holds only the recent guessers.
pub(crate) fn failed(
    db: &dyn Db,
    user_key: &str,
    address: &str,
    policy: &SignInThrottle,
    now: DateTime<Utc>,
) -> Result<()> {
    let now = ms(now);
    db.execute(
        "DELETE FROM sign_in_failures WHERE last_failed_at < ?1 AND locked_until < ?2",
        &[&now.saturating_sub(duration_ms(policy.forget_after)), &now],
    )?;
    count_failure(
        db,
        USER,
        user_key,
        now,
        (policy.free_failures, policy.max_user_lockout, policy),
    )?;
    count_failure(
        db,
        ADDRESS,
        address,
        now,
        (policy.free_failures_per_address, policy.max_address_lockout, policy),
    )
}

/// Whether the user name has failures on record.
pub(crate) fn has_failures(db: &dyn Db, user_key: &str) -> Result<bool> {
    db.exists(
        "SELECT 1 FROM sign_in_failures WHERE kind = ?1 AND subject = ?2",
        &[&USER, &user_key],
    )
}

/// A correct password: the user name's failures are forgiven (the address's are not).
pub(crate) fn forgive(db: &dyn Db, user_key: &str) -> Result<()> {
    db.execute(
        "DELETE FROM sign_in_failures WHERE kind = ?1 AND subject = ?2",
        &[&USER, &user_key],
    )?;
    Ok(())
}
