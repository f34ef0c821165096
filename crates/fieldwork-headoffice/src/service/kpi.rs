//! KPIs in SQL over `job_facts`, and follow-up calls. Each measure's two counts are SQL
//! conditions written once ([`condition`]); the aggregate query sums them and the drill-down
//! query lists the jobs matching them, so a number and its job list cannot disagree. The facts
//! are refreshed from the job, its status history, its rating, its follow-ups and its return
//! visits inside the transaction that changed any of them.

use chrono::{DateTime, Utc};
use fieldwork_domain::ErrorCode;
use fieldwork_domain::domain::{Feedback, JobStatus, StatusChange, WorkOrder};

use super::jobs::{JOB_LIST_SELECT, job_list_rows, load_job};
use super::{Writer, ms};
use crate::db::{Db, Row, ToValue, Value};
use crate::error::{Error, Result};
use crate::store::kpis::*;
use crate::store::types::{Dispatcher, JobListItem, Page};

/// 30 days in milliseconds: a return visit reported within this of completion is a repeat.
const RETURN_WINDOW_MS: i64 = 30 * 24 * 3_600_000;
/// "A follow-up call within a few days" (DOMAIN.md): 3 days after completion, in ms.
const FOLLOW_UP_WINDOW_MS: i64 = 3 * 24 * 3_600_000;
/// "Each complaint is answered within 24 hours" (DOMAIN.md), in ms.
const COMPLAINT_WINDOW_MS: i64 = 24 * 3_600_000;
/// Longest documented outcome of a complaint.
const OUTCOME_MAX: usize = 2_000;
const PRIORITIES: [&str; 4] = ["urgent", "high", "normal", "low"];
/// Longest follow-up comment.
const COMMENT_MAX: usize = 2_000;

/// The SQL condition over `job_facts` (`?1` is now in ms) counting one side of a measure. The
/// flags are booleans (0/1 integers on SQLite), so a flag is a condition on its own.
fn condition(m: Measure, part: RatioPart) -> &'static str {
    match (m, part) {
        (Measure::Response, RatioPart::Numerator) => "resp_ok",
        (Measure::Response, RatioPart::Denominator) => "resp_due < ?1",
        (Measure::Resolution, RatioPart::Numerator) => "completed",
        (Measure::Resolution, RatioPart::Denominator) => "res_due < ?1",
        (Measure::FirstTimeFix, RatioPart::Numerator) => "ftf",
        (Measure::RepeatVisits, RatioPart::Numerator) => "repeat",
        (Measure::Satisfaction, RatioPart::Numerator) => "satisfied",
        (Measure::Satisfaction, RatioPart::Denominator) => "rated",
        (Measure::Complaints, RatioPart::Numerator) => "complaints > 0",
        (
            Measure::FirstTimeFix | Measure::RepeatVisits | Measure::Complaints,
            RatioPart::Denominator,
        ) => "completed",
        (Measure::FollowUp, RatioPart::Numerator) => "fu_ok",
        (Measure::FollowUp, RatioPart::Denominator) => "fu_due < ?1",
        // Counted over the complaints themselves: see `complaint_condition`.
        (Measure::ComplaintHandling | Measure::MajorComplaints, _) => "FALSE",
    }
}

/// How many rows of the group meet `cond` (a 64-bit integer on every backend).
fn count_if(cond: &str) -> String {
    format!("CAST(COALESCE(SUM(CASE WHEN {cond} THEN 1 ELSE 0 END), 0) AS BIGINT)")
}

/// The sum of an integer column over the group, 0 when it has no rows.
fn sum_int(expr: &str) -> String {
    format!("CAST(COALESCE(SUM({expr}), 0) AS BIGINT)")
}

/// The SQL condition over one complaint (`follow_ups` as `c`, `?1` now in ms) counting one side
/// of a measure that counts complaints.
fn complaint_condition(m: Measure, part: RatioPart) -> Option<String> {
    match (m, part) {
        (Measure::ComplaintHandling, RatioPart::Numerator) => Some(format!(
            "c.resolved_at IS NOT NULL AND c.resolved_at <= c.at + {COMPLAINT_WINDOW_MS}"
        )),
        (Measure::ComplaintHandling, RatioPart::Denominator) => {
            Some(format!("(c.resolved_at IS NOT NULL OR c.at + {COMPLAINT_WINDOW_MS} < ?1)"))
        }
        (Measure::MajorComplaints, RatioPart::Numerator) => {
            Some("c.complaint_grade = 'major'".into())
        }
        (Measure::MajorComplaints, RatioPart::Denominator) => Some("TRUE".into()),
        _ => None,
    }
}

/// The sum of one side of a measure (complaints count complaints, not jobs).
fn sum_of(m: Measure, part: RatioPart) -> String {
    match (m, part) {
        (Measure::Complaints, RatioPart::Numerator) => sum_int("complaints"),
        // Summed by the complaints query and added to the groups.
        (Measure::ComplaintHandling | Measure::MajorComplaints, _) => "0".into(),
        _ => count_if(condition(m, part)),
    }
}

fn target(m: Measure) -> (Option<f64>, bool) {
    match m {
        Measure::Response | Measure::Resolution => (Some(0.95), true),
        Measure::FirstTimeFix => (None, true),
        Measure::Satisfaction => (Some(0.90), true),
        Measure::Complaints => (Some(0.01), false),
        Measure::RepeatVisits => (None, false),
        Measure::FollowUp => (None, true),
        // Every complaint answered within 24 hours.
        Measure::ComplaintHandling => (Some(1.0), true),
        Measure::MajorComplaints => (None, false),
    }
}

/// The sums of a group: jobs, live (not cancelled), completed, completion minutes, then the
/// numerator and denominator of every measure in [`Measure::ALL`] order.
fn sums() -> String {
    let mut out = vec![
        "count(*)".to_owned(),
        count_if("live"),
        count_if("completed"),
        "CAST(COALESCE(SUM(complete_minutes), 0) AS DOUBLE PRECISION)".into(),
    ];
    for m in Measure::ALL {
        out.push(sum_of(m, RatioPart::Numerator));
        out.push(sum_of(m, RatioPart::Denominator));
    }
    out.join(", ")
}

/// `?1` now, `?2` from, `?3` to, `?4` technician.
fn scope_args(
    now: DateTime<Utc>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    t: Option<&str>,
) -> Vec<Value> {
    let mut args = vec![Value::Int(ms(now)), Value::Int(ms(from)), Value::Int(ms(to))];
    if let Some(t) = t {
        args.push(Value::Text(t.to_owned()));
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

fn read_group(r: &Row, at: usize) -> Result<GroupSums> {
    let int = |i: usize| -> Result<i64> { r.get::<i64>(at + i) };
    let mut ratios = Vec::new();
    for k in 0..Measure::ALL.len() {
        ratios.push((int(4 + 2 * k)?, int(5 + 2 * k)?));
    }
    let jobs = int(0)?;
    Ok(GroupSums {
        jobs,
        cancelled: jobs - int(1)?,
        completed: int(2)?,
        minutes: r.get::<f64>(at + 3)?,
        ratios,
    })
}

/// `args` as a statement's parameters.
fn params(args: &[Value]) -> Vec<&dyn ToValue> {
    args.iter().map(|v| v as &dyn ToValue).collect()
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

/// The KPI page in one pass: sums per (technician, priority) read from the covering index,
/// where each pair's period is one range (technicians spelled out, unassigned as ''), so
/// nothing is sorted; the team's totals, the priorities and the technicians' rows are added
/// up from those groups.
pub(super) fn kpis(db: &dyn Db, q: &KpiQuery, now: DateTime<Utc>) -> Result<KpiReport> {
    let (from, to) = q.period(now)?;
    let tech = q.technician.as_deref().filter(|t| !t.is_empty());
    let mut names: Vec<(String, String)> =
        db.query_map("SELECT id, name FROM technicians ORDER BY id", &[], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    match tech {
        Some(t) => names.retain(|(id, _)| id == t),
        None => names.push((String::new(), String::new())),
    }
    let mut args = scope_args(now, from, to, None);
    let mut marks = Vec::new();
    for (id, _) in &names {
        args.push(Value::Text(id.clone()));
        marks.push(format!("?{}", args.len()));
    }
    if marks.is_empty() {
        // An unknown technician has no jobs.
        marks.push("NULL".into());
    }
    let sql = format!(
        "SELECT assignee_id, priority, {} FROM job_facts
         WHERE assignee_id IN ({}) AND priority IN ('urgent', 'high', 'normal', 'low')
           AND reported_at >= ?2 AND reported_at < ?3
         GROUP BY assignee_id, priority",
        sums(),
        marks.join(", ")
    );
    let complaints = complaint_groups(db, &args, &marks)?;
    let knowledge = knowledge_effect(db, &args, &marks)?;
    let rows = db.query_map(&sql, &params(&args), |r| {
        Ok((r.get::<String>(0)?, r.get::<String>(1)?, read_group(r, 2)?))
    })?;
    let empty = || GroupSums {
        jobs: 0,
        cancelled: 0,
        completed: 0,
        minutes: 0.0,
        ratios: vec![(0, 0); Measure::ALL.len()],
    };
    let mut total = empty();
    let mut by_priority: Vec<GroupSums> = PRIORITIES.iter().map(|_| empty()).collect();
    let mut by_technician: Vec<(String, GroupSums)> = Vec::new();
    for (technician, priority, mut g) in rows {
        // The complaints of a group's jobs are among its rows' jobs.
        for c in complaints.iter().filter(|c| c.technician == technician && c.priority == priority)
        {
            c.add_to(&mut g);
        }
        add(&mut total, &g);
        if let Some(i) = PRIORITIES.iter().position(|p| *p == priority) {
            add(&mut by_priority[i], &g);
        }
        if !technician.is_empty() {
            match by_technician.last_mut() {
                Some((t, sums)) if *t == technician => add(sums, &g),
                _ => by_technician.push((technician, g)),
            }
        }
    }
    let mut completion_times: Vec<CompletionTime> = PRIORITIES
        .iter()
        .zip(&by_priority)
        .map(|(p, g)| CompletionTime {
            priority: (*p).to_owned(),
            completed: g.completed,
            mean_minutes: mean(g.minutes, g.completed),
        })
        .collect();
    completion_times.push(CompletionTime {
        priority: "all".into(),
        completed: total.completed,
        mean_minutes: mean(total.minutes, total.completed),
    });
    let complaint_times = complaint_times(&complaints);
    let mut technicians: Vec<TechnicianKpis> = by_technician
        .into_iter()
        .map(|(technician_id, g)| TechnicianKpis {
            name: names
                .iter()
                .find(|(id, _)| id == &technician_id)
                .map(|(_, n)| n.clone())
                .unwrap_or_default(),
            technician_id,
            jobs: g.jobs,
            measures: values(&g),
            mean_minutes: mean(g.minutes, g.completed),
        })
        .collect();
    technicians.sort_by(|a, b| b.jobs.cmp(&a.jobs).then_with(|| a.name.cmp(&b.name)));
    Ok(KpiReport {
        from,
        to,
        technician: tech.map(str::to_owned),
        jobs: total.jobs,
        cancelled: total.cancelled,
        measures: values(&total),
        completion_times,
        complaint_times,
        technicians,
        knowledge,
    })
}

/// First-time fix with and without an article marked as used, over the jobs of the period and
/// technicians `marks` (the same scope as the page's other numbers, and the same conditions).
fn knowledge_effect(db: &dyn Db, args: &[Value], marks: &[String]) -> Result<KnowledgeEffect> {
    // Without `now` (?1), which no first-time-fix condition reads: every bound parameter is
    // used (PostgreSQL cannot type one that is not), so the others move down by one.
    let args = &args[1..];
    let marks: Vec<String> = marks
        .iter()
        .map(|m| match m.strip_prefix('?').and_then(|n| n.parse::<usize>().ok()) {
            Some(n) => format!("?{}", n - 1),
            None => m.clone(),
        })
        .collect();
    let sql = format!(
        "SELECT CAST(CASE WHEN {used} THEN 1 ELSE 0 END AS BIGINT) AS used, {completed}, {ftf}
         FROM job_facts f
         WHERE f.assignee_id IN ({marks}) AND f.priority IN ('urgent', 'high', 'normal', 'low')
           AND f.reported_at >= ?1 AND f.reported_at < ?2
         GROUP BY 1",
        used = super::kb_field::ARTICLE_USED,
        completed = count_if(condition(Measure::FirstTimeFix, RatioPart::Denominator)),
        ftf = count_if(condition(Measure::FirstTimeFix, RatioPart::Numerator)),
        marks = marks.join(", "),
    );
    let mut effect = KnowledgeEffect::default();
    for (used, completed, first_time) in db.query_map(&sql, &params(args), |r| {
        Ok((r.get::<i64>(0)?, r.get::<i64>(1)?, r.get::<i64>(2)?))
    })? {
        let rate = FixRate { completed, first_time };
        if used == 1 {
            effect.with_article = rate;
        } else {
            effect.without_article = rate;
        }
    }
    Ok(effect)
}

fn add(into: &mut GroupSums, g: &GroupSums) {
    into.jobs += g.jobs;
    into.cancelled += g.cancelled;
    into.completed += g.completed;
    into.minutes += g.minutes;
    for (t, r) in into.ratios.iter_mut().zip(&g.ratios) {
        t.0 += r.0;
        t.1 += r.1;
    }
}

/// The complaints of one (technician, priority, grade): what the complaint measures and the
/// complaint closing times add up.
struct ComplaintGroup {
    technician: String,
    priority: String,
    grade: String,
    complaints: i64,
    handled_in_time: i64,
    handling_due: i64,
    resolved: i64,
    resolve_minutes: f64,
}

impl ComplaintGroup {
    fn add_to(&self, g: &mut GroupSums) {
        for (m, ratio) in Measure::ALL.iter().zip(g.ratios.iter_mut()) {
            match m {
                Measure::ComplaintHandling => {
                    ratio.0 += self.handled_in_time;
                    ratio.1 += self.handling_due;
                }
                Measure::MajorComplaints => {
                    if self.grade == ComplaintGrade::Major.as_str() {
                        ratio.0 += self.complaints;
                    }
                    ratio.1 += self.complaints;
                }
                _ => {}
            }
        }
    }
}

/// The complaints recorded on the live jobs of the scope, grouped by (technician, priority,
/// grade). `args` and `marks` are the main query's: `?1` now, `?2`/`?3` the period, then the
/// technicians. Complaints are few (about 1 % of jobs), so this reads them through their own
/// partial index and looks up each one's job.
fn complaint_groups(db: &dyn Db, args: &[Value], marks: &[String]) -> Result<Vec<ComplaintGroup>> {
    let handled = complaint_condition(Measure::ComplaintHandling, RatioPart::Numerator)
        .unwrap_or_else(|| "FALSE".into());
    let due = complaint_condition(Measure::ComplaintHandling, RatioPart::Denominator)
        .unwrap_or_else(|| "FALSE".into());
    let sql = format!(
        "SELECT f.assignee_id, f.priority, c.complaint_grade, count(*), {}, {},
                count(c.resolved_at), {}
         FROM follow_ups c JOIN job_facts f ON f.job_id = c.job_id
         WHERE c.complaint_grade IS NOT NULL AND f.live
           AND f.assignee_id IN ({}) AND f.reported_at >= ?2 AND f.reported_at < ?3
         GROUP BY f.assignee_id, f.priority, c.complaint_grade",
        count_if(&handled),
        count_if(&due),
        sum_int("c.resolved_at - c.at"),
        marks.join(", ")
    );
    db.query_map(&sql, &params(args), |r| {
        Ok(ComplaintGroup {
            technician: r.get(0)?,
            priority: r.get(1)?,
            grade: r.get(2)?,
            complaints: r.get(3)?,
            handled_in_time: r.get(4)?,
            handling_due: r.get(5)?,
            resolved: r.get(6)?,
            resolve_minutes: r.get::<i64>(7)? as f64 / 60_000.0,
        })
    })
}

/// Mean closing time per grade, then over all complaints.
fn complaint_times(groups: &[ComplaintGroup]) -> Vec<ComplaintTime> {
    let mut out = Vec::new();
    for grade in [Some(ComplaintGrade::General), Some(ComplaintGrade::Major), None] {
        let of_grade =
            || groups.iter().filter(move |g| grade.is_none_or(|gr| g.grade == gr.as_str()));
        let complaints: i64 = of_grade().map(|g| g.complaints).sum();
        let resolved: i64 = of_grade().map(|g| g.resolved).sum();
        let minutes: f64 = of_grade().map(|g| g.resolve_minutes).sum();
        out.push(ComplaintTime {
            grade: grade.map_or("all", ComplaintGrade::as_str).to_owned(),
            complaints,
            resolved,
            open: complaints - resolved,
            mean_minutes: mean(minutes, resolved),
        });
    }
    out
}

/// The jobs behind one number of [`kpis`], newest report first.
pub(super) fn kpi_jobs(
    db: &dyn Db,
    q: &KpiJobsQuery,
    now: DateTime<Utc>,
) -> Result<Vec<JobListItem>> {
    let (from, to) = q.kpi_query().period(now)?;
    let tech = q.technician.as_deref().filter(|t| !t.is_empty());
    let mut measure_cond = match complaint_condition(q.measure, q.part) {
        // Jobs with at least one such complaint, found from the complaints (few) rather than
        // by probing every job of the period.
        Some(c) => format!(
            "live AND job_id IN (SELECT c.job_id FROM follow_ups c
                                 WHERE c.complaint_grade IS NOT NULL AND {c})"
        ),
        None => condition(q.measure, q.part).to_owned(),
    };
    // Every parameter is one the statement uses (PostgreSQL cannot type an unused one): the
    // period, then the technician, now (only when the measure's condition needs it) and the
    // priority.
    let mut args = vec![Value::Int(ms(from)), Value::Int(ms(to))];
    let mut cond = String::from("reported_at >= ?1 AND reported_at < ?2");
    if let Some(t) = tech {
        args.push(Value::Text(t.to_owned()));
        cond.push_str(&format!(" AND assignee_id = ?{}", args.len()));
    }
    if measure_cond.contains("?1") {
        args.push(Value::Int(ms(now)));
        measure_cond = measure_cond.replace("?1", &format!("?{}", args.len()));
    }
    cond.push_str(&format!(" AND {measure_cond}"));
    if let Some(p) = q.priority.as_deref().filter(|p| !p.is_empty()) {
        if !PRIORITIES.contains(&p) {
            return Err(Error::invalid(format!("unknown priority {p:?}")));
        }
        args.push(Value::Text(p.to_owned()));
        cond.push_str(&format!(" AND priority = ?{}", args.len()));
    }
    let page = Page::new(q.limit, q.offset);
    // The ids first (a range of the facts), then their job lines in the same order.
    let sql = format!(
        "SELECT job_id FROM job_facts WHERE {cond} ORDER BY reported_at DESC, job_id
         LIMIT {} OFFSET {}",
        page.limit, page.offset
    );
    let ids: Vec<String> = db.query_map(&sql, &params(&args), |r| r.get(0))?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (1..=ids.len()).map(|i| format!("?{i}")).collect();
    let sql = format!("{JOB_LIST_SELECT} AND w.id IN ({})", marks.join(", "));
    let mut items = job_list_rows(db, &sql, ids.iter().map(|i| Value::Text(i.clone())).collect())?;
    items.sort_by_key(|i| ids.iter().position(|x| x == &i.id));
    Ok(items)
}

/// Rewrites the facts of `job`, and of the job it is a return visit of (whose repeat and
/// first-time-fix flags depend on it).
pub(super) fn refresh_facts(db: &dyn Db, job: &WorkOrder) -> Result<()> {
    write_facts(db, job)?;
    if let Some(earlier) = &job.return_of
        && earlier != &job.id
    {
        write_facts(db, &load_job(db, earlier)?)?;
    }
    Ok(())
}

fn write_facts(db: &dyn Db, job: &WorkOrder) -> Result<()> {
    // Each change with the time head office trusts (a device's claim judged on receipt).
    let history: Vec<(StatusChange, i64)> = {
        let rows = db.query_map(
            "SELECT s.body, t.trusted_at FROM status_changes s
             LEFT JOIN status_times t ON t.change_id = s.id WHERE s.job_id = ?1",
            &[&job.id],
            |r| Ok((r.get::<String>(0)?, r.get::<Option<i64>>(1)?)),
        )?;
        let mut out = Vec::new();
        for (body, trusted) in rows {
            let change: StatusChange = serde_json::from_str(&body)?;
            let at = trusted.unwrap_or(ms(change.at));
            out.push((change, at));
        }
        out
    };
    let first = |pred: &dyn Fn(&StatusChange) -> bool| {
        history.iter().filter(|(c, _)| pred(c)).map(|(_, at)| *at).min()
    };
    let live = job.status != JobStatus::Cancelled;
    let acked_at =
        first(&|c| c.from_status == Some(JobStatus::New) && c.to_status != JobStatus::Cancelled);
    let arrived_at = first(&|c| c.to_status == JobStatus::OnSite);
    let completed_at = matches!(job.status, JobStatus::Completed | JobStatus::Closed)
        .then(|| {
            history
                .iter()
                .filter(|(c, _)| c.to_status == JobStatus::Completed)
                .map(|(_, at)| *at)
                .max()
        })
        .flatten();
    let held = history.iter().any(|(c, _)| c.to_status == JobStatus::OnHold);
    let feedback: Vec<Feedback> = db.bodies(
        "SELECT body FROM feedback WHERE job_id = ?1
         ORDER BY json_extract(body, '$.created_at'), id",
        &[&job.id],
    )?;
    let calls: Vec<FollowUp> = follow_ups_of(db, &job.id)?;
    let complaints = calls.iter().filter(|c| c.complaint.is_some()).count() as i64;
    // The customer's latest word: the latest call that reached them, else the on-site rating.
    let rating = calls
        .iter()
        .filter(|c| c.reached)
        .filter_map(|c| c.satisfaction)
        .next_back()
        .or(feedback.last().map(|f| f.rating));
    let (rated, satisfied) = customer_satisfied(rating, complaints > 0);
    // The first follow-up call since the (last) completion.
    let called_at: Option<i64> = match completed_at {
        Some(done) => db.query_row(
            "SELECT min(at) FROM follow_ups WHERE job_id = ?1 AND at >= ?2",
            &[&job.id, &done],
            |r| r.get(0),
        )?,
        None => None,
    };
    // Return visits are written with their report time in `work_orders`' bodies.
    let returns: Vec<WorkOrder> = db.bodies(
        "SELECT w.body FROM job_facts f JOIN work_orders w ON w.id = f.job_id
                    WHERE f.return_of = ?1",
        &[&job.id],
    )?;
    let repeat = completed_at.is_some_and(|done| {
        returns.iter().any(|r| r.id != job.id && ms(r.reported_at) <= done + RETURN_WINDOW_MS)
    });
    let completed = live && completed_at.is_some();
    let resp_ok = live
        && acked_at.is_some_and(|a| a <= ms(job.ack_due_at))
        && arrived_at.is_some_and(|a| a <= ms(job.due_at));
    let resp_due = live.then(|| if arrived_at.is_some() { 0 } else { ms(job.due_at) });
    let res_due =
        live.then(|| if completed { 0 } else { ms(job.complete_due_at.unwrap_or(job.due_at)) });
    let fu_ok = completed
        && matches!((completed_at, called_at), (Some(done), Some(call)) if call <= done + FOLLOW_UP_WINDOW_MS);
    let fu_due = match (completed, completed_at, called_at) {
        (true, _, Some(_)) => Some(0),
        (true, Some(done), None) => Some(done + FOLLOW_UP_WINDOW_MS),
        _ => None,
    };
    let minutes = completed_at
        .filter(|_| live)
        .map(|done| (done - ms(job.reported_at)) as f64 / 60_000.0)
        .unwrap_or(0.0);
    db.execute("DELETE FROM job_facts WHERE job_id = ?1", &[&job.id])?;
    db.execute(
        "INSERT INTO job_facts (priority, reported_at, job_id, assignee_id, status, live,
             completed, complete_minutes, resp_ok, resp_due, res_due, ftf, repeat, rated,
             satisfied, complaints, return_of, fu_ok, fu_due)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                 ?18, ?19)",
        &[
            &job.priority.as_str(),
            &ms(job.reported_at),
            &job.id,
            &job.assignee_id.as_deref().unwrap_or_default(),
            &job.status.as_str(),
            &live,
            &completed,
            &minutes,
            &resp_ok,
            &resp_due,
            &res_due,
            &(completed && !held && !repeat),
            &(completed && repeat),
            &(live && rated),
            &(live && satisfied),
            // Complaints over completed orders: a reopened job's complaint counts again once
            // it is completed again.
            &(if completed { complaints } else { 0 }),
            &job.return_of,
            &fu_ok,
            &fu_due,
        ],
    )?;
    Ok(())
}

/// Fills `job_facts` for every job (the migration to schema 2).
pub(super) fn backfill(db: &dyn Db) -> Result<()> {
    let jobs: Vec<WorkOrder> = db.bodies("SELECT body FROM work_orders", &[])?;
    // Every job, then the return visits again so the jobs they follow see them.
    for job in jobs.iter().chain(jobs.iter().filter(|j| j.return_of.is_some())) {
        refresh_facts(db, job)?;
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
    let job = load_job(w.db, job_id)?;
    if !fieldwork_domain::lifecycle::takes_follow_up(job.status) {
        return Err(Error::rule(
            ErrorCode::TransitionNotAllowed,
            format!("job {} is {}; follow-up calls are for completed jobs", job.number, job.status),
        ));
    }
    let comment = check_follow_up(&input)?;
    // A complaint is recorded open; it is closed later with its outcome.
    let complaint = input.complaint.map(|c| Complaint { resolution: None, ..c });
    let f = FollowUp {
        id: fieldwork_domain::ids::new_id(),
        job_id: job.id.clone(),
        reached: input.reached,
        satisfaction: input.satisfaction,
        comment,
        complaint,
        by: by.name.clone(),
        at: w.now,
    };
    w.db.execute(
        "INSERT INTO follow_ups (id, job_id, at, complaint_grade, body) VALUES (?1, ?2, ?3, ?4, ?5)",
        &[
            &f.id,
            &f.job_id,
            &ms(f.at),
            &f.complaint.as_ref().map(|c| c.grade.as_str()),
            &serde_json::to_string(&f)?,
        ],
    )?;
    refresh_facts(w.db, &job)?;
    Ok(f)
}

/// Closes the complaint of follow-up call `follow_up_id` on job `job_id` with its documented
/// outcome. A complaint is closed once: closing it again is refused, so the recorded outcome
/// and time stay what they were.
pub(super) fn resolve_complaint(
    w: &mut Writer<'_>,
    by: &Dispatcher,
    job_id: &str,
    follow_up_id: &str,
    input: ComplaintResolutionInput,
) -> Result<FollowUp> {
    let job = load_job(w.db, job_id)?;
    let mut f: FollowUp =
        w.db.body(
            "SELECT body FROM follow_ups WHERE id = ?1 AND job_id = ?2",
            &[&follow_up_id, &job.id],
        )?
        .ok_or(Error::NotFound)?;
    let outcome = input.outcome.trim();
    if outcome.is_empty() {
        return Err(Error::invalid("write down how the complaint was closed"));
    }
    if outcome.chars().count() > OUTCOME_MAX {
        return Err(Error::invalid(format!("the outcome is longer than {OUTCOME_MAX} characters")));
    }
    let Some(complaint) = f.complaint.as_mut() else {
        return Err(Error::invalid("this follow-up call recorded no complaint"));
    };
    if complaint.resolution.is_some() {
        return Err(Error::rule(ErrorCode::AlreadyExists, "this complaint is already closed"));
    }
    complaint.resolution =
        Some(ComplaintResolution { outcome: outcome.to_owned(), by: by.name.clone(), at: w.now });
    w.db.execute(
        "UPDATE follow_ups SET resolved_at = ?2, body = ?3 WHERE id = ?1",
        &[&f.id, &ms(w.now), &serde_json::to_string(&f)?],
    )?;
    refresh_facts(w.db, &job)?;
    Ok(f)
}

pub(super) fn follow_ups_of(db: &dyn Db, job_id: &str) -> Result<Vec<FollowUp>> {
    db.bodies("SELECT body FROM follow_ups WHERE job_id = ?1 ORDER BY at, id", &[&job_id])
}

/// Major complaints on jobs not yet closed, or recorded in the last 7 days; newest first.
pub(super) fn major_complaints(db: &dyn Db, now: DateTime<Utc>) -> Result<Vec<MajorComplaint>> {
    let rows = db.query_map(
        "SELECT f.body, w.number, c.name, w.status FROM follow_ups f
         JOIN work_orders w ON w.id = f.job_id JOIN customers c ON c.id = w.customer_id
         WHERE f.complaint_grade = 'major' AND (w.status <> 'closed' OR f.at >= ?1)
         ORDER BY f.at DESC LIMIT 200",
        &[&(ms(now) - 7 * 24 * 3_600_000)],
        |r| {
            Ok((r.get::<String>(0)?, r.get::<String>(1)?, r.get::<String>(2)?, r.get::<String>(3)?))
        },
    )?;
    let mut out = Vec::new();
    for (body, job_number, customer_name, status) in rows {
        out.push(MajorComplaint {
            follow_up: serde_json::from_str(&body)?,
            job_number,
            customer_name,
            job_status: status
                .parse()
                .map_err(|e: fieldwork_domain::RuleError| Error::Internal(e.to_string()))?,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::collections::BTreeSet;

    use super::*;
    use crate::db::Dialect;

    /// A backend that records each statement and how many parameters it was given, and finds
    /// no rows.
    #[derive(Default)]
    struct Recorder(RefCell<Vec<(String, usize)>>);

    impl Db for Recorder {
        fn execute(&self, sql: &str, params: &[&dyn ToValue]) -> Result<usize> {
            self.0.borrow_mut().push((sql.to_owned(), params.len()));
            Ok(0)
        }
        fn query(&self, sql: &str, params: &[&dyn ToValue]) -> Result<Vec<Row>> {
            self.0.borrow_mut().push((sql.to_owned(), params.len()));
            Ok(Vec::new())
        }
        fn batch(&self, _sql: &str) -> Result<()> {
            Ok(())
        }
        fn dialect(&self) -> Dialect {
            Dialect::Postgres
        }
    }

    fn placeholders(sql: &str) -> BTreeSet<usize> {
        let mut out = BTreeSet::new();
        let mut rest = sql;
        while let Some(i) = rest.find('?') {
            rest = &rest[i + 1..];
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            if let Ok(n) = digits.parse() {
                out.insert(n);
            }
        }
        out
    }

    /// PostgreSQL refuses a statement with a parameter it cannot type, and one the statement
    /// never mentions is such a parameter: every statement of the KPI page and its drill-down
    /// uses exactly the parameters ?1..?n it is given.
    #[test]
    fn kpi_statements_use_every_parameter_they_bind() {
        let now = Utc::now();
        let db = Recorder::default();
        for technician in [None, Some("tech-1".to_owned())] {
            kpis(&db, &KpiQuery { from: None, to: None, technician: technician.clone() }, now)
                .expect("kpis");
            for measure in Measure::ALL {
                for part in [RatioPart::Numerator, RatioPart::Denominator] {
                    for priority in [None, Some("high".to_owned())] {
                        let q = KpiJobsQuery {
                            from: None,
                            to: None,
                            technician: technician.clone(),
                            measure,
                            part,
                            priority,
                            limit: None,
                            offset: None,
                        };
                        kpi_jobs(&db, &q, now).expect("kpi_jobs");
                    }
                }
            }
        }
        let statements = db.0.into_inner();
        assert!(statements.len() > 70, "{}", statements.len());
        for (sql, n) in statements {
            assert_eq!(placeholders(&sql), (1..=n).collect(), "{sql}");
        }
    }
}
