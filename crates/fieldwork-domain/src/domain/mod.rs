//! The after-sales domain: who and what a job is about, the job itself, and the facts a
//! technician records on it. Plain data; the rules live in [`crate::lifecycle`] and
//! [`crate::sla`]; the device keeps them in its store (`fieldwork-core`), head office in its own.

mod names;
pub(crate) use names::word_enum;

pub mod checklist;
pub mod job;
pub mod parties;
pub mod records;

pub use checklist::{ChecklistAnswer, ChecklistItem, ChecklistItemKind, ChecklistValue, JobType};
pub use job::{JobDetail, JobStatus, JobSummary, Priority, WarrantyStatus, WorkOrder};
pub use parties::{Customer, Equipment, EquipmentCategory, Site, Technician};
pub use records::{
    Feedback, Note, Part, PartUsed, PartWithdrawal, PhotoKind, PhotoRef, SignatureRef,
    StatusChange, TimeEntry, TimeEntryKind, TimeEntrySource,
};
