//! What the technician gives back to the knowledge base, on the laptop: an article marked as
//! used on a job ("this fixed it" / "did not help"), and a completed job's fix shared for review.
//! Both are recorded offline like any other fact of the job and pushed as mutations; head office
//! sends back the marks of the job and, to the technician who shared it, what became of a fix.
//! The rules (when, what is valid, sharing once) are `fieldwork_domain::kb_field`'s.

use rusqlite::{OptionalExtension, Transaction, params};

use super::Store;
use super::outbox::Mutation;
use super::queries;
use super::sqltime::Ms;
use crate::error::{CoreError, Result};
use crate::kb::Language;
use crate::kb_field::{
    ArticleOutcome, ArticleUse, FixProposal, ProposalReview, ProposalStatus, check_share,
};
use crate::lifecycle::Fact;

/// A fix to share, as the technician writes it (the job's diagnosis and resolution offered as
/// a start).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[ts(export, rename = "ShareFixInput")]
pub struct ShareFix {
    pub language: Language,
    pub title: String,
    pub diagnosis: String,
    pub resolution: String,
    pub comment: Option<String>,
    /// Ids of the job's photos to include.
    pub photo_ids: Vec<String>,
}

impl Store {
    /// Marks article `article_id` (one this laptop holds) as used on `job`, with what it did;
    /// a later mark of the same article on the job replaces it.
    pub fn mark_article(
        &mut self,
        job: &str,
        article_id: &str,
        outcome: ArticleOutcome,
    ) -> Result<ArticleUse> {
        self.change_job(job, Some(Fact::ArticleUse), |c, stored| {
            let version: i64 = c
                .tx
                .query_row("SELECT version FROM kb_articles WHERE id = ?1", [article_id], |r| {
                    r.get(0)
                })
                .optional()?
                .ok_or_else(|| CoreError::not_found("article", article_id))?;
            let usage = ArticleUse {
                job_id: stored.order.id.clone(),
                article_id: article_id.to_owned(),
                article_version: version,
                outcome,
                at: c.now,
            };
            put_use(c.tx, stored.seq, &usage)?;
            c.emit(Mutation::ArticleUsed { usage: usage.clone() });
            Ok(usage)
        })
    }

    /// The articles marked as used on `job`, latest mark first.
    pub fn article_uses(&self, job: &str) -> Result<Vec<ArticleUse>> {
        let stored = queries::find_job(self.conn(), job)?;
        let mut stmt = self.conn().prepare_cached(
            "SELECT article_id, article_version, outcome, at FROM kb_article_uses
             WHERE job_seq = ?1 ORDER BY at DESC, article_id",
        )?;
        let rows = stmt.query_map([stored.seq], |r| {
            Ok((r.get::<_, String>(0)?, r.get(1)?, r.get::<_, String>(2)?, r.get::<_, Ms>(3)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (article_id, article_version, outcome, at) = row?;
            out.push(ArticleUse {
                job_id: stored.order.id.clone(),
                article_id,
                article_version,
                outcome: outcome.parse()?,
                at: at.0,
            });
        }
        Ok(out)
    }

    /// Shares `job`'s fix as a case for the knowledge base: once the job is completed, once
    /// (again only after a decline), with photos of the job that are not withdrawn.
    pub fn share_fix(&mut self, job: &str, input: ShareFix) -> Result<ProposalReview> {
        self.change_job(job, Some(Fact::FixShare), |c, stored| {
            let earlier = statuses(c.tx, &stored.order.id)?;
            check_share(&earlier)?;
            for photo in &input.photo_ids {
                let live: bool = c.tx.query_row(
                    "SELECT EXISTS (SELECT 1 FROM photos WHERE id = ?1 AND job_seq = ?2
                        AND id NOT IN (SELECT photo_id FROM photo_deletions WHERE job_seq = ?2))",
                    params![photo, stored.seq],
                    |r| r.get(0),
                )?;
                if !live {
                    return Err(CoreError::not_found("photo", photo));
                }
            }
            let proposal = FixProposal {
                id: crate::ids::new_id(),
                job_id: stored.order.id.clone(),
                language: input.language,
                title: input.title,
                diagnosis: input.diagnosis,
                resolution: input.resolution,
                comment: input.comment,
                photo_ids: input.photo_ids,
                at: c.now,
            }
            .normalised()?;
            let review = ProposalReview {
                proposal,
                status: ProposalStatus::Pending,
                article_id: None,
                reason: None,
                reviewer: None,
                reviewed_at: None,
            };
            put_proposal(c.tx, &review)?;
            c.emit(Mutation::FixShared { proposal: review.proposal.clone() });
            Ok(review)
        })
    }

    /// The fixes shared from `job` (by id, even when the job is no longer on this laptop), the
    /// latest first, with their review.
    pub fn shared_fixes(&self, job_id: &str) -> Result<Vec<ProposalReview>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT body FROM kb_proposals WHERE job_id = ?1 ORDER BY created_at DESC, id",
        )?;
        let bodies = stmt.query_map([job_id], |r| r.get::<_, String>(0))?;
        bodies.map(|b| Ok(serde_json::from_str(&b?)?)).collect()
    }
}

fn statuses(tx: &Transaction<'_>, job_id: &str) -> Result<Vec<ProposalStatus>> {
    let mut stmt = tx.prepare_cached("SELECT status FROM kb_proposals WHERE job_id = ?1")?;
    let rows = stmt.query_map([job_id], |r| r.get::<_, String>(0))?;
    rows.map(|s| Ok(s?.parse()?)).collect()
}

/// Keeps `usage` unless a later mark of the article on the job is held.
pub(super) fn put_use(tx: &Transaction<'_>, job_seq: i64, usage: &ArticleUse) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO kb_article_uses (job_seq, article_id, article_version, outcome, at)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (job_seq, article_id) DO UPDATE SET article_version = excluded.article_version,
             outcome = excluded.outcome, at = excluded.at
         WHERE excluded.at >= kb_article_uses.at",
    )?
    .execute(params![
        job_seq,
        usage.article_id,
        usage.article_version,
        usage.outcome.as_str(),
        Ms(usage.at)
    ])?;
    Ok(())
}

/// Writes a shared fix with its review as it stands (head office's word replaces the laptop's).
pub(super) fn put_proposal(tx: &Transaction<'_>, review: &ProposalReview) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO kb_proposals (id, job_id, status, created_at, body) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (id) DO UPDATE SET status = excluded.status, body = excluded.body",
    )?
    .execute(params![
        review.proposal.id,
        review.proposal.job_id,
        review.status.as_str(),
        Ms(review.proposal.at),
        serde_json::to_string(review)?
    ])?;
    Ok(())
}
