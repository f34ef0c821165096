//! Hostile answers on the sync wire, at the device (issue 17, point 5): a fake head office on
//! loopback answers the device's real HTTP client and sync engine with random bytes and damaged
//! versions of valid answers — push answers, pull pages, `blobs/missing`, blob chunk statuses
//! with odd `Upload-Offset` headers — under any status, with bodies cut short or behind a
//! `Content-Encoding` they are not in.
//!
//! Whatever comes back, the device never panics or loops: each request ends in the decoded
//! answer or a typed [`ClientError`] (`protocol` for an answer it cannot read), and a round that
//! fails leaves the store as it was: the outbox entries it could not confirm, the cursor, the
//! jobs.
//!
//! Each property runs proptest's default case count (256, or `PROPTEST_CASES` under
//! `make fuzz`); the sync rounds, a quarter of it.

// Helpers may unwrap: a failing unwrap is a failing test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use fieldwork_core::domain::PhotoKind;
use fieldwork_core::seed::{SeedOptions, seed};
use fieldwork_core::store::remote::{HeadOfficeLink, Transfer};
use fieldwork_core::store::{JobFilter, Store};
use fieldwork_sync::client::{ClientError, HeadOffice, TlsOptions, parse_base_url};
use fieldwork_sync::engine::{Engine, SyncError};
use fieldwork_sync::wire::{BlobUploadStatus, ErrorCode, PullResponse, PushResponse};
use proptest::prelude::*;
use proptest::test_runner::{TestCaseError, TestRunner};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[path = "../../fieldwork-wire/tests/support/damage.rs"]
mod damage;
use damage::{damage, damaged};

// ---------------------------------------------------------------------------------------------
// A fake head office: answers each request with the raw response scripted for its route
// ---------------------------------------------------------------------------------------------

/// The routes the device calls, as `METHOD /path` prefixes.
const PUSH: &str = "POST /api/v1/sync/push";
const PULL: &str = "GET /api/v1/sync/pull";
const MISSING: &str = "POST /api/v1/blobs/missing";
const BLOB_HEAD: &str = "HEAD /api/v1/blobs/";
const BLOB_PATCH: &str = "PATCH /api/v1/blobs/";

/// An answer as it goes on the wire.
#[derive(Debug, Clone)]
struct Reply {
    status: u16,
    /// Extra header lines, as bytes (so they may be anything).
    headers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
    /// How the body is framed: honestly, with a `Content-Length` larger than the body (the
    /// connection closes early), or behind a `Content-Encoding: zstd` it is not in.
    framing: Framing,
}

#[derive(Debug, Clone, Copy)]
enum Framing {
    Honest,
    CutShort,
    FalseZstd,
}

impl Reply {
    fn json(status: u16, body: &Value) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: serde_json::to_vec(body).unwrap(),
            framing: Framing::Honest,
        }
    }

    fn bytes(&self, head_request: bool) -> Vec<u8> {
        let length = match self.framing {
            Framing::CutShort => self.body.len() + 10,
            _ => self.body.len(),
        };
        let mut out = format!(
            "HTTP/1.1 {} Whatever\r\ncontent-type: application/json\r\ncontent-length: {length}\r\n\
             connection: close\r\n",
            self.status
        )
        .into_bytes();
        if let Framing::FalseZstd = self.framing {
            out.extend_from_slice(b"content-encoding: zstd\r\n");
        }
        for (name, value) in &self.headers {
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(value);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"\r\n");
        if !head_request {
            out.extend_from_slice(&self.body);
        }
        out
    }
}

struct FakeHeadOffice {
    base: String,
    replies: Arc<Mutex<HashMap<&'static str, Reply>>>,
    requests: Arc<Mutex<usize>>,
}

impl FakeHeadOffice {
    async fn start() -> FakeHeadOffice {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let replies: Arc<Mutex<HashMap<&'static str, Reply>>> = Arc::default();
        let requests: Arc<Mutex<usize>> = Arc::default();
        let (r, n) = (replies.clone(), requests.clone());
        tokio::spawn(async move {
            loop {
                let Ok((conn, _)) = listener.accept().await else { return };
                let (r, n) = (r.clone(), n.clone());
                tokio::spawn(async move { serve(conn, &r, &n).await });
            }
        });
        FakeHeadOffice { base, replies, requests }
    }

    fn script(&self, route: &'static str, reply: Reply) {
        self.replies.lock().unwrap().insert(route, reply);
    }

    fn client(&self) -> HeadOffice {
        let url = parse_base_url(&self.base, false).unwrap();
        HeadOffice::new(url, Some("device-token".into()), &TlsOptions::default()).unwrap()
    }

    fn requests(&self) -> usize {
        *self.requests.lock().unwrap()
    }
}

/// Reads one request (head and `Content-Length` body) and writes the scripted answer.
async fn serve(
    mut conn: tokio::net::TcpStream,
    replies: &Mutex<HashMap<&'static str, Reply>>,
    requests: &Mutex<usize>,
) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        match conn.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let length: usize = head
        .lines()
        .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(str::to_owned))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        match conn.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    *requests.lock().unwrap() += 1;
    let reply = {
        let replies = replies.lock().unwrap();
        replies.iter().find(|(route, _)| head.starts_with(**route)).map(|(_, r)| r.clone())
    };
    let reply = reply.unwrap_or_else(|| {
        Reply::json(404, &json!({"code": "not_found", "message": "nothing scripted"}))
    });
    let _ = conn.write_all(&reply.bytes(head.starts_with("HEAD "))).await;
    let _ = conn.shutdown().await;
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

// ---------------------------------------------------------------------------------------------
// Answers as they might come back
// ---------------------------------------------------------------------------------------------

/// A status head office (or something in front of it) might answer with.
fn status() -> impl Strategy<Value = u16> {
    prop_oneof![
        6 => Just(200u16),
        // Not 1xx, 204 or 304: those carry no body (or no final answer) by HTTP's own rules.
        4 => prop::sample::select(vec![
            201u16, 202, 400, 401, 403, 404, 409, 413, 418, 422, 429, 451, 500, 502, 503, 504, 599,
        ]),
    ]
}

/// Header text: a byte count, or something that is not one.
fn number_text() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        any::<u64>().prop_map(|n| n.to_string().into_bytes()),
        (0u64..10_000).prop_map(|n| n.to_string().into_bytes()),
        prop::sample::select(vec![
            &b"-1"[..],
            b"18446744073709551616",
            b"+5",
            b" 7 ",
            b"0x10",
            b"1e3",
            b"",
            b"\xd9\xa3",
            b"\xff\xfe",
        ])
        .prop_map(<[u8]>::to_vec),
    ]
}

fn framing() -> impl Strategy<Value = Framing> {
    prop_oneof![8 => Just(Framing::Honest), 1 => Just(Framing::CutShort), 1 => Just(Framing::FalseZstd)]
}

/// A reply built from a valid body: damaged or not, random bytes instead, odd headers.
fn reply(valid: Value) -> impl Strategy<Value = Reply> {
    let error = json!({"code": "invalid", "message": "refused"});
    let body = prop_oneof![
        3 => prop::collection::vec(damage(), 0..3).prop_map(move |d| damaged(&valid, &d)),
        1 => prop::collection::vec(damage(), 0..2).prop_map(move |d| damaged(&error, &d)),
        1 => prop::collection::vec(any::<u8>(), 0..512),
    ];
    let headers = prop::collection::vec(
        (
            prop::sample::select(vec!["upload-offset", "retry-after", "upload-length"]),
            number_text(),
        ),
        0..3,
    );
    (status(), headers, body, framing()).prop_map(|(status, headers, body, framing)| Reply {
        status,
        headers: headers.into_iter().map(|(n, v)| (n.to_owned(), v)).collect(),
        body,
        framing,
    })
}

/// For the steps of a round: the valid answer itself two times in three, so that later steps
/// are reached too.
fn mostly(valid: Value) -> impl Strategy<Value = Reply> {
    prop_oneof![2 => Just(Reply::json(200, &valid)), 1 => reply(valid)]
}

// ---------------------------------------------------------------------------------------------
// What a request may end in
// ---------------------------------------------------------------------------------------------

/// The request's outcome agrees with the reply: a decoded answer only from a 2xx whose body
/// is the answer; otherwise the typed error the status and body call for.
fn check_outcome<T: serde::de::DeserializeOwned + PartialEq + std::fmt::Debug>(
    reply: &Reply,
    outcome: &Result<T, ClientError>,
) -> Result<(), TestCaseError> {
    let honest = matches!(reply.framing, Framing::Honest);
    let success = (200..300).contains(&reply.status);
    match outcome {
        Ok(answer) => {
            prop_assert!(success && honest, "{} answered {answer:?}", reply.status);
            let expected: T = serde_json::from_slice(&reply.body).unwrap();
            prop_assert_eq!(answer, &expected);
        }
        Err(e) => {
            prop_assert!(!e.to_string().is_empty());
            if !honest {
                // The body broke off or cannot be unpacked: as if the connection failed.
                prop_assert!(
                    matches!(e, ClientError::Offline(_) | ClientError::Protocol(_)) || !success,
                    "{e:?}"
                );
            } else if success {
                prop_assert!(matches!(e, ClientError::Protocol(_)), "{} gave {e:?}", reply.status);
                prop_assert!(serde_json::from_slice::<T>(&reply.body).is_err());
            } else {
                match reply.status {
                    401 => prop_assert!(
                        matches!(e, ClientError::Unauthorized(_) | ClientError::Revoked(_)),
                        "{e:?}"
                    ),
                    429 => match e {
                        ClientError::RateLimited(d) => {
                            prop_assert!((1..=300).contains(&d.as_secs()), "{d:?}");
                        }
                        other => return Err(TestCaseError::fail(format!("429 gave {other:?}"))),
                    },
                    502..=504 => prop_assert!(
                        matches!(e, ClientError::Offline(_) | ClientError::Refused { .. }),
                        "{e:?}"
                    ),
                    s => match e {
                        ClientError::Refused { status, .. } => prop_assert_eq!(*status, s),
                        other => return Err(TestCaseError::fail(format!("{s} gave {other:?}"))),
                    },
                }
            }
            // Every error has a code from the one vocabulary.
            prop_assert!(!e.code().to_string().is_empty());
        }
    }
    Ok(())
}

/// Head office's clock as it writes it.
fn server_hlc() -> String {
    fieldwork_core::hlc::Hlc { wall_ms: 1_795_000_000_000, logical: 0, node: "head-office".into() }
        .to_string()
}

fn sha(n: u8) -> String {
    format!("{n:02x}").repeat(32)
}

fn valid_push_answer() -> Value {
    json!({
        "last_applied_seq": 3,
        "results": [
            {"seq": 1, "mutation_id": "m1", "outcome": "applied"},
            {"seq": 2, "mutation_id": "m2", "outcome": "rejected", "code": "not_recordable", "reason": "closed"},
            {"seq": 3, "mutation_id": "m3", "outcome": "conflict", "conflict_id": "c1", "reason": "overwritten"},
        ],
        "server_hlc": server_hlc(),
    })
}

fn valid_blob_status() -> Value {
    json!({"sha256": sha(1), "offset": 4096, "length": 10000, "complete": false})
}

#[test]
fn any_answer_to_a_push_a_pull_or_a_blob_request_decodes_or_is_a_typed_error() {
    let rt = runtime();
    let ho = rt.block_on(FakeHeadOffice::start());
    let client = ho.client();
    let page = pull_page(&seeded_template().jobs[0]);
    let cases = (
        prop_oneof![Just(PUSH), Just(PULL), Just(MISSING), Just(BLOB_PATCH)],
        reply(valid_push_answer()),
        reply(page),
        reply(json!({"missing": [sha(1), sha(2)]})),
        reply(valid_blob_status()),
    );
    TestRunner::new(ProptestConfig::default())
        .run(&cases, |(route, push, pull, missing, chunk)| {
            rt.block_on(async {
                match route {
                    PUSH => {
                        ho.script(PUSH, push.clone());
                        let req = fieldwork_sync::wire::PushRequest {
                            device_id: "d".into(),
                            entries: vec![],
                        };
                        check_outcome(&push, &client.push(&req).await)
                    }
                    PULL => {
                        ho.script(PULL, pull.clone());
                        check_outcome(&pull, &client.pull(0, 100).await)
                    }
                    MISSING => {
                        ho.script(MISSING, missing.clone());
                        let asked = client
                            .blobs_missing(&[sha(1), sha(2)])
                            .await
                            .map(|m| fieldwork_sync::wire::BlobsMissingResponse { missing: m });
                        check_outcome(&missing, &asked)
                    }
                    _ => {
                        ho.script(BLOB_PATCH, chunk.clone());
                        let sent = client.blob_chunk(&sha(1), 0, 10_000, vec![7; 100]).await;
                        if let Err(ClientError::Refused { status: 409, code, message }) = &sent
                            && *code == ErrorCode::OffsetMismatch
                        {
                            // Where to resume: the header's byte count when it is one.
                            let header =
                                chunk.headers.iter().rev().find(|(n, _)| n == "upload-offset");
                            if let Some(n) = header.and_then(|(_, v)| {
                                std::str::from_utf8(v).ok()?.trim().parse::<u64>().ok()
                            }) {
                                prop_assert_eq!(message, &n.to_string());
                            }
                        }
                        check_outcome::<BlobUploadStatus>(&chunk, &sent)
                    }
                }
            })
        })
        .unwrap();
}

#[test]
fn an_upload_offset_header_is_a_byte_count_or_a_protocol_error() {
    let rt = runtime();
    let ho = rt.block_on(FakeHeadOffice::start());
    let client = ho.client();
    let header = prop::option::of(number_text());
    TestRunner::new(ProptestConfig::default())
        .run(&(header, status()), |(offset, status)| {
            rt.block_on(async {
                let mut reply = Reply::json(status, &valid_blob_status());
                if let Some(o) = &offset {
                    reply.headers.push(("upload-offset".into(), o.clone()));
                }
                ho.script(BLOB_HEAD, reply);
                let answered = client.blob_offset(&sha(1)).await;
                // What the header says, where a proxy would let it through.
                let said = offset.as_ref().and_then(|o| {
                    reqwest::header::HeaderValue::from_bytes(o).ok()?;
                    std::str::from_utf8(o).ok()?.trim().parse::<u64>().ok()
                });
                match (&answered, (200..300).contains(&status)) {
                    (Ok(n), true) => prop_assert_eq!(Some(*n), said),
                    (Err(ClientError::Protocol(_)), true) => prop_assert!(said.is_none()),
                    (Err(_), false) => {}
                    (other, _) => {
                        return Err(TestCaseError::fail(format!("{status} gave {other:?}")));
                    }
                }
                Ok(())
            })
        })
        .unwrap();
}

// ---------------------------------------------------------------------------------------------
// Whole sync rounds: a failed round leaves the device's store as it was
// ---------------------------------------------------------------------------------------------

/// A data folder with demo jobs, signed in to a head office, with a note and a photo waiting
/// to go: made once, copied for every case.
struct Template {
    dir: TempDir,
    jobs: Vec<String>,
    photo_sha: String,
    pending: i64,
}

fn seeded_template() -> &'static Template {
    static TEMPLATE: std::sync::OnceLock<Template> = std::sync::OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let dir = TempDir::new();
        let mut store = Store::init(dir.path()).unwrap();
        let now = chrono::Utc::now();
        seed(&mut store, &SeedOptions { jobs: 12, seed: 17, today: now.date_naive(), now })
            .unwrap();
        let photo = std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../testdata/photos/camera/Canon_40D.jpg"),
        )
        .unwrap();
        // The first of the device's jobs that takes a note and a photo now.
        let jobs: Vec<String> =
            store.list_jobs(&JobFilter::All, None).unwrap().into_iter().map(|j| j.id).collect();
        let (job, p) = jobs
            .iter()
            .find_map(|job| {
                store.add_note(job, "Drain hose kinked behind the machine").ok()?;
                let p = store.import_photo(job, "hose.jpg", &photo, PhotoKind::Fault, None).ok()?;
                Some((job.clone(), p))
            })
            .expect("a job of the demo takes a note and a photo");
        let jobs = vec![job];
        let pending = store.pending_mutation_count().unwrap();
        drop(store);
        Template { dir, jobs, photo_sha: p.sha256, pending }
    })
}

/// A copy of the template's data folder, signed in to `base`.
fn device_folder(base: &str) -> TempDir {
    let t = seeded_template();
    let dir = TempDir::new();
    copy_dir(t.dir.path(), dir.path());
    let mut store = Store::open(dir.path()).unwrap();
    store
        .link_head_office(&HeadOfficeLink {
            url: base.to_owned(),
            device_id: store.device_id().to_owned(),
            token: "device-token".into(),
            user_name: "tech".into(),
            technician_id: store.actor().technician_id.clone().unwrap(),
            technician_name: store.actor().name.clone(),
            allow_insecure_http: false,
        })
        .unwrap();
    dir
}

/// A folder of its own under the system's temporary folder, deleted when dropped.
struct TempDir(std::path::PathBuf);

impl TempDir {
    fn new() -> TempDir {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!("fw-hostile-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// A valid page: the template's first job again, with a note, at cursor 50.
fn pull_page(job: &str) -> Value {
    json!({
        "cursor": 50,
        "has_more": false,
        "changes": [
            {"version": 49, "entity": "note", "note": {"id": "n-ho-1", "job_id": job,
             "author": "Dispatcher", "body": "Customer asks for a call first",
             "created_at": "2026-11-20T09:00:00Z"}},
            {"version": 50, "entity": "job_removed", "job_id": "not-on-this-device"},
        ],
        "server_hlc": server_hlc(),
    })
}

/// What a failed round must leave alone.
fn device_state(store: &Store, job: &str) -> Value {
    json!({
        "cursor": store.sync_state().unwrap().cursor,
        "pending": store.pending_mutation_count().unwrap(),
        "uploads": store.blob_transfers(Transfer::Up, 100).unwrap(),
        "jobs": store.job_count().unwrap(),
        "job": serde_json::to_value(store.job_detail(job).unwrap()).unwrap(),
    })
}

#[test]
fn a_sync_round_against_any_answers_ends_and_a_failed_one_changes_nothing_unconfirmed() {
    let t = seeded_template();
    let rt = runtime();
    let ho = rt.block_on(FakeHeadOffice::start());
    let pending_seqs: Vec<i64> = (1..=t.pending).collect();
    let push = json!({
        "last_applied_seq": t.pending,
        "results": pending_seqs.iter().map(|s| json!({"seq": s, "mutation_id": "m", "outcome": "applied"})).collect::<Vec<_>>(),
        "server_hlc": server_hlc(),
    });
    let blob = json!({"sha256": t.photo_sha, "offset": 0, "length": null, "complete": false});
    let cases = (
        mostly(push),
        mostly(json!({"missing": [t.photo_sha]})),
        prop_oneof![
            2 => (0u64..10_000).prop_map(|n| Some(n.to_string().into_bytes())),
            1 => prop::option::of(number_text()),
        ],
        mostly(blob),
        mostly(pull_page(&t.jobs[0])),
    );
    let config = ProptestConfig {
        cases: (ProptestConfig::default().cases / 4).max(1),
        ..ProptestConfig::default()
    };
    TestRunner::new(config)
        .run(&cases, |(push, missing, offset, chunk, pull)| {
            let dir = device_folder(&ho.base);
            let before = device_state(&Store::open(dir.path()).unwrap(), &t.jobs[0]);
            let mut head = Reply::json(200, &json!({}));
            if let Some(o) = &offset {
                head.headers.push(("upload-offset".into(), o.clone()));
            }
            for (route, reply) in [
                (PUSH, &push),
                (MISSING, &missing),
                (BLOB_HEAD, &head),
                (BLOB_PATCH, &chunk),
                (PULL, &pull),
            ] {
                ho.script(route, reply.clone());
            }
            let requests = ho.requests();
            let result = rt.block_on(async {
                let mut engine = Engine::open(dir.path(), &TlsOptions::default()).unwrap();
                tokio::time::timeout(Duration::from_secs(20), engine.sync_once()).await
            });
            let sent = ho.requests() - requests;
            let Ok(result) = result else {
                return Err(TestCaseError::fail(format!(
                    "the round did not end ({sent} requests)"
                )));
            };
            let after = device_state(&Store::open(dir.path()).unwrap(), &t.jobs[0]);
            let read = |r: &Reply| -> bool {
                matches!(r.framing, Framing::Honest) && (200..300).contains(&r.status)
            };
            let push_read =
                read(&push) && serde_json::from_slice::<PushResponse>(&push.body).is_ok();
            let pull_read =
                read(&pull) && serde_json::from_slice::<PullResponse>(&pull.body).is_ok();
            match &result {
                Ok(_) => {
                    prop_assert!(push_read && pull_read, "a round succeeded on {push:?} {pull:?}")
                }
                Err(e) => {
                    prop_assert!(!e.to_string().is_empty());
                    if let SyncError::Client(ClientError::Revoked(_)) = e {
                        return Ok(()); // The device wipes itself: its own test elsewhere.
                    }
                    if !push_read {
                        // Nothing confirmed: every entry and file still waits, nothing pulled.
                        prop_assert_eq!(&after, &before, "{:?}", e);
                    } else if !pull_read {
                        prop_assert_eq!(&after["cursor"], &before["cursor"], "{:?}", e);
                    }
                }
            }
            Ok(())
        })
        .unwrap();
}

/// Found by the round above: a head office (or a proxy before it) that answers every chunk of a
/// file with the same offset — `200` not complete, or `409 offset_mismatch` — had the round
/// send the same chunk for ever. The round now gives up on it with `protocol`, the file stays
/// queued, and the next round tries again.
#[test]
fn an_upload_that_head_office_never_moves_on_ends_the_round_with_the_file_still_queued() {
    let t = seeded_template();
    let rt = runtime();
    let ho = rt.block_on(FakeHeadOffice::start());
    let push = json!({
        "last_applied_seq": t.pending,
        "results": [],
        "server_hlc": server_hlc(),
    });
    let stuck = json!({"sha256": t.photo_sha, "offset": 0, "length": null, "complete": false});
    let mut conflict =
        Reply::json(409, &json!({"code": "offset_mismatch", "message": "start at 0"}));
    conflict.headers.push(("upload-offset".into(), b"0".to_vec()));
    let mut head = Reply::json(200, &json!({}));
    head.headers.push(("upload-offset".into(), b"0".to_vec()));
    for chunk_answer in [Reply::json(200, &stuck), conflict] {
        let dir = device_folder(&ho.base);
        ho.script(PUSH, Reply::json(200, &push));
        ho.script(MISSING, Reply::json(200, &json!({"missing": [t.photo_sha]})));
        ho.script(BLOB_HEAD, head.clone());
        ho.script(BLOB_PATCH, chunk_answer);
        ho.script(PULL, Reply::json(200, &pull_page(&t.jobs[0])));
        let requests = ho.requests();
        let result = rt.block_on(async {
            let mut engine = Engine::open(dir.path(), &TlsOptions::default()).unwrap();
            tokio::time::timeout(Duration::from_secs(20), engine.sync_once()).await
        });
        let sent = ho.requests() - requests;
        let err = result.expect("the round ends").expect_err("the upload cannot succeed");
        assert_eq!(err.code(), ErrorCode::Protocol, "{err}");
        assert!(sent < 20, "{sent} requests");
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(
            store.blob_transfers(Transfer::Up, 10).unwrap(),
            std::slice::from_ref(&t.photo_sha)
        );
        assert_eq!(store.pending_mutation_count().unwrap(), 0, "the push went through");
    }
}
