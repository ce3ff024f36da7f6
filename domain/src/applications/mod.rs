//! Access applications (EHDS Art 67) and data requests (Art 69): what the applicant writes,
//! the rules at submission, data-use matching, committee review, deadlines, and the state
//! machine that ties them together.
//!
//! An application changes only by [`Application::decide`], which checks the command against
//! the [`lifecycle::ALLOWED`] table and the rules and returns the changes it makes, and
//! [`Application::apply`], which folds a change in. Replaying the log's changes through
//! `apply` gives the stored application back.

pub mod changes;
mod command;
pub mod deadlines;
mod decide;
pub mod form;
pub mod lifecycle;
pub mod matching;
pub mod register;
pub mod review;
pub mod rules;
mod submission;
mod visibility;
mod voting;

pub use changes::{ApplicationChange, ApplicationEvent, Decision};
pub use command::{Command, Context};
pub use lifecycle::{Action, ApplicationStatus, Party};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use self::deadlines::DeadlineClock;
use self::form::ApplicationForm;
use self::review::{CommentVisibility, ReviewPart};
use crate::auth::{Principal, Role};
use crate::catalogue::text::LongText;
use crate::ids::{ApplicationId, CommitteeId, PublisherId};
use crate::values::Subject;

/// A comment of a reviewer or an admin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    pub author: Subject,
    /// The committee the author wrote for; none for an admin.
    pub committee_id: Option<CommitteeId>,
    pub visibility: CommentVisibility,
    pub text: LongText,
    pub at: DateTime<Utc>,
}

/// Questions sent with a return, and the applicant's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exchange {
    pub questions: LongText,
    pub asked_by: Subject,
    pub asked_at: DateTime<Utc>,
    /// The status the application returns to when the applicant resubmits.
    pub returned_from: ApplicationStatus,
    pub answer: Option<LongText>,
    pub answered_at: Option<DateTime<Utc>>,
}

/// An application as it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Application {
    pub id: ApplicationId,
    pub applicant: Subject,
    pub form: ApplicationForm,
    pub status: ApplicationStatus,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// When the HDAB received it (first submission).
    pub submitted_at: Option<DateTime<Utc>>,
    pub parts: Vec<ReviewPart>,
    pub comments: Vec<Comment>,
    pub exchanges: Vec<Exchange>,
    pub clock: Option<DeadlineClock>,
    pub decision: Option<Decision>,
    pub decided_at: Option<DateTime<Utc>>,
}

/// How much of an application a caller may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Visibility {
    /// Admins: everything.
    Everything,
    /// The applicant: their form, decisions, public comments; no votes, no internal comments.
    Applicant,
    /// Members of these committees: everything but other committees' votes and internal
    /// comments.
    Committees(Vec<CommitteeId>),
    /// Data holders of these publishers: the parts holding their datasets, read-only.
    DataHolder(Vec<PublisherId>),
}

impl Application {
    /// A new draft and its change.
    pub fn create(
        id: ApplicationId,
        applicant: Subject,
        form: ApplicationForm,
        now: DateTime<Utc>,
    ) -> (Self, ApplicationEvent) {
        let application = Self::draft(id, applicant.clone(), form.clone(), now);
        let event = ApplicationEvent {
            application_id: id,
            at: now,
            change: ApplicationChange::Created { applicant, form },
        };
        (application, event)
    }

    /// Rebuilds an application from its changes, oldest first; `None` without a creation.
    pub fn replay(events: &[ApplicationEvent]) -> Option<Self> {
        let (first, rest) = events.split_first()?;
        let ApplicationChange::Created { applicant, form } = &first.change else {
            return None;
        };
        let created = Self::draft(
            first.application_id,
            applicant.clone(),
            form.clone(),
            first.at,
        );
        Some(
            rest.iter()
                .fold(created, |application, event| application.apply(event)),
        )
    }

    fn draft(
        id: ApplicationId,
        applicant: Subject,
        form: ApplicationForm,
        at: DateTime<Utc>,
    ) -> Self {
        Self {
            id,
            applicant,
            form,
            status: ApplicationStatus::Draft,
            version: 1,
            created_at: at,
            updated_at: at,
            submitted_at: None,
            parts: Vec::new(),
            comments: Vec::new(),
            exchanges: Vec::new(),
            clock: None,
            decision: None,
            decided_at: None,
        }
    }

    /// The application after `event`. Pure bookkeeping: every rule was checked by `decide`.
    pub fn apply(mut self, event: &ApplicationEvent) -> Self {
        let at = event.at;
        self.version += 1;
        self.updated_at = at;
        match &event.change {
            ApplicationChange::Created { .. } => {}
            ApplicationChange::Replaced { form } => self.form = form.clone(),
            ApplicationChange::Submitted { parts, track } => {
                self.status = ApplicationStatus::Submitted;
                self.submitted_at = Some(self.submitted_at.unwrap_or(at));
                self.parts = parts.clone();
                self.clock = Some(DeadlineClock::start(*track, at));
            }
            ApplicationChange::Accepted => {
                self.status = ApplicationStatus::UnderReview;
                self.clock = self.clock.map(|c| c.enter_decision(at));
            }
            ApplicationChange::Returned { exchange } => {
                self.status = ApplicationStatus::Returned;
                self.exchanges.push(exchange.clone());
                self.clock = self.clock.map(|c| c.pause(at));
            }
            ApplicationChange::Resubmitted { answer, parts } => {
                if let Some(open) = self.exchanges.last_mut() {
                    self.status = open.returned_from;
                    open.answer = Some(answer.clone());
                    open.answered_at = Some(at);
                }
                self.parts = parts.clone();
                self.clock = self.clock.map(|c| c.resume(at));
            }
            ApplicationChange::Withdrawn { .. } => {
                self.status = ApplicationStatus::Withdrawn;
                self.clock = None;
            }
            ApplicationChange::CommentAdded { comment } => self.comments.push(comment.clone()),
            ApplicationChange::ConflictDeclared {
                committee_id,
                conflict,
            } => {
                if let Some(part) = self.part_mut(*committee_id) {
                    part.conflicts.push(conflict.clone());
                }
            }
            ApplicationChange::VoteCast { committee_id, vote } => {
                if let Some(part) = self.part_mut(*committee_id) {
                    part.votes.retain(|v| v.member != vote.member);
                    part.votes.push(vote.clone());
                }
            }
            ApplicationChange::PartDecided {
                committee_id,
                decision,
            } => {
                if let Some(part) = self.part_mut(*committee_id) {
                    part.decision = Some(decision.clone());
                }
            }
            ApplicationChange::Decided { decision } => {
                self.status = decision.status;
                self.decision = Some(decision.clone());
                self.decided_at = Some(at);
                self.clock = None;
            }
            ApplicationChange::Extended { reason } => {
                if let Some(clock) = &mut self.clock {
                    clock.extension = Some(reason.as_str().to_owned());
                }
            }
            ApplicationChange::DeadlineAlert { alert, .. } => {
                if let Some(clock) = &mut self.clock {
                    clock.alerts.push(*alert);
                }
            }
        }
        self
    }

    fn part_mut(&mut self, committee: CommitteeId) -> Option<&mut ReviewPart> {
        self.parts.iter_mut().find(|p| p.committee_id == committee)
    }

    pub fn part(&self, committee: CommitteeId) -> Option<&ReviewPart> {
        self.parts.iter().find(|p| p.committee_id == committee)
    }

    /// The committees reviewing a part.
    pub fn committee_ids(&self) -> Vec<CommitteeId> {
        self.parts.iter().map(|p| p.committee_id).collect()
    }

    /// The capacities in which `principal` may act on the application.
    pub fn parties(&self, principal: &Principal) -> Vec<Party> {
        let mut parties = Vec::new();
        if principal.has_role(Role::Researcher) && principal.subject == self.applicant {
            parties.push(Party::Applicant);
        }
        if principal.has_role(Role::DacMember)
            && self
                .parts
                .iter()
                .any(|p| principal.committees.contains(&p.committee_id))
        {
            parties.push(Party::Reviewer);
        }
        if principal.has_role(Role::HdabAdmin) {
            parties.push(Party::Admin);
        }
        parties
    }

    /// What `principal` may see of the application; `None` when it must not learn that the
    /// application exists.
    pub fn visibility(&self, principal: &Principal) -> Option<Visibility> {
        if principal.has_role(Role::HdabAdmin) {
            return Some(Visibility::Everything);
        }
        let committees: Vec<CommitteeId> = self
            .committee_ids()
            .into_iter()
            .filter(|c| principal.has_role(Role::DacMember) && principal.committees.contains(c))
            .collect();
        if !committees.is_empty() {
            return Some(Visibility::Committees(committees));
        }
        if principal.has_role(Role::Researcher) && principal.subject == self.applicant {
            return Some(Visibility::Applicant);
        }
        let publishers: Vec<PublisherId> = self
            .parts
            .iter()
            .flat_map(|p| p.datasets.iter().map(|d| d.publisher_id))
            .filter(|p| principal.has_role(Role::DataHolder) && principal.publishers.contains(p))
            .collect();
        (!publishers.is_empty()).then_some(Visibility::DataHolder(publishers))
    }
}

#[cfg(test)]
pub(crate) mod tests;
