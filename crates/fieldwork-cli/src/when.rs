//! Reading and showing times as people type and read them: local time.

use chrono::{DateTime, Local, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use fieldwork_core::CoreError;

/// Reads `2026-11-22T09:30:00Z`, `2026-11-22 09:30` (local) or `09:30` (today, local).
pub fn parse_instant(text: &str, today: NaiveDate) -> Result<DateTime<Utc>, CoreError> {
    let t = text.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Ok(dt.with_timezone(&Utc));
    }
    let naive = NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M"))
        .or_else(|_| NaiveTime::parse_from_str(t, "%H:%M").map(|time| today.and_time(time)));
    let naive = naive.map_err(|_| {
        CoreError::invalid(
            "time",
            format!("{t:?} is not a time; use 09:30, \"2026-11-22 09:30\" or RFC 3339"),
        )
    })?;
    Local
        .from_local_datetime(&naive)
        .earliest()
        .map(|d| d.with_timezone(&Utc))
        .ok_or_else(|| CoreError::invalid("time", format!("{t:?} does not exist in local time")))
}

/// `2026-11-22 09:30` in local time.
pub fn local(t: DateTime<Utc>) -> String {
    t.with_timezone(&Local).format("%Y-%m-%d %H:%M").to_string()
}

/// `09:30–11:00` (same day) or the full start when the window spans days.
pub fn window(start: Option<DateTime<Utc>>, end: Option<DateTime<Utc>>) -> String {
    match (start, end) {
        (Some(s), Some(e)) => {
            let (s, e) = (s.with_timezone(&Local), e.with_timezone(&Local));
            if s.date_naive() == e.date_naive() {
                format!("{}–{}", s.format("%m-%d %H:%M"), e.format("%H:%M"))
            } else {
                format!("{}–{}", s.format("%m-%d %H:%M"), e.format("%m-%d %H:%M"))
            }
        }
        (Some(s), None) => local(s),
        _ => String::from("unscheduled"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_and_local_forms_are_read() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let z = parse_instant("2026-11-22T09:30:00Z", today).unwrap();
        assert_eq!(z.to_rfc3339(), "2026-11-22T09:30:00+00:00");
        let a = parse_instant("2026-11-22 09:30", today).unwrap();
        let b = parse_instant("09:30", today).unwrap();
        assert_eq!(a, b);
        assert!(parse_instant("half past nine", today).is_err());
    }
}
