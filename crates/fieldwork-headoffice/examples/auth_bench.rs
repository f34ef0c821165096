//! Sign-in memory benchmark (`make bench-auth`): a head office with production password
//! hashing (argon2id, 19 MiB, 2 passes) takes 200 wrong dispatcher sign-ins 8 at a time, then
//! 400 wrong device sign-ins 64 at a time, from loopback. Prints the process's resident memory
//! (VmRSS) before, after each flood and after a pause, and its peak (VmHWM), in MiB. Sign-in
//! throttling is turned off here so every attempt is hashed (the worst case for memory).
//!
//! With `unbounded`, the same 600 wrong passwords are checked the way sign-in did before
//! password checks were bounded: each on its own blocking-pool task, allocating argon2's
//! memory anew (`secrets::verify_password`), 8 and then 64 at once. Run each mode in its own
//! process to compare.
//!
//! `cargo run --release -p fieldwork-headoffice --example auth_bench [-- unbounded]`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use fieldwork_headoffice::config::{Config, PasswordCost, RateLimit};
use fieldwork_headoffice::secrets::hash_password;
use fieldwork_headoffice::store::{NewUser, UserRole};
use serde_json::json;

/// A line of /proc/self/status, in MiB.
fn status_mib(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn report(label: &str) {
    println!(
        "{label:<44} VmRSS {:>8.1} MiB   VmHWM {:>8.1} MiB",
        status_mib("VmRSS:"),
        status_mib("VmHWM:")
    );
}

async fn flood(base: &str, path: &str, total: usize, at_once: usize, body: serde_json::Value) {
    let http = reqwest::Client::new();
    let gate = Arc::new(tokio::sync::Semaphore::new(at_once));
    let started = Instant::now();
    let mut tasks = Vec::new();
    let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
    for _ in 0..total {
        let permit = gate.clone().acquire_owned().await.unwrap();
        let (http, url, body) = (http.clone(), format!("{base}{path}"), body.clone());
        tasks.push(tokio::spawn(async move {
            let s = http.post(url).json(&body).send().await.unwrap().status().as_u16();
            drop(permit);
            s
        }));
    }
    for t in tasks {
        *statuses.entry(t.await.unwrap()).or_default() += 1;
    }
    println!(
        "{total} × POST {path}, {at_once} at a time: {:.1} s, statuses {statuses:?}",
        started.elapsed().as_secs_f64()
    );
}

/// The old way: every check on its own blocking task, argon2 allocating its memory each time.
async fn unbounded(phc: &str, total: usize, at_once: usize) {
    let gate = Arc::new(tokio::sync::Semaphore::new(at_once));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..total {
        let permit = gate.clone().acquire_owned().await.unwrap();
        let phc = phc.to_owned();
        tasks.push(tokio::task::spawn_blocking(move || {
            let ok = fieldwork_headoffice::secrets::verify_password("wrong", &phc);
            drop(permit);
            ok
        }));
    }
    for t in tasks {
        assert!(!t.await.unwrap());
    }
    println!(
        "{total} unbounded checks, {at_once} at a time: {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

#[tokio::main]
async fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    if std::env::args().nth(1).as_deref() == Some("unbounded") {
        let phc = hash_password("right password", PasswordCost::DEFAULT).unwrap();
        report("started (unbounded checks)");
        unbounded(&phc, 200, 8).await;
        report("after 200 wrong checks (8 at once)");
        unbounded(&phc, 400, 64).await;
        report("after 400 wrong checks (64 at once)");
        tokio::time::sleep(Duration::from_secs(3)).await;
        report("3 s later");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::new(dir.path());
    config.password_cost = PasswordCost::DEFAULT;
    config.rate_limit = RateLimit { burst: 100_000, per_second: 100_000.0 };
    config.sign_in_throttle = None;
    println!("password workers: {}", config.password_workers);
    let state = fieldwork_headoffice::open(config).await.unwrap();
    for (name, role) in [("disp", UserRole::Dispatcher), ("tech", UserRole::Technician)] {
        let technician =
            (role == UserRole::Technician).then(|| fieldwork_domain::domain::Technician {
                id: "tech-1".into(),
                name: "Li Wei".into(),
                phone: None,
                email: None,
                skills: vec![],
                active: true,
            });
        let password_hash = hash_password("right password", PasswordCost::DEFAULT).unwrap();
        state
            .store
            .add_user(NewUser { name: name.into(), role, password_hash, technician })
            .await
            .unwrap();
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let serving = state.clone();
    tokio::spawn(async move {
        fieldwork_headoffice::serve(listener, serving, std::future::pending()).await.unwrap();
    });
    report("started");
    flood(&base, "/api/v1/auth/session", 200, 8, json!({"user": "disp", "password": "wrong"}))
        .await;
    report("after 200 wrong session sign-ins (8 at once)");
    flood(
        &base,
        "/api/v1/auth/device",
        400,
        64,
        json!({"user": "tech", "password": "wrong", "device_name": "bench"}),
    )
    .await;
    report("after 400 wrong device sign-ins (64 at once)");
    tokio::time::sleep(Duration::from_secs(3)).await;
    report("3 s later");
}
