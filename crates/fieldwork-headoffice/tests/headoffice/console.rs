//! The dispatcher console served at `/`: built files, the single-page fallback, the hardening
//! headers, and API routes that keep precedence over the console.

use std::sync::Arc;

use fieldwork_headoffice::config::{Config, PasswordCost, RateLimit};
use fieldwork_headoffice::console::Console;
use reqwest::StatusCode;

use crate::common::code;

/// A head office serving a small built console from a temporary folder.
struct ConsoleServer {
    base: String,
    _data: tempfile::TempDir,
    _ui: tempfile::TempDir,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

const INDEX: &str = "<!doctype html><title>Fieldwork</title><script type=\"module\" src=\"/assets/app-1a2b.js\"></script>";

async fn start() -> ConsoleServer {
    crate::common::install_crypto_provider();
    let ui = tempfile::tempdir().unwrap();
    std::fs::write(ui.path().join("index.html"), INDEX).unwrap();
    std::fs::create_dir(ui.path().join("assets")).unwrap();
    std::fs::write(ui.path().join("assets/app-1a2b.js"), "console.log('board')").unwrap();
    std::fs::write(ui.path().join("assets/app-1a2b.css"), "body{}").unwrap();
    let data = tempfile::tempdir().unwrap();
    // A file beside the console folder that a path trick must never reach.
    std::fs::write(data.path().join("secret.txt"), "secret").unwrap();
    let mut config = Config::new(data.path());
    config.password_cost = PasswordCost::CHEAP;
    config.rate_limit = RateLimit { burst: 100_000, per_second: 100_000.0 };
    let state = fieldwork_headoffice::open(config).await.unwrap();
    let console = Console::open(ui.path()).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        fieldwork_headoffice::serve_app(listener, state, Some(Arc::new(console)), async {
            let _ = stopped.await;
        })
        .await
        .unwrap();
    });
    ConsoleServer { base, _data: data, _ui: ui, stop, task }
}

impl ConsoleServer {
    async fn get(&self, path: &str) -> reqwest::Response {
        reqwest::Client::new().get(format!("{}{path}", self.base)).send().await.unwrap()
    }

    async fn stop(self) {
        let _ = self.stop.send(());
        self.task.await.unwrap();
    }
}

fn header<'a>(resp: &'a reqwest::Response, name: &str) -> &'a str {
    resp.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_is_served_at_the_root_with_a_strict_policy() {
    let s = start().await;
    let resp = s.get("/").await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(header(&resp, "content-type"), "text/html; charset=utf-8");
    let csp = header(&resp, "content-security-policy").to_owned();
    assert!(csp.starts_with("default-src 'self'"), "{csp}");
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(header(&resp, "x-content-type-options"), "nosniff");
    assert_eq!(header(&resp, "cache-control"), "no-cache");
    assert_eq!(resp.text().await.unwrap(), INDEX);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assets_are_served_with_their_types_and_cached_for_good() {
    let s = start().await;
    let js = s.get("/assets/app-1a2b.js").await;
    assert_eq!(js.status(), StatusCode::OK);
    assert_eq!(header(&js, "content-type"), "text/javascript; charset=utf-8");
    assert_eq!(header(&js, "x-content-type-options"), "nosniff");
    assert!(header(&js, "cache-control").contains("immutable"));
    assert_eq!(js.text().await.unwrap(), "console.log('board')");
    let css = s.get("/assets/app-1a2b.css").await;
    assert_eq!(header(&css, "content-type"), "text/css; charset=utf-8");
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_fall_back_to_the_app_and_missing_assets_are_not_found() {
    let s = start().await;
    for page in ["/board", "/jobs/new", "/review/0193"] {
        let resp = s.get(page).await;
        assert_eq!(resp.status(), StatusCode::OK, "{page}");
        assert!(header(&resp, "content-security-policy").contains("default-src 'self'"));
        assert_eq!(resp.text().await.unwrap(), INDEX, "{page}");
    }
    let missing = s.get("/assets/gone-0000.js").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_routes_keep_precedence_and_unknown_api_paths_stay_json() {
    let s = start().await;
    assert_eq!(s.get("/healthz").await.text().await.unwrap(), "ok");
    let session = s.get("/api/v1/auth/session").await;
    assert_eq!(session.status(), StatusCode::UNAUTHORIZED);
    let unknown = s.get("/api/v1/no-such-route").await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    assert_eq!(code(&unknown.json().await.unwrap()), "not_found");
    // Not a page of the app either: a POST to a console path is refused.
    let post = reqwest::Client::new().post(format!("{}/board", s.base)).send().await.unwrap();
    assert_eq!(post.status(), StatusCode::NOT_FOUND);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paths_cannot_escape_the_console_folder() {
    let s = start().await;
    // reqwest normalises `..` itself, so send the raw request line.
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    for path in ["/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt", "/.hidden"] {
        let mut tcp =
            tokio::net::TcpStream::connect(s.base.trim_start_matches("http://")).await.unwrap();
        let req = format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        tcp.write_all(req.as_bytes()).await.unwrap();
        let mut raw = Vec::new();
        tcp.read_to_end(&mut raw).await.unwrap();
        let text = String::from_utf8_lossy(&raw);
        assert!(!text.contains("secret\r\n") && !text.ends_with("secret"), "{path}: {text}");
        assert!(
            text.starts_with("HTTP/1.1 404") || text.starts_with("HTTP/1.1 400"),
            "{path}: {text}"
        );
    }
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_routes_are_in_the_openapi_document() {
    let s = start().await;
    let doc: serde_json::Value = s.get("/api/v1/openapi.json").await.json().await.unwrap();
    for path in [
        "/api/v1/sla/deadlines",
        "/api/v1/jobs/{id}/signatures/{signature_id}",
        "/api/v1/events",
        "/api/v1/admin/users",
        "/api/v1/admin/devices",
        "/api/v1/admin/devices/{id}/revoke",
        "/api/v1/admin/users/{id}/disable",
        "/api/v1/admin/job-types/{id}",
        "/api/v1/admin/parts/{part_no}",
        "/api/v1/admin/sla-policy",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} documented");
    }
    s.stop().await;
}

#[test]
fn a_folder_without_a_built_console_is_refused() {
    let empty = tempfile::tempdir().unwrap();
    let err = Console::open(empty.path()).unwrap_err();
    assert!(err.to_string().contains("index.html"), "{err}");
    assert!(Console::open(&empty.path().join("missing")).is_err());
}

// ---------------------------------------------------------------------------------------------
// Dispatcher endpoints the console needs
// ---------------------------------------------------------------------------------------------

mod endpoints {
    use chrono::{DateTime, Utc};
    use fieldwork_domain::domain::JobStatus;
    use fieldwork_domain::mutation::Mutation;
    use reqwest::StatusCode;
    use serde_json::json;

    use crate::common::{World, code, outcome, sha256_hex};

    fn instant(v: &serde_json::Value) -> DateTime<Utc> {
        v.as_str().unwrap().parse().unwrap()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_work_order_form_previews_the_deadlines_a_job_will_get() {
        let w = World::new().await;
        let d = &w.dispatcher;
        let reported = "2026-11-20T08:00:00Z";
        let urgent = d
            .get(&format!(
                "/api/v1/sla/deadlines?priority=urgent&job_type=repair&reported_at={reported}"
            ))
            .await;
        assert_eq!(instant(&urgent["ack_due_at"]).to_rfc3339(), "2026-11-20T08:30:00+00:00");
        assert_eq!(instant(&urgent["due_at"]).to_rfc3339(), "2026-11-20T12:00:00+00:00");
        assert_eq!(urgent["warranty_status"], "out_of_warranty");
        assert!(urgent["complete_due_at"].is_null());
        let low = d.get(&format!("/api/v1/sla/deadlines?priority=low&job_type=installation&reported_at={reported}&goodwill=true")).await;
        assert_eq!(instant(&low["due_at"]).to_rfc3339(), "2026-11-23T08:00:00+00:00");
        assert_eq!(low["warranty_status"], "goodwill");

        // Equipment in warranty makes a repair an in-warranty repair with a completion deadline,
        // exactly as the created job then has.
        let customer =
            d.post("/api/v1/customers", json!({"name": "Wang Fang", "phone": "13900001111"})).await;
        let site = d
            .post("/api/v1/sites", json!({"customer_id": customer["id"], "address": "1 Park Lane", "city": "Hangzhou"}))
            .await;
        let eq = d
            .post(
                "/api/v1/equipment",
                json!({"site_id": site["id"], "category": "water_heater", "brand": "Haier",
                  "model": "EC6002", "serial": "SN-1", "installed_on": "2026-06-01"}),
            )
            .await;
        let q = format!(
            "/api/v1/sla/deadlines?priority=high&job_type=repair&site_id={}&equipment_id={}&reported_at={reported}",
            site["id"].as_str().unwrap(),
            eq["id"].as_str().unwrap()
        );
        let preview = d.get(&q).await;
        assert_eq!(preview["warranty_status"], "in_warranty");
        assert_eq!(preview["warranty_end"], "2027-06-01");
        // Equipment still being typed in: the same default warranty from its dates.
        let unsaved = d
            .get(&format!(
                "/api/v1/sla/deadlines?priority=high&job_type=repair&installed_on=2026-06-01&reported_at={reported}"
            ))
            .await;
        assert_eq!(unsaved["warranty_end"], "2027-06-01");
        assert_eq!(unsaved["warranty_status"], "in_warranty");
        assert_eq!(unsaved["complete_due_at"], preview["complete_due_at"]);
        let job = d
            .post("/api/v1/jobs", json!({"job_type": "repair", "priority": "high", "customer_id": customer["id"],
                  "site_id": site["id"], "equipment_id": eq["id"], "reported_problem": "No hot water",
                  "reported_at": reported}))
            .await;
        for key in ["ack_due_at", "due_at", "complete_due_at"] {
            assert_eq!(instant(&preview[key]), instant(&job[key]), "{key}");
        }

        let (s, v) = d
            .call(reqwest::Method::GET, "/api/v1/sla/deadlines?priority=soon&job_type=repair", None)
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
        let (s, v) = d
            .call(
                reqwest::Method::GET,
                "/api/v1/sla/deadlines?priority=low&job_type=juggling",
                None,
            )
            .await;
        assert_eq!((s, code(&v)), (StatusCode::BAD_REQUEST, "invalid".to_owned()));
        // Technicians' devices cannot use it (dispatcher routes do not exist for them).
        let resp =
            w.a.http
                .get(w.server.url("/api/v1/sla/deadlines?priority=low&job_type=repair"))
                .bearer_auth(&w.a.token)
                .send()
                .await
                .unwrap();
        assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_dispatcher_sees_the_signature_picture_of_a_job() {
        let mut w = World::new().await;
        let job = w.job_a.clone();
        let mut entries = Vec::new();
        for (from, to) in [
            (JobStatus::Scheduled, JobStatus::EnRoute),
            (JobStatus::EnRoute, JobStatus::OnSite),
            (JobStatus::OnSite, JobStatus::InProgress),
        ] {
            let m = w.a.status(&job, from, to, None);
            entries.push(w.a.entry(m));
        }
        let png = [&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A][..], &[7u8; 200][..]].concat();
        let signature_id = fieldwork_domain::ids::new_id();
        let m = Mutation::SignatureAdded {
            job_id: job.clone(),
            signature_id: signature_id.clone(),
            signer_name: "Chen Jing".into(),
            statement: None,
            signed_at: Utc::now(),
            summary_sha256: sha256_hex(b"facts"),
            png_sha256: sha256_hex(&png),
            strokes: None,
        };
        entries.push(w.a.entry(m));
        let r = w.a.push(&entries).await;
        for i in 0..entries.len() {
            assert_eq!(outcome(&r, i)["outcome"], "applied", "{:?}", r.results);
        }
        let path = format!("/api/v1/jobs/{job}/signatures/{signature_id}");
        // Before the picture is uploaded there is nothing to show.
        let (s, _) = w.dispatcher.call(reqwest::Method::GET, &path, None).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        w.a.upload(&png).await;
        let resp = w.dispatcher.http.get(w.server.url(&path)).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(resp.headers()["content-type"], "image/png");
        assert_eq!(resp.bytes().await.unwrap().as_ref(), png.as_slice());
        // Another job's id with this signature, or an unknown signature: not found.
        let other = format!("/api/v1/jobs/{}/signatures/{signature_id}", w.job_b);
        assert_eq!(
            w.dispatcher.call(reqwest::Method::GET, &other, None).await.0,
            StatusCode::NOT_FOUND
        );
        let unknown = format!("/api/v1/jobs/{job}/signatures/nope");
        assert_eq!(
            w.dispatcher.call(reqwest::Method::GET, &unknown, None).await.0,
            StatusCode::NOT_FOUND
        );
        // The technician's device token is not a dispatcher session: the route does not exist.
        let resp = w.a.http.get(w.server.url(&path)).bearer_auth(&w.a.token).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    }
}

// ---------------------------------------------------------------------------------------------
// Live updates
// ---------------------------------------------------------------------------------------------

mod live {
    use std::time::Duration;

    use fieldwork_headoffice::store::UserRole;
    use reqwest::{Method, StatusCode};
    use serde_json::json;

    use crate::common::{DispatcherClient, TestServer, World, code};

    /// Reads the stream until `needle` has arrived (or fails after a few seconds).
    async fn until(resp: &mut reqwest::Response, seen: &mut String, needle: &str) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while !seen.contains(needle) {
            let chunk = tokio::time::timeout_at(deadline, resp.chunk())
                .await
                .unwrap_or_else(|_| panic!("no {needle:?} in {seen:?}"))
                .unwrap()
                .unwrap_or_else(|| panic!("stream ended before {needle:?}: {seen:?}"));
            seen.push_str(&String::from_utf8_lossy(&chunk));
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn open_consoles_hear_when_a_device_syncs_and_streams_end_at_shutdown() {
        let mut w = World::new().await;
        let mut stream =
            w.dispatcher.http.get(w.server.url("/api/v1/events")).send().await.unwrap();
        assert_eq!(stream.status(), StatusCode::OK);
        assert!(
            stream.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream")
        );
        let mut seen = String::new();
        until(&mut stream, &mut seen, "event: ready").await;
        assert!(!seen.contains("event: changed"), "{seen}");

        // Reading is not a change; a device's push is.
        w.dispatcher.job(&w.job_a).await;
        let note = w.a.note(&w.job_a, "Customer prefers mornings");
        let e = w.a.entry(note);
        w.a.push(&[e]).await;
        until(&mut stream, &mut seen, "event: changed").await;

        // Devices cannot listen.
        let resp =
            w.a.http
                .get(w.server.url("/api/v1/events"))
                .bearer_auth(&w.a.token)
                .send()
                .await
                .unwrap();
        assert_eq!(resp.status(), StatusCode::NOT_FOUND);

        // Shutdown ends the open stream instead of waiting for the browser.
        let started = std::time::Instant::now();
        w.server.stop().await;
        assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
        let rest = tokio::time::timeout(Duration::from_secs(5), stream.chunk()).await.unwrap();
        assert!(matches!(rest, Ok(None) | Err(_)), "stream ended");
    }

    /// Opens a console's stream and reads up to its `ready`.
    async fn open(who: &DispatcherClient, server: &TestServer) -> (reqwest::Response, String) {
        let mut stream = who.http.get(server.url("/api/v1/events")).send().await.unwrap();
        assert_eq!(stream.status(), StatusCode::OK);
        let mut seen = String::new();
        until(&mut stream, &mut seen, "event: ready").await;
        (stream, seen)
    }

    /// Reads the stream until the server ends it; fails if it is still open after `within`.
    async fn ends_within(resp: &mut reqwest::Response, seen: &mut String, within: Duration) {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            match tokio::time::timeout_at(deadline, resp.chunk()).await {
                Err(_) => panic!("stream still open after {within:?}: {seen:?}"),
                Ok(Ok(Some(chunk))) => seen.push_str(&String::from_utf8_lossy(&chunk)),
                Ok(Ok(None) | Err(_)) => return,
            }
        }
    }

    async fn user_id(admin: &DispatcherClient, name: &str) -> String {
        let users = admin.get("/api/v1/admin/users").await;
        let user = users.as_array().unwrap().iter().find(|u| u["name"] == name).unwrap();
        user["id"].as_str().unwrap().to_owned()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_disabled_dispatchers_open_stream_ends_at_once_and_a_new_one_is_refused() {
        let w = World::new().await;
        w.server.add_user("boss", UserRole::Admin, None).await;
        let admin = DispatcherClient::sign_in(&w.server, "boss").await;
        let (mut theirs, mut seen) = open(&w.dispatcher, &w.server).await;
        let (mut admins, mut admin_seen) = open(&admin, &w.server).await;

        let disp = user_id(&admin, "disp").await;
        admin.post(&format!("/api/v1/admin/users/{disp}/disable"), json!({})).await;
        // Well before the periodic check: the disable itself ends the stream.
        ends_within(&mut theirs, &mut seen, Duration::from_secs(5)).await;
        assert!(seen.ends_with("\n\n"), "ended on a whole event: {seen:?}");
        assert!(seen.contains("event: changed"), "a last change makes the console ask: {seen:?}");

        let resp = w.dispatcher.http.get(w.server.url("/api/v1/events")).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
        let body: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(code(&body), "user_disabled");

        // The admin's own stream stays open and hears the change.
        until(&mut admins, &mut admin_seen, "event: changed").await;
        let more = tokio::time::timeout(Duration::from_millis(300), admins.chunk()).await;
        assert!(more.is_err(), "the admin's stream is still open: {more:?}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn signing_out_ends_every_stream_of_that_session_and_no_other() {
        let w = World::new().await;
        w.server.add_user("disp2", UserRole::Dispatcher, None).await;
        let colleague = DispatcherClient::sign_in(&w.server, "disp2").await;
        // Two tabs share the session cookie.
        let (mut tab1, mut seen1) = open(&w.dispatcher, &w.server).await;
        let (mut tab2, mut seen2) = open(&w.dispatcher, &w.server).await;
        let (mut other, mut other_seen) = open(&colleague, &w.server).await;

        let (s, _) = w.dispatcher.call(Method::DELETE, "/api/v1/auth/session", None).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        ends_within(&mut tab1, &mut seen1, Duration::from_secs(5)).await;
        ends_within(&mut tab2, &mut seen2, Duration::from_secs(5)).await;

        let resp = w.dispatcher.http.get(w.server.url("/api/v1/events")).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);

        // A colleague's console goes on hearing changes.
        colleague
            .post(&format!("/api/v1/jobs/{}/cancel", w.job_b), json!({"reason": "test"}))
            .await;
        until(&mut other, &mut other_seen, "event: changed").await;
    }
}

// ---------------------------------------------------------------------------------------------
// Admin
// ---------------------------------------------------------------------------------------------

mod admin {
    use fieldwork_headoffice::store::UserRole;
    use reqwest::{Method, StatusCode};
    use serde_json::json;

    use crate::common::{Device, DispatcherClient, World, code};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_admin_adds_users_and_revokes_a_lost_laptop_and_dispatchers_cannot() {
        let mut w = World::new().await;
        w.server.add_user("boss", UserRole::Admin, None).await;
        let admin = DispatcherClient::sign_in(&w.server, "boss").await;

        // Plain dispatchers may not use these routes.
        for path in ["/api/v1/admin/users", "/api/v1/admin/devices"] {
            let (s, v) = w.dispatcher.call(Method::GET, path, None).await;
            assert_eq!((s, code(&v)), (StatusCode::FORBIDDEN, "forbidden".to_owned()), "{path}");
        }
        let (s, _) = w
            .dispatcher
            .call(
                Method::POST,
                "/api/v1/admin/users",
                Some(json!({"name": "mallory", "role": "admin", "password": "long enough"})),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);

        let users = admin.get("/api/v1/admin/users").await;
        let names: Vec<_> = users.as_array().unwrap().iter().map(|u| u["name"].clone()).collect();
        assert!(names.contains(&json!("alice")) && !names.contains(&json!("mallory")), "{names:?}");

        // A technician with a display name; they can sign a laptop in at once.
        let carol = admin
            .post(
                "/api/v1/admin/users",
                json!({"name": "carol", "role": "technician", "password": "carol-password",
                       "display_name": "Carol Chen"}),
            )
            .await;
        assert_eq!(carol["role"], "technician");
        let techs = admin.get("/api/v1/technicians").await;
        assert!(techs.as_array().unwrap().iter().any(|t| t["name"] == "Carol Chen"));
        let laptop = Device::sign_in(&w.server, "carol").await;
        assert_eq!(laptop.technician_name, "Carol Chen");

        for (body, status, expected) in [
            (
                json!({"name": "dan", "role": "technician", "password": "short"}),
                StatusCode::BAD_REQUEST,
                "invalid",
            ),
            (
                json!({"name": "dan", "role": "janitor", "password": "long enough"}),
                StatusCode::BAD_REQUEST,
                "invalid",
            ),
            (
                json!({"name": "carol", "role": "dispatcher", "password": "long enough"}),
                StatusCode::CONFLICT,
                "already_exists",
            ),
        ] {
            let (s, v) = admin.call(Method::POST, "/api/v1/admin/users", Some(body)).await;
            assert_eq!((s, code(&v).as_str()), (status, expected), "{v}");
        }

        // Alice's laptop is lost: revoked, its next push is refused and says why.
        let devices = admin.get("/api/v1/admin/devices").await;
        let alices =
            devices.as_array().unwrap().iter().find(|d| d["user_name"] == "alice").unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned();
        let revoked =
            admin.post(&format!("/api/v1/admin/devices/{alices}/revoke"), json!({})).await;
        assert!(revoked["revoked_at"].is_string());
        let note = w.a.note(&w.job_a, "still here?");
        let e = w.a.entry(note);
        let body = serde_json::to_value(
            fieldwork_wire::wire::PushRequest::from_outbox(&w.a.device_id, &[e]).unwrap(),
        )
        .unwrap();
        let (s, v) = w.a.push_raw(&body).await;
        assert_eq!((s, code(&v)), (StatusCode::UNAUTHORIZED, "device_revoked".to_owned()));
        let (s, _) =
            admin.call(Method::POST, "/api/v1/admin/devices/no-such-device/revoke", None).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }
}
