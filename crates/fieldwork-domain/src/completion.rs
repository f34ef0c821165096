//! What the completion guard looks at, computed from a job's records: the one rule behind
//! [`lifecycle::CompletionFacts`], used by the device (over its store) and by head office (over
//! its copy of the job) alike, so head office refuses exactly the completions the device
//! refuses.
//!
//! The caller loads a job's records with its own SQL into a [`JobRecords`] — every record, the
//! withdrawn ones flagged, nothing judged — and [`completion_facts`] decides what counts: a
//! withdrawn photo is no photo, a withdrawn part line is not signed for, a checklist answer
//! counts only if it satisfies its item, and a signature counts only if the facts it signed
//! ([`SignedFacts`]) are still the job's facts.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::domain::{
    ChecklistValue, EquipmentCategory, JobType, PartUsed, PhotoKind, TimeEntry, WorkOrder,
};
use crate::error::Result;
use crate::lifecycle::{self, CompletionFacts};
use crate::signed::SignedFacts;

/// One photo of a job, as far as completion cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhotoRecord {
    pub kind: PhotoKind,
    /// Withdrawn (deleted) before completion: the record stays, the photo does not count.
    pub withdrawn: bool,
}

/// One part line of a job.
#[derive(Debug, Clone, PartialEq)]
pub struct PartRecord {
    pub part: PartUsed,
    /// Withdrawn (or replaced by a corrected line): not one of the job's parts any more.
    pub withdrawn: bool,
}

/// Every record of one job that completion and the signed facts are computed from, as plain
/// data (no storage). Each side fills it from its own tables.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRecords {
    /// The job as it is now (status, resolution, reason for a missing signature).
    pub job: WorkOrder,
    /// The job's type: its checklist and the photo kinds it requires.
    pub job_type: JobType,
    /// The kind of product the job's equipment is (`None`: no equipment): which of the type's
    /// checklist items the job asks ([`JobType::checklist_for`]).
    pub equipment_category: Option<EquipmentCategory>,
    /// Checklist answers as stored: the item key and the answer's JSON ([`ChecklistValue`]).
    pub checklist_answers: Vec<(String, String)>,
    /// Every photo of the job, withdrawn ones included (flagged).
    pub photos: Vec<PhotoRecord>,
    /// Every part line of the job, withdrawn ones included (flagged).
    pub parts: Vec<PartRecord>,
    /// Every time entry of the job, corrected ones included (a correction names the entry it
    /// replaces in `supersedes`).
    pub time_entries: Vec<TimeEntry>,
    /// When the job last moved to in progress (the latest such change in clock order), if
    /// ever: the start of the labour span that is open while it is in progress.
    pub in_progress_since: Option<DateTime<Utc>>,
    /// The summary hash ([`SignedFacts::sha256`]) each of the job's signatures recorded,
    /// oldest first: the last is the signature in force.
    pub signature_summaries: Vec<String>,
}

impl JobRecords {
    /// The facts a customer's signature covers, as the job's records say now.
    pub fn signed_facts(&self) -> SignedFacts {
        let parts: Vec<PartUsed> =
            self.parts.iter().filter(|p| !p.withdrawn).map(|p| p.part.clone()).collect();
        SignedFacts::from_records(
            &self.job,
            self.checklist_answers.clone(),
            &parts,
            &self.time_entries,
            self.in_progress_since,
        )
    }

    /// SHA-256 of [`JobRecords::signed_facts`]: what a new signature records, and what the
    /// signature in force is compared with.
    pub fn signed_facts_sha256(&self) -> Result<String> {
        self.signed_facts().sha256()
    }
}

/// What the completion guard ([`lifecycle::completion_missing`]) looks at, from the job's
/// records. The one place these facts are computed, on the device and at head office.
pub fn completion_facts(records: &JobRecords) -> Result<CompletionFacts> {
    let job = &records.job;
    let jt = &records.job_type;
    // An answer that does not read as a value counts as no answer.
    let answers: HashMap<&str, ChecklistValue> = records
        .checklist_answers
        .iter()
        .filter_map(|(key, raw)| {
            serde_json::from_str::<ChecklistValue>(raw).ok().map(|v| (key.as_str(), v))
        })
        .collect();
    let unanswered_required_items = jt
        .checklist_for(records.equipment_category)
        .filter(|item| {
            item.required
                && !answers.get(item.key.as_str()).is_some_and(|v| item.is_satisfied_by(v))
        })
        .map(|item| (item.key.clone(), item.label.clone()))
        .collect();
    let mut present_photo_kinds: Vec<PhotoKind> =
        records.photos.iter().filter(|p| !p.withdrawn).map(|p| p.kind).collect();
    present_photo_kinds.sort();
    present_photo_kinds.dedup();
    // The latest signature is the one in force; it counts only if the facts it covers are
    // still the job's facts.
    let (has_signature, signature_stale) = match records.signature_summaries.last() {
        None => (false, false),
        Some(signed) => {
            let current = *signed == records.signed_facts_sha256()?;
            (current, !current)
        }
    };
    Ok(CompletionFacts {
        has_resolution: has_text(job.resolution.as_deref()),
        unanswered_required_items,
        required_photo_kinds: jt.required_photo_kinds.clone(),
        present_photo_kinds,
        has_signature,
        signature_stale,
        has_signature_absence_reason: has_text(job.signature_absence_reason.as_deref()),
    })
}

/// Everything still missing before the job can be completed, from its records: the device's
/// and head office's refusal alike ([`lifecycle::completion_missing`] of [`completion_facts`]).
pub fn completion_missing(records: &JobRecords) -> Result<Vec<lifecycle::Missing>> {
    Ok(lifecycle::completion_missing(&completion_facts(records)?))
}

fn has_text(text: Option<&str>) -> bool {
    text.is_some_and(|t| !t.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::domain::{
        ChecklistItem, ChecklistItemKind, JobStatus, TimeEntryKind, TimeEntrySource,
    };
    use crate::lifecycle::Missing;

    fn ms(ms: i64) -> DateTime<Utc> {
        Utc.timestamp_millis_opt(1_780_000_000_000 + ms).unwrap()
    }

    fn item(key: &str, kind: ChecklistItemKind, required: bool) -> ChecklistItem {
        ChecklistItem {
            key: key.into(),
            label: format!("Label of {key}"),
            label_zh: key.into(),
            kind,
            required,
            unit: None,
            options: vec!["Pass".into(), "Fail".into()],
            categories: vec![],
        }
    }

    fn job() -> WorkOrder {
        serde_json::from_value(serde_json::json!({
            "id": "job-1", "number": "WO-2026-000001", "job_type_id": "jt", "priority": "normal",
            "status": "in_progress", "customer_id": "c", "site_id": "s", "equipment_id": null,
            "reported_problem": "p", "reported_at": "2026-01-01T00:00:00Z",
            "appointment_start": null, "appointment_end": null, "assignee_id": null,
            "owner_dispatcher": "d", "ack_due_at": "2026-01-01T00:30:00Z",
            "due_at": "2026-01-03T00:00:00Z", "complete_due_at": null,
            "warranty_status": "in_warranty", "chargeable": false, "diagnosis": null,
            "resolution": "Replaced the drain hose", "signature_absence_reason": null,
            "return_of": null, "created_at": "2026-01-01T00:00:00Z",
            "updated_at": "2026-01-01T00:00:00Z"
        }))
        .unwrap()
    }

    fn part(id: &str, quantity: f64) -> PartUsed {
        PartUsed {
            id: id.into(),
            job_id: "job-1".into(),
            part_no: "HOSE".into(),
            description: "Drain hose".into(),
            quantity,
            unit_price_cents: 4_500,
            chargeable: true,
            from_catalogue: true,
            line_total_cents: 4_500,
            created_at: ms(0),
        }
    }

    fn entry(id: &str, kind: TimeEntryKind, source: TimeEntrySource, from: i64) -> TimeEntry {
        TimeEntry {
            id: id.into(),
            job_id: "job-1".into(),
            kind,
            started_at: ms(from),
            ended_at: ms(from + 60_000),
            minutes: 1,
            source,
            supersedes: None,
            created_at: ms(from + 60_000),
        }
    }

    /// A job with everything completion needs, signed over its facts as they are.
    fn complete() -> JobRecords {
        let mut records = JobRecords {
            job: job(),
            job_type: JobType {
                id: "jt".into(),
                code: "repair".into(),
                name: "Repair".into(),
                name_zh: "维修".into(),
                required_photo_kinds: vec![PhotoKind::Before, PhotoKind::After],
                checklist: vec![
                    item("breaker_off", ChecklistItemKind::Checkbox, true),
                    item("test_result", ChecklistItemKind::Choice, true),
                    item("notes", ChecklistItemKind::Text, false),
                ],
            },
            equipment_category: Some(EquipmentCategory::WaterHeater),
            checklist_answers: vec![
                ("breaker_off".into(), r#"{"kind":"checkbox","value":true}"#.into()),
                ("test_result".into(), r#"{"kind":"choice","value":"Pass"}"#.into()),
            ],
            photos: vec![
                PhotoRecord { kind: PhotoKind::Before, withdrawn: false },
                PhotoRecord { kind: PhotoKind::After, withdrawn: false },
            ],
            parts: vec![PartRecord { part: part("p1", 1.0), withdrawn: false }],
            time_entries: vec![entry("t1", TimeEntryKind::Travel, TimeEntrySource::Derived, 0)],
            in_progress_since: Some(ms(120_000)),
            signature_summaries: vec![],
        };
        records.signature_summaries = vec![records.signed_facts_sha256().unwrap()];
        records
    }

    fn missing(records: &JobRecords) -> Vec<Missing> {
        completion_missing(records).unwrap()
    }

    #[test]
    fn a_job_with_every_fact_can_be_completed() {
        let records = complete();
        let facts = completion_facts(&records).unwrap();
        assert!(facts.has_signature && !facts.signature_stale, "{facts:?}");
        assert_eq!(missing(&records), vec![]);
    }

    #[test]
    fn each_unanswered_required_checklist_item_is_missing() {
        for key in ["breaker_off", "test_result"] {
            let mut r = complete();
            r.checklist_answers.retain(|(k, _)| k != key);
            r.signature_summaries = vec![r.signed_facts_sha256().unwrap()];
            assert_eq!(
                missing(&r),
                vec![Missing::ChecklistItem { key: key.into(), label: format!("Label of {key}") }]
            );
        }
        // Unticked is unanswered; an optional item never matters; an unreadable answer is none.
        let mut r = complete();
        r.checklist_answers[0].1 = r#"{"kind":"checkbox","value":false}"#.into();
        r.checklist_answers[1].1 = "not json".into();
        r.checklist_answers.push(("unknown".into(), r#"{"kind":"text","value":"x"}"#.into()));
        r.signature_summaries = vec![r.signed_facts_sha256().unwrap()];
        assert_eq!(missing(&r).len(), 2, "{:?}", missing(&r));
    }

    #[test]
    fn a_required_item_for_other_products_is_not_missing_and_one_for_this_product_is() {
        let mut r = complete();
        r.job_type.checklist.push(ChecklistItem {
            categories: vec![EquipmentCategory::Furniture],
            ..item("mechanism", ChecklistItemKind::Checkbox, true)
        });
        r.signature_summaries = vec![r.signed_facts_sha256().unwrap()];
        assert_eq!(missing(&r), vec![], "a water heater's repair does not ask it");
        r.equipment_category = None;
        assert_eq!(missing(&r), vec![], "nor does a job without equipment");
        r.equipment_category = Some(EquipmentCategory::Furniture);
        assert_eq!(
            missing(&r),
            vec![Missing::ChecklistItem {
                key: "mechanism".into(),
                label: "Label of mechanism".into()
            }]
        );
    }

    #[test]
    fn each_required_photo_kind_is_missing_and_a_withdrawn_photo_does_not_count() {
        for (i, kind) in [PhotoKind::Before, PhotoKind::After].into_iter().enumerate() {
            let mut r = complete();
            r.photos.remove(i);
            assert_eq!(missing(&r), vec![Missing::Photo { kind }]);
            let mut r = complete();
            r.photos[i].withdrawn = true;
            assert_eq!(missing(&r), vec![Missing::Photo { kind }], "withdrawn {kind}");
            // Another live photo of that kind does count.
            r.photos.push(PhotoRecord { kind, withdrawn: false });
            assert_eq!(missing(&r), vec![]);
        }
    }

    #[test]
    fn no_signature_is_missing_unless_a_reason_is_recorded() {
        let mut r = complete();
        r.signature_summaries.clear();
        assert_eq!(missing(&r), vec![Missing::SignatureOrReason]);
        r.job.signature_absence_reason = Some("  ".into());
        assert_eq!(missing(&r), vec![Missing::SignatureOrReason], "blank is no reason");
        r.job.signature_absence_reason = Some("Customer not at home".into());
        assert_eq!(missing(&r), vec![]);
    }

    #[test]
    fn a_signature_is_stale_when_a_signed_fact_changed_after_signing() {
        type Change = fn(&mut JobRecords);
        let changes: Vec<(&str, Change)> = vec![
            ("resolution", |r| r.job.resolution = Some("Replaced the pump".into())),
            ("checklist answer", |r| {
                r.checklist_answers[1].1 = r#"{"kind":"choice","value":"Fail"}"#.into();
            }),
            ("checklist answer added", |r| {
                r.checklist_answers.push(("notes".into(), r#"{"kind":"text","value":"x"}"#.into()));
            }),
            ("part added", |r| {
                r.parts.push(PartRecord { part: part("p2", 2.0), withdrawn: false })
            }),
            ("part withdrawn", |r| r.parts[0].withdrawn = true),
            ("time added", |r| {
                r.time_entries.push(entry(
                    "t2",
                    TimeEntryKind::Labour,
                    TimeEntrySource::Manual,
                    30_000,
                ));
            }),
        ];
        for (what, change) in changes {
            let mut r = complete();
            change(&mut r);
            let facts = completion_facts(&r).unwrap();
            assert!(facts.signature_stale && !facts.has_signature, "{what}: {facts:?}");
            assert_eq!(missing(&r), vec![Missing::SignatureStale], "{what}");
            // A newer signature over the facts as they are now is in force.
            r.signature_summaries.push(r.signed_facts_sha256().unwrap());
            assert_eq!(missing(&r), vec![], "{what}: signed again");
        }
        // What a signature does not cover changes nothing: photos, the diagnosis.
        let mut r = complete();
        r.photos.push(PhotoRecord { kind: PhotoKind::Fault, withdrawn: true });
        r.job.diagnosis = Some("Drain blocked".into());
        assert_eq!(missing(&r), vec![]);
    }

    #[test]
    fn only_the_latest_signature_is_in_force() {
        let mut r = complete();
        let current = r.signature_summaries[0].clone();
        r.signature_summaries = vec![current.clone(), "0".repeat(64)];
        assert_eq!(missing(&r), vec![Missing::SignatureStale]);
        r.signature_summaries = vec!["0".repeat(64), current];
        assert_eq!(missing(&r), vec![]);
    }

    #[test]
    fn a_missing_resolution_is_missing() {
        for blank in [None, Some(String::new()), Some(" \n ".to_owned())] {
            let mut r = complete();
            r.job.resolution = blank;
            r.signature_summaries = vec![r.signed_facts_sha256().unwrap()];
            assert_eq!(missing(&r), vec![Missing::Resolution]);
        }
    }

    #[test]
    fn the_labour_entry_that_ends_the_work_does_not_stale_the_signature() {
        // Signed while in progress: the open labour span is part of what was signed.
        let r = complete();
        // The device records the derived labour entry that closes the span, then moves the
        // job: head office holds the entry while the job is still in progress.
        let mut closing = r.clone();
        closing.time_entries.push(entry(
            "t-labour",
            TimeEntryKind::Labour,
            TimeEntrySource::Derived,
            120_000,
        ));
        assert_eq!(missing(&closing), vec![], "the span is not counted twice");
        // After the move the job is completed: the same facts, the same hash.
        let mut completed = closing.clone();
        completed.job.status = JobStatus::Completed;
        assert_eq!(
            completed.signed_facts_sha256().unwrap(),
            r.signature_summaries[0],
            "completing right after signing changes nothing"
        );
        // A labour entry that closes some other span is a change.
        let mut other = r.clone();
        other.time_entries.push(entry(
            "t-other",
            TimeEntryKind::Labour,
            TimeEntrySource::Derived,
            90_000,
        ));
        assert_eq!(missing(&other), vec![Missing::SignatureStale]);
    }
}
