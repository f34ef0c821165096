//! The knowledge base at head office: supervisors write articles as versions, publish one
//! version to every laptop, withdraw it again. What a valid article is, is decided by
//! `fieldwork_domain::kb` (the same rules the laptop's screens use); this module keeps the
//! versions and says what the change feed carries.
//!
//! The feed's `kb_article` row is the whole story for a laptop: its record is the published
//! version (`kb_articles.published_body`), or, when nothing is published any more, a removal.
//! Drafts never enter the feed, so no laptop ever holds an unreviewed article.

use fieldwork_domain::domain::{EquipmentCategory, JobStatus, PartUsed, StatusChange, WorkOrder};
use fieldwork_domain::kb::{self, Article, ArticleContent, ArticleStatus, PastFix, PastFixPart};

use super::{Writer, from_ms, ms};
use std::fmt::Write as _;

use crate::db::{Db, Row, ToValue};
use crate::error::{Error, Result};
use crate::store::{
    ArticleAdmin, ArticleListItem, ArticleQuery, ArticleSort, ArticleTitle, ArticleUses,
    ArticleVersionInfo, Dispatcher, KbPhoto, Page,
};
use fieldwork_domain::ErrorCode;

/// Where an article stands (`kb_articles`).
struct Standing {
    status: ArticleStatus,
    latest_version: i64,
    published_version: Option<i64>,
}

fn standing(db: &dyn Db, id: &str) -> Result<Standing> {
    db.query_opt(
        "SELECT status, latest_version, published_version FROM kb_articles WHERE id = ?1",
        &[&id],
        |r| {
            Ok(Standing {
                status: parse_status(&r.get::<String>(0)?)?,
                latest_version: r.get(1)?,
                published_version: r.get(2)?,
            })
        },
    )?
    .ok_or(Error::NotFound)
}

fn parse_status(s: &str) -> Result<ArticleStatus> {
    s.parse().map_err(|e: fieldwork_domain::RuleError| Error::Internal(e.to_string()))
}

/// One version as it was written.
pub(super) fn version(db: &dyn Db, id: &str, version: i64) -> Result<Article> {
    db.body(
        "SELECT body FROM kb_article_versions WHERE article_id = ?1 AND version = ?2",
        &[&id, &version],
    )?
    .ok_or(Error::NotFound)
}

pub(super) fn article(db: &dyn Db, id: &str) -> Result<ArticleAdmin> {
    let s = standing(db, id)?;
    let latest = version(db, id, s.latest_version)?;
    let versions = db.query_map(
        "SELECT version, author, created_at FROM kb_article_versions WHERE article_id = ?1
         ORDER BY version DESC",
        &[&id],
        |r| {
            Ok(ArticleVersionInfo {
                version: r.get(0)?,
                author: r.get(1)?,
                created_at: from_ms(r.get(2)?),
            })
        },
    )?;
    Ok(ArticleAdmin {
        article: latest,
        status: s.status,
        published_version: s.published_version,
        versions,
        uses: super::kb_field::uses_of(db, id)?,
    })
}

/// The console's search text: titles, brands, models and fault codes, lower case.
fn search_text(c: &ArticleContent) -> String {
    let mut parts: Vec<&str> = c.texts.iter().map(|t| t.title.as_str()).collect();
    parts.extend(c.brands.iter().map(String::as_str));
    parts.extend(c.models.iter().map(String::as_str));
    parts.extend(c.fault_codes.iter().map(String::as_str));
    parts.join(" ").to_lowercase()
}

/// Saves `content` as version `number` of article `id`, a draft written by `by`.
fn save_version(
    w: &mut Writer<'_>,
    id: &str,
    number: i64,
    by: &Dispatcher,
    content: ArticleContent,
) -> Result<()> {
    let now = w.now;
    let article = Article {
        id: id.to_owned(),
        version: number,
        status: ArticleStatus::Draft,
        content,
        author: by.name.clone(),
        reviewer: None,
        updated_at: now,
        published_at: None,
    };
    w.db.execute(
        "INSERT INTO kb_article_versions (article_id, version, author, created_at, body)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        &[&id, &number, &by.name, &ms(now), &serde_json::to_string(&article)?],
    )?;
    Ok(())
}

pub(super) fn create(
    w: &mut Writer<'_>,
    by: &Dispatcher,
    content: ArticleContent,
) -> Result<ArticleAdmin> {
    let content = content.normalised().map_err(Error::from_rule)?;
    known_photos(w, by, &content)?;
    let id = fieldwork_domain::ids::new_id();
    w.db.execute(
        "INSERT INTO kb_articles (id, status, latest_version, published_version, category,
             search_text, updated_at, published_body)
         VALUES (?1, 'draft', 1, NULL, ?2, ?3, ?4, NULL)",
        &[&id, &content.category.as_str(), &search_text(&content), &ms(w.now)],
    )?;
    save_version(w, &id, 1, by, content)?;
    article(w.db, &id)
}

pub(super) fn edit(
    w: &mut Writer<'_>,
    by: &Dispatcher,
    id: &str,
    base_version: i64,
    content: ArticleContent,
) -> Result<ArticleAdmin> {
    let s = standing(w.db, id)?;
    if base_version != s.latest_version {
        return Err(Error::rule(
            ErrorCode::StaleVersion,
            format!(
                "version {} was saved since version {base_version} was opened; reload it and \
                 make the change again",
                s.latest_version
            ),
        ));
    }
    let content = content.normalised().map_err(Error::from_rule)?;
    known_photos(w, by, &content)?;
    let number = s.latest_version + 1;
    w.db.execute(
        "UPDATE kb_articles SET latest_version = ?2, category = ?3, search_text = ?4,
             updated_at = ?5 WHERE id = ?1",
        &[&id, &number, &content.category.as_str(), &search_text(&content), &ms(w.now)],
    )?;
    save_version(w, id, number, by, content)?;
    article(w.db, id)
}

pub(super) fn publish(
    w: &mut Writer<'_>,
    by: &Dispatcher,
    id: &str,
    number: i64,
) -> Result<ArticleAdmin> {
    let s = standing(w.db, id)?;
    let written = version(w.db, id, number)?;
    if s.status == ArticleStatus::Published && s.published_version == Some(number) {
        return article(w.db, id);
    }
    let now = w.now;
    let published = Article {
        status: ArticleStatus::Published,
        reviewer: Some(by.name.clone()),
        published_at: Some(now),
        ..written
    };
    w.db.execute(
        "UPDATE kb_articles SET status = 'published', published_version = ?2, updated_at = ?3,
             published_body = ?4 WHERE id = ?1",
        &[&id, &number, &ms(now), &serde_json::to_string(&published)?],
    )?;
    w.db.execute("DELETE FROM kb_published_photos WHERE article_id = ?1", &[&id])?;
    for sha in &published.content.photos {
        w.db.execute(
            "INSERT INTO kb_published_photos (article_id, sha256) VALUES (?1, ?2)
             ON CONFLICT DO NOTHING",
            &[&id, sha],
        )?;
    }
    w.feed("kb_article", id, None, None)?;
    article(w.db, id)
}

pub(super) fn withdraw(w: &mut Writer<'_>, id: &str) -> Result<ArticleAdmin> {
    let s = standing(w.db, id)?;
    if s.status == ArticleStatus::Withdrawn {
        return article(w.db, id);
    }
    let was_published = s.status == ArticleStatus::Published;
    w.db.execute(
        "UPDATE kb_articles SET status = 'withdrawn', published_version = NULL, updated_at = ?2,
             published_body = NULL WHERE id = ?1",
        &[&id, &ms(w.now)],
    )?;
    w.db.execute("DELETE FROM kb_published_photos WHERE article_id = ?1", &[&id])?;
    if was_published {
        w.feed("kb_article", id, None, None)?;
    }
    article(w.db, id)
}

fn photo_row(r: &Row) -> Result<KbPhoto> {
    let side = |i: usize| -> Result<u32> { Ok(u32::try_from(r.get::<i64>(i)?).unwrap_or(0)) };
    Ok(KbPhoto {
        sha256: r.get(0)?,
        thumb_sha256: r.get(1)?,
        width: side(2)?,
        height: side(3)?,
        bytes: r.get(4)?,
    })
}

/// A picture an article may name, if it is one.
pub(super) fn photo(db: &dyn Db, sha: &str) -> Result<Option<KbPhoto>> {
    db.query_opt(
        "SELECT sha256, thumb_sha256, width, height, bytes FROM kb_photos WHERE sha256 = ?1",
        &[&sha],
        photo_row,
    )
}

/// Records a picture uploaded in the console (its renditions are in the blob store already).
pub(super) fn add_photo(w: &mut Writer<'_>, by: &Dispatcher, p: KbPhoto) -> Result<KbPhoto> {
    for (sha, size) in [(&p.sha256, p.bytes), (&p.thumb_sha256, 0)] {
        w.db.execute(
            "INSERT INTO blobs (sha256, size, stored_at) VALUES (?1, ?2, ?3)
             ON CONFLICT DO NOTHING",
            &[sha, &size, &ms(w.now)],
        )?;
    }
    keep_photo(w, by, &p)?;
    photo(w.db, &p.sha256)?.ok_or(Error::NotFound)
}

/// Makes `p` a picture articles may name (the first record of it stays).
fn keep_photo(w: &mut Writer<'_>, by: &Dispatcher, p: &KbPhoto) -> Result<()> {
    w.db.execute(
        "INSERT INTO kb_photos (sha256, thumb_sha256, width, height, bytes, added_by, added_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING",
        &[
            &p.sha256,
            &p.thumb_sha256,
            &i64::from(p.width),
            &i64::from(p.height),
            &p.bytes,
            &by.name,
            &ms(w.now),
        ],
    )?;
    Ok(())
}

/// Checks that every picture `content` names is one an article may show: uploaded in the
/// console, or a job's photo (a shared fix's, taken into an article), which becomes one here.
fn known_photos(w: &mut Writer<'_>, by: &Dispatcher, content: &ArticleContent) -> Result<()> {
    for sha in &content.photos {
        if photo(w.db, sha)?.is_some() {
            continue;
        }
        let job_photo: Option<fieldwork_domain::domain::PhotoRef> =
            w.db.body("SELECT body FROM photos WHERE sha256 = ?1 LIMIT 1", &[sha])?;
        let Some(p) = job_photo else {
            return Err(Error::invalid(format!(
                "photos: {sha} is not a picture uploaded for the knowledge base"
            )));
        };
        let kept = KbPhoto {
            sha256: sha.clone(),
            thumb_sha256: p.thumb_sha256,
            width: p.width,
            height: p.height,
            bytes: p.bytes,
        };
        keep_photo(w, by, &kept)?;
    }
    Ok(())
}

pub(super) fn list(db: &dyn Db, q: &ArticleQuery) -> Result<Vec<ArticleListItem>> {
    let page = Page::new(q.limit, q.offset);
    let pattern = format!("%{}%", q.q.as_deref().unwrap_or("").trim().to_lowercase());
    let category = q.category.map(EquipmentCategory::as_str);
    let status = q.status.map(ArticleStatus::as_str);
    let (limit, offset) = (page.limit as i64, page.offset as i64);
    let mut params: Vec<&dyn ToValue> = vec![&pattern, &limit, &offset];
    let mut filters = String::new();
    let order = match q.sort.unwrap_or_default() {
        ArticleSort::Recent => "a.updated_at DESC, a.id",
        ArticleSort::MostUsed => "COALESCE(u.used, 0) DESC, a.updated_at DESC, a.id",
        ArticleSort::OftenUnhelpful => {
            filters.push_str(" AND COALESCE(u.unhelpful, 0) > 0");
            "u.unhelpful * 1.0 / u.used DESC, u.unhelpful DESC, a.id"
        }
    };
    for (column, value) in [("category", &category), ("status", &status)] {
        if let Some(v) = value {
            params.push(v);
            let _ = write!(filters, " AND a.{column} = ?{}", params.len());
        }
    }
    db.query_map(
        &format!(
            "SELECT a.id, a.status, a.latest_version, a.published_version, a.updated_at, v.body,
                 CAST(COALESCE(u.used, 0) AS BIGINT), CAST(COALESCE(u.fixed, 0) AS BIGINT),
                 CAST(COALESCE(u.unhelpful, 0) AS BIGINT)
             FROM kb_articles a
             JOIN kb_article_versions v ON v.article_id = a.id AND v.version = a.latest_version
             LEFT JOIN (SELECT article_id, COUNT(*) AS used,
                     SUM(CASE WHEN outcome = 'fixed' THEN 1 ELSE 0 END) AS fixed,
                     SUM(CASE WHEN outcome = 'did_not_help' THEN 1 ELSE 0 END) AS unhelpful
                 FROM kb_article_uses GROUP BY article_id) u ON u.article_id = a.id
             WHERE a.search_text LIKE ?1{filters}
             ORDER BY {order} LIMIT ?2 OFFSET ?3"
        ),
        &params,
        list_item,
    )
}

fn list_item(r: &Row) -> Result<ArticleListItem> {
    let latest: Article = serde_json::from_str(&r.get::<String>(5)?)?;
    Ok(ArticleListItem {
        id: r.get(0)?,
        status: parse_status(&r.get::<String>(1)?)?,
        latest_version: r.get(2)?,
        published_version: r.get(3)?,
        updated_at: from_ms(r.get(4)?),
        titles: latest
            .content
            .texts
            .iter()
            .map(|t| ArticleTitle { language: t.language, title: t.title.clone() })
            .collect(),
        category: latest.content.category,
        brands: latest.content.brands,
        fault_codes: latest.content.fault_codes,
        author: latest.author,
        uses: ArticleUses { used: r.get(6)?, fixed: r.get(7)?, did_not_help: r.get(8)? },
    })
}

// --- past fixes -----------------------------------------------------------------------------------

/// Keeps the team's past fix of `job` in step with the job (called whenever a job is saved): a
/// completed or closed job with a resolution is one, its free texts cleared of the customer's
/// and the site's details; a job reopened is none any more. Every laptop receives the change.
pub(super) fn refresh_past_fix(w: &mut Writer<'_>, job: &WorkOrder) -> Result<()> {
    let resolution = job.resolution.as_deref().map(str::trim).filter(|r| !r.is_empty());
    let fix = match (job.status, resolution) {
        (JobStatus::Completed | JobStatus::Closed, Some(resolution)) => {
            Some(past_fix(w.db, job, resolution)?)
        }
        // Reopened (the only way back from completed or closed): the fix did not hold.
        (JobStatus::Scheduled, _) => None,
        // Completed without a resolution, or not finished: nothing to add or take back.
        _ => return Ok(()),
    };
    // (its id, its body): the fix's id is its own, so no laptop learns another's job id.
    let stored =
        w.db.query_opt("SELECT id, body FROM past_fixes WHERE job_id = ?1", &[&job.id], |r| {
            Ok((r.get::<String>(0)?, r.get::<String>(1)?))
        })?;
    let id = match (fix, stored) {
        (Some(mut fix), stored) => {
            let id =
                stored.as_ref().map_or_else(fieldwork_domain::ids::new_id, |(id, _)| id.clone());
            fix.id = id.clone();
            let body = serde_json::to_string(&fix)?;
            if stored.as_ref().is_some_and(|(_, b)| *b == body) {
                return Ok(());
            }
            w.db.execute(
                "INSERT INTO past_fixes (job_id, id, body) VALUES (?1, ?2, ?3)
                 ON CONFLICT (job_id) DO UPDATE SET body = excluded.body",
                &[&job.id, &id, &body],
            )?;
            id
        }
        (None, Some((id, _))) => {
            w.db.execute("DELETE FROM past_fixes WHERE job_id = ?1", &[&job.id])?;
            id
        }
        (None, None) => return Ok(()),
    };
    w.feed("past_fix", &id, None, None)
}

/// The personal details of a job that must never leave it in a text meant for the whole team:
/// the customer's name, phones and email, the site's address, contact and postal code, the
/// equipment's serial and the job's number.
pub(super) fn personal_details(db: &dyn Db, job: &WorkOrder) -> Result<Vec<String>> {
    let customer = super::master::customer(db, &job.customer_id)?;
    let site = super::master::site(db, &job.site_id)?;
    let mut details = vec![customer.name, customer.phone, site.address];
    details.extend(customer.alt_phone);
    details.extend(customer.email);
    details.extend(site.contact_name);
    details.extend(site.contact_phone);
    details.extend(site.postal_code);
    if let Some(id) = &job.equipment_id {
        details.push(super::master::equipment(db, id)?.serial);
    }
    details.push(job.number.clone());
    Ok(details)
}

/// `text` without any of `details` (see [`personal_details`]).
pub(super) fn redacted(text: &str, details: &[String]) -> String {
    let details: Vec<&str> = details.iter().map(String::as_str).collect();
    kb::redact(text, &details)
}

fn past_fix(db: &dyn Db, job: &WorkOrder, resolution: &str) -> Result<PastFix> {
    let equipment = match &job.equipment_id {
        Some(id) => Some(super::master::equipment(db, id)?),
        None => None,
    };
    let details = personal_details(db, job)?;
    let clean = |text: &str| redacted(text, &details);
    let parts: Vec<PartUsed> = db.bodies(
        "SELECT body FROM parts_used WHERE job_id = ?1
           AND id NOT IN (SELECT part_used_id FROM part_withdrawals WHERE job_id = ?1)
         ORDER BY id",
        &[&job.id],
    )?;
    let first_time_fix: bool =
        db.value("SELECT ftf FROM job_facts WHERE job_id = ?1", &[&job.id])?.unwrap_or(false);
    let changes: Vec<StatusChange> =
        db.bodies("SELECT body FROM status_changes WHERE job_id = ?1", &[&job.id])?;
    let completed_at = changes
        .iter()
        .filter(|c| c.to_status == JobStatus::Completed)
        .map(|c| c.at)
        .max()
        .unwrap_or(job.updated_at);
    let mut codes = kb::fault_codes_in(&job.reported_problem);
    for code in kb::fault_codes_in(job.diagnosis.as_deref().unwrap_or_default()) {
        if !codes.iter().any(|c| kb::fault_code_key(c) == kb::fault_code_key(&code)) {
            codes.push(code);
        }
    }
    Ok(PastFix {
        // Set by the caller: the fix's own id.
        id: String::new(),
        category: equipment.as_ref().map(|e| e.category),
        brand: equipment.as_ref().map(|e| e.brand.clone()),
        model: equipment.as_ref().map(|e| e.model.clone()),
        fault_codes: codes,
        problem: clean(&job.reported_problem),
        diagnosis: job.diagnosis.as_deref().map(clean),
        resolution: clean(resolution),
        parts: parts
            .into_iter()
            .map(|p| PastFixPart {
                part_no: p.part_no,
                description: p.description,
                quantity: p.quantity,
            })
            .collect(),
        first_time_fix,
        completed_on: completed_at.date_naive(),
    })
}
