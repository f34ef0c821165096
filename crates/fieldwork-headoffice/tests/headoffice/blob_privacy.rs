//! Issue 12, point 13: the blob routes are no existence oracle. `HEAD /blobs/{hash}`,
//! `POST /blobs/missing`, `PATCH` and `GET` answer about a blob only to a technician who may
//! hold it (their device uploaded it, or their job references it through another's photo); to
//! anyone else a stored blob, another technician's unfinished upload and a hash nobody ever sent
//! look exactly alike. Unfinished uploads of hashes nobody references expire.

use std::time::Duration;

use fieldwork_domain::mutation::Mutation;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::*;

/// Everything `device` can learn about `sha` without sending its bytes: HEAD's status and
/// Upload-* headers, whether /blobs/missing lists it, GET's status and body, and a chunk sent
/// at a made-up offset.
async fn probe(w: &World, device: &Device, sha: &str) -> Value {
    let head = device
        .http
        .head(w.server.url(&format!("/api/v1/blobs/{sha}")))
        .bearer_auth(&device.token)
        .send()
        .await
        .unwrap();
    let header = |name: &str| {
        head.headers().get(name).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
    };
    let (offset, length) = (header("upload-offset"), header("upload-length"));
    let head_status = head.status().as_u16();
    let missing: Value = device
        .http
        .post(w.server.url("/api/v1/blobs/missing"))
        .bearer_auth(&device.token)
        .json(&json!({"hashes": [sha]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let get = device
        .http
        .get(w.server.url(&format!("/api/v1/blobs/{sha}")))
        .bearer_auth(&device.token)
        .send()
        .await
        .unwrap();
    let get_status = get.status().as_u16();
    let get_body: Value = get.json().await.unwrap_or(Value::Null);
    let (patch_status, patch_body) = device.upload_chunk(sha, 1_000, 5_000, vec![0; 10]).await;
    json!({
        "head": [head_status, offset, length],
        "missing": missing["missing"] == json!([sha]),
        "get": [get_status, get_body],
        // The offset a wrong chunk is told to resume from.
        "patch": [patch_status.as_u16(), patch_body["code"], patch_body["message"]],
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn technician_b_probing_technician_a_photo_hash_learns_nothing() {
    let mut w = World::new().await;
    let job_a = w.job_a.clone();
    // A's photo, stored; and A's upload of another file, half sent.
    let (_, photo_sha) = w.a.add_photo(&job_a, 41).await;
    let half_sent = fake_jpeg(42, 40_000);
    let half_sha = sha256_hex(&half_sent);
    let (s, _) = w.a.upload_chunk(&half_sha, 0, 40_004, half_sent[..20_000].to_vec()).await;
    assert_eq!(s, StatusCode::OK);
    let never_sent = sha256_hex(b"a file nobody ever sent");

    // To B, all three are the same: nothing held, nothing declared, missing, not found.
    let unknown = probe(&w, &w.b, &never_sent).await;
    assert_eq!(unknown["head"], json!([200, "0", ""]), "{unknown}");
    assert_eq!(unknown["missing"], true);
    assert_eq!(unknown["get"][0], 404);
    assert_eq!(unknown["patch"][0], 409, "{unknown}");
    for sha in [&photo_sha, &half_sha] {
        let seen = probe(&w, &w.b, sha).await;
        assert_eq!(seen, unknown.clone(), "B learns something about {sha}");
    }
    // A, who sent them, is told the truth.
    let a_photo = probe(&w, &w.a, &photo_sha).await;
    assert_eq!(a_photo["missing"], false);
    assert_eq!(a_photo["get"][0], 200);
    assert_eq!(a_photo["head"], json!([200, "3004", "3004"]));
    assert_eq!(probe(&w, &w.a, &half_sha).await["head"], json!([200, "20000", "40004"]));

    // Naming the hash in a photo of B's own job proves nothing: still absent to B.
    let job_b = w.job_b.clone();
    let mut m = w.b.photo(&job_b, b"whatever", b"thumb");
    let Mutation::PhotoAdded { photo } = &mut m else { unreachable!() };
    photo.sha256 = photo_sha.clone();
    let e = w.b.entry(m);
    assert_eq!(outcome(&w.b.push(&[e]).await, 0)["outcome"], "applied");
    let after_reference = probe(&w, &w.b, &photo_sha).await;
    assert_eq!(after_reference["missing"], true, "{after_reference}");
    assert_eq!(after_reference["head"], json!([200, "0", ""]));
    assert_eq!(after_reference["get"][0], 404);

    // B's own upload of B's half-sent file is B's own: it does not meet A's.
    let (s, v) = w.b.upload_chunk(&half_sha, 0, 40_004, half_sent[..100].to_vec()).await;
    assert_eq!((s, v["offset"].as_u64()), (StatusCode::OK, Some(100)), "{v}");
    assert_eq!(probe(&w, &w.a, &half_sha).await["head"], json!([200, "20000", "40004"]));

    // Sending every byte proves B has the file; then B holds it, like any uploader.
    let jpeg = fake_jpeg(41, 3000);
    assert_eq!(sha256_hex(&jpeg), photo_sha);
    let (s, v) = w.b.upload_chunk(&photo_sha, 0, 3004, jpeg[..1000].to_vec()).await;
    assert_eq!((s, v["complete"].as_bool()), (StatusCode::OK, Some(false)), "{v}");
    let (s, v) = w.b.upload_chunk(&photo_sha, 1000, 3004, jpeg[1000..].to_vec()).await;
    assert_eq!((s, v["complete"].as_bool()), (StatusCode::OK, Some(true)), "{v}");
    let held = probe(&w, &w.b, &photo_sha).await;
    assert_eq!((held["missing"].clone(), held["get"][0].clone()), (json!(false), json!(200)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_reassigned_brings_its_photos_to_the_new_technician() {
    let mut w = World::new().await;
    let job_a = w.job_a.clone();
    let (_, sha) = w.a.add_photo(&job_a, 7).await;
    assert_eq!(probe(&w, &w.b, &sha).await["get"][0], 404);
    w.dispatcher.schedule(&job_a, "tech-b").await;
    let b = probe(&w, &w.b, &sha).await;
    assert_eq!(b["missing"], false, "{b}");
    assert_eq!(b["head"], json!([200, "3004", "3004"]));
    assert_eq!(b["get"][0], 200);
    // A uploaded it and still holds it.
    assert_eq!(probe(&w, &w.a, &sha).await["missing"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unfinished_uploads_of_hashes_nobody_references_expire() {
    let mut w = World::new().await;
    let job_a = w.job_a.clone();
    // One unfinished upload of a photo A recorded, one of a hash nothing references.
    let jpeg = fake_jpeg(9, 10_000);
    let m = w.a.photo(&job_a, &jpeg, b"thumb");
    let e = w.a.entry(m);
    w.a.push(&[e]).await;
    let referenced = sha256_hex(&jpeg);
    let stray = fake_jpeg(10, 10_000);
    let unreferenced = sha256_hex(&stray);
    for (sha, bytes) in [(&referenced, &jpeg), (&unreferenced, &stray)] {
        let (s, _) = w.a.upload_chunk(sha, 0, bytes.len() as u64, bytes[..4_000].to_vec()).await;
        assert_eq!(s, StatusCode::OK);
    }
    let state = &w.server.state;
    let expired = state.blobs.expire_partials(state.store.as_ref(), Duration::from_secs(3600));
    assert_eq!(expired.await.unwrap(), 0, "not old enough yet");
    let expired = state.blobs.expire_partials(state.store.as_ref(), Duration::ZERO);
    assert_eq!(expired.await.unwrap(), 1);
    let offset = |sha: String| {
        let (http, url, token) =
            (w.a.http.clone(), w.server.url(&format!("/api/v1/blobs/{sha}")), w.a.token.clone());
        async move {
            let resp = http.head(url).bearer_auth(token).send().await.unwrap();
            resp.headers()["upload-offset"].to_str().unwrap().to_owned()
        }
    };
    assert_eq!(offset(unreferenced.clone()).await, "0", "the stray upload is gone");
    assert_eq!(offset(referenced.clone()).await, "4000", "the photo's upload can resume");
    let (s, v) = w.a.upload_chunk(&referenced, 4_000, 10_004, jpeg[4_000..].to_vec()).await;
    assert_eq!((s, v["complete"].as_bool()), (StatusCode::OK, Some(true)), "{v}");
}
