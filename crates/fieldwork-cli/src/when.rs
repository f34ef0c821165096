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

/// Fuzzing-style property tests (issue 17, point 5): whatever is typed as a time, the reading
/// never panics and answers a time or a clear `invalid` error on the time; what the CLI writes
/// reads back. proptest's default 256 cases each, or `PROPTEST_CASES` (`make fuzz`).
#[cfg(test)]
mod hostile {
    use chrono::{Datelike, LocalResult, Timelike};
    use fieldwork_core::ErrorCode;
    use proptest::prelude::*;

    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    fn check(text: &str, today: NaiveDate) -> Result<(), TestCaseError> {
        if let Err(e) = parse_instant(text, today) {
            prop_assert_eq!(e.code(), ErrorCode::Invalid, "{}", e);
            prop_assert!(e.to_string().starts_with("time"), "{e}");
        }
        Ok(())
    }

    /// Any instant from year 2 to 9998, to the second (so every offset keeps a 4-digit year).
    fn instant() -> impl Strategy<Value = DateTime<Utc>> {
        (-62_104_060_800i64..253_370_764_799).prop_map(|s| DateTime::from_timestamp(s, 0).unwrap())
    }

    proptest! {
        #[test]
        fn any_text_is_a_time_or_a_clear_refusal(text in ".{0,40}") {
            check(&text, today())?;
        }

        #[test]
        fn time_like_text_is_a_time_or_a_clear_refusal(
            text in "[ +\\-]{0,2}[0-9٠-٩]{0,12}[-:T .Zz+]{0,2}[0-9]{0,6}[-:T .Zz+]{0,2}[0-9]{0,6}[:.+\\-Z]{0,2}[0-9]{0,10}",
            day in 0i32..4_000_000,
        ) {
            let today = NaiveDate::from_num_days_from_ce_opt(day - 1_000_000).unwrap_or_else(today);
            check(&text, today)?;
        }

        #[test]
        fn rfc3339_reads_back_as_itself(t in instant(), minutes in -1439i32..1440) {
            // RFC 3339 offsets are whole minutes.
            let offset = chrono::FixedOffset::east_opt(minutes * 60).unwrap();
            let shown = t.with_timezone(&offset).to_rfc3339();
            prop_assert_eq!(parse_instant(&shown, today()).unwrap(), t, "{}", shown);
            let z = t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            prop_assert_eq!(parse_instant(&z, today()).unwrap(), t, "{}", z);
        }

        #[test]
        fn the_local_form_the_cli_shows_reads_back(t in instant()) {
            // Whole minutes of local time (old local mean times have offsets in seconds).
            let naive = t.with_timezone(&Local).naive_local().with_second(0).unwrap();
            // A local time that the clocks skip or repeat has no single answer.
            if let LocalResult::Single(t) = Local.from_local_datetime(&naive) {
                let t = t.with_timezone(&Utc);
                let shown = local(t);
                prop_assert_eq!(parse_instant(&shown, today()).unwrap(), t, "{}", shown);
                let with_t = shown.replacen(' ', "T", 1);
                prop_assert_eq!(parse_instant(&with_t, today()).unwrap(), t, "{}", with_t);
            }
        }

        #[test]
        fn a_clock_time_is_today(h in 0u32..24, m in 0u32..60, day in 1u32..366) {
            let today = NaiveDate::from_yo_opt(2026, day).unwrap();
            let naive = today.and_hms_opt(h, m, 0).unwrap();
            if let LocalResult::Single(_) = Local.from_local_datetime(&naive) {
                let t = parse_instant(&format!(" {h:02}:{m:02} "), today).unwrap();
                let back = t.with_timezone(&Local);
                prop_assert_eq!((back.date_naive(), back.hour(), back.minute()), (today, h, m));
                prop_assert_eq!(back.ordinal(), day);
            }
        }
    }
}
