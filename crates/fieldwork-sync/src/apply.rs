//! Applying a pulled page to the device store: every record of the page and the page's cursor
//! in one local transaction (see [`fieldwork_core::store::remote`]).
//!
//! Records come in head-office version order, and a record changed several times appears once at
//! its last version, so a fact may come before the job it belongs to. The page is therefore
//! applied in two passes: jobs, parties and catalogues first (in order, so a job removed and
//! assigned back in the same page ends up present), then the facts.

use std::collections::HashMap;

use fieldwork_core::error::Result;
use fieldwork_core::store::Store;

use crate::wire::{PullResponse, Record};

/// What one page did to the store.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ApplyStats {
    /// Records written (upserted, inserted or removed).
    pub applied: usize,
    /// Jobs dropped because they left this device's scope.
    pub removed_jobs: usize,
    /// Jobs that left the scope but stay until their pending changes are pushed.
    pub deferred_removals: usize,
    /// Facts of jobs not on this device, and entities this client does not know.
    pub skipped: usize,
}

/// Applies `page` and stores its cursor, all or nothing.
pub fn apply_page(store: &mut Store, page: &PullResponse) -> Result<ApplyStats> {
    let mut stats = ApplyStats::default();
    let mut last_job_version: HashMap<&str, i64> = HashMap::new();
    for change in &page.changes {
        if let Record::Job { work_order } = &change.record {
            last_job_version.insert(&work_order.id, change.version);
        }
    }
    let mut batch = store.remote_apply(&page.server_hlc)?;
    for change in &page.changes {
        match &change.record {
            Record::Job { work_order } => batch.job(work_order)?,
            Record::JobRemoved { job_id } => {
                if last_job_version.get(job_id.as_str()).is_some_and(|v| *v > change.version) {
                    // Assigned back later in the same page: the job record wins.
                    continue;
                }
                if batch.remove_job(job_id)? {
                    stats.removed_jobs += 1;
                } else {
                    stats.deferred_removals += 1;
                }
            }
            Record::Customer { customer } => batch.customer(customer)?,
            Record::Site { site } => batch.site(site)?,
            Record::Equipment { equipment } => batch.equipment(equipment)?,
            Record::JobType { job_type } => batch.job_type(job_type)?,
            Record::Part { part } => batch.catalogue_part(part)?,
            Record::Technician { technician } => batch.technician(technician)?,
            Record::Unknown => {
                stats.skipped += 1;
                continue;
            }
            _ => continue,
        }
        stats.applied += 1;
    }
    for change in &page.changes {
        match &change.record {
            Record::Note { note } => batch.note(note)?,
            Record::PartUsed { part_used } => batch.part_used(part_used)?,
            Record::PartWithdrawn { withdrawal } => batch.part_withdrawn(withdrawal)?,
            Record::TimeEntry { entry } => batch.time_entry(entry)?,
            Record::Feedback { feedback } => batch.feedback(feedback)?,
            Record::Photo { photo } => batch.photo(photo)?,
            Record::PhotoDeleted { job_id, photo_id, at } => {
                batch.photo_deleted(job_id, photo_id, *at)?;
            }
            Record::Signature { signature } => batch.signature(signature)?,
            Record::StatusChange { change } => batch.status_change(change)?,
            Record::ChecklistAnswer { job_id, answer } => batch.checklist_answer(job_id, answer)?,
            Record::Conflict { conflict } => batch.issue(
                &conflict.id,
                "conflict",
                Some(&conflict.job_id),
                &serde_json::to_value(conflict)?,
            )?,
            Record::Rejection { rejection } => batch.issue(
                &rejection.mutation_id,
                "rejection",
                rejection.job_id.as_deref(),
                &serde_json::to_value(rejection)?,
            )?,
            _ => continue,
        }
        stats.applied += 1;
    }
    let skipped_facts = batch.skipped();
    stats.applied -= skipped_facts;
    stats.skipped += skipped_facts;
    batch.commit(page.cursor)?;
    Ok(stats)
}
