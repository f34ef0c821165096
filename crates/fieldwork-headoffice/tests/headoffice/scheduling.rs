//! Planning a technician's time: a booking over another appointment is refused until the
//! dispatcher confirms it, the Schedule dialog's advice names each technician's own next free
//! slot, a booking after the job's deadline is flagged where it is made and on the job list
//! (which the SLA watch reads), new jobs are watched against the acknowledgement deadline,
//! and the demo seed books nobody twice at once.

use std::collections::HashMap;

use chrono::{DateTime, Duration, DurationRound, Utc};
use fieldwork_domain::domain::Priority;
use fieldwork_domain::schedule::Window;
use fieldwork_headoffice::config::PasswordCost;
use fieldwork_headoffice::store::JobListFilter;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::*;

/// Midnight UTC `days` from today.
fn day(days: i64) -> DateTime<Utc> {
    Utc::now().duration_trunc(Duration::days(1)).unwrap() + Duration::days(days)
}

fn at(v: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap().to_utc()
}

/// A new job of `priority`, reported `ago` before now.
async fn job_of(d: &DispatcherClient, priority: Priority, ago: Duration) -> Value {
    let customer =
        d.post("/api/v1/customers", json!({"name": "Wang Fang", "phone": "13600136000"})).await;
    let site = d
        .post(
            "/api/v1/sites",
            json!({"customer_id": customer["id"], "address": "5 Yan'an Road", "city": "Shanghai"}),
        )
        .await;
    d.post(
        "/api/v1/jobs",
        json!({"job_type": "repair", "priority": priority, "customer_id": customer["id"],
               "site_id": site["id"], "reported_problem": "No hot water",
               "reported_at": Utc::now() - ago}),
    )
    .await
}

async fn book(
    d: &DispatcherClient,
    job: &Value,
    tech: &str,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    allow_overlap: bool,
) -> (StatusCode, Value) {
    let id = job["id"].as_str().unwrap();
    d.call(
        Method::POST,
        &format!("/api/v1/jobs/{id}/schedule"),
        Some(json!({"assignee_id": tech, "appointment_start": start, "appointment_end": end,
                    "allow_overlap": allow_overlap})),
    )
    .await
}

async fn advice(d: &DispatcherClient, job: &Value, query: &str) -> Value {
    d.get(&format!("/api/v1/jobs/{}/schedule/advice?{query}", job["id"].as_str().unwrap())).await
}

fn q(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true).replace('+', "%2B")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_booking_over_another_appointment_is_refused_until_the_dispatcher_confirms() {
    let w = World::new().await;
    let d = &w.dispatcher;
    let (s8, s10) = (day(3) + Duration::hours(8), day(3) + Duration::hours(10));
    let first = job_of(d, Priority::Normal, Duration::minutes(5)).await;
    let (s, v) = book(d, &first, "tech-a", s8, s10, false).await;
    assert_eq!(s, StatusCode::OK, "{v}");

    // The same technician, 08:00–10:00 again: a warning naming the appointment, nothing saved.
    let second = job_of(d, Priority::Normal, Duration::minutes(5)).await;
    let (s, v) = book(d, &second, "tech-a", s8, s10, false).await;
    assert_eq!((s, code(&v).as_str()), (StatusCode::CONFLICT, "schedule_overlap"), "{v}");
    assert_eq!(v["clashes"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!(v["clashes"][0]["number"], first["number"]);
    assert!(v["message"].as_str().unwrap().contains(first["number"].as_str().unwrap()), "{v}");
    let unchanged = d.job(second["id"].as_str().unwrap()).await;
    assert_eq!(unchanged["work_order"]["status"], "new");
    assert!(unchanged["work_order"]["assignee_id"].is_null());

    // A partial overlap clashes too; back to back does not; another technician is free.
    let (s, _) =
        book(d, &second, "tech-a", s8 + Duration::hours(1), s10 + Duration::hours(1), false).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, v) = book(d, &second, "tech-b", s8, s10, false).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = book(d, &second, "tech-a", s10, s10 + Duration::hours(2), false).await;
    assert_eq!(s, StatusCode::OK, "back to back: {v}");
    // Moving a job within its own slot is no clash with itself.
    let (s, v) =
        book(d, &second, "tech-a", s10 + Duration::minutes(30), s10 + Duration::hours(2), false)
            .await;
    assert_eq!(s, StatusCode::OK, "{v}");

    // Confirmed, the double booking is saved.
    let third = job_of(d, Priority::Normal, Duration::minutes(5)).await;
    let (s, v) = book(d, &third, "tech-a", s8, s10, true).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["assignee_id"], "tech-a");

    // A cancelled job gives its slot back.
    d.post(
        &format!("/api/v1/jobs/{}/cancel", first["id"].as_str().unwrap()),
        json!({"reason": "customer called off"}),
    )
    .await;
    d.post(
        &format!("/api/v1/jobs/{}/cancel", third["id"].as_str().unwrap()),
        json!({"reason": "double"}),
    )
    .await;
    let fourth = job_of(d, Priority::Normal, Duration::minutes(5)).await;
    let (s, v) = book(d, &fourth, "tech-a", s8, s10, false).await;
    assert_eq!(s, StatusCode::OK, "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_advice_suggests_the_chosen_technicians_own_next_free_slot() {
    let w = World::new().await;
    let d = &w.dispatcher;
    let morning = day(4) + Duration::hours(8);
    for k in 0..2 {
        let j = job_of(d, Priority::Normal, Duration::minutes(5)).await;
        let start = morning + Duration::hours(2 * k);
        let (s, v) = book(d, &j, "tech-a", start, start + Duration::hours(2), false).await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }
    let job = job_of(d, Priority::Normal, Duration::minutes(5)).await;
    let after = q(day(4));
    let a = advice(d, &job, &format!("assignee_id=tech-a&after={after}&tz=0")).await;
    let b = advice(d, &job, &format!("assignee_id=tech-b&after={after}&tz=0")).await;
    assert_eq!(a["length_minutes"], 120);
    // Alice is busy 08:00–12:00: her next two free hours are 12:00–14:00; Bob's are at 08:00.
    assert_eq!(at(&a["next_free"]["start"]), morning + Duration::hours(4), "{a}");
    assert_eq!(at(&a["next_free"]["end"]), morning + Duration::hours(6), "{a}");
    assert_eq!(at(&b["next_free"]["start"]), morning, "{b}");
    assert_ne!(a["next_free"], b["next_free"]);
    // Working hours are the planner's: at UTC+8, 08:00 local is 00:00 UTC.
    let local = advice(d, &job, &format!("assignee_id=tech-b&after={after}&tz=480")).await;
    assert_eq!(at(&local["next_free"]["start"]), day(4), "{local}");

    // A window being considered: what it clashes with, per technician.
    let window = format!("start={}&end={}", q(morning), q(morning + Duration::hours(2)));
    let a = advice(d, &job, &format!("assignee_id=tech-a&tz=0&{window}")).await;
    let b = advice(d, &job, &format!("assignee_id=tech-b&tz=0&{window}")).await;
    assert_eq!(a["clashes"].as_array().unwrap().len(), 1, "{a}");
    assert!(b["clashes"].as_array().unwrap().is_empty(), "{b}");

    // Refusals: an unknown technician, half a window.
    let path = format!("/api/v1/jobs/{}/schedule/advice", job["id"].as_str().unwrap());
    let (s, _) = d.call(Method::GET, &format!("{path}?assignee_id=tech-nobody"), None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) =
        d.call(Method::GET, &format!("{path}?assignee_id=tech-a&start={}", q(morning)), None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_booking_after_the_deadline_is_flagged_in_the_advice_and_on_the_job_list() {
    let w = World::new().await;
    let d = &w.dispatcher;
    let urgent = job_of(d, Priority::Urgent, Duration::minutes(10)).await;
    let due = at(&urgent["due_at"]);
    let start = due + Duration::hours(1);
    let end = start + Duration::hours(4);
    let a =
        advice(d, &urgent, &format!("assignee_id=tech-b&tz=0&start={}&end={}", q(start), q(end)))
            .await;
    assert_eq!(a["misses"][0]["deadline"], "arrival", "{a}");
    assert_eq!(at(&a["misses"][0]["due_at"]), due);
    let in_time = advice(
        d,
        &urgent,
        &format!(
            "assignee_id=tech-b&tz=0&start={}&end={}",
            q(due - Duration::minutes(30)),
            q(due + Duration::minutes(30))
        ),
    )
    .await;
    assert!(in_time["misses"].as_array().unwrap().is_empty(), "{in_time}");

    // Booked anyway, the list (board card, SLA watch) carries the flag.
    let (s, v) = book(d, &urgent, "tech-b", start, end, false).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let list = d.get("/api/v1/jobs?status=scheduled").await;
    let item = list.as_array().unwrap().iter().find(|j| j["id"] == urgent["id"]).unwrap();
    assert_eq!(item["booking_misses"][0]["deadline"], "arrival", "{item}");
    assert_eq!(at(&item["booking_misses"][0]["due_at"]), due);
    // Job A of the world is booked an hour from now, well before its deadline.
    let a = list.as_array().unwrap().iter().find(|j| j["id"] == w.job_a.as_str()).unwrap();
    assert!(a["booking_misses"].as_array().unwrap().is_empty(), "{a}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_jobs_are_watched_against_the_acknowledgement_deadline() {
    let w = World::new().await;
    let d = &w.dispatcher;
    let waiting = job_of(d, Priority::Normal, Duration::hours(2)).await;
    let list = d.get("/api/v1/jobs?status=new").await;
    let item = list.as_array().unwrap().iter().find(|j| j["id"] == waiting["id"]).unwrap();
    assert_eq!(item["awaiting_acknowledgement"], true, "{item}");
    // Reported two hours ago with 30 minutes to acknowledge: breached.
    assert!(at(&item["ack_due_at"]) < Utc::now(), "{item}");
    assert_eq!(item["ack_due_at"], waiting["ack_due_at"]);

    // Scheduling it acknowledges it.
    let start = day(5) + Duration::hours(8);
    let (s, v) = book(d, &waiting, "tech-b", start, start + Duration::hours(2), false).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let list = d.get("/api/v1/jobs").await;
    let item = list.as_array().unwrap().iter().find(|j| j["id"] == waiting["id"]).unwrap();
    assert_eq!(item["awaiting_acknowledgement"], false, "{item}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_seed_books_no_technician_twice_at_once() {
    let server = TestServer::start().await;
    let store = server.state.store.as_ref();
    fieldwork_headoffice::seed::demo(store, PasswordCost::CHEAP, 120).await.unwrap();
    let jobs =
        store.list_jobs(JobListFilter { limit: Some(1_000), ..Default::default() }).await.unwrap();
    let mut by_tech: HashMap<String, Vec<(String, Window)>> = HashMap::new();
    for j in jobs {
        if let (Some(tech), Some(s), Some(e)) =
            (j.assignee_id, j.appointment_start, j.appointment_end)
        {
            by_tech.entry(tech).or_default().push((j.number, Window::new(s, e)));
        }
    }
    assert!(by_tech.len() >= 2, "the demo books several technicians");
    for (tech, mut booked) in by_tech {
        booked.sort_by_key(|(_, w)| w.start);
        for pair in booked.windows(2) {
            assert!(
                !pair[0].1.overlaps(&pair[1].1),
                "{tech} is booked twice at once: {} and {}",
                pair[0].0,
                pair[1].0
            );
        }
    }
}
