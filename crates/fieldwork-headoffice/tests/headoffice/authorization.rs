//! The authorization matrix: every job-scoped route × every kind of caller × own job, another
//! technician's job and a job that does not exist. Only the allowed cells succeed; the others
//! answer the same 404 (or 401 without valid credentials) and change nothing.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::*;
use fieldwork_headoffice::store::UserRole;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caller {
    TechA,
    TechB,
    Dispatcher,
    Revoked,
    Nobody,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Object {
    OwnOfA,
    OfB,
    Missing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    ReadJob,
    EditJob,
    CancelJob,
    ScheduleJob,
    DownloadPhoto,
    ServiceReport,
    PushNote,
    DownloadBlob,
}

/// What a cell must answer: an HTTP status with an error code, or a push outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Expect {
    Ok,
    Http(StatusCode, &'static str),
    Rejected(&'static str),
}

fn expected(route: Route, caller: Caller, object: Object) -> Expect {
    use Caller::*;
    match caller {
        Nobody => return Expect::Http(StatusCode::UNAUTHORIZED, "unauthorized"),
        Revoked => return Expect::Http(StatusCode::UNAUTHORIZED, "device_revoked"),
        _ => {}
    }
    let technician_route = matches!(route, Route::PushNote | Route::DownloadBlob);
    let not_found = Expect::Http(StatusCode::NOT_FOUND, "not_found");
    match (technician_route, caller) {
        (false, Dispatcher) => {
            if object == Object::Missing {
                not_found
            } else {
                Expect::Ok
            }
        }
        (false, _) => not_found,
        (true, Dispatcher) => not_found,
        (true, tech) => {
            let own = matches!((tech, object), (TechA, Object::OwnOfA) | (TechB, Object::OfB));
            match (own, route) {
                (true, _) => Expect::Ok,
                (false, Route::PushNote) => Expect::Rejected("not_found"),
                (false, _) => not_found,
            }
        }
    }
}

/// Everything about the two jobs that a refused request must leave alone.
async fn snapshot(w: &World) -> Vec<Value> {
    let mut out = Vec::new();
    for id in [&w.job_a, &w.job_b] {
        let mut j = w.dispatcher.job(id).await;
        j.as_object_mut().unwrap().remove("rejected_mutations");
        out.push(j);
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_allowed_callers_reach_a_job_and_refusals_change_nothing() {
    let mut w = World::new().await;
    w.server.add_user("carol", UserRole::Technician, Some("tech-c")).await;
    let mut carol = Device::sign_in(&w.server, "carol").await;
    let job_a = w.job_a.clone();
    let job_b = w.job_b.clone();
    let (photo_a, sha_a) = w.a.add_photo(&job_a, 1).await;
    let (photo_b, sha_b) = w.b.add_photo(&job_b, 2).await;
    w.server.state.store.revoke_device(&carol.device_id).await.unwrap();
    let missing_job = fieldwork_core::ids::new_id();
    let missing_sha = sha256_hex(b"nothing");
    let anonymous = reqwest::Client::new();

    let routes = [
        Route::ReadJob,
        Route::EditJob,
        Route::ScheduleJob,
        Route::DownloadPhoto,
        Route::ServiceReport,
        Route::PushNote,
        Route::DownloadBlob,
        Route::CancelJob,
    ];
    // The dispatcher goes last: its allowed writes change the jobs.
    let callers =
        [Caller::Nobody, Caller::Revoked, Caller::TechB, Caller::TechA, Caller::Dispatcher];
    let mut cells = 0;
    for route in routes {
        for caller in callers {
            for object in [Object::OwnOfA, Object::OfB, Object::Missing] {
                let (job, photo, sha) = match object {
                    Object::OwnOfA => (job_a.clone(), photo_a.clone(), sha_a.clone()),
                    Object::OfB => (job_b.clone(), photo_b.clone(), sha_b.clone()),
                    Object::Missing => {
                        (missing_job.clone(), "no-photo".to_owned(), missing_sha.clone())
                    }
                };
                let want = expected(route, caller, object);
                let before = snapshot(&w).await;
                let start = chrono::Utc::now() + chrono::Duration::hours(3);
                let (method, path, body): (Method, String, Option<Value>) = match route {
                    Route::ReadJob => (Method::GET, format!("/api/v1/jobs/{job}"), None),
                    Route::EditJob => (
                        Method::PATCH,
                        format!("/api/v1/jobs/{job}"),
                        Some(json!({"reported_problem": format!("edited by {caller:?}")})),
                    ),
                    Route::ScheduleJob => (
                        Method::POST,
                        format!("/api/v1/jobs/{job}/schedule"),
                        Some(
                            json!({"assignee_id": if object == Object::OfB {"tech-b"} else {"tech-a"}, "appointment_start": start, "appointment_end": start + chrono::Duration::hours(1)}),
                        ),
                    ),
                    Route::CancelJob => (
                        Method::POST,
                        format!("/api/v1/jobs/{job}/cancel"),
                        Some(json!({"reason": "customer called off"})),
                    ),
                    Route::DownloadPhoto => {
                        (Method::GET, format!("/api/v1/jobs/{job}/photos/{photo}"), None)
                    }
                    Route::ServiceReport => {
                        (Method::GET, format!("/api/v1/jobs/{job}/report.pdf?lang=en"), None)
                    }
                    Route::DownloadBlob => (Method::GET, format!("/api/v1/blobs/{sha}"), None),
                    Route::PushNote => (Method::POST, "/api/v1/sync/push".to_owned(), None),
                };
                let (status, value, push_outcome) = match (caller, route) {
                    (Caller::TechA | Caller::TechB | Caller::Revoked, Route::PushNote) => {
                        let dev: &mut Device = match caller {
                            Caller::TechA => &mut w.a,
                            Caller::TechB => &mut w.b,
                            _ => &mut carol,
                        };
                        let m = dev.note(&job, "matrix note");
                        let e = dev.entry(m);
                        let req =
                            fieldwork_sync::wire::PushRequest::from_outbox(&dev.device_id, &[e])
                                .unwrap();
                        let (s, v) = dev.push_raw(&serde_json::to_value(&req).unwrap()).await;
                        let o = v["results"][0].clone();
                        (s, v, Some(o))
                    }
                    (Caller::TechA | Caller::TechB | Caller::Revoked, _) => {
                        let dev = match caller {
                            Caller::TechA => &w.a,
                            Caller::TechB => &w.b,
                            _ => &carol,
                        };
                        let mut req =
                            dev.http.request(method, w.server.url(&path)).bearer_auth(&dev.token);
                        if let Some(b) = body {
                            req = req.json(&b);
                        }
                        let resp = req.send().await.unwrap();
                        let s = resp.status();
                        (s, resp.json::<Value>().await.unwrap_or(Value::Null), None)
                    }
                    (Caller::Dispatcher, Route::PushNote) => {
                        let (s, v) = w
                            .dispatcher
                            .call(method, &path, Some(json!({"device_id": "x", "entries": []})))
                            .await;
                        (s, v, None)
                    }
                    (Caller::Dispatcher, _) => {
                        let (s, v) = w.dispatcher.call(method, &path, body).await;
                        (s, v, None)
                    }
                    (Caller::Nobody, _) => {
                        let mut req = anonymous.request(method, w.server.url(&path));
                        if let Some(b) = body {
                            req = req.json(&b);
                        } else if route == Route::PushNote {
                            req = req.json(&json!({"device_id": "x", "entries": []}));
                        }
                        let resp = req.send().await.unwrap();
                        let s = resp.status();
                        (s, resp.json::<Value>().await.unwrap_or(Value::Null), None)
                    }
                };
                let cell = format!("{route:?} × {caller:?} × {object:?}");
                match &want {
                    Expect::Ok => {
                        assert_eq!(status, StatusCode::OK, "{cell}: {value}");
                        if let Some(o) = &push_outcome {
                            assert_eq!(o["outcome"], "applied", "{cell}: {o}");
                        }
                    }
                    Expect::Http(s, c) => {
                        assert_eq!(status, *s, "{cell}: {value}");
                        assert_eq!(code(&value), *c, "{cell}");
                    }
                    Expect::Rejected(c) => {
                        assert_eq!(status, StatusCode::OK, "{cell}: {value}");
                        let o = push_outcome.unwrap();
                        assert_eq!(o["outcome"], "rejected", "{cell}: {o}");
                        assert_eq!(o["code"], *c, "{cell}");
                    }
                }
                if want != Expect::Ok {
                    assert_eq!(snapshot(&w).await, before, "{cell} changed something");
                }
                cells += 1;
            }
        }
    }
    assert_eq!(cells, 8 * 5 * 3);
    // The refused pushes are on record with their reason.
    let rejected = w.dispatcher.job(&job_b).await["rejected_mutations"].as_array().unwrap().len();
    assert_eq!(rejected, 1, "technician A's note on B's job");
}

// ---------------------------------------------------------------------------------------------
// Admin routes
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AdminCaller {
    Nobody,
    RevokedLaptop,
    DisabledTechniciansLaptop,
    Technician,
    Dispatcher,
    DisabledAdmin,
    AdminWithoutCsrf,
    Admin,
}

/// Everything the admin routes manage, to check that a refusal changed nothing.
async fn admin_snapshot(admin: &DispatcherClient) -> Vec<Value> {
    let mut out = Vec::new();
    for path in [
        "/api/v1/admin/users",
        "/api/v1/admin/devices",
        "/api/v1/admin/job-types",
        "/api/v1/admin/parts?limit=1000",
        "/api/v1/admin/sla-policy",
    ] {
        out.push(admin.get(path).await);
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_an_admins_session_reaches_the_admin_routes_and_refusals_change_nothing() {
    let w = World::new().await;
    w.server.add_user("boss", UserRole::Admin, None).await;
    w.server.add_user("old-boss", UserRole::Admin, None).await;
    w.server.add_user("carol", UserRole::Technician, Some("tech-c")).await;
    w.server.add_user("dave", UserRole::Technician, Some("tech-d")).await;
    w.server.add_user("victim", UserRole::Dispatcher, None).await;
    let admin = DispatcherClient::sign_in(&w.server, "boss").await;
    let old_boss = DispatcherClient::sign_in(&w.server, "old-boss").await;
    let carol = Device::sign_in(&w.server, "carol").await;
    let dave = Device::sign_in(&w.server, "dave").await;
    w.server.state.store.revoke_device(&carol.device_id).await.unwrap();
    let users = admin.get("/api/v1/admin/users").await;
    let id_of = |name: &str| {
        users.as_array().unwrap().iter().find(|u| u["name"] == name).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (victim, old_boss_id, dave_id) = (id_of("victim"), id_of("old-boss"), id_of("dave"));
    admin.post(&format!("/api/v1/admin/users/{old_boss_id}/disable"), json!({})).await;
    admin.post(&format!("/api/v1/admin/users/{dave_id}/disable"), json!({})).await;
    let jt = admin.get("/api/v1/admin/job-types").await[0]["job_type"].clone();
    let jt_id = jt["id"].as_str().unwrap().to_owned();
    let mut jt_edit = jt.clone();
    jt_edit["default_duration_minutes"] = json!(60);
    let policy = admin.get("/api/v1/admin/sla-policy").await["policy"].clone();
    let device = admin.get("/api/v1/admin/devices").await[0]["id"].as_str().unwrap().to_owned();
    let new_type = json!({"code": "matrix_type", "name": "Matrix", "name_zh": "矩阵",
                          "checklist": [], "required_photo_kinds": []});
    let new_part = json!({"part_no": "MX-1", "description": "Matrix part",
                          "description_zh": "矩阵零件", "unit_price_cents": 1});

    let routes: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, "/api/v1/admin/users".into(), None),
        (
            Method::POST,
            "/api/v1/admin/users".into(),
            Some(json!({"name": "newbie", "role": "dispatcher", "password": "long enough"})),
        ),
        (Method::POST, format!("/api/v1/admin/users/{victim}/disable"), None),
        (Method::POST, format!("/api/v1/admin/users/{victim}/enable"), None),
        (Method::GET, "/api/v1/admin/devices".into(), None),
        (Method::GET, "/api/v1/admin/job-types".into(), None),
        (Method::POST, "/api/v1/admin/job-types".into(), Some(new_type)),
        (Method::PUT, format!("/api/v1/admin/job-types/{jt_id}"), Some(jt_edit)),
        (Method::POST, format!("/api/v1/admin/job-types/{jt_id}/deactivate"), None),
        (Method::POST, format!("/api/v1/admin/job-types/{jt_id}/activate"), None),
        (Method::GET, "/api/v1/admin/parts?q=a".into(), None),
        (Method::POST, "/api/v1/admin/parts".into(), Some(new_part)),
        (Method::PATCH, "/api/v1/admin/parts/MX-1".into(), Some(json!({"unit_price_cents": 2}))),
        (Method::POST, "/api/v1/admin/parts/MX-1/deactivate".into(), None),
        (Method::POST, "/api/v1/admin/parts/MX-1/activate".into(), None),
        (Method::GET, "/api/v1/admin/sla-policy".into(), None),
        (Method::PUT, "/api/v1/admin/sla-policy".into(), Some(policy)),
        // Revoking goes last: it ends a laptop the other cells use.
        (Method::POST, format!("/api/v1/admin/devices/{device}/revoke"), None),
    ];
    let callers = [
        AdminCaller::Nobody,
        AdminCaller::RevokedLaptop,
        AdminCaller::DisabledTechniciansLaptop,
        AdminCaller::Technician,
        AdminCaller::Dispatcher,
        AdminCaller::DisabledAdmin,
        AdminCaller::AdminWithoutCsrf,
        AdminCaller::Admin,
    ];
    let anonymous = reqwest::Client::new();
    let mut cells = 0;
    for (method, path, body) in &routes {
        for caller in callers {
            let mutating = *method != Method::GET;
            let want: Option<(StatusCode, &str)> = match caller {
                AdminCaller::Nobody => Some((StatusCode::UNAUTHORIZED, "unauthorized")),
                AdminCaller::RevokedLaptop => Some((StatusCode::UNAUTHORIZED, "device_revoked")),
                AdminCaller::DisabledTechniciansLaptop | AdminCaller::DisabledAdmin => {
                    Some((StatusCode::UNAUTHORIZED, "user_disabled"))
                }
                AdminCaller::Technician | AdminCaller::Dispatcher => {
                    Some((StatusCode::FORBIDDEN, "forbidden"))
                }
                AdminCaller::AdminWithoutCsrf if mutating => {
                    Some((StatusCode::FORBIDDEN, "csrf_failed"))
                }
                AdminCaller::AdminWithoutCsrf | AdminCaller::Admin => None,
            };
            let before = if want.is_some() { Some(admin_snapshot(&admin).await) } else { None };
            let (status, value) = match caller {
                AdminCaller::Admin => admin.call(method.clone(), path, body.clone()).await,
                AdminCaller::Dispatcher => {
                    w.dispatcher.call(method.clone(), path, body.clone()).await
                }
                AdminCaller::DisabledAdmin => {
                    old_boss.call(method.clone(), path, body.clone()).await
                }
                _ => {
                    let mut req = match caller {
                        AdminCaller::AdminWithoutCsrf => {
                            admin.http.request(method.clone(), w.server.url(path))
                        }
                        AdminCaller::Nobody => {
                            anonymous.request(method.clone(), w.server.url(path))
                        }
                        AdminCaller::RevokedLaptop => carol
                            .http
                            .request(method.clone(), w.server.url(path))
                            .bearer_auth(&carol.token),
                        AdminCaller::DisabledTechniciansLaptop => dave
                            .http
                            .request(method.clone(), w.server.url(path))
                            .bearer_auth(&dave.token),
                        _ => {
                            w.a.http
                                .request(method.clone(), w.server.url(path))
                                .bearer_auth(&w.a.token)
                        }
                    };
                    if let Some(b) = body {
                        req = req.json(b);
                    }
                    let resp = req.send().await.unwrap();
                    let s = resp.status();
                    (s, resp.json::<Value>().await.unwrap_or(Value::Null))
                }
            };
            let cell = format!("{method} {path} × {caller:?}");
            match want {
                Some((s, c)) => {
                    assert_eq!((status, code(&value).as_str()), (s, c), "{cell}: {value}");
                    assert_eq!(
                        Some(admin_snapshot(&admin).await),
                        before,
                        "{cell} changed something"
                    );
                }
                None => assert!(status.is_success(), "{cell}: {status} {value}"),
            }
            cells += 1;
        }
    }
    assert_eq!(cells, routes.len() * callers.len());
}
