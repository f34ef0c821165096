//! What the screens read: a filtered job list, one job with the moves allowed now and what
//! completion still needs, and facts about the store. Shared by the desktop app and, later,
//! head office, so every screen shows what the rules say.

use chrono::{Duration, NaiveDate};
use rusqlite::types::Value;
use serde::{Deserialize, Serialize};

use super::queries::{SUMMARY_SELECT, find_job, local_day_bounds, summary};
use super::search::{Plan, plan};
use super::sqltime::Ms;
use super::{Store, queries};
use crate::domain::{JobDetail, JobStatus, JobSummary, Priority, Technician};
use crate::error::Result;
use crate::lifecycle::{self, Missing, Move};

/// A job list as a screen asks for it. Every field narrows the list; `None` means any.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct JobQuery {
    /// Words to search for (as [`Store::search`]).
    pub text: Option<String>,
    pub status: Option<JobStatus>,
    /// Job type code (`repair`, `installation`, …).
    pub job_type: Option<String>,
    pub priority: Option<Priority>,
    /// First local day of appointments (inclusive).
    pub from: Option<NaiveDate>,
    /// Last local day of appointments (inclusive).
    pub to: Option<NaiveDate>,
    /// Only the jobs of this device's technician.
    pub mine_only: bool,
    #[ts(type = "number")]
    pub limit: u32,
}

/// Warranty as a badge: in, out, or in but ending within 30 days of today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum WarrantyBadge {
    In,
    Out,
    ExpiresSoon,
    Unknown,
}

/// One job as the job screen shows it.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct JobView {
    pub detail: JobDetail,
    /// The moves the current actor may make now (the action bar).
    pub allowed_moves: Vec<Move>,
    /// What completion still needs (empty when the job can be completed or is not in progress).
    pub missing_for_completion: Vec<Missing>,
    pub warranty_badge: WarrantyBadge,
}

/// Facts about the store for the header and the settings screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct AppInfo {
    pub version: String,
    pub data_dir: String,
    pub device_id: String,
    pub technician: Option<Technician>,
    #[ts(type = "number")]
    pub job_count: i64,
    #[ts(type = "number")]
    pub pending_mutations: i64,
}

/// Longest list one query returns.
const MAX_LIMIT: u32 = 2_000;

impl Store {
    /// Jobs matching `q`: in appointment order when a day range is given, newest first otherwise.
    pub fn query_jobs(&self, q: &JobQuery) -> Result<Vec<JobSummary>> {
        let mut sql = format!("{SUMMARY_SELECT} WHERE 1 = 1");
        let mut args: Vec<Value> = Vec::new();
        let mut arg = |sql: &mut String, clause: &str, v: Value| {
            args.push(v);
            sql.push_str(&clause.replace('?', &format!("?{}", args.len())));
        };
        if let Some(text) = q.text.as_deref().filter(|t| !t.trim().is_empty()) {
            match plan(text) {
                Plan { trigram: None, words: None } => return Ok(Vec::new()),
                Plan { trigram, words } => {
                    if let Some(t) = trigram {
                        arg(
                            &mut sql,
                            " AND wo.seq IN (SELECT rowid FROM job_search_trigram WHERE job_search_trigram MATCH ?)",
                            Value::Text(t),
                        );
                    }
                    if let Some(w) = words {
                        arg(
                            &mut sql,
                            " AND wo.seq IN (SELECT rowid FROM job_search_words WHERE job_search_words MATCH ?)",
                            Value::Text(w),
                        );
                    }
                }
            }
        }
        if let Some(s) = q.status {
            arg(&mut sql, " AND wo.status = ?", Value::Text(s.as_str().to_owned()));
        }
        if let Some(code) = &q.job_type {
            arg(&mut sql, " AND jt.code = ?", Value::Text(code.clone()));
        }
        if let Some(p) = q.priority {
            arg(&mut sql, " AND wo.priority = ?", Value::Text(p.as_str().to_owned()));
        }
        if let Some(from) = q.from {
            arg(
                &mut sql,
                " AND wo.appointment_start >= ?",
                Value::Integer(Ms(local_day_bounds(from).0).0.timestamp_millis()),
            );
        }
        if let Some(to) = q.to {
            arg(
                &mut sql,
                " AND wo.appointment_start < ?",
                Value::Integer(local_day_bounds(to).1.timestamp_millis()),
            );
        }
        if q.mine_only {
            match self.device_technician()? {
                Some(t) => arg(&mut sql, " AND wo.assignee_id = ?", Value::Text(t)),
                None => return Ok(Vec::new()),
            }
        }
        sql.push_str(if q.from.is_some() || q.to.is_some() {
            " ORDER BY wo.appointment_start, wo.seq"
        } else {
            " ORDER BY wo.seq DESC"
        });
        arg(&mut sql, " LIMIT ?", Value::Integer(i64::from(q.limit.clamp(1, MAX_LIMIT))));
        let mut stmt = self.conn().prepare(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args), summary)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// One job with the moves the current actor may make and what completion still needs.
    pub fn job_view(&self, id_or_number: &str) -> Result<JobView> {
        let detail = self.job_detail(id_or_number)?;
        let stored = find_job(self.conn(), &detail.work_order.id)?;
        let status = detail.work_order.status;
        let mine = self.actor().role != lifecycle::Role::Technician
            || detail.work_order.assignee_id == self.actor().technician_id;
        let allowed_moves =
            if mine { lifecycle::allowed_moves(status, self.actor().role) } else { Vec::new() };
        let missing_for_completion = if matches!(status, JobStatus::InProgress | JobStatus::OnHold)
        {
            lifecycle::completion_missing(&queries::completion_facts(self.conn(), &stored)?)
        } else {
            Vec::new()
        };
        let today = self.now().date_naive();
        let warranty_badge = match detail.equipment.as_ref().and_then(|e| e.warranty_end) {
            None => WarrantyBadge::Unknown,
            Some(end) if end < today => WarrantyBadge::Out,
            Some(end) if end - today <= Duration::days(30) => WarrantyBadge::ExpiresSoon,
            Some(_) => WarrantyBadge::In,
        };
        Ok(JobView { detail, allowed_moves, missing_for_completion, warranty_badge })
    }

    /// Facts for the header and settings; `version` is the caller's.
    pub fn app_info(&self, version: &str) -> Result<AppInfo> {
        let technician = match self.device_technician()? {
            Some(id) => self.technician(&id)?,
            None => None,
        };
        Ok(AppInfo {
            version: version.to_owned(),
            data_dir: self.path().parent().map(|p| p.display().to_string()).unwrap_or_default(),
            device_id: self.device_id().to_owned(),
            technician,
            job_count: self.job_count()?,
            pending_mutations: self.pending_mutation_count()?,
        })
    }
}
