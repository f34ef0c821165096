//! Pull: per-scope change feed, pages on transaction boundaries, tombstones on reassignment.

use std::collections::HashSet;

use fieldwork_domain::mutation::Mutation;
use fieldwork_wire::Record;
use serde_json::json;

use crate::common::*;

fn note_ids(page: &fieldwork_wire::PullResponse) -> HashSet<String> {
    page.changes
        .iter()
        .filter_map(|c| match &c.record {
            Record::Note { note } => Some(note.id.clone()),
            _ => None,
        })
        .collect()
}

fn ids_of(entries: &[fieldwork_domain::mutation::OutboxEntry]) -> HashSet<String> {
    entries
        .iter()
        .filter_map(|e| match &e.mutation {
            Mutation::NoteAdded { note } => Some(note.id.clone()),
            _ => None,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_end_on_transaction_boundaries_and_the_cursor_only_grows() {
    let mut w = World::new().await;
    let job = w.job_a.clone();
    let start = w.a.pull_all(0, 10_000).await.last().unwrap().cursor;
    let mut batches = Vec::new();
    for n in [5, 7, 4] {
        let entries: Vec<_> = (0..n)
            .map(|i| {
                let m = w.a.note(&job, &format!("note {i} of {n}"));
                w.a.entry(m)
            })
            .collect();
        w.a.push(&entries).await;
        batches.push(ids_of(&entries));
    }
    let pages = w.a.pull_all(start, 3).await;
    let with_notes: Vec<_> = pages.iter().map(note_ids).filter(|s| !s.is_empty()).collect();
    assert_eq!(with_notes, batches, "each page holds whole pushes, never part of one");
    let mut last = start;
    for p in &pages {
        assert!(p.cursor > last || (!p.has_more && p.cursor == last), "cursor must grow");
        last = p.cursor;
        for c in &p.changes {
            assert!(c.version <= p.cursor);
        }
    }
    let again = w.a.pull(last, 3).await;
    assert!(again.changes.is_empty() && !again.has_more);
    assert_eq!(again.cursor, last, "nothing new: the cursor stays");
    // Bob's scope does not include Alice's job.
    let bob: Vec<_> = w.b.pull_all(0, 10_000).await;
    assert!(bob.iter().flat_map(|p| &p.changes).all(|c| c.record.job_id() != Some(job.as_str())));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_pull_brings_the_catalogues_and_the_technicians_own_jobs_only() {
    let w = World::new().await;
    let pages = w.a.pull_all(0, 2).await;
    let records: Vec<_> = pages.iter().flat_map(|p| &p.changes).map(|c| &c.record).collect();
    assert!(records.iter().any(|r| matches!(r, Record::JobType { .. })));
    assert!(records.iter().any(|r| matches!(r, Record::Part { .. })));
    // A record may come again in a later page (records are upserts); only A's job comes at all.
    let jobs: HashSet<_> = records
        .iter()
        .filter_map(|r| match r {
            Record::Job { work_order } => Some(work_order.id.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(jobs, HashSet::from([w.job_a.clone()]));
    let customers: HashSet<_> = records
        .iter()
        .filter_map(|r| match r {
            Record::Customer { customer } => Some(customer.id.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(customers.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reassignment_removes_the_job_from_the_old_device_and_brings_it_whole_to_the_new() {
    let mut w = World::new().await;
    let job = w.job_a.clone();
    let note = w.a.note(&job, "Needs a ladder");
    let e = w.a.entry(note);
    w.a.push(&[e]).await;
    let a_cursor = w.a.pull_all(0, 10_000).await.last().unwrap().cursor;
    let b_cursor = w.b.pull_all(0, 10_000).await.last().unwrap().cursor;

    w.dispatcher.schedule(&job, "tech-b").await;

    let a_pages = w.a.pull_all(a_cursor, 100).await;
    let a_records: Vec<_> = a_pages.iter().flat_map(|p| &p.changes).map(|c| &c.record).collect();
    assert!(a_records.iter().any(|r| matches!(r, Record::JobRemoved { job_id } if *job_id == job)));
    assert!(!a_records.iter().any(|r| matches!(r, Record::Job { .. })), "A sees no more of it");

    let b_records: Vec<_> =
        w.b.pull_all(b_cursor, 100)
            .await
            .into_iter()
            .flat_map(|p| p.changes)
            .map(|c| c.record)
            .collect();
    assert!(b_records.iter().any(|r| matches!(r, Record::Job { work_order } if work_order.id == job && work_order.assignee_id.as_deref() == Some("tech-b"))));
    assert!(
        b_records
            .iter()
            .any(|r| matches!(r, Record::Note { note } if note.body == "Needs a ladder")),
        "with its facts"
    );
    assert!(b_records.iter().any(|r| matches!(r, Record::Customer { .. })));
    assert!(b_records.iter().any(|r| matches!(r, Record::Site { .. })));

    // A change A made offline after the reassignment is refused and recorded, not lost.
    let late = w.a.note(&job, "written offline after reassignment");
    let e = w.a.entry(late);
    let r = w.a.push(&[e]).await;
    assert_eq!(outcome(&r, 0)["code"], "not_found");
    let j = w.dispatcher.job(&job).await;
    assert_eq!(j["rejected_mutations"].as_array().unwrap().len(), 1);
    assert_eq!(j["notes"].as_array().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customer_edits_reach_only_technicians_with_a_job_for_that_customer() {
    let w = World::new().await;
    let a_cursor = w.a.pull_all(0, 10_000).await.last().unwrap().cursor;
    let b_cursor = w.b.pull_all(0, 10_000).await.last().unwrap().cursor;
    let customer = w.dispatcher.job(&w.job_a).await["customer"]["id"].as_str().unwrap().to_owned();
    w.dispatcher
        .patch(&format!("/api/v1/customers/{customer}"), json!({"phone": "13912345678"}))
        .await;
    let a: Vec<_> = w.a.pull_all(a_cursor, 100).await.into_iter().flat_map(|p| p.changes).collect();
    assert!(a.iter().any(
        |c| matches!(&c.record, Record::Customer { customer } if customer.phone == "13912345678")
    ));
    let b: Vec<_> = w.b.pull_all(b_cursor, 100).await.into_iter().flat_map(|p| p.changes).collect();
    assert!(b.is_empty(), "{b:?}");
}
