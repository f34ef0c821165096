//! Issue 13, point 5: two head-office instances on one PostgreSQL database, as behind a load
//! balancer: a console connected to one hears, within moments, what is committed through the
//! other (LISTEN/NOTIFY, `db::postgres::PgBackend::watch`), and a sign-out or a user disabled
//! through one ends the streams open on the other. Run through scripts/with-postgres (`make
//! test` does); without FIELDWORK_TEST_POSTGRES these tests fail, they are never skipped.
// Helpers outside #[test] functions unwrap too: a failing unwrap is a failing test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[allow(dead_code)]
#[path = "headoffice/common.rs"]
mod common;

use std::time::{Duration, Instant};

use common::{DispatcherClient, TestServer, World};
use fieldwork_headoffice::config::DatabaseLocation;
use fieldwork_headoffice::db::postgres::LISTENER_NAME;
use fieldwork_headoffice::store::UserRole;
use reqwest::{Method, StatusCode};
use serde_json::json;

/// Far longer than a notification takes; only reached when one never comes (the failure).
const WAIT: Duration = Duration::from_secs(15);

/// A head office on a new database of the test cluster.
async fn first() -> TestServer {
    let server = std::env::var("FIELDWORK_TEST_POSTGRES").unwrap_or_else(|_| {
        panic!(
            "FIELDWORK_TEST_POSTGRES is not set: run through scripts/with-postgres \
             (`scripts/with-postgres cargo test -p fieldwork-headoffice --test pg_instances`)"
        )
    });
    let url = tokio::task::spawn_blocking(move || {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let name = format!("inst_{}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::SeqCst));
        let mut admin = postgres::Client::connect(&server, postgres::NoTls).unwrap();
        admin.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
        let (cluster, _) = server.rsplit_once('/').unwrap();
        format!("{cluster}/{name}")
    })
    .await
    .unwrap();
    TestServer::start_with(move |c| c.database = DatabaseLocation::Postgres { url }).await
}

/// A second head office on `first`'s database.
async fn beside(first: &TestServer) -> TestServer {
    let database = first.state.config.database.clone();
    TestServer::start_with(move |c| c.database = database).await
}

/// Opens a console's stream on `server` and reads up to its `ready`.
async fn open(who: &DispatcherClient, server: &TestServer) -> (reqwest::Response, String) {
    let mut stream = who.http.get(server.url("/api/v1/events")).send().await.unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    let mut seen = String::new();
    until(&mut stream, &mut seen, "event: ready").await;
    (stream, seen)
}

/// Reads the stream until `needle` has arrived `times` times in all.
async fn until_n(resp: &mut reqwest::Response, seen: &mut String, needle: &str, times: usize) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while seen.matches(needle).count() < times {
        let chunk = tokio::time::timeout_at(deadline, resp.chunk())
            .await
            .unwrap_or_else(|_| panic!("no {needle:?} (x{times}) in {seen:?}"))
            .unwrap()
            .unwrap_or_else(|| panic!("stream ended before {needle:?}: {seen:?}"));
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
}

async fn until(resp: &mut reqwest::Response, seen: &mut String, needle: &str) {
    until_n(resp, seen, needle, 1).await;
}

/// Reads the stream until the server ends it.
async fn ends(resp: &mut reqwest::Response, seen: &mut String) {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        match tokio::time::timeout_at(deadline, resp.chunk()).await {
            Err(_) => panic!("stream still open after {WAIT:?}: {seen:?}"),
            Ok(Ok(Some(chunk))) => seen.push_str(&String::from_utf8_lossy(&chunk)),
            Ok(Ok(None) | Err(_)) => return,
        }
    }
}

/// Ends every listening connection of the test database (both instances').
async fn terminate_listeners(server: &TestServer) -> i64 {
    let DatabaseLocation::Postgres { url } = server.state.config.database.clone() else {
        unreachable!()
    };
    tokio::task::spawn_blocking(move || {
        let mut pg = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        pg.query_one(
            "SELECT COUNT(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE datname = current_database() AND application_name LIKE $1) AS t",
            &[&format!("{LISTENER_NAME}%")],
        )
        .unwrap()
        .get(0)
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_through_one_instance_reaches_a_console_on_the_other() {
    let w = World::with(first().await).await;
    let b = beside(&w.server).await;
    let (mut stream, mut seen) = open(&w.dispatcher, &w.server).await;

    // A dispatcher working through instance B cancels a job: the console on A hears it.
    let colleague = {
        w.server.add_user("disp2", UserRole::Dispatcher, None).await;
        DispatcherClient::sign_in(&b, "disp2").await
    };
    let sent = Instant::now();
    colleague.post(&format!("/api/v1/jobs/{}/cancel", w.job_b), json!({"reason": "test"})).await;
    until(&mut stream, &mut seen, "event: changed").await;
    eprintln!("a change through instance B reached A's console after {:?}", sent.elapsed());

    // A device syncing through B: heard on A too.
    let mut alice = common::Device::sign_in(&b, "alice").await;
    let note = alice.note(&w.job_a, "Gate code 1234");
    let e = alice.entry(note);
    alice.push(&[e]).await;
    until_n(&mut stream, &mut seen, "event: changed", 2).await;

    // The listening connections are ended (as when PostgreSQL restarts): each instance
    // listens again and, as it may have missed something, tells its consoles to look again…
    assert_eq!(terminate_listeners(&w.server).await, 2, "one listener per instance");
    until_n(&mut stream, &mut seen, "event: changed", 3).await;
    // …and hears B's next change.
    let note = alice.note(&w.job_a, "Dog in the yard");
    let e = alice.entry(note);
    alice.push(&[e]).await;
    until_n(&mut stream, &mut seen, "event: changed", 4).await;

    // Shutting an instance down stops its listener.
    let events = b.state.events.clone();
    assert!(events.following());
    b.stop().await;
    let deadline = Instant::now() + WAIT;
    while events.following() {
        assert!(Instant::now() < deadline, "the listener still runs after shutdown");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    w.server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_out_or_disabling_through_one_instance_ends_streams_on_the_other() {
    let w = World::with(first().await).await;
    let b = beside(&w.server).await;
    w.server.add_user("boss", UserRole::Admin, None).await;
    w.server.add_user("disp2", UserRole::Dispatcher, None).await;

    // The dispatcher's session, used through B (the load balancer sent the sign-out there),
    // has a stream open on A.
    let (mut on_a, mut seen) = open(&w.dispatcher, &w.server).await;
    let through_b = DispatcherClient {
        http: w.dispatcher.http.clone(),
        csrf: w.dispatcher.csrf.clone(),
        base: b.base.clone(),
    };
    let (s, _) = through_b.call(Method::DELETE, "/api/v1/auth/session", None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    ends(&mut on_a, &mut seen).await;
    assert!(seen.contains("event: changed"), "a last change makes the console ask: {seen:?}");

    // A colleague's stream on A ends when an admin disables them through B.
    let colleague = DispatcherClient::sign_in(&w.server, "disp2").await;
    let (mut theirs, mut theirs_seen) = open(&colleague, &w.server).await;
    let admin = DispatcherClient::sign_in(&b, "boss").await;
    let users = admin.get("/api/v1/admin/users").await;
    let id = users.as_array().unwrap().iter().find(|u| u["name"] == "disp2").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    admin.post(&format!("/api/v1/admin/users/{id}/disable"), json!({})).await;
    ends(&mut theirs, &mut theirs_seen).await;
    b.stop().await;
    w.server.stop().await;
}
