//! `fieldwork status --json` and `fieldwork sync --watch` against a real head office: the
//! `fieldwork-headoffice` binary of the same build (target/debug, next to `fieldwork`; `cargo
//! build -p fieldwork-cli -p fieldwork-headoffice` makes both) with its demo data, on 127.0.0.1
//! port 0 (the port is read from its log). The dispatcher's side is spoken in plain HTTP/1.1
//! over a TCP socket, so these tests need no HTTP client library.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tempfile::TempDir;

const FIELDWORK: &str = env!("CARGO_BIN_EXE_fieldwork");

/// The head-office program of the same build.
fn headoffice_bin() -> PathBuf {
    let path = Path::new(FIELDWORK).with_file_name("fieldwork-headoffice");
    assert!(
        path.is_file(),
        "{} is missing: run `cargo build -p fieldwork-cli -p fieldwork-headoffice` first",
        path.display()
    );
    path
}

/// Polls `check` every 100 ms until it gives a value or `limit` passes.
#[track_caller]
fn eventually<T>(what: &str, limit: Duration, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(v) = check() {
            return v;
        }
        assert!(Instant::now() < deadline, "not within {limit:?}: {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A head office seeded with the demo (tech1 / tech1-demo, dispatcher / dispatcher-demo),
/// serving on a port of the system's choosing.
struct HeadOffice {
    _dir: TempDir,
    child: Child,
    log: Arc<Mutex<String>>,
    port: u16,
}

impl HeadOffice {
    fn start() -> HeadOffice {
        let dir = tempfile::tempdir().expect("temp dir");
        let seeded = Command::new(headoffice_bin())
            .arg("--data-dir")
            .arg(dir.path())
            .args(["seed", "--demo", "--jobs", "9"])
            .env("RUST_LOG", "warn")
            .output()
            .expect("seed");
        assert!(seeded.status.success(), "seed: {}", String::from_utf8_lossy(&seeded.stderr));
        let (child, log, port) = Self::serve(dir.path(), 0);
        HeadOffice { _dir: dir, child, log, port }
    }

    /// Serves the data in `dir` on `port` (0: one the system picks); returns the process, its
    /// log and the port it listens on.
    fn serve(dir: &Path, port: u16) -> (Child, Arc<Mutex<String>>, u16) {
        let listen = format!("127.0.0.1:{port}");
        let mut child = Command::new(headoffice_bin())
            .arg("--data-dir")
            .arg(dir)
            .args(["serve", "--listen", &listen, "--ui-dir", "no-console"])
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start head office");
        let log = Arc::new(Mutex::new(String::new()));
        let stderr = child.stderr.take().expect("piped");
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let mut l = sink.lock().expect("log");
                l.push_str(&line);
                l.push('\n');
            }
        });
        let marker = "listen=127.0.0.1:";
        let port = eventually("head office listens", Duration::from_secs(20), || {
            let log = log.lock().expect("log");
            let at = log.find(marker)? + marker.len();
            log[at..].chars().take_while(char::is_ascii_digit).collect::<String>().parse().ok()
        });
        (child, log, port)
    }

    /// Serves again, on the same port and data, after [`HeadOffice::stop`].
    fn restart(&mut self) {
        let (child, log, port) = Self::serve(self._dir.path(), self.port);
        assert_eq!(port, self.port);
        (self.child, self.log) = (child, log);
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// SIGTERM, and waits for the process to end.
    fn stop(&mut self) {
        let killed = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(killed.success());
        let status = eventually("head office stops", Duration::from_secs(15), || {
            self.child.try_wait().expect("wait")
        });
        assert!(status.success(), "{status}: {}", self.log.lock().expect("log"));
    }
}

impl Drop for HeadOffice {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The dispatcher: a session cookie and its CSRF token, over plain HTTP/1.1.
struct Dispatcher {
    port: u16,
    cookie: String,
    csrf: String,
}

/// One HTTP/1.1 exchange (`Connection: close`): status, headers (lower-case names), body.
fn http(
    port: u16,
    method: &str,
    path: &str,
    extra_headers: &[(&str, &str)],
    body: Option<&Value>,
) -> (u16, Vec<(String, String)>, Value) {
    let mut conn = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    conn.set_read_timeout(Some(Duration::from_secs(15))).expect("timeout");
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    for (name, value) in extra_headers {
        req.push_str(&format!("{name}: {value}\r\n"));
    }
    if !body.is_empty() {
        req.push_str("Content-Type: application/json\r\n");
    }
    req.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    conn.write_all(req.as_bytes()).expect("send");
    let mut raw = Vec::new();
    conn.read_to_end(&mut raw).expect("answer");
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a header block");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut payload = raw[split + 4..].to_vec();
    let mut lines = head.lines();
    let status: u16 = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    if headers.iter().any(|(n, v)| n == "transfer-encoding" && v.contains("chunked")) {
        payload = dechunk(&payload);
    }
    (status, headers, serde_json::from_slice(&payload).unwrap_or(Value::Null))
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = data.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(String::from_utf8_lossy(&data[..eol]).trim(), 16)
            .expect("a chunk size");
        if size == 0 {
            break;
        }
        out.extend_from_slice(&data[eol + 2..eol + 2 + size]);
        data = &data[eol + 2 + size + 2..];
    }
    out
}

impl Dispatcher {
    fn sign_in(ho: &HeadOffice) -> Dispatcher {
        let creds = json!({"user": "dispatcher", "password": "dispatcher-demo"});
        let (status, headers, info) =
            http(ho.port, "POST", "/api/v1/auth/session", &[], Some(&creds));
        assert_eq!(status, 200, "dispatcher sign-in: {info}");
        let cookie = headers
            .iter()
            .find(|(n, _)| n == "set-cookie")
            .and_then(|(_, v)| v.split(';').next())
            .expect("a session cookie")
            .to_owned();
        let csrf = info["csrf_token"].as_str().expect("csrf token").to_owned();
        Dispatcher { port: ho.port, cookie, csrf }
    }

    #[track_caller]
    fn send(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let headers = [("Cookie", self.cookie.as_str()), ("X-CSRF-Token", self.csrf.as_str())];
        let (status, _, v) = http(self.port, method, path, &headers, body.as_ref());
        assert!((200..300).contains(&status), "{method} {path}: {status} {v}");
        v
    }

    fn job(&self, id: &str) -> Value {
        self.send("GET", &format!("/api/v1/jobs/{id}"), None)
    }
}

/// A technician's laptop: a `fieldwork` data folder signed in as tech1.
struct Laptop {
    dir: TempDir,
}

#[derive(Debug)]
struct Run {
    ok: bool,
    stdout: String,
    stderr: String,
}

impl Laptop {
    fn sign_in(ho: &HeadOffice) -> Laptop {
        let laptop = Laptop { dir: tempfile::tempdir().expect("temp dir") };
        let args = ["login", &ho.url(), "--user", "tech1", "--password-stdin"];
        let r = laptop.run_stdin(&args, "tech1-demo\n");
        assert!(r.ok, "login: {r:#?}");
        laptop
    }

    fn command(&self) -> Command {
        let mut c = Command::new(FIELDWORK);
        c.arg("--json").arg("--data-dir").arg(self.dir.path()).env("RUST_LOG", "off");
        c
    }

    fn run_stdin(&self, args: &[&str], stdin: &str) -> Run {
        let mut child = self
            .command()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("fieldwork");
        let _ = child.stdin.take().expect("stdin").write_all(stdin.as_bytes());
        let out = child.wait_with_output().expect("wait");
        Run {
            ok: out.status.success(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    fn run(&self, args: &[&str]) -> Run {
        self.run_stdin(args, "")
    }

    #[track_caller]
    fn ok(&self, args: &[&str]) -> Value {
        let r = self.run(args);
        assert!(r.ok, "fieldwork {args:?} failed: {}", r.stderr);
        serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {r:#?}"))
    }

    fn status(&self) -> Value {
        self.ok(&["status"])
    }

    /// Ids of this laptop's jobs that work can still be recorded on.
    fn open_jobs(&self) -> Vec<String> {
        let jobs = self.ok(&["jobs", "--all"]);
        jobs.as_array()
            .expect("a list")
            .iter()
            .filter(|j| j["status"] == "scheduled")
            .map(|j| j["id"].as_str().expect("id").to_owned())
            .collect()
    }
}

fn photo() -> PathBuf {
    let p =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/photos/camera/Canon_40D.jpg");
    assert!(p.is_file(), "missing test photo {}", p.display());
    p
}

/// Asserts the documented keys of `status --json` and their types; returns the document.
#[track_caller]
fn check_status_shape(s: &Value) -> &Value {
    assert!(s["online"].is_boolean(), "online: {s}");
    for count in ["pending_mutations", "pending_blobs", "rejected", "conflicts"] {
        assert!(s[count].as_i64().is_some_and(|n| n >= 0), "{count}: {s}");
    }
    assert!(s["last_sync_at"].is_null() || s["last_sync_at"].is_string(), "{s}");
    let e = &s["last_error"];
    assert!(
        e.is_null() || (e["code"].is_string() && e["message"].is_string()),
        "last_error is null or {{code, message}}: {s}"
    );
    s
}

fn time_of(v: &Value) -> chrono::DateTime<chrono::Utc> {
    let text = v.as_str().unwrap_or_else(|| panic!("a time, not {v}"));
    chrono::DateTime::parse_from_rfc3339(text).expect("RFC 3339").to_utc()
}

#[test]
fn status_json_tells_pending_work_issues_and_reachability_before_and_after_a_sync() {
    let mut ho = HeadOffice::start();
    let laptop = Laptop::sign_in(&ho);
    let dispatcher = Dispatcher::sign_in(&ho);

    let s = laptop.status();
    check_status_shape(&s);
    assert_eq!(
        (&s["online"], &s["pending_mutations"], &s["pending_blobs"]),
        (&json!(true), &json!(0), &json!(0)),
        "{s}"
    );
    assert_eq!((&s["last_sync_at"], &s["last_error"]), (&Value::Null, &Value::Null), "{s}");
    assert_eq!((&s["rejected"], &s["conflicts"]), (&json!(0), &json!(0)), "{s}");

    laptop.ok(&["sync"]);
    let first_sync = time_of(&laptop.status()["last_sync_at"]);
    let jobs = laptop.open_jobs();
    assert!(jobs.len() >= 2, "tech1 has two scheduled demo jobs: {jobs:?}");
    let (diagnosed, noted) = (&jobs[0], &jobs[1]);

    // Work recorded on the laptop while head office changes the same jobs.
    laptop.ok(&["job", "diagnosis", diagnosed, "Condensate pump jammed"]);
    laptop.ok(&["photo", "add", diagnosed, photo().to_str().expect("path"), "--kind", "fault"]);
    laptop.ok(&["job", "note", noted, "Customer asks for a morning visit"]);
    let s = laptop.status();
    check_status_shape(&s);
    assert_eq!(s["pending_mutations"], 3, "{s}");
    assert_eq!(s["pending_blobs"], 1, "one photo (its thumbnail is not another): {s}");
    assert_eq!((&s["pending_photos"], &s["pending_signatures"]), (&json!(1), &json!(0)), "{s}");
    assert_eq!(time_of(&s["last_sync_at"]), first_sync);
    dispatcher.send(
        "PATCH",
        &format!("/api/v1/jobs/{diagnosed}"),
        Some(json!({"diagnosis": "Drain blocked (customer phoned)"})),
    );
    dispatcher.send(
        "POST",
        &format!("/api/v1/jobs/{noted}/cancel"),
        Some(json!({"reason": "customer fixed it"})),
    );

    laptop.ok(&["sync"]);
    let s = laptop.status();
    check_status_shape(&s);
    assert_eq!(s["online"], true, "{s}");
    assert_eq!((&s["pending_mutations"], &s["pending_blobs"]), (&json!(0), &json!(0)), "{s}");
    assert!(time_of(&s["last_sync_at"]) > first_sync, "{s}");
    assert_eq!(s["last_error"], Value::Null, "{s}");
    assert_eq!(s["rejected"], 1, "the note on a cancelled job: {s}");
    assert_eq!(s["conflicts"], 1, "the diagnosis head office wrote later: {s}");
    let issues = laptop.ok(&["status", "--issues"]);
    let text = issues.to_string();
    assert!(text.contains("not_recordable") || text.contains("cancelled"), "{issues}");

    // Head office goes away: the laptop says it is offline, and after a try, why.
    ho.stop();
    let s = laptop.status();
    check_status_shape(&s);
    assert_eq!(s["online"], false, "{s}");
    let failed = laptop.run(&["sync"]);
    assert!(!failed.ok, "{failed:#?}");
    let s = laptop.status();
    check_status_shape(&s);
    assert_eq!(s["online"], false, "{s}");
    assert_eq!(s["last_error"]["code"], "offline", "{s}");
    assert!(s["last_error"]["message"].as_str().is_some_and(|m| !m.trim().is_empty()), "{s}");
    assert_eq!(s["pending_mutations"], 0, "{s}");
    // It stays until a sync succeeds, and then it is gone.
    laptop.ok(&["job", "note", diagnosed, "Written while head office was away"]);
    let failed = laptop.run(&["sync"]);
    assert!(!failed.ok);
    // Said as a sentence first, the network's own words after it.
    let said: Value = serde_json::from_str(failed.stderr.trim()).expect("{code, message}");
    assert_eq!(said["code"], "offline", "{said}");
    let message = said["message"].as_str().expect("a message");
    assert!(message.starts_with("head office cannot be reached (no network here"), "{message}");
    let detail = message.find("Detail: ").expect("the detail after the sentence");
    assert!(!message[..detail].contains("error sending request"), "{message}");
    assert_eq!(laptop.status()["last_error"]["code"], "offline");
    ho.restart();
    let synced = laptop.ok(&["sync"]);
    assert_eq!(synced["status"]["last_error"], Value::Null, "{synced}");
    let s = laptop.status();
    check_status_shape(&s);
    assert_eq!((&s["online"], &s["last_error"]), (&json!(true), &Value::Null), "{s}");
    assert_eq!(s["pending_mutations"], 0, "{s}");
    assert!(time_of(&s["last_sync_at"]) > first_sync, "{s}");
}

#[test]
fn sync_watch_keeps_bringing_head_office_changes_and_taking_local_ones_until_stopped() {
    let ho = HeadOffice::start();
    let laptop = Laptop::sign_in(&ho);
    let dispatcher = Dispatcher::sign_in(&ho);
    let mut watch = laptop
        .command()
        .args(["sync", "--watch", "--interval", "1"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("sync --watch");
    let lines = Arc::new(Mutex::new(Vec::<String>::new()));
    let out = watch.stdout.take().expect("piped");
    let sink = lines.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            sink.lock().expect("lines").push(line);
        }
    });

    // The first round brings tech1's jobs.
    let job = eventually("the first round brings the jobs", Duration::from_secs(20), || {
        laptop.open_jobs().into_iter().next()
    });
    // A change at head office reaches the laptop without anyone asking.
    let problem = format!("Leaks again ({})", std::process::id());
    dispatcher.send(
        "PATCH",
        &format!("/api/v1/jobs/{job}"),
        Some(json!({"reported_problem": problem})),
    );
    eventually("head office's change on the laptop", Duration::from_secs(20), || {
        (laptop.ok(&["job", "show", &job])["reported_problem"] == problem.as_str()).then_some(())
    });
    // A change made on the laptop reaches head office.
    let note = format!("Bring a longer hose ({})", std::process::id());
    laptop.ok(&["job", "note", &job, &note]);
    eventually("the laptop's note at head office", Duration::from_secs(20), || {
        let notes = dispatcher.job(&job)["notes"].clone();
        notes.as_array()?.iter().any(|n| n["body"] == note.as_str()).then_some(())
    });
    assert!(watch.try_wait().expect("wait").is_none(), "--watch keeps running");
    let printed = lines.lock().expect("lines").clone();
    let statuses: Vec<Value> = printed
        .iter()
        .map(|l| serde_json::from_str(l).expect("one JSON status per line"))
        .collect();
    assert!(statuses.iter().any(|s| s["online"] == true), "{printed:?}");
    assert!(statuses.iter().all(|s| s["pending_mutations"].is_i64()), "{printed:?}");
    watch.kill().expect("stop --watch");
    watch.wait().expect("reap --watch");
    drop(ho);
}

#[test]
fn sync_watch_says_when_it_tries_next_and_notices_head_office_back_within_seconds() {
    let mut ho = HeadOffice::start();
    let laptop = Laptop::sign_in(&ho);
    laptop.ok(&["sync"]);
    let job = laptop.open_jobs().into_iter().next().expect("a job");
    ho.stop();
    laptop.ok(&["job", "note", &job, "Written while head office was down"]);
    // A long interval: only the backoff and the probe can bring the next round.
    let mut watch = laptop
        .command()
        .args(["sync", "--watch", "--interval", "3600"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("sync --watch");
    let lines = Arc::new(Mutex::new(Vec::<(Instant, Value)>::new()));
    let out = watch.stdout.take().expect("piped");
    let sink = lines.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            let status = serde_json::from_str(&line).expect("one JSON status per line");
            sink.lock().expect("lines").push((Instant::now(), status));
        }
    });
    let failed = eventually("a failed round, said so", Duration::from_secs(20), || {
        let lines = lines.lock().expect("lines");
        lines.iter().map(|(_, s)| s.clone()).find(|s| s["last_error"]["code"] == "offline")
    });
    assert_eq!(failed["online"], false, "{failed}");
    assert_eq!(failed["pending_mutations"], 1, "{failed}");
    let next = time_of(&failed["next_attempt_at"]);
    let ahead = next - chrono::Utc::now();
    assert!(ahead <= chrono::Duration::seconds(16), "the next try is soon: {failed}");
    // Long enough offline for the backoff to reach its cap: the next round is 7.5–15 s away.
    std::thread::sleep(Duration::from_secs(17));
    ho.restart();
    let back = Instant::now();
    let (at, synced) =
        eventually("a good round after head office is back", Duration::from_secs(30), || {
            let lines = lines.lock().expect("lines");
            lines
                .iter()
                .find(|(at, s)| *at > back && s["last_error"].is_null() && s["online"] == true)
                .cloned()
        });
    let noticed = at - back;
    eprintln!("head office back → laptop synced: {:.1} s", noticed.as_secs_f64());
    assert_eq!(synced["pending_mutations"], 0, "{synced}");
    assert!(noticed < Duration::from_secs(6), "noticed after {noticed:?}: {synced}");
    watch.kill().expect("stop --watch");
    watch.wait().expect("reap --watch");
}
