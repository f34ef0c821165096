//! The `fieldwork-headoffice` program as an operator runs it — `serve` (plain and TLS), `user
//! add`, `device list`, `device revoke`, `seed --demo`, SIGTERM — with the `fieldwork` CLI as a
//! technician's laptop (the workspace's debug build next to this test; `cargo build -p
//! fieldwork-cli -p fieldwork-headoffice` makes both). Every server listens on 127.0.0.1 port 0
//! and the test reads the port from its log.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::common::{fake_jpeg, install_crypto_provider, sha256_hex};

const HEADOFFICE: &str = env!("CARGO_BIN_EXE_fieldwork-headoffice");

/// The `fieldwork` CLI of the same build (target/debug/fieldwork).
fn fieldwork_bin() -> PathBuf {
    // target/debug/deps/headoffice-… → target/debug/fieldwork
    let exe = std::env::current_exe().unwrap();
    let path = exe.parent().and_then(Path::parent).unwrap().join("fieldwork");
    assert!(
        path.is_file(),
        "{} is missing: run `cargo build -p fieldwork-cli -p fieldwork-headoffice` first",
        path.display()
    );
    path
}

/// How a command ended and what it printed.
#[derive(Debug)]
struct Run {
    ok: bool,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {self:#?}"))
    }

    /// The `{code, message}` a `--json` command printed on stderr when it failed.
    fn error(&self) -> Value {
        assert!(!self.ok, "should have failed: {self:#?}");
        serde_json::from_str(self.stderr.trim())
            .unwrap_or_else(|e| panic!("stderr is not a JSON error ({e}): {self:#?}"))
    }
}

fn run(mut cmd: Command, stdin: Option<&str>) -> Run {
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut pipe = child.stdin.take().unwrap();
    if let Some(s) = stdin {
        let _ = pipe.write_all(s.as_bytes());
    }
    drop(pipe);
    let out = child.wait_with_output().unwrap();
    Run {
        ok: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `fieldwork-headoffice --data-dir DIR ARGS…`
fn admin(dir: &Path, args: &[&str], stdin: Option<&str>) -> Run {
    let mut cmd = Command::new(HEADOFFICE);
    cmd.arg("--data-dir").arg(dir).args(args).env("RUST_LOG", "warn");
    run(cmd, stdin)
}

/// A `fieldwork serve` process with its log captured.
struct Serving {
    child: Child,
    log: Arc<Mutex<String>>,
    port: u16,
}

impl Serving {
    /// Starts serving `dir` on 127.0.0.1, a port of the system's choosing, and waits for the
    /// log line that names it.
    fn start(dir: &Path, extra: &[&str]) -> Serving {
        let mut child = Command::new(HEADOFFICE)
            .arg("--data-dir")
            .arg(dir)
            .args(["serve", "--listen", "127.0.0.1:0", "--ui-dir", "no-console"])
            .args(extra)
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let log = Arc::new(Mutex::new(String::new()));
        let stderr = child.stderr.take().unwrap();
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                let mut l = sink.lock().unwrap();
                l.push_str(&line);
                l.push('\n');
            }
        });
        let mut s = Serving { child, log, port: 0 };
        let line = s.wait_for_log("head office listening");
        let at = line.find("listen=127.0.0.1:").unwrap() + "listen=127.0.0.1:".len();
        s.port = line[at..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .unwrap();
        s
    }

    /// Waits (at most 20 s) for a log line containing `needle` and returns it.
    fn wait_for_log(&mut self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(line) = self.log.lock().unwrap().lines().find(|l| l.contains(needle)) {
                return line.to_owned();
            }
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("head office exited ({status}) before {needle:?}:\n{}", self.log());
            }
            assert!(Instant::now() < deadline, "no {needle:?} in the log:\n{}", self.log());
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    fn url(&self, scheme: &str) -> String {
        format!("{scheme}://127.0.0.1:{}", self.port)
    }

    /// SIGTERM, as a service manager stops it.
    fn terminate(&self) {
        let status =
            Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().unwrap();
        assert!(status.success());
    }

    /// Waits at most `limit` for the process to end.
    fn wait_exit(&mut self, limit: Duration) -> ExitStatus {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "still running after {limit:?}:\n{}", self.log());
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A technician's laptop: a `fieldwork` data folder.
struct Laptop {
    dir: tempfile::TempDir,
}

impl Laptop {
    fn new() -> Laptop {
        Laptop { dir: tempfile::tempdir().unwrap() }
    }

    /// `fieldwork --json --data-dir DIR ARGS…`
    fn run(&self, args: &[&str], stdin: Option<&str>) -> Run {
        let mut cmd = Command::new(fieldwork_bin());
        cmd.arg("--json").arg("--data-dir").arg(self.dir.path()).args(args).env("RUST_LOG", "off");
        run(cmd, stdin)
    }

    fn login(&self, url: &str, user: &str, password: &str, extra: &[&str]) -> Run {
        let mut args = vec!["login", url, "--user", user, "--password-stdin"];
        args.extend_from_slice(&["--device-name", "van laptop"]);
        args.extend_from_slice(extra);
        self.run(&args, Some(&format!("{password}\n")))
    }
}

fn certificate(dir: &Path) -> (PathBuf, PathBuf) {
    let ck =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
            .unwrap();
    let cert = dir.join("headoffice.pem");
    let key = dir.join("headoffice.key");
    std::fs::write(&cert, ck.cert.pem()).unwrap();
    std::fs::write(&key, ck.signing_key.serialize_pem()).unwrap();
    (cert, key)
}

fn mentions_certificate(text: &str) -> bool {
    let t = text.to_lowercase();
    t.contains("certificate") || t.contains("unknownissuer") || t.contains("unknown issuer")
}

#[test]
fn over_tls_the_cli_syncs_when_given_the_ca_and_refuses_head_office_without_it() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("ho");
    let (cert, key) = certificate(tmp.path());
    let cert_arg = cert.to_str().unwrap();
    let added = admin(
        &data,
        &["user", "add", "tech1", "--role", "technician", "--password-stdin"],
        Some("tech1-secret\n"),
    );
    assert!(added.ok, "{added:#?}");
    let mut ho =
        Serving::start(&data, &["--tls-cert", cert_arg, "--tls-key", key.to_str().unwrap()]);
    assert!(ho.wait_for_log("head office listening").contains("(https)"), "{}", ho.log());
    let url = ho.url("https");

    // Without the CA the laptop does not trust head office, and says why.
    let stranger = Laptop::new();
    let r = stranger.login(&url, "tech1", "tech1-secret", &[]);
    let e = r.error();
    assert_eq!(e["code"], "certificate", "{e}");
    assert!(mentions_certificate(&e["message"].to_string()), "a certificate error: {e}");
    assert_eq!(stranger.run(&["status"], None).json()["signed_in"], false);

    let laptop = Laptop::new();
    let r = laptop.login(&url, "tech1", "tech1-secret", &["--ca-cert", cert_arg]);
    assert!(r.ok, "{r:#?}");
    assert!(r.json()["device_id"].is_string());
    let r = laptop.run(&["sync", "--ca-cert", cert_arg], None);
    assert!(r.ok, "{r:#?}");
    let status = &r.json()["status"];
    assert_eq!(status["online"], true, "{status}");
    assert_eq!(status["last_error"], Value::Null);
    assert!(status["last_sync_at"].is_string());

    // The same laptop without the CA: the sync fails on the certificate, nothing else.
    let r = laptop.run(&["sync"], None);
    let e = r.error();
    assert_eq!(e["code"], "certificate", "{e}");
    assert!(mentions_certificate(&e["message"].to_string()), "a certificate error: {e}");
    assert_eq!(laptop.run(&["status", "--ca-cert", cert_arg], None).json()["signed_in"], true);
}

/// One line of `device list` (tab-separated: id, name, user, last_seen, last_applied_seq,
/// status).
fn device_line(dir: &Path, device_id: &str) -> Vec<String> {
    let r = admin(dir, &["device", "list"], None);
    assert!(r.ok, "{r:#?}");
    let line = r
        .stdout
        .lines()
        .find(|l| l.starts_with(device_id))
        .unwrap_or_else(|| panic!("device {device_id} not listed:\n{}", r.stdout));
    line.split('\t').map(str::to_owned).collect()
}

#[test]
fn a_user_added_on_the_command_line_signs_in_and_device_list_shows_its_last_sync_until_revoked() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("ho");
    let add = |name: &str, password: &str| {
        admin(
            &data,
            &["user", "add", name, "--role", "technician", "--password-stdin"],
            Some(password),
        )
    };
    let r = add("ana", "ana-secret-1\n");
    assert!(r.ok, "{r:#?}");
    assert!(r.stdout.starts_with("added technician ana"), "{}", r.stdout);
    assert!(!add("ana", "another-secret\n").ok, "the name is taken");
    assert!(!add("bo", "short\n").ok, "a password of 5 characters");
    let users = admin(&data, &["user", "list"], None).stdout;
    assert_eq!(users.lines().count(), 1, "{users}");
    let ho = Serving::start(&data, &[]);
    let url = ho.url("http");

    let laptop = Laptop::new();
    let e = laptop.login(&url, "ana", "not-her-password", &[]).error();
    assert_eq!(e["code"], "unauthorized", "{e}");
    let r = laptop.login(&url, "ana", "ana-secret-1", &[]);
    assert!(r.ok, "{r:#?}");
    let device = r.json()["device_id"].as_str().unwrap().to_owned();
    let before_sync = chrono::Utc::now();
    assert!(laptop.run(&["sync"], None).ok);
    let line = device_line(&data, &device);
    assert_eq!(&line[1..3], ["van laptop", "ana"], "{line:?}");
    let last_seen = chrono::DateTime::parse_from_rfc3339(&line[3])
        .unwrap_or_else(|e| panic!("last sync {:?} ({e}); line {line:?}", line[3]));
    assert!(
        last_seen >= before_sync - chrono::Duration::seconds(1),
        "last sync {last_seen} is the sync just made ({before_sync})"
    );
    assert_eq!(line[5], "active");

    // Revoked while head office runs: the laptop's next sync is refused and it wipes itself.
    let r = admin(&data, &["device", "revoke", &device], None);
    assert!(r.ok && r.stdout.contains("revoked"), "{r:#?}");
    assert_eq!(device_line(&data, &device)[5], "revoked");
    let e = laptop.run(&["sync"], None).error();
    assert_eq!(e["code"], "device_revoked", "{e}");
    let status = laptop.run(&["status"], None).json();
    assert_eq!(status["signed_in"], false, "{status}");
    assert!(status["revoked"].as_str().is_some_and(|why| why.contains("revoked")), "{status}");
    drop(ho);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_demo_fills_an_empty_head_office_once_and_its_accounts_work() {
    install_crypto_provider();
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("ho");
    let r = admin(&data, &["seed", "--demo", "--jobs", "9"], None);
    assert!(r.ok, "{r:#?}");
    for account in ["dispatcher / dispatcher-demo", "tech1 / tech1-demo", "admin / admin-demo"] {
        assert!(r.stdout.contains(account), "{account} in {}", r.stdout);
    }
    let users = admin(&data, &["user", "list"], None).stdout;
    let again = admin(&data, &["seed", "--demo", "--jobs", "9"], None);
    assert!(!again.ok, "a second seed is refused: {again:#?}");
    assert!(again.stderr.contains("already_exists"), "{}", again.stderr);
    assert_eq!(admin(&data, &["user", "list"], None).stdout, users, "and adds nobody");

    let ho = Serving::start(&data, &[]);
    let url = ho.url("http");
    let http = reqwest::Client::builder().cookie_store(true).build().unwrap();
    let resp = http
        .post(format!("{url}/api/v1/auth/session"))
        .json(&json!({"user": "dispatcher", "password": "dispatcher-demo"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let jobs: Vec<Value> = http
        .get(format!("{url}/api/v1/jobs?limit=1000"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(jobs.len(), 9);
    let of_tech1 = jobs.iter().filter(|j| j["assignee_id"] == "tech-tech1").count();
    assert!(of_tech1 > 0, "the demo gives tech1 work: {jobs:?}");

    let laptop = Laptop::new();
    assert!(laptop.login(&url, "tech1", "tech1-demo", &[]).ok);
    assert!(laptop.run(&["sync"], None).ok);
    let on_laptop = laptop.run(&["jobs", "--all"], None).json();
    assert_eq!(on_laptop.as_array().unwrap().len(), of_tech1, "{on_laptop}");
    drop(ho);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_the_request_in_flight_exits_0_and_the_data_survives_a_restart() {
    install_crypto_provider();
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("ho");
    assert!(admin(&data, &["seed", "--demo", "--jobs", "3"], None).ok);
    let mut ho = Serving::start(&data, &[]);
    let url = ho.url("http");
    let http = reqwest::Client::new();
    let signed: Value = http
        .post(format!("{url}/api/v1/auth/device"))
        .json(&json!({"user": "tech1", "password": "tech1-demo", "device_name": "van"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = signed["token"].as_str().unwrap().to_owned();

    // A photo upload is half sent when the service manager stops head office.
    let photo = fake_jpeg(7, 400_000);
    let sha = sha256_hex(&photo);
    let mut conn = tokio::net::TcpStream::connect(("127.0.0.1", ho.port)).await.unwrap();
    let head = format!(
        "PATCH /api/v1/blobs/{sha} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\
         Upload-Offset: 0\r\nUpload-Length: {n}\r\nContent-Type: application/offset+octet-stream\r\n\
         Content-Length: {n}\r\n\r\n",
        n = photo.len()
    );
    conn.write_all(head.as_bytes()).await.unwrap();
    let half = photo.len() / 2;
    conn.write_all(&photo[..half]).await.unwrap();
    // The handler is writing it: the partial file grows in the upload folder.
    let uploads = data.join("uploads");
    let deadline = Instant::now() + Duration::from_secs(10);
    while dir_bytes(&uploads) == 0 {
        assert!(Instant::now() < deadline, "the upload never reached head office");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    ho.terminate();
    ho.wait_for_log("shutting down");
    assert!(ho.child.try_wait().unwrap().is_none(), "it waits for the request in flight");
    conn.write_all(&photo[half..]).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), conn.read_to_end(&mut answer))
        .await
        .expect("an answer")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("\"complete\":true"), "{answer}");
    let finished = Instant::now();
    let status = ho.wait_exit(Duration::from_secs(10));
    assert_eq!(status.code(), Some(0), "{}", ho.log());
    assert!(finished.elapsed() < Duration::from_secs(5), "exits promptly after the request");

    // Started again on the same folder: the photo and the jobs are there, the token still works.
    let ho = Serving::start(&data, &[]);
    let url = ho.url("http");
    let resp =
        http.head(format!("{url}/api/v1/blobs/{sha}")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["upload-offset"].to_str().unwrap(), photo.len().to_string());
    let page: Value = http
        .get(format!("{url}/api/v1/sync/pull?cursor=0&limit=5000"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let jobs = page["changes"].as_array().unwrap().iter().filter(|c| c["entity"] == "job").count();
    assert!(jobs > 0, "tech1's demo jobs: {page}");
    drop(ho);
}

/// Bytes in the files of a folder (0 when it does not exist).
fn dir_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| entries.flatten().filter_map(|e| e.metadata().ok()).map(|m| m.len()).sum())
        .unwrap_or(0)
}
