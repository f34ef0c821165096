//! Applying a pulled page to the device store: every record of the page and the page's cursor
//! in one local transaction (see [`fieldwork_core::store::remote`]).
//!
//! Records come in head-office version order, and a record changed several times appears once at
//! its last version, so a fact may come before the job it belongs to. The page is therefore
//! applied in two passes: jobs, parties, catalogues and knowledge articles first (in order, so a
//! job removed and assigned back in the same page ends up present), then the facts.

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
            // An older version than the one held is ignored, and a removal of an article not
            // held changes nothing; both still count as applied (the page's record is done).
            Record::KbArticle { article } => {
                batch.kb_article(article)?;
            }
            Record::KbArticleRemoved { article_id } => {
                batch.kb_article_removed(article_id)?;
            }
            Record::PastFix { fix } => batch.past_fix(fix)?,
            Record::PastFixRemoved { fix_id } => batch.past_fix_removed(fix_id)?,
            Record::KbProposal { review } => batch.kb_proposal(review)?,
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
            Record::ArticleUse { usage } => batch.article_use(usage)?,
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

#[cfg(test)]
mod tests {
    use fieldwork_core::hlc::Hlc;
    use fieldwork_core::kb::Article;
    use fieldwork_core::store::KbFilter;

    use super::*;
    use crate::wire::Change;

    fn article(id: &str, version: i64, title: &str) -> Article {
        serde_json::from_value(serde_json::json!({
            "id": id,
            "version": version,
            "status": "published",
            "category": "washing_machine",
            "fault_codes": ["E21"],
            "texts": [{ "language": "en", "title": title, "steps": ["Clear the drain filter."] }],
            "author": "supervisor",
            "reviewer": "admin",
            "updated_at": "2026-11-20T09:00:00Z",
            "published_at": "2026-11-20T09:00:00Z",
        }))
        .unwrap()
    }

    fn page(cursor: i64, records: Vec<Record>) -> PullResponse {
        PullResponse {
            cursor,
            has_more: false,
            changes: records
                .into_iter()
                .enumerate()
                .map(|(i, record)| Change { version: cursor - 10 + i as i64, record })
                .collect(),
            server_hlc: Hlc::zero("head-office"),
        }
    }

    fn titles(store: &Store, query: &str) -> Vec<String> {
        store
            .kb_search(query, KbFilter::default(), 10)
            .unwrap()
            .into_iter()
            .map(|a| a.titles[0].title.clone())
            .collect()
    }

    #[test]
    fn knowledge_articles_are_upserted_by_version_and_removed() {
        let mut store = Store::open_in_memory().unwrap();
        let stats = apply_page(
            &mut store,
            &page(
                20,
                vec![
                    Record::KbArticle { article: article("a1", 2, "Drum does not spin") },
                    Record::KbArticle { article: article("a2", 1, "Door will not open") },
                ],
            ),
        )
        .unwrap();
        assert_eq!(stats, ApplyStats { applied: 2, ..ApplyStats::default() });
        assert_eq!(titles(&store, "E21"), ["Door will not open", "Drum does not spin"]);

        // An older version is ignored; a newer one replaces it; a withdrawn one goes.
        let stats = apply_page(
            &mut store,
            &page(
                30,
                vec![
                    Record::KbArticle { article: article("a1", 1, "Old drum title") },
                    Record::KbArticle { article: article("a2", 2, "Door lock stays shut") },
                ],
            ),
        )
        .unwrap();
        assert_eq!(stats.applied, 2);
        assert_eq!(titles(&store, "E21"), ["Door lock stays shut", "Drum does not spin"]);
        assert!(titles(&store, "old").is_empty());

        let stats = apply_page(
            &mut store,
            &page(40, vec![Record::KbArticleRemoved { article_id: "a1".into() }]),
        )
        .unwrap();
        assert_eq!(stats.applied, 1);
        assert_eq!(titles(&store, "E21"), ["Door lock stays shut"]);
        assert_eq!(store.sync_state().unwrap().cursor, 40);
    }
}
