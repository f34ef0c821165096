//! Push: exactly once, merge rules, rejections on record.

use chrono::Utc;
use fieldwork_domain::domain::{ChecklistValue, JobStatus};
use fieldwork_domain::mutation::{JobField, Mutation, Replaces};
use reqwest::StatusCode;
use serde_json::json;

use crate::common::*;

fn field(job: &str, f: JobField, value: &str) -> Mutation {
    Mutation::FieldSet {
        job_id: job.to_owned(),
        field: f,
        value: Some(value.to_owned()),
        replaces: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_batch_pushed_twice_is_applied_once_with_the_same_answer() {
    let mut w = World::new().await;
    let job = w.job_a.clone();
    let entries = vec![
        {
            let m = w.a.note(&job, "Checked the drain pipe");
            w.a.entry(m)
        },
        {
            let m = w.a.status(&job, JobStatus::Scheduled, JobStatus::EnRoute, None);
            w.a.entry(m)
        },
        {
            let m = w.a.note(&job, "On my way");
            w.a.entry(m)
        },
    ];
    let first = w.a.push(&entries).await;
    assert_eq!(first.last_applied_seq, 3);
    assert!(first.results.iter().all(|r| matches!(r.outcome, fieldwork_wire::Outcome::Applied)));
    // The answer was lost: the device sends the same batch again, and then again with more.
    let again = w.a.push(&entries).await;
    assert_eq!(
        again,
        fieldwork_wire::PushResponse { server_hlc: again.server_hlc.clone(), ..first.clone() }
    );
    let mut more = entries.clone();
    let m = w.a.note(&job, "Arrived");
    more.push(w.a.entry(m));
    let third = w.a.push(&more).await;
    assert_eq!(third.last_applied_seq, 4);
    assert_eq!(third.results.len(), 4);
    let j = w.dispatcher.job(&job).await;
    assert_eq!(j["notes"].as_array().unwrap().len(), 3);
    assert_eq!(j["work_order"]["status"], "en_route");
    assert_eq!(j["status_history"].as_array().unwrap().len(), 2, "scheduled, en_route");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_out_of_order_or_for_another_device_is_refused_whole() {
    let mut w = World::new().await;
    let job = w.job_a.clone();
    let one = {
        let m = w.a.note(&job, "one");
        w.a.entry(m)
    };
    let two = {
        let m = w.a.note(&job, "two");
        w.a.entry(m)
    };
    let req = fieldwork_wire::wire::PushRequest::from_outbox(&w.a.device_id, &[two, one]).unwrap();
    let (s, v) = w.a.push_raw(&serde_json::to_value(&req).unwrap()).await;
    assert_eq!((s, code(&v).as_str()), (StatusCode::BAD_REQUEST, "invalid"));
    let mut req = serde_json::to_value(&req).unwrap();
    req["device_id"] = json!(w.b.device_id);
    let (s, _) = w.a.push_raw(&req).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(w.dispatcher.job(&job).await["notes"].as_array().unwrap().len(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_later_write_wins_per_field_and_the_loser_is_in_the_conflict_log() {
    let mut w = World::new().await;
    let job = w.job_a.clone();
    // Two devices of the same technician (a laptop and a spare) both edit offline.
    let mut spare = Device::sign_in(&w.server, "alice").await;
    let now = Utc::now().timestamp_millis();
    let early = w.a.entry_at(field(&job, JobField::Diagnosis, "fan motor seized"), now);
    let late = spare.entry_at(field(&job, JobField::Diagnosis, "capacitor failed"), now + 5_000);
    let resolution = w.a.entry_at(field(&job, JobField::Resolution, "replaced capacitor"), now + 1);
    // The later write arrives first; the earlier one arrives after and loses.
    let r = spare.push(&[late]).await;
    assert_eq!(outcome(&r, 0)["outcome"], "applied");
    let r = w.a.push(&[early, resolution]).await;
    assert_eq!(outcome(&r, 0)["outcome"], "conflict", "{:?}", r.results);
    assert_eq!(outcome(&r, 1)["outcome"], "applied", "another field is untouched by the clash");
    let j = w.dispatcher.job(&job).await;
    assert_eq!(j["work_order"]["diagnosis"], "capacitor failed");
    assert_eq!(j["work_order"]["resolution"], "replaced capacitor");
    let conflicts = j["conflicts"].as_array().unwrap();
    assert_eq!(conflicts.len(), 1);
    assert_eq!(conflicts[0]["kind"], "field_overwritten");
    assert_eq!(conflicts[0]["field"], "diagnosis");
    assert_eq!(conflicts[0]["losing_value"], "fan motor seized");
    assert_eq!(conflicts[0]["winning_value"], "capacitor failed");
    assert_eq!(conflicts[0]["losing_node"], w.a.device_id.as_str());
    // Both devices see the conflict when they pull.
    let pages = w.a.pull_all(0, 1000).await;
    assert!(
        pages
            .iter()
            .flat_map(|p| &p.changes)
            .any(|c| matches!(c.record, fieldwork_wire::Record::Conflict { .. }))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_clock_set_to_2001_does_not_lose_to_an_earlier_edit() {
    let mut w = World::new().await;
    let job = w.job_a.clone();
    let first = w.a.entry(field(&job, JobField::Diagnosis, "first look"));
    let r = w.a.push(&[first]).await;
    assert_eq!(outcome(&r, 0)["outcome"], "applied");
    // The laptop's clock jumps back to 2001; its HLC keeps moving forward.
    let m = field(&job, JobField::Diagnosis, "after a closer look");
    let e = w.a.entry_at(m, at("2001-01-01T00:00:00Z").timestamp_millis());
    let r = w.a.push(&[e]).await;
    assert_eq!(outcome(&r, 0)["outcome"], "applied");
    assert_eq!(w.dispatcher.job(&job).await["work_order"]["diagnosis"], "after a closer look");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_technician_changing_dispatcher_owned_fields_is_rejected_with_a_recorded_reason() {
    let mut w = World::new().await;
    let job = w.job_a.clone();
    let start = Utc::now();
    let m = Mutation::JobScheduled {
        job_id: job.clone(),
        assignee_id: "tech-a".into(),
        appointment_start: start,
        appointment_end: start + chrono::Duration::hours(8),
    };
    let note = w.a.note(&job, "still recorded");
    let entries = vec![w.a.entry(m), w.a.entry(note)];
    let r = w.a.push(&entries).await;
    assert_eq!(r.last_applied_seq, 2, "a rejected entry is handled and acknowledged too");
    assert_eq!(outcome(&r, 0)["outcome"], "rejected");
    assert_eq!(outcome(&r, 0)["code"], "dispatcher_owned");
    assert_eq!(outcome(&r, 1)["outcome"], "applied");
    let j = w.dispatcher.job(&job).await;
    let rejected = j["rejected_mutations"].as_array().unwrap();
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0]["code"], "dispatcher_owned");
    assert_eq!(rejected[0]["kind"], "job_scheduled");
    assert!(rejected[0]["reason"].as_str().unwrap().contains("dispatcher"));
    assert_ne!(j["work_order"]["appointment_end"], json!(start + chrono::Duration::hours(8)));
    // The device learns of it when it pulls as well.
    let pages = w.a.pull_all(0, 1000).await;
    assert!(pages.iter().flat_map(|p| &p.changes).any(|c| matches!(&c.record, fieldwork_wire::Record::Rejection { rejection } if rejection.code == "dispatcher_owned")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_moves_follow_the_lifecycle_and_completion_needs_its_facts() {
    let mut w = World::new().await;
    let job = w.job_a.clone();
    let skip = {
        let m = w.a.status(&job, JobStatus::Scheduled, JobStatus::Completed, None);
        w.a.entry(m)
    };
    let r = w.a.push(&[skip]).await;
    assert_eq!(outcome(&r, 0)["code"], "transition_not_allowed");
    let mut entries = Vec::new();
    for (from, to) in [
        (JobStatus::Scheduled, JobStatus::EnRoute),
        (JobStatus::EnRoute, JobStatus::OnSite),
        (JobStatus::OnSite, JobStatus::InProgress),
        (JobStatus::InProgress, JobStatus::Completed),
    ] {
        let m = w.a.status(&job, from, to, None);
        entries.push(w.a.entry(m));
    }
    let r = w.a.push(&entries).await;
    assert_eq!(outcome(&r, 2)["outcome"], "applied");
    assert_eq!(
        outcome(&r, 3)["code"],
        "completion_blocked",
        "no resolution, checklist or signature"
    );
    assert_eq!(w.dispatcher.job(&job).await["work_order"]["status"], "in_progress");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_completion_meeting_a_dispatcher_cancel_is_flagged_for_a_person() {
    let mut w = World::new().await;
    let job = w.job_a.clone();
    // The technician works offline up to in progress and records everything completion needs.
    let jt = w.dispatcher.job(&job).await["checklist"].clone();
    let mut offline = Vec::new();
    for (from, to) in [
        (JobStatus::Scheduled, JobStatus::EnRoute),
        (JobStatus::EnRoute, JobStatus::OnSite),
        (JobStatus::OnSite, JobStatus::InProgress),
    ] {
        let m = w.a.status(&job, from, to, None);
        offline.push(w.a.entry(m));
    }
    let r = w.a.push(&offline).await;
    assert!(r.results.iter().all(|x| matches!(x.outcome, fieldwork_wire::Outcome::Applied)));
    let mut finish = Vec::new();
    for item in jt.as_array().unwrap().iter().filter(|i| i["required"] == true) {
        let value = match item["kind"].as_str().unwrap() {
            "checkbox" => fieldwork_domain::domain::ChecklistValue::Checkbox(true),
            "number" => fieldwork_domain::domain::ChecklistValue::Number(1.0),
            "choice" => fieldwork_domain::domain::ChecklistValue::Choice("Yes".into()),
            _ => fieldwork_domain::domain::ChecklistValue::Text("done".into()),
        };
        let m = Mutation::ChecklistAnswered {
            job_id: job.clone(),
            item_key: item["item_key"].as_str().unwrap().into(),
            value,
            at: Utc::now(),
            replaces: None,
        };
        finish.push(w.a.entry(m));
    }
    finish.push(w.a.entry(field(&job, JobField::Resolution, "Cleared the drain")));
    finish.push(w.a.entry(field(&job, JobField::SignatureAbsenceReason, "Customer not at home")));
    let r = w.a.push(&finish).await;
    assert!(
        r.results.iter().all(|x| matches!(x.outcome, fieldwork_wire::Outcome::Applied)),
        "{:?}",
        r.results
    );
    // Meanwhile head office cancels the job.
    let (s, v) = w
        .dispatcher
        .call(
            reqwest::Method::POST,
            &format!("/api/v1/jobs/{job}/cancel"),
            Some(json!({"reason": "customer fixed it"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let done = {
        let m = w.a.status(&job, JobStatus::InProgress, JobStatus::Completed, None);
        w.a.entry(m)
    };
    let r = w.a.push(std::slice::from_ref(&done)).await;
    assert_eq!(outcome(&r, 0)["outcome"], "conflict", "{:?}", r.results);
    let j = w.dispatcher.job(&job).await;
    assert_eq!(j["work_order"]["status"], "cancelled", "not auto-merged");
    let c = &j["conflicts"].as_array().unwrap()[0];
    assert_eq!(c["kind"], "cancelled_vs_completed");
    assert_eq!(c["resolved"], false);
    // Re-pushing (the answer was lost) flags it once and answers the same.
    let r2 = w.a.push(&[done]).await;
    assert_eq!(r2.results, r.results);
    assert_eq!(w.dispatcher.job(&job).await["conflicts"].as_array().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn facts_are_deduplicated_by_id_and_unknown_kinds_are_rejected_alone() {
    let mut w = World::new().await;
    let job = w.job_a.clone();
    let note = w.a.note(&job, "Same note twice");
    let first = w.a.entry(note.clone());
    let second = w.a.entry(note.clone());
    let mut unknown = w.a.entry(w.a.note(&job, "x"));
    let mut req = serde_json::to_value(
        fieldwork_wire::wire::PushRequest::from_outbox(&w.a.device_id, &[first, second]).unwrap(),
    )
    .unwrap();
    unknown.seq = 3;
    let mut raw = serde_json::to_value(&unknown).unwrap();
    raw["mutation"] = json!({"type": "hologram_projected", "job_id": job});
    req["entries"].as_array_mut().unwrap().push(raw);
    let (s, v) = w.a.push_raw(&req).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["results"][0]["outcome"], "applied");
    assert_eq!(v["results"][1]["outcome"], "applied", "the same fact again is a no-op");
    assert_eq!(v["results"][2]["code"], "unsupported_mutation");
    assert_eq!(w.dispatcher.job(&job).await["notes"].as_array().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_push_tells_the_device_where_it_stands() {
    let mut w = World::new().await;
    let job = w.job_a.clone();
    let entries: Vec<_> = (0..2)
        .map(|i| {
            let m = w.a.note(&job, &format!("note {i}"));
            w.a.entry(m)
        })
        .collect();
    w.a.push(&entries).await;
    let r = w.a.push(&[]).await;
    assert_eq!(r.last_applied_seq, 2);
    assert!(r.results.is_empty());
    let (s, v) = w.b.push_raw(&json!({"device_id": w.a.device_id, "entries": []})).await;
    assert_eq!((s, code(&v).as_str()), (StatusCode::BAD_REQUEST, "invalid"), "not Bob's device");
}

// ---------------------------------------------------------------------------------------------
// One test per merge rule of PROTOCOL.md ("Mutation kinds and merge rules")
// ---------------------------------------------------------------------------------------------

/// Two different answers for a checklist item of the job type (by kind).
fn two_answers(item: &serde_json::Value) -> (ChecklistValue, ChecklistValue) {
    match item["kind"].as_str().unwrap() {
        "checkbox" => (ChecklistValue::Checkbox(true), ChecklistValue::Checkbox(false)),
        "number" => (ChecklistValue::Number(1.0), ChecklistValue::Number(2.0)),
        "choice" => {
            let o = item["options"].as_array().unwrap();
            (
                ChecklistValue::Choice(o[0].as_str().unwrap().into()),
                ChecklistValue::Choice(o[1].as_str().unwrap().into()),
            )
        }
        _ => (
            ChecklistValue::Text("drain clear".into()),
            ChecklistValue::Text("drain blocked".into()),
        ),
    }
}

fn answer(job: &str, item: &str, value: &ChecklistValue) -> Mutation {
    Mutation::ChecklistAnswered {
        job_id: job.to_owned(),
        item_key: item.to_owned(),
        value: value.clone(),
        at: Utc::now(),
        replaces: None,
    }
}

/// The answer head office holds for an item, from the dispatcher's view of the job.
fn answer_of(job: &serde_json::Value, item: &str) -> serde_json::Value {
    job["checklist"].as_array().unwrap().iter().find(|a| a["item_key"] == item).unwrap()["value"]
        .clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checklist_answers_merge_per_item_by_hlc_and_a_lost_answer_is_in_the_conflict_log() {
    let mut w = World::new().await;
    let job = w.job_a.clone();
    let items = w.dispatcher.job(&job).await["job_type"]["checklist"].as_array().unwrap().clone();
    assert!(items.len() >= 2, "the repair checklist has two items at least");
    let (one, two) = (items[0]["key"].as_str().unwrap(), items[1]["key"].as_str().unwrap());
    let (one_x, one_y) = two_answers(&items[0]);
    let (two_p, two_q) = two_answers(&items[1]);
    // Technician A's laptop and spare laptop both work offline on the job.
    let mut spare = Device::sign_in(&w.server, "alice").await;
    let now = Utc::now().timestamp_millis();
    let laptop_one = w.a.entry_at(answer(&job, one, &one_x), now);
    let laptop_two = w.a.entry_at(answer(&job, two, &two_p), now + 1);
    let spare_one = spare.entry_at(answer(&job, one, &one_y), now + 5_000);
    // The later answer to item one arrives first; the laptop's earlier one loses on arrival,
    // while its answer to the other item is untouched by the clash.
    let r = spare.push(&[spare_one]).await;
    assert_eq!(outcome(&r, 0)["outcome"], "applied");
    let r = w.a.push(&[laptop_one, laptop_two]).await;
    assert_eq!(outcome(&r, 0)["outcome"], "conflict", "{:?}", r.results);
    assert_eq!(outcome(&r, 1)["outcome"], "applied", "{:?}", r.results);
    let j = w.dispatcher.job(&job).await;
    assert_eq!(answer_of(&j, one), serde_json::to_value(&one_y).unwrap());
    assert_eq!(answer_of(&j, two), serde_json::to_value(&two_p).unwrap());
    // A later answer to item two from the spare arrives after the laptop's and overwrites it.
    let spare_two = spare.entry_at(answer(&job, two, &two_q), now + 10_000);
    let r = spare.push(&[spare_two]).await;
    assert_eq!(outcome(&r, 0)["outcome"], "conflict", "overwrote another writer: {:?}", r.results);
    let j = w.dispatcher.job(&job).await;
    assert_eq!(answer_of(&j, one), serde_json::to_value(&one_y).unwrap());
    assert_eq!(answer_of(&j, two), serde_json::to_value(&two_q).unwrap());
    let conflicts = j["conflicts"].as_array().unwrap();
    assert_eq!(conflicts.len(), 2, "{conflicts:?}");
    let of = |item: &str| {
        conflicts.iter().find(|c| c["field"] == format!("checklist:{item}")).unwrap().clone()
    };
    assert_eq!(of(one)["kind"], "field_overwritten");
    assert_eq!(of(one)["losing_node"], w.a.device_id.as_str());
    assert_eq!(of(two)["losing_node"], w.a.device_id.as_str());
    // The same answer pushed again (an answer lost on the way back) changes nothing.
    let again = spare.entry_at(answer(&job, two, &two_q), now + 10_000);
    let r = spare.push(&[again]).await;
    assert_eq!(outcome(&r, 0)["outcome"], "applied");
    assert_eq!(w.dispatcher.job(&job).await["conflicts"].as_array().unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fact_id_reused_with_different_content_is_rejected_duplicate_id_and_the_first_stays() {
    let mut w = World::new().await;
    let job = w.job_a.clone();
    let first = w.a.note(&job, "Replaced the drain hose");
    let Mutation::NoteAdded { note } = &first else { unreachable!() };
    let mut changed = note.clone();
    changed.body = "Replaced the whole unit".into();
    let e = w.a.entry(first.clone());
    let r = w.a.push(&[e]).await;
    assert_eq!(outcome(&r, 0)["outcome"], "applied");
    // The same id with other content, from the same device (a new outbox entry)…
    let e = w.a.entry(Mutation::NoteAdded { note: changed.clone() });
    let r = w.a.push(&[e]).await;
    assert_eq!(outcome(&r, 0)["outcome"], "rejected", "{:?}", r.results);
    assert_eq!(outcome(&r, 0)["code"], "duplicate_id");
    // …and from another technician on their own job.
    let mut elsewhere = changed.clone();
    elsewhere.job_id = w.job_b.clone();
    let e = w.b.entry(Mutation::NoteAdded { note: elsewhere });
    let r = w.b.push(&[e]).await;
    assert_eq!(outcome(&r, 0)["code"], "duplicate_id", "{:?}", r.results);
    // The same id with the same content again is a no-op.
    let e = w.a.entry(first);
    let r = w.a.push(&[e]).await;
    assert_eq!(outcome(&r, 0)["outcome"], "applied");
    let j = w.dispatcher.job(&job).await;
    let notes = j["notes"].as_array().unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0]["body"], "Replaced the drain hose");
    assert_eq!(w.dispatcher.job(&w.job_b).await["notes"].as_array().unwrap().len(), 0);
    let rejected = j["rejected_mutations"].as_array().unwrap();
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0]["code"], "duplicate_id");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_status_again_is_applied_and_changes_nothing() {
    let mut w = World::new().await;
    let job = w.job_a.clone();
    let m = w.a.status(&job, JobStatus::Scheduled, JobStatus::EnRoute, None);
    let e = w.a.entry(m);
    let r = w.a.push(&[e]).await;
    assert_eq!(outcome(&r, 0)["outcome"], "applied");
    let cursor = w.a.pull_all(0, 1000).await.last().unwrap().cursor;
    let before = w.dispatcher.job(&job).await;
    // The move arrives again as another change (e.g. made again on a second laptop).
    let m = w.a.status(&job, JobStatus::Scheduled, JobStatus::EnRoute, None);
    let e = w.a.entry(m);
    let r = w.a.push(&[e]).await;
    assert_eq!(outcome(&r, 0)["outcome"], "applied", "PROTOCOL.md: applied, nothing changes");
    let after = w.dispatcher.job(&job).await;
    assert_eq!(after["work_order"], before["work_order"]);
    assert_eq!(after["status_history"], before["status_history"]);
    assert_eq!(after["time_entries"], before["time_entries"]);
    let en_route = after["status_history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["to_status"] == "en_route")
        .count();
    assert_eq!(en_route, 1, "{}", after["status_history"]);
    let page = w.a.pull(cursor, 1000).await;
    assert!(page.changes.is_empty(), "nothing new in the feed: {:?}", page.changes);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fact_on_a_job_whose_status_forbids_it_is_rejected_not_recordable() {
    let mut w = World::new().await;
    let job = w.job_a.clone();
    // Customer feedback before the technician is on site.
    let feedback = Mutation::FeedbackGiven {
        feedback: fieldwork_domain::domain::Feedback {
            id: fieldwork_domain::ids::new_id(),
            job_id: job.clone(),
            rating: 5,
            comment: Some("very kind".into()),
            created_at: Utc::now(),
        },
    };
    let e = w.a.entry(feedback);
    let r = w.a.push(&[e]).await;
    assert_eq!(outcome(&r, 0)["outcome"], "rejected", "{:?}", r.results);
    assert_eq!(outcome(&r, 0)["code"], "not_recordable");
    // A note on a job head office has cancelled.
    w.dispatcher
        .post(&format!("/api/v1/jobs/{job}/cancel"), json!({"reason": "customer fixed it"}))
        .await;
    let m = w.a.note(&job, "written after the cancel");
    let e = w.a.entry(m);
    let r = w.a.push(&[e]).await;
    assert_eq!(outcome(&r, 0)["code"], "not_recordable", "{:?}", r.results);
    let j = w.dispatcher.job(&job).await;
    assert_eq!(j["notes"].as_array().unwrap().len(), 0);
    assert_eq!(j["feedback"].as_array().map_or(0, Vec::len), 0, "{}", j["feedback"]);
    let codes: Vec<_> =
        j["rejected_mutations"].as_array().unwrap().iter().map(|r| r["code"].clone()).collect();
    assert_eq!(codes, vec![json!("not_recordable"), json!("not_recordable")]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn equal_hlc_times_are_ordered_by_device_id_whichever_arrives_first() {
    let mut w = World::new().await;
    let mut spare = Device::sign_in(&w.server, "alice").await;
    // Two jobs of technician A, so both arrival orders are tried.
    let second = w.dispatcher.job_for("tech-a").await;
    let wall = Utc::now().timestamp_millis();
    let stamped = |dev: &mut Device, job: &str, value: &str| {
        let mut e = dev.entry(field(job, JobField::Diagnosis, value));
        e.hlc =
            fieldwork_domain::hlc::Hlc { wall_ms: wall, logical: 7, node: dev.device_id.clone() };
        e
    };
    let (high, low) =
        if w.a.device_id > spare.device_id { ("laptop", "spare") } else { ("spare", "laptop") };
    for (job, laptop_first) in [(w.job_a.clone(), true), (second.clone(), false)] {
        let from_laptop = stamped(&mut w.a, &job, "laptop");
        let from_spare = stamped(&mut spare, &job, "spare");
        if laptop_first {
            w.a.push(&[from_laptop]).await;
            spare.push(&[from_spare]).await;
        } else {
            spare.push(&[from_spare]).await;
            w.a.push(&[from_laptop]).await;
        }
        let j = w.dispatcher.job(&job).await;
        assert_eq!(j["work_order"]["diagnosis"], high, "laptop first: {laptop_first}");
        let c = &j["conflicts"].as_array().unwrap()[0];
        assert_eq!(c["losing_value"], low);
        assert_eq!(c["winning_value"], high);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dispatchers_edit_takes_part_in_the_same_per_field_order() {
    let mut w = World::new().await;
    let job = w.job_a.clone();
    // Written on the laptop offline, before the dispatcher's edit.
    let early = w.a.entry(field(&job, JobField::Diagnosis, "fan motor seized"));
    w.dispatcher
        .patch(&format!("/api/v1/jobs/{job}"), json!({"diagnosis": "compressor fault (phoned in)"}))
        .await;
    let r = w.a.push(&[early]).await;
    assert_eq!(outcome(&r, 0)["outcome"], "conflict", "{:?}", r.results);
    let j = w.dispatcher.job(&job).await;
    assert_eq!(j["work_order"]["diagnosis"], "compressor fault (phoned in)");
    // Written after the laptop heard head office's clock (the push answer's server_hlc):
    // later, so it wins.
    let later = w.a.entry(field(&job, JobField::Diagnosis, "compressor fault, capacitor too"));
    let r = w.a.push(&[later]).await;
    assert_eq!(outcome(&r, 0)["outcome"], "conflict", "overwrote head office: {:?}", r.results);
    let j = w.dispatcher.job(&job).await;
    assert_eq!(j["work_order"]["diagnosis"], "compressor fault, capacitor too");
    let losers: Vec<_> =
        j["conflicts"].as_array().unwrap().iter().map(|c| c["losing_value"].clone()).collect();
    assert_eq!(losers, vec![json!("fan motor seized"), json!("compressor fault (phoned in)")]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_applied_seq_sent_again_gets_its_first_answer_and_its_new_content_is_ignored() {
    let mut w = World::new().await;
    let job = w.job_a.clone();
    let m = w.a.note(&job, "Checked the fan");
    let first = w.a.entry(m);
    let r = w.a.push(std::slice::from_ref(&first)).await;
    assert_eq!(outcome(&r, 0)["outcome"], "applied");
    // The same mutation id and seq, other content (a device that rewrote its outbox).
    let mut rewritten = first.clone();
    rewritten.mutation = w.a.note(&job, "Replaced the fan");
    let r = w.a.push(&[rewritten]).await;
    assert_eq!(outcome(&r, 0)["outcome"], "applied", "the stored answer: {:?}", r.results);
    // The same seq under another mutation id is refused, not applied.
    let mut other = first.clone();
    other.mutation_id = fieldwork_domain::ids::new_id();
    other.mutation = w.a.note(&job, "Something else");
    let r = w.a.push(&[other]).await;
    assert_eq!(outcome(&r, 0)["outcome"], "rejected", "{:?}", r.results);
    assert_eq!(outcome(&r, 0)["code"], "invalid");
    let notes = w.dispatcher.job(&job).await["notes"].clone();
    let bodies: Vec<_> = notes.as_array().unwrap().iter().map(|n| n["body"].clone()).collect();
    assert_eq!(bodies, vec![json!("Checked the fan")]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_made_on_top_of_the_value_the_laptop_had_seen_is_not_a_conflict() {
    let mut w = World::new().await;
    let job = w.job_a.clone();
    w.dispatcher
        .patch(&format!("/api/v1/jobs/{job}"), json!({"diagnosis": "compressor fault (phoned in)"}))
        .await;
    // The laptop pulled the dispatcher's diagnosis and the technician rewrote it: it says so.
    let seen = Mutation::FieldSet {
        job_id: job.clone(),
        field: JobField::Diagnosis,
        value: Some("compressor fault, capacitor too".into()),
        replaces: Some(Replaces { value: Some("compressor fault (phoned in)".into()) }),
    };
    let e = w.a.entry(seen);
    let r = w.a.push(&[e]).await;
    assert_eq!(outcome(&r, 0)["outcome"], "applied", "{:?}", r.results);
    let j = w.dispatcher.job(&job).await;
    assert_eq!(j["work_order"]["diagnosis"], "compressor fault, capacitor too");
    assert_eq!(j["conflicts"], json!([]), "an edit on top is not a conflict");

    // Meanwhile the dispatcher changes it again (the console does not say what it replaced, so
    // that overwrite is logged as before); a laptop that had not seen the dispatcher's value
    // reports the one it replaced, so head office logs the dispatcher's value as overwritten.
    w.dispatcher
        .patch(&format!("/api/v1/jobs/{job}"), json!({"diagnosis": "compressor replaced"}))
        .await;
    let logged = w.dispatcher.job(&job).await["conflicts"].as_array().unwrap().len();
    let unseen = Mutation::FieldSet {
        job_id: job.clone(),
        field: JobField::Diagnosis,
        value: Some("capacitor only".into()),
        replaces: Some(Replaces { value: Some("compressor fault, capacitor too".into()) }),
    };
    let e = w.a.entry(unseen);
    let r = w.a.push(&[e]).await;
    assert_eq!(outcome(&r, 0)["outcome"], "conflict", "{:?}", r.results);
    let j = w.dispatcher.job(&job).await;
    let conflicts = j["conflicts"].as_array().unwrap();
    assert_eq!(conflicts.len(), logged + 1, "{conflicts:?}");
    assert_eq!(conflicts[logged]["losing_value"], "compressor replaced");
    // Said for people: who wrote each value, by name, not by clock node id.
    let detail = conflicts[logged]["detail"].as_str().unwrap();
    assert!(detail.contains("alice on “") && detail.contains("head office"), "{detail}");
    assert!(!detail.contains(w.a.device_id.as_str()), "{detail}");

    // The same for a checklist answer: one given on top of the answer the laptop showed.
    let detail = w.dispatcher.job(&job).await;
    let item = detail["job_type"]["checklist"][0].clone();
    let key = item["key"].as_str().unwrap().to_owned();
    let (first, second) = two_answers(&item);
    let e = w.a.entry(answer(&job, &key, &first));
    let r = w.a.push(&[e]).await;
    assert_eq!(outcome(&r, 0)["outcome"], "applied", "{:?}", r.results);
    let mut spare = Device::sign_in(&w.server, "alice").await;
    let on_top = Mutation::ChecklistAnswered {
        job_id: job.clone(),
        item_key: key.clone(),
        value: second.clone(),
        at: Utc::now(),
        replaces: Some(Replaces { value: Some(first.clone()) }),
    };
    let e = spare.entry(on_top);
    let r = spare.push(&[e]).await;
    assert_eq!(outcome(&r, 0)["outcome"], "applied", "{:?}", r.results);
    let j = w.dispatcher.job(&job).await;
    assert_eq!(answer_of(&j, &key), serde_json::to_value(&second).unwrap());
    assert_eq!(j["conflicts"].as_array().unwrap().len(), logged + 1, "no checklist conflict");
}
