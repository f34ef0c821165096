//! The SQLite backend: one database file in the data folder, opened like the device store (WAL,
//! `synchronous=FULL`, foreign keys, busy timeout). All database work runs on tokio's blocking
//! pool, never on the async workers. Writes are serialised through one connection with
//! `BEGIN IMMEDIATE`, which is also what makes change-feed versions commit in order.

mod jobs;
mod kpi;
mod master;
mod people;
mod sync;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, TimeZone, Utc};
use fieldwork_core::domain::{
    Customer, Equipment, JobStatus, JobType, Part, PhotoRef, Site, Technician, WorkOrder,
};
use fieldwork_core::hlc::Hlc;
use fieldwork_sync::wire::{PullResponse, PushRequest, PushResponse};
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
use serde::de::DeserializeOwned;

use super::HeadOfficeStore;
use super::admin::*;
use super::kpis::*;
use super::types::*;
use crate::error::{Error, Result};

/// Schema version written to `user_version`.
pub const SCHEMA_VERSION: i64 = 7;
/// The HLC node name of head office's own writes (dispatcher edits).
pub const HEAD_OFFICE_NODE: &str = "head-office";

/// Head office's SQLite store.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    conn: Arc<Mutex<Connection>>,
}

impl SqliteStore {
    /// Opens (creating when absent) the database at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<SqliteStore> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        migrate(&mut conn)?;
        Ok(SqliteStore { conn: Arc::new(Mutex::new(conn)) })
    }

    /// Runs `f` with the connection on the blocking pool.
    async fn run<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard =
                conn.lock().map_err(|_| Error::Internal("database lock poisoned".into()))?;
            f(&mut guard)
        })
        .await?
    }

    /// Runs `f` in one write transaction with a change-feed writer and head office's clock.
    async fn write<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Writer<'_>) -> Result<T> + Send + 'static,
    {
        self.run(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut w = Writer::begin(&tx)?;
            let out = f(&mut w)?;
            w.finish()?;
            tx.commit()?;
            Ok(out)
        })
        .await
    }

    /// Runs `f` in a read transaction (one consistent snapshot).
    async fn read<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T> + Send + 'static,
    {
        self.run(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
            let out = f(&tx)?;
            tx.commit()?;
            Ok(out)
        })
        .await
    }
}

fn migrate(conn: &mut Connection) -> Result<()> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version > SCHEMA_VERSION {
        return Err(Error::Internal(format!(
            "the head-office database has schema version {version}, newer than this program's \
             {SCHEMA_VERSION}; run a newer fieldwork-headoffice"
        )));
    }
    if version == SCHEMA_VERSION {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Exclusive)?;
    if version < 1 {
        tx.execute_batch(include_str!("schema.sql"))?;
    }
    if version < 2 {
        // KPI facts and follow-ups; the facts of jobs already there are derived by version 4.
        tx.execute_batch(include_str!("schema_v2.sql"))?;
    }
    if version < 3 {
        // Disabled users, deactivated job types and parts, default appointment lengths.
        tx.execute_batch(include_str!("schema_v3.sql"))?;
    }
    if version < 4 {
        // Follow-up and complaint-closing KPI facts; the facts of the jobs already there (all
        // of them, when coming from before version 2) are derived once, here.
        tx.execute_batch(include_str!("schema_v4.sql"))?;
    }
    if version < 5 {
        // Device times judged; satisfaction from the customer's latest word. The facts of the
        // jobs already there (all of them, when coming from before version 2) are derived
        // once, here.
        tx.execute_batch(include_str!("schema_v5.sql"))?;
        kpi::backfill(&tx)?;
    }
    if version < 6 {
        // Part lines withdrawn or corrected before completion.
        tx.execute_batch(include_str!("schema_v6.sql"))?;
    }
    if version < 7 {
        // Who holds which blob (answers about blobs only to those who may hold them).
        tx.execute_batch(include_str!("schema_v7.sql"))?;
    }
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    tx.commit()?;
    Ok(())
}

/// Whether `technician` may hold blob `sha`: a device of theirs uploaded it (`blob_holders`),
/// or a photo (or its thumbnail) or signature on one of their jobs references it and was not
/// pushed by one of their own devices (a job reassigned to them, with another technician's
/// photos). A reference of their own proves nothing: anyone can push a photo naming any hash.
fn may_hold_blob(tx: &Transaction<'_>, technician: &str, sha: &str) -> Result<bool> {
    Ok(tx
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM blob_holders WHERE sha256 = ?1 AND technician_id = ?2)
             OR EXISTS (SELECT 1 FROM photos p JOIN work_orders w ON w.id = p.job_id
                WHERE (p.sha256 = ?1 OR json_extract(p.body, '$.thumb_sha256') = ?1)
                  AND w.assignee_id = ?2
                  AND NOT EXISTS (SELECT 1 FROM device_mutations dm
                        JOIN devices d ON d.id = dm.device_id JOIN users u ON u.id = d.user_id
                        WHERE dm.job_id = p.job_id AND dm.kind = 'photo_added'
                          AND u.technician_id = ?2
                          AND json_extract(dm.payload, '$.photo.id') = p.id))
             OR EXISTS (SELECT 1 FROM signatures s JOIN work_orders w ON w.id = s.job_id
                WHERE s.png_sha256 = ?1 AND w.assignee_id = ?2
                  AND NOT EXISTS (SELECT 1 FROM device_mutations dm
                        JOIN devices d ON d.id = dm.device_id JOIN users u ON u.id = d.user_id
                        WHERE dm.job_id = s.job_id AND dm.kind = 'signature_added'
                          AND u.technician_id = ?2
                          AND json_extract(dm.payload, '$.signature_id') = s.id))",
        )?
        .query_row([sha, technician], |r| r.get(0))?)
}

/// Milliseconds since the epoch, how instants are stored.
pub(crate) fn ms(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

pub(crate) fn from_ms(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

pub(crate) fn meta_get(tx: &Transaction<'_>, key: &str) -> Result<Option<String>> {
    Ok(tx.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)).optional()?)
}

pub(crate) fn meta_set(tx: &Transaction<'_>, key: &str, value: &str) -> Result<()> {
    tx.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

/// Reads one JSON `body` column.
pub(crate) fn body<T: DeserializeOwned>(
    tx: &Transaction<'_>,
    sql: &str,
    p: impl rusqlite::Params,
) -> Result<Option<T>> {
    let text: Option<String> = tx.prepare_cached(sql)?.query_row(p, |r| r.get(0)).optional()?;
    text.map(|t| serde_json::from_str(&t).map_err(Error::from)).transpose()
}

/// Reads many JSON `body` columns.
pub(crate) fn bodies<T: DeserializeOwned>(
    tx: &Transaction<'_>,
    sql: &str,
    p: impl rusqlite::Params,
) -> Result<Vec<T>> {
    let mut stmt = tx.prepare_cached(sql)?;
    let rows = stmt.query_map(p, |r| r.get::<_, String>(0))?;
    let mut out = Vec::new();
    for row in rows {
        out.push(serde_json::from_str(&row?)?);
    }
    Ok(out)
}

/// One write transaction: appends change-feed rows with versions from the counter, and keeps
/// head office's hybrid logical clock.
pub(crate) struct Writer<'a> {
    pub tx: &'a Transaction<'a>,
    pub now: DateTime<Utc>,
    first_version: i64,
    next_version: i64,
    hlc: Hlc,
}

impl<'a> Writer<'a> {
    fn begin(tx: &'a Transaction<'a>) -> Result<Writer<'a>> {
        let last: i64 =
            meta_get(tx, "feed_version")?.and_then(|v| v.parse().ok()).unwrap_or_default();
        let hlc = meta_get(tx, "hlc")?
            .and_then(|h| h.parse::<Hlc>().ok())
            .unwrap_or_else(|| Hlc::zero(HEAD_OFFICE_NODE));
        Ok(Writer { tx, now: Utc::now(), first_version: last + 1, next_version: last + 1, hlc })
    }

    /// Records that `entity` `id` changed in this transaction.
    pub fn feed(
        &mut self,
        entity: &str,
        id: &str,
        job_id: Option<&str>,
        scope: Option<&str>,
    ) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO change_feed (version, tx, entity, entity_id, job_id, scope)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![self.next_version, self.first_version, entity, id, job_id, scope])?;
        self.next_version += 1;
        Ok(())
    }

    /// A new head-office timestamp for a dispatcher's write.
    pub fn tick(&mut self) -> Hlc {
        self.hlc = self.hlc.tick(ms(Utc::now()));
        self.hlc.clone()
    }

    /// Moves head office's clock past a device's timestamp.
    pub fn receive(&mut self, remote: &Hlc) {
        self.hlc = self.hlc.receive(remote, ms(Utc::now()));
    }

    pub fn hlc(&self) -> &Hlc {
        &self.hlc
    }

    fn finish(self) -> Result<()> {
        if self.next_version != self.first_version {
            meta_set(self.tx, "feed_version", &(self.next_version - 1).to_string())?;
        }
        meta_set(self.tx, "hlc", &self.hlc.to_string())
    }
}

#[async_trait]
impl HeadOfficeStore for SqliteStore {
    async fn add_user(&self, new: NewUser) -> Result<User> {
        self.write(move |w| people::add_user(w, new)).await
    }
    async fn user_by_name(&self, name: &str) -> Result<Option<UserWithPassword>> {
        let name = name.to_owned();
        self.read(move |tx| people::user_by_name(tx, &name)).await
    }
    async fn list_users(&self) -> Result<Vec<User>> {
        self.read(people::list_users).await
    }
    async fn add_device(&self, user_id: &str, name: &str, token_hash: &str) -> Result<Device> {
        let (u, n, t) = (user_id.to_owned(), name.to_owned(), token_hash.to_owned());
        self.write(move |w| people::add_device(w.tx, &u, &n, &t)).await
    }
    async fn device_by_token(&self, token_hash: &str) -> Result<Option<DeviceCaller>> {
        let t = token_hash.to_owned();
        self.run(move |c| people::device_by_token(c, &t)).await
    }
    async fn list_devices(&self) -> Result<Vec<Device>> {
        self.read(people::list_devices).await
    }
    async fn revoke_device(&self, id_or_name: &str) -> Result<Device> {
        let d = id_or_name.to_owned();
        self.write(move |w| people::revoke_device(w.tx, &d)).await
    }
    async fn add_session(&self, session: NewSession) -> Result<()> {
        self.write(move |w| people::add_session(w.tx, &session)).await
    }
    async fn session(&self, token_hash: &str) -> Result<Option<SessionCaller>> {
        let t = token_hash.to_owned();
        self.read(move |tx| people::session(tx, &t)).await
    }
    async fn end_session(&self, token_hash: &str) -> Result<()> {
        let t = token_hash.to_owned();
        self.write(move |w| {
            w.tx.execute("DELETE FROM sessions WHERE token_hash = ?1", [t])?;
            Ok(())
        })
        .await
    }

    async fn create_customer(&self, _by: &Dispatcher, input: CustomerInput) -> Result<Customer> {
        self.write(move |w| master::create_customer(w, input)).await
    }
    async fn update_customer(
        &self,
        _by: &Dispatcher,
        id: &str,
        patch: CustomerPatch,
    ) -> Result<Customer> {
        let id = id.to_owned();
        self.write(move |w| master::update_customer(w, &id, patch)).await
    }
    async fn customer(&self, id: &str) -> Result<Customer> {
        let id = id.to_owned();
        self.read(move |tx| master::customer(tx, &id)).await
    }
    async fn list_customers(&self, q: Option<String>, page: Page) -> Result<Vec<Customer>> {
        self.read(move |tx| master::list_customers(tx, q.as_deref(), page)).await
    }
    async fn create_site(&self, _by: &Dispatcher, input: SiteInput) -> Result<Site> {
        self.write(move |w| master::create_site(w, input)).await
    }
    async fn update_site(&self, _by: &Dispatcher, id: &str, patch: SitePatch) -> Result<Site> {
        let id = id.to_owned();
        self.write(move |w| master::update_site(w, &id, patch)).await
    }
    async fn sites_of(&self, customer_id: &str) -> Result<Vec<Site>> {
        let id = customer_id.to_owned();
        self.read(move |tx| {
            master::customer(tx, &id)?;
            bodies(tx, "SELECT body FROM sites WHERE customer_id = ?1 ORDER BY id", [&id])
        })
        .await
    }
    async fn create_equipment(&self, _by: &Dispatcher, input: EquipmentInput) -> Result<Equipment> {
        self.write(move |w| master::create_equipment(w, input)).await
    }
    async fn update_equipment(
        &self,
        _by: &Dispatcher,
        id: &str,
        patch: EquipmentPatch,
    ) -> Result<Equipment> {
        let id = id.to_owned();
        self.write(move |w| master::update_equipment(w, &id, patch)).await
    }
    async fn equipment_at(&self, site_id: &str) -> Result<Vec<Equipment>> {
        let id = site_id.to_owned();
        self.read(move |tx| {
            master::site(tx, &id)?;
            bodies(tx, "SELECT body FROM equipment WHERE site_id = ?1 ORDER BY id", [&id])
        })
        .await
    }
    async fn add_technician(&self, technician: Technician) -> Result<()> {
        self.write(move |w| master::put_technician(w, &technician)).await
    }
    async fn technicians(&self) -> Result<Vec<Technician>> {
        self.read(|tx| bodies(tx, "SELECT body FROM technicians ORDER BY name", [])).await
    }
    async fn put_job_type(&self, job_type: JobType) -> Result<()> {
        self.write(move |w| master::put_job_type(w, &job_type)).await
    }
    async fn job_types(&self) -> Result<Vec<JobType>> {
        self.read(|tx| bodies(tx, "SELECT body FROM job_types ORDER BY code", [])).await
    }
    async fn put_part(&self, part: Part) -> Result<()> {
        self.write(move |w| master::put_part(w, &part)).await
    }
    async fn parts(&self) -> Result<Vec<Part>> {
        self.read(|tx| bodies(tx, "SELECT body FROM parts WHERE active ORDER BY part_no", [])).await
    }

    async fn set_user_disabled(&self, by: &Dispatcher, id: &str, disabled: bool) -> Result<User> {
        let (by, id) = (by.user_id.clone(), id.to_owned());
        self.write(move |w| people::set_user_disabled(w, &by, &id, disabled)).await
    }
    async fn update_user(&self, by: &Dispatcher, id: &str, update: UserUpdate) -> Result<User> {
        let (by, id) = (by.user_id.clone(), id.to_owned());
        self.write(move |w| people::update_user(w, &by, &id, update)).await
    }
    async fn set_user_password(&self, id: &str, password_hash: String) -> Result<User> {
        let id = id.to_owned();
        self.write(move |w| people::set_password(w, &id, &password_hash)).await
    }
    async fn admin_job_types(&self) -> Result<Vec<JobTypeAdmin>> {
        self.read(master::admin_job_types).await
    }
    async fn create_job_type(&self, input: JobTypeInput) -> Result<JobTypeAdmin> {
        self.write(move |w| master::create_job_type(w, input)).await
    }
    async fn update_job_type(&self, id: &str, input: JobTypeInput) -> Result<JobTypeAdmin> {
        let id = id.to_owned();
        self.write(move |w| master::update_job_type(w, &id, input)).await
    }
    async fn set_job_type_active(&self, id: &str, active: bool) -> Result<JobTypeAdmin> {
        let id = id.to_owned();
        self.write(move |w| master::set_job_type_active(w, &id, active)).await
    }
    async fn admin_parts(&self, query: PartQuery) -> Result<Vec<PartAdmin>> {
        self.read(move |tx| master::admin_parts(tx, &query)).await
    }
    async fn add_part(&self, input: PartInput) -> Result<PartAdmin> {
        self.write(move |w| master::add_part(w, input)).await
    }
    async fn update_part(&self, part_no: &str, patch: PartPatch) -> Result<PartAdmin> {
        let p = part_no.to_owned();
        self.write(move |w| master::update_part(w, &p, patch)).await
    }
    async fn set_part_active(&self, part_no: &str, active: bool) -> Result<PartAdmin> {
        let p = part_no.to_owned();
        self.write(move |w| master::set_part_active(w, &p, active)).await
    }
    async fn sla_settings(&self) -> Result<SlaSettings> {
        self.read(master::sla_settings).await
    }
    async fn set_sla_policy(
        &self,
        by: &Dispatcher,
        policy: fieldwork_core::sla::SlaPolicy,
    ) -> Result<SlaSettings> {
        let by = by.clone();
        self.write(move |w| master::set_sla_policy(w, &by, policy)).await
    }

    async fn create_job(&self, by: &Dispatcher, input: JobInput) -> Result<WorkOrder> {
        let by = by.clone();
        self.write(move |w| jobs::create_job(w, &by, input)).await
    }
    async fn update_job(&self, by: &Dispatcher, id: &str, patch: JobPatch) -> Result<WorkOrder> {
        let (by, id) = (by.clone(), id.to_owned());
        self.write(move |w| jobs::update_job(w, &by, &id, patch)).await
    }
    async fn schedule_job(
        &self,
        by: &Dispatcher,
        id: &str,
        input: ScheduleInput,
    ) -> Result<WorkOrder> {
        let (by, id) = (by.clone(), id.to_owned());
        self.write(move |w| jobs::schedule_job(w, &by, &id, input)).await
    }
    async fn move_job(
        &self,
        by: &Dispatcher,
        id: &str,
        to: JobStatus,
        reason: Option<String>,
    ) -> Result<WorkOrder> {
        let (by, id) = (by.clone(), id.to_owned());
        self.write(move |w| jobs::dispatcher_move(w, &by, &id, to, reason.as_deref())).await
    }
    async fn list_jobs(&self, filter: JobListFilter) -> Result<Vec<JobListItem>> {
        self.read(move |tx| jobs::list_jobs(tx, &filter)).await
    }
    async fn technician_appointments(
        &self,
        technician_id: &str,
        except_job: &str,
    ) -> Result<Vec<Appointment>> {
        let (t, j) = (technician_id.to_owned(), except_job.to_owned());
        self.read(move |tx| jobs::appointments_of(tx, &t, &j)).await
    }
    async fn job(&self, id: &str) -> Result<JobRecord> {
        let id = id.to_owned();
        self.read(move |tx| jobs::job_record(tx, &id)).await
    }
    async fn photo_of_job(&self, job_id: &str, photo_id: &str) -> Result<PhotoRef> {
        let (j, p) = (job_id.to_owned(), photo_id.to_owned());
        self.read(move |tx| {
            body(tx, "SELECT body FROM photos WHERE id = ?1 AND job_id = ?2", [&p, &j])?
                .ok_or(Error::NotFound)
        })
        .await
    }

    async fn kpis(&self, query: KpiQuery, now: DateTime<Utc>) -> Result<KpiReport> {
        self.read(move |tx| kpi::kpis(tx, &query, now)).await
    }
    async fn kpi_jobs(&self, query: KpiJobsQuery, now: DateTime<Utc>) -> Result<Vec<JobListItem>> {
        self.read(move |tx| kpi::kpi_jobs(tx, &query, now)).await
    }
    async fn record_follow_up(
        &self,
        by: &Dispatcher,
        job_id: &str,
        input: FollowUpInput,
    ) -> Result<FollowUp> {
        let (by, id) = (by.clone(), job_id.to_owned());
        self.write(move |w| kpi::record_follow_up(w, &by, &id, input)).await
    }
    async fn major_complaints(&self, now: DateTime<Utc>) -> Result<Vec<MajorComplaint>> {
        self.read(move |tx| kpi::major_complaints(tx, now)).await
    }
    async fn resolve_complaint(
        &self,
        by: &Dispatcher,
        job_id: &str,
        follow_up_id: &str,
        input: ComplaintResolutionInput,
    ) -> Result<FollowUp> {
        let (by, job, id) = (by.clone(), job_id.to_owned(), follow_up_id.to_owned());
        self.write(move |w| kpi::resolve_complaint(w, &by, &job, &id, input)).await
    }
    async fn report_header(&self) -> Result<crate::report::ReportHeader> {
        self.read(|tx| {
            let d = crate::report::ReportHeader::default();
            Ok(crate::report::ReportHeader {
                company_name: meta_get(tx, "company_name")?.unwrap_or(d.company_name),
                company_address: meta_get(tx, "company_address")?.unwrap_or(d.company_address),
                currency: meta_get(tx, "currency")?.unwrap_or(d.currency),
            })
        })
        .await
    }

    async fn push(&self, device: &DeviceCaller, request: PushRequest) -> Result<PushResponse> {
        let device = device.clone();
        if request.entries.is_empty() {
            // Nothing to apply: answer from a read, without a write transaction and its fsync.
            return self.read(move |tx| sync::empty_push(tx, &device, &request)).await;
        }
        self.write(move |w| sync::push(w, &device, request)).await
    }
    async fn pull(&self, device: &DeviceCaller, cursor: i64, limit: usize) -> Result<PullResponse> {
        let device = device.clone();
        self.run(move |conn| sync::pull(conn, &device, cursor, limit)).await
    }

    async fn blobs_present(&self, hashes: Vec<String>) -> Result<Vec<String>> {
        self.read(move |tx| {
            let mut stmt = tx.prepare_cached("SELECT 1 FROM blobs WHERE sha256 = ?1")?;
            let mut present = Vec::new();
            for h in hashes {
                if stmt.exists([&h])? {
                    present.push(h);
                }
            }
            Ok(present)
        })
        .await
    }
    async fn blob_stored(&self, sha256: &str, size: u64, technician_id: &str) -> Result<()> {
        let (sha, technician) = (sha256.to_owned(), technician_id.to_owned());
        self.write(move |w| {
            w.tx.execute(
                "INSERT OR IGNORE INTO blobs (sha256, size, stored_at) VALUES (?1, ?2, ?3)",
                params![sha, i64::try_from(size).unwrap_or(i64::MAX), ms(w.now)],
            )?;
            w.tx.execute(
                "INSERT OR IGNORE INTO blob_holders (sha256, technician_id) VALUES (?1, ?2)",
                params![sha, technician],
            )?;
            Ok(())
        })
        .await
    }
    async fn technician_may_read_blob(&self, technician_id: &str, sha256: &str) -> Result<bool> {
        let (t, s) = (technician_id.to_owned(), sha256.to_owned());
        self.read(move |tx| may_hold_blob(tx, &t, &s)).await
    }
    async fn blobs_held(&self, technician_id: &str, hashes: Vec<String>) -> Result<Vec<String>> {
        let t = technician_id.to_owned();
        self.read(move |tx| {
            let mut stored = tx.prepare_cached("SELECT 1 FROM blobs WHERE sha256 = ?1")?;
            let mut held = Vec::new();
            for h in hashes {
                if stored.exists([&h])? && may_hold_blob(tx, &t, &h)? {
                    held.push(h);
                }
            }
            Ok(held)
        })
        .await
    }
    async fn blobs_referenced(&self, hashes: Vec<String>) -> Result<Vec<String>> {
        self.read(move |tx| {
            let mut stmt = tx.prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM photos WHERE sha256 = ?1
                                   OR json_extract(body, '$.thumb_sha256') = ?1)
                     OR EXISTS (SELECT 1 FROM signatures WHERE png_sha256 = ?1)",
            )?;
            let mut referenced = Vec::new();
            for h in hashes {
                if stmt.query_row([&h], |r| r.get::<_, bool>(0))? {
                    referenced.push(h);
                }
            }
            Ok(referenced)
        })
        .await
    }
}
