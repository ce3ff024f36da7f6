//! The rules of applications, each test named after the rule and the article it comes from,
//! with the fixtures they share.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, TimeZone, Utc};

use super::deadlines::{Alert, DeadlinePolicy, Stage, Track};
use super::form::*;
use super::matching::{MatchOutcome, match_dataset};
use super::review::{CommentVisibility, Override, PartOutcome, VoteChoice};
use super::rules::{DatasetFacts, SubmissionPolicy};
use super::*;
use crate::DomainError;
use crate::auth::{Principal, Role};
use crate::catalogue::DatasetStatus;
use crate::catalogue::duo::{DataUseConditions, DuoModifier, DuoPermission};
use crate::catalogue::icd10::IcdCode;
use crate::catalogue::text::{LongText, ShortText};
use crate::committee::{Committee, CommitteeDetails, CommitteeMember, DecisionRule, MemberRole};
use crate::ids::{ApplicationId, CommitteeId, DatasetId, PublisherId};
use crate::publisher::OrganisationType;
use crate::values::{CountryCode, Email, Name, Subject};
use crate::version::Precondition;

pub(crate) fn text(s: &str) -> LongText {
    LongText::parse(s).unwrap()
}

pub(crate) fn at(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, day, 9, 0, 0).unwrap()
}

pub(super) fn subject(s: &str) -> Subject {
    Subject::parse(s).unwrap()
}

pub(super) fn person(sub: &str) -> Person {
    Person {
        subject: subject(sub),
        name: Name::parse("Dr A. Researcher").unwrap(),
        email: Email::parse("a.researcher@uni.example").unwrap(),
    }
}

pub(crate) fn principal(sub: &str, roles: &[Role], committees: &[CommitteeId]) -> Principal {
    Principal {
        subject: subject(sub),
        roles: roles.iter().copied().collect(),
        publishers: BTreeSet::new(),
        committees: committees.iter().copied().collect(),
    }
}

/// A complete access application by an academic applicant for scientific research on lung
/// cancer (C34.1), naming `datasets`.
pub(crate) fn access_form(datasets: &[DatasetId]) -> ApplicationForm {
    ApplicationForm {
        organisation: Some(Organisation {
            name: Name::parse("Universität Heidelberg").unwrap(),
            organisation_type: OrganisationType::Academic,
            country: CountryCode::parse("DE").unwrap(),
        }),
        principal_investigator: Some(person("alice")),
        purpose: Some(PurposeStatement {
            purpose: Purpose::ScientificResearch,
            research_kind: None,
            explanation: text("Radiomic signatures of early lung cancer."),
            expected_benefit: text("Earlier detection."),
        }),
        dataset_ids: datasets.to_vec(),
        declared_use: DeclaredUse {
            diseases: vec![IcdCode::parse("C34.1").unwrap()],
            publication_intended: true,
            ..DeclaredUse::default()
        },
        prohibited_uses: Vec::new(),
        art_54_declaration: true,
        details: KindDetails::Access(AccessDetails {
            authorised_persons: vec![person("bob")],
            data: Some(RequestedData {
                variables: vec![ShortText::parse("age_at_imaging").unwrap()],
                population: text("Adults with a CT of the chest."),
                period: None,
                countries: Vec::new(),
            }),
            data_form: Some(DataForm::Anonymised),
            safeguards: Some(text("Processing only inside the SPE.")),
            processing_months: Some(24),
            ..AccessDetails::default()
        }),
    }
}

pub(super) fn data_request_form(datasets: &[DatasetId]) -> ApplicationForm {
    ApplicationForm {
        details: KindDetails::DataRequest(DataRequestDetails {
            statistical_question: Some(text("How many lung CTs per year?")),
            expected_tables: vec![ShortText::parse("studies by year").unwrap()],
            aggregates_justification: Some(text("Counts answer the question.")),
            output: DataRequestOutput::AnonymisedStatistics,
        }),
        ..access_form(datasets)
    }
}

pub(crate) fn facts(
    id: DatasetId,
    committee: CommitteeId,
    permission: DuoPermission,
    modifiers: Vec<DuoModifier>,
) -> DatasetFacts {
    DatasetFacts {
        id,
        status: DatasetStatus::Published,
        publisher_id: PublisherId::from_uuid(uuid::Uuid::from_u128(1)),
        committee_id: committee,
        data_use: DataUseConditions {
            permission,
            modifiers,
        },
    }
}

pub(crate) fn committee(
    id: CommitteeId,
    rule: DecisionRule,
    quorum: u32,
    members: &[(&str, MemberRole, Option<&str>)],
) -> Committee {
    let members = members
        .iter()
        .map(|(sub, role, organisation)| CommitteeMember {
            subject: subject(sub),
            role: *role,
            organisation: organisation.map(|o| Name::parse(o).unwrap()),
        })
        .collect();
    let details = CommitteeDetails::new(
        Name::parse(&format!("DAC {id}")).unwrap(),
        Vec::new(),
        members,
        rule,
        quorum,
    )
    .unwrap();
    Committee {
        id,
        details,
        version: 1,
        created_at: at(1),
        updated_at: at(1),
    }
}

pub(crate) const POLICY: SubmissionPolicy = SubmissionPolicy {
    opt_out_exception_available: false,
};

pub(crate) fn id(n: u128) -> DatasetId {
    DatasetId::from_uuid(uuid::Uuid::from_u128(n))
}

pub(crate) fn committee_id(n: u128) -> CommitteeId {
    CommitteeId::from_uuid(uuid::Uuid::from_u128(n))
}

pub(crate) fn draft(form: ApplicationForm) -> Application {
    Application::create(
        ApplicationId::from_uuid(uuid::Uuid::from_u128(99)),
        subject("alice"),
        form,
        at(1),
    )
    .0
}

pub(crate) fn researcher() -> Principal {
    principal("alice", &[Role::Researcher], &[])
}

pub(crate) fn run(
    application: &Application,
    who: &Principal,
    now: DateTime<Utc>,
    command: Command,
) -> Result<Application, DomainError> {
    application
        .handle(
            Context {
                principal: who,
                now,
            },
            command,
        )
        .map(|(next, _)| next)
}

pub(crate) fn submit(
    application: &Application,
    datasets: &[DatasetFacts],
) -> Result<Application, DomainError> {
    run(
        application,
        &researcher(),
        at(2),
        Command::Submit {
            datasets: datasets.to_vec(),
            policy: POLICY,
        },
    )
}

pub(super) fn field_codes(error: DomainError) -> Vec<(String, &'static str)> {
    match error {
        DomainError::Invalid(fields) => fields.into_iter().map(|f| (f.field, f.code)).collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

pub(crate) fn lung() -> Vec<DatasetFacts> {
    vec![facts(
        id(1),
        committee_id(10),
        DuoPermission::GeneralResearchUse,
        Vec::new(),
    )]
}

pub(crate) fn ds(code: &str) -> DuoPermission {
    DuoPermission::DiseaseSpecific(IcdCode::parse(code).unwrap())
}

/// An application for two datasets reviewed by two committees: A decides by majority with a
/// quorum of 2, B by its chair.
pub(crate) fn two_committee_review() -> (Application, Committee, Committee) {
    let a = committee(
        committee_id(10),
        DecisionRule::Majority,
        2,
        &[
            ("ana", MemberRole::Chair, None),
            ("ben", MemberRole::Member, None),
            ("cem", MemberRole::Member, Some("UNIVERSITÄT HEIDELBERG")),
        ],
    );
    let b = committee(
        committee_id(20),
        DecisionRule::ChairDecides,
        1,
        &[
            ("dora", MemberRole::Chair, None),
            ("emil", MemberRole::Member, None),
        ],
    );
    let datasets = vec![
        facts(id(1), a.id, DuoPermission::GeneralResearchUse, vec![]),
        facts(id(2), b.id, ds("C50"), vec![]),
    ];
    let submitted = submit(&draft(access_form(&[id(1), id(2)])), &datasets).unwrap();
    let admin = principal("root", &[Role::HdabAdmin], &[]);
    let accepted = run(&submitted, &admin, at(3), Command::Accept).unwrap();
    (accepted, a, b)
}

pub(crate) fn member(sub: &str, committee: &Committee) -> Principal {
    principal(sub, &[Role::DacMember], &[committee.id])
}

pub(crate) fn vote(
    application: &Application,
    sub: &str,
    committee: &Committee,
    choice: VoteChoice,
    change: bool,
) -> Result<Application, DomainError> {
    run(
        application,
        &member(sub, committee),
        at(4),
        Command::Vote {
            committee: committee.clone(),
            choice,
            reason: text("Reasoned."),
            change,
        },
    )
}

pub(crate) fn decide(
    application: &Application,
    sub: &str,
    committee: &Committee,
    outcome: PartOutcome,
    overrides: Vec<Override>,
) -> Result<Application, DomainError> {
    run(
        application,
        &member(sub, committee),
        at(5),
        Command::DecidePart {
            committee: committee.clone(),
            outcome,
            reasons: text("As voted."),
            overrides,
            fee_estimate: None,
        },
    )
}

mod deadlines;
mod lifecycle;
mod matching;
mod review;
mod rules;
mod state_machine;
