//! Committee votes and decisions: who may vote (conflicts of interest), a vote changed only on
//! request with its history kept, a part decided by the committee's rule and quorum, overrides
//! of a denied data-use match, and the application's decision once every part has one.

use super::decide::{conflict, invalid};
use super::lifecycle::ApplicationStatus;
use super::review::{
    self, CastVote, FeeEstimate, Override, PartDecision, PartOutcome, ReviewPart, Tally, Vote,
    VoteChoice,
};
use super::{Application, ApplicationChange, ApplicationEvent, Context, Decision};
use crate::catalogue::text::LongText;
use crate::codes;
use crate::committee::Committee;
use crate::{DomainError, FieldError};

impl Application {
    pub(super) fn vote(
        &self,
        context: Context<'_>,
        committee: &Committee,
        choice: VoteChoice,
        reason: LongText,
        change: bool,
    ) -> Result<ApplicationChange, DomainError> {
        let member = &context.principal.subject;
        let part = self.reviewed_part(context.principal, committee.id)?;
        if part.decision.is_some() {
            return Err(part_decided());
        }
        let organisation = self.form.organisation.as_ref().map(|o| &o.name);
        if let Some((code, message)) = review::voting_bar(committee, part, member, organisation) {
            return Err(DomainError::Forbidden { code, message });
        }
        let replaced = match (part.vote_of(member), change) {
            (Some(_), false) => {
                return Err(conflict(
                    codes::ALREADY_VOTED,
                    "you have already voted on this part; send `change: true` to change your vote",
                ));
            }
            (None, true) => {
                return Err(conflict(
                    codes::NO_VOTE_TO_CHANGE,
                    "you have not voted on this part yet; vote without `change`",
                ));
            }
            (Some(earlier), true) => {
                let mut history = earlier.replaced.clone();
                history.push(CastVote {
                    choice: earlier.choice,
                    reason: earlier.reason.clone(),
                    cast_at: earlier.cast_at,
                });
                history
            }
            (None, false) => Vec::new(),
        };
        Ok(ApplicationChange::VoteCast {
            committee_id: committee.id,
            vote: Vote {
                member: member.clone(),
                choice,
                reason,
                cast_at: context.now,
                replaced,
            },
        })
    }

    pub(super) fn decide_part(
        &self,
        context: Context<'_>,
        committee: &Committee,
        chosen: PartOutcome,
        reasons: LongText,
        overrides: Vec<Override>,
        fee_estimate: Option<FeeEstimate>,
    ) -> Result<Vec<ApplicationChange>, DomainError> {
        let part = self.reviewed_part(context.principal, committee.id)?;
        if part.decision.is_some() {
            return Err(part_decided());
        }
        if !review::may_record_decision(committee, &context.principal.subject) {
            return Err(DomainError::Forbidden {
                code: codes::CHAIR_DECIDES,
                message: "only the chair records the decision of a committee whose chair decides"
                    .to_owned(),
            });
        }
        let tally = Tally::of(&part.votes);
        let details = &committee.details;
        let outcome =
            review::decide_by_rule(details.decision_rule(), details.quorum(), tally, chosen)?;
        check_overrides(part, outcome, &overrides)?;
        let decided = ApplicationChange::PartDecided {
            committee_id: committee.id,
            decision: PartDecision {
                outcome,
                reasons,
                overrides,
                fee_estimate,
                decided_by: context.principal.subject.clone(),
                decided_at: context.now,
                tally,
            },
        };
        let after = self.clone().apply(&ApplicationEvent {
            application_id: self.id,
            at: context.now,
            change: decided.clone(),
        });
        let mut changes = vec![decided];
        changes.extend(
            after
                .final_decision()
                .map(|decision| ApplicationChange::Decided { decision }),
        );
        Ok(changes)
    }

    /// The application's decision once every part is decided: approved when every part is,
    /// partially approved when some are, refused when none is.
    fn final_decision(&self) -> Option<Decision> {
        let decisions: Vec<(&ReviewPart, &PartDecision)> = self
            .parts
            .iter()
            .map(|p| p.decision.as_ref().map(|d| (p, d)))
            .collect::<Option<_>>()?;
        let approved: Vec<&ReviewPart> = decisions
            .iter()
            .filter(|(_, d)| d.outcome == PartOutcome::Approve)
            .map(|(p, _)| *p)
            .collect();
        let status = match approved.len() {
            0 => ApplicationStatus::Refused,
            n if n == decisions.len() => ApplicationStatus::Approved,
            _ => ApplicationStatus::PartiallyApproved,
        };
        let reasons = decisions
            .iter()
            .map(|(p, d)| {
                format!(
                    "committee {}: {} — {}",
                    p.committee_id,
                    d.outcome,
                    d.reasons.as_str()
                )
            })
            .collect::<Vec<_>>()
            .join("\n");
        Some(Decision {
            status,
            reasons,
            approved_datasets: approved.iter().flat_map(|p| p.dataset_ids()).collect(),
        })
    }
}

fn check_overrides(
    part: &ReviewPart,
    outcome: PartOutcome,
    overrides: &[Override],
) -> Result<(), DomainError> {
    for (index, o) in overrides.iter().enumerate() {
        if !part.dataset_ids().any(|id| id == o.dataset_id) {
            return Err(invalid(
                &format!("overrides[{index}].dataset_id"),
                codes::UNKNOWN_DATASET,
                "is not a dataset of this committee's part",
            ));
        }
    }
    review::overrides_cover_denials(part, outcome, overrides).map_err(|e| {
        DomainError::Invalid(vec![FieldError {
            field: "overrides".to_owned(),
            code: e.code,
            message: e.message,
        }])
    })
}

fn part_decided() -> DomainError {
    conflict(
        codes::PART_DECIDED,
        "the committee has already decided its part",
    )
}
