//! Issue 12, point 12: head office holds every field of every pushed mutation to the device's
//! own limits (`fieldwork_domain::limits`). An oversize field is refused with `too_long` and
//! recorded; the rest of the batch goes on.

use chrono::Utc;
use fieldwork_domain::limits::{
    CHECKLIST_TEXT_MAX_CHARS, FEEDBACK_COMMENT_MAX_CHARS, ID_MAX_CHARS, JOB_TEXT_MAX_CHARS,
    NOTE_MAX_CHARS, PART_DESCRIPTION_MAX_CHARS, PERSON_NAME_MAX_CHARS, PHOTO_CAPTION_MAX_CHARS,
    REASON_MAX_CHARS, SIGNATURE_STATEMENT_MAX_CHARS, SIGNER_NAME_MAX_CHARS, STROKES_MAX_BYTES,
};
use fieldwork_wire::wire::{PushRequest, Record};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::*;

/// A valid mutation of each kind, as JSON, for `job`.
fn base(kind: &str, job: &str, work_order: &Value) -> Value {
    let now = Utc::now();
    let id = fieldwork_domain::ids::new_id();
    match kind {
        "job_created" => json!({"type": kind, "work_order": work_order}),
        "job_scheduled" => json!({"type": kind, "job_id": job, "assignee_id": "tech-a",
            "appointment_start": now, "appointment_end": now}),
        "status_changed" => json!({"type": kind, "job_id": job, "change_id": id,
            "from": "scheduled", "to": "en_route", "reason": "traffic", "at": now}),
        "field_set" => {
            json!({"type": kind, "job_id": job, "field": "diagnosis", "value": "worn seal"})
        }
        "checklist_answered" => json!({"type": kind, "job_id": job, "item_key": "notes",
            "value": {"kind": "text", "value": "fine"}, "at": now}),
        "note_added" => json!({"type": kind, "note": {"id": id, "job_id": job,
            "author": "Li Wei", "body": "checked", "created_at": now}}),
        "part_added" => json!({"type": kind, "part": {"id": id, "job_id": job,
            "part_no": "P-1", "description": "seal", "quantity": 1.0, "unit_price_cents": 100,
            "chargeable": false, "from_catalogue": false, "line_total_cents": 100,
            "created_at": now}}),
        "time_entry_added" => json!({"type": kind, "entry": {"id": id, "job_id": job,
            "kind": "labour", "started_at": now, "ended_at": now, "minutes": 0,
            "source": "manual", "supersedes": null, "created_at": now}}),
        "feedback_given" => json!({"type": kind, "feedback": {"id": id, "job_id": job,
            "rating": 5, "comment": "good", "created_at": now}}),
        "photo_added" => json!({"type": kind, "photo": {"id": id, "job_id": job,
            "kind": "fault", "caption": "leak", "sha256": "a".repeat(64),
            "thumb_sha256": "b".repeat(64), "width": 10, "height": 10, "bytes": 100,
            "taken_at": null, "created_at": now}}),
        "photo_deleted" => json!({"type": kind, "job_id": job, "photo_id": id, "at": now}),
        "signature_added" => json!({"type": kind, "job_id": job, "signature_id": id,
            "signer_name": "Zhang Wei", "statement": "done", "signed_at": now,
            "summary_sha256": "c".repeat(64), "png_sha256": "d".repeat(64), "strokes": "[]"}),
        other => panic!("no sample of {other}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_string_field_of_every_mutation_kind_is_held_to_the_device_limits() {
    let mut w = World::new().await;
    let job = w.job_a.clone();
    let work_order = w.dispatcher.job(&job).await["work_order"].clone();
    // (kind, the field as a JSON pointer into the mutation, its limit)
    let table: &[(&str, &str, usize)] = &[
        ("job_created", "/work_order/reported_problem", JOB_TEXT_MAX_CHARS),
        ("job_created", "/work_order/owner_dispatcher", PERSON_NAME_MAX_CHARS),
        ("job_scheduled", "/assignee_id", ID_MAX_CHARS),
        ("status_changed", "/reason", REASON_MAX_CHARS),
        ("status_changed", "/change_id", ID_MAX_CHARS),
        ("field_set", "/value", JOB_TEXT_MAX_CHARS),
        ("field_set", "/job_id", ID_MAX_CHARS),
        ("checklist_answered", "/value/value", CHECKLIST_TEXT_MAX_CHARS),
        ("checklist_answered", "/item_key", ID_MAX_CHARS),
        ("note_added", "/note/body", NOTE_MAX_CHARS),
        ("note_added", "/note/author", PERSON_NAME_MAX_CHARS),
        ("note_added", "/note/id", ID_MAX_CHARS),
        ("part_added", "/part/description", PART_DESCRIPTION_MAX_CHARS),
        ("part_added", "/part/part_no", ID_MAX_CHARS),
        ("time_entry_added", "/entry/supersedes", ID_MAX_CHARS),
        ("time_entry_added", "/entry/id", ID_MAX_CHARS),
        ("feedback_given", "/feedback/comment", FEEDBACK_COMMENT_MAX_CHARS),
        ("photo_added", "/photo/caption", PHOTO_CAPTION_MAX_CHARS),
        ("photo_added", "/photo/id", ID_MAX_CHARS),
        ("photo_deleted", "/photo_id", ID_MAX_CHARS),
        ("signature_added", "/signer_name", SIGNER_NAME_MAX_CHARS),
        ("signature_added", "/statement", SIGNATURE_STATEMENT_MAX_CHARS),
        ("signature_added", "/strokes", STROKES_MAX_BYTES),
        ("signature_added", "/signature_id", ID_MAX_CHARS),
    ];
    // One entry per row with the field one character over its limit, then a valid note: a
    // placeholder note is stamped for each so the device's clock and sequence stay its own.
    let mut entries = Vec::new();
    for _ in 0..=table.len() {
        let m = w.a.note(&job, "placeholder");
        entries.push(w.a.entry(m));
    }
    let mut req =
        serde_json::to_value(PushRequest::from_outbox(&w.a.device_id, &entries).unwrap()).unwrap();
    for (i, (kind, pointer, limit)) in table.iter().enumerate() {
        let mut m = base(kind, &job, &work_order);
        // Chinese characters: three bytes each, so a byte count would be the wrong measure.
        *m.pointer_mut(pointer).unwrap_or_else(|| panic!("{kind} has no {pointer}")) =
            json!("维".repeat(limit + 1));
        req["entries"][i]["mutation"] = m;
    }
    let (s, v) = w.a.push_raw(&req).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), table.len() + 1);
    for (i, (kind, pointer, _)) in table.iter().enumerate() {
        assert_eq!(results[i]["outcome"], "rejected", "{kind} {pointer}: {}", results[i]);
        assert_eq!(results[i]["code"], "too_long", "{kind} {pointer}: {}", results[i]);
    }
    assert_eq!(results[table.len()]["outcome"], "applied", "the batch goes on");
    let job_now = w.dispatcher.job(&job).await;
    assert_eq!(job_now["notes"].as_array().unwrap().len(), 1, "only the valid note");
    assert!(job_now["work_order"]["diagnosis"].is_null());
    assert_eq!(job_now["work_order"]["status"], "scheduled");

    // Each refusal is on record, and the device pulls it back with its code.
    let rejections: Vec<_> =
        w.a.pull_all(0, 500)
            .await
            .into_iter()
            .flat_map(|p| p.changes)
            .filter_map(|c| match c.record {
                Record::Rejection { rejection } => Some(rejection),
                _ => None,
            })
            .collect();
    assert_eq!(rejections.len(), table.len());
    assert!(rejections.iter().all(|r| r.code == "too_long"), "{rejections:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_15_mib_note_within_the_body_limit_is_refused_and_never_pulled() {
    let mut w = World::new().await;
    let job = w.job_a.clone();
    let huge = w.a.note(&job, &"x".repeat(15 * 1024 * 1024));
    let at_limit = w.a.note(&job, &"好".repeat(NOTE_MAX_CHARS));
    let entries = [w.a.entry(huge), w.a.entry(at_limit)];
    let r = w.a.push(&entries).await;
    assert_eq!(outcome(&r, 0)["code"], "too_long", "{:?}", r.results);
    assert_eq!(outcome(&r, 1)["outcome"], "applied", "a note at the limit is fine");
    let notes = w.dispatcher.job(&job).await["notes"].clone();
    assert_eq!(notes.as_array().unwrap().len(), 1);
    // What the device pulls back is pages of ordinary size, not the 15 MiB.
    let pulled = serde_json::to_vec(&w.a.pull_all(0, 500).await).unwrap();
    assert!(pulled.len() < 1024 * 1024, "{} bytes pulled", pulled.len());
}
