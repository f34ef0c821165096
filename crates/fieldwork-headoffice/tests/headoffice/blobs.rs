//! Blobs: which are missing, resumable uploads, verification before visibility.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_says_which_hashes_it_lacks() {
    let w = World::new().await;
    let have = w.a.upload(&fake_jpeg(1, 1000)).await;
    let lack = sha256_hex(b"not uploaded");
    let resp =
        w.a.http
            .post(w.server.url("/api/v1/blobs/missing"))
            .bearer_auth(&w.a.token)
            .json(&json!({"hashes": [have, lack]}))
            .send()
            .await
            .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let v: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(v["missing"], json!([lack]));
    let resp =
        w.a.http
            .post(w.server.url("/api/v1/blobs/missing"))
            .bearer_auth(&w.a.token)
            .json(&json!({"hashes": ["../../etc/passwd"]}))
            .send()
            .await
            .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
}

async fn held(w: &World, sha: &str) -> u64 {
    let resp =
        w.a.http
            .head(w.server.url(&format!("/api/v1/blobs/{sha}")))
            .bearer_auth(&w.a.token)
            .send()
            .await
            .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    resp.headers()["upload-offset"].to_str().unwrap().parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_resumes_from_the_offset_the_server_holds() {
    let mut w = World::new().await;
    let job = w.job_a.clone();
    let jpeg = fake_jpeg(7, 200_000);
    let thumb = fake_jpeg(8, 2_000);
    let photo = w.a.photo(&job, &jpeg, &thumb);
    let fieldwork_core::store::outbox::Mutation::PhotoAdded { photo: p } = &photo else {
        unreachable!()
    };
    let photo_id = p.id.clone();
    let e = w.a.entry(photo);
    w.a.push(&[e]).await;
    let sha = sha256_hex(&jpeg);
    let total = jpeg.len() as u64;
    assert_eq!(held(&w, &sha).await, 0);
    // Three chunks at offsets chosen by the "network", one sent at a stale offset.
    let (s, v) = w.a.upload_chunk(&sha, 0, total, jpeg[..70_001].to_vec()).await;
    assert_eq!((s, v["offset"].as_u64()), (StatusCode::OK, Some(70_001)));
    assert_eq!(v["complete"], false);
    let (s, v) = w.a.upload_chunk(&sha, 0, total, jpeg[..10].to_vec()).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(code(&v), "offset_mismatch");
    let resume = held(&w, &sha).await;
    assert_eq!(resume, 70_001);
    // Not visible before the last byte.
    let (s, _) = w
        .dispatcher
        .call(reqwest::Method::GET, &format!("/api/v1/jobs/{job}/photos/{photo_id}"), None)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = w.a.upload_chunk(&sha, resume, total, jpeg[70_001..150_000].to_vec()).await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = w.a.upload_chunk(&sha, 150_000, total, jpeg[150_000..].to_vec()).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["complete"], true);
    // The dispatcher downloads exactly the bytes; the device may fetch them back too.
    let resp = w
        .dispatcher
        .http
        .get(w.server.url(&format!("/api/v1/jobs/{job}/photos/{photo_id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-type"], "image/jpeg");
    assert_eq!(sha256_hex(&resp.bytes().await.unwrap()), sha);
    let resp =
        w.a.http
            .get(w.server.url(&format!("/api/v1/blobs/{sha}")))
            .bearer_auth(&w.a.token)
            .send()
            .await
            .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let resp =
        w.b.http
            .get(w.server.url(&format!("/api/v1/blobs/{sha}")))
            .bearer_auth(&w.b.token)
            .send()
            .await
            .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND, "not Bob's job");
    // Uploading again after completion is harmless.
    let (s, v) = w.a.upload_chunk(&sha, 0, total, jpeg[..100].to_vec()).await;
    assert_eq!((s, v["complete"].as_bool()), (StatusCode::OK, Some(true)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupted_upload_is_refused_and_never_becomes_visible() {
    let w = World::new().await;
    let good = fake_jpeg(3, 50_000);
    let sha = sha256_hex(&good);
    let mut bad = good.clone();
    bad[25_000] ^= 0xFF;
    let (s, _) = w.a.upload_chunk(&sha, 0, bad.len() as u64, bad[..20_000].to_vec()).await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = w.a.upload_chunk(&sha, 20_000, bad.len() as u64, bad[20_000..].to_vec()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(code(&v), "hash_mismatch");
    assert_eq!(held(&w, &sha).await, 0, "the partial upload is discarded: start again");
    let missing = w.server.state.store.blobs_present(vec![sha.clone()]).await.unwrap();
    assert!(missing.is_empty());
    // The right bytes then go through.
    assert_eq!(w.a.upload(&good).await, sha);
    // A body longer than declared is refused too.
    let other = fake_jpeg(4, 1_000);
    let (s, _) = w.a.upload_chunk(&sha256_hex(&other), 0, 500, other).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}
