//! KPI benchmark (`make bench-kpis`, and beside PostgreSQL in `make bench-scale`): a head office
//! with 1,000,000 historical jobs over the last year (200 technicians), written in bulk straight
//! into its tables, then the KPI page and its drill-down timed over HTTP as a dispatcher's
//! console asks for them. Prints the figures; the target is ≤ 500 ms server time for the KPI
//! page.
//!
//! `cargo run --release -p fieldwork-headoffice --example kpi_bench [-- JOBS] [--database URL]`
//!
//! Without `--database`, head office's embedded SQLite database in a temporary folder (rows
//! written by prepared statements in one transaction). With `--database postgres://…`, that
//! database, which must be empty (head office creates its schema; the rows are written with
//! `COPY` in one transaction, then `VACUUM ANALYZE`, as autovacuum would after such a load).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::io::Write as _;
use std::time::{Duration, Instant};

use chrono::Utc;
use fieldwork_headoffice::config::{Config, DatabaseLocation, PasswordCost, RateLimit};
use fieldwork_headoffice::secrets::hash_password;
use fieldwork_headoffice::store::{CustomerInput, Dispatcher, NewUser, SiteInput, UserRole};
use serde_json::{Value, json};

const TECHNICIANS: i64 = 200;
const YEAR_MS: i64 = 365 * 24 * 3_600_000;

fn iso(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Job `i` of `n` (1-based), spread evenly over the year before `now`, with varied outcomes;
/// the same rows whatever the database.
struct BenchJob {
    i: i64,
    id: String,
    number: String,
    rep: i64,
    pri: &'static str,
    limit_ms: i64,
    st: &'static str,
    tech: String,
}

impl BenchJob {
    fn new(i: i64, n: i64, now: i64) -> BenchJob {
        let (pri, hours) = match i % 4 {
            0 => ("urgent", 4),
            1 => ("high", 24),
            2 => ("normal", 48),
            _ => ("low", 72),
        };
        let st = if i % 20 == 0 {
            "cancelled"
        } else if i % 10 == 1 {
            "scheduled"
        } else if i % 3 == 0 {
            "completed"
        } else {
            "closed"
        };
        BenchJob {
            i,
            id: format!("bench-{i:07}"),
            number: format!("WO-B-{i:07}"),
            rep: now - YEAR_MS + i * (YEAR_MS / n),
            pri,
            limit_ms: hours * 3_600_000,
            st,
            tech: format!("tech-{}", i % TECHNICIANS),
        }
    }

    /// The `work_orders` body: a complete job, so the drill-down lists it like any job.
    fn body(&self, customer: &str, site: &str) -> String {
        let rep = self.rep;
        json!({
            "id": self.id, "number": self.number, "job_type_id": "jt-repair", "priority": self.pri,
            "status": self.st, "customer_id": customer, "site_id": site, "equipment_id": null,
            "reported_problem": "Bench job", "reported_at": iso(rep), "appointment_start": null,
            "appointment_end": null, "assignee_id": self.tech, "owner_dispatcher": "bench",
            "ack_due_at": iso(rep + 1_800_000), "due_at": iso(rep + self.limit_ms), "complete_due_at": null,
            "warranty_status": "in_warranty", "chargeable": false, "diagnosis": null, "resolution": null,
            "signature_absence_reason": null, "return_of": null, "created_at": iso(rep), "updated_at": iso(rep)
        })
        .to_string()
    }

    /// Outcomes as refresh_facts would derive them from such a history.
    fn facts(&self) -> Facts {
        let (i, rep) = (self.i, self.rep);
        let live = self.st != "cancelled";
        let acked = rep + (i % 60) * 60_000;
        let arrived = rep + ((i * 7) % 50) * 3_600_000;
        let completed = live && self.st != "scheduled";
        let done = arrived + 7_200_000;
        let repeat = completed && i % 17 == 0;
        let held = i % 13 == 0;
        let rated = completed && i % 3 != 0;
        let due = live.then_some(if completed { 0 } else { rep + self.limit_ms });
        Facts {
            live,
            completed,
            complete_minutes: if completed { (done - rep) as f64 / 60_000.0 } else { 0.0 },
            resp_ok: live && acked <= rep + 1_800_000 && arrived <= rep + self.limit_ms,
            resp_due: due,
            res_due: due,
            ftf: completed && !held && !repeat,
            repeat,
            rated,
            satisfied: rated && 1 + i % 5 >= 4,
            complaints: i64::from(completed && i % 97 == 0),
            done,
        }
    }

    /// About 1 % of completed jobs got a complaint on their follow-up call (a third of them
    /// major); half of those were closed, some within 24 hours.
    fn complaint(&self, facts: &Facts) -> Option<Complaint> {
        let i = self.i;
        if facts.complaints == 0 {
            return None;
        }
        let at = facts.done + 86_400_000;
        let grade = if i % 3 == 0 { "major" } else { "general" };
        let resolved = (i % 2 == 0).then_some(at + (i % 3) * 12 * 3_600_000);
        let id = format!("fu-{}", self.id);
        let mut complaint = json!({"category": "delay", "grade": grade});
        if let Some(r) = resolved {
            complaint["resolution"] = json!({"outcome": "Apologised", "by": "bench", "at": iso(r)});
        }
        let body = json!({"id": id, "job_id": self.id, "reached": true, "satisfaction": 2,
            "comment": null, "complaint": complaint, "by": "bench", "at": iso(at)})
        .to_string();
        Some(Complaint { id, at, grade, body, resolved })
    }
}

struct Facts {
    live: bool,
    completed: bool,
    complete_minutes: f64,
    resp_ok: bool,
    resp_due: Option<i64>,
    res_due: Option<i64>,
    ftf: bool,
    repeat: bool,
    rated: bool,
    satisfied: bool,
    complaints: i64,
    done: i64,
}

struct Complaint {
    id: String,
    at: i64,
    grade: &'static str,
    body: String,
    resolved: Option<i64>,
}

fn technician_body(t: i64) -> String {
    json!({"id": format!("tech-{t}"), "name": format!("Technician {t:03}"), "phone": null,
           "email": null, "skills": [], "active": true})
    .to_string()
}

/// Writes the technicians and `jobs` jobs (with facts and complaints) into SQLite.
fn load_sqlite(db_path: &std::path::Path, jobs: i64, now: i64, customer: &str, site: &str) {
    let mut conn = rusqlite::Connection::open(db_path).unwrap();
    conn.busy_timeout(Duration::from_secs(30)).unwrap();
    conn.pragma_update(None, "synchronous", "OFF").unwrap();
    let tx = conn.transaction().unwrap();
    for t in 0..TECHNICIANS {
        tx.execute(
            "INSERT INTO technicians (id, name, body) VALUES (?1, ?2, ?3)",
            rusqlite::params![
                format!("tech-{t}"),
                format!("Technician {t:03}"),
                technician_body(t)
            ],
        )
        .unwrap();
    }
    {
        let mut jobs_stmt = tx
            .prepare(
                "INSERT INTO work_orders (id, number, status, priority, assignee_id, customer_id, site_id,
                     equipment_id, plan_at, search_text, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, NULL, ?8, ?2, ?9)",
            )
            .unwrap();
        let mut facts_stmt = tx
            .prepare(
                "INSERT INTO job_facts (priority, reported_at, job_id, assignee_id, status, live,
                     completed, complete_minutes, resp_ok, resp_due, res_due, ftf, repeat, rated,
                     satisfied, complaints, return_of)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, NULL)",
            )
            .unwrap();
        let mut complaints_stmt = tx
            .prepare(
                "INSERT INTO follow_ups (id, job_id, at, complaint_grade, body, resolved_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .unwrap();
        for i in 1..=jobs {
            let j = BenchJob::new(i, jobs, now);
            jobs_stmt
                .execute(rusqlite::params![
                    j.id,
                    j.number,
                    j.st,
                    j.pri,
                    j.tech,
                    customer,
                    site,
                    j.rep,
                    j.body(customer, site)
                ])
                .unwrap();
            let f = j.facts();
            facts_stmt
                .execute(rusqlite::params![
                    j.pri,
                    j.rep,
                    j.id,
                    j.tech,
                    j.st,
                    f.live,
                    f.completed,
                    f.complete_minutes,
                    f.resp_ok,
                    f.resp_due,
                    f.res_due,
                    f.ftf,
                    f.repeat,
                    f.rated,
                    f.satisfied,
                    f.complaints
                ])
                .unwrap();
            if let Some(c) = j.complaint(&f) {
                complaints_stmt
                    .execute(rusqlite::params![c.id, j.id, c.at, c.grade, c.body, c.resolved])
                    .unwrap();
            }
        }
    }
    tx.commit().unwrap();
    conn.execute_batch("ANALYZE; PRAGMA wal_checkpoint(TRUNCATE);").unwrap();
}

/// A value in `COPY … FROM STDIN`'s text format.
fn copy_text(out: &mut Vec<u8>, value: &str) {
    for b in value.bytes() {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            _ => out.push(b),
        }
    }
}

/// One `COPY` row from its fields (`None` is NULL).
fn copy_row(out: &mut Vec<u8>, fields: &[Option<&str>]) {
    for (k, f) in fields.iter().enumerate() {
        if k > 0 {
            out.push(b'\t');
        }
        match f {
            Some(v) => copy_text(out, v),
            None => out.extend_from_slice(b"\\N"),
        }
    }
    out.push(b'\n');
}

fn pg_bool(b: bool) -> Option<&'static str> {
    Some(if b { "t" } else { "f" })
}

/// Streams `COPY sql` rows made by `row` for jobs 1..=jobs, in chunks.
fn copy_jobs(
    tx: &mut postgres::Transaction<'_>,
    sql: &str,
    jobs: i64,
    now: i64,
    mut row: impl FnMut(&BenchJob, &mut Vec<u8>),
) {
    let mut writer = tx.copy_in(sql).unwrap();
    let mut buf = Vec::with_capacity(1 << 20);
    for i in 1..=jobs {
        row(&BenchJob::new(i, jobs, now), &mut buf);
        if buf.len() >= 1 << 20 {
            writer.write_all(&buf).unwrap();
            buf.clear();
        }
    }
    writer.write_all(&buf).unwrap();
    writer.finish().unwrap();
}

/// Writes the technicians and `jobs` jobs (with facts and complaints) into PostgreSQL with
/// `COPY`, in one transaction; then `VACUUM ANALYZE`. Returns the vacuum's seconds.
fn load_postgres(url: &str, jobs: i64, now: i64, customer: &str, site: &str) -> f64 {
    let mut client = postgres::Client::connect(url, postgres::NoTls).unwrap();
    let mut tx = client.transaction().unwrap();
    let mut techs = Vec::new();
    for t in 0..TECHNICIANS {
        let (id, name) = (format!("tech-{t}"), format!("Technician {t:03}"));
        copy_row(&mut techs, &[Some(&id), Some(&name), Some(&technician_body(t))]);
    }
    let mut w = tx.copy_in("COPY technicians (id, name, body) FROM STDIN").unwrap();
    w.write_all(&techs).unwrap();
    w.finish().unwrap();
    copy_jobs(
        &mut tx,
        "COPY work_orders (id, number, status, priority, assignee_id, customer_id, site_id,
             equipment_id, plan_at, search_text, body) FROM STDIN",
        jobs,
        now,
        |j, out| {
            let rep = j.rep.to_string();
            let body = j.body(customer, site);
            copy_row(
                out,
                &[
                    Some(&j.id),
                    Some(&j.number),
                    Some(j.st),
                    Some(j.pri),
                    Some(&j.tech),
                    Some(customer),
                    Some(site),
                    None,
                    Some(&rep),
                    Some(&j.number),
                    Some(&body),
                ],
            );
        },
    );
    copy_jobs(
        &mut tx,
        "COPY job_facts (priority, reported_at, job_id, assignee_id, status, live, completed,
             complete_minutes, resp_ok, resp_due, res_due, ftf, repeat, rated, satisfied,
             complaints, return_of) FROM STDIN",
        jobs,
        now,
        |j, out| {
            let f = j.facts();
            let (rep, minutes, complaints) =
                (j.rep.to_string(), f.complete_minutes.to_string(), f.complaints.to_string());
            let (resp_due, res_due) =
                (f.resp_due.map(|v| v.to_string()), f.res_due.map(|v| v.to_string()));
            copy_row(
                out,
                &[
                    Some(j.pri),
                    Some(&rep),
                    Some(&j.id),
                    Some(&j.tech),
                    Some(j.st),
                    pg_bool(f.live),
                    pg_bool(f.completed),
                    Some(&minutes),
                    pg_bool(f.resp_ok),
                    resp_due.as_deref(),
                    res_due.as_deref(),
                    pg_bool(f.ftf),
                    pg_bool(f.repeat),
                    pg_bool(f.rated),
                    pg_bool(f.satisfied),
                    Some(&complaints),
                    None,
                ],
            );
        },
    );
    copy_jobs(
        &mut tx,
        "COPY follow_ups (id, job_id, at, complaint_grade, body, resolved_at) FROM STDIN",
        jobs,
        now,
        |j, out| {
            if let Some(c) = j.complaint(&j.facts()) {
                let (at, resolved) = (c.at.to_string(), c.resolved.map(|v| v.to_string()));
                copy_row(
                    out,
                    &[
                        Some(&c.id),
                        Some(&j.id),
                        Some(&at),
                        Some(c.grade),
                        Some(&c.body),
                        resolved.as_deref(),
                    ],
                );
            }
        },
    );
    tx.commit().unwrap();
    let t = Instant::now();
    client.batch_execute("VACUUM ANALYZE").unwrap();
    t.elapsed().as_secs_f64()
}

#[tokio::main]
async fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut jobs: i64 = 1_000_000;
    let mut database = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--database" {
            database = Some(args.next().expect("--database postgres://user@host:port/dbname"));
        } else {
            jobs = a.parse().expect("usage: kpi_bench [JOBS] [--database postgres://…]");
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::new(dir.path());
    config.password_cost = PasswordCost::CHEAP;
    config.rate_limit = RateLimit { burst: 100_000, per_second: 100_000.0 };
    if let Some(url) = &database {
        config.database = DatabaseLocation::Postgres { url: url.clone() };
    }
    let db_path = config.db_path();
    let state = fieldwork_headoffice::open(config).await.unwrap();
    let store = state.store.clone();
    let by = Dispatcher { user_id: String::new(), name: "bench".into() };
    let customer = store
        .create_customer(
            &by,
            CustomerInput {
                name: "Bench Customer".into(),
                phone: "13800000000".into(),
                alt_phone: None,
                email: None,
            },
        )
        .await
        .unwrap();
    let site = store
        .create_site(
            &by,
            SiteInput {
                customer_id: customer.id.clone(),
                address: "1 Bench Road".into(),
                city: "Shanghai".into(),
                postal_code: None,
                access_notes: None,
                contact_name: None,
                contact_phone: None,
            },
        )
        .await
        .unwrap();
    store
        .add_user(NewUser {
            name: "disp".into(),
            role: UserRole::Dispatcher,
            password_hash: hash_password("disp-password", PasswordCost::CHEAP).unwrap(),
            technician: None,
        })
        .await
        .unwrap();

    let started = Instant::now();
    let now = Utc::now().timestamp_millis();
    let (customer_id, site_id) = (customer.id.clone(), site.id.clone());
    let (backend, vacuum_s) = match database.clone() {
        None => {
            tokio::task::spawn_blocking(move || {
                load_sqlite(&db_path, jobs, now, &customer_id, &site_id);
            })
            .await
            .unwrap();
            ("SQLite", None)
        }
        Some(url) => {
            let vacuum = tokio::task::spawn_blocking(move || {
                load_postgres(&url, jobs, now, &customer_id, &site_id)
            })
            .await
            .unwrap();
            ("PostgreSQL", Some(vacuum))
        }
    };
    let written = started.elapsed().as_secs_f64() - vacuum_s.unwrap_or(0.0);
    println!(
        "kpi bench on {backend}: {jobs} jobs, {TECHNICIANS} technicians written in {written:.1} s{}",
        vacuum_s.map(|v| format!(" (then VACUUM ANALYZE {v:.1} s)")).unwrap_or_default()
    );

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let serving = state.clone();
    tokio::spawn(async move {
        fieldwork_headoffice::serve(listener, serving, std::future::pending()).await.unwrap();
    });
    let http = reqwest::Client::builder().cookie_store(true).build().unwrap();
    let resp = http
        .post(format!("{base}/api/v1/auth/session"))
        .json(&json!({"user": "disp", "password": "disp-password"}))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "sign-in: {}", resp.status());

    let enc = |ms: i64| iso(ms).replace('+', "%2B");
    let year = format!("from={}&to={}", enc(now - YEAR_MS), enc(now + 60_000));
    let month = format!("from={}&to={}", enc(now - 30 * 86_400_000), enc(now + 60_000));
    let cases = [
        ("KPI page, whole team, last 365 days", format!("/api/v1/kpis?{year}")),
        ("KPI page, whole team, last 30 days", format!("/api/v1/kpis?{month}")),
        (
            "KPI page, one technician, last 365 days",
            format!("/api/v1/kpis?{year}&technician=tech-7"),
        ),
        (
            "jobs behind first-time fix (page of 100), 365 days",
            format!("/api/v1/kpis/jobs?{year}&measure=first_time_fix&part=numerator&limit=100"),
        ),
        (
            "jobs behind complaints (page of 100), 365 days",
            format!("/api/v1/kpis/jobs?{year}&measure=complaints&part=numerator&limit=100"),
        ),
        (
            "jobs behind complaints closed within 24 h (page of 100), 365 days",
            format!("/api/v1/kpis/jobs?{year}&measure=complaint_handling&part=numerator&limit=100"),
        ),
    ];
    let mut worst_page = 0.0f64;
    for (name, path) in &cases {
        let mut times = Vec::new();
        let mut last = Value::Null;
        for _ in 0..5 {
            let t = Instant::now();
            let resp = http.get(format!("{base}{path}")).send().await.unwrap();
            assert!(resp.status().is_success(), "{path}: {}", resp.status());
            last = resp.json().await.unwrap();
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        let median = times[times.len() / 2];
        if path.starts_with("/api/v1/kpis?") {
            worst_page = worst_page.max(median);
        }
        let summary = match &last {
            Value::Array(a) => format!("{} jobs listed", a.len()),
            v => format!(
                "{} jobs, first-time fix {}/{}",
                v["jobs"], v["measures"][2]["numerator"], v["measures"][2]["denominator"]
            ),
        };
        println!(
            "{name}: median {median:.0} ms, max {:.0} ms over 5 requests ({summary})",
            times[times.len() - 1]
        );
    }
    println!(
        "KPI page worst median: {worst_page:.0} ms (target <= 500 ms) {}",
        if worst_page <= 500.0 { "OK" } else { "OVER" }
    );
}
