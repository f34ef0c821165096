//! Head office's storage, behind one trait. Handlers only see [`HeadOfficeStore`]; SQLite
//! ([`sqlite::SqliteStore`]) is the embedded default, and a PostgreSQL backend implements the
//! same trait without touching a handler. Every method is one transaction: it either happens
//! whole, with its change-feed rows, or not at all.

pub mod admin;
pub mod kb;
pub mod kpis;
pub mod types;

use async_trait::async_trait;
use fieldwork_domain::domain::{Customer, Equipment, JobType, Part, PhotoRef, Site, Technician};
use fieldwork_domain::domain::{JobStatus, WorkOrder};
use fieldwork_wire::wire::{PullResponse, PushRequest, PushResponse};

pub use admin::*;
pub use kb::*;
pub use kpis::*;
pub use types::*;

use crate::error::Result;

#[async_trait]
pub trait HeadOfficeStore: Send + Sync + std::fmt::Debug + 'static {
    /// The clock writes are dated by: set only while seeding a demo's past
    /// ([`crate::service::Clock`]).
    fn clock(&self) -> &crate::service::Clock;

    // --- people and devices -----------------------------------------------------------------
    async fn add_user(&self, new: NewUser) -> Result<User>;
    async fn user_by_name(&self, name: &str) -> Result<Option<UserWithPassword>>;
    async fn list_users(&self) -> Result<Vec<User>>;
    async fn add_device(&self, user_id: &str, name: &str, token_hash: &str) -> Result<Device>;
    /// The device holding this token, revoked or not (the caller tells the two apart).
    async fn device_by_token(&self, token_hash: &str) -> Result<Option<DeviceCaller>>;
    async fn list_devices(&self) -> Result<Vec<Device>>;
    /// Revokes by id or by exact name (when the name is unique).
    async fn revoke_device(&self, id_or_name: &str) -> Result<Device>;
    async fn add_session(&self, session: NewSession) -> Result<()>;
    async fn session(&self, token_hash: &str) -> Result<Option<SessionCaller>>;
    async fn end_session(&self, token_hash: &str) -> Result<()>;

    // --- master data (dispatcher) ------------------------------------------------------------
    async fn create_customer(&self, by: &Dispatcher, input: CustomerInput) -> Result<Customer>;
    async fn update_customer(
        &self,
        by: &Dispatcher,
        id: &str,
        patch: CustomerPatch,
    ) -> Result<Customer>;
    async fn customer(&self, id: &str) -> Result<Customer>;
    async fn list_customers(&self, q: Option<String>, page: Page) -> Result<Vec<Customer>>;
    async fn create_site(&self, by: &Dispatcher, input: SiteInput) -> Result<Site>;
    async fn update_site(&self, by: &Dispatcher, id: &str, patch: SitePatch) -> Result<Site>;
    async fn sites_of(&self, customer_id: &str) -> Result<Vec<Site>>;
    async fn create_equipment(&self, by: &Dispatcher, input: EquipmentInput) -> Result<Equipment>;
    async fn update_equipment(
        &self,
        by: &Dispatcher,
        id: &str,
        patch: EquipmentPatch,
    ) -> Result<Equipment>;
    async fn equipment_at(&self, site_id: &str) -> Result<Vec<Equipment>>;
    async fn add_technician(&self, technician: Technician) -> Result<()>;
    async fn technicians(&self) -> Result<Vec<Technician>>;
    async fn put_job_type(&self, job_type: JobType) -> Result<()>;
    async fn job_types(&self) -> Result<Vec<JobType>>;
    async fn put_part(&self, part: Part) -> Result<()>;
    /// The active parts of the catalogue.
    async fn parts(&self) -> Result<Vec<Part>>;

    // --- admin (see [`admin`]) ---------------------------------------------------------------
    /// Disables or re-enables a user; `by` cannot disable themself.
    async fn set_user_disabled(&self, by: &Dispatcher, id: &str, disabled: bool) -> Result<User>;
    /// Changes a user's display name (technicians) and role (office roles); `by` cannot change
    /// their own role.
    async fn update_user(&self, by: &Dispatcher, id: &str, update: UserUpdate) -> Result<User>;
    /// Sets a user's password hash and ends their browser sessions (their laptops stay).
    async fn set_user_password(&self, id: &str, password_hash: String) -> Result<User>;
    async fn admin_job_types(&self) -> Result<Vec<JobTypeAdmin>>;
    async fn create_job_type(&self, input: JobTypeInput) -> Result<JobTypeAdmin>;
    async fn update_job_type(&self, id: &str, input: JobTypeInput) -> Result<JobTypeAdmin>;
    async fn set_job_type_active(&self, id: &str, active: bool) -> Result<JobTypeAdmin>;
    async fn admin_parts(&self, query: PartQuery) -> Result<Vec<PartAdmin>>;
    async fn add_part(&self, input: PartInput) -> Result<PartAdmin>;
    async fn update_part(&self, part_no: &str, patch: PartPatch) -> Result<PartAdmin>;
    async fn set_part_active(&self, part_no: &str, active: bool) -> Result<PartAdmin>;
    /// The SLA policy new deadlines are computed with.
    async fn sla_settings(&self) -> Result<SlaSettings>;
    async fn set_sla_policy(
        &self,
        by: &Dispatcher,
        policy: fieldwork_domain::sla::SlaPolicy,
    ) -> Result<SlaSettings>;

    // --- knowledge base (dispatchers write; admins publish and withdraw) ----------------------
    async fn kb_articles(&self, query: ArticleQuery) -> Result<Vec<ArticleListItem>>;
    async fn kb_article(&self, id: &str) -> Result<ArticleAdmin>;
    /// One version as it was written.
    async fn kb_article_version(
        &self,
        id: &str,
        version: i64,
    ) -> Result<fieldwork_domain::kb::Article>;
    /// A new article: version 1, a draft.
    async fn create_kb_article(
        &self,
        by: &Dispatcher,
        content: fieldwork_domain::kb::ArticleContent,
    ) -> Result<ArticleAdmin>;
    /// The next version, a draft until published; the laptops keep the published one.
    async fn edit_kb_article(
        &self,
        by: &Dispatcher,
        id: &str,
        edit: ArticleEdit,
    ) -> Result<ArticleAdmin>;
    /// Puts `version` on every laptop at its next pull.
    async fn publish_kb_article(
        &self,
        by: &Dispatcher,
        id: &str,
        version: i64,
    ) -> Result<ArticleAdmin>;
    /// Takes the article back from every laptop; its versions stay readable here.
    async fn withdraw_kb_article(&self, by: &Dispatcher, id: &str) -> Result<ArticleAdmin>;
    /// Records a processed picture (both renditions already in the blob store) as one an
    /// article may name; the same picture again is the same record.
    async fn add_kb_photo(&self, by: &Dispatcher, photo: KbPhoto) -> Result<KbPhoto>;
    /// A picture an article may name; `NotFound` for any other hash.
    async fn kb_photo(&self, sha256: &str) -> Result<KbPhoto>;
    /// The review queue of fixes shared from the field.
    async fn kb_proposals(&self, query: ProposalQuery) -> Result<Vec<ProposalListItem>>;
    async fn kb_proposal(&self, id: &str) -> Result<ProposalDetail>;
    /// Declines a pending shared fix; the reason reaches its technician's laptop.
    async fn decline_kb_proposal(
        &self,
        by: &Dispatcher,
        id: &str,
        reason: &str,
    ) -> Result<ProposalDetail>;
    /// Takes a pending shared fix into the base: a new article or the next version of one.
    async fn accept_kb_proposal(
        &self,
        by: &Dispatcher,
        id: &str,
        input: ProposalAccept,
    ) -> Result<ArticleAdmin>;

    // --- work orders (dispatcher) ------------------------------------------------------------
    async fn create_job(&self, by: &Dispatcher, input: JobInput) -> Result<WorkOrder>;
    async fn update_job(&self, by: &Dispatcher, id: &str, patch: JobPatch) -> Result<WorkOrder>;
    /// Assigns and books the window; moves a new job to scheduled. Reassignment removes the job
    /// from the previous technician's scope.
    async fn schedule_job(
        &self,
        by: &Dispatcher,
        id: &str,
        input: ScheduleInput,
    ) -> Result<WorkOrder>;
    /// Cancel, close or reopen, checked with the core's lifecycle rules.
    async fn move_job(
        &self,
        by: &Dispatcher,
        id: &str,
        to: JobStatus,
        reason: Option<String>,
    ) -> Result<WorkOrder>;
    async fn list_jobs(&self, filter: JobListFilter) -> Result<Vec<JobListItem>>;
    /// The appointments of a technician that hold their time, but for `except_job`'s: what a
    /// booking is checked against (`fieldwork_domain::schedule`).
    async fn technician_appointments(
        &self,
        technician_id: &str,
        except_job: &str,
    ) -> Result<Vec<Appointment>>;
    async fn job(&self, id: &str) -> Result<JobRecord>;
    async fn photo_of_job(&self, job_id: &str, photo_id: &str) -> Result<PhotoRef>;

    // --- KPIs and follow-up (dispatcher) -----------------------------------------------------
    /// The KPIs of the period (see [`kpis`] for the definitions); `now` decides what is due.
    async fn kpis(&self, query: KpiQuery, now: chrono::DateTime<chrono::Utc>) -> Result<KpiReport>;
    /// The jobs behind one number of [`HeadOfficeStore::kpis`].
    async fn kpi_jobs(
        &self,
        query: KpiJobsQuery,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<JobListItem>>;
    /// Records a follow-up call (and complaint) on a completed or closed job.
    async fn record_follow_up(
        &self,
        by: &Dispatcher,
        job_id: &str,
        input: FollowUpInput,
    ) -> Result<FollowUp>;
    /// Major complaints for supervisors: on jobs not closed yet, or recorded this week.
    async fn major_complaints(
        &self,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<MajorComplaint>>;
    /// Closes the complaint of a follow-up call of the job with its documented outcome.
    async fn resolve_complaint(
        &self,
        by: &Dispatcher,
        job_id: &str,
        follow_up_id: &str,
        input: ComplaintResolutionInput,
    ) -> Result<FollowUp>;
    /// The company printed on service reports and the currency of their amounts.
    async fn report_header(&self) -> Result<crate::report::ReportHeader>;

    // --- sync (devices) ----------------------------------------------------------------------
    async fn push(&self, device: &DeviceCaller, request: PushRequest) -> Result<PushResponse>;
    async fn pull(&self, device: &DeviceCaller, cursor: i64, limit: usize) -> Result<PullResponse>;

    // --- failed sign-ins (see [`crate::ratelimit::SignInFailures`]) ----------------------------
    /// How long the user name (`user_key`, as the throttle normalises it) or the address is
    /// still locked out at `now`, the longer of the two; `None` when neither is.
    async fn sign_in_lockout(
        &self,
        user_key: &str,
        address: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<std::time::Duration>>;
    /// Records a failed sign-in of the user name and the address, locking either out by
    /// `policy`.
    async fn sign_in_failed(
        &self,
        user_key: &str,
        address: &str,
        policy: crate::config::SignInThrottle,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<()>;
    /// Forgets the user name's failures (a correct password); the address's stay.
    async fn sign_in_succeeded(&self, user_key: &str) -> Result<()>;

    // --- blobs ------------------------------------------------------------------------------
    /// Which of `hashes` head office holds.
    async fn blobs_present(&self, hashes: Vec<String>) -> Result<Vec<String>>;
    /// Marks a verified blob as stored (after it is in the blob store) and held by the
    /// technician whose device uploaded it.
    async fn blob_stored(&self, sha256: &str, size: u64, technician_id: &str) -> Result<()>;
    /// Whether the technician may hold the blob: one of their devices uploaded it, or a photo
    /// or signature someone else recorded on one of their jobs references it. (A reference the
    /// technician recorded proves nothing: anyone can name a hash.)
    async fn technician_may_read_blob(&self, technician_id: &str, sha256: &str) -> Result<bool>;
    /// Which of `hashes` head office stores and the technician may hold
    /// ([`HeadOfficeStore::technician_may_read_blob`]); the others are absent to them.
    async fn blobs_held(&self, technician_id: &str, hashes: Vec<String>) -> Result<Vec<String>>;
    /// Which of `hashes` a photo or signature of any job references.
    async fn blobs_referenced(&self, hashes: Vec<String>) -> Result<Vec<String>>;
}
