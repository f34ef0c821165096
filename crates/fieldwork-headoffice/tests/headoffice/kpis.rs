//! KPIs: head office's numbers checked against a reference computed here, independently, from
//! the full job records (status history, ratings, follow-ups) the dispatcher API returns; the
//! job lists behind every number; follow-up calls and the major-complaint list.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};
use fieldwork_domain::domain::{Feedback, JobStatus, JobType, Priority};
use fieldwork_domain::mutation::{JobField, Mutation};
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::*;
use fieldwork_headoffice::config::DatabaseLocation;

const MEASURES: [&str; 6] =
    ["response", "resolution", "first_time_fix", "satisfaction", "complaints", "repeat_visits"];

fn status_at(job: &str, from: JobStatus, to: JobStatus, at: DateTime<Utc>) -> Mutation {
    Mutation::StatusChanged {
        job_id: job.to_owned(),
        change_id: fieldwork_domain::ids::new_id(),
        from,
        to,
        reason: (to == JobStatus::OnHold).then(|| "waiting for a part".to_owned()),
        at,
    }
}

fn ms_of(v: &Value) -> Option<i64> {
    v.as_str().map(|s| at(s).timestamp_millis())
}

/// The time head office counts for status change `c` of job record `r`: the device's claim,
/// or what head office trusted instead when the claim was implausible (`clock_warnings`).
fn trusted_ms(r: &Value, c: &Value) -> Option<i64> {
    let warned = r["clock_warnings"].as_array().unwrap().iter().find(|w| w["change_id"] == c["id"]);
    match warned {
        Some(w) => ms_of(&w["trusted_at"]),
        None => ms_of(&c["at"]),
    }
}

/// The reference: the KPIs of DOMAIN.md folded over full job records, per the definitions in
/// the store's `kpis` module, written without SQL.
fn reference(
    records: &[Value],
    everything: &[Value],
    now: DateTime<Utc>,
) -> Vec<(String, BTreeSet<String>, BTreeSet<String>, i64)> {
    let now = now.timestamp_millis();
    let mut out: Vec<(String, BTreeSet<String>, BTreeSet<String>, i64)> =
        MEASURES.iter().map(|m| ((*m).to_owned(), BTreeSet::new(), BTreeSet::new(), 0)).collect();
    for r in records {
        let w = &r["work_order"];
        let id = w["id"].as_str().unwrap().to_owned();
        if w["status"] == "cancelled" {
            continue;
        }
        let history = r["status_history"].as_array().unwrap();
        let first = |pred: &dyn Fn(&Value) -> bool| {
            history.iter().filter(|c| pred(c)).filter_map(|c| trusted_ms(r, c)).min()
        };
        let acked = first(&|c| c["from_status"] == "new" && c["to_status"] != "cancelled");
        let arrived = first(&|c| c["to_status"] == "on_site");
        let completed = if w["status"] == "completed" || w["status"] == "closed" {
            history
                .iter()
                .filter(|c| c["to_status"] == "completed")
                .filter_map(|c| trusted_ms(r, c))
                .max()
        } else {
            None
        };
        let held = history.iter().any(|c| c["to_status"] == "on_hold");
        // Return visits count whoever does them and whenever they are reported.
        let returns: Vec<i64> = everything
            .iter()
            .filter(|o| o["work_order"]["return_of"] == w["id"])
            .map(|o| ms_of(&o["work_order"]["reported_at"]).unwrap())
            .collect();
        let repeat = completed.is_some_and(|c| returns.iter().any(|&r| r <= c + 30 * 86_400_000));
        let calls = r["follow_ups"].as_array().unwrap();
        let complaints = calls.iter().filter(|f| !f["complaint"].is_null()).count() as i64;
        // The customer's latest word: the latest call that reached them, else the rating on
        // site; a complaint makes the job unsatisfied and counts it.
        let rating = calls
            .iter()
            .rev()
            .find(|f| f["reached"] == true && f["satisfaction"].is_i64())
            .map(|f| f["satisfaction"].as_i64().unwrap())
            .or_else(|| {
                r["feedback"].as_array().unwrap().last().map(|f| f["rating"].as_i64().unwrap())
            });
        let due = ms_of(&w["due_at"]).unwrap();
        let complete_due = ms_of(&w["complete_due_at"]).unwrap_or(due);
        let sides = [
            (
                matches!((acked, arrived), (Some(a), Some(o)) if a <= ms_of(&w["ack_due_at"]).unwrap() && o <= due),
                arrived.is_some() || due < now,
            ),
            (completed.is_some(), completed.is_some() || complete_due < now),
            (completed.is_some() && !held && !repeat, completed.is_some()),
            (complaints == 0 && rating.is_some_and(|r| r >= 4), rating.is_some() || complaints > 0),
            (completed.is_some() && complaints > 0, completed.is_some()),
            (repeat, completed.is_some()),
        ];
        for ((_, num, den, _), (n, d)) in out.iter_mut().zip(sides) {
            if n {
                num.insert(id.clone());
            }
            if d {
                den.insert(id.clone());
            }
        }
        if completed.is_some() {
            out[4].3 += complaints;
        }
    }
    out
}

async fn kpi_ids(d: &DispatcherClient, base: &str, measure: &str, part: &str) -> BTreeSet<String> {
    let list =
        d.get(&format!("/api/v1/kpis/jobs?{base}&measure={measure}&part={part}&limit=1000")).await;
    list.as_array().unwrap().iter().map(|j| j["id"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kpis_match_a_reference_computed_from_the_job_records() {
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
    let customer = w
        .dispatcher
        .post("/api/v1/customers", json!({"name": "Wang Fang", "phone": "13900139000"}))
        .await;
    let site = w
        .dispatcher
        .post("/api/v1/sites", json!({"customer_id": customer["id"], "address": "1 Lujiazui Ring Road", "city": "Shanghai"}))
        .await;
    let now = Utc::now();
    let priorities = [Priority::Urgent, Priority::High, Priority::Normal, Priority::Low];
    let mut ids = Vec::new();
    for i in 0..18i64 {
        // Some reported minutes ago (acknowledged in time), most days ago; one outside the period.
        let reported = if i % 5 == 0 {
            now - Duration::minutes(10)
        } else {
            now - Duration::days(1 + i % 9) - Duration::hours(i)
        };
        let reported = if i == 17 { now - Duration::days(60) } else { reported };
        let mut input = json!({"job_type": "quick", "priority": priorities[(i % 4) as usize],
            "customer_id": customer["id"], "site_id": site["id"], "reported_problem": format!("fault {i}"),
            "reported_at": reported});
        // Job 7 is a return visit of job 1 (within 30 days of its completion); job 11 of job 2.
        if i == 7 || i == 11 {
            input["return_of"] = json!(ids[if i == 7 { 1 } else { 2 }]);
        }
        let job = w.dispatcher.post("/api/v1/jobs", input).await;
        let id = job["id"].as_str().unwrap().to_owned();
        ids.push(id.clone());
        if i % 6 == 5 {
            continue; // never scheduled: due, not answered
        }
        let (tech, dev) = if i % 3 == 0 { ("tech-b", &mut w.b) } else { ("tech-a", &mut w.a) };
        w.dispatcher.schedule(&id, tech).await;
        if i % 7 == 4 {
            w.dispatcher
                .post(&format!("/api/v1/jobs/{id}/cancel"), json!({"reason": "customer moved"}))
                .await;
            continue;
        }
        let base = if i % 5 == 0 {
            now - Duration::minutes(5)
        } else {
            reported + Duration::hours(1 + 3 * (i % 4))
        };
        let mut steps = vec![
            status_at(&id, JobStatus::Scheduled, JobStatus::EnRoute, base),
            status_at(&id, JobStatus::EnRoute, JobStatus::OnSite, base + Duration::minutes(30)),
        ];
        if i % 8 != 3 {
            steps.push(status_at(
                &id,
                JobStatus::OnSite,
                JobStatus::InProgress,
                base + Duration::minutes(35),
            ));
            if i % 4 == 2 {
                steps.push(status_at(
                    &id,
                    JobStatus::InProgress,
                    JobStatus::OnHold,
                    base + Duration::minutes(50),
                ));
                steps.push(status_at(
                    &id,
                    JobStatus::OnHold,
                    JobStatus::InProgress,
                    base + Duration::minutes(70),
                ));
            }
            steps.push(Mutation::FieldSet {
                job_id: id.clone(),
                field: JobField::Resolution,
                value: Some("fixed".into()),
                replaces: None,
            });
            steps.push(Mutation::FieldSet {
                job_id: id.clone(),
                field: JobField::SignatureAbsenceReason,
                value: Some("customer out".into()),
                replaces: None,
            });
            if i % 3 != 1 {
                steps.push(Mutation::FeedbackGiven {
                    feedback: Feedback {
                        id: fieldwork_domain::ids::new_id(),
                        job_id: id.clone(),
                        rating: (1 + i % 5) as u8,
                        comment: None,
                        created_at: now,
                    },
                });
            }
            steps.push(status_at(
                &id,
                JobStatus::InProgress,
                JobStatus::Completed,
                base + Duration::minutes(90),
            ));
        }
        let entries: Vec<_> = steps.into_iter().map(|m| dev.entry(m)).collect();
        let resp = dev.push(&entries).await;
        for (k, r) in resp.results.iter().enumerate() {
            assert!(
                serde_json::to_value(r).unwrap()["outcome"] == "applied",
                "job {i} step {k}: {r:?}"
            );
        }
    }
    // Follow-up calls: a general complaint, a major one, a call that did not reach anyone.
    let follow = |n: usize, body: Value| (ids[n].clone(), body);
    for (job, body) in [
        follow(
            1,
            json!({"reached": true, "satisfaction": 2, "comment": "still drips", "complaint": {"category": "product_quality", "grade": "general"}}),
        ),
        follow(
            2,
            json!({"reached": true, "satisfaction": 1, "complaint": {"category": "damage", "grade": "major"}}),
        ),
        follow(3, json!({"reached": false, "comment": "no answer"})),
    ] {
        let record = w.dispatcher.job(&job).await;
        let state = record["work_order"]["status"].clone();
        // The review screen offers the call form when, and only when, head office takes it.
        assert_eq!(record["takes_follow_up"], state == "completed" || state == "closed", "{state}");
        assert_eq!(
            record["takes_return_visit"],
            state == "completed" || state == "closed" || state == "on_hold",
            "{state}"
        );
        let (s, v) = w
            .dispatcher
            .call(Method::POST, &format!("/api/v1/jobs/{job}/follow-ups"), Some(body))
            .await;
        if state == "completed" {
            assert_eq!(s, reqwest::StatusCode::CREATED, "{v}");
        } else {
            assert_eq!(code(&v), "transition_not_allowed", "{state}: {v}");
        }
    }

    // The major complaint is on the supervisors' list and on the job.
    let major = w.dispatcher.get("/api/v1/complaints/major").await;
    assert_eq!(major.as_array().unwrap().len(), 1, "{major}");
    assert_eq!(major[0]["follow_up"]["job_id"], ids[2].as_str());
    assert_eq!(major[0]["follow_up"]["complaint"]["category"], "damage");
    let j2 = w.dispatcher.job(&ids[2]).await;
    assert_eq!(j2["follow_ups"][0]["complaint"]["grade"], "major");
    assert_eq!(j2["follow_ups"][0]["by"], "disp");

    let records: Vec<Value> = {
        let mut r = Vec::new();
        for id in ids.iter().chain([&w.job_a, &w.job_b]) {
            r.push(w.dispatcher.job(id).await);
        }
        r
    };
    let from = now - Duration::days(30);
    let to = now + Duration::minutes(1);
    let q = |extra: &str| {
        format!(
            "from={}&to={}{extra}",
            from.to_rfc3339().replace('+', "%2B"),
            to.to_rfc3339().replace('+', "%2B")
        )
    };
    for (tech, extra) in [(None, String::new()), (Some("tech-a"), "&technician=tech-a".to_owned())]
    {
        let base = q(&extra);
        let report = w.dispatcher.get(&format!("/api/v1/kpis?{base}")).await;
        let in_scope: Vec<Value> = records
            .iter()
            .filter(|r| {
                let rep = at(r["work_order"]["reported_at"].as_str().unwrap());
                rep >= from && rep < to && tech.is_none_or(|t| r["work_order"]["assignee_id"] == t)
            })
            .cloned()
            .collect();
        assert_eq!(report["jobs"], in_scope.len() as i64, "{tech:?}");
        let expected = reference(&in_scope, &records, Utc::now());
        for (k, (measure, num, den, complaints)) in expected.iter().enumerate() {
            let got = &report["measures"][k];
            assert_eq!(got["measure"], measure.as_str());
            let want_num = if measure == "complaints" { *complaints } else { num.len() as i64 };
            assert_eq!(got["numerator"], want_num, "{measure} numerator ({tech:?}): {report}");
            assert_eq!(got["denominator"], den.len() as i64, "{measure} denominator ({tech:?})");
            assert_eq!(
                &kpi_ids(&w.dispatcher, &base, measure, "numerator").await,
                num,
                "{measure} jobs"
            );
            assert_eq!(
                &kpi_ids(&w.dispatcher, &base, measure, "denominator").await,
                den,
                "{measure} jobs"
            );
        }
        // The data is varied enough that no measure is trivially empty for the team.
        if tech.is_none() {
            for (measure, num, den, _) in &expected {
                assert!(!den.is_empty() && num.len() < den.len() + 1, "{measure}");
            }
            assert!(
                expected.iter().filter(|(_, n, d, _)| !n.is_empty() && n.len() < d.len()).count()
                    >= 4
            );
            // Mean completion time per priority, against the records.
            let completed: Vec<f64> = in_scope
                .iter()
                .filter(|r| r["work_order"]["status"] == "completed")
                .map(|r| {
                    let done = r["status_history"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .filter(|c| c["to_status"] == "completed")
                        .filter_map(|c| trusted_ms(r, c))
                        .max()
                        .unwrap();
                    (done - ms_of(&r["work_order"]["reported_at"]).unwrap()) as f64 / 60_000.0
                })
                .collect();
            let all = report["completion_times"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["priority"] == "all")
                .unwrap()
                .clone();
            assert_eq!(all["completed"], completed.len() as i64);
            let mean = completed.iter().sum::<f64>() / completed.len() as f64;
            assert!((all["mean_minutes"].as_f64().unwrap() - mean).abs() < 0.01);
            let techs = report["technicians"].as_array().unwrap();
            assert_eq!(techs.len(), 2, "{report}");
            assert_eq!(
                techs.iter().map(|t| t["jobs"].as_i64().unwrap()).sum::<i64>(),
                in_scope.iter().filter(|r| !r["work_order"]["assignee_id"].is_null()).count()
                    as i64,
                "every assigned job is in its technician's row"
            );
        }
    }
    w.server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follow_up_calls_are_checked_and_major_complaints_reach_supervisors() {
    let w = World::new().await;
    let job = w.job_a.clone();
    // Not completed yet.
    let (s, v) = w
        .dispatcher
        .call(
            Method::POST,
            &format!("/api/v1/jobs/{job}/follow-ups"),
            Some(json!({"reached": false})),
        )
        .await;
    assert_eq!(s, reqwest::StatusCode::CONFLICT, "{v}");
    let (s, _) = w
        .dispatcher
        .call(Method::GET, "/api/v1/kpis?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", None)
        .await;
    assert_eq!(s, reqwest::StatusCode::BAD_REQUEST);
    let (s, _) = w
        .dispatcher
        .call(Method::GET, "/api/v1/kpis/jobs?measure=speed&part=numerator", None)
        .await;
    assert_eq!(s, reqwest::StatusCode::BAD_REQUEST);
    assert!(w.dispatcher.get("/api/v1/complaints/major").await.as_array().unwrap().is_empty());
    // Technician tokens are refused.
    let resp = reqwest::Client::new()
        .get(w.server.url("/api/v1/kpis"))
        .bearer_auth(&w.a.token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), reqwest::StatusCode::NOT_FOUND);
    w.server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_schema_1_database_gets_its_kpi_facts_on_upgrade() {
    // SQLite's schema upgrade, from a rewritten file.
    let mut w = World::with(TestServer::start_sqlite().await).await;
    let job = w.job_a.clone();
    let steps = [
        w.a.status(&job, JobStatus::Scheduled, JobStatus::EnRoute, None),
        w.a.status(&job, JobStatus::EnRoute, JobStatus::OnSite, None),
        Mutation::FeedbackGiven {
            feedback: Feedback {
                id: fieldwork_domain::ids::new_id(),
                job_id: job.clone(),
                rating: 5,
                comment: None,
                created_at: Utc::now(),
            },
        },
    ];
    let entries: Vec<_> = steps.into_iter().map(|m| w.a.entry(m)).collect();
    w.a.push(&entries).await;
    let before = w.dispatcher.get("/api/v1/kpis").await;
    assert_eq!(before["measures"][3]["denominator"], 1, "{before}");
    // Make it a schema-1 database: no facts, no follow-ups, version 1.
    let dir = std::mem::replace(&mut w.server.dir, tempfile::tempdir().unwrap());
    w.server.stop().await;
    let db = fieldwork_headoffice::config::Config::new(dir.path()).db_path();
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        // What versions 2 (KPI facts, follow-ups), 3 (admin columns), 4 (follow-up and
        // complaint facts), 5 (judged device times), 6 (part withdrawals) and 7 (blob
        // holders), 8 (failed sign-ins), 9 (the knowledge base, past fixes) and 10 (articles
        // used, shared fixes) and 11 (article photos) added.
        conn.execute_batch(
            "DROP TABLE IF EXISTS kb_published_photos; DROP TABLE IF EXISTS kb_photos;
             DROP TABLE IF EXISTS kb_article_uses; DROP TABLE IF EXISTS kb_proposals;
             DROP TABLE job_facts; DROP TABLE follow_ups; DROP TABLE IF EXISTS status_times;
             DROP TABLE IF EXISTS part_withdrawals; DROP TABLE IF EXISTS blob_holders;
             DROP TABLE IF EXISTS sign_in_failures; DROP VIEW IF EXISTS kb_published;
             DROP TABLE IF EXISTS kb_article_versions; DROP TABLE IF EXISTS kb_articles;
             DROP TABLE IF EXISTS past_fixes;",
        )
        .unwrap();
        for (table, column) in [
            ("users", "disabled_at"),
            ("job_types", "active"),
            ("job_types", "default_duration_minutes"),
            ("parts", "active"),
        ] {
            let present: bool = conn
                .query_row(
                    &format!(
                        "SELECT EXISTS (SELECT 1 FROM pragma_table_info('{table}') WHERE name = ?1)"
                    ),
                    [column],
                    |r| r.get(0),
                )
                .unwrap();
            if present {
                conn.execute_batch(&format!("ALTER TABLE {table} DROP COLUMN {column}")).unwrap();
            }
        }
        conn.execute_batch("PRAGMA user_version = 1;").unwrap();
    }
    let path = dir.path().to_owned();
    let server = TestServer::start_with(move |c| {
        c.data_dir = path;
        c.database = DatabaseLocation::DataDir;
    })
    .await;
    server.add_user("disp2", fieldwork_headoffice::store::UserRole::Dispatcher, None).await;
    let d = DispatcherClient::sign_in(&server, "disp2").await;
    let mut after = d.get("/api/v1/kpis").await;
    let mut before = before;
    // The default period ends now: compare the figures, not the instants.
    for v in [&mut before, &mut after] {
        v["from"] = Value::Null;
        v["to"] = Value::Null;
    }
    assert_eq!(after, before);
    server.stop().await;
    drop(dir);
}
