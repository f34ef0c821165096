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
    assert_eq!(cells, 7 * 5 * 3);
    // The refused pushes are on record with their reason.
    let rejected = w.dispatcher.job(&job_b).await["rejected_mutations"].as_array().unwrap().len();
    assert_eq!(rejected, 1, "technician A's note on B's job");
}
