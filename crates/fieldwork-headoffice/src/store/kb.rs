//! The knowledge base as the console sees it: articles with where they stand, their versions,
//! and the queries and inputs of its screens. The article itself and its rules are
//! `fieldwork_domain::kb`.

use chrono::{DateTime, Utc};
use fieldwork_domain::domain::EquipmentCategory;
use fieldwork_domain::domain::PhotoRef;
use fieldwork_domain::kb::{Article, ArticleContent, ArticleStatus, Language};
use fieldwork_domain::kb_field::{ProposalReview, ProposalStatus};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// An article as the console edits it: its latest version, and which version (if any) the
/// laptops hold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/")]
pub struct ArticleAdmin {
    /// The latest version (a draft while it waits for review).
    pub article: Article,
    /// `draft`: never published; `published`: a version is on the laptops; `withdrawn`.
    pub status: ArticleStatus,
    /// The version the laptops hold; none when nothing is published.
    pub published_version: Option<i64>,
    /// Every version, newest first.
    pub versions: Vec<ArticleVersionInfo>,
    /// How technicians marked it on their jobs.
    pub uses: ArticleUses,
}

/// How often technicians marked an article as used on a job, and what it did.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema, ts_rs::TS,
)]
#[ts(export, export_to = "headoffice/")]
pub struct ArticleUses {
    /// Jobs it was marked on.
    pub used: i64,
    /// … where it fixed the fault.
    pub fixed: i64,
    /// … where it did not help.
    pub did_not_help: i64,
}

/// The order of the console's article list.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema, ts_rs::TS,
)]
#[ts(export, export_to = "headoffice/")]
#[serde(rename_all = "snake_case")]
pub enum ArticleSort {
    /// Latest change first.
    #[default]
    Recent,
    /// Marked on the most jobs first.
    MostUsed,
    /// Only articles that did not help at least once, the largest share of "did not help" first.
    OftenUnhelpful,
}

/// A picture an article may show: uploaded in the console, or a job's photo taken into an
/// article from a shared fix. `sha256` is what `ArticleContent::photos` names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/")]
pub struct KbPhoto {
    /// SHA-256 of the picture (an upright JPEG without metadata), lowercase hex.
    pub sha256: String,
    /// SHA-256 of its thumbnail (about 320 px).
    pub thumb_sha256: String,
    pub width: u32,
    pub height: u32,
    /// Size of the picture in bytes.
    pub bytes: i64,
}

/// One saved version of an article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/")]
pub struct ArticleVersionInfo {
    pub version: i64,
    pub author: String,
    pub created_at: DateTime<Utc>,
}

/// A title in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/")]
pub struct ArticleTitle {
    pub language: Language,
    pub title: String,
}

/// A line of the console's article list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/")]
pub struct ArticleListItem {
    pub id: String,
    pub status: ArticleStatus,
    pub latest_version: i64,
    pub published_version: Option<i64>,
    pub category: EquipmentCategory,
    pub titles: Vec<ArticleTitle>,
    pub brands: Vec<String>,
    pub fault_codes: Vec<String>,
    pub author: String,
    pub updated_at: DateTime<Utc>,
    pub uses: ArticleUses,
}

/// The console's article list: words of titles, brands, models or fault codes, a category, a
/// status.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema, IntoParams, ts_rs::TS)]
#[ts(export, export_to = "headoffice/", optional_fields = nullable)]
#[into_params(parameter_in = Query)]
pub struct ArticleQuery {
    pub q: Option<String>,
    pub category: Option<EquipmentCategory>,
    pub status: Option<ArticleStatus>,
    pub sort: Option<ArticleSort>,
    pub limit: Option<usize>,
    pub offset: Option<usize>,
}

/// A changed article: the version it was edited from (refused with `stale_version` when someone
/// saved a newer one meanwhile) and the whole new content.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/")]
pub struct ArticleEdit {
    pub base_version: i64,
    pub content: ArticleContent,
}

/// Which version to publish (normally the latest).
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/")]
pub struct ArticlePublish {
    pub version: i64,
}

/// A line of the review queue of fixes shared from the field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/")]
pub struct ProposalListItem {
    pub id: String,
    pub status: ProposalStatus,
    pub title: String,
    pub language: Language,
    pub job_id: String,
    pub job_number: String,
    pub technician_name: String,
    pub equipment: Option<ProposalEquipment>,
    pub fault_codes: Vec<String>,
    pub shared_at: DateTime<Utc>,
}

/// The equipment of a shared fix's job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/")]
pub struct ProposalEquipment {
    pub category: EquipmentCategory,
    pub brand: String,
    pub model: String,
}

/// A shared fix as a supervisor reviews it: the proposal and its decision, and what head office
/// knows of the job (its equipment, the reported problem and fault codes, the chosen photos).
/// Its texts come without the customer's, the site's or the job's personal details (name, phones,
/// email, address, serial, job number), as the team's past fixes do: they are what a supervisor
/// copies into an article for every laptop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/")]
pub struct ProposalDetail {
    pub review: ProposalReview,
    pub job_number: String,
    pub technician_name: String,
    pub equipment: Option<ProposalEquipment>,
    pub fault_codes: Vec<String>,
    pub reported_problem: String,
    /// The chosen photos that are on the job (withdrawn ones left out).
    pub photos: Vec<PhotoRef>,
}

/// The review queue: by status (pending when not given).
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema, IntoParams, ts_rs::TS)]
#[ts(export, export_to = "headoffice/", optional_fields = nullable)]
#[into_params(parameter_in = Query)]
pub struct ProposalQuery {
    pub status: Option<ProposalStatus>,
    pub limit: Option<usize>,
    pub offset: Option<usize>,
}

/// Declining a shared fix: the reason goes back to the technician.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/")]
pub struct ProposalDecline {
    pub reason: String,
}

/// Taking a shared fix into the base: as a new article (`article_id` none: `content` becomes
/// its first version), or merged into an existing one (`content` becomes its next version,
/// edited from `base_version`). Either way a draft, published like any other.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, ts_rs::TS)]
#[ts(export, export_to = "headoffice/", optional_fields = nullable)]
pub struct ProposalAccept {
    pub article_id: Option<String>,
    pub base_version: Option<i64>,
    pub content: ArticleContent,
}
