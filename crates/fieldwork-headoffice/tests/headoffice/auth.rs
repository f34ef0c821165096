//! Sign-in, sessions, CSRF and device revocation.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::*;
use fieldwork_headoffice::store::UserRole;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_technician_gets_a_device_token_that_is_stored_only_as_a_hash() {
    // Reads SQLite's file (and its WAL) for the token.
    let w = World::with(TestServer::start_sqlite().await).await;
    assert_eq!(w.a.technician_id, "tech-a");
    assert!(w.a.token.len() >= 43, "at least 256 bits, base64url");
    let (status, _) = w.a.pull_page(0, 10).await;
    assert_eq!(status, StatusCode::OK);
    let db = std::fs::read(w.server.dir.path().join("headoffice.db")).unwrap();
    let wal = std::fs::read(w.server.dir.path().join("headoffice.db-wal")).unwrap_or_default();
    let needle = w.a.token.as_bytes();
    for bytes in [&db, &wal] {
        assert!(!bytes.windows(needle.len()).any(|win| win == needle), "token stored in clear");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_passwords_unknown_users_and_dispatchers_get_no_device_token() {
    let w = World::new().await;
    let http = client();
    for (user, pw) in [("alice", "nope"), ("nobody", "x"), ("disp", "disp-password")] {
        let resp = http
            .post(w.server.url("/api/v1/auth/device"))
            .json(&json!({"user": user, "password": pw, "device_name": "d"}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "{user}");
        assert_eq!(code(&resp.json().await.unwrap()), "unauthorized");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_cookie_is_http_only_same_site_strict_and_csrf_is_required() {
    let w = World::new().await;
    let http = reqwest::Client::new();
    let resp = http
        .post(w.server.url("/api/v1/auth/session"))
        .json(&json!({"user": "disp", "password": "disp-password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let cookie = resp.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain http on loopback: {cookie}");
    let session = cookie.split(';').next().unwrap().to_owned();

    let create = |csrf: Option<&str>| {
        let mut req = http
            .post(w.server.url("/api/v1/customers"))
            .header("cookie", &session)
            .json(&json!({"name": "Wang Fang", "phone": "13900000000"}));
        if let Some(c) = csrf {
            req = req.header("x-csrf-token", c);
        }
        req.send()
    };
    let resp = create(None).await.unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert_eq!(code(&resp.json().await.unwrap()), "csrf_failed");
    let resp = create(Some("forged")).await.unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let (_, customers) =
        w.dispatcher.call(reqwest::Method::GET, "/api/v1/customers?q=wang", None).await;
    assert_eq!(customers.as_array().unwrap().len(), 0, "a refused request writes nothing");
    let resp = create(Some(&w.dispatcher.csrf)).await.unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN, "another session's token does not work");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_out_ends_the_session() {
    let w = World::new().await;
    let d = &w.dispatcher;
    let (s, info) = d.call(reqwest::Method::GET, "/api/v1/auth/session", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(info["csrf_token"], d.csrf.as_str());
    let (s, _) = d.call(reqwest::Method::DELETE, "/api/v1/auth/session", None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, v) = d.call(reqwest::Method::GET, "/api/v1/jobs", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_session_is_refused() {
    let server =
        TestServer::start_with(|c| c.session_ttl = std::time::Duration::from_millis(1)).await;
    server.add_user("disp", UserRole::Dispatcher, None).await;
    let http = reqwest::Client::new();
    let resp = http
        .post(server.url("/api/v1/auth/session"))
        .json(&json!({"user": "disp", "password": "disp-password"}))
        .send()
        .await
        .unwrap();
    let cookie =
        resp.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    // A browser would drop the cookie itself; one that keeps sending it is refused.
    let resp = http.get(server.url("/api/v1/jobs")).header("cookie", cookie).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(code(&resp.json().await.unwrap()), "session_expired");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_device_is_told_so_on_every_route_and_pushes_nothing() {
    let mut w = World::new().await;
    let revoked = w.server.state.store.revoke_device(&w.a.device_id).await.unwrap();
    assert!(revoked.revoked_at.is_some());
    let note = w.a.note(&w.job_a, "after revocation");
    let e = w.a.entry(note);
    let req = fieldwork_wire::wire::PushRequest::from_outbox(&w.a.device_id, &[e]).unwrap();
    let (s, v) = w.a.push_raw(&serde_json::to_value(&req).unwrap()).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(code(&v), "device_revoked");
    let (s, v) = w.a.pull_page(0, 10).await;
    assert_eq!((s, code(&v).as_str()), (StatusCode::UNAUTHORIZED, "device_revoked"));
    let job = w.dispatcher.job(&w.job_a).await;
    assert_eq!(job["notes"].as_array().unwrap().len(), 0);
    // Bob's device is untouched.
    let (s, _) = w.b.pull_page(0, 10).await;
    assert_eq!(s, StatusCode::OK);
    let devices = w.server.state.store.list_devices().await.unwrap();
    assert_eq!(devices.iter().filter(|d| d.revoked_at.is_some()).count(), 1);
}
