//! Booking rules of the dispatcher's plan: which appointments hold a technician's time, when two
//! appointments clash, and where a technician's next free slot of a given length is within
//! working hours. Pure: head office loads the appointments, these functions decide.

use chrono::{DateTime, Duration, FixedOffset, NaiveTime, TimeZone, Utc};

use crate::domain::JobStatus;

/// How long an appointment lasts when its job type has no length of its own.
pub const DEFAULT_APPOINTMENT_MINUTES: i64 = 120;

/// Free slots start on a quarter hour.
const GRID_MINUTES: i64 = 15;

/// The length of an appointment for a job type whose admin-set length is `minutes`.
pub fn appointment_length(minutes: Option<i64>) -> Duration {
    Duration::minutes(minutes.filter(|m| *m > 0).unwrap_or(DEFAULT_APPOINTMENT_MINUTES))
}

/// Whether a job in `status` still holds its technician's time: every open job does;
/// completed, closed and cancelled ones have given their slot back.
pub fn holds_slot(status: JobStatus) -> bool {
    status.is_open()
}

/// An appointment window, `[start, end)`: one that ends at 10:00 does not clash with one that
/// starts at 10:00.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Window {
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Window {
        Window { start, end }
    }

    /// Whether the two windows share an instant.
    pub fn overlaps(&self, other: &Window) -> bool {
        self.start < other.end && other.start < self.end
    }
}

/// The appointments among `others` that clash with `booking`, in the order given.
pub fn clashes<'a, T>(
    booking: &Window,
    others: &'a [T],
    window_of: impl Fn(&T) -> Option<Window>,
) -> Vec<&'a T> {
    others.iter().filter(|o| window_of(o).is_some_and(|w| w.overlaps(booking))).collect()
}

/// A technician's working day, in the local time of the office that plans it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkingHours {
    pub opens: NaiveTime,
    pub closes: NaiveTime,
    /// The office's offset from UTC.
    pub offset: FixedOffset,
}

impl WorkingHours {
    /// 08:00 to 18:00 at `offset` (the first booking of the day starts at 08:00, as on the board).
    pub fn standard(offset: FixedOffset) -> WorkingHours {
        WorkingHours {
            opens: NaiveTime::from_hms_opt(8, 0, 0).unwrap_or(NaiveTime::MIN),
            closes: NaiveTime::from_hms_opt(18, 0, 0).unwrap_or(NaiveTime::MIN),
            offset,
        }
    }

    /// The working window of the local day holding `at`.
    fn day_of(&self, at: DateTime<Utc>) -> Window {
        let day = at.with_timezone(&self.offset).date_naive();
        let instant = |t: NaiveTime| {
            self.offset.from_local_datetime(&day.and_time(t)).single().map(|d| d.to_utc())
        };
        // A fixed offset maps every local time to exactly one instant.
        let open = instant(self.opens).unwrap_or(at);
        let close = instant(self.closes).unwrap_or(at);
        Window::new(open, close)
    }
}

/// `at` rounded up to the next quarter hour (itself when it is on one).
fn round_up(at: DateTime<Utc>) -> DateTime<Utc> {
    let grid = GRID_MINUTES * 60_000;
    let ms = at.timestamp_millis();
    let up = ms.div_euclid(grid) * grid + if ms.rem_euclid(grid) == 0 { 0 } else { grid };
    DateTime::from_timestamp_millis(up).unwrap_or(at)
}

/// The earliest window of `length` starting on a quarter hour at or after `after` that lies
/// within working hours and clashes with none of `busy`; `None` when there is none within
/// `horizon` of `after` (or the job is longer than a working day).
pub fn next_free_slot(
    busy: &[Window],
    after: DateTime<Utc>,
    length: Duration,
    hours: WorkingHours,
    horizon: Duration,
) -> Option<Window> {
    if length <= Duration::zero() || length > hours.closes - hours.opens {
        return None;
    }
    let limit = after + horizon;
    let mut candidate = round_up(after);
    while candidate <= limit {
        let day = hours.day_of(candidate);
        if candidate < day.start {
            candidate = day.start;
        }
        if candidate + length > day.end {
            candidate = hours.day_of(day.start + Duration::days(1)).start;
            continue;
        }
        let slot = Window::new(candidate, candidate + length);
        match busy.iter().filter(|b| b.overlaps(&slot)).map(|b| b.end).max() {
            // Every start before the latest clashing end clashes with that appointment too.
            Some(end) => candidate = round_up(end),
            None => return Some(slot),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    fn w(a: &str, b: &str) -> Window {
        Window::new(at(a), at(b))
    }

    fn china() -> WorkingHours {
        WorkingHours::standard(FixedOffset::east_opt(8 * 3600).unwrap())
    }

    #[test]
    fn the_same_window_clashes_and_back_to_back_windows_do_not() {
        let a = w("2026-12-07T00:00:00Z", "2026-12-07T02:00:00Z");
        assert!(a.overlaps(&a));
        assert!(!a.overlaps(&w("2026-12-07T02:00:00Z", "2026-12-07T04:00:00Z")));
        assert!(a.overlaps(&w("2026-12-07T01:59:00Z", "2026-12-07T04:00:00Z")));
        let others = [("WO-1", a), ("WO-2", w("2026-12-07T03:00:00Z", "2026-12-07T05:00:00Z"))];
        let hit =
            clashes(&w("2026-12-07T01:00:00Z", "2026-12-07T03:30:00Z"), &others, |o| Some(o.1));
        assert_eq!(hit.iter().map(|o| o.0).collect::<Vec<_>>(), ["WO-1", "WO-2"]);
    }

    #[test]
    fn finished_and_cancelled_jobs_give_their_slot_back() {
        assert!(holds_slot(JobStatus::Scheduled));
        assert!(holds_slot(JobStatus::OnHold));
        assert!(!holds_slot(JobStatus::Completed));
        assert!(!holds_slot(JobStatus::Closed));
        assert!(!holds_slot(JobStatus::Cancelled));
        assert_eq!(appointment_length(None), Duration::minutes(120));
        assert_eq!(appointment_length(Some(90)), Duration::minutes(90));
    }

    #[test]
    fn a_busy_morning_moves_the_next_slot_to_the_first_gap_and_a_full_day_to_tomorrow() {
        // 08:00–10:00 and 10:00–12:00 Beijing time are taken.
        let busy = [
            w("2026-12-07T00:00:00Z", "2026-12-07T02:00:00Z"),
            w("2026-12-07T02:00:00Z", "2026-12-07T04:00:00Z"),
        ];
        let two_h = Duration::hours(2);
        let slot =
            next_free_slot(&busy, at("2026-12-06T22:00:00Z"), two_h, china(), Duration::days(7));
        assert_eq!(slot, Some(w("2026-12-07T04:00:00Z", "2026-12-07T06:00:00Z")));
        // After 16:07 nothing of two hours fits before 18:00: the next morning at 08:00.
        let slot =
            next_free_slot(&busy, at("2026-12-07T08:07:00Z"), two_h, china(), Duration::days(7));
        assert_eq!(slot, Some(w("2026-12-08T00:00:00Z", "2026-12-08T02:00:00Z")));
        // Free now, on the next quarter hour.
        let slot =
            next_free_slot(&[], at("2026-12-07T05:07:00Z"), two_h, china(), Duration::days(7));
        assert_eq!(slot, Some(w("2026-12-07T05:15:00Z", "2026-12-07T07:15:00Z")));
        // Longer than a working day: never.
        let long = Duration::hours(11);
        assert_eq!(next_free_slot(&[], at("2026-12-07T00:00:00Z"), long, china(), long), None);
    }

    /// Windows on a 5-minute grid within a few days of the epoch of these tests.
    fn windows() -> impl Strategy<Value = Vec<Window>> {
        let base = at("2026-12-07T00:00:00Z");
        prop::collection::vec((0i64..3 * 24 * 12, 1i64..7 * 12), 0..12).prop_map(move |v| {
            v.into_iter()
                .map(|(s, l)| {
                    let start = base + Duration::minutes(5 * s);
                    Window::new(start, start + Duration::minutes(5 * l))
                })
                .collect()
        })
    }

    proptest! {
        #[test]
        fn overlap_is_symmetric_and_means_a_shared_minute(
            a in (0i64..200, 1i64..60), b in (0i64..200, 1i64..60)
        ) {
            let base = at("2026-12-07T00:00:00Z");
            let win = |(s, l): (i64, i64)| {
                Window::new(base + Duration::minutes(s), base + Duration::minutes(s + l))
            };
            let (wa, wb) = (win(a), win(b));
            prop_assert_eq!(wa.overlaps(&wb), wb.overlaps(&wa));
            let shared = (0..260).any(|m| {
                let t = base + Duration::minutes(m);
                wa.start <= t && t < wa.end && wb.start <= t && t < wb.end
            });
            prop_assert_eq!(wa.overlaps(&wb), shared);
        }

        #[test]
        fn the_next_free_slot_is_free_in_hours_and_the_earliest_such_quarter_hour(
            busy in windows(),
            after_min in 0i64..3 * 24 * 60,
            length_q in 1i64..16,
            offset_h in -12i32..14,
        ) {
            let hours = WorkingHours::standard(FixedOffset::east_opt(offset_h * 3600).unwrap());
            let after = at("2026-12-07T00:00:00Z") + Duration::minutes(after_min);
            let length = Duration::minutes(15 * length_q);
            let horizon = Duration::days(10);
            let in_hours = |s: DateTime<Utc>| {
                let day = hours.day_of(s);
                s >= day.start && s + length <= day.end
            };
            let free = |s: DateTime<Utc>| {
                let slot = Window::new(s, s + length);
                !busy.iter().any(|b| b.overlaps(&slot))
            };
            let found = next_free_slot(&busy, after, length, hours, horizon);
            let slot = found.expect("ten days always hold a free slot for a few bookings");
            prop_assert!(slot.start >= after);
            prop_assert_eq!(slot.end - slot.start, length);
            prop_assert!(in_hours(slot.start), "outside working hours: {:?}", slot);
            prop_assert!(free(slot.start), "clashes: {:?}", slot);
            prop_assert_eq!(slot.start.timestamp() % (15 * 60), 0);
            // No earlier quarter hour would have done.
            let mut s = round_up(after);
            while s < slot.start {
                prop_assert!(!(in_hours(s) && free(s)), "{:?} was free earlier than {:?}", s, slot);
                s += Duration::minutes(15);
            }
        }
    }
}
