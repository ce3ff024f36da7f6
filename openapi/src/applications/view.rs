//! Domain application → wire view, as the caller may see it.

use chrono::{DateTime, Utc};

use hdab_domain::applications::deadlines::{DeadlineClock, DeadlinePolicy};
use hdab_domain::applications::form::*;
use hdab_domain::applications::review::{PartDecision, ReviewPart, Vote};
use hdab_domain::applications::{Application, Exchange, lifecycle};
use hdab_domain::auth::Principal;
use hdab_domain::catalogue::text::{LongText, ShortText};

use super::types::*;

impl ApplicationView {
    /// The application as `caller` may see it, with what they may do now and its deadline
    /// as of `now`. The caller must be allowed to see it at all.
    pub fn new(
        application: &Application,
        caller: &Principal,
        policy: &DeadlinePolicy,
        now: DateTime<Utc>,
    ) -> Option<Self> {
        let seen = as_seen_by(application, caller)?;
        let allowed = lifecycle::allowed(application.status, &application.parties(caller));
        Some(Self {
            id: seen.id.as_uuid(),
            status: seen.status.as_str().to_owned(),
            applicant: seen.applicant.as_str().to_owned(),
            form: ApplicationInput::from(&seen.form),
            version: seen.version,
            created_at: seen.created_at,
            updated_at: seen.updated_at,
            submitted_at: seen.submitted_at,
            deadline: running_deadline(&seen, policy, now),
            parts: seen.parts.iter().map(part).collect(),
            comments: seen
                .comments
                .iter()
                .map(|c| CommentView {
                    author: c.author.as_str().to_owned(),
                    committee_id: c.committee_id.map(|id| id.as_uuid()),
                    visibility: c.visibility.as_str().to_owned(),
                    text: c.text.as_str().to_owned(),
                    at: c.at,
                })
                .collect(),
            exchanges: seen.exchanges.iter().map(exchange).collect(),
            decision: seen
                .decision
                .as_ref()
                .zip(seen.decided_at)
                .map(|(d, at)| DecisionView {
                    status: d.status.as_str().to_owned(),
                    reasons: d.reasons.clone(),
                    approved_dataset_ids: d
                        .approved_datasets
                        .iter()
                        .map(|id| id.as_uuid())
                        .collect(),
                    decided_at: at,
                }),
            allowed_actions: allowed.iter().map(|a| a.as_str().to_owned()).collect(),
        })
    }
}

impl ApplicationSummary {
    /// The list entry of `application` for `caller`, if they may see it.
    pub fn new(
        application: &Application,
        caller: &Principal,
        policy: &DeadlinePolicy,
        now: DateTime<Utc>,
    ) -> Option<Self> {
        let seen = as_seen_by(application, caller)?;
        let form = &seen.form;
        Some(Self {
            id: seen.id.as_uuid(),
            kind: form.kind().as_str().to_owned(),
            status: seen.status.as_str().to_owned(),
            applicant: seen.applicant.as_str().to_owned(),
            organisation: form
                .organisation
                .as_ref()
                .map(|o| o.name.as_str().to_owned()),
            purpose: form.purpose.as_ref().map(|p| p.purpose.as_str().to_owned()),
            dataset_ids: form.dataset_ids.iter().map(|id| id.as_uuid()).collect(),
            version: seen.version,
            updated_at: seen.updated_at,
            submitted_at: seen.submitted_at,
            deadline: running_deadline(&seen, policy, now),
            parts: seen
                .parts
                .iter()
                .map(|p| PartSummary {
                    committee_id: p.committee_id.as_uuid(),
                    outcome: p.decision.as_ref().map(|d| d.outcome.as_str().to_owned()),
                })
                .collect(),
        })
    }
}

/// The application with only what `caller` may see; `None` when they may see nothing of it.
fn as_seen_by(application: &Application, caller: &Principal) -> Option<Application> {
    Some(application.redacted(&application.visibility(caller)?))
}

/// The deadline of an open application, as of `now`.
fn running_deadline(
    application: &Application,
    policy: &DeadlinePolicy,
    now: DateTime<Utc>,
) -> Option<DeadlineView> {
    let clock = application.clock.as_ref()?;
    application
        .status
        .is_open()
        .then(|| deadline(clock, policy, now))
}

fn deadline(clock: &DeadlineClock, policy: &DeadlinePolicy, now: DateTime<Utc>) -> DeadlineView {
    DeadlineView {
        stage: clock.stage.as_str().to_owned(),
        track: clock.track.as_str().to_owned(),
        due_at: clock.due_at(policy, now),
        days_left: clock.days_left(policy, now),
        paused: clock.is_paused(),
        extension_reason: clock.extension.clone(),
    }
}

fn part(part: &ReviewPart) -> ReviewPartView {
    ReviewPartView {
        committee_id: part.committee_id.as_uuid(),
        datasets: part
            .datasets
            .iter()
            .map(|d| ReviewedDatasetView {
                dataset_id: d.dataset_id.as_uuid(),
                publisher_id: d.publisher_id.as_uuid(),
                match_outcome: d.data_use.outcome.as_str().to_owned(),
                match_reasons: d
                    .data_use
                    .reasons
                    .iter()
                    .map(|r| MatchReasonView {
                        condition: r.condition.clone(),
                        outcome: r.outcome.as_str().to_owned(),
                        reason: r.reason.clone(),
                    })
                    .collect(),
            })
            .collect(),
        votes: part.votes.iter().map(vote).collect(),
        conflicts: part
            .conflicts
            .iter()
            .map(|c| ConflictView {
                member: c.member.as_str().to_owned(),
                reason: c.reason.as_str().to_owned(),
                declared_at: c.declared_at,
            })
            .collect(),
        decision: part.decision.as_ref().map(decision),
    }
}

fn vote(vote: &Vote) -> VoteView {
    VoteView {
        member: vote.member.as_str().to_owned(),
        choice: vote.choice.as_str().to_owned(),
        reason: vote.reason.as_str().to_owned(),
        cast_at: vote.cast_at,
        replaced: vote
            .replaced
            .iter()
            .map(|v| CastVoteView {
                choice: v.choice.as_str().to_owned(),
                reason: v.reason.as_str().to_owned(),
                cast_at: v.cast_at,
            })
            .collect(),
    }
}

fn decision(decision: &PartDecision) -> PartDecisionView {
    PartDecisionView {
        outcome: decision.outcome.as_str().to_owned(),
        reasons: decision.reasons.as_str().to_owned(),
        overrides: decision
            .overrides
            .iter()
            .map(|o| OverrideWire {
                dataset_id: o.dataset_id.as_uuid(),
                justification: o.justification.as_str().to_owned(),
            })
            .collect(),
        fee_estimate: decision.fee_estimate.as_ref().map(FeeEstimateWire::from),
        decided_by: decision.decided_by.as_str().to_owned(),
        decided_at: decision.decided_at,
        tally: TallyView {
            approve: decision.tally.approve,
            refuse: decision.tally.refuse,
            abstain: decision.tally.abstain,
        },
    }
}

fn exchange(exchange: &Exchange) -> ExchangeView {
    ExchangeView {
        questions: exchange.questions.as_str().to_owned(),
        asked_by: exchange.asked_by.as_str().to_owned(),
        asked_at: exchange.asked_at,
        answer: exchange.answer.as_ref().map(|a| a.as_str().to_owned()),
        answered_at: exchange.answered_at,
    }
}

pub(crate) fn person(person: &Person) -> PersonWire {
    PersonWire {
        subject: person.subject.as_str().to_owned(),
        name: person.name.as_str().to_owned(),
        email: person.email.as_str().to_owned(),
    }
}

pub(crate) fn organisation(o: &Organisation) -> OrganisationWire {
    OrganisationWire {
        name: o.name.as_str().to_owned(),
        organisation_type: o.organisation_type.as_str().to_owned(),
        country: o.country.to_string(),
    }
}

pub(crate) fn requested_data(d: &RequestedData) -> RequestedDataWire {
    RequestedDataWire {
        variables: texts(&d.variables),
        population: d.population.as_str().to_owned(),
        period: d.period.map(|p| DatePeriodWire {
            start: p.start,
            end: p.end,
        }),
        countries: d.countries.iter().map(ToString::to_string).collect(),
    }
}

pub(crate) fn texts(items: &[ShortText]) -> Vec<String> {
    items.iter().map(|t| t.as_str().to_owned()).collect()
}

impl From<&ApplicationForm> for ApplicationInput {
    fn from(form: &ApplicationForm) -> Self {
        let (access, data_request) = match &form.details {
            KindDetails::Access(a) => (Some(access(a)), None),
            KindDetails::DataRequest(r) => (None, Some(data_request(r))),
        };
        Self {
            kind: form.kind().as_str().to_owned(),
            organisation: form.organisation.as_ref().map(organisation),
            principal_investigator: form.principal_investigator.as_ref().map(person),
            purpose: form.purpose.as_ref().map(|p| PurposeWire {
                purpose: p.purpose.as_str().to_owned(),
                research_kind: p.research_kind.map(|k| k.as_str().to_owned()),
                explanation: p.explanation.as_str().to_owned(),
                expected_benefit: p.expected_benefit.as_str().to_owned(),
            }),
            dataset_ids: form.dataset_ids.iter().map(|id| id.as_uuid()).collect(),
            declared_use: DeclaredUseWire {
                diseases: form
                    .declared_use
                    .diseases
                    .iter()
                    .map(ToString::to_string)
                    .collect(),
                commercial_use: form.declared_use.commercial_use,
                for_profit_organisation: form.declared_use.for_profit_organisation,
                methods_development: form.declared_use.methods_development,
                ancestry_research: form.declared_use.ancestry_research,
                publication_intended: form.declared_use.publication_intended,
            },
            prohibited_uses: form
                .prohibited_uses
                .iter()
                .map(|u| u.as_str().to_owned())
                .collect(),
            art_54_declaration: form.art_54_declaration,
            access,
            data_request,
        }
    }
}

fn access(a: &AccessDetails) -> AccessWire {
    let text = |t: &Option<LongText>| t.as_ref().map(|t| t.as_str().to_owned());
    AccessWire {
        authorised_persons: a.authorised_persons.iter().map(person).collect(),
        data: a.data.as_ref().map(requested_data),
        data_form: a.data_form.map(|f| f.as_str().to_owned()),
        pseudonymisation_justification: text(&a.pseudonymisation_justification),
        safeguards: text(&a.safeguards),
        processing_months: a.processing_months,
        spe_tools: texts(&a.spe_tools),
        ethics_approval: a.ethics_approval.as_ref().map(|e| e.as_str().to_owned()),
        opt_out_exception: a.opt_out_exception,
        opt_out_justification: text(&a.opt_out_justification),
    }
}

fn data_request(r: &DataRequestDetails) -> DataRequestWire {
    DataRequestWire {
        statistical_question: r
            .statistical_question
            .as_ref()
            .map(|t| t.as_str().to_owned()),
        expected_tables: texts(&r.expected_tables),
        aggregates_justification: r
            .aggregates_justification
            .as_ref()
            .map(|t| t.as_str().to_owned()),
        output: r.output.as_str().to_owned(),
    }
}
