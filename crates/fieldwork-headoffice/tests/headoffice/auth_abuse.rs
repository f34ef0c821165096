//! Issue 12, point 10: wrong passwords in bulk. Password checks run a few at a time; repeated
//! failures lock the user name (briefly) and the address (longer) with `429 rate_limited` and
//! `Retry-After`; an unknown name costs a password check like a known one; failures are logged
//! with the name and address, never the password.
//!
//! Memory is measured by `make bench-auth` (examples/auth_bench.rs), not here: these tests
//! assert the bound that keeps it flat (how many checks run at once), which is deterministic.

use std::io::Write;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use fieldwork_headoffice::config::SignInThrottle;
use fieldwork_headoffice::store::UserRole;
use reqwest::StatusCode;
use serde_json::json;

use crate::common::*;

async fn sign_in(server: &TestServer, user: &str, password: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(server.url("/api/v1/auth/session"))
        .json(&json!({"user": user, "password": password}))
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_most_the_configured_number_of_password_checks_run_at_once() {
    let server = TestServer::start_with(|c| {
        c.password_workers = 2;
        c.sign_in_throttle = None;
        // Costly enough that 48 checks overlap if nothing holds them back.
        c.password_cost =
            fieldwork_headoffice::config::PasswordCost { memory_kib: 4 * 1024, iterations: 1 };
    })
    .await;
    server.add_user("alice", UserRole::Technician, Some("tech-a")).await;
    let http = reqwest::Client::new();
    let attempts = (0..48).map(|i| {
        let (http, url) = (http.clone(), server.url("/api/v1/auth/device"));
        let user = if i % 2 == 0 { "alice".to_owned() } else { format!("nobody-{i}") };
        tokio::spawn(async move {
            http.post(url)
                .json(&json!({"user": user, "password": "wrong", "device_name": "d"}))
                .send()
                .await
                .unwrap()
                .status()
        })
    });
    for a in attempts.collect::<Vec<_>>() {
        assert_eq!(a.await.unwrap(), StatusCode::UNAUTHORIZED);
    }
    let checker = &server.state.passwords;
    assert_eq!(checker.checks_done(), 48, "every attempt, known name or not, was checked");
    assert!(
        (1..=2).contains(&checker.peak_concurrency()),
        "{} checks ran at once with 2 workers",
        checker.peak_concurrency()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_user_name_costs_one_password_check_like_a_known_one() {
    let server = TestServer::start().await;
    server.add_user("disp", UserRole::Dispatcher, None).await;
    let checker = server.state.passwords.clone();
    assert_eq!(sign_in(&server, "disp", "wrong").await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(checker.checks_done(), 1);
    let resp = sign_in(&server, "no-such-user", "wrong").await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(code(&resp.json().await.unwrap()), "unauthorized", "the same answer");
    assert_eq!(checker.checks_done(), 2, "checked against the decoy hash");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_failures_lock_the_user_name_for_doubling_times_then_let_the_owner_in() {
    let server = TestServer::start_with(|c| {
        c.sign_in_throttle = Some(SignInThrottle { free_failures: 3, ..SignInThrottle::DEFAULT })
    })
    .await;
    server.add_user("disp", UserRole::Dispatcher, None).await;
    server.add_user("admin", UserRole::Admin, None).await;
    for _ in 0..4 {
        assert_eq!(sign_in(&server, "disp", "guess").await.status(), StatusCode::UNAUTHORIZED);
    }
    // The fourth failure locked the name for a second: even the right password waits, and no
    // password is checked meanwhile.
    let checks = server.state.passwords.checks_done();
    let resp = sign_in(&server, "DISP", &password("disp")).await;
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = resp.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert_eq!(retry, 1);
    assert_eq!(code(&resp.json().await.unwrap()), "rate_limited");
    assert_eq!(server.state.passwords.checks_done(), checks);
    // Another name from the same address is not locked.
    assert_eq!(sign_in(&server, "admin", &password("admin")).await.status(), StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    // Once the lockout is over, one more failure locks it for twice as long.
    assert_eq!(sign_in(&server, "disp", "guess").await.status(), StatusCode::UNAUTHORIZED);
    let resp = sign_in(&server, "disp", &password("disp")).await;
    assert_eq!(resp.headers()["retry-after"].to_str().unwrap(), "2");
    tokio::time::sleep(Duration::from_millis(2100)).await;
    // The owner gets in, and that forgives the failures.
    assert_eq!(sign_in(&server, "disp", &password("disp")).await.status(), StatusCode::OK);
    assert_eq!(sign_in(&server, "disp", "typo").await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_from_one_address_lock_that_address_for_every_name() {
    let server = TestServer::start_with(|c| {
        c.sign_in_throttle = Some(SignInThrottle {
            free_failures_per_address: 3,
            first_lockout: Duration::from_secs(30),
            ..SignInThrottle::DEFAULT
        })
    })
    .await;
    server.add_user("disp", UserRole::Dispatcher, None).await;
    for name in ["a", "b", "c", "d"] {
        assert_eq!(sign_in(&server, name, "guess").await.status(), StatusCode::UNAUTHORIZED);
    }
    let resp = sign_in(&server, "disp", &password("disp")).await;
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(resp.headers()["retry-after"].to_str().unwrap(), "30");
    // Device sign-in counts the same failures.
    let resp = reqwest::Client::new()
        .post(server.url("/api/v1/auth/device"))
        .json(&json!({"user": "e", "password": "guess", "device_name": "d"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
}

/// Everything any test in this binary logs, from the first call on.
fn captured_logs() -> &'static Mutex<Vec<u8>> {
    static LOGS: OnceLock<Mutex<Vec<u8>>> = OnceLock::new();
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        struct Capture;
        impl Write for Capture {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                captured_logs().lock().unwrap().extend_from_slice(buf);
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::INFO)
            .with_ansi(false)
            .with_writer(|| Capture)
            .finish();
        tracing::subscriber::set_global_default(subscriber).unwrap();
    });
    LOGS.get_or_init(|| Mutex::new(Vec::new()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_sign_in_is_logged_with_the_name_and_address_but_not_the_password() {
    captured_logs();
    let server = TestServer::start().await;
    server.add_user("mallory-target", UserRole::Dispatcher, None).await;
    let secret = "Sup3r-s3cret-guess-4711";
    assert_eq!(sign_in(&server, "mallory-target", secret).await.status(), StatusCode::UNAUTHORIZED);
    let resp = reqwest::Client::new()
        .post(server.url("/api/v1/auth/device"))
        .json(&json!({"user": "unknown-user-4711", "password": secret, "device_name": "d"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    // The right password is not logged either.
    assert_eq!(
        sign_in(&server, "mallory-target", &password("mallory-target")).await.status(),
        StatusCode::OK
    );
    let logs = String::from_utf8_lossy(&captured_logs().lock().unwrap()).into_owned();
    let failed: Vec<&str> = logs.lines().filter(|l| l.contains("sign-in failed")).collect();
    for user in ["mallory-target", "unknown-user-4711"] {
        let line = failed.iter().find(|l| l.contains(user));
        let line = line.unwrap_or_else(|| panic!("no failure logged for {user}:\n{logs}"));
        assert!(line.contains("127.0.0.1"), "{line}");
    }
    assert!(!logs.contains(secret), "a password was logged:\n{logs}");
    assert!(!logs.contains(&password("mallory-target")), "a password was logged");
}
