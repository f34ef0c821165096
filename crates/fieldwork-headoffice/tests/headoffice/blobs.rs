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
    let fieldwork_domain::mutation::Mutation::PhotoAdded { photo: p } = &photo else {
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

/// Nothing of an upload in progress is kept in one instance's memory: two head offices on one
/// data folder (the embedded default's object store) share it, and a chunk sent through both at
/// once is taken by one and refused by the other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_started_on_one_instance_continues_on_another_sharing_the_data_folder() {
    let shared = tempfile::tempdir().unwrap();
    let folder = shared.path().to_owned();
    let one = TestServer::start_with(|c| c.data_dir = folder.clone()).await;
    // The second instance shares the first's database too (on PostgreSQL, its database).
    let database = one.state.config.database.clone();
    let two = TestServer::start_with(|c| {
        c.data_dir = folder.clone();
        c.database = database;
    })
    .await;
    let w = World::with(one).await;
    let jpeg = fake_jpeg(71, 300_000);
    let (sha, total) = (sha256_hex(&jpeg), jpeg.len() as u64);
    let patch = |base: String, offset: usize, end: usize| {
        let (http, token, body) = (w.a.http.clone(), w.a.token.clone(), jpeg[offset..end].to_vec());
        let sha = sha.clone();
        async move {
            let resp = http
                .patch(format!("{base}/api/v1/blobs/{sha}"))
                .bearer_auth(token)
                .header("upload-offset", offset.to_string())
                .header("upload-length", total.to_string())
                .header("content-type", "application/offset+octet-stream")
                .body(body)
                .send()
                .await
                .unwrap();
            let status = resp.status();
            (status, resp.json::<serde_json::Value>().await.unwrap_or_default())
        }
    };
    let (a, b) = (w.server.base.clone(), two.base.clone());
    let (s, v) = patch(a.clone(), 0, 100_000).await;
    assert_eq!((s, v["offset"].as_u64()), (StatusCode::OK, Some(100_000)), "{v}");
    let (s, v) = patch(b.clone(), 50_000, 150_000).await;
    assert_eq!((s, code(&v)), (StatusCode::CONFLICT, "offset_mismatch".to_owned()), "{v}");
    let (first, second) =
        tokio::join!(patch(a.clone(), 100_000, 200_000), patch(b.clone(), 100_000, 200_000));
    let mut statuses = [first.0, second.0];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT], "{first:?} {second:?}");
    let (s, v) = patch(b.clone(), 200_000, jpeg.len()).await;
    assert_eq!((s, v["complete"].as_bool()), (StatusCode::OK, Some(true)), "{v}");
    for base in [&a, &b] {
        let resp =
            w.a.http
                .get(format!("{base}/api/v1/blobs/{sha}"))
                .bearer_auth(&w.a.token)
                .send()
                .await
                .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(sha256_hex(&resp.bytes().await.unwrap()), sha);
    }
    assert!(folder.join("blobs").join(&sha[..2]).join(&sha).is_file());
    assert!(!folder.join("uploads").exists(), "the finished upload's parts are gone");
    two.stop().await;
}
