//! Fieldwork core: the technician's device. The local SQLite store that keeps a technician's
//! records safe offline, photo import, and the service report made from the store. No UI, no
//! network (the device's sync is `fieldwork-sync`).
//!
//! The domain and its rules are `fieldwork-domain`, which head office calls too; its modules
//! are re-exported here ([`domain`], [`lifecycle`], [`completion`], [`signed`], [`limits`],
//! [`schedule`], [`sla`], [`kb`], [`hlc`], [`ids`], [`money`], [`error_code`]) so device code
//! names one crate.
//!
//! - [`store`]: the database, the outbox for sync, search (jobs and the knowledge base) and
//!   integrity checks.
//! - [`media`]: photo processing, signature pictures, the content-addressed media folder.
//! - [`report`]: a job's service report (PDF) straight from the store.
//! - [`seed`]: deterministic demo data written into a store.

pub mod error;
pub mod media;
pub mod report;
pub mod seed;
pub mod store;

pub use fieldwork_domain::{
    completion, domain, error_code, hlc, ids, kb, kb_field, lifecycle, limits, money, schedule,
    signed, sla,
};

pub use error::{CoreError, Result};
pub use error_code::ErrorCode;
pub use fieldwork_domain::RuleError;
pub use store::{Actor, JobFilter, Store};
