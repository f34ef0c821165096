//! A photo's caption can be edited after import (issue 12, point 5): through the public API, on
//! a real data folder. The edit is recorded in the outbox as `photo_caption_set`, held to the
//! caption limit, refused once the job is completed, leaves a signature valid (captions are not
//! signed facts), and a pulled photo brings head office's caption unless an edit made here is
//! still to be pushed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Cursor;

use chrono::{Duration, Utc};
use fieldwork_core::domain::records::PHOTO_CAPTION_MAX_CHARS;
use fieldwork_core::domain::{JobStatus, PhotoKind, PhotoRef, Priority};
use fieldwork_core::hlc::Hlc;
use fieldwork_core::seed::{SeedOptions, seed};
use fieldwork_core::store::outbox::{JobField, Mutation, Replaces};
use fieldwork_core::store::{NewSignature, NewWorkOrder};
use fieldwork_core::{Actor, JobFilter, Store};
use image::{DynamicImage, ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};
use tempfile::TempDir;

struct Bench {
    _tmp: TempDir,
    store: Store,
    job: String,
}

/// A seeded data folder and a new repair job that the device's technician has started.
fn bench() -> Bench {
    let tmp = TempDir::new().unwrap();
    let mut store = Store::init(tmp.path()).unwrap();
    let now = Utc::now();
    seed(&mut store, &SeedOptions { jobs: 20, seed: 7, today: now.date_naive(), now }).unwrap();
    let any = store.list_jobs(&JobFilter::All, Some(1)).unwrap();
    let template = store.job_detail(&any[0].id).unwrap();
    let tech = store.technicians().unwrap()[0].id.clone();
    store.set_actor(Actor::dispatcher("caption test"));
    let order = store
        .create_work_order(NewWorkOrder {
            job_type_code: String::from("repair"),
            priority: Priority::Normal,
            customer_id: template.customer.id.clone(),
            site_id: template.site.id.clone(),
            equipment_id: None,
            reported_problem: String::from("Water under the unit"),
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
    Bench { _tmp: tmp, store, job: order.id }
}

fn jpeg(seed: u8) -> Vec<u8> {
    let img = RgbImage::from_fn(64, 48, |x, y| Rgb([seed, (x * 4) as u8, (y * 5) as u8]));
    let mut out = Vec::new();
    DynamicImage::ImageRgb8(img).write_to(&mut Cursor::new(&mut out), ImageFormat::Jpeg).unwrap();
    out
}

fn import(store: &mut Store, job: &str, seed: u8, caption: Option<&str>) -> PhotoRef {
    store.import_photo(job, "leak.jpg", &jpeg(seed), PhotoKind::Fault, caption).unwrap()
}

fn last_mutation(store: &Store) -> Mutation {
    store.pending_mutations(usize::MAX).unwrap().pop().unwrap().mutation
}

fn signature_png() -> Vec<u8> {
    let mut img = RgbaImage::from_pixel(200, 80, Rgba([0, 0, 0, 0]));
    for x in 20..180u32 {
        img.put_pixel(x, 40 + x % 7, Rgba([10, 10, 60, 255]));
    }
    let mut png = Vec::new();
    DynamicImage::ImageRgba8(img).write_to(&mut Cursor::new(&mut png), ImageFormat::Png).unwrap();
    png
}

#[test]
fn a_caption_is_edited_after_import_and_queued_for_head_office() {
    let Bench { mut store, job, _tmp } = bench();
    let photo = import(&mut store, &job, 1, Some("leak"));
    let pending = store.pending_mutation_count().unwrap();

    let edited = store.set_photo_caption(&photo.id, Some("  leak at the inlet valve ")).unwrap();
    assert_eq!(edited.caption.as_deref(), Some("leak at the inlet valve"));
    assert_eq!(store.photo(&photo.id).unwrap().caption.as_deref(), Some("leak at the inlet valve"));
    assert_eq!(store.photos(&job).unwrap()[0].caption.as_deref(), Some("leak at the inlet valve"));
    assert_eq!(store.pending_mutation_count().unwrap(), pending + 1);
    let Mutation::PhotoCaptionSet { job_id, photo_id, caption, replaces, .. } =
        last_mutation(&store)
    else {
        panic!("a photo_caption_set entry");
    };
    assert_eq!((job_id.as_str(), photo_id.as_str()), (job.as_str(), photo.id.as_str()));
    assert_eq!(caption.as_deref(), Some("leak at the inlet valve"));
    assert_eq!(replaces, Some(Replaces { value: Some("leak".into()) }), "what it showed");
    let entry = store.pending_mutations(usize::MAX).unwrap().pop().unwrap();
    assert_eq!(serde_json::to_value(&entry.mutation).unwrap()["type"], "photo_caption_set");

    // Blank clears it.
    let cleared = store.set_photo_caption(&photo.id, Some("   ")).unwrap();
    assert_eq!(cleared.caption, None);
    assert_eq!(store.photo(&photo.id).unwrap().caption, None);
    assert!(matches!(last_mutation(&store), Mutation::PhotoCaptionSet { caption: None, .. }));
    assert!(store.check(false).unwrap().ok);
}

#[test]
fn a_caption_over_the_limit_is_refused_and_nothing_is_recorded() {
    let Bench { mut store, job, _tmp } = bench();
    let photo = import(&mut store, &job, 2, None);
    let pending = store.pending_mutation_count().unwrap();
    let err = store
        .set_photo_caption(&photo.id, Some(&"维".repeat(PHOTO_CAPTION_MAX_CHARS + 1)))
        .unwrap_err();
    assert_eq!(err.code(), "too_long", "{err}");
    assert_eq!(store.pending_mutation_count().unwrap(), pending);
    assert_eq!(store.photo(&photo.id).unwrap().caption, None);
    // Characters, not bytes: the limit itself fits.
    store.set_photo_caption(&photo.id, Some(&"维".repeat(PHOTO_CAPTION_MAX_CHARS))).unwrap();
}

#[test]
fn a_caption_cannot_be_edited_on_a_deleted_photo_or_a_completed_job() {
    let Bench { mut store, job, _tmp } = bench();
    let keep = import(&mut store, &job, 3, Some("before"));
    let gone = import(&mut store, &job, 4, None);
    store.delete_photo(&gone.id).unwrap();
    assert_eq!(store.set_photo_caption(&gone.id, Some("x")).unwrap_err().code(), "not_found");
    assert_eq!(
        store.set_photo_caption("no-such-photo", Some("x")).unwrap_err().code(),
        "not_found"
    );

    store.set_job_field(&job, JobField::Resolution, Some("Replaced the drain pump")).unwrap();
    let detail = store.job_detail(&job).unwrap();
    for item in detail.checklist.iter().filter(|i| i.required) {
        let value = match item.item_key.as_str() {
            "root_cause" => "Wear",
            "test_after_repair" => "Pass",
            _ => "yes",
        };
        store.answer_checklist(&job, &item.item_key, value).unwrap();
    }
    for kind in detail.job_type.required_photo_kinds.clone() {
        store.import_photo(&job, "req.jpg", &jpeg(9), kind, None).unwrap();
    }
    store
        .add_signature(
            &job,
            NewSignature {
                signer_name: "Emma Clarke".into(),
                statement: None,
                png: signature_png(),
                strokes_json: None,
            },
        )
        .unwrap();
    // Captions are not signed facts: editing one leaves the signature valid.
    store.set_photo_caption(&keep.id, Some("before, from the door")).unwrap();
    let sig = store.signatures(&job).unwrap().pop().unwrap();
    assert!(!sig.changed_after_signing, "a caption is not among the signed facts");

    store.change_status(&job, JobStatus::Completed, None).unwrap();
    let pending = store.pending_mutation_count().unwrap();
    let err = store.set_photo_caption(&keep.id, Some("after completion")).unwrap_err();
    assert_eq!(err.code(), "forbidden", "{err}");
    assert_eq!(store.pending_mutation_count().unwrap(), pending);
    assert_eq!(store.photo(&keep.id).unwrap().caption.as_deref(), Some("before, from the door"));
}

#[test]
fn a_pulled_photo_brings_head_offices_caption_unless_an_edit_here_is_pending() {
    let Bench { mut store, job, _tmp } = bench();
    let photo = import(&mut store, &job, 5, Some("leak"));
    let stamp =
        Hlc { wall_ms: Utc::now().timestamp_millis(), logical: 0, node: "head-office".into() };
    let pull = |store: &mut Store, caption: &str| {
        let mut batch = store.remote_apply(&stamp).unwrap();
        batch.photo(&PhotoRef { caption: Some(caption.into()), ..photo.clone() }).unwrap();
        batch.commit(0).unwrap();
    };

    // An edit made here and not yet pushed stays.
    store.set_photo_caption(&photo.id, Some("mine")).unwrap();
    pull(&mut store, "from the other laptop");
    assert_eq!(store.photo(&photo.id).unwrap().caption.as_deref(), Some("mine"));

    // Once pushed (acknowledged), the caption head office holds wins.
    let last = store.pending_mutations(usize::MAX).unwrap().pop().unwrap().seq;
    store.acknowledge_mutations(last).unwrap();
    pull(&mut store, "from the other laptop");
    assert_eq!(store.photo(&photo.id).unwrap().caption.as_deref(), Some("from the other laptop"));
    assert!(store.check(false).unwrap().ok);
}
