//! The work-order lifecycle: which moves each role may make from each status, which need a
//! reason, what must hold before a job can be scheduled or completed, and which time entries a
//! move produces. Pure functions over plain data, used by the device store and by head office
//! alike, so both enforce exactly the same rules.
//!
//! ```text
//! new → scheduled → en_route → on_site → in_progress ⇄ on_hold → completed → closed
//!  └──────────┴──────────┴─────────┴───────────┴──────────┴→ cancelled   (dispatcher, reason)
//! completed | closed → scheduled   (dispatcher reopens, reason)
//! ```

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::{JobStatus, PhotoKind, TimeEntryKind, word_enum};
use crate::error::{Result, RuleError};

word_enum! {
    /// Who is acting. Technicians work jobs; dispatchers create, plan, cancel, close and reopen.
    pub enum Role ("role") {
        Technician = "technician",
        Dispatcher = "dispatcher",
    }
}

/// One allowed move: the status it leads to, what it is called, and whether it needs a reason.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema,
)]
#[ts(export)]
pub struct Move {
    pub to: JobStatus,
    /// What the move is called in the product (`start_travel`, `complete`, …).
    pub action: &'static str,
    pub reason_required: bool,
}

const fn mv(to: JobStatus, action: &'static str, reason_required: bool) -> Move {
    Move { to, action, reason_required }
}

/// The moves `role` may make from `from`, in the order a screen should offer them.
pub fn allowed_moves(from: JobStatus, role: Role) -> Vec<Move> {
    use JobStatus::*;
    match role {
        Role::Technician => match from {
            Scheduled => vec![mv(EnRoute, "start_travel", false)],
            EnRoute => vec![mv(OnSite, "arrive", false)],
            OnSite => vec![mv(InProgress, "start_work", false)],
            InProgress => vec![mv(Completed, "complete", false), mv(OnHold, "pause", true)],
            OnHold => vec![mv(InProgress, "resume", false)],
            New | Completed | Closed | Cancelled => vec![],
        },
        Role::Dispatcher => match from {
            New => vec![mv(Scheduled, "schedule", false), mv(Cancelled, "cancel", true)],
            Scheduled | EnRoute | OnSite | InProgress | OnHold => {
                vec![mv(Cancelled, "cancel", true)]
            }
            Completed => vec![mv(Closed, "close", false), mv(Scheduled, "reopen", true)],
            Closed => vec![mv(Scheduled, "reopen", true)],
            Cancelled => vec![],
        },
    }
}

/// Whether a follow-up call (the customer asked how it went, a complaint taken) may be recorded
/// on a job in `status`: once the work is done.
pub fn takes_follow_up(status: JobStatus) -> bool {
    matches!(status, JobStatus::Completed | JobStatus::Closed)
}

/// Whether a return visit (a new job that names this one as the visit it returns to) may be
/// opened for a job in `status`: after the work was done, or while it waits on hold (for a part,
/// for the customer).
pub fn takes_return_visit(status: JobStatus) -> bool {
    matches!(status, JobStatus::Completed | JobStatus::Closed | JobStatus::OnHold)
}

/// Something that must be put right before a move can happen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(tag = "what", rename_all = "snake_case")]
pub enum Missing {
    Resolution,
    ChecklistItem {
        key: String,
        label: String,
    },
    Photo {
        kind: PhotoKind,
    },
    SignatureOrReason,
    /// The customer signed, but the signed facts changed afterwards: a new signature is needed.
    SignatureStale,
    Assignee,
    AppointmentWindow,
}

impl fmt::Display for Missing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Missing::Resolution => f.write_str("the resolution is not recorded"),
            Missing::ChecklistItem { key, label } => {
                write!(f, "required checklist item \"{label}\" ({key}) is not done")
            }
            Missing::Photo { kind } => write!(f, "a {kind} photo is required"),
            Missing::SignatureOrReason => {
                f.write_str("the customer's signature, or a reason why there is none, is missing")
            }
            Missing::SignatureStale => f.write_str(
                "the job changed after the customer signed; the customer must sign again",
            ),
            Missing::Assignee => f.write_str("no technician is assigned"),
            Missing::AppointmentWindow => f.write_str("no appointment window is booked"),
        }
    }
}

/// What the completion guard looks at, read from the job by the caller.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CompletionFacts {
    pub has_resolution: bool,
    /// Required checklist items that are unanswered or unticked: (key, label).
    pub unanswered_required_items: Vec<(String, String)>,
    pub required_photo_kinds: Vec<PhotoKind>,
    pub present_photo_kinds: Vec<PhotoKind>,
    /// A signature is in force and covers the job's facts as they are now.
    pub has_signature: bool,
    /// The latest signature covers facts that have changed since.
    pub signature_stale: bool,
    pub has_signature_absence_reason: bool,
}

/// Everything still missing before the job can be completed (empty when it can).
pub fn completion_missing(facts: &CompletionFacts) -> Vec<Missing> {
    let mut missing = Vec::new();
    if !facts.has_resolution {
        missing.push(Missing::Resolution);
    }
    for (key, label) in &facts.unanswered_required_items {
        missing.push(Missing::ChecklistItem { key: key.clone(), label: label.clone() });
    }
    let mut wanted = facts.required_photo_kinds.clone();
    wanted.sort();
    wanted.dedup();
    for kind in wanted {
        if !facts.present_photo_kinds.contains(&kind) {
            missing.push(Missing::Photo { kind });
        }
    }
    // A recorded reason covers a missing signature and a stale one alike: the customer who
    // signed may have left before the last change.
    if !facts.has_signature && !facts.has_signature_absence_reason {
        missing.push(if facts.signature_stale {
            Missing::SignatureStale
        } else {
            Missing::SignatureOrReason
        });
    }
    missing
}

/// What the scheduling guard looks at.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScheduleFacts {
    pub has_assignee: bool,
    pub has_appointment_window: bool,
}

/// A requested move, with what the guards need.
#[derive(Debug, Clone)]
pub struct MoveRequest<'a> {
    pub from: JobStatus,
    pub to: JobStatus,
    pub role: Role,
    pub reason: Option<&'a str>,
    /// Read when moving to `completed`.
    pub completion: &'a CompletionFacts,
    /// Read when moving to `scheduled`.
    pub schedule: ScheduleFacts,
}

/// Longest reason for a hold, cancellation or reopening.
pub const REASON_MAX_CHARS: usize = 2_000;

/// Checks a move against the rules. The error says which moves are allowed, that a reason is
/// needed, or exactly what is missing.
pub fn check_move(req: &MoveRequest<'_>) -> Result<Move> {
    let allowed = allowed_moves(req.from, req.role);
    let Some(found) = allowed.iter().copied().find(|m| m.to == req.to) else {
        return Err(RuleError::TransitionNotAllowed {
            from: req.from.to_string(),
            to: req.to.to_string(),
            allowed,
        });
    };
    let reason = req.reason.map(str::trim).filter(|r| !r.is_empty());
    if found.reason_required && reason.is_none() {
        return Err(RuleError::ReasonRequired { to: req.to.to_string() });
    }
    if let Some(r) = reason {
        let n = r.chars().count();
        if n > REASON_MAX_CHARS {
            return Err(RuleError::TooLong { field: "reason", actual: n, limit: REASON_MAX_CHARS });
        }
    }
    let missing = match req.to {
        JobStatus::Completed => completion_missing(req.completion),
        JobStatus::Scheduled => {
            let mut m = Vec::new();
            if !req.schedule.has_assignee {
                m.push(Missing::Assignee);
            }
            if !req.schedule.has_appointment_window {
                m.push(Missing::AppointmentWindow);
            }
            m
        }
        _ => Vec::new(),
    };
    if !missing.is_empty() {
        return Err(RuleError::CompletionBlocked { missing });
    }
    Ok(found)
}

/// A kind of fact a technician records on a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fact {
    /// Notes: any time until the job is closed or cancelled.
    Note,
    /// Diagnosis, resolution, checklist, parts, time, signature (or its absence): while the job
    /// is being worked, from scheduled until it is completed.
    Work,
    /// The customer's rating: on site, while working, and once completed.
    Feedback,
    /// A knowledge article marked as used: from arrival until completion.
    ArticleUse,
    /// The job's fix shared with the knowledge base: once the work is done.
    FixShare,
}

/// Whether `fact` may be recorded on a job in `status`; the error says when it can be.
pub fn check_recording(status: JobStatus, fact: Fact) -> Result<()> {
    use JobStatus::*;
    let allowed: &[JobStatus] = match fact {
        Fact::Note => &[New, Scheduled, EnRoute, OnSite, InProgress, OnHold, Completed],
        Fact::Work => &[Scheduled, EnRoute, OnSite, InProgress, OnHold],
        Fact::Feedback => &[OnSite, InProgress, OnHold, Completed],
        Fact::ArticleUse => crate::kb_field::ARTICLE_USE_STATUSES,
        Fact::FixShare => crate::kb_field::FIX_SHARE_STATUSES,
    };
    if allowed.contains(&status) {
        return Ok(());
    }
    let what = match fact {
        Fact::Note => "notes",
        Fact::Work => "work details",
        Fact::Feedback => "customer feedback",
        Fact::ArticleUse => "articles used",
        Fact::FixShare => "a shared fix",
    };
    Err(RuleError::Forbidden(format!(
        "{what} cannot be changed on a {status} job (only when it is {})",
        allowed.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
    )))
}

/// A time entry that a move produces: travel ends on arrival, labour ends when work pauses,
/// completes or is cancelled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DerivedTime {
    pub kind: TimeEntryKind,
    pub started_at: DateTime<Utc>,
    pub ended_at: DateTime<Utc>,
}

/// The time entry produced by moving from `from` to `to` at `at`, given when the job last
/// entered `from` (`entered_from_at`). Never returns a span that ends before it starts.
pub fn derived_time_entry(
    from: JobStatus,
    to: JobStatus,
    entered_from_at: Option<DateTime<Utc>>,
    at: DateTime<Utc>,
) -> Option<DerivedTime> {
    let kind = match (from, to) {
        (JobStatus::EnRoute, JobStatus::OnSite) => TimeEntryKind::Travel,
        (
            JobStatus::InProgress,
            JobStatus::OnHold | JobStatus::Completed | JobStatus::Cancelled,
        ) => TimeEntryKind::Labour,
        _ => return None,
    };
    let started_at = entered_from_at?;
    // A device clock that jumped backwards must not produce a negative span.
    let ended_at = at.max(started_at);
    Some(DerivedTime { kind, started_at, ended_at })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ready() -> CompletionFacts {
        CompletionFacts {
            has_resolution: true,
            has_signature_absence_reason: true,
            ..CompletionFacts::default()
        }
    }

    fn request<'a>(
        from: JobStatus,
        to: JobStatus,
        role: Role,
        reason: Option<&'a str>,
        facts: &'a CompletionFacts,
    ) -> MoveRequest<'a> {
        MoveRequest {
            from,
            to,
            role,
            reason,
            completion: facts,
            schedule: ScheduleFacts { has_assignee: true, has_appointment_window: true },
        }
    }

    #[test]
    fn a_technician_works_a_job_from_scheduled_to_completed() {
        use JobStatus::*;
        let facts = ready();
        let path = [Scheduled, EnRoute, OnSite, InProgress, Completed];
        for w in path.windows(2) {
            check_move(&request(w[0], w[1], Role::Technician, None, &facts)).unwrap();
        }
    }

    #[test]
    fn a_refused_move_lists_the_allowed_ones() {
        let facts = ready();
        let err = check_move(&request(
            JobStatus::Scheduled,
            JobStatus::Completed,
            Role::Technician,
            None,
            &facts,
        ))
        .unwrap_err();
        assert_eq!(err.code(), "transition_not_allowed");
        assert!(err.to_string().contains("allowed now: en_route"), "{err}");
    }

    #[test]
    fn technicians_cannot_cancel_or_close() {
        let facts = ready();
        for from in [JobStatus::InProgress, JobStatus::Completed] {
            for to in [JobStatus::Cancelled, JobStatus::Closed] {
                let r = request(from, to, Role::Technician, Some("x"), &facts);
                assert_eq!(check_move(&r).unwrap_err().code(), "transition_not_allowed");
            }
        }
    }

    #[test]
    fn putting_on_hold_needs_a_reason() {
        let facts = ready();
        let r =
            request(JobStatus::InProgress, JobStatus::OnHold, Role::Technician, Some("  "), &facts);
        assert_eq!(check_move(&r).unwrap_err().code(), "reason_required");
        let r = request(
            JobStatus::InProgress,
            JobStatus::OnHold,
            Role::Technician,
            Some("awaiting compressor"),
            &facts,
        );
        assert_eq!(check_move(&r).unwrap().action, "pause");
    }

    #[test]
    fn completing_without_signature_requires_a_reason() {
        let facts = CompletionFacts { has_resolution: true, ..CompletionFacts::default() };
        let r =
            request(JobStatus::InProgress, JobStatus::Completed, Role::Technician, None, &facts);
        let err = check_move(&r).unwrap_err();
        assert!(err.to_string().contains("signature"), "{err}");
    }

    #[test]
    fn completion_names_every_missing_thing() {
        let facts = CompletionFacts {
            has_resolution: false,
            unanswered_required_items: vec![("ground".into(), "Grounding checked".into())],
            required_photo_kinds: vec![PhotoKind::After, PhotoKind::Before],
            present_photo_kinds: vec![PhotoKind::Before],
            has_signature: false,
            signature_stale: false,
            has_signature_absence_reason: false,
        };
        assert_eq!(
            completion_missing(&facts),
            vec![
                Missing::Resolution,
                Missing::ChecklistItem { key: "ground".into(), label: "Grounding checked".into() },
                Missing::Photo { kind: PhotoKind::After },
                Missing::SignatureOrReason,
            ]
        );
    }

    #[test]
    fn a_stale_signature_asks_for_a_new_one() {
        let facts = CompletionFacts {
            has_resolution: true,
            signature_stale: true,
            ..CompletionFacts::default()
        };
        assert_eq!(completion_missing(&facts), vec![Missing::SignatureStale]);
        let excused = CompletionFacts { has_signature_absence_reason: true, ..facts };
        assert!(completion_missing(&excused).is_empty());
    }

    #[test]
    fn scheduling_needs_an_assignee_and_a_window() {
        let facts = ready();
        let mut r = request(JobStatus::New, JobStatus::Scheduled, Role::Dispatcher, None, &facts);
        r.schedule = ScheduleFacts::default();
        let err = check_move(&r).unwrap_err();
        assert!(err.to_string().contains("no technician is assigned"), "{err}");
        assert!(err.to_string().contains("appointment window"), "{err}");
    }

    #[test]
    fn travel_and_labour_derive_from_moves() {
        let t0 = DateTime::parse_from_rfc3339("2026-11-22T09:00:00Z").unwrap().to_utc();
        let t1 = t0 + chrono::Duration::minutes(25);
        let travel =
            derived_time_entry(JobStatus::EnRoute, JobStatus::OnSite, Some(t0), t1).unwrap();
        assert_eq!(travel.kind, TimeEntryKind::Travel);
        assert_eq!(travel.ended_at - travel.started_at, chrono::Duration::minutes(25));
        let labour =
            derived_time_entry(JobStatus::InProgress, JobStatus::Completed, Some(t0), t1).unwrap();
        assert_eq!(labour.kind, TimeEntryKind::Labour);
        assert!(
            derived_time_entry(JobStatus::OnSite, JobStatus::InProgress, Some(t0), t1).is_none()
        );
        // A clock that went backwards gives an empty span, not a negative one.
        let back = derived_time_entry(JobStatus::EnRoute, JobStatus::OnSite, Some(t1), t0).unwrap();
        assert_eq!(back.started_at, back.ended_at);
    }

    /// A job as the property test sees it.
    #[derive(Debug, Clone)]
    struct Model {
        status: JobStatus,
        facts: CompletionFacts,
        hold_reason: Option<String>,
        cancel_reason: Option<String>,
        completed_with: Option<CompletionFacts>,
    }

    fn arb_status() -> impl Strategy<Value = JobStatus> {
        proptest::sample::select(JobStatus::ALL.to_vec())
    }

    fn arb_role() -> impl Strategy<Value = Role> {
        proptest::sample::select(Role::ALL.to_vec())
    }

    fn arb_facts() -> impl Strategy<Value = CompletionFacts> {
        (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>())
            .prop_map(|(res, item_open, photo_missing, sig, stale, reason)| CompletionFacts {
                has_resolution: res,
                unanswered_required_items: if item_open {
                    vec![("level".into(), "Unit is level".into())]
                } else {
                    vec![]
                },
                required_photo_kinds: vec![PhotoKind::After],
                present_photo_kinds: if photo_missing { vec![] } else { vec![PhotoKind::After] },
                has_signature: sig,
                signature_stale: stale && !sig,
                has_signature_absence_reason: reason,
            })
    }

    proptest! {
        /// No sequence of requested moves, by any role, with any facts and reasons, reaches an
        /// invalid state; and every refusal names the allowed moves or what is missing.
        #[test]
        fn no_sequence_of_moves_reaches_an_invalid_state(
            steps in proptest::collection::vec(
                (arb_status(), arb_role(), proptest::option::of("[a-z ]{0,8}"), arb_facts()),
                1..80,
            )
        ) {
            let mut job = Model {
                status: JobStatus::New,
                facts: CompletionFacts::default(),
                hold_reason: None,
                cancel_reason: None,
                completed_with: None,
            };
            for (to, role, reason, facts) in steps {
                job.facts = facts;
                let req = MoveRequest {
                    from: job.status,
                    to,
                    role,
                    reason: reason.as_deref(),
                    completion: &job.facts,
                    schedule: ScheduleFacts { has_assignee: true, has_appointment_window: true },
                };
                match check_move(&req) {
                    Ok(m) => {
                        prop_assert_eq!(m.to, to);
                        let trimmed = reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
                        match to {
                            JobStatus::OnHold => job.hold_reason = trimmed.map(str::to_owned),
                            JobStatus::Cancelled => job.cancel_reason = trimmed.map(str::to_owned),
                            JobStatus::Completed => job.completed_with = Some(job.facts.clone()),
                            _ => {}
                        }
                        job.status = to;
                    }
                    Err(RuleError::TransitionNotAllowed { allowed, from, .. }) => {
                        prop_assert_eq!(from, job.status.to_string());
                        prop_assert_eq!(&allowed, &allowed_moves(job.status, role));
                        prop_assert!(!allowed.iter().any(|m| m.to == to));
                    }
                    Err(RuleError::ReasonRequired { to: t }) => {
                        prop_assert_eq!(t, to.to_string());
                        prop_assert!(reason.as_deref().is_none_or(|r| r.trim().is_empty()));
                    }
                    Err(RuleError::CompletionBlocked { missing }) => {
                        prop_assert!(!missing.is_empty());
                        prop_assert_eq!(missing, completion_missing(&job.facts));
                    }
                    Err(other) => prop_assert!(false, "unexpected refusal {other}"),
                }
                // Invariants of every reachable state.
                match job.status {
                    JobStatus::OnHold => prop_assert!(job.hold_reason.is_some()),
                    JobStatus::Cancelled => prop_assert!(job.cancel_reason.is_some()),
                    JobStatus::Completed | JobStatus::Closed => {
                        let at_completion = job.completed_with.as_ref();
                        prop_assert!(at_completion.is_some_and(|f| completion_missing(f).is_empty()));
                    }
                    _ => {}
                }
                // Nothing leaves cancelled.
                if job.status == JobStatus::Cancelled {
                    for r in Role::ALL {
                        prop_assert!(allowed_moves(JobStatus::Cancelled, *r).is_empty());
                    }
                }
            }
        }
    }
}
