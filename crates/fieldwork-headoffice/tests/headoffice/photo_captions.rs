//! Issue 12, point 5: a photo's caption edited on the device after import reaches head office
//! (`photo_caption_set`, last writer wins by HLC), shows on the job, and another device pulling
//! gets the photo with that caption.

use chrono::Utc;
use fieldwork_domain::domain::PhotoRef;
use fieldwork_domain::limits::PHOTO_CAPTION_MAX_CHARS;
use fieldwork_domain::mutation::{Mutation, Replaces};
use fieldwork_wire::wire::Record;

use crate::common::*;

fn caption_set(job: &str, photo: &str, caption: Option<&str>, seen: Option<&str>) -> Mutation {
    Mutation::PhotoCaptionSet {
        job_id: job.to_owned(),
        photo_id: photo.to_owned(),
        caption: caption.map(str::to_owned),
        at: Utc::now(),
        replaces: Some(Replaces { value: seen.map(str::to_owned) }),
    }
}

/// The photo `id` as the last record of it in `pages`.
fn pulled_photo(pages: &[fieldwork_wire::wire::PullResponse], id: &str) -> Option<PhotoRef> {
    pages
        .iter()
        .flat_map(|p| &p.changes)
        .filter_map(|c| match &c.record {
            Record::Photo { photo } if photo.id == id => Some(photo.clone()),
            _ => None,
        })
        .next_back()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edited_caption_reaches_head_office_and_a_second_device_pulls_it() {
    let mut w = World::new().await;
    let job = w.job_a.clone();
    let jpeg = fake_jpeg(1, 2000);
    let thumb = fake_jpeg(2, 200);
    let added = w.a.photo(&job, &jpeg, &thumb);
    let Mutation::PhotoAdded { photo } = &added else { unreachable!() };
    let photo_id = photo.id.clone();
    let e = w.a.entry(added.clone());
    assert_eq!(outcome(&w.a.push(&[e]).await, 0)["outcome"], "applied");
    let cursor = w.a.pull_all(0, 500).await.last().unwrap().cursor;

    let e = w.a.entry(caption_set(
        &job,
        &photo_id,
        Some("leak at the inlet valve"),
        Some("water on the floor"),
    ));
    let r = w.a.push(&[e]).await;
    assert_eq!(outcome(&r, 0)["outcome"], "applied", "{:?}", r.results);

    // The job as dispatchers see it.
    let detail = w.dispatcher.job(&job).await;
    assert_eq!(detail["photos"][0]["id"], photo_id.as_str());
    assert_eq!(detail["photos"][0]["caption"], "leak at the inlet valve");
    assert!(detail["conflicts"].as_array().unwrap().is_empty(), "an edit on top: no conflict");

    // The device that made it pulls the photo again, with its caption.
    let again = w.a.pull_all(cursor, 500).await;
    assert_eq!(
        pulled_photo(&again, &photo_id).and_then(|p| p.caption).as_deref(),
        Some("leak at the inlet valve")
    );

    // A second laptop of the same technician pulls the job from scratch: the caption is there.
    let second = Device::sign_in(&w.server, "alice").await;
    let pages = second.pull_all(0, 500).await;
    let got = pulled_photo(&pages, &photo_id).expect("the photo is pulled");
    assert_eq!(got.caption.as_deref(), Some("leak at the inlet valve"));
    assert_eq!(got.sha256, photo.sha256, "the rest of the photo is unchanged");

    // The same import pushed again (e.g. after the device signed in anew) is the same photo,
    // not a duplicate, and does not bring the old caption back.
    let e = w.a.entry(added);
    let r = w.a.push(&[e]).await;
    assert_eq!(outcome(&r, 0)["outcome"], "applied", "{:?}", r.results);
    let detail = w.dispatcher.job(&job).await;
    assert_eq!(detail["photos"][0]["caption"], "leak at the inlet valve");

    // Cleared.
    let e = w.a.entry(caption_set(&job, &photo_id, None, Some("leak at the inlet valve")));
    assert_eq!(outcome(&w.a.push(&[e]).await, 0)["outcome"], "applied");
    assert!(w.dispatcher.job(&job).await["photos"][0]["caption"].is_null());
    w.server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_later_caption_wins_and_the_other_goes_to_the_conflict_log() {
    let mut w = World::new().await;
    let job = w.job_a.clone();
    let (photo_id, _) = w.a.add_photo(&job, 3).await;
    // A second laptop signs in now; the first one writes a moment later (a second ahead, so
    // not within the millisecond the second laptop's clock was set in).
    let mut second = Device::sign_in(&w.server, "alice").await;
    let later = Utc::now().timestamp_millis() + 1_000;
    let m = caption_set(&job, &photo_id, Some("first laptop"), Some("water on the floor"));
    let e = w.a.entry_at(m, later);
    assert_eq!(outcome(&w.a.push(&[e]).await, 0)["outcome"], "applied");

    let old = Utc::now().timestamp_millis() - 60_000;
    let e = second.entry_at(
        caption_set(&job, &photo_id, Some("second laptop, offline"), Some("water on the floor")),
        old,
    );
    let r = second.push(&[e]).await;
    assert_eq!(outcome(&r, 0)["outcome"], "conflict", "{:?}", r.results);
    let detail = w.dispatcher.job(&job).await;
    assert_eq!(detail["photos"][0]["caption"], "first laptop", "the later edit stays");
    let conflicts = detail["conflicts"].as_array().unwrap();
    assert_eq!(conflicts.len(), 1, "{conflicts:?}");
    assert_eq!(conflicts[0]["field"], format!("photo_caption:{photo_id}"));
    assert_eq!(conflicts[0]["losing_value"], "second laptop, offline");
    w.server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caption_edit_is_refused_when_too_long_not_this_technicians_or_the_job_is_closed() {
    let mut w = World::new().await;
    let job = w.job_a.clone();
    let (photo_id, _) = w.a.add_photo(&job, 4).await;

    let long = "维".repeat(PHOTO_CAPTION_MAX_CHARS + 1);
    let e = w.a.entry(caption_set(&job, &photo_id, Some(&long), None));
    let r = w.a.push(&[e]).await;
    assert_eq!(outcome(&r, 0)["code"], "too_long", "{:?}", r.results);

    // Bob's device cannot touch Alice's job, nor name a photo of another job on his own.
    let job_b = w.job_b.clone();
    let e = w.b.entry(caption_set(&job, &photo_id, Some("bob was here"), None));
    assert_eq!(outcome(&w.b.push(&[e]).await, 0)["code"], "not_found");
    let e = w.b.entry(caption_set(&job_b, &photo_id, Some("bob was here"), None));
    assert_eq!(outcome(&w.b.push(&[e]).await, 0)["code"], "not_found");

    w.dispatcher
        .post(&format!("/api/v1/jobs/{job}/cancel"), serde_json::json!({"reason": "by phone"}))
        .await;
    let e = w.a.entry(caption_set(&job, &photo_id, Some("too late"), None));
    let r = w.a.push(&[e]).await;
    assert_eq!(outcome(&r, 0)["code"], "not_recordable", "{:?}", r.results);
    let detail = w.dispatcher.job(&job).await;
    assert_eq!(detail["photos"][0]["caption"], "water on the floor");
    w.server.stop().await;
}
