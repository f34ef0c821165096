//! Follow-up and complaint KPIs: the follow-up call within 3 days of completion, complaints
//! closed with a documented outcome within 24 hours, the share of major complaints, and the
//! complaint closing times, checked against a reference computed here from the job records the
//! dispatcher API returns; closing a complaint and its refusals.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use fieldwork_domain::domain::{JobStatus, JobType, Priority};
use fieldwork_domain::mutation::{JobField, Mutation};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::*;
use fieldwork_headoffice::config::DatabaseLocation;

const DAY_MS: i64 = 86_400_000;

/// Works and completes `job` on `dev`, the completion at `done`.
async fn complete(dev: &mut Device, job: &str, done: DateTime<Utc>) {
    let base = done - Duration::minutes(90);
    let steps = vec![
        status_at(job, JobStatus::Scheduled, JobStatus::EnRoute, base),
        status_at(job, JobStatus::EnRoute, JobStatus::OnSite, base + Duration::minutes(30)),
        status_at(job, JobStatus::OnSite, JobStatus::InProgress, base + Duration::minutes(35)),
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
        status_at(job, JobStatus::InProgress, JobStatus::Completed, done),
    ];
    let entries: Vec<_> = steps.into_iter().map(|m| dev.entry(m)).collect();
    let resp = dev.push(&entries).await;
    for r in &resp.results {
        assert_eq!(serde_json::to_value(r).unwrap()["outcome"], "applied", "{r:?}");
    }
}

fn ms(v: &Value) -> i64 {
    at(v.as_str().unwrap()).timestamp_millis()
}

/// One side of one measure: the count and the jobs behind it.
#[derive(Debug, Default, Clone, PartialEq)]
struct Side {
    count: i64,
    jobs: BTreeSet<String>,
}

impl Side {
    fn add(&mut self, job: &str, n: i64) {
        self.count += n;
        if n > 0 {
            self.jobs.insert(job.to_owned());
        }
    }
}

/// The reference: the three measures (numerator, denominator each) and, per grade, (complaints,
/// closed, mean minutes to close), folded over full job records without SQL.
#[allow(clippy::type_complexity)]
fn reference(
    records: &[Value],
    now: i64,
) -> (Vec<(&'static str, Side, Side)>, Vec<(&'static str, i64, i64, Option<f64>)>) {
    let mut follow_up = (Side::default(), Side::default());
    let mut handling = (Side::default(), Side::default());
    let mut major = (Side::default(), Side::default());
    let mut times: Vec<(&'static str, i64, i64, f64)> =
        ["general", "major", "all"].iter().map(|g| (*g, 0, 0, 0.0)).collect();
    for r in records {
        let w = &r["work_order"];
        let id = w["id"].as_str().unwrap();
        if w["status"] == "cancelled" {
            continue;
        }
        let follow_ups = r["follow_ups"].as_array().unwrap();
        if w["status"] == "completed" || w["status"] == "closed" {
            let done = r["status_history"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|c| c["to_status"] == "completed")
                .map(|c| ms(&c["at"]))
                .max()
                .unwrap();
            let first_call = follow_ups.iter().map(|f| ms(&f["at"])).filter(|&t| t >= done).min();
            let ok = first_call.is_some_and(|c| c <= done + 3 * DAY_MS);
            let due = first_call.is_some() || done + 3 * DAY_MS < now;
            follow_up.0.add(id, i64::from(ok));
            follow_up.1.add(id, i64::from(due));
        }
        for f in follow_ups.iter().filter(|f| !f["complaint"].is_null()) {
            let c = &f["complaint"];
            let recorded = ms(&f["at"]);
            let closed = c["resolution"]["at"].as_str().map(|s| at(s).timestamp_millis());
            let in_time = closed.is_some_and(|t| t <= recorded + DAY_MS);
            let due = closed.is_some() || recorded + DAY_MS < now;
            handling.0.add(id, i64::from(in_time));
            handling.1.add(id, i64::from(due));
            major.0.add(id, i64::from(c["grade"] == "major"));
            major.1.add(id, 1);
            for t in times.iter_mut().filter(|t| t.0 == "all" || c["grade"] == t.0) {
                t.1 += 1;
                if let Some(closed) = closed {
                    t.2 += 1;
                    t.3 += (closed - recorded) as f64 / 60_000.0;
                }
            }
        }
    }
    (
        vec![
            ("follow_up", follow_up.0, follow_up.1),
            ("complaint_handling", handling.0, handling.1),
            ("major_complaints", major.0, major.1),
        ],
        times
            .into_iter()
            .map(|(g, n, closed, minutes)| {
                (g, n, closed, (closed > 0).then(|| minutes / closed as f64))
            })
            .collect(),
    )
}

async fn kpi_ids(d: &DispatcherClient, base: &str, measure: &str, part: &str) -> BTreeSet<String> {
    let list =
        d.get(&format!("/api/v1/kpis/jobs?{base}&measure={measure}&part={part}&limit=1000")).await;
    list.as_array().unwrap().iter().map(|j| j["id"].as_str().unwrap().to_owned()).collect()
}

async fn follow_up(d: &DispatcherClient, job: &str, body: Value) -> String {
    let f = d.post(&format!("/api/v1/jobs/{job}/follow-ups"), body).await;
    f["id"].as_str().unwrap().to_owned()
}

async fn resolve(d: &DispatcherClient, job: &str, follow_up: &str, outcome: &str) -> Value {
    d.post(
        &format!("/api/v1/jobs/{job}/follow-ups/{follow_up}/resolution"),
        json!({ "outcome": outcome }),
    )
    .await
}

/// Moves a recorded complaint back in time (as if recorded then), in the row and its body.
fn backdate(server: &TestServer, follow_up: &str, to: DateTime<Utc>) {
    let conn = rusqlite::Connection::open(server.state.config.db_path()).unwrap();
    conn.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
    let changed = conn
        .execute(
            "UPDATE follow_ups SET at = ?2, body = json_set(body, '$.at', ?3) WHERE id = ?1",
            rusqlite::params![
                follow_up,
                to.timestamp_millis(),
                to.to_rfc3339_opts(SecondsFormat::Millis, true)
            ],
        )
        .unwrap();
    assert_eq!(changed, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follow_up_and_complaint_kpis_match_a_reference_computed_from_the_job_records() {
    // Rewrites rows in SQLite's file directly.
    let mut w = World::with(TestServer::start_sqlite().await).await;
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
    // (reported days ago, completed this long ago or never, technician)
    let plan: [(i64, Option<Duration>, &str); 9] = [
        (6, Some(Duration::days(5)), "tech-a"), // 0 called late; major complaint closed in time
        (6, Some(Duration::hours(1)), "tech-b"), // 1 called in time; general complaint open
        (6, Some(Duration::days(5)), "tech-a"), // 2 never called: the call is overdue
        (6, Some(Duration::hours(1)), "tech-a"), // 3 not called yet: not due
        (6, Some(Duration::hours(2)), "tech-b"), // 4 called in time, nobody answered
        (6, Some(Duration::days(5)), "tech-a"), // 5 complaint 47 h old, still open
        (6, Some(Duration::days(5)), "tech-b"), // 6 major complaint closed after 47 h
        (6, None, "tech-a"),                    // 7 not completed
        (40, Some(Duration::days(35)), "tech-a"), // 8 reported before the period
    ];
    let mut ids = Vec::new();
    for (i, (days, done, tech)) in plan.iter().enumerate() {
        let job = w
            .dispatcher
            .post(
                "/api/v1/jobs",
                json!({"job_type": "quick", "priority": Priority::Normal,
                       "customer_id": customer["id"], "site_id": site["id"],
                       "reported_problem": format!("fault {i}"),
                       "reported_at": now - Duration::days(*days)}),
            )
            .await;
        let id = job["id"].as_str().unwrap().to_owned();
        w.dispatcher.schedule(&id, tech).await;
        if let Some(ago) = done {
            let dev = if *tech == "tech-a" { &mut w.a } else { &mut w.b };
            complete(dev, &id, now - *ago).await;
        }
        ids.push(id);
    }
    let d = &w.dispatcher;
    let complaint = |category: &str, grade: &str| json!({"reached": true, "satisfaction": 2, "complaint": {"category": category, "grade": grade}});
    let f0 = follow_up(d, &ids[0], complaint("damage", "major")).await;
    resolve(d, &ids[0], &f0, "Replaced the scratched panel; customer accepted").await;
    // A second, general complaint on the same job, still open.
    follow_up(d, &ids[0], complaint("delay", "general")).await;
    follow_up(d, &ids[1], complaint("service_attitude", "general")).await;
    follow_up(d, &ids[4], json!({"reached": false, "comment": "no answer"})).await;
    let f5 = follow_up(d, &ids[5], complaint("product_quality", "general")).await;
    backdate(&w.server, &f5, now - Duration::hours(47));
    let f6 = follow_up(d, &ids[6], complaint("damage", "major")).await;
    backdate(&w.server, &f6, now - Duration::hours(47));
    resolve(d, &ids[6], &f6, "Paid for the damaged floor").await;
    let f8 = follow_up(d, &ids[8], complaint("delay", "major")).await;
    resolve(d, &ids[8], &f8, "Apologised").await;

    let mut records = Vec::new();
    for id in ids.iter().chain([&w.job_a, &w.job_b]) {
        records.push(w.dispatcher.job(id).await);
    }
    let closed = &records[0]["follow_ups"][0]["complaint"]["resolution"];
    assert_eq!(closed["outcome"], "Replaced the scratched panel; customer accepted");
    assert_eq!(closed["by"], "disp");

    let from = now - Duration::days(30);
    let to = now + Duration::minutes(1);
    let enc = |t: DateTime<Utc>| t.to_rfc3339().replace('+', "%2B");
    for tech in [None, Some("tech-a"), Some("tech-b")] {
        let base = format!(
            "from={}&to={}{}",
            enc(from),
            enc(to),
            tech.map(|t| format!("&technician={t}")).unwrap_or_default()
        );
        let report = w.dispatcher.get(&format!("/api/v1/kpis?{base}")).await;
        let in_scope: Vec<Value> = records
            .iter()
            .filter(|r| {
                let rep = at(r["work_order"]["reported_at"].as_str().unwrap());
                rep >= from && rep < to && tech.is_none_or(|t| r["work_order"]["assignee_id"] == t)
            })
            .cloned()
            .collect();
        let (measures, times) = reference(&in_scope, Utc::now().timestamp_millis());
        for (measure, num, den) in &measures {
            let got = report["measures"]
                .as_array()
                .unwrap()
                .iter()
                .find(|m| m["measure"] == *measure)
                .unwrap_or_else(|| panic!("{measure} missing: {report}"));
            assert_eq!(got["numerator"], num.count, "{measure} numerator ({tech:?}): {report}");
            assert_eq!(got["denominator"], den.count, "{measure} denominator ({tech:?})");
            assert_eq!(
                kpi_ids(&w.dispatcher, &base, measure, "numerator").await,
                num.jobs,
                "{measure} numerator jobs ({tech:?})"
            );
            assert_eq!(
                kpi_ids(&w.dispatcher, &base, measure, "denominator").await,
                den.jobs,
                "{measure} denominator jobs ({tech:?})"
            );
            if tech.is_none() {
                // Varied enough: every side counts something, and no ratio is trivially 1.
                assert!(num.count > 0 && num.count < den.count, "{measure}: {num:?} {den:?}");
            }
        }
        for (grade, complaints, resolved, mean) in &times {
            let got = report["complaint_times"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["grade"] == *grade)
                .unwrap_or_else(|| panic!("{grade} missing: {report}"))
                .clone();
            assert_eq!(got["complaints"], *complaints, "{grade} ({tech:?}): {got}");
            assert_eq!(got["resolved"], *resolved, "{grade} ({tech:?}): {got}");
            assert_eq!(got["open"], complaints - resolved, "{grade} ({tech:?})");
            match mean {
                Some(m) => assert!(
                    (got["mean_minutes"].as_f64().unwrap() - m).abs() < 0.01,
                    "{grade}: {got} vs {m}"
                ),
                None => assert!(got["mean_minutes"].is_null(), "{grade}: {got}"),
            }
        }
        // The per-technician rows carry the same measures.
        if tech.is_none() {
            for row in report["technicians"].as_array().unwrap() {
                let t = row["technician_id"].as_str().unwrap();
                let mine: Vec<Value> = in_scope
                    .iter()
                    .filter(|r| r["work_order"]["assignee_id"] == t)
                    .cloned()
                    .collect();
                let (measures, _) = reference(&mine, Utc::now().timestamp_millis());
                for (measure, num, den) in &measures {
                    let got = row["measures"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .find(|m| m["measure"] == *measure)
                        .unwrap();
                    assert_eq!(got["numerator"], num.count, "{t} {measure}");
                    assert_eq!(got["denominator"], den.count, "{t} {measure}");
                }
            }
        }
    }
    w.server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_complaint_is_closed_once_with_an_outcome_by_a_dispatcher() {
    let mut w = World::new().await;
    let job = w.job_a.clone();
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
    // The world's job is a repair; complete a quick job at the same site instead.
    let quick = {
        let j = w.dispatcher.job(&job).await;
        let input = json!({"job_type": "quick", "priority": "normal",
            "customer_id": j["work_order"]["customer_id"], "site_id": j["work_order"]["site_id"],
            "reported_problem": "Noisy fan"});
        let created = w.dispatcher.post("/api/v1/jobs", input).await;
        let id = created["id"].as_str().unwrap().to_owned();
        w.dispatcher.schedule(&id, "tech-a").await;
        complete(&mut w.a, &id, Utc::now() - Duration::hours(2)).await;
        id
    };
    let d = &w.dispatcher;
    let with = follow_up(
        d,
        &quick,
        json!({"reached": true, "satisfaction": 1,
               "complaint": {"category": "delay", "grade": "major",
                             "resolution": {"outcome": "sneaked in", "by": "x", "at": "2020-01-01T00:00:00Z"}}}),
    )
    .await;
    let without = follow_up(d, &quick, json!({"reached": true, "satisfaction": 5})).await;
    let record = d.job(&quick).await;
    assert!(
        record["follow_ups"][0]["complaint"]["resolution"].is_null(),
        "a complaint is recorded open, whatever the call says: {record}"
    );
    // The supervisors' list shows it open.
    let major = d.get("/api/v1/complaints/major").await;
    assert!(major[0]["follow_up"]["complaint"]["resolution"].is_null());

    let path = |job: &str, f: &str| format!("/api/v1/jobs/{job}/follow-ups/{f}/resolution");
    for (p, body, status, code_want) in [
        (path(&quick, &with), json!({"outcome": "  "}), StatusCode::BAD_REQUEST, "invalid"),
        (path(&quick, &without), json!({"outcome": "x"}), StatusCode::BAD_REQUEST, "invalid"),
        (path(&job, &with), json!({"outcome": "x"}), StatusCode::NOT_FOUND, "not_found"),
        (path(&quick, "nope"), json!({"outcome": "x"}), StatusCode::NOT_FOUND, "not_found"),
    ] {
        let (s, v) = d.call(Method::POST, &p, Some(body)).await;
        assert_eq!(s, status, "{p}: {v}");
        assert_eq!(code(&v), code_want, "{p}");
    }
    // Technicians cannot close complaints; nor can a request without the CSRF header.
    let resp = reqwest::Client::new()
        .post(w.server.url(&path(&quick, &with)))
        .bearer_auth(&w.a.token)
        .json(&json!({"outcome": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    let resp = d
        .http
        .post(w.server.url(&path(&quick, &with)))
        .json(&json!({"outcome": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);

    let f = resolve(d, &quick, &with, "Apologised; next visit booked first thing").await;
    assert_eq!(
        f["complaint"]["resolution"]["outcome"],
        "Apologised; next visit booked first thing"
    );
    assert_eq!(f["complaint"]["resolution"]["by"], "disp");
    let (s, v) =
        d.call(Method::POST, &path(&quick, &with), Some(json!({"outcome": "again"}))).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(code(&v), "already_exists");
    let record = d.job(&quick).await;
    assert_eq!(
        record["follow_ups"][0]["complaint"]["resolution"]["outcome"],
        "Apologised; next visit booked first thing",
        "the first outcome stays"
    );
    w.server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_schema_3_database_gets_its_follow_up_facts_on_upgrade() {
    // Rewrites rows in SQLite's file directly.
    let mut w = World::with(TestServer::start_sqlite().await).await;
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
    let j = w.dispatcher.job(&w.job_a).await;
    let mut ids = Vec::new();
    for done in [Duration::days(5), Duration::hours(1)] {
        let created = w
            .dispatcher
            .post(
                "/api/v1/jobs",
                json!({"job_type": "quick", "priority": "normal",
                       "customer_id": j["work_order"]["customer_id"],
                       "site_id": j["work_order"]["site_id"], "reported_problem": "Noisy fan",
                       "reported_at": Utc::now() - Duration::days(6)}),
            )
            .await;
        let id = created["id"].as_str().unwrap().to_owned();
        w.dispatcher.schedule(&id, "tech-a").await;
        complete(&mut w.a, &id, Utc::now() - done).await;
        ids.push(id);
    }
    follow_up(
        &w.dispatcher,
        &ids[1],
        json!({"reached": true, "satisfaction": 2, "complaint": {"category": "delay", "grade": "major"}}),
    )
    .await;
    let before = w.dispatcher.get("/api/v1/kpis").await;
    let fu = before["measures"].as_array().unwrap().iter().find(|m| m["measure"] == "follow_up");
    assert_eq!(fu.unwrap()["numerator"], 1, "{before}");
    // Make it a schema-3 database: no follow-up facts, no complaint closing.
    let dir = std::mem::replace(&mut w.server.dir, tempfile::tempdir().unwrap());
    w.server.stop().await;
    let db = fieldwork_headoffice::config::Config::new(dir.path()).db_path();
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch(
            "DROP INDEX follow_ups_complaints;
             ALTER TABLE follow_ups DROP COLUMN resolved_at;
             DROP INDEX job_facts_technician;
             ALTER TABLE job_facts DROP COLUMN fu_ok;
             ALTER TABLE job_facts DROP COLUMN fu_due;
             CREATE INDEX job_facts_technician ON job_facts(assignee_id, priority, reported_at,
                 live, completed, complete_minutes, resp_ok, resp_due, res_due, ftf, repeat,
                 rated, satisfied, complaints);
             DROP TABLE IF EXISTS status_times; DROP TABLE IF EXISTS part_withdrawals;
             DROP TABLE IF EXISTS blob_holders; DROP TABLE IF EXISTS sign_in_failures;
             DROP TABLE IF EXISTS kb_published_photos; DROP TABLE IF EXISTS kb_photos;
             DROP TABLE IF EXISTS kb_article_uses; DROP TABLE IF EXISTS kb_proposals;
             DROP VIEW IF EXISTS kb_published; DROP TABLE IF EXISTS kb_article_versions;
             DROP TABLE IF EXISTS kb_articles; DROP TABLE IF EXISTS past_fixes;
             PRAGMA user_version = 3;",
        )
        .unwrap();
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
    for v in [&mut before, &mut after] {
        v["from"] = Value::Null;
        v["to"] = Value::Null;
    }
    assert_eq!(after, before);
    server.stop().await;
    drop(dir);
}
