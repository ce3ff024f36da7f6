//! What a party may ask of an application, with what the use case loaded for the domain to
//! decide it.

use chrono::{DateTime, Utc};

use super::form::ApplicationForm;
use super::lifecycle::Action;
use super::review::{CommentVisibility, FeeEstimate, Override, PartOutcome, VoteChoice};
use super::rules::{DatasetFacts, SubmissionPolicy};
use crate::auth::Principal;
use crate::catalogue::text::LongText;
use crate::committee::Committee;
use crate::ids::CommitteeId;
use crate::version::Precondition;

/// Who asks, and when.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub principal: &'a Principal,
    pub now: DateTime<Utc>,
}

/// What a party asks of an application, with what the use case loaded for it.
#[derive(Debug, Clone)]
pub enum Command {
    Replace {
        form: Box<ApplicationForm>,
        precondition: Precondition,
    },
    Submit {
        datasets: Vec<DatasetFacts>,
        policy: SubmissionPolicy,
    },
    Withdraw {
        reason: Option<LongText>,
    },
    Accept,
    Return {
        questions: LongText,
    },
    Resubmit {
        answer: LongText,
        datasets: Vec<DatasetFacts>,
        policy: SubmissionPolicy,
    },
    Comment {
        committee_id: Option<CommitteeId>,
        visibility: CommentVisibility,
        text: LongText,
    },
    DeclareConflict {
        committee_id: CommitteeId,
        reason: LongText,
    },
    Vote {
        committee: Committee,
        choice: VoteChoice,
        reason: LongText,
        /// Replaces the member's earlier vote; without it, a second vote is refused.
        change: bool,
    },
    DecidePart {
        committee: Committee,
        outcome: PartOutcome,
        reasons: LongText,
        overrides: Vec<Override>,
        fee_estimate: Option<FeeEstimate>,
    },
    Extend {
        reason: LongText,
    },
}

impl Command {
    pub fn action(&self) -> Action {
        match self {
            Self::Replace { .. } => Action::Replace,
            Self::Submit { .. } => Action::Submit,
            Self::Withdraw { .. } => Action::Withdraw,
            Self::Accept => Action::Accept,
            Self::Return { .. } => Action::Return,
            Self::Resubmit { .. } => Action::Resubmit,
            Self::Comment { .. } => Action::Comment,
            Self::DeclareConflict { .. } => Action::DeclareConflict,
            Self::Vote { .. } => Action::Vote,
            Self::DecidePart { .. } => Action::DecidePart,
            Self::Extend { .. } => Action::Extend,
        }
    }
}
