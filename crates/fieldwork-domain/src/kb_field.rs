//! What the field gives back to the knowledge base: a technician marks an article as used on a
//! job ([`ArticleUse`]: it fixed it, or it did not help), and shares a completed job's diagnosis
//! and resolution as a case for the base ([`FixProposal`]) that a supervisor reviews
//! ([`ProposalStatus`], [`ProposalReview`]).
//!
//! The device records both as mutations of the job; head office counts the uses per article and
//! keeps the proposals in a review queue. The rules on them (when a job may carry them, what a
//! valid one is) are here, once.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::{JobStatus, word_enum};
use crate::error::{Result, RuleError};
use crate::kb::{LINE_MAX_CHARS, Language, TITLE_MAX_CHARS};

word_enum! {
    /// What following an article did for a job.
    pub enum ArticleOutcome ("article outcome") {
        /// "This fixed it."
        Fixed = "fixed",
        /// "Did not help."
        DidNotHelp = "did_not_help",
    }
}

/// A technician's mark that they followed an article on a job. One per job and article: a later
/// mark (by its time) replaces an earlier one, so a technician may change their mind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct ArticleUse {
    pub job_id: String,
    pub article_id: String,
    /// The version the technician read.
    pub article_version: i64,
    pub outcome: ArticleOutcome,
    pub at: DateTime<Utc>,
}

/// The job statuses on which an article may be marked as used: from arrival until completion
/// (the technician reads it on site and may mark it right after completing).
pub const ARTICLE_USE_STATUSES: &[JobStatus] =
    &[JobStatus::OnSite, JobStatus::InProgress, JobStatus::OnHold, JobStatus::Completed];

/// The job statuses from which a fix may be shared: done work only.
pub const FIX_SHARE_STATUSES: &[JobStatus] = &[JobStatus::Completed, JobStatus::Closed];

/// Most photos a shared fix may carry.
pub const PROPOSAL_MAX_PHOTOS: usize = 10;

/// Longest reason a supervisor gives when declining a proposal.
pub const DECLINE_REASON_MAX_CHARS: usize = 1_000;

/// A completed job's fix, shared by its technician as a case for the knowledge base. The job's
/// equipment and fault codes are head office's to read from the job; the technician says what
/// to call it, what they found and did, and which of the job's photos show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct FixProposal {
    pub id: String,
    pub job_id: String,
    /// The language the technician wrote it in.
    pub language: Language,
    pub title: String,
    /// What was found (the job's diagnosis, as the technician words it for others).
    pub diagnosis: String,
    /// What fixed it, in order, one step per line.
    pub resolution: String,
    /// Anything else the next technician should know (optional).
    #[serde(default)]
    pub comment: Option<String>,
    /// Ids of the job's photos that show it.
    #[serde(default)]
    pub photo_ids: Vec<String>,
    pub at: DateTime<Utc>,
}

impl FixProposal {
    /// The proposal as it is recorded: texts trimmed; refused when the title, the diagnosis or
    /// the resolution is empty, a photo is named twice, or anything is over its limit.
    pub fn normalised(mut self) -> Result<FixProposal> {
        self.title = self.title.trim().to_owned();
        self.diagnosis = self.diagnosis.trim().to_owned();
        self.resolution = self.resolution.trim().to_owned();
        self.comment = self.comment.map(|c| c.trim().to_owned()).filter(|c| !c.is_empty());
        for (field, value, limit) in [
            ("title", &self.title, TITLE_MAX_CHARS),
            ("diagnosis", &self.diagnosis, crate::limits::JOB_TEXT_MAX_CHARS),
            ("resolution", &self.resolution, crate::limits::JOB_TEXT_MAX_CHARS),
        ] {
            if value.is_empty() {
                return Err(RuleError::invalid(field, "is required to share a fix"));
            }
            let n = value.chars().count();
            if n > limit {
                return Err(RuleError::TooLong { field, actual: n, limit });
            }
        }
        if let Some(c) = &self.comment {
            let n = c.chars().count();
            if n > LINE_MAX_CHARS {
                return Err(RuleError::TooLong {
                    field: "comment",
                    actual: n,
                    limit: LINE_MAX_CHARS,
                });
            }
        }
        if self.photo_ids.len() > PROPOSAL_MAX_PHOTOS {
            return Err(RuleError::invalid(
                "photos",
                format!("at most {PROPOSAL_MAX_PHOTOS} photos, not {}", self.photo_ids.len()),
            ));
        }
        let mut seen = std::collections::HashSet::new();
        if let Some(twice) = self.photo_ids.iter().find(|p| !seen.insert(p.as_str())) {
            return Err(RuleError::invalid("photos", format!("photo {twice} is named twice")));
        }
        Ok(self)
    }
}

word_enum! {
    /// Where a shared fix stands in head office's review.
    pub enum ProposalStatus ("proposal status") {
        /// Waiting for a supervisor.
        Pending = "pending",
        /// Written up as a new article (a draft until it is published).
        Accepted = "accepted",
        /// Added to an existing article (as its next version).
        Merged = "merged",
        /// Not taken; the reason goes back to the technician.
        Declined = "declined",
    }
}

/// A shared fix with its review, as head office keeps it and as it goes back to the laptop of
/// the technician who shared it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct ProposalReview {
    pub proposal: FixProposal,
    pub status: ProposalStatus,
    /// The article it became or was merged into.
    pub article_id: Option<String>,
    /// Why it was declined.
    pub reason: Option<String>,
    /// Who decided, and when.
    pub reviewer: Option<String>,
    pub reviewed_at: Option<DateTime<Utc>>,
}

/// A supervisor's decline reason, trimmed; refused when empty or too long.
pub fn decline_reason(reason: &str) -> Result<String> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(RuleError::invalid("reason", "say why the fix is declined"));
    }
    let n = reason.chars().count();
    if n > DECLINE_REASON_MAX_CHARS {
        return Err(RuleError::TooLong {
            field: "reason",
            actual: n,
            limit: DECLINE_REASON_MAX_CHARS,
        });
    }
    Ok(reason.to_owned())
}

/// Whether a job's fix may be shared (again), given the statuses of the fixes already shared
/// from it: once, unless every earlier one was declined.
pub fn check_share(earlier: &[ProposalStatus]) -> Result<()> {
    match earlier.iter().find(|s| **s != ProposalStatus::Declined) {
        None => Ok(()),
        Some(ProposalStatus::Pending) => Err(RuleError::Forbidden(
            "this job's fix is already shared and waits for review".into(),
        )),
        Some(_) => {
            Err(RuleError::Forbidden("this job's fix is already in the knowledge base".into()))
        }
    }
}

impl ProposalStatus {
    /// Whether a supervisor may still decide it: only a pending proposal, and only once.
    pub fn is_open(self) -> bool {
        self == ProposalStatus::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proposal() -> FixProposal {
        FixProposal {
            id: "fp-1".into(),
            job_id: "j-1".into(),
            language: Language::English,
            title: "  E4 on Midea front loaders: blocked inlet filter ".into(),
            diagnosis: "Inlet filter screen full of limescale".into(),
            resolution: "Turn off the tap\nClean the filter\nRun a rinse".into(),
            comment: Some("   ".into()),
            photo_ids: vec!["p1".into(), "p2".into()],
            at: Utc::now(),
        }
    }

    #[test]
    fn a_proposal_is_trimmed_and_an_empty_comment_dropped() {
        let p = proposal().normalised().unwrap();
        assert_eq!(p.title, "E4 on Midea front loaders: blocked inlet filter");
        assert_eq!(p.comment, None);
    }

    #[test]
    fn a_proposal_needs_a_title_a_diagnosis_and_a_resolution() {
        for blank in 0..3 {
            let mut p = proposal();
            match blank {
                0 => p.title = " ".into(),
                1 => p.diagnosis = String::new(),
                _ => p.resolution = "\n".into(),
            }
            assert!(p.normalised().is_err(), "field {blank} blank");
        }
    }

    #[test]
    fn a_proposal_names_each_photo_once_and_not_too_many() {
        let mut p = proposal();
        p.photo_ids = vec!["p1".into(), "p1".into()];
        assert!(p.normalised().unwrap_err().to_string().contains("twice"));
        let mut p = proposal();
        p.photo_ids = (0..=PROPOSAL_MAX_PHOTOS).map(|i| format!("p{i}")).collect();
        assert!(p.normalised().is_err());
    }

    #[test]
    fn a_fix_is_shared_once_unless_declined() {
        use ProposalStatus::*;
        assert!(check_share(&[]).is_ok());
        assert!(check_share(&[Declined, Declined]).is_ok());
        assert!(check_share(&[Declined, Pending]).unwrap_err().to_string().contains("waits"));
        assert!(check_share(&[Merged]).unwrap_err().to_string().contains("already in"));
        assert!(check_share(&[Accepted]).is_err());
    }

    #[test]
    fn a_decline_needs_a_reason_and_only_a_pending_proposal_is_decided() {
        assert!(decline_reason("  ").is_err());
        assert_eq!(decline_reason(" already in KB-12 ").unwrap(), "already in KB-12");
        assert!(decline_reason(&"x".repeat(DECLINE_REASON_MAX_CHARS + 1)).is_err());
        assert!(ProposalStatus::Pending.is_open());
        for s in [ProposalStatus::Accepted, ProposalStatus::Merged, ProposalStatus::Declined] {
            assert!(!s.is_open());
        }
    }
}
