//! What the field gives back to the knowledge base, at head office: articles marked as used on
//! jobs (counted per article, and the KPI page's first-time-fix rate with and without one), and
//! fixes shared from completed jobs, kept in a review queue until a supervisor takes one into an
//! article or declines it. The rules on both are `fieldwork_domain::kb_field`.
//!
//! A mark goes back into the change feed as the job's `article_use` (every laptop holding the
//! job sees it); a shared fix as `kb_proposal`, scoped to the technician who shared it, so only
//! their laptops learn what became of it.

use fieldwork_domain::ErrorCode;
use fieldwork_domain::domain::{PhotoRef, WorkOrder};
use fieldwork_domain::kb;
use fieldwork_domain::kb_field::{
    ArticleUse, FixProposal, ProposalReview, ProposalStatus, check_share, decline_reason,
};
use fieldwork_wire::merge::Rejection;
use fieldwork_wire::wire::Outcome;

use super::jobs::load_job;
use super::{Writer, from_ms, ms};
use crate::db::{Db, Row};
use crate::error::{Error, Result};
use crate::store::{
    ArticleAdmin, ArticleUses, DeviceCaller, Dispatcher, Page, ProposalAccept, ProposalDetail,
    ProposalEquipment, ProposalListItem, ProposalQuery,
};

type Applied = std::result::Result<Outcome, Rejection>;

// --- articles used ------------------------------------------------------------------------------

/// A technician's mark that an article fixed the fault on `job`, or did not help: the latest
/// mark per job and article (by its time) is kept.
pub(super) fn use_article(
    w: &mut Writer<'_>,
    device: &DeviceCaller,
    job: &WorkOrder,
    usage: &ArticleUse,
) -> Result<Applied> {
    if !w.db.exists("SELECT 1 FROM kb_articles WHERE id = ?1", &[&usage.article_id])? {
        return Ok(Err(Rejection::new(
            ErrorCode::NotFound,
            format!("there is no article {}", usage.article_id),
        )));
    }
    let id = format!("{}/{}", job.id, usage.article_id);
    let stored: Option<i64> = w.db.value("SELECT at FROM kb_article_uses WHERE id = ?1", &[&id])?;
    // An older mark arriving late (another laptop's, or a retry) changes nothing.
    if stored.is_some_and(|at| at > ms(usage.at)) {
        return Ok(Ok(Outcome::Applied));
    }
    w.db.execute(
        "INSERT INTO kb_article_uses (id, job_id, article_id, technician_id, outcome, at, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (id) DO UPDATE SET technician_id = excluded.technician_id,
             outcome = excluded.outcome, at = excluded.at, body = excluded.body",
        &[
            &id,
            &job.id,
            &usage.article_id,
            &device.technician_id,
            &usage.outcome.as_str(),
            &ms(usage.at),
            &serde_json::to_string(usage)?,
        ],
    )?;
    w.feed("article_use", &id, Some(&job.id), None)?;
    Ok(Ok(Outcome::Applied))
}

fn uses_row(r: &Row) -> Result<ArticleUses> {
    Ok(ArticleUses { used: r.get(1)?, fixed: r.get(2)?, did_not_help: r.get(3)? })
}

const USES_SELECT: &str = "SELECT article_id, CAST(COUNT(*) AS BIGINT),
        CAST(COALESCE(SUM(CASE WHEN outcome = 'fixed' THEN 1 ELSE 0 END), 0) AS BIGINT),
        CAST(COALESCE(SUM(CASE WHEN outcome = 'did_not_help' THEN 1 ELSE 0 END), 0) AS BIGINT)
     FROM kb_article_uses";

/// How article `id` was marked on jobs.
pub(super) fn uses_of(db: &dyn Db, id: &str) -> Result<ArticleUses> {
    Ok(db
        .query_opt(
            &format!("{USES_SELECT} WHERE article_id = ?1 GROUP BY article_id"),
            &[&id],
            uses_row,
        )?
        .unwrap_or_default())
}

// --- shared fixes -------------------------------------------------------------------------------

/// A fix shared from a completed job: kept pending for review. The same proposal again (a
/// retried push) changes nothing; another proposal under its id is refused.
pub(super) fn share_fix(
    w: &mut Writer<'_>,
    device: &DeviceCaller,
    job: &WorkOrder,
    proposal: FixProposal,
) -> Result<Applied> {
    let proposal = match proposal.normalised() {
        Ok(p) => p,
        Err(e) => return Ok(Err(Rejection::new(e.code(), e.to_string()))),
    };
    if let Some(stored) =
        w.db.body::<ProposalReview>("SELECT body FROM kb_proposals WHERE id = ?1", &[&proposal.id])?
    {
        return Ok(if stored.proposal == proposal {
            Ok(Outcome::Applied)
        } else {
            Err(Rejection::new(
                ErrorCode::DuplicateId,
                format!("a different shared fix already has id {}", proposal.id),
            ))
        });
    }
    // Once per job, unless every earlier one was declined (the laptop's rule too).
    let earlier: Vec<String> =
        w.db.query_map("SELECT status FROM kb_proposals WHERE job_id = ?1", &[&job.id], |r| {
            r.get(0)
        })?;
    let earlier: Vec<ProposalStatus> = earlier.iter().filter_map(|s| s.parse().ok()).collect();
    if let Err(e) = check_share(&earlier) {
        return Ok(Err(Rejection::new(ErrorCode::NotRecordable, e.to_string())));
    }
    for photo in &proposal.photo_ids {
        let on_job = w.db.exists(
            "SELECT 1 FROM photos WHERE id = ?1 AND job_id = ?2",
            &[&photo.as_str(), &job.id],
        )?;
        if !on_job {
            return Ok(Err(Rejection::new(
                ErrorCode::NotFound,
                format!("job {} has no photo {photo}", job.number),
            )));
        }
    }
    let review = ProposalReview {
        proposal,
        status: ProposalStatus::Pending,
        article_id: None,
        reason: None,
        reviewer: None,
        reviewed_at: None,
    };
    w.db.execute(
        "INSERT INTO kb_proposals (id, job_id, technician_id, status, created_at, updated_at, body)
         VALUES (?1, ?2, ?3, 'pending', ?4, ?4, ?5)",
        &[
            &review.proposal.id,
            &job.id,
            &device.technician_id,
            &ms(w.now),
            &serde_json::to_string(&review)?,
        ],
    )?;
    w.feed("kb_proposal", &review.proposal.id, Some(&job.id), Some(&device.technician_id))?;
    Ok(Ok(Outcome::Applied))
}

/// The equipment and fault codes of a shared fix's job.
fn job_equipment(db: &dyn Db, job: &WorkOrder) -> Result<(Option<ProposalEquipment>, Vec<String>)> {
    let equipment = match &job.equipment_id {
        Some(id) => {
            let e = super::master::equipment(db, id)?;
            Some(ProposalEquipment { category: e.category, brand: e.brand, model: e.model })
        }
        None => None,
    };
    let mut codes = kb::fault_codes_in(&job.reported_problem);
    for code in kb::fault_codes_in(job.diagnosis.as_deref().unwrap_or_default()) {
        if !codes.iter().any(|c| kb::fault_code_key(c) == kb::fault_code_key(&code)) {
            codes.push(code);
        }
    }
    Ok((equipment, codes))
}

fn technician_name(db: &dyn Db, technician_id: &str) -> Result<String> {
    Ok(db
        .value("SELECT name FROM technicians WHERE id = ?1", &[&technician_id])?
        .unwrap_or_else(|| technician_id.to_owned()))
}

/// The review queue, oldest first (the longest waiting at the top); pending when no status is
/// asked for.
pub(super) fn proposals(db: &dyn Db, q: &ProposalQuery) -> Result<Vec<ProposalListItem>> {
    let page = Page::new(q.limit, q.offset);
    let status = q.status.unwrap_or(ProposalStatus::Pending);
    let rows: Vec<(String, String, i64)> = db.query_map(
        "SELECT body, technician_id, created_at FROM kb_proposals WHERE status = ?1
         ORDER BY created_at, id LIMIT ?2 OFFSET ?3",
        &[&status.as_str(), &(page.limit as i64), &(page.offset as i64)],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let mut out = Vec::with_capacity(rows.len());
    for (body, technician_id, created_at) in rows {
        let review: ProposalReview = serde_json::from_str(&body)?;
        let job = load_job(db, &review.proposal.job_id)?;
        let (equipment, fault_codes) = job_equipment(db, &job)?;
        let details = super::kb::personal_details(db, &job)?;
        out.push(ProposalListItem {
            id: review.proposal.id.clone(),
            status: review.status,
            title: super::kb::redacted(&review.proposal.title, &details),
            language: review.proposal.language,
            job_id: job.id.clone(),
            job_number: job.number.clone(),
            technician_name: technician_name(db, &technician_id)?,
            equipment,
            fault_codes,
            shared_at: from_ms(created_at),
        });
    }
    Ok(out)
}

/// One shared fix with what head office knows of its job, its texts cleared of the job's
/// personal details (a supervisor copies them into articles for every laptop).
pub(super) fn proposal(db: &dyn Db, id: &str) -> Result<ProposalDetail> {
    let (body, technician_id): (String, String) = db
        .query_opt("SELECT body, technician_id FROM kb_proposals WHERE id = ?1", &[&id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .ok_or(Error::NotFound)?;
    let mut review: ProposalReview = serde_json::from_str(&body)?;
    let job = load_job(db, &review.proposal.job_id)?;
    let (equipment, fault_codes) = job_equipment(db, &job)?;
    // What a supervisor may copy into an article for every laptop: without the customer's,
    // the site's or the job's personal details (as the team's past fixes).
    let details = super::kb::personal_details(db, &job)?;
    let clean = |text: &str| super::kb::redacted(text, &details);
    let p = &mut review.proposal;
    p.title = clean(&p.title);
    p.diagnosis = clean(&p.diagnosis);
    p.resolution = clean(&p.resolution);
    p.comment = p.comment.as_deref().map(clean);
    let mut photos = Vec::new();
    for photo_id in &review.proposal.photo_ids {
        if let Some(p) = db.body::<PhotoRef>(
            "SELECT body FROM photos WHERE id = ?1 AND job_id = ?2
               AND id NOT IN (SELECT photo_id FROM photo_deletions WHERE job_id = ?2)",
            &[photo_id, &job.id],
        )? {
            photos.push(p);
        }
    }
    Ok(ProposalDetail {
        technician_name: technician_name(db, &technician_id)?,
        job_number: job.number.clone(),
        reported_problem: clean(&job.reported_problem),
        equipment,
        fault_codes,
        photos,
        review,
    })
}

/// Records a decision on a pending proposal and sends it back to its technician's laptops.
fn decide(
    w: &mut Writer<'_>,
    by: &Dispatcher,
    id: &str,
    status: ProposalStatus,
    article_id: Option<String>,
    reason: Option<String>,
) -> Result<()> {
    let (body, technician_id, job_id): (String, String, String) =
        w.db.query_opt(
            "SELECT body, technician_id, job_id FROM kb_proposals WHERE id = ?1",
            &[&id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?
        .ok_or(Error::NotFound)?;
    let mut review: ProposalReview = serde_json::from_str(&body)?;
    if !review.status.is_open() {
        return Err(Error::rule(
            ErrorCode::AlreadyDecided,
            format!(
                "this fix was already {} by {}",
                review.status,
                review.reviewer.unwrap_or_default()
            ),
        ));
    }
    review.status = status;
    review.article_id = article_id;
    review.reason = reason;
    review.reviewer = Some(by.name.clone());
    review.reviewed_at = Some(w.now);
    w.db.execute(
        "UPDATE kb_proposals SET status = ?2, updated_at = ?3, body = ?4 WHERE id = ?1",
        &[&id, &status.as_str(), &ms(w.now), &serde_json::to_string(&review)?],
    )?;
    w.feed("kb_proposal", id, Some(&job_id), Some(&technician_id))
}

/// Declines a pending proposal with a reason for its technician.
pub(super) fn decline(
    w: &mut Writer<'_>,
    by: &Dispatcher,
    id: &str,
    reason: &str,
) -> Result<ProposalDetail> {
    let reason = decline_reason(reason).map_err(Error::from_rule)?;
    decide(w, by, id, ProposalStatus::Declined, None, Some(reason))?;
    proposal(w.db, id)
}

/// Takes a pending proposal into the base: a new article, or the next version of an existing
/// one; a draft either way, published as any other.
pub(super) fn accept(
    w: &mut Writer<'_>,
    by: &Dispatcher,
    id: &str,
    input: ProposalAccept,
) -> Result<ArticleAdmin> {
    // Refused before the article is written (the transaction would undo it, but say why first).
    let status: Option<String> =
        w.db.value("SELECT status FROM kb_proposals WHERE id = ?1", &[&id])?;
    match status {
        None => return Err(Error::NotFound),
        Some(s) if s != ProposalStatus::Pending.as_str() => {
            return Err(Error::rule(
                ErrorCode::AlreadyDecided,
                format!("this fix was already {s}"),
            ));
        }
        Some(_) => {}
    }
    let (article, status) = match (input.article_id, input.base_version) {
        (None, _) => (super::kb::create(w, by, input.content)?, ProposalStatus::Accepted),
        (Some(article_id), Some(base)) => {
            (super::kb::edit(w, by, &article_id, base, input.content)?, ProposalStatus::Merged)
        }
        (Some(_), None) => {
            return Err(Error::invalid("merging into an article needs the base_version edited"));
        }
    };
    decide(w, by, id, status, Some(article.article.id.clone()), None)?;
    Ok(article)
}

// --- the KPI -------------------------------------------------------------------------------------

/// The SQL condition (over `job_facts` as `f`) of a job on which an article was marked as used.
pub(super) const ARTICLE_USED: &str =
    "EXISTS (SELECT 1 FROM kb_article_uses u WHERE u.job_id = f.job_id)";
