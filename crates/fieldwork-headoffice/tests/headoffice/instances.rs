//! Issue 13, point 5: several head-office instances on one database, behind a proxy. What holds
//! on both backends (two instances on one SQLite file behave like two on one PostgreSQL
//! database here): failed sign-ins are counted in the database, so failures through one
//! instance lock the name out on the other; behind a trusted proxy the client's address is the
//! one the proxy forwards for, and a header from anyone else is ignored. (Live updates across
//! instances need PostgreSQL's LISTEN/NOTIFY: tests/pg_instances.rs.)

use std::time::Duration;

use fieldwork_headoffice::config::{Config, RateLimit, SignInThrottle, parse_trusted_proxy};
use fieldwork_headoffice::store::UserRole;
use reqwest::StatusCode;
use serde_json::json;

use crate::common::*;

/// A second head office on `first`'s database (and data folder), after `tune`.
async fn beside(first: &TestServer, tune: impl FnOnce(&mut Config)) -> TestServer {
    let database = first.state.config.database.clone();
    let dir = first.dir.path().to_owned();
    TestServer::start_with(move |c| {
        c.database = database;
        c.data_dir = dir;
        tune(c);
    })
    .await
}

async fn sign_in(server: &TestServer, user: &str, password: &str) -> StatusCode {
    sign_in_from(server, user, password, None).await
}

/// A dispatcher's sign-in, with `forwarded_for` as X-Forwarded-For when given.
async fn sign_in_from(
    server: &TestServer,
    user: &str,
    password: &str,
    forwarded_for: Option<&str>,
) -> StatusCode {
    let mut req = reqwest::Client::new()
        .post(server.url("/api/v1/auth/session"))
        .json(&json!({"user": user, "password": password}));
    if let Some(f) = forwarded_for {
        req = req.header("x-forwarded-for", f);
    }
    req.send().await.unwrap().status()
}

fn throttle(c: &mut Config) {
    c.sign_in_throttle = Some(SignInThrottle {
        free_failures: 3,
        first_lockout: Duration::from_secs(60),
        ..SignInThrottle::DEFAULT
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_through_one_instance_lock_the_user_name_out_on_the_other() {
    let a = TestServer::start_with(throttle).await;
    let b = beside(&a, throttle).await;
    a.add_user("disp", UserRole::Dispatcher, None).await;
    a.add_user("boss", UserRole::Admin, None).await;

    // Two wrong guesses through each instance: four, one more than the three free ones (each
    // instance alone saw only two).
    for server in [&a, &b, &a, &b] {
        assert_eq!(sign_in(server, "disp", "guess").await, StatusCode::UNAUTHORIZED);
    }
    for server in [&a, &b] {
        let resp = reqwest::Client::new()
            .post(server.url("/api/v1/auth/session"))
            .json(&json!({"user": "disp", "password": password("disp")}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS, "locked on both instances");
        let retry: u64 = resp.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((50..=60).contains(&retry), "{retry}");
    }

    // The owner's sign-in through one instance forgives the failures seen through the other:
    // two, then a success, then three more are still within the free ones.
    for server in [&a, &a] {
        assert_eq!(sign_in(server, "boss", "guess").await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(sign_in(&b, "boss", &password("boss")).await, StatusCode::OK);
    for server in [&a, &b, &a] {
        assert_eq!(sign_in(server, "boss", "typo").await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(sign_in(&b, "boss", &password("boss")).await, StatusCode::OK);
    b.stop().await;
    a.stop().await;
}

/// Three failures free per address, then a minute's lockout; names are never locked here.
fn address_throttle(c: &mut Config) {
    c.sign_in_throttle = Some(SignInThrottle {
        free_failures: 1000,
        free_failures_per_address: 3,
        first_lockout: Duration::from_secs(60),
        ..SignInThrottle::DEFAULT
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_a_trusted_proxy_each_client_address_is_throttled_on_its_own() {
    // The tests' requests come from 127.0.0.1: here that is the load balancer.
    let server = TestServer::start_with(|c| {
        address_throttle(c);
        c.trusted_proxies = vec![parse_trusted_proxy("127.0.0.1").unwrap()];
    })
    .await;
    server.add_user("disp", UserRole::Dispatcher, None).await;
    let (x, y) = (Some("198.51.100.1"), Some("198.51.100.2"));
    for name in ["a", "b", "c", "d"] {
        assert_eq!(sign_in_from(&server, name, "guess", x).await, StatusCode::UNAUTHORIZED);
    }
    // Client x is locked out, client y (behind the same proxy) is not.
    assert_eq!(
        sign_in_from(&server, "disp", &password("disp"), x).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(sign_in_from(&server, "disp", &password("disp"), y).await, StatusCode::OK);
    // x cannot pass for y by writing y into its own header: the proxy appends x, rightmost.
    assert_eq!(
        sign_in_from(&server, "disp", &password("disp"), Some("198.51.100.2, 198.51.100.1")).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Without a header the proxy itself is the client, and it has no failures.
    assert_eq!(sign_in_from(&server, "disp", &password("disp"), None).await, StatusCode::OK);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_forwarded_for_header_of_an_untrusted_peer_is_ignored() {
    // No trusted proxy (the default): the header is anyone's to write, and ignored.
    let server = TestServer::start_with(address_throttle).await;
    server.add_user("disp", UserRole::Dispatcher, None).await;
    for (i, name) in ["a", "b", "c", "d"].into_iter().enumerate() {
        let spoofed = format!("198.51.100.{i}");
        assert_eq!(
            sign_in_from(&server, name, "guess", Some(&spoofed)).await,
            StatusCode::UNAUTHORIZED
        );
    }
    // Every failure counted against the peer, whatever each request claimed.
    assert_eq!(
        sign_in_from(&server, "disp", &password("disp"), Some("203.0.113.50")).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_a_trusted_proxy_the_rate_limit_counts_each_client_address() {
    let server = TestServer::start_with(|c| {
        c.rate_limit = RateLimit { burst: 3, per_second: 0.001 };
        c.trusted_proxies = vec![parse_trusted_proxy("127.0.0.0/8").unwrap()];
    })
    .await;
    let http = reqwest::Client::new();
    let get = |client: &'static str| {
        http.get(server.url("/api/v1/auth/session")).header("x-forwarded-for", client).send()
    };
    for _ in 0..3 {
        assert_eq!(get("198.51.100.1").await.unwrap().status(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(get("198.51.100.1").await.unwrap().status(), StatusCode::TOO_MANY_REQUESTS);
    // Another client behind the same proxy has its own bucket.
    assert_eq!(get("198.51.100.2").await.unwrap().status(), StatusCode::UNAUTHORIZED);
    server.stop().await;
}
