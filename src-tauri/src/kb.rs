//! The knowledge base the laptop holds offline: search, one article, the articles that fit a job
//! and the team's past fixes like it (reads, on the async runtime's threads: see `commands.rs`);
//! and what the technician gives back: an article marked as used on a job, a completed job's fix
//! shared for review (changes of the job, recorded like any other and pushed at the next sync).
//! The ranking, the search and the rules are the core's.

use fieldwork_core::Store;
use fieldwork_core::domain::EquipmentCategory;
use fieldwork_core::kb::{Article, PastFix};
use fieldwork_core::kb_field::{ArticleOutcome, ArticleUse, ProposalReview};
use fieldwork_core::store::{ArticleSuggestion, ArticleSummary, KbFilter, ShareFix};
use tauri::{AppHandle, State};

use crate::commands::{AppState, Result, changed_locally, store};

/// Articles a search lists when the window does not say.
pub const SEARCH_LIMIT: usize = 50;
/// Most articles one search lists.
pub const MAX_SEARCH_LIMIT: usize = 500;
/// Articles suggested for a job: a short list the technician reads at a glance.
pub const SUGGESTIONS: usize = 5;
/// Past fixes shown for a job.
pub const SIMILAR_FIXES: usize = 5;

/// A search as the window asks it: `limit` within 1..=[`MAX_SEARCH_LIMIT`], a blank brand is none.
pub fn search(
    store: &Store,
    query: &str,
    category: Option<EquipmentCategory>,
    brand: Option<String>,
    limit: Option<usize>,
) -> fieldwork_core::Result<Vec<ArticleSummary>> {
    let brand = brand.map(|b| b.trim().to_owned()).filter(|b| !b.is_empty());
    let limit = limit.unwrap_or(SEARCH_LIMIT).clamp(1, MAX_SEARCH_LIMIT);
    store.kb_search(query, KbFilter { category, brand }, limit)
}

#[tauri::command(async)]
pub fn kb_search(
    state: State<'_, AppState>,
    query: String,
    category: Option<EquipmentCategory>,
    brand: Option<String>,
    limit: Option<usize>,
) -> Result<Vec<ArticleSummary>> {
    Ok(search(&*store(&state)?, &query, category, brand, limit)?)
}

#[tauri::command(async)]
pub fn kb_article(state: State<'_, AppState>, id: String) -> Result<Article> {
    Ok(store(&state)?.kb_article(&id)?)
}

/// The articles that fit a job (its id or number), best first, with why.
#[tauri::command(async)]
pub fn kb_suggestions(
    state: State<'_, AppState>,
    job_id: String,
) -> Result<Vec<ArticleSuggestion>> {
    Ok(store(&state)?.kb_suggestions(&job_id, SUGGESTIONS)?)
}

/// The team's resolved jobs on the same model, or a fault code this job names on the same brand,
/// best first; they carry no customer, job number, serial or technician.
#[tauri::command(async)]
pub fn kb_similar_fixes(state: State<'_, AppState>, job_id: String) -> Result<Vec<PastFix>> {
    Ok(store(&state)?.similar_fixes(&job_id, SIMILAR_FIXES)?)
}

/// The articles marked as used on a job, latest first.
#[tauri::command(async)]
pub fn kb_article_uses(state: State<'_, AppState>, job_id: String) -> Result<Vec<ArticleUse>> {
    Ok(store(&state)?.article_uses(&job_id)?)
}

/// Marks an article as used on a job ("this fixed it" / "did not help"); returns the job's marks.
#[tauri::command]
pub fn kb_mark_article(
    app: AppHandle,
    state: State<'_, AppState>,
    job_id: String,
    article_id: String,
    outcome: ArticleOutcome,
) -> Result<Vec<ArticleUse>> {
    // The store is released before the change is announced (the sync engine takes it then).
    let (usage, uses) = {
        let mut store = store(&state)?;
        let usage = store.mark_article(&job_id, &article_id, outcome)?;
        (usage, store.article_uses(&job_id)?)
    };
    changed_locally(&app, Some(usage.job_id));
    Ok(uses)
}

/// The fixes shared from a job, latest first, with head office's review of each.
#[tauri::command(async)]
pub fn kb_shared_fixes(state: State<'_, AppState>, job_id: String) -> Result<Vec<ProposalReview>> {
    let store = store(&state)?;
    let id = store.job_view(&job_id)?.detail.work_order.id;
    Ok(store.shared_fixes(&id)?)
}

/// Shares a completed job's fix with the team for review; returns the job's shared fixes.
#[tauri::command]
pub fn kb_share_fix(
    app: AppHandle,
    state: State<'_, AppState>,
    job_id: String,
    fix: ShareFix,
) -> Result<Vec<ProposalReview>> {
    let (job, shared) = {
        let mut store = store(&state)?;
        let review = store.share_fix(&job_id, fix)?;
        let shared = store.shared_fixes(&review.proposal.job_id)?;
        (review.proposal.job_id, shared)
    };
    changed_locally(&app, Some(job));
    Ok(shared)
}

#[cfg(test)]
mod tests {
    use fieldwork_core::kb::{Article, ArticleContent, ArticleStatus, ArticleText, Language};

    use super::*;

    fn article(id: &str, category: EquipmentCategory, brands: &[&str], title: &str) -> Article {
        let at = chrono::DateTime::from_timestamp(1_790_000_000, 0).unwrap();
        Article {
            id: id.into(),
            version: 1,
            status: ArticleStatus::Published,
            content: ArticleContent {
                category,
                brands: brands.iter().map(|b| (*b).to_owned()).collect(),
                models: vec![],
                fault_codes: vec!["E4".into()],
                parts: vec![],
                photos: vec![],
                texts: vec![ArticleText {
                    language: Language::English,
                    title: title.into(),
                    symptoms: vec![],
                    causes: vec![],
                    steps: vec!["Isolate the power.".into()],
                    warnings: vec![],
                }],
            },
            author: "supervisor".into(),
            reviewer: Some("admin".into()),
            updated_at: at,
            published_at: Some(at),
        }
    }

    fn library() -> Store {
        let mut store = Store::open_in_memory().unwrap();
        let articles: Vec<Article> = (0..5)
            .map(|i| {
                article(&format!("a{i}"), EquipmentCategory::WaterHeater, &[], &format!("T{i}"))
            })
            .chain([article("b", EquipmentCategory::Dishwasher, &["Bosch"], "Dishwasher E4")])
            .collect();
        store.put_kb_articles(&articles).unwrap();
        store
    }

    #[test]
    fn the_limit_is_kept_within_bounds_and_defaults() {
        let store = library();
        assert_eq!(search(&store, "", None, None, Some(0)).unwrap().len(), 1);
        assert_eq!(search(&store, "", None, None, Some(2)).unwrap().len(), 2);
        assert_eq!(search(&store, "", None, None, None).unwrap().len(), 6);
        assert_eq!(search(&store, "", None, None, Some(usize::MAX)).unwrap().len(), 6);
    }

    #[test]
    fn a_blank_brand_filters_nothing_and_filters_combine() {
        let store = library();
        assert_eq!(search(&store, "E4", None, Some("  ".into()), None).unwrap().len(), 6);
        let bosch = search(&store, "", None, Some(" bosch ".into()), None).unwrap();
        assert_eq!(bosch.len(), 6, "articles for any brand apply to Bosch too");
        let dish = search(&store, "E4", Some(EquipmentCategory::Dishwasher), None, None).unwrap();
        assert_eq!(dish.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(), ["b"]);
    }
}
