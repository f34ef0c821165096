//! The systemd unit the repository ships for head office (`deploy/fieldwork-headoffice.service`),
//! exercised as far as a test machine without systemd as its init allows:
//!
//! - `systemd-analyze verify` accepts it (every directive known, every value parsed, the program
//!   it starts executable): the unit is checked with its `ExecStart` program pointed at the
//!   binary this build made, everything else as shipped;
//! - the command line and environment the unit gives are the ones the binary understands: the
//!   test starts the built binary with exactly the unit's `ExecStart` arguments (only the listen
//!   address moved to a free loopback port) and its `Environment=` settings (the state folder
//!   and the console folder pointed at a temporary folder and the built console), and head office
//!   serves its health check and the console, writes JSON log lines, and stops cleanly on the
//!   unit's `KillSignal` within its `TimeoutStopSec`.
#![allow(clippy::unwrap_used)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fieldwork_e2e_sync::{bin, blocking_client, free_port};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The `[Service]` settings of the unit, in order (a key may repeat, as `Environment=` does).
fn service_settings(unit: &str) -> Vec<(String, String)> {
    let mut section = String::new();
    let mut out = Vec::new();
    for line in unit.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = name.to_owned();
        } else if section == "Service"
            && let Some((k, v)) = line.split_once('=')
        {
            out.push((k.trim().to_owned(), v.trim().to_owned()));
        }
    }
    out
}

fn one<'a>(settings: &'a [(String, String)], key: &str) -> &'a str {
    let found: Vec<&str> =
        settings.iter().filter(|(k, _)| k == key).map(|(_, v)| v.as_str()).collect();
    assert_eq!(found.len(), 1, "the unit sets {key} once: {found:?}");
    found[0]
}

#[test]
fn systemd_accepts_the_shipped_unit() {
    let unit = std::fs::read_to_string(repo().join("deploy/fieldwork-headoffice.service")).unwrap();
    assert!(unit.contains("ExecStart=/usr/bin/fieldwork-headoffice "), "{unit}");
    let dir = tempfile::tempdir().unwrap();
    let checked = dir.path().join("fieldwork-headoffice.service");
    let built = bin("fieldwork-headoffice");
    std::fs::write(
        &checked,
        unit.replace("/usr/bin/fieldwork-headoffice", built.to_str().unwrap()),
    )
    .unwrap();
    let out = Command::new("systemd-analyze")
        .args(["verify", "--man=no"])
        .arg(&checked)
        .output()
        .expect("systemd-analyze (Debian's systemd package, installed by `make deps`)");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && said.trim().is_empty(), "systemd-analyze verify: {said}");

    // The check is real: a unit with a mistake in it is refused.
    std::fs::write(
        &checked,
        unit.replace("/usr/bin/fieldwork-headoffice", "/nonexistent/fieldwork-headoffice"),
    )
    .unwrap();
    let out = Command::new("systemd-analyze").args(["verify", "--man=no"]).arg(&checked).output();
    assert!(!out.unwrap().status.success(), "a unit whose program is missing passed");
}

#[test]
fn head_office_runs_with_the_units_command_line_and_environment() {
    let unit = std::fs::read_to_string(repo().join("deploy/fieldwork-headoffice.service")).unwrap();
    let settings = service_settings(&unit);
    let exec = one(&settings, "ExecStart");
    let mut words = exec.split_whitespace();
    assert_eq!(words.next(), Some("/usr/bin/fieldwork-headoffice"));
    let port = free_port();
    let args: Vec<String> = words
        .map(|w| if w == "0.0.0.0:8080" { format!("127.0.0.1:{port}") } else { w.to_owned() })
        .collect();
    assert!(args.iter().any(|a| a == &format!("127.0.0.1:{port}")), "listens on 8080: {exec}");

    let state = tempfile::tempdir().unwrap();
    let console = repo().join("ui/dist-dispatch");
    assert!(console.join("index.html").is_file(), "the console is built by `make ui-build`");
    let mut cmd = Command::new(bin("fieldwork-headoffice"));
    cmd.args(&args).env_clear().env("PATH", std::env::var("PATH").unwrap_or_default());
    let mut env_names = Vec::new();
    for (_, value) in settings.iter().filter(|(k, _)| k == "Environment") {
        let (name, v) = value.split_once('=').unwrap();
        let v = match name {
            // StateDirectory= makes /var/lib/fieldwork-headoffice for the service.
            "FIELDWORK_HEADOFFICE_DIR" => {
                assert_eq!(v, "/var/lib/fieldwork-headoffice");
                assert_eq!(one(&settings, "StateDirectory"), "fieldwork-headoffice");
                state.path().to_str().unwrap().to_owned()
            }
            "FIELDWORK_UI_DIR" => console.to_str().unwrap().to_owned(),
            _ => v.to_owned(),
        };
        env_names.push(name.to_owned());
        cmd.env(name, v);
    }
    assert_eq!(env_names, ["FIELDWORK_HEADOFFICE_DIR", "FIELDWORK_UI_DIR"]);
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();

    let client = blocking_client(false);
    let base = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    loop {
        match client.get(format!("{base}/healthz")).send() {
            Ok(r) if r.status().is_success() => break,
            _ if started.elapsed() > Duration::from_secs(30)
                || child.try_wait().unwrap().is_some() =>
            {
                let _ = child.kill();
                let out = child.wait_with_output().unwrap();
                panic!("head office did not start: {}", String::from_utf8_lossy(&out.stderr));
            }
            _ => std::thread::sleep(Duration::from_millis(100)),
        }
    }
    // The database is in the state folder, and the console is served from the console folder.
    assert!(state.path().join("headoffice.db").is_file(), "the database in the state folder");
    let page = client.get(format!("{base}/")).send().unwrap();
    assert!(page.status().is_success());
    assert!(page.text().unwrap().to_lowercase().contains("<html"), "the console's index.html");
    // The API answers (a wrong sign-in is refused, not an error).
    let probe = client
        .post(format!("{base}/api/v1/auth/session"))
        .json(&serde_json::json!({"user": "nobody", "password": "wrong"}))
        .send()
        .unwrap();
    assert_eq!(probe.status().as_u16(), 401);

    // KillSignal=SIGTERM, TimeoutStopSec=30: a clean stop well within it.
    assert_eq!(one(&settings, "KillSignal"), "SIGTERM");
    let limit: u64 = one(&settings, "TimeoutStopSec").parse().unwrap();
    let term = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(term.success());
    let stopping = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            stopping.elapsed() < Duration::from_secs(limit),
            "still running {limit} s after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "exit after SIGTERM: {status}");
    // --json-logs: every log line is a JSON object.
    let mut logs = String::new();
    child.stdout.take().unwrap().read_to_string(&mut logs).unwrap();
    child.stderr.take().unwrap().read_to_string(&mut logs).unwrap();
    let lines: Vec<&str> = logs.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(!lines.is_empty(), "head office logged nothing");
    for line in lines {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        assert!(v.is_object(), "{line}");
    }
}

/// `serve --rate-limit N --rate-burst B` sets each caller's request rate on this instance (the
/// value an operator divides by the number of instances behind a load balancer); nonsense is
/// refused before serving.
#[test]
fn serve_sets_the_per_caller_request_rate_from_its_options() {
    let mut ho = fieldwork_e2e_sync::HeadOffice::start(0);
    let url = ho.url();
    let http = blocking_client(false);
    let statuses = |n: usize| -> Vec<u16> {
        (0..n)
            .map(|_| http.get(format!("{url}/api/v1/jobs")).send().unwrap().status().as_u16())
            .collect()
    };
    // The default (bursts of 200) lets ten anonymous requests through to their 401.
    assert!(statuses(10).iter().all(|s| *s == 401));

    ho.kill();
    ho.spawn_with(&["--rate-limit", "0.5", "--rate-burst", "3"]);
    // The burst of three: the start-up's health check took one, two more pass, then 429.
    let got = statuses(4);
    assert_eq!(got, [401, 401, 429, 429], "a burst of three (one was the health check)");
    let refused = http.get(format!("{url}/api/v1/jobs")).send().unwrap();
    assert_eq!(refused.status().as_u16(), 429);
    let retry: u64 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=2).contains(&retry), "one request every two seconds: Retry-After {retry}");

    for bad in [["--rate-limit", "0"], ["--rate-burst", "0"]] {
        let out = ho.cli(&["serve", "--listen", "127.0.0.1:0", bad[0], bad[1]]);
        assert!(!out.status.success(), "{bad:?} is refused");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(bad[0]), "the error names the option: {err}");
    }
}
