//! Blobs in an S3-compatible bucket (`--blobs s3://bucket[/prefix]`), against a real server:
//! run under `scripts/with-s3` (`make test-s3`), which starts moto's S3 server on a free
//! loopback port, creates a bucket and exports `FIELDWORK_TEST_S3` and the `AWS_*` variables.
//! Without them these tests fail, saying how to run them.
//!
//! Each test works under its own prefix of the bucket. Head office keeps nothing of an upload
//! on its own disk: the tests read the bucket directly to see where the bytes are, and two
//! head-office servers on one database and one bucket share a resumable upload.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[allow(dead_code)]
#[path = "headoffice/common.rs"]
mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use common::*;
use fieldwork_domain::mutation::Mutation;
use fieldwork_headoffice::config::BlobLocation;
use futures_util::TryStreamExt;
use object_store::ObjectStore;
use object_store::aws::AmazonS3Builder;
use object_store::path::Path as StorePath;
use reqwest::StatusCode;
use serde_json::{Value, json};

const HEADOFFICE: &str = env!("CARGO_BIN_EXE_fieldwork-headoffice");

/// The test bucket's URL, or a failure that says how to get one.
fn bucket_url() -> String {
    match std::env::var("FIELDWORK_TEST_S3") {
        Ok(url) if !url.is_empty() => url,
        _ => panic!(
            "FIELDWORK_TEST_S3 is not set: these tests need an S3-compatible server. Run them \
             with `make test-s3`, or `scripts/with-s3 cargo test -p fieldwork-headoffice --test \
             s3_blobs`, which starts moto's server and sets FIELDWORK_TEST_S3 and the AWS_* \
             variables"
        ),
    }
}

/// A fresh prefix of the test bucket: where one test's head office keeps its blobs, and a
/// client of the bucket to look at what is there.
struct Bucket {
    location: BlobLocation,
    prefix: String,
    s3: Arc<dyn ObjectStore>,
}

impl Bucket {
    fn new(name: &str) -> Bucket {
        let url = bucket_url();
        let BlobLocation::S3 { bucket, .. } = BlobLocation::from_str(&url).unwrap() else {
            unreachable!()
        };
        let prefix = format!("{name}-{}", uuid::Uuid::now_v7());
        let s3 = AmazonS3Builder::from_env().with_bucket_name(&bucket).build().unwrap();
        Bucket {
            location: BlobLocation::from_str(&format!("s3://{bucket}/{prefix}")).unwrap(),
            prefix,
            s3: Arc::new(s3),
        }
    }

    /// Every object under this test's prefix (`blobs/…`, `uploads/…`) with its size.
    async fn objects(&self) -> Vec<(String, u64)> {
        let metas: Vec<_> =
            self.s3.list(Some(&StorePath::from(self.prefix.as_str()))).try_collect().await.unwrap();
        let mut out: Vec<(String, u64)> = metas
            .into_iter()
            .map(|m| {
                let path = m.location.to_string();
                (path[self.prefix.len() + 1..].to_owned(), m.size)
            })
            .collect();
        out.sort();
        out
    }

    async fn under(&self, area: &str) -> Vec<(String, u64)> {
        self.objects().await.into_iter().filter(|(p, _)| p.starts_with(area)).collect()
    }

    /// A stored blob's bytes, read from the bucket itself.
    async fn blob(&self, sha: &str) -> Vec<u8> {
        let path = StorePath::from(format!("{}/blobs/{}/{sha}", self.prefix, &sha[..2]));
        self.s3.get(&path).await.unwrap().bytes().await.unwrap().to_vec()
    }
}

/// A head office keeping its blobs in `bucket`.
async fn server(bucket: &Bucket) -> TestServer {
    let location = bucket.location.clone();
    TestServer::start_with(move |c| c.blobs = location).await
}

/// Nothing of blobs or uploads on the instance's own disk.
fn no_blob_files(server: &TestServer) {
    for folder in ["blobs", "uploads"] {
        let path = server.state.config.data_dir.join(folder);
        assert!(!path.exists(), "{} exists: blob state on the instance's disk", path.display());
    }
}

/// `PATCH /blobs/{sha}` through the head office at `base` with `device`'s token.
async fn chunk_via(
    base: &str,
    device: &Device,
    sha: &str,
    offset: u64,
    total: u64,
    bytes: &[u8],
) -> (StatusCode, Value) {
    let resp = device
        .http
        .patch(format!("{base}/api/v1/blobs/{sha}"))
        .bearer_auth(&device.token)
        .header("upload-offset", offset.to_string())
        .header("upload-length", total.to_string())
        .header("content-type", "application/offset+octet-stream")
        .body(bytes.to_vec())
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// `HEAD /blobs/{sha}` through the head office at `base`: (Upload-Offset, Upload-Length).
async fn head_via(base: &str, device: &Device, sha: &str) -> (u64, Option<u64>) {
    let resp = device
        .http
        .head(format!("{base}/api/v1/blobs/{sha}"))
        .bearer_auth(&device.token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let number =
        |name: &str| resp.headers().get(name).map(|v| v.to_str().unwrap().parse::<u64>().unwrap());
    (number("upload-offset").unwrap(), number("upload-length"))
}

/// `GET /blobs/{sha}` through the head office at `base`.
async fn download_via(base: &str, device: &Device, sha: &str) -> (StatusCode, Vec<u8>) {
    let resp = device
        .http
        .get(format!("{base}/api/v1/blobs/{sha}"))
        .bearer_auth(&device.token)
        .send()
        .await
        .unwrap();
    (resp.status(), resp.bytes().await.unwrap().to_vec())
}

/// A photo of `job` recorded by `device` (pushed), whose JPEG is `jpeg`; returns its id.
async fn record_photo(device: &mut Device, job: &str, jpeg: &[u8]) -> String {
    let m = device.photo(job, jpeg, b"thumbnail");
    let Mutation::PhotoAdded { photo } = &m else { unreachable!() };
    let id = photo.id.clone();
    let e = device.entry(m);
    assert_eq!(outcome(&device.push(&[e]).await, 0)["outcome"], "applied");
    id
}

#[test]
fn a_bucket_is_named_s3_bucket_and_an_optional_prefix() {
    let parse = |s: &str| BlobLocation::from_str(s);
    assert_eq!(
        parse("s3://photos").unwrap(),
        BlobLocation::S3 { bucket: "photos".into(), prefix: None }
    );
    assert_eq!(
        parse("s3://photos/acme/fieldwork/").unwrap(),
        BlobLocation::S3 { bucket: "photos".into(), prefix: Some("acme/fieldwork".into()) }
    );
    assert_eq!(parse("s3://photos/acme").unwrap().to_string(), "s3://photos/acme");
    for bad in ["photos", "/srv/blobs", "s3://", "s3://Photos", "gs://photos"] {
        assert!(parse(bad).is_err(), "{bad} accepted");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_is_verified_stored_in_the_bucket_and_read_back() {
    let bucket = Bucket::new("stored");
    let mut w = World::with(server(&bucket).await).await;
    let job = w.job_a.clone();
    // Larger than a part of the store (4 MiB) and than one part of the blob's multipart
    // upload (5 MiB), so both are exercised.
    let jpeg = fake_jpeg(11, 11_000_000);
    let sha = sha256_hex(&jpeg);
    let total = jpeg.len() as u64;
    let photo_id = record_photo(&mut w.a, &job, &jpeg).await;
    let base = w.server.base.clone();

    let (s, v) = chunk_via(&base, &w.a, &sha, 0, total, &jpeg[..5_000_000]).await;
    assert_eq!((s, v["offset"].as_u64()), (StatusCode::OK, Some(5_000_000)), "{v}");
    // The upload in progress is in the bucket: its declared length and its parts.
    let uploads = bucket.under("uploads/").await;
    assert!(uploads.iter().any(|(p, size)| p.ends_with(&format!("{sha}/length")) && *size > 0));
    let held: u64 = uploads.iter().filter(|(p, _)| !p.ends_with("/length")).map(|(_, s)| s).sum();
    assert_eq!(held, 5_000_000, "{uploads:?}");
    assert!(bucket.under("blobs/").await.is_empty(), "nothing visible before the last byte");
    let (s, _) = w
        .dispatcher
        .call(reqwest::Method::GET, &format!("/api/v1/jobs/{job}/photos/{photo_id}"), None)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    let (s, v) = chunk_via(&base, &w.a, &sha, 5_000_000, total, &jpeg[5_000_000..]).await;
    assert_eq!((s, v["complete"].as_bool()), (StatusCode::OK, Some(true)), "{v}");
    let blob_key = format!("blobs/{}/{sha}", &sha[..2]);
    assert_eq!(bucket.objects().await, vec![(blob_key, total)], "the parts are gone");
    assert_eq!(sha256_hex(&bucket.blob(&sha).await), sha);
    no_blob_files(&w.server);

    // Read back through head office: the device's GET and the dispatcher's photo.
    let (s, bytes) = download_via(&base, &w.a, &sha).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(sha256_hex(&bytes), sha);
    let resp = w
        .dispatcher
        .http
        .get(w.server.url(&format!("/api/v1/jobs/{job}/photos/{photo_id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(sha256_hex(&resp.bytes().await.unwrap()), sha);
    assert_eq!(head_via(&base, &w.a, &sha).await, (total, Some(total)));
    // Still not Bob's to know about.
    assert_eq!(download_via(&base, &w.b, &sha).await.0, StatusCode::NOT_FOUND);
    assert_eq!(head_via(&base, &w.b, &sha).await, (0, None));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_started_on_one_instance_finishes_on_another() {
    let bucket = Bucket::new("two-instances");
    let shared = tempfile::tempdir().unwrap();
    let start = |data_dir: std::path::PathBuf| {
        let location = bucket.location.clone();
        TestServer::start_with(move |c| {
            c.data_dir = data_dir;
            c.blobs = location;
        })
    };
    // Two head offices on one database and one bucket.
    let one = start(shared.path().to_owned()).await;
    let two = start(shared.path().to_owned()).await;
    let mut w = World::with(one).await;
    let (a_url, b_url) = (w.server.base.clone(), two.base.clone());
    let job = w.job_a.clone();
    let jpeg = fake_jpeg(21, 3_000_000);
    let sha = sha256_hex(&jpeg);
    let total = jpeg.len() as u64;
    let photo_id = record_photo(&mut w.a, &job, &jpeg).await;

    // The first chunks through instance one; the other instance knows where it stands.
    let (s, v) = chunk_via(&a_url, &w.a, &sha, 0, total, &jpeg[..700_000]).await;
    assert_eq!((s, v["offset"].as_u64()), (StatusCode::OK, Some(700_000)), "{v}");
    let (s, v) = chunk_via(&a_url, &w.a, &sha, 700_000, total, &jpeg[700_000..1_000_000]).await;
    assert_eq!((s, v["offset"].as_u64()), (StatusCode::OK, Some(1_000_000)), "{v}");
    assert_eq!(head_via(&b_url, &w.a, &sha).await, (1_000_000, Some(total)));
    // A stale chunk is refused by the other instance too.
    let (s, v) = chunk_via(&b_url, &w.a, &sha, 700_000, total, &jpeg[700_000..800_000]).await;
    assert_eq!((s, code(&v)), (StatusCode::CONFLICT, "offset_mismatch".to_owned()), "{v}");
    assert!(v["message"].as_str().unwrap_or_default().contains("at byte 1000000"), "{v}");

    // The same chunk through both instances at once: one is taken, the other refused.
    let chunk = &jpeg[1_000_000..2_000_000];
    let (one, other) = tokio::join!(
        chunk_via(&a_url, &w.a, &sha, 1_000_000, total, chunk),
        chunk_via(&b_url, &w.a, &sha, 1_000_000, total, chunk),
    );
    let mut statuses = [one.0, other.0];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT], "{one:?} {other:?}");
    assert_eq!(head_via(&a_url, &w.a, &sha).await, (2_000_000, Some(total)));

    // The rest through instance two, which verifies and stores it.
    let (s, v) = chunk_via(&b_url, &w.a, &sha, 2_000_000, total, &jpeg[2_000_000..]).await;
    assert_eq!((s, v["complete"].as_bool()), (StatusCode::OK, Some(true)), "{v}");
    assert!(bucket.under("uploads/").await.is_empty());
    assert_eq!(sha256_hex(&bucket.blob(&sha).await), sha);
    for base in [&a_url, &b_url] {
        let (s, bytes) = download_via(base, &w.a, &sha).await;
        assert_eq!((s, sha256_hex(&bytes)), (StatusCode::OK, sha.clone()));
    }
    let photo = w
        .dispatcher
        .http
        .get(format!("{b_url}/api/v1/jobs/{job}/photos/{photo_id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(photo.status(), StatusCode::OK, "the dispatcher's session works on both");
    assert_eq!(sha256_hex(&photo.bytes().await.unwrap()), sha);
    two.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_hash_leaves_nothing_in_the_bucket() {
    let bucket = Bucket::new("mismatch");
    let w = World::with(server(&bucket).await).await;
    let base = w.server.base.clone();
    let good = fake_jpeg(31, 6_000_000);
    let sha = sha256_hex(&good);
    let total = good.len() as u64;
    let mut bad = good.clone();
    bad[5_500_000] ^= 0xFF;
    let (s, _) = chunk_via(&base, &w.a, &sha, 0, total, &bad[..2_000_000]).await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = chunk_via(&base, &w.a, &sha, 2_000_000, total, &bad[2_000_000..]).await;
    assert_eq!((s, code(&v)), (StatusCode::UNPROCESSABLE_ENTITY, "hash_mismatch".to_owned()));
    assert_eq!(bucket.objects().await, vec![], "no blob, no parts, no declared length");
    assert!(w.server.state.store.blobs_present(vec![sha.clone()]).await.unwrap().is_empty());
    assert_eq!(head_via(&base, &w.a, &sha).await, (0, None), "start again from 0");
    assert_eq!(download_via(&base, &w.a, &sha).await.0, StatusCode::NOT_FOUND);
    // The right bytes then go through.
    let (s, v) = chunk_via(&base, &w.a, &sha, 0, total, &good).await;
    assert_eq!((s, v["complete"].as_bool()), (StatusCode::OK, Some(true)), "{v}");
    assert_eq!(bucket.blob(&sha).await, good);
    no_blob_files(&w.server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_partial_upload_is_removed_from_the_bucket() {
    let bucket = Bucket::new("expiry");
    let mut w = World::with(server(&bucket).await).await;
    let base = w.server.base.clone();
    let job = w.job_a.clone();
    let photo = fake_jpeg(41, 50_000);
    let referenced = sha256_hex(&photo);
    record_photo(&mut w.a, &job, &photo).await;
    let stray = fake_jpeg(42, 50_000);
    let unreferenced = sha256_hex(&stray);
    for bytes in [&photo, &stray] {
        let (s, _) = chunk_via(&base, &w.a, &sha256_hex(bytes), 0, 50_004, &bytes[..20_000]).await;
        assert_eq!(s, StatusCode::OK);
    }
    let of = |sha: &str, objects: &[(String, u64)]| objects.iter().any(|(p, _)| p.contains(sha));
    let before = bucket.under("uploads/").await;
    assert!(of(&referenced, &before) && of(&unreferenced, &before), "{before:?}");

    let state = &w.server.state;
    let expired = state.blobs.expire_partials(state.store.as_ref(), Duration::from_secs(3600));
    assert_eq!(expired.await.unwrap(), 0, "not old enough yet");
    let expired = state.blobs.expire_partials(state.store.as_ref(), Duration::ZERO);
    assert_eq!(expired.await.unwrap(), 1);
    let after = bucket.under("uploads/").await;
    assert!(!of(&unreferenced, &after), "the stray upload is still in the bucket: {after:?}");
    assert!(of(&referenced, &after), "the photo's upload is kept to be resumed");
    assert_eq!(head_via(&base, &w.a, &unreferenced).await, (0, None));
    assert_eq!(head_via(&base, &w.a, &referenced).await, (20_000, Some(50_004)));
    let (s, v) = chunk_via(&base, &w.a, &referenced, 20_000, 50_004, &photo[20_000..]).await;
    assert_eq!((s, v["complete"].as_bool()), (StatusCode::OK, Some(true)), "{v}");
}

/// An instance that received the last byte and stopped before it made the blob leaves every
/// part in the bucket; the next HEAD (from any instance) finishes it, instead of telling the
/// device that everything is held of a blob that is not stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_whose_instance_stopped_before_finishing_is_finished_by_the_next_look() {
    let bucket = Bucket::new("orphaned");
    let w = World::with(server(&bucket).await).await;
    let base = w.server.base.clone();
    let bytes = fake_jpeg(51, 30_000);
    let sha = sha256_hex(&bytes);
    let total = bytes.len() as u64;
    let (s, _) = chunk_via(&base, &w.a, &sha, 0, total, &bytes[..10_000]).await;
    assert_eq!(s, StatusCode::OK);
    // The rest as the stopped instance wrote it: one more part, no blob.
    let folder = bucket
        .under("uploads/")
        .await
        .into_iter()
        .find(|(p, _)| p.ends_with("/length"))
        .map(|(p, _)| p.trim_end_matches("/length").to_owned())
        .unwrap();
    let part = StorePath::from(format!("{}/{folder}/{:020}", bucket.prefix, 10_000));
    bucket.s3.put(&part, bytes[10_000..].to_vec().into()).await.unwrap();
    assert!(bucket.under("blobs/").await.is_empty());

    assert_eq!(head_via(&base, &w.a, &sha).await, (total, Some(total)));
    assert_eq!(bucket.blob(&sha).await, bytes);
    assert!(bucket.under("uploads/").await.is_empty());
    assert!(!w.server.state.store.blobs_present(vec![sha]).await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn head_office_will_not_open_a_bucket_it_cannot_reach() {
    bucket_url();
    let dir = tempfile::tempdir().unwrap();
    let mut config = fieldwork_headoffice::Config::new(dir.path());
    config.blobs = BlobLocation::S3 { bucket: "no-such-bucket-here".into(), prefix: None };
    let Err(err) = fieldwork_headoffice::open(config).await else {
        panic!("opened a missing bucket");
    };
    assert!(err.to_string().contains("cannot reach s3://no-such-bucket-here"), "{err}");
}

/// The program as an operator runs it: `--blobs s3://…` on `seed` and `serve`, a device's
/// upload stored in the bucket, and a bucket it cannot use refused at start.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_program_serves_blobs_from_the_bucket_named_by_blobs() {
    install_crypto_provider();
    let bucket = Bucket::new("cli");
    let blobs = bucket.location.to_string();
    let dir = tempfile::tempdir().unwrap();
    let program = |args: &[&str]| {
        let mut cmd = Command::new(HEADOFFICE);
        cmd.arg("--data-dir").arg(dir.path()).arg("--blobs").arg(&blobs).args(args);
        cmd.env("FIELDWORK_UI_DIR", dir.path().join("no-console"));
        cmd
    };
    let seeded = program(&["seed", "--demo", "--jobs", "2"]).output().unwrap();
    assert!(seeded.status.success(), "{}", String::from_utf8_lossy(&seeded.stderr));

    let mut child = program(&["serve", "--listen", "127.0.0.1:0"])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut log = BufReader::new(child.stderr.take().unwrap());
    let mut listen = None;
    let mut seen = String::new();
    for _ in 0..200 {
        let mut line = String::new();
        if log.read_line(&mut line).unwrap() == 0 {
            break;
        }
        seen.push_str(&line);
        if let Some(at) = line.split("listen=").nth(1) {
            listen = Some(at.split_whitespace().next().unwrap().to_owned());
            break;
        }
    }
    let listen = listen.unwrap_or_else(|| {
        let _ = child.kill();
        panic!("head office did not start: {seen}")
    });
    // Keep reading its log, so it never blocks on a full pipe.
    std::thread::spawn(move || {
        let mut rest = String::new();
        while log.read_line(&mut rest).map(|n| n > 0).unwrap_or(false) {
            rest.clear();
        }
    });
    let base = format!("http://{listen}");
    let http = reqwest::Client::new();
    let signed: Value = http
        .post(format!("{base}/api/v1/auth/device"))
        .json(&json!({"user": "tech1", "password": "tech1-demo", "device_name": "test laptop"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = signed["token"].as_str().expect("a device token").to_owned();
    let bytes = fake_jpeg(61, 20_000);
    let sha = sha256_hex(&bytes);
    let resp = http
        .patch(format!("{base}/api/v1/blobs/{sha}"))
        .bearer_auth(&token)
        .header("upload-offset", "0")
        .header("upload-length", bytes.len().to_string())
        .header("content-type", "application/offset+octet-stream")
        .body(bytes.clone())
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let v: Value = resp.json().await.unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!((status, v["complete"].as_bool()), (StatusCode::OK, Some(true)), "{v}");
    assert_eq!(bucket.blob(&sha).await, bytes);
    assert!(!dir.path().join("blobs").exists() && !dir.path().join("uploads").exists());

    // A bucket that is not there stops it at start, saying so; a location that is no bucket
    // is refused as an argument.
    let out = Command::new(HEADOFFICE)
        .arg("--data-dir")
        .arg(dir.path())
        .args(["--blobs", "s3://no-such-bucket-here", "serve", "--listen", "127.0.0.1:0"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && stderr.contains("cannot reach s3://no-such-bucket-here"));
    let out = Command::new(HEADOFFICE)
        .arg("--data-dir")
        .arg(dir.path())
        .args(["--blobs", "/srv/photos", "serve"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("s3://bucket"), "{out:?}");
}

/// Leftovers chaining past the declared length (an upload discarded on one instance while
/// another wrote to it) can never be completed: the next look discards them, and the device
/// starts again from 0 instead of being told everything is held.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leftovers_longer_than_declared_are_discarded_and_the_upload_starts_again() {
    let bucket = Bucket::new("overrun");
    let w = World::with(server(&bucket).await).await;
    let base = w.server.base.clone();
    let bytes = fake_jpeg(81, 20_000);
    let sha = sha256_hex(&bytes);
    let total = bytes.len() as u64;
    let (s, _) = chunk_via(&base, &w.a, &sha, 0, total, &bytes[..5_000]).await;
    assert_eq!(s, StatusCode::OK);
    let folder = bucket
        .under("uploads/")
        .await
        .into_iter()
        .find(|(p, _)| p.ends_with("/length"))
        .map(|(p, _)| p.trim_end_matches("/length").to_owned())
        .unwrap();
    let part = StorePath::from(format!("{}/{folder}/{:020}", bucket.prefix, 5_000));
    bucket.s3.put(&part, vec![0u8; 30_000].into()).await.unwrap();

    assert_eq!(head_via(&base, &w.a, &sha).await, (0, None));
    assert!(bucket.objects().await.is_empty(), "{:?}", bucket.objects().await);
    let (s, v) = chunk_via(&base, &w.a, &sha, 0, total, &bytes).await;
    assert_eq!((s, v["complete"].as_bool()), (StatusCode::OK, Some(true)), "{v}");
    assert_eq!(bucket.blob(&sha).await, bytes);
}
