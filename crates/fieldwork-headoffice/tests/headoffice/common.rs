//! A real head office on 127.0.0.1:0 in a temporary data folder, and the clients the tests use:
//! a dispatcher with a cookie session and CSRF token, and devices with bearer tokens.
//!
//! The suite is head office's conformance suite: it runs once per storage backend. By default
//! on the embedded SQLite database; with `FIELDWORK_TEST_BACKEND=postgres` every server gets a
//! fresh database of its own in the PostgreSQL cluster `FIELDWORK_TEST_POSTGRES` names (started
//! by `scripts/with-postgres`; `make unit` runs both).

use std::time::Duration;

use chrono::{DateTime, Utc};
use fieldwork_domain::domain::{JobStatus, Note, Priority, Technician};
use fieldwork_domain::hlc::Hlc;
use fieldwork_domain::mutation::{Mutation, OutboxEntry};
use fieldwork_headoffice::AppState;
use fieldwork_headoffice::config::{Config, DatabaseLocation, PasswordCost, RateLimit};
use fieldwork_headoffice::secrets::hash_password;
use fieldwork_headoffice::store::{NewUser, UserRole};
use fieldwork_wire::wire::{
    DeviceSignedIn, ErrorBody, PullResponse, PushRequest, PushResponse, SessionInfo,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

pub struct TestServer {
    pub base: String,
    pub state: AppState,
    pub dir: tempfile::TempDir,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl TestServer {
    pub async fn start() -> TestServer {
        TestServer::start_with(|_| {}).await
    }

    /// On the embedded SQLite database whatever backend the suite runs on: for the tests that
    /// read or rewrite SQLite's own file (its schema upgrades, what lies in the file).
    pub async fn start_sqlite() -> TestServer {
        TestServer::start_with(|c| c.database = DatabaseLocation::DataDir).await
    }

    /// Starts with cheap password hashing and a generous rate limit, after `tune`.
    pub async fn start_with(tune: impl FnOnce(&mut Config)) -> TestServer {
        install_crypto_provider();
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config::new(dir.path());
        config.password_cost = PasswordCost::CHEAP;
        config.rate_limit = RateLimit { burst: 100_000, per_second: 100_000.0 };
        config.database = test_database().await;
        tune(&mut config);
        let state = fieldwork_headoffice::open(config).await.unwrap();
        fieldwork_headoffice::seed::catalogues(state.store.as_ref()).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let serving = state.clone();
        let task = tokio::spawn(async move {
            fieldwork_headoffice::serve(listener, serving, async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
        });
        TestServer {
            base: format!("http://{addr}"),
            state,
            dir,
            stop: Some(stop),
            task: Some(task),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Stops gracefully and waits for the server task.
    pub async fn stop(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.task.take() {
            tokio::time::timeout(Duration::from_secs(10), t).await.unwrap().unwrap();
        }
    }

    pub async fn add_user(&self, name: &str, role: UserRole, technician_id: Option<&str>) {
        let technician = technician_id.map(|id| Technician {
            id: id.to_owned(),
            name: format!("Technician {name}"),
            phone: None,
            email: None,
            skills: vec![],
            active: true,
        });
        self.state
            .store
            .add_user(NewUser {
                name: name.to_owned(),
                role,
                password_hash: hash_password(&password(name), PasswordCost::CHEAP).unwrap(),
                technician,
            })
            .await
            .unwrap();
    }
}

/// reqwest is built with `rustls-no-provider` (fieldwork-sync's client picks ring), so a client
/// cannot be made before a provider is installed; installing it twice is harmless.
/// The database a new test server uses: the data folder's SQLite file, or a new database in
/// the test PostgreSQL cluster when the suite runs against PostgreSQL.
pub async fn test_database() -> DatabaseLocation {
    match std::env::var("FIELDWORK_TEST_BACKEND").as_deref() {
        Err(_) | Ok("sqlite") => DatabaseLocation::DataDir,
        Ok("postgres") => {
            let server = std::env::var("FIELDWORK_TEST_POSTGRES").expect(
                "FIELDWORK_TEST_BACKEND=postgres needs FIELDWORK_TEST_POSTGRES: run the suite \
                 through scripts/with-postgres",
            );
            let url = tokio::task::spawn_blocking(move || fresh_postgres_database(&server))
                .await
                .unwrap();
            DatabaseLocation::Postgres { url }
        }
        Ok(other) => panic!("FIELDWORK_TEST_BACKEND={other}: expected sqlite or postgres"),
    }
}

/// Creates an empty database in the cluster `server` (a URL naming its `postgres` database).
fn fresh_postgres_database(server: &str) -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let name = format!("ho_{}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::SeqCst));
    let mut admin = postgres::Client::connect(server, postgres::NoTls).unwrap();
    admin.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
    let (cluster, _) = server.rsplit_once('/').unwrap();
    format!("{cluster}/{name}")
}

pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Every test user's password.
pub fn password(user: &str) -> String {
    format!("{user}-password")
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).build().unwrap()
}

/// A signed-in dispatcher.
pub struct DispatcherClient {
    pub http: reqwest::Client,
    pub csrf: String,
    pub base: String,
}

impl DispatcherClient {
    pub async fn sign_in(server: &TestServer, user: &str) -> DispatcherClient {
        let http = client();
        let resp = http
            .post(server.url("/api/v1/auth/session"))
            .json(&json!({"user": user, "password": password(user)}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "dispatcher sign-in");
        let info: SessionInfo = resp.json().await.unwrap();
        DispatcherClient { http, csrf: info.csrf_token, base: server.base.clone() }
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.http.request(method.clone(), format!("{}{path}", self.base));
        if method != Method::GET {
            req = req.header("x-csrf-token", &self.csrf);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    pub async fn get(&self, path: &str) -> Value {
        let (s, v) = self.call(Method::GET, path, None).await;
        assert_eq!(s, StatusCode::OK, "GET {path}: {v}");
        v
    }

    pub async fn post(&self, path: &str, body: Value) -> Value {
        let (s, v) = self.call(Method::POST, path, Some(body)).await;
        assert!(s.is_success(), "POST {path}: {s} {v}");
        v
    }

    pub async fn patch(&self, path: &str, body: Value) -> Value {
        let (s, v) = self.call(Method::PATCH, path, Some(body)).await;
        assert!(s.is_success(), "PATCH {path}: {s} {v}");
        v
    }

    /// A customer with a site, and a new job there.
    pub async fn new_job(&self) -> Value {
        let customer = self
            .post("/api/v1/customers", json!({"name": "Chen Jing", "phone": "13800138000"}))
            .await;
        let site = self
            .post(
                "/api/v1/sites",
                json!({"customer_id": customer["id"], "address": "88 Nanjing Road", "city": "Shanghai"}),
            )
            .await;
        self.post(
            "/api/v1/jobs",
            json!({"job_type": "repair", "priority": Priority::Normal, "customer_id": customer["id"],
                   "site_id": site["id"], "reported_problem": "Air conditioner drips water"}),
        )
        .await
    }

    /// A new job scheduled for `technician_id` today.
    pub async fn job_for(&self, technician_id: &str) -> String {
        let job = self.new_job().await;
        let id = job["id"].as_str().unwrap().to_owned();
        self.schedule(&id, technician_id).await;
        id
    }

    pub async fn schedule(&self, job_id: &str, technician_id: &str) -> Value {
        let start = Utc::now() + chrono::Duration::hours(1);
        self.post(
            &format!("/api/v1/jobs/{job_id}/schedule"),
            // Jobs booked by this helper may share the technician's time (the overlap
            // check has its own tests in scheduling.rs).
            json!({"assignee_id": technician_id, "appointment_start": start,
                   "appointment_end": start + chrono::Duration::hours(2), "allow_overlap": true}),
        )
        .await
    }

    pub async fn job(&self, job_id: &str) -> Value {
        self.get(&format!("/api/v1/jobs/{job_id}")).await
    }
}

/// A signed-in device, numbering its own mutations like the core's outbox.
pub struct Device {
    pub http: reqwest::Client,
    pub base: String,
    pub token: String,
    pub device_id: String,
    pub technician_id: String,
    pub technician_name: String,
    next_seq: i64,
    clock: Hlc,
}

impl Device {
    pub async fn sign_in(server: &TestServer, user: &str) -> Device {
        let http = reqwest::Client::new();
        let resp = http
            .post(server.url("/api/v1/auth/device"))
            .json(&json!({"user": user, "password": password(user), "device_name": format!("{user}'s laptop")}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "device sign-in");
        let d: DeviceSignedIn = resp.json().await.unwrap();
        Device {
            http,
            base: server.base.clone(),
            token: d.token,
            clock: Hlc::zero(&d.device_id).receive(&d.server_hlc, Utc::now().timestamp_millis()),
            device_id: d.device_id,
            technician_id: d.technician_id,
            technician_name: d.technician_name,
            next_seq: 1,
        }
    }

    /// An outbox entry for `m`, stamped by this device's clock read as `now_ms`.
    pub fn entry_at(&mut self, m: Mutation, now_ms: i64) -> OutboxEntry {
        self.clock = self.clock.tick(now_ms);
        let e = OutboxEntry {
            seq: self.next_seq,
            mutation_id: fieldwork_domain::ids::new_id(),
            device_id: self.device_id.clone(),
            hlc: self.clock.clone(),
            mutation: m,
            created_at: Utc::now(),
        };
        self.next_seq += 1;
        e
    }

    pub fn entry(&mut self, m: Mutation) -> OutboxEntry {
        self.entry_at(m, Utc::now().timestamp_millis())
    }

    pub async fn push_raw(&self, body: &Value) -> (StatusCode, Value) {
        self.push_bytes(serde_json::to_vec(body).unwrap(), None).await
    }

    /// A push whose JSON is sent zstd-compressed (`Content-Encoding: zstd`), as the client does.
    pub async fn push_zstd(&self, body: &Value) -> (StatusCode, Value) {
        let packed = zstd::bulk::compress(&serde_json::to_vec(body).unwrap(), 0).unwrap();
        self.push_bytes(packed, Some("zstd")).await
    }

    async fn push_bytes(&self, body: Vec<u8>, encoding: Option<&str>) -> (StatusCode, Value) {
        let mut req = self
            .http
            .post(format!("{}/api/v1/sync/push", self.base))
            .bearer_auth(&self.token)
            .header("content-type", "application/json");
        if let Some(encoding) = encoding {
            req = req.header("content-encoding", encoding);
        }
        let resp = req.body(body).send().await.unwrap();
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    pub async fn push(&mut self, entries: &[OutboxEntry]) -> PushResponse {
        let req = PushRequest::from_outbox(&self.device_id, entries).unwrap();
        let (status, v) = self.push_raw(&serde_json::to_value(&req).unwrap()).await;
        assert_eq!(status, StatusCode::OK, "push: {v}");
        let resp: PushResponse = serde_json::from_value(v).unwrap();
        self.clock = self.clock.receive(&resp.server_hlc, Utc::now().timestamp_millis());
        resp
    }

    pub async fn pull_page(&self, cursor: i64, limit: usize) -> (StatusCode, Value) {
        let resp = self
            .http
            .get(format!("{}/api/v1/sync/pull?cursor={cursor}&limit={limit}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    pub async fn pull(&self, cursor: i64, limit: usize) -> PullResponse {
        let (status, v) = self.pull_page(cursor, limit).await;
        assert_eq!(status, StatusCode::OK, "pull: {v}");
        serde_json::from_value(v).unwrap()
    }

    /// Pulls until `has_more` is false, returning every page.
    pub async fn pull_all(&self, from: i64, limit: usize) -> Vec<PullResponse> {
        let mut pages = Vec::new();
        let mut cursor = from;
        loop {
            let page = self.pull(cursor, limit).await;
            assert!(page.cursor >= cursor, "cursor went back from {cursor} to {}", page.cursor);
            cursor = page.cursor;
            let more = page.has_more;
            pages.push(page);
            if !more {
                return pages;
            }
        }
    }

    pub fn note(&self, job_id: &str, body: &str) -> Mutation {
        Mutation::NoteAdded {
            note: Note {
                id: fieldwork_domain::ids::new_id(),
                job_id: job_id.to_owned(),
                author: self.technician_name.clone(),
                body: body.to_owned(),
                created_at: Utc::now(),
            },
        }
    }

    pub fn status(
        &self,
        job_id: &str,
        from: JobStatus,
        to: JobStatus,
        reason: Option<&str>,
    ) -> Mutation {
        Mutation::StatusChanged {
            job_id: job_id.to_owned(),
            change_id: fieldwork_domain::ids::new_id(),
            from,
            to,
            reason: reason.map(str::to_owned),
            at: Utc::now(),
        }
    }
}

/// The error code of an error response body.
/// A device's status change of `job` at the time `at` it claims.
pub fn status_at(job: &str, from: JobStatus, to: JobStatus, at: DateTime<Utc>) -> Mutation {
    Mutation::StatusChanged {
        job_id: job.to_owned(),
        change_id: fieldwork_domain::ids::new_id(),
        from,
        to,
        reason: None,
        at,
    }
}

pub fn code(v: &Value) -> String {
    serde_json::from_value::<ErrorBody>(v.clone())
        .map(|e| e.code.to_string())
        .unwrap_or_else(|_| format!("not an error body: {v}"))
}

pub fn outcome(resp: &PushResponse, i: usize) -> Value {
    serde_json::to_value(&resp.results[i]).unwrap()
}

pub fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

/// A head office with a dispatcher (`disp`), technicians A (`alice`, id `tech-a`) and B (`bob`,
/// id `tech-b`), and one scheduled job each.
pub struct World {
    pub server: TestServer,
    pub dispatcher: DispatcherClient,
    pub a: Device,
    pub b: Device,
    pub job_a: String,
    pub job_b: String,
}

impl World {
    pub async fn new() -> World {
        World::with(TestServer::start().await).await
    }

    pub async fn with(server: TestServer) -> World {
        server.add_user("disp", UserRole::Dispatcher, None).await;
        server.add_user("alice", UserRole::Technician, Some("tech-a")).await;
        server.add_user("bob", UserRole::Technician, Some("tech-b")).await;
        let dispatcher = DispatcherClient::sign_in(&server, "disp").await;
        let job_a = dispatcher.job_for("tech-a").await;
        let job_b = dispatcher.job_for("tech-b").await;
        let a = Device::sign_in(&server, "alice").await;
        let b = Device::sign_in(&server, "bob").await;
        World { server, dispatcher, a, b, job_a, job_b }
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// Bytes that look like a JPEG (the server sniffs the first bytes for downloads).
pub fn fake_jpeg(seed: u8, len: usize) -> Vec<u8> {
    let mut v = vec![0xFF, 0xD8, 0xFF, 0xE0];
    v.extend((0..len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)));
    v
}

impl Device {
    pub fn photo(&self, job_id: &str, jpeg: &[u8], thumb: &[u8]) -> Mutation {
        Mutation::PhotoAdded {
            photo: fieldwork_domain::domain::PhotoRef {
                id: fieldwork_domain::ids::new_id(),
                job_id: job_id.to_owned(),
                kind: fieldwork_domain::domain::PhotoKind::Fault,
                caption: Some("water on the floor".into()),
                sha256: sha256_hex(jpeg),
                thumb_sha256: sha256_hex(thumb),
                width: 640,
                height: 480,
                bytes: jpeg.len() as i64,
                taken_at: None,
                created_at: Utc::now(),
            },
        }
    }

    /// One chunk of a blob upload.
    pub async fn upload_chunk(
        &self,
        sha: &str,
        offset: u64,
        total: u64,
        bytes: Vec<u8>,
    ) -> (StatusCode, Value) {
        let request = self
            .http
            .patch(format!("{}/api/v1/blobs/{sha}", self.base))
            .bearer_auth(&self.token)
            .header("upload-offset", offset.to_string())
            .header("upload-length", total.to_string())
            .header("content-type", "application/offset+octet-stream")
            .body(bytes);
        // A chunk over the body limit is answered (413) before it is read, and the server then
        // closes a connection with unread bytes in it: on a busy machine the reset can overtake
        // the answer. Like a device, try again (at most a few times) to read the answer.
        let mut attempt = 0;
        let resp = loop {
            attempt += 1;
            match request.try_clone().unwrap().send().await {
                Ok(resp) => break resp,
                Err(e) if attempt < 5 => eprintln!("chunk upload attempt {attempt}: {e}"),
                Err(e) => panic!("chunk upload failed {attempt} times: {e}"),
            }
        };
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    /// Uploads a whole blob in one chunk.
    pub async fn upload(&self, bytes: &[u8]) -> String {
        let sha = sha256_hex(bytes);
        let (s, v) = self.upload_chunk(&sha, 0, bytes.len() as u64, bytes.to_vec()).await;
        assert_eq!(s, StatusCode::OK, "upload: {v}");
        assert_eq!(v["complete"], true);
        sha
    }

    /// A job's photo with both blobs uploaded; returns (photo id, jpeg sha).
    pub async fn add_photo(&mut self, job_id: &str, seed: u8) -> (String, String) {
        let jpeg = fake_jpeg(seed, 3000);
        let thumb = fake_jpeg(seed.wrapping_add(100), 300);
        let m = self.photo(job_id, &jpeg, &thumb);
        let Mutation::PhotoAdded { photo } = &m else { unreachable!() };
        let id = photo.id.clone();
        let e = self.entry(m);
        let r = self.push(&[e]).await;
        assert_eq!(outcome(&r, 0)["outcome"], "applied", "{:?}", r.results);
        let sha = self.upload(&jpeg).await;
        self.upload(&thumb).await;
        (id, sha)
    }
}

/// Answers every item of the checklist `job` asks on the device's `store` (its type's items for
/// its equipment) with a satisfying value, as a technician working through it does.
pub fn answer_the_checklist(store: &mut fieldwork_core::Store, job: &str) {
    use fieldwork_domain::domain::ChecklistItemKind;
    let detail = store.job_detail(job).unwrap();
    for asked in &detail.checklist {
        let item = detail.job_type.checklist.iter().find(|i| i.key == asked.item_key).unwrap();
        let raw = match item.kind {
            ChecklistItemKind::Checkbox => "yes".to_owned(),
            ChecklistItemKind::Number => "230".to_owned(),
            ChecklistItemKind::Choice => item.options.first().cloned().unwrap_or_default(),
            ChecklistItemKind::Text => "checked".to_owned(),
        };
        store.answer_checklist(job, &item.key, &raw).unwrap();
    }
}

/// A PNG with a stroke of ink, as a signature pad sends it.
pub fn signature_png() -> Vec<u8> {
    let img = image::RgbaImage::from_fn(300, 100, |x, y| {
        if (y as i32 - 50).abs() < 3 && x > 20 && x < 280 {
            image::Rgba([10, 10, 80, 255])
        } else {
            image::Rgba([255, 255, 255, 0])
        }
    });
    let mut out = Vec::new();
    image::DynamicImage::ImageRgba8(img)
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

/// Works `job` on the laptop up to the customer's signature (in progress, a part, a checklist
/// answer, the resolution), signed.
pub fn work_and_sign(store: &mut fieldwork_core::Store, job: &str) {
    for to in [JobStatus::EnRoute, JobStatus::OnSite, JobStatus::InProgress] {
        store.change_status(job, to, None).unwrap();
    }
    store
        .add_part(
            job,
            fieldwork_core::store::NewPart {
                part_no: "DRAIN-HOSE-2M".into(),
                quantity: 1.0,
                description: Some("Drain hose 2 m".into()),
                unit_price_cents: Some(4_500),
                chargeable: Some(true),
            },
        )
        .unwrap();
    // Every checklist answer the job type asks for (one of each kind the catalogue has).
    answer_the_checklist(store, job);
    store
        .set_job_field(
            job,
            fieldwork_domain::mutation::JobField::Resolution,
            Some("Replaced the drain hose"),
        )
        .unwrap();
    store
        .add_signature(
            job,
            fieldwork_core::store::NewSignature {
                signer_name: "Chen Jing".into(),
                statement: Some("The work was done to my satisfaction".into()),
                png: signature_png(),
                strokes_json: None,
            },
        )
        .unwrap();
}
