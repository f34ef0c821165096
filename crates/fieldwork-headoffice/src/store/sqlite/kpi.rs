//! KPIs in SQL over `job_facts`, and follow-up calls. Each measure's two counts are SQL
//! conditions written once ([`condition`]); the aggregate query sums them and the drill-down
//! query lists the jobs matching them, so a number and its job list cannot disagree. The facts
//! are refreshed from the job, its status history, its rating, its follow-ups and its return
//! visits inside the transaction that changed any of them.

use chrono::{DateTime, Utc};
use fieldwork_core::domain::{Feedback, JobStatus, StatusChange, WorkOrder};
use rusqlite::types::Value;
use rusqlite::{Transaction, params};

use super::jobs::{JOB_LIST_SELECT, job_list_rows, load_job};
use super::{Writer, bodies, ms};
use crate::error::{Error, Result};
use crate::store::kpis::*;
use crate::store::types::{Dispatcher, JobListItem, Page};

/// 30 days in milliseconds: a return visit reported within this of completion is a repeat.
const RETURN_WINDOW_MS: i64 = 30 * 24 * 3_600_000;
const PRIORITIES: [&str; 4] = ["urgent", "high", "normal", "low"];
/// Longest follow-up comment.
const COMMENT_MAX: usize = 2_000;

/// The SQL condition (over `job_facts` columns; `?1` is now in ms) counting one side of a
/// measure. Cancelled jobs are excluded by the caller.
fn condition(m: Measure, part: RatioPart) -> String {
    let completed = "completed_at IS NOT NULL";
    let within = RETURN_WINDOW_MS;
    match (m, part) {
        (Measure::Response, RatioPart::Denominator) => {
            "(arrived_at IS NOT NULL OR due_at < ?1)".into()
        }
        (Measure::Response, RatioPart::Numerator) => {
            "(acked_at IS NOT NULL AND acked_at <= ack_due_at \
             AND arrived_at IS NOT NULL AND arrived_at <= due_at)"
                .into()
        }
        (Measure::Resolution, RatioPart::Denominator) => {
            "(completed_at IS NOT NULL OR coalesce(complete_due_at, due_at) < ?1)".into()
        }
        (Measure::Resolution, RatioPart::Numerator) => completed.into(),
        (Measure::FirstTimeFix, RatioPart::Numerator) => format!(
            "(completed_at IS NOT NULL AND held = 0 AND (first_return_at IS NULL \
             OR first_return_at > completed_at + {within}))"
        ),
        (Measure::RepeatVisits, RatioPart::Numerator) => format!(
            "(completed_at IS NOT NULL AND first_return_at IS NOT NULL \
             AND first_return_at <= completed_at + {within})"
        ),
        (Measure::Satisfaction, RatioPart::Denominator) => "rating IS NOT NULL".into(),
        (Measure::Satisfaction, RatioPart::Numerator) => "rating >= 4".into(),
        (Measure::Complaints, RatioPart::Numerator) => "complaints > 0".into(),
        (
            Measure::FirstTimeFix | Measure::RepeatVisits | Measure::Complaints,
            RatioPart::Denominator,
        ) => completed.into(),
    }
}

fn target(m: Measure) -> (Option<f64>, bool) {
    match m {
        Measure::Response | Measure::Resolution => (Some(0.95), true),
        Measure::FirstTimeFix => (None, true),
        Measure::Satisfaction => (Some(0.90), true),
        Measure::Complaints => (Some(0.01), false),
        Measure::RepeatVisits => (None, false),
    }
}

/// The sums one group needs, each a SQL expression filtered by `group` (a condition or "1").
/// Order: jobs, cancelled, completed, sum of completion minutes, then numerator and
/// denominator of every measure in [`Measure::ALL`] order.
fn sums(group: &str) -> Vec<String> {
    let live = format!("{group} AND status <> 'cancelled'");
    let mut out = vec![
        format!("sum(CASE WHEN {group} THEN 1 ELSE 0 END)"),
        format!("sum(CASE WHEN {group} AND status = 'cancelled' THEN 1 ELSE 0 END)"),
        format!("sum(CASE WHEN {live} AND completed_at IS NOT NULL THEN 1 ELSE 0 END)"),
        format!(
            "sum(CASE WHEN {live} AND completed_at IS NOT NULL \
             THEN (completed_at - reported_at) / 60000.0 ELSE 0 END)"
        ),
    ];
    for m in Measure::ALL {
        let num = if m == Measure::Complaints {
            format!("sum(CASE WHEN {live} THEN complaints ELSE 0 END)")
        } else {
            format!(
                "sum(CASE WHEN {live} AND {} THEN 1 ELSE 0 END)",
                condition(m, RatioPart::Numerator)
            )
        };
        out.push(num);
        out.push(format!(
            "sum(CASE WHEN {live} AND {} THEN 1 ELSE 0 END)",
            condition(m, RatioPart::Denominator)
        ));
    }
    out
}

const SUMS_PER_GROUP: usize = 4 + 2 * Measure::ALL.len();

/// Where-clause of a period (and technician): `?1` now, `?2` from, `?3` to, `?4` technician.
fn scope(technician: bool) -> &'static str {
    if technician {
        "reported_at >= ?2 AND reported_at < ?3 AND assignee_id = ?4"
    } else {
        "reported_at >= ?2 AND reported_at < ?3"
    }
}

fn scope_args(
    now: DateTime<Utc>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    t: Option<&str>,
) -> Vec<Value> {
    let mut args: Vec<Value> = vec![ms(now).into(), ms(from).into(), ms(to).into()];
    if let Some(t) = t {
        args.push(t.to_owned().into());
    }
    args
}

struct GroupSums {
    jobs: i64,
    cancelled: i64,
    completed: i64,
    minutes: f64,
    ratios: Vec<(i64, i64)>,
}

fn read_group(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<GroupSums> {
    let int =
        |i: usize| -> rusqlite::Result<i64> { Ok(r.get::<_, Option<i64>>(at + i)?.unwrap_or(0)) };
    let mut ratios = Vec::new();
    for k in 0..Measure::ALL.len() {
        ratios.push((int(4 + 2 * k)?, int(5 + 2 * k)?));
    }
    Ok(GroupSums {
        jobs: int(0)?,
        cancelled: int(1)?,
        completed: int(2)?,
        minutes: r.get::<_, Option<f64>>(at + 3)?.unwrap_or(0.0),
        ratios,
    })
}

fn values(g: &GroupSums) -> Vec<KpiValue> {
    Measure::ALL
        .iter()
        .zip(&g.ratios)
        .map(|(m, (n, d))| {
            let (target, higher_is_better) = target(*m);
            KpiValue { measure: *m, numerator: *n, denominator: *d, target, higher_is_better }
        })
        .collect()
}

fn mean(minutes: f64, n: i64) -> Option<f64> {
    (n > 0).then(|| minutes / n as f64)
}

/// The KPI page: totals and completion times per priority in one pass over the period, then
/// one pass per technician (grouped).
pub(super) fn kpis(tx: &Transaction<'_>, q: &KpiQuery, now: DateTime<Utc>) -> Result<KpiReport> {
    let (from, to) = q.period(now)?;
    let tech = q.technician.as_deref().filter(|t| !t.is_empty());
    let mut cols = Vec::new();
    for p in PRIORITIES {
        cols.extend(sums(&format!("priority = '{p}'")));
    }
    let sql = format!("SELECT {} FROM job_facts WHERE {}", cols.join(", "), scope(tech.is_some()));
    let groups: Vec<GroupSums> =
        tx.query_row(&sql, rusqlite::params_from_iter(scope_args(now, from, to, tech)), |r| {
            (0..PRIORITIES.len()).map(|i| read_group(r, i * SUMS_PER_GROUP)).collect()
        })?;
    let mut total = GroupSums {
        jobs: 0,
        cancelled: 0,
        completed: 0,
        minutes: 0.0,
        ratios: vec![(0, 0); Measure::ALL.len()],
    };
    let mut completion_times = Vec::new();
    for (p, g) in PRIORITIES.iter().zip(&groups) {
        total.jobs += g.jobs;
        total.cancelled += g.cancelled;
        total.completed += g.completed;
        total.minutes += g.minutes;
        for (t, r) in total.ratios.iter_mut().zip(&g.ratios) {
            t.0 += r.0;
            t.1 += r.1;
        }
        completion_times.push(CompletionTime {
            priority: (*p).to_owned(),
            completed: g.completed,
            mean_minutes: mean(g.minutes, g.completed),
        });
    }
    completion_times.push(CompletionTime {
        priority: "all".into(),
        completed: total.completed,
        mean_minutes: mean(total.minutes, total.completed),
    });

    let sql = format!(
        "SELECT f.assignee_id, t.name, {} FROM job_facts f JOIN technicians t ON t.id = f.assignee_id
         WHERE {} GROUP BY f.assignee_id",
        sums("1").join(", "),
        scope(tech.is_some())
    );
    let mut stmt = tx.prepare(&sql)?;
    let rows = stmt
        .query_map(rusqlite::params_from_iter(scope_args(now, from, to, tech)), |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, read_group(r, 2)?))
        })?;
    let mut technicians = Vec::new();
    for row in rows {
        let (technician_id, name, g) = row?;
        technicians.push(TechnicianKpis {
            technician_id,
            name,
            jobs: g.jobs,
            measures: values(&g),
            mean_minutes: mean(g.minutes, g.completed),
        });
    }
    technicians.sort_by(|a, b| b.jobs.cmp(&a.jobs).then_with(|| a.name.cmp(&b.name)));
    Ok(KpiReport {
        from,
        to,
        technician: tech.map(str::to_owned),
        jobs: total.jobs,
        cancelled: total.cancelled,
        measures: values(&total),
        completion_times,
        technicians,
    })
}

/// The jobs behind one number of [`kpis`], newest report first.
pub(super) fn kpi_jobs(
    tx: &Transaction<'_>,
    q: &KpiJobsQuery,
    now: DateTime<Utc>,
) -> Result<Vec<JobListItem>> {
    let (from, to) = q.kpi_query().period(now)?;
    let tech = q.technician.as_deref().filter(|t| !t.is_empty());
    let mut args = scope_args(now, from, to, tech);
    let mut cond = format!(
        "{} AND status <> 'cancelled' AND {}",
        scope(tech.is_some()),
        condition(q.measure, q.part)
    );
    if let Some(p) = q.priority.as_deref().filter(|p| !p.is_empty()) {
        if !PRIORITIES.contains(&p) {
            return Err(Error::invalid(format!("unknown priority {p:?}")));
        }
        args.push(p.to_owned().into());
        cond.push_str(&format!(" AND priority = ?{}", args.len()));
    }
    let page = Page::new(q.limit, q.offset);
    // The ids first (a range of the facts), then their job lines in the same order.
    let sql = format!(
        "SELECT job_id FROM job_facts WHERE {cond} ORDER BY reported_at DESC, job_id
         LIMIT {} OFFSET {}",
        page.limit, page.offset
    );
    let mut stmt = tx.prepare(&sql)?;
    let ids: Vec<String> = stmt
        .query_map(rusqlite::params_from_iter(args), |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (1..=ids.len()).map(|i| format!("?{i}")).collect();
    let sql = format!("{JOB_LIST_SELECT} AND w.id IN ({})", marks.join(", "));
    let mut items = job_list_rows(tx, &sql, ids.iter().map(|i| Value::from(i.clone())).collect())?;
    items.sort_by_key(|i| ids.iter().position(|x| x == &i.id));
    Ok(items)
}

/// Rewrites the facts of `job` (and the return-visit date of the job it follows up).
pub(super) fn refresh_facts(tx: &Transaction<'_>, job: &WorkOrder) -> Result<()> {
    let history: Vec<StatusChange> =
        bodies(tx, "SELECT body FROM status_changes WHERE job_id = ?1", [&job.id])?;
    let first = |pred: &dyn Fn(&StatusChange) -> bool| {
        history.iter().filter(|c| pred(c)).map(|c| ms(c.at)).min()
    };
    let acked_at =
        first(&|c| c.from_status == Some(JobStatus::New) && c.to_status != JobStatus::Cancelled);
    let arrived_at = first(&|c| c.to_status == JobStatus::OnSite);
    let completed_at = matches!(job.status, JobStatus::Completed | JobStatus::Closed)
        .then(|| {
            history.iter().filter(|c| c.to_status == JobStatus::Completed).map(|c| ms(c.at)).max()
        })
        .flatten();
    let held = history.iter().any(|c| c.to_status == JobStatus::OnHold);
    let feedback: Vec<Feedback> = bodies(
        tx,
        "SELECT body FROM feedback WHERE job_id = ?1 ORDER BY json_extract(body, '$.created_at'), id",
        [&job.id],
    )?;
    let rating = feedback.last().map(|f| i64::from(f.rating));
    let complaints: i64 = tx.query_row(
        "SELECT count(*) FROM follow_ups WHERE job_id = ?1 AND complaint_grade IS NOT NULL",
        [&job.id],
        |r| r.get(0),
    )?;
    let first_return_at: Option<i64> = tx.query_row(
        "SELECT min(reported_at) FROM job_facts WHERE return_of = ?1",
        [&job.id],
        |r| r.get(0),
    )?;
    tx.prepare_cached("DELETE FROM job_facts WHERE job_id = ?1")?.execute([&job.id])?;
    tx.prepare_cached(
        "INSERT INTO job_facts (reported_at, job_id, priority, status, assignee_id, ack_due_at,
             due_at, complete_due_at, acked_at, arrived_at, completed_at, held, return_of,
             first_return_at, rating, complaints)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
    )?
    .execute(params![
        ms(job.reported_at),
        job.id,
        job.priority.as_str(),
        job.status.as_str(),
        job.assignee_id,
        ms(job.ack_due_at),
        ms(job.due_at),
        job.complete_due_at.map(ms),
        acked_at,
        arrived_at,
        completed_at,
        held,
        job.return_of,
        first_return_at,
        rating,
        complaints
    ])?;
    if let Some(earlier) = &job.return_of {
        tx.prepare_cached(
            "UPDATE job_facts SET first_return_at =
                 (SELECT min(reported_at) FROM job_facts WHERE return_of = ?1)
             WHERE job_id = ?1",
        )?
        .execute([earlier])?;
    }
    Ok(())
}

/// Fills `job_facts` for every job (the migration to schema 2).
pub(super) fn backfill(tx: &Transaction<'_>) -> Result<()> {
    let jobs: Vec<WorkOrder> = bodies(tx, "SELECT body FROM work_orders", [])?;
    // Jobs first, then again so every return visit's date reaches the job it follows.
    for job in jobs.iter().chain(jobs.iter().filter(|j| j.return_of.is_some())) {
        refresh_facts(tx, job)?;
    }
    Ok(())
}

fn check_follow_up(input: &FollowUpInput) -> Result<Option<String>> {
    if let Some(s) = input.satisfaction
        && !(1..=5).contains(&s)
    {
        return Err(Error::invalid("satisfaction is 1 to 5"));
    }
    if input.reached && input.satisfaction.is_none() {
        return Err(Error::invalid("a call that reached the customer records their satisfaction"));
    }
    if !input.reached && input.satisfaction.is_some() {
        return Err(Error::invalid("satisfaction needs a call that reached the customer"));
    }
    let comment = input.comment.as_deref().map(str::trim).filter(|c| !c.is_empty());
    if comment.is_some_and(|c| c.chars().count() > COMMENT_MAX) {
        return Err(Error::invalid(format!("the comment is longer than {COMMENT_MAX} characters")));
    }
    Ok(comment.map(str::to_owned))
}

/// Records a follow-up call on a completed or closed job.
pub(super) fn record_follow_up(
    w: &mut Writer<'_>,
    by: &Dispatcher,
    job_id: &str,
    input: FollowUpInput,
) -> Result<FollowUp> {
    let job = load_job(w.tx, job_id)?;
    if !matches!(job.status, JobStatus::Completed | JobStatus::Closed) {
        return Err(Error::Rule {
            code: fieldwork_sync::wire::codes::TRANSITION_NOT_ALLOWED,
            message: format!(
                "job {} is {}; follow-up calls are for completed jobs",
                job.number, job.status
            ),
        });
    }
    let comment = check_follow_up(&input)?;
    let f = FollowUp {
        id: fieldwork_core::ids::new_id(),
        job_id: job.id.clone(),
        reached: input.reached,
        satisfaction: input.satisfaction,
        comment,
        complaint: input.complaint,
        by: by.name.clone(),
        at: w.now,
    };
    w.tx.execute(
        "INSERT INTO follow_ups (id, job_id, at, complaint_grade, body) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            f.id,
            f.job_id,
            ms(f.at),
            f.complaint.as_ref().map(|c| c.grade.as_str()),
            serde_json::to_string(&f)?
        ],
    )?;
    refresh_facts(w.tx, &job)?;
    Ok(f)
}

pub(super) fn follow_ups_of(tx: &Transaction<'_>, job_id: &str) -> Result<Vec<FollowUp>> {
    bodies(tx, "SELECT body FROM follow_ups WHERE job_id = ?1 ORDER BY at, id", [job_id])
}

/// Major complaints on jobs not yet closed, or recorded in the last 7 days; newest first.
pub(super) fn major_complaints(
    tx: &Transaction<'_>,
    now: DateTime<Utc>,
) -> Result<Vec<MajorComplaint>> {
    let mut stmt = tx.prepare(
        "SELECT f.body, w.number, c.name, w.status FROM follow_ups f
         JOIN work_orders w ON w.id = f.job_id JOIN customers c ON c.id = w.customer_id
         WHERE f.complaint_grade = 'major' AND (w.status <> 'closed' OR f.at >= ?1)
         ORDER BY f.at DESC LIMIT 200",
    )?;
    let rows = stmt.query_map([ms(now) - 7 * 24 * 3_600_000], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (body, job_number, customer_name, status) = row?;
        out.push(MajorComplaint {
            follow_up: serde_json::from_str(&body)?,
            job_number,
            customer_name,
            job_status: status
                .parse()
                .map_err(|e: fieldwork_core::CoreError| Error::Internal(e.to_string()))?,
        });
    }
    Ok(out)
}
