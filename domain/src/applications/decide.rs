//! Commands on an application: who may issue them (the lifecycle table), the rules they must
//! meet, and the changes they make.

use chrono::{DateTime, Utc};

use super::deadlines::DeadlinePolicy;
use super::lifecycle::{self, Action};
use super::review::{Conflict, ReviewPart};
use super::{
    Application, ApplicationChange, ApplicationEvent, Command, Comment, Context, Exchange,
};
use crate::auth::Principal;
use crate::codes;
use crate::ids::CommitteeId;
use crate::version;
use crate::{DomainError, FieldError};

impl Application {
    /// Checks `command` and returns the application after it, with its changes in order.
    pub fn handle(
        &self,
        context: Context<'_>,
        command: Command,
    ) -> Result<(Self, Vec<ApplicationEvent>), DomainError> {
        let events = self.decide(context, command)?;
        let next = events
            .iter()
            .fold(self.clone(), |application, event| application.apply(event));
        Ok((next, events))
    }

    /// The changes `command` makes, or why it may not be made.
    pub fn decide(
        &self,
        context: Context<'_>,
        command: Command,
    ) -> Result<Vec<ApplicationEvent>, DomainError> {
        self.check_allowed(context.principal, command.action())?;
        let changes = self.changes(context, command)?;
        Ok(changes
            .into_iter()
            .map(|change| ApplicationEvent {
                application_id: self.id,
                at: context.now,
                change,
            })
            .collect())
    }

    /// The lifecycle table's verdict for `principal` and `action` in the current state.
    fn check_allowed(&self, principal: &Principal, action: Action) -> Result<(), DomainError> {
        let parties = self.parties(principal);
        if parties.is_empty() {
            return Err(DomainError::Forbidden {
                code: codes::NOT_A_PARTY,
                message: "you may read this application but not act on it".to_owned(),
            });
        }
        let allowed = lifecycle::allowed(self.status, &parties);
        if allowed.contains(&action) {
            return Ok(());
        }
        let names: Vec<&str> = allowed.iter().map(|a| a.as_str()).collect();
        Err(DomainError::StateConflict {
            code: codes::ILLEGAL_TRANSITION,
            message: format!(
                "the application is `{}`; `{action}` is not possible now. You may: {}",
                self.status,
                if names.is_empty() {
                    "nothing".to_owned()
                } else {
                    names.join(", ")
                }
            ),
        })
    }

    fn changes(
        &self,
        context: Context<'_>,
        command: Command,
    ) -> Result<Vec<ApplicationChange>, DomainError> {
        let who = &context.principal.subject;
        Ok(match command {
            Command::Replace { form, precondition } => {
                version::check(self.version, &precondition)?;
                if form.kind() != self.form.kind() {
                    return Err(invalid(
                        "kind",
                        codes::IMMUTABLE,
                        "an application cannot change its kind; create a new one",
                    ));
                }
                vec![ApplicationChange::Replaced { form: *form }]
            }
            Command::Submit { datasets, policy } => self.submission(&datasets, policy)?,
            Command::Withdraw { reason } => vec![ApplicationChange::Withdrawn { reason }],
            Command::Accept => vec![ApplicationChange::Accepted],
            Command::Return { questions } => vec![ApplicationChange::Returned {
                exchange: Exchange {
                    questions,
                    asked_by: who.clone(),
                    asked_at: context.now,
                    returned_from: self.status,
                    answer: None,
                    answered_at: None,
                },
            }],
            Command::Resubmit {
                answer,
                datasets,
                policy,
            } => self.resubmission(answer, &datasets, policy)?,
            Command::Comment {
                committee_id,
                visibility,
                text,
            } => {
                let committee_id = self.comment_committee(context.principal, committee_id)?;
                vec![ApplicationChange::CommentAdded {
                    comment: Comment {
                        author: who.clone(),
                        committee_id,
                        visibility,
                        text,
                        at: context.now,
                    },
                }]
            }
            Command::DeclareConflict {
                committee_id,
                reason,
            } => {
                let part = self.reviewed_part(context.principal, committee_id)?;
                if part.conflicts.iter().any(|c| &c.member == who) {
                    return Err(conflict(
                        codes::CONFLICT_ALREADY_DECLARED,
                        "you have already declared a conflict on this application",
                    ));
                }
                vec![ApplicationChange::ConflictDeclared {
                    committee_id,
                    conflict: Conflict {
                        member: who.clone(),
                        reason,
                        declared_at: context.now,
                    },
                }]
            }
            Command::Vote {
                committee,
                choice,
                reason,
                change,
            } => vec![self.vote(context, &committee, choice, reason, change)?],
            Command::DecidePart {
                committee,
                outcome,
                reasons,
                overrides,
                fee_estimate,
            } => self.decide_part(
                context,
                &committee,
                outcome,
                reasons,
                overrides,
                fee_estimate,
            )?,
            Command::Extend { reason } => {
                if self.clock.as_ref().is_some_and(|c| c.extension.is_some()) {
                    return Err(conflict(
                        codes::ALREADY_EXTENDED,
                        "the decision period has already been extended once (EHDS Art 68)",
                    ));
                }
                vec![ApplicationChange::Extended { reason }]
            }
        })
    }

    /// The part of `committee_id`, if `principal` sits on that committee; otherwise the part
    /// is not theirs to know of.
    pub(super) fn reviewed_part(
        &self,
        principal: &Principal,
        committee_id: CommitteeId,
    ) -> Result<&ReviewPart, DomainError> {
        self.part(committee_id)
            .filter(|_| principal.sits_on_committee(committee_id))
            .ok_or(DomainError::NotFound(
                "the committee's part of the application",
            ))
    }

    fn comment_committee(
        &self,
        principal: &Principal,
        requested: Option<CommitteeId>,
    ) -> Result<Option<CommitteeId>, DomainError> {
        if let Some(committee_id) = requested {
            return self
                .reviewed_part(principal, committee_id)
                .map(|part| Some(part.committee_id));
        }
        // A member of exactly one reviewing committee writes for it.
        let own: Vec<CommitteeId> = self
            .committee_ids()
            .into_iter()
            .filter(|c| principal.committees.contains(c))
            .collect();
        Ok(match own.as_slice() {
            [one] => Some(*one),
            _ => None,
        })
    }

    /// The deadline alert due now, if one is, as a change recorded by the background job.
    pub fn deadline_alert(
        &self,
        policy: &DeadlinePolicy,
        now: DateTime<Utc>,
    ) -> Option<ApplicationEvent> {
        let clock = self.clock.as_ref().filter(|_| self.status.is_open())?;
        let alert = clock.alert_due(policy, now)?;
        Some(ApplicationEvent {
            application_id: self.id,
            at: now,
            change: ApplicationChange::DeadlineAlert {
                stage: clock.stage,
                alert,
                due_at: clock.due_at(policy, now),
            },
        })
    }
}

pub(super) fn invalid(field: &str, code: &'static str, message: &str) -> DomainError {
    DomainError::Invalid(vec![FieldError {
        field: field.to_owned(),
        code,
        message: message.to_owned(),
    }])
}

pub(super) fn conflict(code: &'static str, message: &str) -> DomainError {
    DomainError::StateConflict {
        code,
        message: message.to_owned(),
    }
}
