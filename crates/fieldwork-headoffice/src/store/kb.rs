//! The knowledge base as the console sees it: articles with where they stand, their versions,
//! and the queries and inputs of its screens. The article itself and its rules are
//! `fieldwork_domain::kb`.

use chrono::{DateTime, Utc};
use fieldwork_domain::domain::EquipmentCategory;
use fieldwork_domain::kb::{Article, ArticleContent, ArticleStatus, Language};
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
