//! The merge rules, as pure functions: which device entries of a batch are new, who owns which
//! field, last-writer-wins per field by hybrid logical clock, and what a technician's status
//! change does to the job head office holds. Head office calls these inside its write
//! transaction; nothing here touches a database, so the rules are tested on their own
//! (including property tests for convergence and idempotence).

use fieldwork_domain::domain::JobStatus;
use fieldwork_domain::hlc::Hlc;
use fieldwork_domain::lifecycle::{self, CompletionFacts, Fact, MoveRequest, Role, ScheduleFacts};

use crate::mutation::IncomingMutation;
use crate::wire::ErrorCode;

/// A refusal with a stable code and a sentence, recorded at head office and sent to the device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub code: ErrorCode,
    pub reason: String,
}

impl Rejection {
    pub fn new(code: ErrorCode, reason: impl Into<String>) -> Rejection {
        Rejection { code, reason: reason.into() }
    }
}

// ---------------------------------------------------------------------------------------------
// Batches: exactly once
// ---------------------------------------------------------------------------------------------

/// How a pushed batch splits against what head office has already committed for the device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchPlan {
    /// Indexes of entries already applied in an earlier push (answer with the stored outcome).
    pub already_applied: Vec<usize>,
    /// Indexes of entries to apply now, in order.
    pub fresh: Vec<usize>,
}

/// Splits a batch by `last_applied_seq`. Sequence numbers must be strictly increasing within
/// the batch (gaps are fine: acknowledged entries are deleted on the device).
pub fn plan_batch(last_applied_seq: i64, seqs: &[i64]) -> Result<BatchPlan, Rejection> {
    if let Some(w) = seqs.windows(2).find(|w| w[1] <= w[0]) {
        return Err(Rejection::new(
            ErrorCode::Invalid,
            format!("entries must be in increasing seq order ({} then {})", w[0], w[1]),
        ));
    }
    if let Some(s) = seqs.iter().find(|s| **s <= 0) {
        return Err(Rejection::new(ErrorCode::Invalid, format!("seq must be positive, not {s}")));
    }
    let (already_applied, fresh) = (0..seqs.len()).partition(|&i| seqs[i] <= last_applied_seq);
    Ok(BatchPlan { already_applied, fresh })
}

// ---------------------------------------------------------------------------------------------
// Field ownership
// ---------------------------------------------------------------------------------------------

/// Who may change a kind of data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// Assignee, schedule, priority, customer master data, creating jobs.
    Dispatcher,
    /// Insert-only facts (notes, parts, time, feedback, photos, signatures).
    TechnicianFacts,
    /// Scalars both sides may set (diagnosis, resolution, signature absence reason, checklist
    /// answers, photo captions): last writer wins per field.
    Shared,
    /// Status: validated by the lifecycle rules for the role that moves it.
    Lifecycle,
}

/// The owner of what `m` changes.
pub fn owner_of(m: &IncomingMutation) -> Owner {
    match m {
        IncomingMutation::JobCreated { .. } | IncomingMutation::JobScheduled { .. } => {
            Owner::Dispatcher
        }
        IncomingMutation::StatusChanged { .. } => Owner::Lifecycle,
        IncomingMutation::FieldSet { .. }
        | IncomingMutation::ChecklistAnswered { .. }
        | IncomingMutation::PhotoCaptionSet { .. } => Owner::Shared,
        IncomingMutation::NoteAdded { .. }
        | IncomingMutation::PartAdded { .. }
        | IncomingMutation::PartWithdrawn { .. }
        | IncomingMutation::TimeEntryAdded { .. }
        | IncomingMutation::FeedbackGiven { .. }
        | IncomingMutation::PhotoAdded { .. }
        | IncomingMutation::PhotoDeleted { .. }
        | IncomingMutation::SignatureAdded { .. }
        | IncomingMutation::ArticleUsed { .. }
        | IncomingMutation::FixShared { .. } => Owner::TechnicianFacts,
    }
}

/// Refuses what a technician's device may not change at all.
pub fn check_technician_may_change(m: &IncomingMutation) -> Result<(), Rejection> {
    if owner_of(m) == Owner::Dispatcher {
        return Err(Rejection::new(
            ErrorCode::DispatcherOwned,
            format!(
                "{} changes dispatcher-owned data (job creation, assignee, schedule, priority, \
                 customer details); only a dispatcher can change it",
                m.kind()
            ),
        ));
    }
    Ok(())
}

/// What kind of fact (for [`lifecycle::check_recording`]) a mutation records, if any.
pub fn fact_of(m: &IncomingMutation) -> Option<Fact> {
    match m {
        IncomingMutation::NoteAdded { .. } => Some(Fact::Note),
        IncomingMutation::FeedbackGiven { .. } => Some(Fact::Feedback),
        IncomingMutation::ArticleUsed { .. } => Some(Fact::ArticleUse),
        IncomingMutation::FixShared { .. } => Some(Fact::FixShare),
        IncomingMutation::FieldSet { .. }
        | IncomingMutation::ChecklistAnswered { .. }
        | IncomingMutation::PartAdded { .. }
        | IncomingMutation::PartWithdrawn { .. }
        | IncomingMutation::TimeEntryAdded { .. }
        | IncomingMutation::PhotoAdded { .. }
        | IncomingMutation::PhotoDeleted { .. }
        | IncomingMutation::PhotoCaptionSet { .. }
        | IncomingMutation::SignatureAdded { .. } => Some(Fact::Work),
        IncomingMutation::JobCreated { .. }
        | IncomingMutation::JobScheduled { .. }
        | IncomingMutation::StatusChanged { .. } => None,
    }
}

/// Whether a fact may be recorded on a job in `status` (the core's rule, as a [`Rejection`]).
pub fn check_recordable(status: JobStatus, fact: Fact) -> Result<(), Rejection> {
    lifecycle::check_recording(status, fact)
        .map_err(|e| Rejection::new(ErrorCode::NotRecordable, e.to_string()))
}

// ---------------------------------------------------------------------------------------------
// Last writer wins
// ---------------------------------------------------------------------------------------------

/// A value of a shared field with the HLC of the write that set it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamped {
    pub value: Option<String>,
    pub hlc: Hlc,
}

/// What to do with an incoming write to a shared field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LwwDecision {
    /// The incoming write is later: store it. `overwritten` is the previous value when it came
    /// from another writer and differs (it goes to the conflict log).
    Take { overwritten: Option<Stamped> },
    /// The stored write is later: keep it. `lost` is the incoming value when it differs from
    /// the stored one and comes from another writer (it goes to the conflict log).
    Keep { lost: Option<Stamped> },
    /// The very same write again (a retry): nothing to do.
    Same,
}

/// Per-field last-writer-wins. The HLC orders writes; equal wall time and counter fall back to
/// the node id, which is part of [`Hlc`]'s order, so two different writes never tie.
pub fn lww(current: Option<&Stamped>, incoming: &Stamped) -> LwwDecision {
    let Some(current) = current else {
        return LwwDecision::Take { overwritten: None };
    };
    let clash = |a: &Stamped, b: &Stamped| a.hlc.node != b.hlc.node && a.value != b.value;
    match incoming.hlc.cmp(&current.hlc) {
        std::cmp::Ordering::Equal => LwwDecision::Same,
        std::cmp::Ordering::Greater => {
            LwwDecision::Take { overwritten: clash(incoming, current).then(|| current.clone()) }
        }
        std::cmp::Ordering::Less => {
            LwwDecision::Keep { lost: clash(incoming, current).then(|| incoming.clone()) }
        }
    }
}

/// [`lww`] for a writer that said which value it replaced (`seen`, the value it showed when the
/// person changed it): overwriting exactly the value it had seen is an edit made on top of it,
/// so nothing goes to the conflict log. A writer that had not seen the current value (it was
/// offline, or did not pull since) still logs it; so does one that did not say (`None`).
pub fn lww_seen(
    current: Option<&Stamped>,
    incoming: &Stamped,
    seen: Option<&Option<String>>,
) -> LwwDecision {
    match lww(current, incoming) {
        LwwDecision::Take { overwritten: Some(old) } if seen == Some(&old.value) => {
            LwwDecision::Take { overwritten: None }
        }
        decision => decision,
    }
}

/// The conflict log's sentence for a last-writer-wins clash on `field` between `kept_by`'s
/// write (kept: its clock time is later) and `lost_by`'s. `kept_arrived_first`: the kept write
/// reached head office before the one it beat ([`LwwDecision::Keep`]); then the kept change is
/// not "the later change" as people see it (a device clock ahead, or a laptop offline for long
/// syncing an edit made after), and the sentence says it won by its clock time.
pub fn conflict_detail(
    field: &str,
    kept_by: &str,
    lost_by: &str,
    kept_arrived_first: bool,
) -> String {
    if kept_arrived_first {
        format!(
            "{field} was changed by {kept_by} and by {lost_by}; {kept_by}'s change was kept \
             because its clock time is later, although {lost_by}'s change reached head office \
             after it"
        )
    } else {
        format!(
            "{field} was changed by {kept_by} and by {lost_by}; the later change ({kept_by}'s) \
             was kept"
        )
    }
}

/// The reason a device is given for its write to `field` that met a concurrent change:
/// `kept` when its write won ([`LwwDecision::Take`]), else the other change's clock time is
/// later and that change stays (never "the later change was kept": this write reached head
/// office later).
pub fn conflict_reason(field: &str, kept: bool) -> String {
    if kept {
        format!(
            "{field} was also changed elsewhere; this change is the later one and was kept, the \
             value it replaced is in the conflict log"
        )
    } else {
        format!(
            "{field} was also changed elsewhere with a later clock time; that change was kept \
             and this one is in the conflict log"
        )
    }
}

// ---------------------------------------------------------------------------------------------
// Status
// ---------------------------------------------------------------------------------------------

/// What a technician's status change does to the job head office holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusDecision {
    /// Valid from the current status: move the job.
    Apply,
    /// The job already has that status (the same move arrived through another path): record
    /// nothing more.
    AlreadyThere,
    /// A completion met a dispatcher's cancellation: keep the status, log a conflict for a
    /// person to decide.
    FlagCancelledVsCompleted,
    Reject(Rejection),
}

/// Decides a technician's move from head office's `current` status to `to`, with the core's
/// lifecycle rules and completion guard (facts as head office knows them).
pub fn decide_technician_move(
    current: JobStatus,
    to: JobStatus,
    reason: Option<&str>,
    completion: &CompletionFacts,
) -> StatusDecision {
    if current == JobStatus::Cancelled && to == JobStatus::Completed {
        return StatusDecision::FlagCancelledVsCompleted;
    }
    if current == to {
        return StatusDecision::AlreadyThere;
    }
    let req = MoveRequest {
        from: current,
        to,
        role: Role::Technician,
        reason,
        completion,
        schedule: ScheduleFacts { has_assignee: true, has_appointment_window: true },
    };
    match lifecycle::check_move(&req) {
        Ok(_) => StatusDecision::Apply,
        Err(e) => {
            let code = match e.code() {
                c @ (ErrorCode::TransitionNotAllowed
                | ErrorCode::ReasonRequired
                | ErrorCode::CompletionBlocked) => c,
                _ => ErrorCode::Invalid,
            };
            let reason = if current == JobStatus::Cancelled {
                format!("the job was cancelled at head office: {e}")
            } else {
                e.to_string()
            };
            StatusDecision::Reject(Rejection::new(code, reason))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    fn at(wall: i64, logical: u32, node: &str, value: &str) -> Stamped {
        Stamped {
            value: Some(value.into()),
            hlc: Hlc { wall_ms: wall, logical, node: node.into() },
        }
    }

    #[test]
    fn a_retried_batch_has_nothing_fresh() {
        let plan = plan_batch(12, &[10, 11, 12]).unwrap();
        assert!(plan.fresh.is_empty());
        assert_eq!(plan.already_applied, vec![0, 1, 2]);
        let plan = plan_batch(11, &[10, 11, 12, 15]).unwrap();
        assert_eq!(plan.fresh, vec![2, 3]);
        assert_eq!(plan_batch(0, &[3, 3]).unwrap_err().code, "invalid");
    }

    #[test]
    fn a_later_write_from_another_device_logs_the_overwritten_value() {
        let a = at(100, 0, "dev-a", "fan motor seized");
        let b = at(200, 0, "dev-b", "capacitor failed");
        assert_eq!(lww(Some(&a), &b), LwwDecision::Take { overwritten: Some(a.clone()) });
        assert_eq!(lww(Some(&b), &a), LwwDecision::Keep { lost: Some(a.clone()) });
        assert_eq!(lww(Some(&a), &a), LwwDecision::Same);
        // B had seen A's value when it overwrote it: an edit on top, nothing to log.
        assert_eq!(lww_seen(Some(&a), &b, Some(&a.value)), LwwDecision::Take { overwritten: None });
        // B had seen something else (it was offline): A's value goes to the log.
        assert_eq!(
            lww_seen(Some(&a), &b, Some(&Some("older".into()))),
            LwwDecision::Take { overwritten: Some(a.clone()) }
        );
        assert_eq!(lww_seen(Some(&a), &b, None), lww(Some(&a), &b));
        // Having seen the value does not make an older write win.
        assert_eq!(lww_seen(Some(&b), &a, Some(&b.value)), lww(Some(&b), &a));
    }

    #[test]
    fn a_change_kept_by_clock_order_that_arrived_first_is_not_called_the_later_one() {
        let words = conflict_detail("diagnosis", "alice", "head office", true);
        assert!(!words.contains("later change"), "{words}");
        assert!(
            words.contains("alice's change was kept because its clock time is later"),
            "{words}"
        );
        assert!(words.contains("head office's change reached head office after it"), "{words}");
        let words = conflict_detail("diagnosis", "alice", "head office", false);
        assert!(words.contains("the later change (alice's) was kept"), "{words}");
        let reason = conflict_reason("diagnosis", false);
        assert!(!reason.contains("later change"), "{reason}");
        assert!(reason.contains("later clock time; that change was kept"), "{reason}");
        assert!(conflict_reason("diagnosis", true).contains("this change is the later one"));
    }

    #[test]
    fn equal_clocks_are_broken_by_device_id() {
        let a = at(100, 4, "dev-a", "x");
        let b = at(100, 4, "dev-b", "y");
        assert!(matches!(lww(Some(&a), &b), LwwDecision::Take { .. }));
        assert!(matches!(lww(Some(&b), &a), LwwDecision::Keep { .. }));
    }

    #[test]
    fn the_same_device_overwriting_itself_is_no_conflict() {
        let a1 = at(100, 0, "dev-a", "first");
        let a2 = at(300, 0, "dev-a", "second");
        assert_eq!(lww(Some(&a1), &a2), LwwDecision::Take { overwritten: None });
    }

    #[test]
    fn technicians_cannot_schedule_or_create_jobs() {
        let m = IncomingMutation::JobScheduled {
            job_id: "j".into(),
            assignee_id: "t".into(),
            appointment_start: chrono::Utc::now(),
            appointment_end: chrono::Utc::now(),
        };
        assert_eq!(check_technician_may_change(&m).unwrap_err().code, "dispatcher_owned");
    }

    #[test]
    fn a_completion_meeting_a_cancellation_is_flagged_not_merged() {
        let ready = CompletionFacts {
            has_resolution: true,
            has_signature_absence_reason: true,
            ..CompletionFacts::default()
        };
        assert_eq!(
            decide_technician_move(JobStatus::Cancelled, JobStatus::Completed, None, &ready),
            StatusDecision::FlagCancelledVsCompleted
        );
        let StatusDecision::Reject(r) =
            decide_technician_move(JobStatus::Cancelled, JobStatus::OnSite, None, &ready)
        else {
            panic!("moving a cancelled job must be refused");
        };
        assert_eq!(r.code, "transition_not_allowed");
        assert!(r.reason.contains("cancelled at head office"), "{}", r.reason);
        assert_eq!(
            decide_technician_move(JobStatus::InProgress, JobStatus::Completed, None, &ready),
            StatusDecision::Apply
        );
        let StatusDecision::Reject(r) = decide_technician_move(
            JobStatus::InProgress,
            JobStatus::Completed,
            None,
            &CompletionFacts::default(),
        ) else {
            panic!("completion without a resolution must be refused");
        };
        assert_eq!(r.code, "completion_blocked");
    }

    /// A replica of one job's shared fields, applying writes with [`lww`] and a conflict log.
    #[derive(Debug, Clone, Default, PartialEq)]
    struct Replica {
        fields: BTreeMap<u8, Stamped>,
        /// Keyed by field and the losing write's HLC, as head office keys its conflict log, so
        /// the same loss is logged once.
        conflicts: std::collections::BTreeSet<(u8, String)>,
    }

    impl Replica {
        fn apply(&mut self, field: u8, w: &Stamped) {
            match lww(self.fields.get(&field), w) {
                LwwDecision::Take { overwritten } => {
                    if let Some(o) = overwritten {
                        self.conflicts.insert((field, o.hlc.to_string()));
                    }
                    self.fields.insert(field, w.clone());
                }
                LwwDecision::Keep { lost } => {
                    if let Some(l) = lost {
                        self.conflicts.insert((field, l.hlc.to_string()));
                    }
                }
                LwwDecision::Same => {}
            }
        }
    }

    /// Writes with unique HLCs (as real ones are: each node ticks its own clock).
    fn writes() -> impl Strategy<Value = Vec<(u8, Stamped)>> {
        proptest::collection::vec((0u8..3, 0i64..50, 0u32..3, 0usize..3, 0u8..4), 1..30).prop_map(
            |raw| {
                let mut seen = std::collections::BTreeSet::new();
                raw.into_iter()
                    .filter(|(_, w, l, n, _)| seen.insert((*w, *l, *n)))
                    .map(|(f, w, l, n, v)| {
                        let node = ["dev-a", "dev-b", "head-office"][n];
                        (f, at(w, l, node, &format!("v{v}")))
                    })
                    .collect()
            },
        )
    }

    proptest! {
        #[test]
        fn lww_converges_whatever_the_order(ws in writes(), seed in any::<u64>()) {
            let mut forward = Replica::default();
            for (f, w) in &ws { forward.apply(*f, w); }
            let mut shuffled = ws.clone();
            // A deterministic shuffle from the seed.
            let n = shuffled.len();
            for i in (1..n).rev() {
                let j = (seed.wrapping_mul(6364136223846793005).wrapping_add(i as u64) % (i as u64 + 1)) as usize;
                shuffled.swap(i, j);
            }
            let mut other = Replica::default();
            for (f, w) in &shuffled { other.apply(*f, w); }
            prop_assert_eq!(&forward.fields, &other.fields);
            // The winner of each field is its write with the greatest HLC.
            for (f, w) in &forward.fields {
                let best = ws.iter().filter(|(g, _)| g == f).map(|(_, s)| &s.hlc).max();
                prop_assert_eq!(Some(&w.hlc), best);
            }
        }

        #[test]
        /// Re-delivered writes never change a field (the batch layer keeps them from reaching
        /// `lww` at all; this is the second line of defence).
        fn reapplying_writes_never_changes_a_winner(ws in writes()) {
            let mut once = Replica::default();
            for (f, w) in &ws { once.apply(*f, w); }
            let mut twice = once.clone();
            for (f, w) in &ws { twice.apply(*f, w); }
            prop_assert_eq!(&once.fields, &twice.fields);
            prop_assert!(once.conflicts.is_subset(&twice.conflicts));
        }

        #[test]
        fn a_retried_batch_applies_each_entry_once(
            gaps in proptest::collection::vec(1i64..4, 1..40),
            split in 0usize..40,
            retries in 1usize..4,
        ) {
            let mut seq = 0;
            let seqs: Vec<i64> = gaps.iter().map(|g| { seq += g; seq }).collect();
            let split = split.min(seqs.len());
            let mut last_applied = 0;
            let mut applied = Vec::new();
            // The first part arrives, then the whole batch again (the answer was lost), several times.
            let mut pushes = vec![seqs[..split].to_vec()];
            pushes.extend(std::iter::repeat_n(seqs.clone(), retries));
            for batch in pushes {
                let plan = plan_batch(last_applied, &batch).unwrap();
                for i in plan.fresh {
                    applied.push(batch[i]);
                    last_applied = batch[i];
                }
            }
            prop_assert_eq!(applied, seqs);
        }
    }
}
