//! Fieldwork core: the after-sales domain, its lifecycle rules, and the local SQLite store that
//! keeps a technician's records safe offline. No UI, no network.
//!
//! - [`domain`]: work orders and everything recorded on them.
//! - [`lifecycle`]: who may move a job where, and what completion needs.
//! - [`completion`]: the completion guard's facts from a job's records (device and head office).
//! - [`signed`]: what a customer's signature covers, and its hash.
//! - [`limits`]: how large each field of a recorded fact may be (device and head office).
//! - [`media`]: photo processing, signature pictures, the content-addressed media folder.
//! - [`schedule`]: booking clashes and a technician's next free slot.
//! - [`sla`]: deadlines and warranty from the company's policy.
//! - [`store`]: the database, the outbox for sync, search and integrity checks.
//! - [`seed`]: deterministic demo data.

pub mod completion;
pub mod domain;
pub mod error;
pub mod error_code;
pub mod hlc;
pub mod ids;
pub mod lifecycle;
pub mod limits;
pub mod media;
pub mod money;
pub mod schedule;
pub mod seed;
pub mod signed;
pub mod sla;
pub mod store;

pub use error::{CoreError, Result};
pub use error_code::ErrorCode;
pub use store::{Actor, JobFilter, Store};
