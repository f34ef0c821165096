//! Times a laptop claims, judged by head office. A device's clock may be hours off or set to
//! 2001; head office keeps what the device claimed (it is the technician's record) and judges
//! SLA and KPIs by a time it can trust: the claim when it lies between the job's report and
//! head office's receipt of the push, else the receipt itself. The receipt is an upper bound
//! head office knows for certain (the change happened before it arrived), so an implausible
//! claim never flatters a response time.

use chrono::{DateTime, Duration, Utc};

/// How far ahead of head office's clock a device may be before its claim is implausible: clocks
/// drift, and a push takes a moment to arrive.
pub const AHEAD_TOLERANCE: Duration = Duration::minutes(5);

/// A device's claimed time, judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Judged {
    /// The time SLA and KPIs use.
    pub trusted: DateTime<Utc>,
    /// Whether the claim was plausible (then `trusted` is the claim).
    pub plausible: bool,
}

/// Judges `claimed`, a time a device recorded for something it did on a job reported at
/// `not_before`, which head office received at `received`. Plausible when it is not before the
/// report and not more than [`AHEAD_TOLERANCE`] after the receipt; a plausible claim slightly
/// ahead is trusted as the receipt. An implausible claim is replaced by the receipt.
pub fn judge(claimed: DateTime<Utc>, not_before: DateTime<Utc>, received: DateTime<Utc>) -> Judged {
    let plausible = claimed >= not_before.min(received) && claimed <= received + AHEAD_TOLERANCE;
    Judged { trusted: if plausible { claimed.min(received) } else { received }, plausible }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, h, m, 0).single().unwrap_or_default()
    }

    #[test]
    fn a_claim_between_the_report_and_the_receipt_is_trusted() {
        let j = judge(at(10, 30), at(8, 0), at(12, 0));
        assert_eq!(j, Judged { trusted: at(10, 30), plausible: true });
        // The bounds themselves are plausible.
        assert!(judge(at(8, 0), at(8, 0), at(12, 0)).plausible);
        assert!(judge(at(12, 0), at(8, 0), at(12, 0)).plausible);
    }

    #[test]
    fn a_clock_set_to_2001_is_implausible_and_the_receipt_is_trusted() {
        let claimed = Utc.with_ymd_and_hms(2001, 1, 1, 8, 0, 0).single().unwrap_or_default();
        assert_eq!(
            judge(claimed, at(8, 0), at(12, 0)),
            Judged { trusted: at(12, 0), plausible: false }
        );
        // Just before the report is already implausible.
        assert!(!judge(at(7, 59), at(8, 0), at(12, 0)).plausible);
    }

    #[test]
    fn a_clock_ahead_is_tolerated_for_minutes_not_hours() {
        let j = judge(at(12, 4), at(8, 0), at(12, 0));
        assert_eq!(j, Judged { trusted: at(12, 0), plausible: true }, "never after the receipt");
        let j = judge(at(12, 6), at(8, 0), at(12, 0));
        assert_eq!(j, Judged { trusted: at(12, 0), plausible: false });
        assert!(!judge(at(23, 0), at(8, 0), at(12, 0)).plausible);
    }

    #[test]
    fn a_job_reported_after_the_receipt_is_bounded_by_the_receipt_alone() {
        // A report time after head office's receipt (a dispatcher typed a time ahead) cannot
        // bound anything below the receipt: only claims from the receipt to a few minutes after
        // it are plausible, and an earlier claim counts as the receipt, never flattering.
        assert!(judge(at(12, 2), at(13, 0), at(12, 0)).plausible);
        assert_eq!(
            judge(at(11, 0), at(13, 0), at(12, 0)),
            Judged { trusted: at(12, 0), plausible: false }
        );
    }
}
