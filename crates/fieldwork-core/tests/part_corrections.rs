//! Withdrawing and correcting part lines before completion: insert-only tombstones, the job's
//! parts and totals, the outbox, the signed facts, the lifecycle rule, and pulled withdrawals.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Cursor;

use chrono::{Duration, Utc};
use fieldwork_core::domain::{JobStatus, PartUsed, PartWithdrawal, Priority};
use fieldwork_core::hlc::Hlc;
use fieldwork_core::seed::{SeedOptions, seed};
use fieldwork_core::store::outbox::{JobField, Mutation};
use fieldwork_core::store::{NewPart, NewSignature, NewWorkOrder};
use fieldwork_core::{Actor, ErrorCode, JobFilter, Store};
use image::{DynamicImage, ImageFormat, Rgba, RgbaImage};
use tempfile::TempDir;

/// A seeded data folder and a new repair job that the device's technician has started.
fn bench() -> (TempDir, Store, String) {
    let tmp = TempDir::new().unwrap();
    let mut store = Store::init(tmp.path()).unwrap();
    let now = Utc::now();
    seed(&mut store, &SeedOptions { jobs: 20, seed: 5, today: now.date_naive(), now }).unwrap();
    let any = store.list_jobs(&JobFilter::All, Some(1)).unwrap();
    let template = store.job_detail(&any[0].id).unwrap();
    let tech = store.technicians().unwrap()[0].id.clone();
    store.set_actor(Actor::dispatcher("parts test"));
    let order = store
        .create_work_order(NewWorkOrder {
            job_type_code: String::from("repair"),
            priority: Priority::Normal,
            customer_id: template.customer.id.clone(),
            site_id: template.site.id.clone(),
            equipment_id: None,
            reported_problem: String::from("Washer leaks — parts correction test"),
            reported_at: None,
            return_of: None,
            goodwill: false,
        })
        .unwrap();
    store.schedule_job(&order.id, &tech, now, now + Duration::hours(2)).unwrap();
    store.set_device_technician(&tech).unwrap();
    for s in [JobStatus::EnRoute, JobStatus::OnSite, JobStatus::InProgress] {
        store.change_status(&order.id, s, None).unwrap();
    }
    (tmp, store, order.id)
}

fn add(store: &mut Store, job: &str, no: &str, qty: f64, cents: i64) -> PartUsed {
    store
        .add_part(
            job,
            NewPart {
                part_no: no.into(),
                quantity: qty,
                description: Some(format!("part {no}")),
                unit_price_cents: Some(cents),
                chargeable: Some(true),
            },
        )
        .unwrap()
}

fn signature_png() -> Vec<u8> {
    let mut img = RgbaImage::from_pixel(300, 100, Rgba([0, 0, 0, 0]));
    for x in 20..280u32 {
        for dy in 0..3 {
            img.put_pixel(x, 50 + dy, Rgba([10, 10, 60, 255]));
        }
    }
    let mut png = Vec::new();
    DynamicImage::ImageRgba8(img).write_to(&mut Cursor::new(&mut png), ImageFormat::Png).unwrap();
    png
}

fn sign(store: &mut Store, job: &str) {
    store
        .add_signature(
            job,
            NewSignature {
                signer_name: "Emma Clarke".into(),
                statement: None,
                png: signature_png(),
                strokes_json: None,
            },
        )
        .unwrap();
}

#[test]
fn a_withdrawn_part_leaves_the_job_and_its_totals_and_is_sent_as_a_tombstone() {
    let (_tmp, mut store, job) = bench();
    let keep = add(&mut store, &job, "X-KEEP", 2.0, 1000);
    let wrong = add(&mut store, &job, "X-WRONG", 1.0, 5000);
    assert_eq!(store.job_detail(&job).unwrap().chargeable_parts_total_cents, 7000);

    store.withdraw_part(&job, &wrong.id, Some("entered on the wrong job")).unwrap();
    let detail = store.job_detail(&job).unwrap();
    assert_eq!(detail.parts, vec![keep.clone()]);
    assert_eq!(detail.chargeable_parts_total_cents, 2000);

    let last = store.pending_mutations(usize::MAX).unwrap().pop().unwrap();
    match last.mutation {
        Mutation::PartWithdrawn { withdrawal } => {
            assert_eq!(withdrawal.part_used_id, wrong.id);
            assert_eq!(withdrawal.job_id, job);
            assert_eq!(withdrawal.reason.as_deref(), Some("entered on the wrong job"));
            assert_eq!(withdrawal.replaced_by, None);
        }
        other => panic!("{other:?}"),
    }
    // Withdrawn once; again, or a part that is not on the job, is not found.
    assert_eq!(store.withdraw_part(&job, &wrong.id, None).unwrap_err().code(), "not_found");
    assert_eq!(store.withdraw_part(&job, "no-such-part", None).unwrap_err().code(), "not_found");
    // A part line of this job named with another job: not found there (or not the
    // technician's job at all).
    let jobs = store.list_jobs(&JobFilter::All, None).unwrap();
    let elsewhere = jobs.iter().find(|j| j.id != job).unwrap();
    let e = store.withdraw_part(&elsewhere.id, &keep.id, None).unwrap_err();
    assert!([ErrorCode::NotFound, ErrorCode::Forbidden].contains(&e.code()), "{e}");
    assert_eq!(store.job_detail(&job).unwrap().parts.len(), 1);
}

#[test]
fn a_quantity_correction_is_a_new_line_and_the_withdrawal_of_the_old_one() {
    let (_tmp, mut store, job) = bench();
    let line = add(&mut store, &job, "X-HOSE", 3.0, 1250);
    let before = store.pending_mutation_count().unwrap();

    let new = store.correct_part_quantity(&job, &line.id, 2.0, None).unwrap();
    assert_ne!(new.id, line.id);
    assert_eq!((new.quantity, new.line_total_cents), (2.0, 2500));
    assert_eq!((new.part_no.as_str(), new.unit_price_cents), ("X-HOSE", 1250));
    let detail = store.job_detail(&job).unwrap();
    assert_eq!(detail.parts, vec![new.clone()]);
    assert_eq!(detail.chargeable_parts_total_cents, 2500);

    // Both facts in the outbox, the new line first, the withdrawal naming it.
    let pending = store.pending_mutations(usize::MAX).unwrap();
    assert_eq!(pending.len() as i64, before + 2);
    let tail: Vec<_> = pending.iter().rev().take(2).rev().map(|e| e.mutation.clone()).collect();
    assert!(matches!(&tail[0], Mutation::PartAdded { part } if part.id == new.id));
    assert!(matches!(&tail[1], Mutation::PartWithdrawn { withdrawal }
        if withdrawal.part_used_id == line.id && withdrawal.replaced_by.as_deref() == Some(new.id.as_str())));

    // A quantity out of range, or the same quantity, is refused and changes nothing.
    for bad in [0.0, -1.0, f64::NAN, 20_000.0, 2.0] {
        let e = store.correct_part_quantity(&job, &new.id, bad, None).unwrap_err();
        assert_eq!(e.code(), "invalid", "{bad}: {e}");
    }
    assert_eq!(store.pending_mutation_count().unwrap(), before + 2);
    // The replaced line cannot be corrected again.
    assert_eq!(
        store.correct_part_quantity(&job, &line.id, 1.0, None).unwrap_err().code(),
        "not_found"
    );
}

#[test]
fn a_correction_after_signing_makes_the_signature_stale() {
    let (_tmp, mut store, job) = bench();
    let a = add(&mut store, &job, "X-A", 1.0, 100);
    let b = add(&mut store, &job, "X-B", 4.0, 100);
    store.set_job_field(&job, JobField::Resolution, Some("Replaced the hose")).unwrap();
    sign(&mut store, &job);
    assert!(!store.signatures(&job).unwrap()[0].changed_after_signing);

    store.correct_part_quantity(&job, &b.id, 3.0, Some("one left over")).unwrap();
    assert!(store.signatures(&job).unwrap()[0].changed_after_signing, "quantity corrected");

    sign(&mut store, &job);
    assert!(!store.signatures(&job).unwrap()[1].changed_after_signing);
    store.withdraw_part(&job, &a.id, None).unwrap();
    assert!(store.signatures(&job).unwrap()[1].changed_after_signing, "part withdrawn");
}

#[test]
fn parts_cannot_be_withdrawn_or_corrected_once_the_job_is_completed() {
    let (_tmp, mut store, job) = bench();
    let line = add(&mut store, &job, "X-1", 1.0, 100);
    store.set_job_field(&job, JobField::Resolution, Some("Fixed")).unwrap();
    let detail = store.job_detail(&job).unwrap();
    for item in detail.checklist.iter().filter(|i| i.required) {
        let value = match item.item_key.as_str() {
            "root_cause" => "Wear",
            "test_after_repair" => "Pass",
            _ => "yes",
        };
        store.answer_checklist(&job, &item.item_key, value).unwrap();
    }
    sign(&mut store, &job);
    store.change_status(&job, JobStatus::Completed, None).unwrap();
    let pending = store.pending_mutation_count().unwrap();
    let e = store.withdraw_part(&job, &line.id, None).unwrap_err();
    assert_eq!(e.code(), "forbidden", "{e}");
    let e = store.correct_part_quantity(&job, &line.id, 2.0, None).unwrap_err();
    assert_eq!(e.code(), "forbidden", "{e}");
    assert_eq!(store.pending_mutation_count().unwrap(), pending);
    assert_eq!(store.job_detail(&job).unwrap().parts, vec![line]);
}

#[test]
fn a_pulled_withdrawal_hides_the_part_and_a_refused_one_brings_it_back() {
    let (_tmp, mut store, job) = bench();
    let pulled = add(&mut store, &job, "X-P", 1.0, 100);
    let refused = add(&mut store, &job, "X-R", 1.0, 100);

    let stamp = Hlc::zero("head-office");
    let mut batch = store.remote_apply(&stamp).unwrap();
    batch
        .part_withdrawn(&PartWithdrawal {
            job_id: job.clone(),
            part_used_id: pulled.id.clone(),
            reason: None,
            replaced_by: None,
            at: Utc::now(),
        })
        .unwrap();
    batch.commit(1).unwrap();
    assert_eq!(store.job_detail(&job).unwrap().parts, vec![refused.clone()]);

    store.withdraw_part(&job, &refused.id, None).unwrap();
    assert!(store.job_detail(&job).unwrap().parts.is_empty());
    let entry = store.pending_mutations(usize::MAX).unwrap().pop().unwrap();
    assert!(store.withdraw_refused_fact(&entry.mutation).unwrap());
    assert_eq!(store.job_detail(&job).unwrap().parts, vec![refused]);
}
