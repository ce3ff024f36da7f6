//! Committee review: each committee whose datasets an application names reviews its part.
//! Members vote; the committee's decision rule and quorum turn the votes into the part's
//! outcome; the parts' outcomes make the application's decision.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::matching::{DatasetMatch, MatchOutcome};
use crate::catalogue::text::LongText;
use crate::code_enum;
use crate::codes;
use crate::committee::{Committee, DecisionRule, MemberRole};
use crate::ids::{CommitteeId, DatasetId, PublisherId};
use crate::values::{Name, Subject};
use crate::{DomainError, ValueError};

code_enum!(
    /// A member's vote on a part.
    VoteChoice, codes::UNKNOWN_VOTE {
        Approve = "approve",
        Refuse = "refuse",
        Abstain = "abstain",
    }
);

code_enum!(
    /// A committee's decision on its part.
    PartOutcome, codes::UNKNOWN_OUTCOME {
        Approve = "approve",
        Refuse = "refuse",
    }
);

code_enum!(
    /// Who may read a comment.
    CommentVisibility, codes::UNKNOWN_VISIBILITY {
        /// The committee (and admins) only.
        Internal = "internal",
        /// The applicant too.
        Public = "public",
    }
);

/// A dataset under review, with the publisher that holds it and its data-use match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewedDataset {
    pub dataset_id: DatasetId,
    pub publisher_id: PublisherId,
    #[serde(rename = "match")]
    pub data_use: DatasetMatch,
}

/// A member's current vote, and the votes it replaced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vote {
    pub member: Subject,
    pub choice: VoteChoice,
    pub reason: LongText,
    pub cast_at: DateTime<Utc>,
    /// Earlier votes of the member, oldest first.
    pub replaced: Vec<CastVote>,
}

/// A vote as it was once cast.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CastVote {
    pub choice: VoteChoice,
    pub reason: LongText,
    pub cast_at: DateTime<Utc>,
}

/// A member who may not vote on this application, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    pub member: Subject,
    pub reason: LongText,
    pub declared_at: DateTime<Utc>,
}

/// Approving a dataset whose data-use match is `deny`, with the committee's written reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Override {
    pub dataset_id: DatasetId,
    pub justification: LongText,
}

/// A committee's estimate of the fee for the data it approves (EHDS Art 62), given with its
/// decision, so before the permit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeEstimate {
    /// In the currency's minor unit (cents).
    pub amount_minor: u64,
    /// The ISO 4217 code, e.g. `EUR`.
    pub currency: String,
}

/// A committee's decision on its part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartDecision {
    pub outcome: PartOutcome,
    pub reasons: LongText,
    pub overrides: Vec<Override>,
    /// Decisions recorded before fee estimates existed have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fee_estimate: Option<FeeEstimate>,
    pub decided_by: Subject,
    pub decided_at: DateTime<Utc>,
    /// The votes when it was decided.
    pub tally: Tally,
}

/// What one committee reviews.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewPart {
    pub committee_id: CommitteeId,
    pub datasets: Vec<ReviewedDataset>,
    pub votes: Vec<Vote>,
    pub conflicts: Vec<Conflict>,
    pub decision: Option<PartDecision>,
}

/// Votes counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub approve: u32,
    pub refuse: u32,
    pub abstain: u32,
}

impl Tally {
    pub fn of(votes: &[Vote]) -> Self {
        let mut tally = Self::default();
        for vote in votes {
            match vote.choice {
                VoteChoice::Approve => tally.approve += 1,
                VoteChoice::Refuse => tally.refuse += 1,
                VoteChoice::Abstain => tally.abstain += 1,
            }
        }
        tally
    }

    pub fn cast(&self) -> u32 {
        self.approve + self.refuse + self.abstain
    }
}

impl ReviewPart {
    pub fn vote_of(&self, member: &Subject) -> Option<&Vote> {
        self.votes.iter().find(|v| &v.member == member)
    }

    pub fn dataset_ids(&self) -> impl Iterator<Item = DatasetId> + '_ {
        self.datasets.iter().map(|d| d.dataset_id)
    }

    /// The datasets whose data-use match is `deny`: approving them needs an override each.
    pub fn denied_datasets(&self) -> Vec<DatasetId> {
        self.datasets
            .iter()
            .filter(|d| d.data_use.outcome == MatchOutcome::Deny)
            .map(|d| d.dataset_id)
            .collect()
    }
}

/// Why `member` may not vote on the part of `committee`, if they may not: they do not sit on
/// it, they declared a conflict, or their seat's organisation is the applicant's.
pub fn voting_bar(
    committee: &Committee,
    part: &ReviewPart,
    member: &Subject,
    applicant_organisation: Option<&Name>,
) -> Option<(&'static str, String)> {
    let Some(seat) = committee
        .details
        .members()
        .iter()
        .find(|m| &m.subject == member)
    else {
        return Some((
            codes::NOT_A_MEMBER,
            "only members of the committee vote on its part".to_owned(),
        ));
    };
    if let Some(conflict) = part.conflicts.iter().find(|c| &c.member == member) {
        return Some((
            codes::CONFLICT_OF_INTEREST,
            format!(
                "you declared a conflict of interest on this application: {}",
                conflict.reason.as_str()
            ),
        ));
    }
    let same_organisation = match (&seat.organisation, applicant_organisation) {
        (Some(own), Some(applicant)) => own.comparison_key() == applicant.comparison_key(),
        _ => false,
    };
    if same_organisation {
        return Some((
            codes::CONFLICT_OF_INTEREST,
            "your seat's organisation is the applicant organisation".to_owned(),
        ));
    }
    None
}

/// Whether `member` may record the part's decision: the chair where the chair decides, any
/// member otherwise (the votes decide; the member records it).
pub fn may_record_decision(committee: &Committee, member: &Subject) -> bool {
    committee.details.members().iter().any(|m| {
        &m.subject == member
            && (committee.details.decision_rule() != DecisionRule::ChairDecides
                || m.role == MemberRole::Chair)
    })
}

/// The outcome the committee's rule gives `tally`, or why no decision can be taken yet.
/// `chosen` is the outcome the decider records; under `majority` and `unanimous` it must be
/// the votes' outcome.
pub fn decide_by_rule(
    rule: DecisionRule,
    quorum: u32,
    tally: Tally,
    chosen: PartOutcome,
) -> Result<PartOutcome, DomainError> {
    if tally.cast() < quorum {
        return Err(DomainError::StateConflict {
            code: codes::QUORUM_NOT_REACHED,
            message: format!(
                "{} of the quorum of {quorum} have voted; the part cannot be decided yet",
                tally.cast()
            ),
        });
    }
    let by_votes = match rule {
        DecisionRule::ChairDecides => return Ok(chosen),
        // More than half of the votes cast approve.
        DecisionRule::Majority if tally.approve * 2 > tally.cast() => PartOutcome::Approve,
        DecisionRule::Majority => PartOutcome::Refuse,
        // No vote against, and at least one for; abstentions do not break unanimity.
        DecisionRule::Unanimous if tally.refuse == 0 && tally.approve > 0 => PartOutcome::Approve,
        DecisionRule::Unanimous => PartOutcome::Refuse,
    };
    if by_votes != chosen {
        return Err(DomainError::StateConflict {
            code: codes::DECISION_CONTRADICTS_VOTES,
            message: format!(
                "under the `{rule}` rule the votes ({} approve, {} refuse, {} abstain) give `{by_votes}`, not `{chosen}`",
                tally.approve, tally.refuse, tally.abstain
            ),
        });
    }
    Ok(by_votes)
}

/// Every dataset denied by its data-use match that an approval covers needs an override with
/// a justification.
pub fn overrides_cover_denials(
    part: &ReviewPart,
    outcome: PartOutcome,
    overrides: &[Override],
) -> Result<(), ValueError> {
    if outcome != PartOutcome::Approve {
        return Ok(());
    }
    let missing: Vec<String> = part
        .denied_datasets()
        .into_iter()
        .filter(|id| !overrides.iter().any(|o| o.dataset_id == *id))
        .map(|id| id.to_string())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(ValueError::new(
        codes::OVERRIDE_REQUIRED,
        format!(
            "the data-use match denies dataset(s) {}; approving needs an override with a justification for each",
            missing.join(", ")
        ),
    ))
}
