//! The dispatcher API: master data, job numbers, scheduling, lifecycle moves, lists.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_get_head_office_numbers_in_sequence() {
    let w = World::new().await;
    let year = chrono::Utc::now().format("%Y").to_string();
    let j1 = w.dispatcher.job(&w.job_a).await;
    let j2 = w.dispatcher.job(&w.job_b).await;
    assert_eq!(j1["work_order"]["number"], format!("WO-{year}-000001"));
    assert_eq!(j2["work_order"]["number"], format!("WO-{year}-000002"));
    let j3 = w.dispatcher.new_job().await;
    assert_eq!(j3["number"], format!("WO-{year}-000003"));
    assert_eq!(j3["status"], "new");
    assert_eq!(j3["owner_dispatcher"], "disp");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_job_list_filters_by_status_assignee_date_and_text() {
    let w = World::new().await;
    let new = w.dispatcher.new_job().await;
    let all = w.dispatcher.get("/api/v1/jobs").await;
    assert_eq!(all.as_array().unwrap().len(), 3);
    let only_new = w.dispatcher.get("/api/v1/jobs?status=new").await;
    assert_eq!(only_new.as_array().unwrap().len(), 1);
    assert_eq!(only_new[0]["id"], new["id"]);
    let of_a = w.dispatcher.get("/api/v1/jobs?assignee=tech-a").await;
    assert_eq!(of_a.as_array().unwrap().len(), 1);
    assert_eq!(of_a[0]["assignee_name"], "Technician alice");
    let unassigned = w.dispatcher.get("/api/v1/jobs?assignee=none").await;
    assert_eq!(unassigned.as_array().unwrap().len(), 1);
    let by_text = w.dispatcher.get("/api/v1/jobs?q=DRIPS").await;
    assert_eq!(by_text.as_array().unwrap().len(), 3);
    let from = (chrono::Utc::now() + chrono::Duration::days(30)).to_rfc3339();
    let later = w.dispatcher.get(&format!("/api/v1/jobs?from={}", urlencode(&from))).await;
    assert_eq!(later.as_array().unwrap().len(), 0);
    let (s, v) = w.dispatcher.call(Method::GET, "/api/v1/jobs?status=flying", None).await;
    assert_eq!((s, code(&v).as_str()), (StatusCode::BAD_REQUEST, "invalid"));
}

fn urlencode(s: &str) -> String {
    s.replace('+', "%2B").replace(':', "%3A")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_close_and_reopen_follow_the_lifecycle_with_reasons() {
    let w = World::new().await;
    let d = &w.dispatcher;
    let job = &w.job_b;
    // The review screen offers the moves head office's lifecycle allows, and only those.
    let actions = |record: &serde_json::Value| -> Vec<(String, bool)> {
        record["moves"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| (m["action"].as_str().unwrap().to_owned(), m["reason_required"] == true))
            .collect()
    };
    assert_eq!(actions(&d.job(job).await), [("cancel".to_owned(), true)], "a scheduled job");
    let (s, v) = d.call(Method::POST, &format!("/api/v1/jobs/{job}/cancel"), Some(json!({}))).await;
    assert_eq!((s, code(&v).as_str()), (StatusCode::CONFLICT, "reason_required"));
    let (s, v) = d.call(Method::POST, &format!("/api/v1/jobs/{job}/close"), Some(json!({}))).await;
    assert_eq!(
        (s, code(&v).as_str()),
        (StatusCode::CONFLICT, "transition_not_allowed"),
        "only completed jobs close"
    );
    let cancelled =
        d.post(&format!("/api/v1/jobs/{job}/cancel"), json!({"reason": "duplicate order"})).await;
    assert_eq!(cancelled["status"], "cancelled");
    let (s, _) = d
        .call(Method::POST, &format!("/api/v1/jobs/{job}/reopen"), Some(json!({"reason": "x"})))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "a cancelled job stays cancelled");
    assert!(actions(&d.job(job).await).is_empty(), "nothing moves a cancelled job");
    // Nor does a cancelled job take a follow-up call or a return visit.
    let record = d.job(job).await;
    assert_eq!(
        (&record["takes_follow_up"], &record["takes_return_visit"]),
        (&json!(false), &json!(false))
    );
    let mut again = record["work_order"].clone();
    again["return_of"] = json!(job);
    let (s, v) = d
        .call(
            Method::POST,
            "/api/v1/jobs",
            Some(json!({"job_type": "repair", "priority": "normal",
                "customer_id": again["customer_id"], "site_id": again["site_id"],
                "reported_problem": "Still drips", "return_of": job})),
        )
        .await;
    assert_eq!((s, code(&v).as_str()), (StatusCode::CONFLICT, "transition_not_allowed"), "{v}");
    let new = d.new_job().await;
    assert_eq!(
        actions(&d.job(new["id"].as_str().unwrap()).await),
        [("schedule".to_owned(), false), ("cancel".to_owned(), true)]
    );
    let history = d.job(job).await["status_history"].clone();
    let last = history.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["to_status"], "cancelled");
    assert_eq!(last["reason"], "duplicate order");
    assert_eq!(last["actor"], "disp");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customers_sites_and_equipment_are_created_edited_and_validated() {
    let w = World::new().await;
    let d = &w.dispatcher;
    let c = d.post("/api/v1/customers", json!({"name": "Liu Yang", "phone": "13700000000"})).await;
    let id = c["id"].as_str().unwrap();
    let (s, v) =
        d.call(Method::POST, "/api/v1/customers", Some(json!({"name": " ", "phone": "1"}))).await;
    assert_eq!((s, code(&v).as_str()), (StatusCode::BAD_REQUEST, "invalid"));
    let edited =
        d.patch(&format!("/api/v1/customers/{id}"), json!({"email": "liu@example.com"})).await;
    assert_eq!(edited["email"], "liu@example.com");
    assert_eq!(edited["name"], "Liu Yang");
    let site = d
        .post(
            "/api/v1/sites",
            json!({"customer_id": id, "address": "1 Hai Road", "city": "Qingdao"}),
        )
        .await;
    let eq = d
        .post(
            "/api/v1/equipment",
            json!({"site_id": site["id"], "category": "water_heater", "brand": "Haier",
                   "model": "EC6002", "serial": "HA123", "installed_on": "2026-01-10"}),
        )
        .await;
    assert_eq!(eq["warranty_end"], "2027-01-10", "one year from installation");
    assert_eq!(d.get(&format!("/api/v1/customers/{id}/sites")).await.as_array().unwrap().len(), 1);
    let sid = site["id"].as_str().unwrap();
    assert_eq!(d.get(&format!("/api/v1/sites/{sid}/equipment")).await[0]["serial"], "HA123");
    let (s, v) = d.call(Method::GET, "/api/v1/customers/nope", None).await;
    assert_eq!((s, code(&v).as_str()), (StatusCode::NOT_FOUND, "not_found"));
    let (s, v) = d
        .call(
            Method::POST,
            "/api/v1/jobs",
            Some(json!({"job_type": "repair", "priority": "high", "customer_id": w.job_a, "site_id": sid, "reported_problem": "x"})),
        )
        .await;
    assert_eq!(
        (s, code(&v).as_str()),
        (StatusCode::BAD_REQUEST, "invalid"),
        "site of another customer"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_shows_everything_synced() {
    let mut w = World::new().await;
    let job = w.job_a.clone();
    let note = w.a.note(&job, "Customer prefers mornings");
    let e = w.a.entry(note);
    w.a.push(&[e]).await;
    let (photo_id, _) = w.a.add_photo(&job, 5).await;
    let j = w.dispatcher.job(&job).await;
    assert_eq!(j["notes"][0]["body"], "Customer prefers mornings");
    assert_eq!(j["photos"][0]["id"], photo_id.as_str());
    assert_eq!(j["assignee"]["id"], "tech-a");
    assert_eq!(j["job_type"]["code"], "repair");
    assert!(j["checklist"].as_array().unwrap().len() >= 5);
    for key in
        ["parts", "time_entries", "feedback", "signatures", "conflicts", "rejected_mutations"]
    {
        assert!(j[key].is_array(), "{key}");
    }
    let thumb = w
        .dispatcher
        .http
        .get(w.server.url(&format!("/api/v1/jobs/{job}/photos/{photo_id}?thumb=true")))
        .send()
        .await
        .unwrap();
    assert_eq!(thumb.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_openapi_and_unknown_routes() {
    let server = TestServer::start().await;
    let http = reqwest::Client::new();
    assert_eq!(http.get(server.url("/healthz")).send().await.unwrap().text().await.unwrap(), "ok");
    let doc: serde_json::Value =
        http.get(server.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    for path in
        ["/api/v1/sync/push", "/api/v1/sync/pull", "/api/v1/blobs/{sha256}", "/api/v1/jobs/{id}"]
    {
        assert!(doc["paths"].get(path).is_some(), "{path} documented");
    }
    let resp = http.get(server.url("/api/v2/nothing")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert_eq!(code(&resp.json().await.unwrap()), "not_found");
    // Responses are compressed when asked (read raw: the HTTP client would undo it).
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut tcp =
        tokio::net::TcpStream::connect(server.base.trim_start_matches("http://")).await.unwrap();
    tcp.write_all(b"GET /api/v1/openapi.json HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut raw = Vec::new();
    tcp.read_to_end(&mut raw).await.unwrap();
    let head = String::from_utf8_lossy(&raw[..raw.len().min(400)]).to_lowercase();
    assert!(head.contains("content-encoding: gzip"), "{head}");
    // A small answer (most sync rounds) goes out as it is: packing it costs more than it saves.
    let mut tcp =
        tokio::net::TcpStream::connect(server.base.trim_start_matches("http://")).await.unwrap();
    tcp.write_all(b"GET /api/v1/jobs HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip, zstd\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut raw = Vec::new();
    tcp.read_to_end(&mut raw).await.unwrap();
    let small = String::from_utf8_lossy(&raw).to_lowercase();
    assert!(small.starts_with("http/1.1 401"), "{small}");
    assert!(!small.contains("content-encoding"), "{small}");
    server.stop().await;
}
