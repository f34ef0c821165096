//! The `fieldwork-headoffice` program as an operator runs it — `serve` (plain and TLS), `user
//! add`, `device list`, `device revoke`, `seed --demo`, SIGTERM — with the `fieldwork` CLI as a
//! technician's laptop (the workspace's debug build next to this test; `cargo build -p
//! fieldwork-cli -p fieldwork-headoffice` makes both). Every server listens on 127.0.0.1 port 0
//! and the test reads the port from its log.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

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
    assert!(mentions_certificate(&e["message"].to_string()), "a certificate error: {e}");
    assert_eq!(laptop.run(&["status", "--ca-cert", cert_arg], None).json()["signed_in"], true);
}
