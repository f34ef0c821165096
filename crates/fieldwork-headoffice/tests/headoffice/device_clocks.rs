//! Device clocks: head office keeps the time a laptop claims (the technician's record) but
//! judges SLA and KPIs by a time it can trust, and flags implausible claims on the job review
//! (crates/fieldwork-headoffice/src/device_time.rs).

use chrono::{DateTime, Duration, TimeZone, Utc};
use fieldwork_domain::domain::{JobStatus, JobType, Priority};
use fieldwork_domain::mutation::{JobField, Mutation};
use fieldwork_headoffice::store::UserRole;
use serde_json::{Value, json};

use crate::common::*;

/// Works and completes `job` on `dev`, each step at the time `clock` gives it.
async fn work(dev: &mut Device, job: &str, clock: &dyn Fn(i64) -> DateTime<Utc>) {
    let steps = vec![
        status_at(job, JobStatus::Scheduled, JobStatus::EnRoute, clock(0)),
        // The laptop's clock makes the travel 0 minutes.
        status_at(job, JobStatus::EnRoute, JobStatus::OnSite, clock(0)),
        status_at(job, JobStatus::OnSite, JobStatus::InProgress, clock(5)),
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
        status_at(job, JobStatus::InProgress, JobStatus::Completed, clock(60)),
    ];
    let entries: Vec<_> = steps.into_iter().map(|m| dev.entry(m)).collect();
    let resp = dev.push(&entries).await;
    for r in &resp.results {
        assert_eq!(serde_json::to_value(r).unwrap()["outcome"], "applied", "{r:?}");
    }
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

async fn ids(d: &DispatcherClient, measure: &str, part: &str) -> Vec<String> {
    let list =
        d.get(&format!("/api/v1/kpis/jobs?{}&measure={measure}&part={part}", period())).await;
    list.as_array().unwrap().iter().map(|j| j["id"].as_str().unwrap().to_owned()).collect()
}

/// An urgent job reported two hours ago, acknowledged (scheduled for `tech`) now: in time for
/// the 10-hour acknowledgement, past the 1-hour arrival limit the test's policy sets.
async fn late_urgent_job(d: &DispatcherClient, tech: &str, slot_hours: i64) -> String {
    let customer =
        d.post("/api/v1/customers", json!({"name": "Zhao Lei", "phone": "13700137000"})).await;
    let site = d
        .post(
            "/api/v1/sites",
            json!({"customer_id": customer["id"], "address": "9 Huaihai Road", "city": "Shanghai"}),
        )
        .await;
    let job = d
        .post(
            "/api/v1/jobs",
            json!({"job_type": "quick", "priority": Priority::Urgent, "customer_id": customer["id"],
                   "site_id": site["id"], "reported_problem": "No heating",
                   "reported_at": Utc::now() - Duration::hours(2)}),
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_laptop_set_to_2001_is_judged_by_head_offices_receipt_and_flagged_on_the_review() {
    let mut w = World::new().await;
    w.server
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
        .await
        .unwrap();
    w.server.add_user("boss", UserRole::Admin, None).await;
    let admin = DispatcherClient::sign_in(&w.server, "boss").await;
    let mut policy: Value = admin.get("/api/v1/admin/sla-policy").await["policy"].clone();
    policy["acknowledge_minutes"] = json!(600);
    policy["arrive_urgent_minutes"] = json!(60);
    let (s, v) = admin.call(reqwest::Method::PUT, "/api/v1/admin/sla-policy", Some(policy)).await;
    assert_eq!(s, reqwest::StatusCode::OK, "{v}");

    // Alice's laptop thinks it is 2001; Bob's clock is right. Both arrive now, after the
    // urgent jobs' 1-hour arrival limit.
    let wrong = late_urgent_job(&w.dispatcher, "tech-a", 3).await;
    let right = late_urgent_job(&w.dispatcher, "tech-b", 3).await;
    let y2001 = Utc.with_ymd_and_hms(2001, 1, 1, 8, 0, 0).single().unwrap();
    let sent = Utc::now();
    work(&mut w.a, &wrong, &|m| y2001 + Duration::minutes(m)).await;
    let received = Utc::now();
    let now = Utc::now() - Duration::minutes(2);
    work(&mut w.b, &right, &|m| now + Duration::seconds(m)).await;

    // The laptop's claim stays in the history; the review flags each implausible change with
    // the time head office counts (its receipt).
    let record = w.dispatcher.job(&wrong).await;
    let history = record["status_history"].as_array().unwrap();
    let device_changes: Vec<&Value> =
        history.iter().filter(|c| c["from_status"] != "new").collect();
    assert!(
        device_changes
            .iter()
            .filter(|c| c["actor"] != "disp")
            .all(|c| at(c["at"].as_str().unwrap()) < y2001 + Duration::days(1)),
        "the claimed times are kept: {history:?}"
    );
    let warnings = record["clock_warnings"].as_array().unwrap();
    let flagged: Vec<&str> = warnings.iter().map(|c| c["to_status"].as_str().unwrap()).collect();
    assert_eq!(flagged, ["en_route", "on_site", "in_progress", "completed"], "{warnings:?}");
    for c in warnings {
        assert_eq!(
            at(c["claimed_at"].as_str().unwrap()).timestamp() / 86_400,
            y2001.timestamp() / 86_400
        );
        let trusted = at(c["trusted_at"].as_str().unwrap());
        assert_eq!(c["trusted_at"], c["received_at"], "{c}");
        assert!(
            trusted >= sent - Duration::seconds(1) && trusted <= received + Duration::seconds(1),
            "{c}"
        );
    }
    assert_eq!(
        w.dispatcher.job(&right).await["clock_warnings"],
        json!([]),
        "a right clock is not flagged"
    );

    // Response time: both arrived after the limit, so neither is in time; the 2001 claim does
    // not make Alice's job look early.
    let in_time = ids(&w.dispatcher, "response", "numerator").await;
    let counted = ids(&w.dispatcher, "response", "denominator").await;
    assert!(counted.contains(&wrong) && counted.contains(&right), "{counted:?}");
    assert!(!in_time.contains(&wrong), "the 2001 arrival is not counted as in time: {in_time:?}");
    assert!(!in_time.contains(&right));

    // Mean time to complete (urgent): about the two hours since the report for both, never a
    // negative duration from 2001.
    let report = w.dispatcher.get(&format!("/api/v1/kpis?{}", period())).await;
    let urgent = report["completion_times"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["priority"] == "urgent")
        .unwrap()
        .clone();
    let mean = urgent["mean_minutes"].as_f64().unwrap();
    assert!((100.0..=130.0).contains(&mean), "mean minutes to complete: {urgent}");
}
