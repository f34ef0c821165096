//! The customer's word: satisfaction counts the latest thing the customer said (a follow-up
//! call that reached them, else the on-site rating) and any complaint; closing a job whose
//! complaint is still open needs the dispatcher's explicit confirmation.

use chrono::{Duration, Utc};
use fieldwork_domain::domain::{Feedback, JobStatus, JobType};
use fieldwork_domain::mutation::{JobField, Mutation};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::*;

/// Works and completes `job` on `dev`, the customer rating it `rating` on site.
async fn complete_rated(dev: &mut Device, job: &str, rating: Option<u8>) {
    let base = Utc::now() - Duration::minutes(10);
    let mut steps = vec![
        status_at(job, JobStatus::Scheduled, JobStatus::EnRoute, base),
        status_at(job, JobStatus::EnRoute, JobStatus::OnSite, base + Duration::minutes(2)),
        status_at(job, JobStatus::OnSite, JobStatus::InProgress, base + Duration::minutes(3)),
        Mutation::FieldSet {
            job_id: job.to_owned(),
            field: JobField::Resolution,
            value: Some("fixed".into()),
            replaces: None,
        },
        Mutation::FieldSet {
            job_id: job.to_owned(),
            field: JobField::SignatureAbsenceReason,
            value: Some("customer out".into()),
            replaces: None,
        },
    ];
    if let Some(rating) = rating {
        steps.push(Mutation::FeedbackGiven {
            feedback: Feedback {
                id: fieldwork_domain::ids::new_id(),
                job_id: job.to_owned(),
                rating,
                comment: None,
                created_at: base + Duration::minutes(5),
            },
        });
    }
    steps.push(status_at(
        job,
        JobStatus::InProgress,
        JobStatus::Completed,
        base + Duration::minutes(6),
    ));
    let entries: Vec<_> = steps.into_iter().map(|m| dev.entry(m)).collect();
    let resp = dev.push(&entries).await;
    for r in &resp.results {
        assert_eq!(serde_json::to_value(r).unwrap()["outcome"], "applied", "{r:?}");
    }
}

/// A job of a type without a checklist, scheduled for `tech`.
async fn quick_job(w: &World, tech: &str, slot_hours: i64) -> String {
    let _ = w
        .server
        .state
        .store
        .put_job_type(JobType {
            id: "jt-quick".into(),
            code: "quick".into(),
            name: "Quick check".into(),
            name_zh: "快速检查".into(),
            required_photo_kinds: vec![],
            checklist: vec![],
        })
        .await;
    let d = &w.dispatcher;
    let customer =
        d.post("/api/v1/customers", json!({"name": "Wang Fang", "phone": "13900139000"})).await;
    let site = d
        .post(
            "/api/v1/sites",
            json!({"customer_id": customer["id"], "address": "1 Lujiazui Ring Road", "city": "Shanghai"}),
        )
        .await;
    let job = d
        .post(
            "/api/v1/jobs",
            json!({"job_type": "quick", "priority": "normal", "customer_id": customer["id"],
                   "site_id": site["id"], "reported_problem": "Tap drips",
                   "reported_at": Utc::now() - Duration::hours(1)}),
        )
        .await;
    let id = job["id"].as_str().unwrap().to_owned();
    let start = Utc::now() + Duration::hours(slot_hours);
    d.post(
        &format!("/api/v1/jobs/{id}/schedule"),
        json!({"assignee_id": tech, "appointment_start": start,
               "appointment_end": start + Duration::hours(1), "allow_overlap": true}),
    )
    .await;
    id
}

fn period() -> String {
    let from = Utc::now() - Duration::days(1);
    let to = Utc::now() + Duration::hours(1);
    format!(
        "from={}&to={}",
        from.to_rfc3339().replace('+', "%2B"),
        to.to_rfc3339().replace('+', "%2B")
    )
}

/// The satisfaction KPI: (numerator, denominator) and the jobs behind the numerator.
async fn satisfaction(d: &DispatcherClient) -> (i64, i64, Vec<String>) {
    let report = d.get(&format!("/api/v1/kpis?{}", period())).await;
    let m = report["measures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["measure"] == "satisfaction")
        .unwrap()
        .clone();
    let jobs =
        d.get(&format!("/api/v1/kpis/jobs?{}&measure=satisfaction&part=numerator", period())).await;
    let ids =
        jobs.as_array().unwrap().iter().map(|j| j["id"].as_str().unwrap().to_owned()).collect();
    (m["numerator"].as_i64().unwrap(), m["denominator"].as_i64().unwrap(), ids)
}

async fn follow_up(d: &DispatcherClient, job: &str, body: Value) -> Value {
    let (s, v) = d.call(Method::POST, &format!("/api/v1/jobs/{job}/follow-ups"), Some(body)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn satisfaction_counts_the_customers_latest_word_and_a_complaint() {
    let mut w = World::new().await;
    let (job_a, job_b) = (quick_job(&w, "tech-a", 5).await, quick_job(&w, "tech-b", 5).await);
    complete_rated(&mut w.a, &job_a, Some(5)).await;
    complete_rated(&mut w.b, &job_b, Some(3)).await;
    // On site: A is satisfied (5), B is not (3).
    assert_eq!(satisfaction(&w.dispatcher).await, (1, 2, vec![job_a.clone()]));

    // A's follow-up call: 2/5 with a complaint. The customer's latest word is 2: A no longer
    // counts as satisfied (it used to stay at 5 from the site).
    follow_up(
        &w.dispatcher,
        &job_a,
        json!({"reached": true, "satisfaction": 2, "comment": "still drips",
               "complaint": {"category": "product_quality", "grade": "general"}}),
    )
    .await;
    // B's call reached the customer, who is happy now: 5, no complaint.
    follow_up(&w.dispatcher, &job_b, json!({"reached": true, "satisfaction": 5})).await;
    assert_eq!(satisfaction(&w.dispatcher).await, (1, 2, vec![job_b.clone()]));

    // A call that did not reach the customer changes nothing; a later good word on A does not
    // outweigh the complaint recorded on it.
    follow_up(&w.dispatcher, &job_b, json!({"reached": false, "comment": "no answer"})).await;
    follow_up(&w.dispatcher, &job_a, json!({"reached": true, "satisfaction": 5})).await;
    assert_eq!(satisfaction(&w.dispatcher).await, (1, 2, vec![job_b]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_with_an_open_complaint_is_closed_only_when_the_dispatcher_confirms() {
    let mut w = World::new().await;
    let (job_a, job_b) = (quick_job(&w, "tech-a", 5).await, quick_job(&w, "tech-b", 5).await);
    complete_rated(&mut w.a, &job_a, Some(4)).await;
    complete_rated(&mut w.b, &job_b, None).await;
    let call = follow_up(
        &w.dispatcher,
        &job_a,
        json!({"reached": true, "satisfaction": 2,
               "complaint": {"category": "damage", "grade": "major"}}),
    )
    .await;

    // Without the confirmation: refused, the job stays completed.
    for body in [json!({}), json!({"reason": null}), json!({"confirm_open_complaint": false})] {
        let (s, v) = w
            .dispatcher
            .call(Method::POST, &format!("/api/v1/jobs/{job_a}/close"), Some(body))
            .await;
        assert_eq!((s, code(&v).as_str()), (StatusCode::CONFLICT, "open_complaint"), "{v}");
    }
    assert_eq!(w.dispatcher.job(&job_a).await["work_order"]["status"], "completed");

    // A job whose complaint was closed with its outcome closes without asking.
    let b_call = follow_up(
        &w.dispatcher,
        &job_b,
        json!({"reached": true, "satisfaction": 3,
               "complaint": {"category": "delay", "grade": "general"}}),
    )
    .await;
    w.dispatcher
        .post(
            &format!(
                "/api/v1/jobs/{job_b}/follow-ups/{}/resolution",
                b_call["id"].as_str().unwrap()
            ),
            json!({"outcome": "apologised, discount given"}),
        )
        .await;
    let (s, v) = w
        .dispatcher
        .call(Method::POST, &format!("/api/v1/jobs/{job_b}/close"), Some(json!({})))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");

    // Confirmed: closed, and the complaint stays open on the supervisors' list.
    let v = w
        .dispatcher
        .post(&format!("/api/v1/jobs/{job_a}/close"), json!({"confirm_open_complaint": true}))
        .await;
    assert_eq!(v["status"], "closed", "{v}");
    let major = w.dispatcher.get("/api/v1/complaints/major").await;
    assert_eq!(major[0]["follow_up"]["id"], call["id"], "{major}");
}
