//! What can happen to an application, as the event log records it. Each change carries every
//! fact it adds, so replaying an application's changes rebuilds it exactly
//! ([`super::Application::replay`]).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::deadlines::{Alert, Stage, Track};
use super::form::ApplicationForm;
use super::lifecycle::ApplicationStatus;
use super::review::{Conflict, PartDecision, ReviewPart, Vote};
use super::{Comment, Exchange};
use crate::catalogue::text::LongText;
use crate::event::EventKind;
use crate::ids::{ApplicationId, CommitteeId, DatasetId};
use crate::values::Subject;

/// One change of one application, at one time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationEvent {
    pub application_id: ApplicationId,
    pub at: DateTime<Utc>,
    #[serde(flatten)]
    pub change: ApplicationChange,
}

/// The final decision on an application, with its reasons (every decision is reasoned,
/// Art 68).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub status: ApplicationStatus,
    pub reasons: String,
    /// The datasets approved: those of the approved parts.
    pub approved_datasets: Vec<DatasetId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum ApplicationChange {
    Created {
        applicant: Subject,
        form: ApplicationForm,
    },
    Replaced {
        form: ApplicationForm,
    },
    /// Received: the parts to review and the data-use matches are fixed now.
    Submitted {
        parts: Vec<ReviewPart>,
        track: Track,
    },
    /// Declared complete: the review and its 3-month clock begin.
    Accepted,
    Returned {
        exchange: Exchange,
    },
    /// The applicant answered; the parts are matched again against the form as it is now,
    /// keeping votes and conflicts of the committees that still review a part.
    Resubmitted {
        answer: LongText,
        parts: Vec<ReviewPart>,
    },
    Withdrawn {
        reason: Option<LongText>,
    },
    CommentAdded {
        comment: Comment,
    },
    ConflictDeclared {
        committee_id: CommitteeId,
        conflict: Conflict,
    },
    VoteCast {
        committee_id: CommitteeId,
        vote: Vote,
    },
    PartDecided {
        committee_id: CommitteeId,
        decision: PartDecision,
    },
    Decided {
        decision: Decision,
    },
    Extended {
        reason: LongText,
    },
    DeadlineAlert {
        stage: Stage,
        alert: Alert,
        due_at: DateTime<Utc>,
    },
}

impl ApplicationChange {
    pub fn kind(&self) -> EventKind {
        match self {
            Self::Created { .. } => EventKind::ApplicationCreated,
            Self::Replaced { .. } => EventKind::ApplicationUpdated,
            Self::Submitted { .. } => EventKind::ApplicationSubmitted,
            Self::Accepted => EventKind::ApplicationAccepted,
            Self::Returned { .. } => EventKind::ApplicationReturned,
            Self::Resubmitted { .. } => EventKind::ApplicationResubmitted,
            Self::Withdrawn { .. } => EventKind::ApplicationWithdrawn,
            Self::CommentAdded { .. } => EventKind::ApplicationCommented,
            Self::ConflictDeclared { .. } => EventKind::ApplicationConflictDeclared,
            Self::VoteCast { .. } => EventKind::ApplicationVoteCast,
            Self::PartDecided { .. } => EventKind::ApplicationPartDecided,
            Self::Decided { decision } => match decision.status {
                ApplicationStatus::Approved => EventKind::ApplicationApproved,
                ApplicationStatus::PartiallyApproved => EventKind::ApplicationPartiallyApproved,
                _ => EventKind::ApplicationRefused,
            },
            Self::Extended { .. } => EventKind::ApplicationExtended,
            Self::DeadlineAlert { alert, .. } => match alert {
                Alert::Approaching => EventKind::ApplicationDeadlineApproaching,
                Alert::Overdue => EventKind::ApplicationOverdue,
            },
        }
    }
}
