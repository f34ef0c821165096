//! Service-level deadlines and warranty: computed from a configurable policy, never typed in.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::{JobStatus, Priority, WarrantyStatus};

/// Response-time limits per priority, in minutes. The defaults are the handbook's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
pub struct SlaPolicy {
    /// Acknowledge any request within this many minutes.
    pub acknowledge_minutes: i64,
    pub arrive_urgent_minutes: i64,
    pub arrive_high_minutes: i64,
    pub arrive_normal_minutes: i64,
    pub arrive_low_minutes: i64,
    /// In-warranty repairs are completed within this many minutes of the report.
    pub complete_in_warranty_repair_minutes: i64,
}

impl Default for SlaPolicy {
    fn default() -> Self {
        SlaPolicy {
            acknowledge_minutes: 30,
            arrive_urgent_minutes: 4 * 60,
            arrive_high_minutes: 24 * 60,
            arrive_normal_minutes: 48 * 60,
            arrive_low_minutes: 72 * 60,
            complete_in_warranty_repair_minutes: 72 * 60,
        }
    }
}

/// The deadlines of one job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadlines {
    pub ack_due_at: DateTime<Utc>,
    /// On site by then.
    pub due_at: DateTime<Utc>,
    pub complete_due_at: Option<DateTime<Utc>>,
}

impl SlaPolicy {
    pub fn arrive_minutes(&self, priority: Priority) -> i64 {
        match priority {
            Priority::Urgent => self.arrive_urgent_minutes,
            Priority::High => self.arrive_high_minutes,
            Priority::Normal => self.arrive_normal_minutes,
            Priority::Low => self.arrive_low_minutes,
        }
    }

    /// Deadlines for a job reported at `reported_at`. `is_warranty_repair` adds the completion
    /// deadline.
    pub fn deadlines(
        &self,
        priority: Priority,
        reported_at: DateTime<Utc>,
        is_warranty_repair: bool,
    ) -> Deadlines {
        Deadlines {
            ack_due_at: reported_at + Duration::minutes(self.acknowledge_minutes),
            due_at: reported_at + Duration::minutes(self.arrive_minutes(priority)),
            complete_due_at: is_warranty_repair
                .then(|| reported_at + Duration::minutes(self.complete_in_warranty_repair_minutes)),
        }
    }

    /// Every limit must be positive and urgency must not be slower than a lower priority.
    pub fn validate(&self) -> crate::Result<()> {
        let limits = [
            self.acknowledge_minutes,
            self.arrive_urgent_minutes,
            self.arrive_high_minutes,
            self.arrive_normal_minutes,
            self.arrive_low_minutes,
            self.complete_in_warranty_repair_minutes,
        ];
        if limits.iter().any(|m| *m <= 0 || *m > 365 * 24 * 60) {
            return Err(crate::RuleError::invalid(
                "sla policy",
                "every limit must be between 1 minute and 1 year",
            ));
        }
        if !(self.arrive_urgent_minutes <= self.arrive_high_minutes
            && self.arrive_high_minutes <= self.arrive_normal_minutes
            && self.arrive_normal_minutes <= self.arrive_low_minutes)
        {
            return Err(crate::RuleError::invalid(
                "sla policy",
                "a more urgent priority cannot have a longer arrival limit",
            ));
        }
        Ok(())
    }
}

/// Which deadline a booking is measured against.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum DeadlineKind {
    /// On site by `due_at`: the appointment must start by then.
    Arrival,
    /// Finished by `complete_due_at`: the appointment must end by then.
    Resolution,
}

/// A deadline a booking cannot meet.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema,
)]
#[ts(export)]
pub struct MissedDeadline {
    pub deadline: DeadlineKind,
    #[ts(type = "string")]
    pub due_at: DateTime<Utc>,
}

/// The deadlines an appointment `[start, end)` cannot meet: arrival when it starts after
/// `due_at`, resolution when it ends after `complete_due_at`. Empty when the booking is in time.
pub fn booking_misses(
    due_at: DateTime<Utc>,
    complete_due_at: Option<DateTime<Utc>>,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Vec<MissedDeadline> {
    let mut missed = Vec::new();
    if start > due_at {
        missed.push(MissedDeadline { deadline: DeadlineKind::Arrival, due_at });
    }
    if let Some(complete) = complete_due_at.filter(|c| end > *c) {
        missed.push(MissedDeadline { deadline: DeadlineKind::Resolution, due_at: complete });
    }
    missed
}

/// Whether a job in `status` still waits to be acknowledged. A request is acknowledged by the
/// dispatcher's first action on it, which takes it out of `new` (scheduling it to a technician;
/// the response KPI counts the same move), so only new jobs are watched against `ack_due_at`.
pub fn awaiting_acknowledgement(status: JobStatus) -> bool {
    status == JobStatus::New
}

/// Warranty on the day of the report: in warranty up to and including `warranty_end`.
pub fn warranty_status(warranty_end: Option<NaiveDate>, reported_on: NaiveDate) -> WarrantyStatus {
    match warranty_end {
        Some(end) if reported_on <= end => WarrantyStatus::InWarranty,
        _ => WarrantyStatus::OutOfWarranty,
    }
}

/// Default warranty: one year from installation, or from purchase when not installed by us.
pub fn default_warranty_end(
    purchased_on: Option<NaiveDate>,
    installed_on: Option<NaiveDate>,
) -> Option<NaiveDate> {
    installed_on.or(purchased_on).and_then(|d| d.checked_add_months(chrono::Months::new(12)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    #[test]
    fn urgent_jobs_are_due_on_site_within_four_hours() {
        let d = SlaPolicy::default().deadlines(Priority::Urgent, at("2026-11-22T08:00:00Z"), false);
        assert_eq!(d.due_at, at("2026-11-22T12:00:00Z"));
        assert_eq!(d.ack_due_at, at("2026-11-22T08:30:00Z"));
        assert_eq!(d.complete_due_at, None);
    }

    #[test]
    fn in_warranty_repairs_get_a_completion_deadline() {
        let d = SlaPolicy::default().deadlines(Priority::Low, at("2026-11-22T08:00:00Z"), true);
        assert_eq!(d.due_at, at("2026-11-25T08:00:00Z"));
        assert_eq!(d.complete_due_at, Some(at("2026-11-25T08:00:00Z")));
    }

    #[test]
    fn policies_with_inverted_or_zero_limits_are_refused() {
        let mut p = SlaPolicy::default();
        p.arrive_urgent_minutes = p.arrive_low_minutes + 1;
        assert!(p.validate().is_err());
        let p = SlaPolicy { acknowledge_minutes: 0, ..SlaPolicy::default() };
        assert!(p.validate().is_err());
        assert!(SlaPolicy::default().validate().is_ok());
    }

    #[test]
    fn warranty_covers_its_last_day() {
        let end = NaiveDate::from_ymd_opt(2026, 11, 22);
        let on = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        assert_eq!(warranty_status(end, on(22)), WarrantyStatus::InWarranty);
        assert_eq!(warranty_status(end, on(23)), WarrantyStatus::OutOfWarranty);
        assert_eq!(warranty_status(None, on(1)), WarrantyStatus::OutOfWarranty);
        assert_eq!(
            default_warranty_end(NaiveDate::from_ymd_opt(2025, 2, 28), None),
            NaiveDate::from_ymd_opt(2026, 2, 28)
        );
    }
    #[test]
    fn a_booking_after_the_deadline_misses_it() {
        let due = at("2026-11-22T08:47:00Z");
        let complete = Some(at("2026-11-22T12:00:00Z"));
        let book = |a, b| booking_misses(due, complete, at(a), at(b));
        assert_eq!(book("2026-11-22T08:00:00Z", "2026-11-22T10:00:00Z"), vec![]);
        // Starting at the deadline itself is in time.
        assert_eq!(book("2026-11-22T08:47:00Z", "2026-11-22T12:00:00Z"), vec![]);
        assert_eq!(
            book("2026-11-22T10:00:00Z", "2026-11-22T14:00:00Z"),
            vec![
                MissedDeadline { deadline: DeadlineKind::Arrival, due_at: due },
                MissedDeadline {
                    deadline: DeadlineKind::Resolution,
                    due_at: at("2026-11-22T12:00:00Z")
                },
            ]
        );
        assert_eq!(
            booking_misses(due, None, at("2026-11-23T08:00:00Z"), at("2026-11-23T10:00:00Z")),
            vec![MissedDeadline { deadline: DeadlineKind::Arrival, due_at: due }]
        );
    }

    #[test]
    fn only_new_jobs_wait_for_acknowledgement() {
        assert!(awaiting_acknowledgement(JobStatus::New));
        assert!(!awaiting_acknowledgement(JobStatus::Scheduled));
        assert!(!awaiting_acknowledgement(JobStatus::Cancelled));
    }

    proptest::proptest! {
        #[test]
        fn a_booking_misses_arrival_exactly_when_it_starts_late(
            due in 0i64..10_000, start in 0i64..10_000, len in 1i64..600, complete in 0i64..10_000
        ) {
            let base = at("2026-11-22T00:00:00Z");
            let m = |x: i64| base + Duration::minutes(x);
            let missed = booking_misses(m(due), Some(m(complete)), m(start), m(start + len));
            let arrival = missed.iter().any(|x| x.deadline == DeadlineKind::Arrival);
            let resolution = missed.iter().any(|x| x.deadline == DeadlineKind::Resolution);
            proptest::prop_assert_eq!(arrival, start > due);
            proptest::prop_assert_eq!(resolution, start + len > complete);
        }
    }
}
