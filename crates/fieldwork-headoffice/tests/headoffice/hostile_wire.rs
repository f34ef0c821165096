//! Hostile input on the sync wire, at head office (issue 17, point 5): the real routes of a real
//! server on loopback fed random bytes and damaged versions of valid requests — push bodies
//! (wrong types, huge numbers and strings, deep nesting, cut short, bytes that are not UTF-8,
//! garbage behind `Content-Encoding: zstd`), pull queries, `blobs/missing` bodies, and blob
//! chunks with odd `Upload-Offset`/`Upload-Length` headers, wrong bytes and out of order.
//!
//! Whatever arrives, head office answers (no panic, no dropped connection, no 5xx) with a
//! documented status and the `{code, message}` body; a refused request changes nothing a device
//! or a dispatcher can see; a blob becomes visible only as the bytes that hash to its name.
//!
//! One server serves every case of a property. Each property runs a quarter of proptest's
//! default case count (64), or of `PROPTEST_CASES` (`make fuzz`).

use fieldwork_wire::wire::{
    BlobUploadStatus, BlobsMissingRequest, ErrorBody, PullResponse, PushResponse,
};
use proptest::prelude::*;
use proptest::test_runner::{TestCaseError, TestRunner};
use reqwest::StatusCode;
use reqwest::header::HeaderValue;
use serde_json::{Value, json};

use crate::common::*;
#[path = "../../../fieldwork-wire/tests/support/damage.rs"]
mod damage;
use damage::{damage, damaged, garbage};

/// A quarter of the cases proptest runs by default (or of `PROPTEST_CASES`): every case is a
/// few HTTP requests.
fn runner() -> TestRunner {
    TestRunner::new(ProptestConfig {
        cases: (ProptestConfig::default().cases / 4).max(1),
        ..ProptestConfig::default()
    })
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

/// An answer: its status, its `Upload-Offset` and `Upload-Length` headers if any, and its body
/// (JSON, or the text).
struct Answer {
    status: StatusCode,
    upload_offset: Option<String>,
    upload_length: Option<String>,
    body: Value,
}

async fn answer(req: reqwest::RequestBuilder) -> Answer {
    // A handler that panics drops the connection: that is a failure here, not a retry.
    let resp = req.send().await.expect("head office answered");
    let status = resp.status();
    let header =
        |name| resp.headers().get(name).map(|v| String::from_utf8_lossy(v.as_bytes()).into());
    let (upload_offset, upload_length) = (header("upload-offset"), header("upload-length"));
    let text = resp.text().await.expect("the answer's body");
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Answer { status, upload_offset, upload_length, body }
}

/// The body of a `200` answer as `T`.
fn decoded<T: serde::de::DeserializeOwned>(a: &Answer) -> Result<T, TestCaseError> {
    serde_json::from_value(a.body.clone())
        .map_err(|e| TestCaseError::fail(format!("{e}: {}", a.body)))
}

/// A blob as the technician's device downloads it.
async fn download(w: &World, sha: &str) -> reqwest::Response {
    let url = w.server.url(&format!("/api/v1/blobs/{sha}"));
    w.a.http.get(url).bearer_auth(&w.a.token).send().await.unwrap()
}

/// A refusal with one of `allowed` statuses, the `{code, message}` body and the code that goes
/// with the status.
fn check_refusal(a: &Answer, allowed: &[StatusCode]) -> Result<String, TestCaseError> {
    prop_assert!(allowed.contains(&a.status), "status {} with {}", a.status, a.body);
    let body: ErrorBody = serde_json::from_value(a.body.clone())
        .map_err(|e| TestCaseError::fail(format!("not an error body ({e}): {}", a.body)))?;
    prop_assert!(!body.message.is_empty());
    let code = body.code.to_string();
    let expected = match a.status {
        StatusCode::BAD_REQUEST => "invalid",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::CONFLICT => "offset_mismatch",
        StatusCode::UNPROCESSABLE_ENTITY => "hash_mismatch",
        StatusCode::NOT_FOUND => "not_found",
        other => return Err(TestCaseError::fail(format!("unexpected status {other}"))),
    };
    prop_assert_eq!(&code, expected, "{}", a.body);
    Ok(code)
}

/// What a refused request must leave as it was: technician A's job as the dispatcher sees it,
/// everything A's device would pull from the start (rejections of A's pushes included), and
/// the last seq head office applied for `device`.
async fn snapshot(w: &World, device: &Device) -> Value {
    let job = w.dispatcher.job(&w.job_a).await;
    let (s, mut pulled) = device.pull_page(0, 5_000).await;
    assert_eq!(s, StatusCode::OK, "{pulled}");
    pulled["server_hlc"] = Value::Null;
    json!({"job": job, "pulled": pulled, "last_applied_seq": last_applied(device).await})
}

async fn last_applied(device: &Device) -> i64 {
    let (s, v) = device.push_raw(&json!({"device_id": device.device_id, "entries": []})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    serde_json::from_value::<PushResponse>(v).unwrap().last_applied_seq
}

fn push_request(device: &Device, body: Vec<u8>, zstd: bool) -> reqwest::RequestBuilder {
    let mut req = device
        .http
        .post(format!("{}/api/v1/sync/push", device.base))
        .bearer_auth(&device.token)
        .header("content-type", "application/json");
    if zstd {
        req = req.header("content-encoding", "zstd");
    }
    req.body(body)
}

// ---------------------------------------------------------------------------------------------
// Push
// ---------------------------------------------------------------------------------------------

#[test]
fn random_bytes_pushed_are_refused_and_change_nothing() {
    let rt = runtime();
    let w = rt.block_on(World::new());
    let before = rt.block_on(snapshot(&w, &w.a));
    let bytes = prop_oneof![
        prop::collection::vec(any::<u8>(), 0..2048),
        ".{0,300}".prop_map(String::into_bytes),
        // Looks like JSON from the first byte on.
        "[\\[{\"a-z0-9:,\\]} .-]{0,300}".prop_map(String::into_bytes),
    ];
    runner()
        .run(&(bytes, any::<bool>()), |(body, zstd)| {
            rt.block_on(async {
                let a = answer(push_request(&w.a, body, zstd)).await;
                check_refusal(&a, &[StatusCode::BAD_REQUEST])?;
                Ok(())
            })
        })
        .unwrap();
    assert_eq!(rt.block_on(snapshot(&w, &w.a)), before, "a refused push changed something");
}

#[test]
fn damaged_pushes_are_answered_entry_by_entry_or_refused_whole_changing_nothing() {
    let rt = runtime();
    let w = rt.block_on(World::new());
    // A device of its own, replaced when a damaged seq took it to the end of the seq range.
    let device = tokio::sync::Mutex::new(rt.block_on(Device::sign_in(&w.server, "alice")));
    let damage = (prop::collection::vec(damage(), 0..4), any::<bool>(), 1usize..4);
    runner()
        .run(&damage, |(damage, zstd, entries)| {
            rt.block_on(async {
                let mut d = device.lock().await;
                if last_applied(&d).await > i64::MAX - 100 {
                    *d = Device::sign_in(&w.server, "alice").await;
                }
                let before = snapshot(&w, &d).await;
                let next = before["last_applied_seq"].as_i64().unwrap() + 1;
                let job = w.job_a.clone();
                let ops = (0..entries)
                    .map(|i| match i % 3 {
                        0 => d.note(&job, "Drain pump replaced"),
                        1 => fieldwork_domain::mutation::Mutation::FieldSet {
                            job_id: job.clone(),
                            field: fieldwork_domain::mutation::JobField::Diagnosis,
                            value: Some(format!("blocked filter {next}")),
                            replaces: None,
                        },
                        _ => d.photo(&job, &fake_jpeg(i as u8, 100), &fake_jpeg(9, 10)),
                    })
                    .collect::<Vec<_>>();
                let mut outbox = Vec::new();
                for (i, m) in ops.into_iter().enumerate() {
                    let mut e = d.entry(m);
                    e.seq = next + i as i64;
                    outbox.push(e);
                }
                let req =
                    fieldwork_wire::wire::PushRequest::from_outbox(&d.device_id, &outbox).unwrap();
                let body = damaged(&serde_json::to_value(&req).unwrap(), &damage);
                let body = if zstd { zstd::bulk::compress(&body, 0).unwrap() } else { body };
                let a = answer(push_request(&d, body, zstd)).await;
                if a.status == StatusCode::OK {
                    let resp: PushResponse = decoded(&a)?;
                    for r in &resp.results {
                        if let fieldwork_wire::Outcome::Rejected { code, reason } = &r.outcome {
                            prop_assert!(
                                code.parse::<fieldwork_wire::wire::ErrorCode>().is_ok(),
                                "{code}"
                            );
                            prop_assert!(!reason.is_empty());
                        }
                    }
                    prop_assert!(resp.last_applied_seq >= next - 1);
                } else {
                    check_refusal(&a, &[StatusCode::BAD_REQUEST, StatusCode::PAYLOAD_TOO_LARGE])?;
                    let after = snapshot(&w, &d).await;
                    prop_assert_eq!(after, before, "a refused push changed something");
                }
                Ok(())
            })
        })
        .unwrap();
}

// ---------------------------------------------------------------------------------------------
// Pull and blobs/missing
// ---------------------------------------------------------------------------------------------

/// Text a query parameter might carry, percent-encoded as sent (or raw bytes as `%XX`).
fn query_value() -> impl Strategy<Value = String> {
    let text = prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        any::<u64>().prop_map(|n| n.to_string()),
        prop::sample::select(vec![
            "",
            "-0",
            "+1",
            " 1",
            "1 ",
            "0x10",
            "1e3",
            "1.0",
            "18446744073709551616",
            "-9223372036854775809",
            "NaN",
            "٣",
            "null",
            "[]",
        ])
        .prop_map(str::to_owned),
        ".{0,12}",
    ];
    prop_oneof![
        text.prop_map(|t| percent_encoded(t.as_bytes())),
        prop::collection::vec(any::<u8>(), 0..6).prop_map(|b| percent_encoded(&b)),
    ]
}

/// Every byte but letters and digits as `%XX`.
fn percent_encoded(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| {
            if b.is_ascii_alphanumeric() { char::from(*b).to_string() } else { format!("%{b:02X}") }
        })
        .collect()
}

#[test]
fn odd_pull_queries_get_a_page_or_a_clear_refusal() {
    let rt = runtime();
    let w = rt.block_on(World::new());
    let before = rt.block_on(snapshot(&w, &w.a));
    let query = (
        prop::option::of(query_value()),
        prop::option::of(query_value()),
        prop::option::of(("[a-z]{1,8}", query_value())),
    );
    runner()
        .run(&query, |(cursor, limit, other)| {
            rt.block_on(async {
                let mut q: Vec<String> = Vec::new();
                if let Some(c) = &cursor {
                    q.push(format!("cursor={c}"));
                }
                if let Some(l) = &limit {
                    q.push(format!("limit={l}"));
                }
                if let Some((k, v)) = &other {
                    q.push(format!("{k}={v}"));
                }
                let url = format!("{}/api/v1/sync/pull?{}", w.a.base, q.join("&"));
                let a = answer(w.a.http.get(url).bearer_auth(&w.a.token)).await;
                if a.status == StatusCode::OK {
                    let page: PullResponse = decoded(&a)?;
                    prop_assert!(page.changes.len() <= fieldwork_wire::wire::MAX_PULL_LIMIT);
                } else {
                    check_refusal(&a, &[StatusCode::BAD_REQUEST])?;
                }
                Ok(())
            })
        })
        .unwrap();
    assert_eq!(rt.block_on(snapshot(&w, &w.a)), before, "a pull changed something");
}

#[test]
fn odd_missing_blob_questions_get_the_missing_ones_or_a_clear_refusal() {
    let rt = runtime();
    let w = rt.block_on(World::new());
    let held = rt.block_on(w.a.upload(&fake_jpeg(77, 500)));
    let hash = prop_oneof![
        Just(json!(held.clone())),
        any::<[u8; 32]>().prop_map(|b| json!(hex::encode(b))),
        any::<[u8; 32]>().prop_map(|b| json!(hex::encode_upper(b))),
        "[0-9a-f]{0,70}".prop_map(Value::String),
        garbage(),
    ];
    let body = prop_oneof![
        prop::collection::vec(hash, 0..8)
            .prop_map(|h| serde_json::to_vec(&json!({"hashes": h})).unwrap()),
        (1_001usize..1_100)
            .prop_map(|n| serde_json::to_vec(&json!({"hashes": vec![held.clone(); n]})).unwrap()),
        garbage().prop_map(|g| serde_json::to_vec(&g).unwrap()),
        prop::collection::vec(any::<u8>(), 0..512),
    ];
    runner()
        .run(&body, |body| {
            rt.block_on(async {
                // What was asked, as far as a request can be read at all.
                let asked = serde_json::from_slice::<BlobsMissingRequest>(&body).ok();
                let req =
                    w.a.http
                        .post(w.server.url("/api/v1/blobs/missing"))
                        .bearer_auth(&w.a.token)
                        .header("content-type", "application/json")
                        .body(body);
                let a = answer(req).await;
                if a.status == StatusCode::OK {
                    let asked = asked.unwrap().hashes;
                    let missing: Vec<String> =
                        serde_json::from_value(a.body["missing"].clone()).unwrap();
                    let expected: Vec<String> =
                        asked.iter().filter(|h| **h != held).cloned().collect();
                    prop_assert_eq!(missing, expected);
                } else {
                    check_refusal(&a, &[StatusCode::BAD_REQUEST])?;
                }
                Ok(())
            })
        })
        .unwrap();
}

// ---------------------------------------------------------------------------------------------
// Blob chunks
// ---------------------------------------------------------------------------------------------

/// An `Upload-Offset` or `Upload-Length` header as sent: a number near the blob's size, or
/// text that is not a byte count (signed, overflowing, padded, not ASCII), or none at all.
#[derive(Debug, Clone)]
enum Number {
    Missing,
    Near(i64),
    Text(Vec<u8>),
}

fn number() -> impl Strategy<Value = Number> {
    prop_oneof![
        6 => Just(Number::Near(0)),
        3 => (-3i64..=3).prop_map(Number::Near),
        1 => Just(Number::Missing),
        2 => prop::sample::select(vec![
            &b"-1"[..], b"18446744073709551615", b"18446744073709551616", b"9223372036854775808",
            b"+0", b" 0", b"0x10", b"1e3", b"", b"\xd9\xa3", b"\xff", b"0\t",
        ])
        .prop_map(|b| Number::Text(b.to_vec())),
        1 => any::<u64>().prop_map(|n| Number::Text(n.to_string().into_bytes())),
    ]
}

fn header(n: &Number, base: u64) -> Option<HeaderValue> {
    match n {
        Number::Missing => None,
        Number::Near(d) => Some(HeaderValue::from(base.saturating_add_signed(*d))),
        Number::Text(t) => HeaderValue::from_bytes(t).ok(),
    }
}

/// What one chunk carries: the blob's next bytes from where the upload stands, another stretch
/// of it or all the rest, a stretch with a byte changed, or other bytes.
#[derive(Debug, Clone)]
enum Body {
    Next(prop::sample::Index),
    Rest,
    Slice(prop::sample::Index, prop::sample::Index),
    Damaged(prop::sample::Index, prop::sample::Index, prop::sample::Index),
    Other(Vec<u8>),
}

#[derive(Debug, Clone)]
struct Chunk {
    /// Around where the upload stands (`Near`) or anything else.
    offset: Number,
    /// Around the blob's size.
    length: Number,
    body: Body,
}

fn chunk() -> impl Strategy<Value = Chunk> {
    let body = prop_oneof![
        3 => any::<prop::sample::Index>().prop_map(Body::Next),
        2 => Just(Body::Rest),
        2 => (any::<prop::sample::Index>(), any::<prop::sample::Index>())
            .prop_map(|(a, b)| Body::Slice(a, b)),
        2 => (any::<prop::sample::Index>(), any::<prop::sample::Index>(), any::<prop::sample::Index>())
            .prop_map(|(a, b, c)| Body::Damaged(a, b, c)),
        1 => prop::collection::vec(any::<u8>(), 0..300).prop_map(Body::Other),
    ];
    (number(), number(), body).prop_map(|(offset, length, body)| Chunk { offset, length, body })
}

/// The blob's name as sent: its SHA-256, or a name that is not one.
fn name_for(sha: &str, odd: Option<usize>) -> String {
    match odd {
        None => sha.to_owned(),
        Some(0) => sha.to_uppercase(),
        Some(1) => sha[..63].to_owned(),
        Some(2) => format!("{sha}0"),
        Some(3) => "..%2F..%2Fetc%2Fpasswd".to_owned(),
        Some(_) => "%FF%00".to_owned(),
    }
}

#[test]
fn hostile_chunks_are_refused_clearly_and_a_blob_is_only_ever_its_own_bytes() {
    let rt = runtime();
    let w = rt.block_on(World::new());
    let case = (
        prop::collection::vec(any::<u8>(), 1..3_000),
        prop::collection::vec(chunk(), 1..8),
        prop::option::weighted(0.1, 0usize..5),
    );
    runner()
        .run(&case, |(mut blob, chunks, odd_name)| {
            rt.block_on(async {
                // Every case its own blob (a counter in front of the random bytes).
                static CASE: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
                let n = CASE.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                blob.splice(0..0, n.to_be_bytes());
                let sha = sha256_hex(&blob);
                let name = name_for(&sha, odd_name);
                let size = blob.len() as u64;
                // Where head office says the upload stands, by its last answer.
                let mut held = 0u64;
                let mut complete = false;
                for c in &chunks {
                    let bytes = match &c.body {
                        Body::Next(k) => {
                            let from = usize::try_from(held).unwrap().min(blob.len());
                            let to = from + k.index(blob.len() - from + 1);
                            blob[from..to].to_vec()
                        }
                        Body::Rest => {
                            blob[usize::try_from(held).unwrap().min(blob.len())..].to_vec()
                        }
                        Body::Slice(a, b) => {
                            let (a, b) = (a.index(blob.len() + 1), b.index(blob.len() + 1));
                            blob[a.min(b)..a.max(b)].to_vec()
                        }
                        Body::Damaged(a, b, at) => {
                            let (a, b) = (a.index(blob.len()), b.index(blob.len()));
                            let mut v = blob[a.min(b)..=a.max(b)].to_vec();
                            let at = at.index(v.len());
                            v[at] ^= 0x5A;
                            v
                        }
                        Body::Other(v) => v.clone(),
                    };
                    let mut req =
                        w.a.http
                            .patch(w.server.url(&format!("/api/v1/blobs/{name}")))
                            .bearer_auth(&w.a.token)
                            .header("content-type", "application/offset+octet-stream")
                            .body(bytes);
                    if let Some(v) = header(&c.offset, held) {
                        req = req.header("upload-offset", v);
                    }
                    if let Some(v) = header(&c.length, size) {
                        req = req.header("upload-length", v);
                    }
                    let a = answer(req).await;
                    match a.status {
                        StatusCode::OK => {
                            let st: BlobUploadStatus = decoded(&a)?;
                            prop_assert_eq!(&st.sha256, &sha);
                            if let Some(length) = st.length {
                                prop_assert!(st.offset <= length, "{}", a.body);
                            }
                            held = st.offset;
                            complete |= st.complete;
                        }
                        _ => {
                            let code = check_refusal(
                                &a,
                                &[
                                    StatusCode::BAD_REQUEST,
                                    StatusCode::CONFLICT,
                                    StatusCode::UNPROCESSABLE_ENTITY,
                                    StatusCode::PAYLOAD_TOO_LARGE,
                                    StatusCode::NOT_FOUND,
                                ],
                            )?;
                            if code == "offset_mismatch" {
                                // Where to resume travels in the header.
                                let at = a.upload_offset.as_deref().and_then(|o| o.parse().ok());
                                prop_assert!(at.is_some(), "409 without Upload-Offset");
                                held = at.unwrap();
                            }
                            if code == "hash_mismatch" {
                                held = 0;
                            }
                            if odd_name.is_some() {
                                prop_assert!(code == "invalid" || code == "not_found", "{code}");
                            } else {
                                prop_assert_ne!(code, "not_found");
                            }
                        }
                    }
                }
                // Where the upload stands now (an upload whose last byte came with a refused
                // chunk is finished by this question).
                let st = answer(
                    w.a.http
                        .head(w.server.url(&format!("/api/v1/blobs/{sha}")))
                        .bearer_auth(&w.a.token),
                )
                .await;
                prop_assert_eq!(st.status, StatusCode::OK);
                let offset: u64 = st.upload_offset.unwrap().parse().unwrap();
                let declared: Option<u64> = st.upload_length.map(|l| l.parse().unwrap());
                // Visible only once complete, and then exactly these bytes.
                let present = w.server.state.store.blobs_present(vec![sha.clone()]).await.unwrap();
                let stored = !present.is_empty();
                prop_assert!(stored || !complete, "answered complete, yet not stored");
                if stored {
                    prop_assert_eq!((offset, declared), (size, Some(size)));
                } else {
                    // Short of the declared length (the last byte finishes it or discards it).
                    let declared = declared.unwrap_or(0);
                    prop_assert!(offset < declared || offset == 0, "{offset} of {declared} held");
                }
                let resp = download(&w, &sha).await;
                if stored {
                    prop_assert_eq!(resp.status(), StatusCode::OK);
                    prop_assert!(resp.bytes().await.unwrap() == blob, "stored bytes differ");
                } else {
                    prop_assert_eq!(resp.status(), StatusCode::NOT_FOUND);
                }
                Ok(())
            })
        })
        .unwrap();
}

/// The blob chunks named in issue 17: past the size, offsets that overflow or are negative,
/// wrong bytes, out of order. Each is refused with its code and the blob never appears.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chunks_past_the_end_at_odd_offsets_with_wrong_bytes_or_out_of_order_are_refused() {
    let w = World::new().await;
    let blob = fake_jpeg(42, 10_000);
    let (sha, size) = (sha256_hex(&blob), blob.len() as u64);
    let send = |offset: &'static str, length: String, bytes: Vec<u8>| {
        let req =
            w.a.http
                .patch(w.server.url(&format!("/api/v1/blobs/{sha}")))
                .bearer_auth(&w.a.token)
                .header("upload-offset", offset)
                .header("upload-length", length)
                .header("content-type", "application/offset+octet-stream")
                .body(bytes);
        answer(req)
    };
    let status_code = |a: &Answer| (a.status, code(&a.body));
    let invalid = (StatusCode::BAD_REQUEST, "invalid".to_owned());
    let mismatch = (StatusCode::CONFLICT, "offset_mismatch".to_owned());
    // Negative, overflowing and non-numeric offsets and lengths.
    for (offset, length) in [
        ("-1", size.to_string()),
        ("18446744073709551616", size.to_string()),
        ("0", "-5".to_owned()),
        ("0", "18446744073709551616".to_owned()),
        ("0x0", size.to_string()),
        ("0", "0".to_owned()),
        ("0", (64 * 1024 * 1024 + 1).to_string()),
    ] {
        let a = send(offset, length.clone(), blob[..100].to_vec()).await;
        assert_eq!(status_code(&a), invalid, "offset {offset}, length {length}: {}", a.body);
    }
    // An offset beyond the size, and u64::MAX: not where the upload stands.
    for offset in ["20000", "18446744073709551615"] {
        let a = send(offset, size.to_string(), blob[..100].to_vec()).await;
        assert_eq!(status_code(&a), mismatch, "offset {offset}: {}", a.body);
        assert_eq!(a.upload_offset.as_deref(), Some("0"));
    }
    // Out of order: the second half first.
    let a = send("0", size.to_string(), blob[..4_000].to_vec()).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let a = send("8000", size.to_string(), blob[8_000..].to_vec()).await;
    assert_eq!(status_code(&a), mismatch, "{}", a.body);
    assert_eq!(a.upload_offset.as_deref(), Some("4000"));
    // The rest with a byte changed: the whole upload is refused and discarded.
    let mut rest = blob[4_000..].to_vec();
    rest[123] ^= 1;
    let a = send("4000", size.to_string(), rest).await;
    assert_eq!(status_code(&a), (StatusCode::UNPROCESSABLE_ENTITY, "hash_mismatch".to_owned()));
    assert!(w.server.state.store.blobs_present(vec![sha.clone()]).await.unwrap().is_empty());
    let resp = download(&w, &sha).await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    // More bytes than declared (another blob: the first chunk declares the length).
    let other = fake_jpeg(43, 1_000);
    let (s, v) = w.a.upload_chunk(&sha256_hex(&other), 0, 50, other.clone()).await;
    assert_eq!((s, code(&v)), invalid, "{v}");
}
