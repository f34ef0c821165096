//! The parts of a sync scenario, all real: a `fieldwork-headoffice` process in a temporary data
//! folder on a free loopback port, technicians' devices as `fieldwork` CLI data folders, a
//! dispatcher speaking the dispatcher API with a cookie session, and a TCP proxy that breaks
//! connections on purpose ([`proxy`]).
//!
//! The binaries are the workspace's debug builds next to the test executable
//! (`target/debug/fieldwork`, `target/debug/fieldwork-headoffice`); `make build` builds them
//! first.
#![allow(clippy::unwrap_used, clippy::print_stdout, missing_debug_implementations)]

pub mod cluster;
pub mod fleet;
pub mod proxy;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// A workspace binary (built by `cargo build -p fieldwork-cli -p fieldwork-headoffice`).
pub fn bin(name: &str) -> PathBuf {
    // target/debug/deps/<test> → target/debug/<name>
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().and_then(Path::parent).unwrap();
    let path = dir.join(name);
    assert!(
        path.is_file(),
        "{} is missing: run `cargo build -p fieldwork-cli -p fieldwork-headoffice` first",
        path.display()
    );
    path
}

/// An HTTP client for the tests. reqwest is built without a default TLS crypto provider in this
/// workspace (head office and the device use ring); install it before the first client.
pub fn blocking_client(cookies: bool) -> reqwest::blocking::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::blocking::Client::builder().cookie_store(cookies).build().unwrap()
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

/// A temporary folder on `/dev/shm` when there is one (where the store's fsync per commit costs
/// nothing), elsewhere in the usual place. For the tests that write tens of thousands of
/// changes: a killed process loses nothing the kernel already had, on tmpfs or on disk, so the
/// kill tests mean the same there.
pub fn memory_tempdir() -> tempfile::TempDir {
    let shm = Path::new("/dev/shm");
    if shm.is_dir()
        && let Ok(dir) = tempfile::tempdir_in(shm)
    {
        return dir;
    }
    tempfile::tempdir().unwrap()
}

/// A head-office process.
pub struct HeadOffice {
    pub dir: tempfile::TempDir,
    pub port: u16,
    child: Option<Child>,
}

impl HeadOffice {
    /// Seeds the demo (users, catalogues, `jobs` jobs) and starts serving.
    pub fn start(jobs: usize) -> HeadOffice {
        Self::start_in(tempfile::tempdir().unwrap(), jobs)
    }

    /// Like [`HeadOffice::start`], with the data folder in memory (see [`memory_tempdir`]).
    pub fn start_in_memory(jobs: usize) -> HeadOffice {
        Self::start_in(memory_tempdir(), jobs)
    }

    fn start_in(dir: tempfile::TempDir, jobs: usize) -> HeadOffice {
        let mut ho = HeadOffice { dir, port: free_port(), child: None };
        let out = ho.cli(&["seed", "--demo", "--jobs", &jobs.to_string()]);
        assert!(out.status.success(), "seed failed: {}", text(&out.stderr));
        ho.spawn();
        ho
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Runs the head-office command line on the same data folder.
    pub fn cli(&self, args: &[&str]) -> Output {
        Command::new(bin("fieldwork-headoffice"))
            .arg("--data-dir")
            .arg(self.dir.path())
            .args(args)
            .env("RUST_LOG", "warn")
            .output()
            .unwrap()
    }

    /// Starts serving (again) on the same port and waits until it answers.
    pub fn spawn(&mut self) {
        self.spawn_with(&[]);
    }

    /// Starts serving (again) on the same port with extra `serve` options and waits until it
    /// answers.
    pub fn spawn_with(&mut self, options: &[&str]) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.path().join("serve.log"))
            .unwrap();
        let child = Command::new(bin("fieldwork-headoffice"))
            .arg("--data-dir")
            .arg(self.dir.path())
            .args(["serve", "--listen", &format!("127.0.0.1:{}", self.port)])
            .args(options)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        let http = blocking_client(false);
        while Instant::now() < deadline {
            if http
                .get(format!("{}/healthz", self.url()))
                .timeout(Duration::from_secs(1))
                .send()
                .is_ok_and(|r| r.status().is_success())
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("head office did not start; log:\n{}", self.log());
    }

    /// The serving process's id (to read its memory).
    pub fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, Child::id)
    }

    /// SIGKILL: no graceful anything.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("serve.log")).unwrap_or_default()
    }

    /// Revokes a device by id with the admin command line.
    pub fn revoke(&self, device_id: &str) {
        let out = self.cli(&["device", "revoke", device_id]);
        assert!(out.status.success(), "revoke failed: {}", text(&out.stderr));
    }
}

impl Drop for HeadOffice {
    fn drop(&mut self) {
        self.kill();
    }
}

/// What a `fieldwork` command printed and how it ended.
#[derive(Debug)]
pub struct Run {
    pub ok: bool,
    pub json: Value,
    pub stderr: String,
}

/// A technician's device: a `fieldwork` data folder signed in to head office.
pub struct Device {
    pub dir: tempfile::TempDir,
    pub device_id: String,
    pub technician_id: String,
    /// Run every command under `faketime` with this date (a lying clock).
    pub faketime: Option<String>,
}

impl Device {
    /// Signs a new device in as `user` (password `<user>-demo`) at `url`.
    pub fn sign_in(url: &str, user: &str) -> Device {
        Self::sign_in_at(tempfile::tempdir().unwrap(), url, user)
    }

    /// Like [`Device::sign_in`], with the data folder in memory (see [`memory_tempdir`]).
    pub fn sign_in_in_memory(url: &str, user: &str) -> Device {
        Self::sign_in_at(memory_tempdir(), url, user)
    }

    fn sign_in_at(dir: tempfile::TempDir, url: &str, user: &str) -> Device {
        let mut d =
            Device { dir, device_id: String::new(), technician_id: String::new(), faketime: None };
        let r = d.run_stdin(
            &["login", url, "--user", user, "--password-stdin", "--device-name", user],
            &format!("{user}-demo\n"),
        );
        assert!(r.ok, "login failed: {}", r.stderr);
        d.device_id = r.json["device_id"].as_str().unwrap().to_owned();
        d.technician_id = r.json["technician_id"].as_str().unwrap().to_owned();
        d
    }

    /// The command `fieldwork --json --data-dir <dir> args…` (for tests that kill it).
    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = match &self.faketime {
            Some(when) => {
                // An absolute date, or an offset from now ("+36h") with -f.
                let mut c = Command::new("faketime");
                if when.starts_with(['+', '-']) {
                    c.arg("-f");
                }
                c.arg(when).arg(bin("fieldwork"));
                c
            }
            None => Command::new(bin("fieldwork")),
        };
        c.arg("--json").arg("--data-dir").arg(self.dir.path()).args(args).env("RUST_LOG", "off");
        c
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.run_stdin(args, "")
    }

    fn run_stdin(&self, args: &[&str], stdin: &str) -> Run {
        use std::io::Write;
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        let stdout = text(&out.stdout);
        Run {
            ok: out.status.success(),
            json: serde_json::from_str(&stdout).unwrap_or(Value::String(stdout)),
            stderr: text(&out.stderr),
        }
    }

    /// Runs a command that must succeed and returns its JSON.
    pub fn ok(&self, args: &[&str]) -> Value {
        let r = self.run(args);
        assert!(r.ok, "fieldwork {args:?} failed: {}", r.stderr);
        r.json
    }

    /// One full sync; `Err` carries the error output.
    pub fn sync(&self) -> Result<Value, String> {
        let r = self.run(&["sync"]);
        if r.ok { Ok(r.json) } else { Err(r.stderr) }
    }

    /// Syncs until a round succeeds (a fault may fail the first ones).
    pub fn sync_ok(&self) -> Value {
        let mut last = String::new();
        for _ in 0..5 {
            match self.sync() {
                Ok(v) => return v,
                Err(e) => last = e,
            }
        }
        panic!("sync kept failing: {last}");
    }

    pub fn status(&self) -> Value {
        self.ok(&["status", "--issues"])
    }

    pub fn job(&self, job: &str) -> Value {
        self.ok(&["job", "show", job])
    }

    /// The pull cursor as stored.
    pub fn cursor(&self) -> i64 {
        let conn = rusqlite::Connection::open(self.dir.path().join("fieldwork.db")).unwrap();
        conn.query_row("SELECT value FROM meta WHERE key = 'sync_cursor'", [], |r| {
            r.get::<_, String>(0)
        })
        .map(|s| s.parse().unwrap())
        .unwrap_or(0)
    }

    /// Moves a job from scheduled to in progress (the statuses that take work details).
    pub fn start_work(&self, job: &str) {
        for to in ["en_route", "on_site", "in_progress"] {
            self.ok(&["job", "status", job, to]);
        }
    }

    /// Records everything completion needs (answers, a photo of each kind the job type requires,
    /// resolution, a reason for no signature) and completes the job.
    pub fn complete(&self, job: &str) {
        let detail = self.job(job);
        let photo = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../testdata/photos/camera/Canon_40D.jpg");
        for kind in detail["job_type"]["required_photo_kinds"].as_array().unwrap() {
            let kind = kind.as_str().unwrap();
            self.ok(&["photo", "add", job, photo.to_str().unwrap(), "--kind", kind]);
        }
        // The items this job asks (its type's, for its equipment), the required ones.
        let template = detail["job_type"]["checklist"].as_array().unwrap();
        for asked in detail["checklist"].as_array().unwrap() {
            if !asked["required"].as_bool().unwrap_or(false) {
                continue;
            }
            let key = asked["item_key"].as_str().unwrap();
            let item = template.iter().find(|i| i["key"] == key).unwrap();
            let value = match item["kind"].as_str().unwrap() {
                "checkbox" => String::from("yes"),
                "number" => String::from("1"),
                "choice" => item["options"][0].as_str().unwrap_or("ok").to_owned(),
                _ => String::from("ok"),
            };
            self.ok(&["job", "checklist", job, key, &value]);
        }
        self.ok(&["job", "resolution", job, "Replaced the faulty part; tested for 10 minutes"]);
        self.ok(&["job", "no-signature", job, "Customer not at home"]);
        self.ok(&["job", "status", job, "completed"]);
    }
}

/// A dispatcher at head office: a cookie session and its CSRF token.
pub struct Dispatcher {
    http: reqwest::blocking::Client,
    base: String,
    csrf: String,
}

impl Dispatcher {
    pub fn sign_in(url: &str) -> Dispatcher {
        Self::sign_in_as(url, "dispatcher", "dispatcher-demo")
    }

    /// A console session of another office user (an admin, for the admin routes).
    pub fn sign_in_as(url: &str, user: &str, password: &str) -> Dispatcher {
        let http = blocking_client(true);
        let resp = http
            .post(format!("{url}/api/v1/auth/session"))
            .json(&json!({"user": user, "password": password}))
            .send()
            .unwrap();
        assert!(resp.status().is_success(), "{user} sign-in: {}", resp.status());
        let info: Value = resp.json().unwrap();
        Dispatcher {
            http,
            base: url.to_owned(),
            csrf: info["csrf_token"].as_str().unwrap().to_owned(),
        }
    }

    pub fn try_send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self
            .http
            .request(method, format!("{}/api/v1{path}", self.base))
            .header("x-csrf-token", &self.csrf);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().unwrap_or(Value::Null))
    }

    fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let (status, v) = self.try_send(method.clone(), path, body);
        assert!((200..300).contains(&status), "{method} {path}: {status} {v}");
        v
    }

    pub fn get(&self, path: &str) -> Value {
        self.send(reqwest::Method::GET, path, None)
    }

    pub fn post(&self, path: &str, body: Value) -> Value {
        self.send(reqwest::Method::POST, path, Some(body))
    }

    pub fn patch(&self, path: &str, body: Value) -> Value {
        self.send(reqwest::Method::PATCH, path, Some(body))
    }

    /// Everything head office holds on a job.
    pub fn job(&self, id: &str) -> Value {
        self.get(&format!("/jobs/{id}"))
    }

    /// A new repair job for the first customer at their first site.
    pub fn create_job(&self, problem: &str) -> Value {
        let customer = self.get("/customers?limit=1")[0].clone();
        let cid = customer["id"].as_str().unwrap();
        let site = self.get(&format!("/customers/{cid}/sites"))[0].clone();
        self.post(
            "/jobs",
            json!({
                "job_type": "repair",
                "priority": "normal",
                "customer_id": cid,
                "site_id": site["id"],
                "equipment_id": null,
                "reported_problem": problem,
            }),
        )
    }

    /// Assigns a job to a technician for two hours starting an hour from now.
    pub fn assign(&self, job_id: &str, technician_id: &str) -> Value {
        let start = chrono::Utc::now() + chrono::Duration::hours(1);
        let end = start + chrono::Duration::hours(2);
        self.post(
            &format!("/jobs/{job_id}/schedule"),
            // A technician's jobs here may share the same hours: booked as confirmed.
            json!({"assignee_id": technician_id, "appointment_start": start, "appointment_end": end,
                   "allow_overlap": true}),
        )
    }

    /// A new job assigned to `technician_id`; returns its id.
    pub fn new_job_for(&self, technician_id: &str, problem: &str) -> String {
        let job = self.create_job(problem);
        let id = job["id"].as_str().or(job["work_order"]["id"].as_str()).unwrap().to_owned();
        self.assign(&id, technician_id);
        id
    }

    /// The SHA-256 of a photo's full-size file as head office serves it.
    pub fn photo_sha(&self, job_id: &str, photo_id: &str) -> String {
        let resp = self
            .http
            .get(format!("{}/api/v1/jobs/{job_id}/photos/{photo_id}", self.base))
            .send()
            .unwrap();
        assert!(resp.status().is_success(), "photo {photo_id}: {}", resp.status());
        sha256_hex(&resp.bytes().unwrap())
    }
}

/// A real camera photo from the shared test data.
pub fn photo(name: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/photos/camera");
    let path = root.join(name);
    assert!(path.is_file(), "{} is missing", path.display());
    path
}

/// Writes a photo-sized JPEG (`width` × `height`) into `dir` and returns its path: a gradient
/// under fine grain, which no encoder can squeeze much, so the device's stored copy stays a few
/// megabytes — large enough to be cut many times on its way up. `seed` makes each one unique.
pub fn big_photo(dir: &Path, seed: u64, width: u16, height: u16) -> PathBuf {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut pixels = Vec::with_capacity(usize::from(width) * usize::from(height) * 3);
    for y in 0..u32::from(height) {
        for x in 0..u32::from(width) {
            // xorshift64: cheap grain, different for every pixel and every seed.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let grain = (state & 0x7f) as u32;
            let r = (x * 160 / u32::from(width) + grain) as u8;
            let g = (y * 160 / u32::from(height) + ((state >> 8) & 0x7f) as u32) as u8;
            let b = ((x + y) % 96 + ((state >> 16) & 0x7f) as u32) as u8;
            pixels.extend_from_slice(&[r, g, b]);
        }
    }
    let path = dir.join(format!("big-{seed}.jpg"));
    jpeg_encoder::Encoder::new_file(&path, 92)
        .unwrap()
        .encode(&pixels, width, height, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    path
}

/// Head office's database, opened read-only beside the running server (to count what it
/// applied; head office writes in WAL mode, so reading never blocks it).
pub fn ho_db(ho: &HeadOffice) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open_with_flags(
        ho.dir.path().join("headoffice.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    conn.busy_timeout(Duration::from_secs(10)).unwrap();
    conn
}

impl Device {
    /// The device's own database (read it only while no `fieldwork` command runs on it).
    pub fn db(&self) -> rusqlite::Connection {
        let conn = rusqlite::Connection::open(self.dir.path().join("fieldwork.db")).unwrap();
        conn.busy_timeout(Duration::from_secs(10)).unwrap();
        conn
    }

    /// The local media file of a content hash.
    pub fn media_file(&self, sha256: &str) -> PathBuf {
        self.dir.path().join("media").join(&sha256[..2]).join(sha256)
    }

    /// Media files queued for upload.
    pub fn queued_uploads(&self) -> Vec<String> {
        let conn = self.db();
        let mut stmt =
            conn.prepare("SELECT sha256 FROM blob_transfers WHERE direction = 'up'").unwrap();
        stmt.query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap()
    }
}

/// Waits (polling every millisecond) until `moved` says so or the child exits; `true` when it
/// moved first (the kill tests use it to catch a process mid-work).
pub fn wait_for(
    child: &mut std::process::Child,
    within: Duration,
    mut moved: impl FnMut() -> bool,
) -> bool {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if moved() {
            return true;
        }
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    false
}
