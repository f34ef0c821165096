//! Fieldwork's domain: the records of after-sales work and the rules both sides apply to them,
//! written once. The technician's device (`fieldwork-core`, its SQLite store) and head office
//! (`fieldwork-headoffice`) both call this crate, so they cannot disagree on a rule. It has no
//! storage, no image decoding and no network: plain data in, decisions out.
//!
//! - [`domain`]: work orders and everything recorded on them.
//! - [`mutation`]: one recorded change ([`Mutation`](mutation::Mutation)), as a device's outbox
//!   keeps it and pushes it, and the shared job fields ([`JobField`](mutation::JobField)).
//! - [`lifecycle`]: who may move a job where, and what completion needs.
//! - [`completion`]: the completion guard's facts from a job's records.
//! - [`signed`]: what a customer's signature covers, and its hash.
//! - [`limits`]: how large each field of a recorded fact may be.
//! - [`schedule`]: booking clashes and a technician's next free slot.
//! - [`sla`]: deadlines and warranty from the company's policy.
//! - [`kb`]: knowledge articles: what a valid one is, model patterns, fault codes, suggestions.
//! - [`kb_field`]: what the field gives back: an article marked as used, a fix shared for review.
//! - [`hlc`], [`ids`], [`money`]: clocks, identifiers and hashes, amounts in cents.
//! - [`error_code`]: the one vocabulary of error codes; [`error`]: a refused rule.
//! - [`seed::content`]: the demo company's names, catalogue and job types.

pub mod completion;
pub mod domain;
pub mod error;
pub mod error_code;
pub mod hlc;
pub mod ids;
pub mod kb;
pub mod kb_field;
pub mod lifecycle;
pub mod limits;
pub mod money;
pub mod mutation;
pub mod schedule;
pub mod seed;
pub mod signed;
pub mod sla;

pub use error::{Result, RuleError};
pub use error_code::ErrorCode;
