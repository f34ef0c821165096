//! Head office's rules, written once over the storage interface [`crate::db`]: [`Service`] runs
//! each use case of [`HeadOfficeStore`] as one transaction of a [`Backend`] (SQLite, the
//! embedded default, or PostgreSQL), on tokio's blocking pool, never on the async workers.
//! The rules' modules (jobs, sync, master data, people, KPIs) speak only portable SQL; this
//! file also keeps SQLite's schema and its migrations.

mod jobs;
mod kb;
mod kb_field;
mod kpi;
mod master;
mod people;
mod sync;
mod throttle;

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, TimeZone, Utc};
use fieldwork_domain::domain::{
    Customer, Equipment, JobStatus, JobType, Part, PhotoRef, Site, Technician, WorkOrder,
};
use fieldwork_domain::hlc::Hlc;
use fieldwork_wire::wire::{PullResponse, PushRequest, PushResponse};
use rusqlite::{Connection, TransactionBehavior};
use tokio::sync::Semaphore;

use crate::db::sqlite::{SqliteBackend, SqliteDb};
use crate::db::{Backend, Db, Notice};
use crate::error::{Error, Result};
use crate::store::HeadOfficeStore;
use crate::store::admin::*;
use crate::store::kb::*;
use crate::store::kpis::*;
use crate::store::types::*;

/// Schema version written to `user_version`.
pub const SCHEMA_VERSION: i64 = 11;
/// The HLC node name of head office's own writes (dispatcher edits).
pub const HEAD_OFFICE_NODE: &str = "head-office";

/// Head office's rules over a storage [`Backend`]: every [`HeadOfficeStore`] method is one
/// transaction of the backend, run on tokio's blocking pool (never on the async workers).
#[derive(Debug)]
pub struct Service<B> {
    backend: Arc<B>,
    /// Slots for read and write transactions ([`Backend::concurrency`]), waited for before a
    /// transaction takes a thread of the blocking pool.
    reads: Arc<Semaphore>,
    writes: Arc<Semaphore>,
    clock: Clock,
}

impl<B> Clone for Service<B> {
    fn clone(&self) -> Self {
        Service {
            backend: self.backend.clone(),
            reads: self.reads.clone(),
            writes: self.writes.clone(),
            clock: self.clock.clone(),
        }
    }
}

/// When head office says a write happened: the wall clock, except while a demo's past is being
/// seeded ([`crate::seed`]), which sets the instant each of its acts happened at (a dispatcher
/// books a job soon after the call, closes it days after the visit), so that the demo's KPIs
/// measure what the story says rather than the moment the seed ran. Nothing else sets it.
#[derive(Debug, Clone, Default)]
pub struct Clock(Arc<std::sync::Mutex<Option<DateTime<Utc>>>>);

impl Clock {
    /// The set instant, or the wall clock's.
    pub fn now(&self) -> DateTime<Utc> {
        self.0.lock().ok().and_then(|at| *at).unwrap_or_else(Utc::now)
    }

    /// Writes from now on happen at `at`; `None` goes back to the wall clock.
    pub fn set(&self, at: Option<DateTime<Utc>>) {
        if let Ok(mut held) = self.0.lock() {
            *held = at;
        }
    }
}

/// The embedded default: the rules over one SQLite file.
pub type SqliteStore = Service<SqliteBackend>;

impl Service<SqliteBackend> {
    /// Opens (creating when absent) the SQLite database at `path` and brings its schema up to
    /// date.
    pub fn open(path: &Path) -> Result<SqliteStore> {
        Ok(Service::new(SqliteBackend::open(path, migrate)?))
    }
}

impl<B: Backend> Service<B> {
    pub fn new(backend: B) -> Service<B> {
        let (reads, writes) = backend.concurrency();
        Service {
            backend: Arc::new(backend),
            reads: Arc::new(Semaphore::new(reads.max(1))),
            writes: Arc::new(Semaphore::new(writes.max(1))),
            clock: Clock::default(),
        }
    }

    /// Runs `f` in one write transaction with a change-feed writer and head office's clock;
    /// the other instances sharing the database hear that something changed
    /// ([`Notice::Changed`]) when it commits.
    async fn write<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Writer<'_>) -> Result<T> + Send + 'static,
    {
        self.write_telling(&[Notice::Changed], f).await
    }

    /// A write no console shows (sessions, devices signing in, failed sign-ins, a device's
    /// last contact): the other instances are not told.
    async fn write_quietly<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Writer<'_>) -> Result<T> + Send + 'static,
    {
        self.write_telling(&[], f).await
    }

    /// A write that announces `notices` to the other instances when it commits.
    async fn write_telling<T, F>(&self, notices: &'static [Notice], f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Writer<'_>) -> Result<T> + Send + 'static,
    {
        let backend = self.backend.clone();
        let slot = self.writes.clone().acquire_owned().await.map_err(closed)?;
        let now = self.clock.now();
        tokio::task::spawn_blocking(move || {
            let _slot = slot;
            backend.write(|db| {
                let mut w = Writer::begin(db, now)?;
                let out = f(&mut w)?;
                w.finish()?;
                for n in notices {
                    db.announce(*n)?;
                }
                Ok(out)
            })
        })
        .await?
    }

    /// Runs `f` in a read transaction (one consistent snapshot).
    async fn read<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&dyn Db) -> Result<T> + Send + 'static,
    {
        let backend = self.backend.clone();
        let slot = self.reads.clone().acquire_owned().await.map_err(closed)?;
        tokio::task::spawn_blocking(move || {
            let _slot = slot;
            backend.read(f)
        })
        .await?
    }
}

/// The slots are never closed; should they be, say so rather than panic.
fn closed(_: tokio::sync::AcquireError) -> Error {
    Error::Internal("the database slots are closed".to_owned())
}

/// Brings a SQLite database's schema up to date (or refuses a newer one untouched).
pub(crate) fn migrate(conn: &mut Connection) -> Result<()> {
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
        kpi::backfill(&SqliteDb::new(&tx))?;
    }
    if version < 6 {
        // Part lines withdrawn or corrected before completion.
        tx.execute_batch(include_str!("schema_v6.sql"))?;
    }
    if version < 7 {
        // Who holds which blob (answers about blobs only to those who may hold them).
        tx.execute_batch(include_str!("schema_v7.sql"))?;
    }
    if version < 8 {
        // Failed sign-ins, shared by every instance (they were kept in each process's memory).
        tx.execute_batch(include_str!("schema_v8.sql"))?;
    }
    if version < 9 {
        // The knowledge base: articles and their versions.
        tx.execute_batch(include_str!("schema_v9.sql"))?;
    }
    if version < 10 {
        // Articles marked as used on jobs; fixes shared from the field for review.
        tx.execute_batch(include_str!("schema_v10.sql"))?;
    }
    if version < 11 {
        // Pictures on knowledge articles, and which of them the laptops may download.
        tx.execute_batch(include_str!("schema_v11.sql"))?;
    }
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    tx.commit()?;
    Ok(())
}

/// Whether `technician` may hold blob `sha`: a device of theirs uploaded it (`blob_holders`),
/// or a photo (or its thumbnail) or signature on one of their jobs references it and was not
/// pushed by one of their own devices (a job reassigned to them, with another technician's
/// photos). A reference of their own proves nothing: anyone can push a photo naming any hash.
/// A picture of a published knowledge article (`kb_published_photos`) every technician may hold.
fn may_hold_blob(db: &dyn Db, technician: &str, sha: &str) -> Result<bool> {
    db.query_row(
        "SELECT EXISTS (SELECT 1 FROM blob_holders WHERE sha256 = ?1 AND technician_id = ?2)
             OR EXISTS (SELECT 1 FROM photos p JOIN work_orders w ON w.id = p.job_id
                WHERE (p.sha256 = ?1 OR json_extract(p.body, '$.thumb_sha256') = ?1)
                  AND w.assignee_id = ?2
                  AND NOT EXISTS (SELECT 1 FROM device_mutations dm
                        JOIN devices d ON d.id = dm.device_id JOIN users u ON u.id = d.user_id
                        WHERE dm.job_id = p.job_id AND dm.kind = 'photo_added'
                          AND u.technician_id = ?2
                          AND json_extract(dm.payload, '$.photo.id') = p.id))
             OR EXISTS (SELECT 1 FROM kb_published_photos WHERE sha256 = ?1)
             OR EXISTS (SELECT 1 FROM signatures s JOIN work_orders w ON w.id = s.job_id
                WHERE s.png_sha256 = ?1 AND w.assignee_id = ?2
                  AND NOT EXISTS (SELECT 1 FROM device_mutations dm
                        JOIN devices d ON d.id = dm.device_id JOIN users u ON u.id = d.user_id
                        WHERE dm.job_id = s.job_id AND dm.kind = 'signature_added'
                          AND u.technician_id = ?2
                          AND json_extract(dm.payload, '$.signature_id') = s.id))",
        &[&sha, &technician],
        |r| r.get(0),
    )
}

/// Milliseconds since the epoch, how instants are stored.
pub(crate) fn ms(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

pub(crate) fn from_ms(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

/// A value of the `meta` table (counters, head office's clock, company details).
pub(crate) fn meta_get(db: &dyn Db, key: &str) -> Result<Option<String>> {
    db.value("SELECT value FROM meta WHERE key = ?1", &[&key])
}

/// Sets a value of the `meta` table.
pub(crate) fn meta_set(db: &dyn Db, key: &str, value: &str) -> Result<()> {
    db.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        &[&key, &value],
    )?;
    Ok(())
}

/// One write transaction: appends change-feed rows with versions from the counter, and keeps
/// head office's hybrid logical clock.
pub(crate) struct Writer<'a> {
    pub db: &'a dyn Db,
    pub now: DateTime<Utc>,
    first_version: i64,
    next_version: i64,
    hlc: Hlc,
}

impl<'a> Writer<'a> {
    fn begin(db: &'a dyn Db, now: DateTime<Utc>) -> Result<Writer<'a>> {
        // Both in one statement: on PostgreSQL every statement is a round trip, made while
        // holding the write lock every instance waits for.
        let meta = db.query_map(
            "SELECT key, value FROM meta WHERE key IN ('feed_version', 'hlc')",
            &[],
            |r| Ok((r.get::<String>(0)?, r.get::<String>(1)?)),
        )?;
        let value = |key: &str| meta.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
        let last: i64 = value("feed_version").and_then(|v| v.parse().ok()).unwrap_or_default();
        let hlc = value("hlc")
            .and_then(|h| h.parse::<Hlc>().ok())
            .unwrap_or_else(|| Hlc::zero(HEAD_OFFICE_NODE));
        Ok(Writer { db, now, first_version: last + 1, next_version: last + 1, hlc })
    }

    /// Records that `entity` `id` changed in this transaction.
    pub fn feed(
        &mut self,
        entity: &str,
        id: &str,
        job_id: Option<&str>,
        scope: Option<&str>,
    ) -> Result<()> {
        self.db.execute_later(
            "INSERT INTO change_feed (version, tx, entity, entity_id, job_id, scope)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            &[&self.next_version, &self.first_version, &entity, &id, &job_id, &scope],
        )?;
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
        if self.next_version == self.first_version {
            return self.db.execute_later(
                "INSERT INTO meta (key, value) VALUES ('hlc', ?1)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                &[&self.hlc.to_string()],
            );
        }
        self.db.execute_later(
            "INSERT INTO meta (key, value) VALUES ('feed_version', ?1), ('hlc', ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            &[&(self.next_version - 1).to_string(), &self.hlc.to_string()],
        )
    }
}

#[async_trait]
impl<B: Backend> HeadOfficeStore for Service<B> {
    fn clock(&self) -> &Clock {
        &self.clock
    }
    async fn add_user(&self, new: NewUser) -> Result<User> {
        self.write(move |w| people::add_user(w, new)).await
    }
    async fn user_by_name(&self, name: &str) -> Result<Option<UserWithPassword>> {
        let name = name.to_owned();
        self.read(move |db| people::user_by_name(db, &name)).await
    }
    async fn list_users(&self) -> Result<Vec<User>> {
        self.read(people::list_users).await
    }
    async fn add_device(&self, user_id: &str, name: &str, token_hash: &str) -> Result<Device> {
        let (u, n, t) = (user_id.to_owned(), name.to_owned(), token_hash.to_owned());
        self.write_quietly(move |w| people::add_device(w.db, &u, &n, &t)).await
    }
    async fn device_by_token(&self, token_hash: &str) -> Result<Option<DeviceCaller>> {
        let t = token_hash.to_owned();
        self.read(move |db| people::device_by_token(db, &t)).await
    }
    async fn list_devices(&self) -> Result<Vec<Device>> {
        self.read(people::list_devices).await
    }
    async fn revoke_device(&self, id_or_name: &str) -> Result<Device> {
        let d = id_or_name.to_owned();
        self.write(move |w| people::revoke_device(w.db, &d)).await
    }
    async fn add_session(&self, session: NewSession) -> Result<()> {
        self.write_quietly(move |w| people::add_session(w.db, &session)).await
    }
    async fn session(&self, token_hash: &str) -> Result<Option<SessionCaller>> {
        let t = token_hash.to_owned();
        self.read(move |db| people::session(db, &t)).await
    }
    async fn end_session(&self, token_hash: &str) -> Result<()> {
        let t = token_hash.to_owned();
        // Another instance's streams of this session end too.
        self.write_telling(&[Notice::AccessChanged], move |w| {
            w.db.execute("DELETE FROM sessions WHERE token_hash = ?1", &[&t])?;
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
        self.read(move |db| master::customer(db, &id)).await
    }
    async fn list_customers(&self, q: Option<String>, page: Page) -> Result<Vec<Customer>> {
        self.read(move |db| master::list_customers(db, q.as_deref(), page)).await
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
        self.read(move |db| {
            master::customer(db, &id)?;
            db.bodies("SELECT body FROM sites WHERE customer_id = ?1 ORDER BY id", &[&id])
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
        self.read(move |db| {
            master::site(db, &id)?;
            db.bodies("SELECT body FROM equipment WHERE site_id = ?1 ORDER BY id", &[&id])
        })
        .await
    }
    async fn add_technician(&self, technician: Technician) -> Result<()> {
        self.write(move |w| master::put_technician(w, &technician)).await
    }
    async fn technicians(&self) -> Result<Vec<Technician>> {
        self.read(|db| db.bodies("SELECT body FROM technicians ORDER BY name", &[])).await
    }
    async fn put_job_type(&self, job_type: JobType) -> Result<()> {
        self.write(move |w| master::put_job_type(w, &job_type)).await
    }
    async fn job_types(&self) -> Result<Vec<JobType>> {
        self.read(|db| db.bodies("SELECT body FROM job_types ORDER BY code", &[])).await
    }
    async fn put_part(&self, part: Part) -> Result<()> {
        self.write(move |w| master::put_part(w, &part)).await
    }
    async fn parts(&self) -> Result<Vec<Part>> {
        self.read(|db| db.bodies("SELECT body FROM parts WHERE active ORDER BY part_no", &[])).await
    }

    async fn set_user_disabled(&self, by: &Dispatcher, id: &str, disabled: bool) -> Result<User> {
        let (by, id) = (by.user_id.clone(), id.to_owned());
        let both = &[Notice::Changed, Notice::AccessChanged];
        self.write_telling(both, move |w| people::set_user_disabled(w, &by, &id, disabled)).await
    }
    async fn update_user(&self, by: &Dispatcher, id: &str, update: UserUpdate) -> Result<User> {
        let (by, id) = (by.user_id.clone(), id.to_owned());
        let both = &[Notice::Changed, Notice::AccessChanged];
        self.write_telling(both, move |w| people::update_user(w, &by, &id, update)).await
    }
    async fn set_user_password(&self, id: &str, password_hash: String) -> Result<User> {
        let id = id.to_owned();
        let both = &[Notice::Changed, Notice::AccessChanged];
        self.write_telling(both, move |w| people::set_password(w, &id, &password_hash)).await
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
        self.read(move |db| master::admin_parts(db, &query)).await
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
        policy: fieldwork_domain::sla::SlaPolicy,
    ) -> Result<SlaSettings> {
        let by = by.clone();
        self.write(move |w| master::set_sla_policy(w, &by, policy)).await
    }

    async fn kb_articles(&self, query: ArticleQuery) -> Result<Vec<ArticleListItem>> {
        self.read(move |db| kb::list(db, &query)).await
    }
    async fn kb_article(&self, id: &str) -> Result<ArticleAdmin> {
        let id = id.to_owned();
        self.read(move |db| kb::article(db, &id)).await
    }
    async fn kb_article_version(
        &self,
        id: &str,
        version: i64,
    ) -> Result<fieldwork_domain::kb::Article> {
        let id = id.to_owned();
        self.read(move |db| kb::version(db, &id, version)).await
    }
    async fn create_kb_article(
        &self,
        by: &Dispatcher,
        content: fieldwork_domain::kb::ArticleContent,
    ) -> Result<ArticleAdmin> {
        let by = by.clone();
        self.write(move |w| kb::create(w, &by, content)).await
    }
    async fn add_kb_photo(&self, by: &Dispatcher, photo: KbPhoto) -> Result<KbPhoto> {
        let by = by.clone();
        self.write(move |w| kb::add_photo(w, &by, photo)).await
    }
    async fn kb_photo(&self, sha256: &str) -> Result<KbPhoto> {
        let sha = sha256.to_owned();
        self.read(move |db| kb::photo(db, &sha)?.ok_or(Error::NotFound)).await
    }
    async fn edit_kb_article(
        &self,
        by: &Dispatcher,
        id: &str,
        edit: ArticleEdit,
    ) -> Result<ArticleAdmin> {
        let (by, id) = (by.clone(), id.to_owned());
        self.write(move |w| kb::edit(w, &by, &id, edit.base_version, edit.content)).await
    }
    async fn publish_kb_article(
        &self,
        by: &Dispatcher,
        id: &str,
        version: i64,
    ) -> Result<ArticleAdmin> {
        let (by, id) = (by.clone(), id.to_owned());
        self.write(move |w| kb::publish(w, &by, &id, version)).await
    }
    async fn withdraw_kb_article(&self, _by: &Dispatcher, id: &str) -> Result<ArticleAdmin> {
        let id = id.to_owned();
        self.write(move |w| kb::withdraw(w, &id)).await
    }
    async fn kb_proposals(&self, query: ProposalQuery) -> Result<Vec<ProposalListItem>> {
        self.read(move |db| kb_field::proposals(db, &query)).await
    }
    async fn kb_proposal(&self, id: &str) -> Result<ProposalDetail> {
        let id = id.to_owned();
        self.read(move |db| kb_field::proposal(db, &id)).await
    }
    async fn decline_kb_proposal(
        &self,
        by: &Dispatcher,
        id: &str,
        reason: &str,
    ) -> Result<ProposalDetail> {
        let (by, id, reason) = (by.clone(), id.to_owned(), reason.to_owned());
        self.write(move |w| kb_field::decline(w, &by, &id, &reason)).await
    }
    async fn accept_kb_proposal(
        &self,
        by: &Dispatcher,
        id: &str,
        input: ProposalAccept,
    ) -> Result<ArticleAdmin> {
        let (by, id) = (by.clone(), id.to_owned());
        self.write(move |w| kb_field::accept(w, &by, &id, input)).await
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
        self.read(move |db| jobs::list_jobs(db, &filter)).await
    }
    async fn technician_appointments(
        &self,
        technician_id: &str,
        except_job: &str,
    ) -> Result<Vec<Appointment>> {
        let (t, j) = (technician_id.to_owned(), except_job.to_owned());
        self.read(move |db| jobs::appointments_of(db, &t, &j)).await
    }
    async fn job(&self, id: &str) -> Result<JobRecord> {
        let id = id.to_owned();
        self.read(move |db| jobs::job_record(db, &id)).await
    }
    async fn photo_of_job(&self, job_id: &str, photo_id: &str) -> Result<PhotoRef> {
        let (j, p) = (job_id.to_owned(), photo_id.to_owned());
        self.read(move |db| {
            db.body("SELECT body FROM photos WHERE id = ?1 AND job_id = ?2", &[&p, &j])?
                .ok_or(Error::NotFound)
        })
        .await
    }

    async fn kpis(&self, query: KpiQuery, now: DateTime<Utc>) -> Result<KpiReport> {
        self.read(move |db| kpi::kpis(db, &query, now)).await
    }
    async fn kpi_jobs(&self, query: KpiJobsQuery, now: DateTime<Utc>) -> Result<Vec<JobListItem>> {
        self.read(move |db| kpi::kpi_jobs(db, &query, now)).await
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
        self.read(move |db| kpi::major_complaints(db, now)).await
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
        self.read(|db| {
            let d = crate::report::ReportHeader::default();
            Ok(crate::report::ReportHeader {
                company_name: meta_get(db, "company_name")?.unwrap_or(d.company_name),
                company_address: meta_get(db, "company_address")?.unwrap_or(d.company_address),
                currency: meta_get(db, "currency")?.unwrap_or(d.currency),
            })
        })
        .await
    }

    async fn push(&self, device: &DeviceCaller, request: PushRequest) -> Result<PushResponse> {
        let device = device.clone();
        if request.entries.is_empty() {
            // Nothing to apply: answer from a read, without a write transaction and its fsync.
            return self.read(move |db| sync::empty_push(db, &device, &request)).await;
        }
        self.write(move |w| sync::push(w, &device, request)).await
    }
    async fn pull(&self, device: &DeviceCaller, cursor: i64, limit: usize) -> Result<PullResponse> {
        let (device, id) = (device.clone(), device.device_id.clone());
        let (page, contact_due) =
            self.read(move |db| sync::pull(db, &device, cursor, limit)).await?;
        if contact_due {
            self.write_quietly(move |w| sync::touch_device(w, &id)).await?;
        }
        Ok(page)
    }

    async fn sign_in_lockout(
        &self,
        user_key: &str,
        address: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<std::time::Duration>> {
        let (u, a) = (user_key.to_owned(), address.to_owned());
        self.read(move |db| throttle::lockout(db, &u, &a, now)).await
    }
    async fn sign_in_failed(
        &self,
        user_key: &str,
        address: &str,
        policy: crate::config::SignInThrottle,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (u, a) = (user_key.to_owned(), address.to_owned());
        self.write_quietly(move |w| throttle::failed(w.db, &u, &a, &policy, now)).await
    }
    async fn sign_in_succeeded(&self, user_key: &str) -> Result<()> {
        let u = user_key.to_owned();
        // Nearly always there is nothing to forgive: no write (and no write lock) then.
        let (check, forgive) = (u.clone(), u);
        if self.read(move |db| throttle::has_failures(db, &check)).await? {
            self.write_quietly(move |w| throttle::forgive(w.db, &forgive)).await?;
        }
        Ok(())
    }

    async fn blobs_present(&self, hashes: Vec<String>) -> Result<Vec<String>> {
        self.read(move |db| {
            let mut present = Vec::new();
            for h in hashes {
                if db.exists("SELECT 1 FROM blobs WHERE sha256 = ?1", &[&h])? {
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
            w.db.execute(
                "INSERT INTO blobs (sha256, size, stored_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT DO NOTHING",
                &[&sha, &i64::try_from(size).unwrap_or(i64::MAX), &ms(w.now)],
            )?;
            w.db.execute(
                "INSERT INTO blob_holders (sha256, technician_id) VALUES (?1, ?2)
                 ON CONFLICT DO NOTHING",
                &[&sha, &technician],
            )?;
            Ok(())
        })
        .await
    }
    async fn technician_may_read_blob(&self, technician_id: &str, sha256: &str) -> Result<bool> {
        let (t, s) = (technician_id.to_owned(), sha256.to_owned());
        self.read(move |db| may_hold_blob(db, &t, &s)).await
    }
    async fn blobs_held(&self, technician_id: &str, hashes: Vec<String>) -> Result<Vec<String>> {
        let t = technician_id.to_owned();
        self.read(move |db| {
            let mut held = Vec::new();
            for h in hashes {
                if db.exists("SELECT 1 FROM blobs WHERE sha256 = ?1", &[&h])?
                    && may_hold_blob(db, &t, &h)?
                {
                    held.push(h);
                }
            }
            Ok(held)
        })
        .await
    }
    async fn blobs_referenced(&self, hashes: Vec<String>) -> Result<Vec<String>> {
        self.read(move |db| {
            let mut referenced = Vec::new();
            for h in hashes {
                if db.query_row(
                    "SELECT EXISTS (SELECT 1 FROM photos WHERE sha256 = ?1
                                       OR json_extract(body, '$.thumb_sha256') = ?1)
                         OR EXISTS (SELECT 1 FROM signatures WHERE png_sha256 = ?1)",
                    &[&h],
                    |r| r.get::<bool>(0),
                )? {
                    referenced.push(h);
                }
            }
            Ok(referenced)
        })
        .await
    }
}
