//! The rules of applications, each test named after the rule and the article it comes from.

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

fn subject(s: &str) -> Subject {
    Subject::parse(s).unwrap()
}

fn person(sub: &str) -> Person {
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

fn data_request_form(datasets: &[DatasetId]) -> ApplicationForm {
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

const POLICY: SubmissionPolicy = SubmissionPolicy {
    opt_out_exception_available: false,
};

fn id(n: u128) -> DatasetId {
    DatasetId::from_uuid(uuid::Uuid::from_u128(n))
}

fn committee_id(n: u128) -> CommitteeId {
    CommitteeId::from_uuid(uuid::Uuid::from_u128(n))
}

fn draft(form: ApplicationForm) -> Application {
    Application::create(
        ApplicationId::from_uuid(uuid::Uuid::from_u128(99)),
        subject("alice"),
        form,
        at(1),
    )
    .0
}

fn researcher() -> Principal {
    principal("alice", &[Role::Researcher], &[])
}

fn run(
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

fn submit(
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

fn field_codes(error: DomainError) -> Vec<(String, &'static str)> {
    match error {
        DomainError::Invalid(fields) => fields.into_iter().map(|f| (f.field, f.code)).collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

fn lung() -> Vec<DatasetFacts> {
    vec![facts(
        id(1),
        committee_id(10),
        DuoPermission::GeneralResearchUse,
        Vec::new(),
    )]
}

// ---- Rules at submission ----

#[test]
fn refuses_statistics_purpose_for_commercial_applicant_art_53_2() {
    let mut form = access_form(&[id(1)]);
    form.organisation.as_mut().unwrap().organisation_type = OrganisationType::Commercial;
    form.purpose.as_mut().unwrap().purpose = Purpose::Statistics;
    let refused = submit(&draft(form), &lung()).unwrap_err();
    assert_eq!(
        field_codes(refused),
        [(
            "purpose.purpose".to_owned(),
            "purpose_reserved_to_public_sector"
        )]
    );
}

#[test]
fn public_sector_bodies_may_apply_for_public_health_art_53_2() {
    let mut form = access_form(&[id(1)]);
    form.organisation.as_mut().unwrap().organisation_type = OrganisationType::PublicSectorBody;
    form.purpose.as_mut().unwrap().purpose = Purpose::PublicHealth;
    assert_eq!(
        submit(&draft(form), &lung()).unwrap().status,
        ApplicationStatus::Submitted
    );
}

#[test]
fn a_declared_prohibited_use_is_refused_at_once_citing_art_54() {
    let mut form = access_form(&[id(1)]);
    form.prohibited_uses = vec![ProhibitedUse::Advertising];
    let refused = submit(&draft(form), &lung()).unwrap();
    assert_eq!(refused.status, ApplicationStatus::Refused);
    let reasons = refused.decision.unwrap().reasons;
    assert!(reasons.contains("Art 54(1)(c)"), "{reasons}");
    assert!(
        refused.submitted_at.is_some(),
        "it was received all the same"
    );
}

#[test]
fn the_art_54_declaration_is_required() {
    let mut form = access_form(&[id(1)]);
    form.art_54_declaration = false;
    assert_eq!(
        field_codes(submit(&draft(form), &lung()).unwrap_err()),
        [("art_54_declaration".to_owned(), "declaration_required")]
    );
}

#[test]
fn pseudonymised_data_need_a_justification_art_66_3() {
    let mut form = access_form(&[id(1)]);
    let KindDetails::Access(access) = &mut form.details else {
        unreachable!()
    };
    access.data_form = Some(DataForm::Pseudonymised);
    assert_eq!(
        field_codes(submit(&draft(form.clone()), &lung()).unwrap_err()),
        [(
            "access.pseudonymisation_justification".to_owned(),
            "justification_required"
        )]
    );
    let KindDetails::Access(access) = &mut form.details else {
        unreachable!()
    };
    access.pseudonymisation_justification = Some(text("Linkage across visits needs it."));
    assert!(submit(&draft(form), &lung()).is_ok());
}

#[test]
fn a_data_request_cannot_ask_for_record_level_data_art_69() {
    let mut form = data_request_form(&[id(1)]);
    let KindDetails::DataRequest(request) = &mut form.details else {
        unreachable!()
    };
    request.output = DataRequestOutput::RecordLevel;
    assert_eq!(
        field_codes(submit(&draft(form), &lung()).unwrap_err()),
        [(
            "data_request.output".to_owned(),
            "record_level_not_available"
        )]
    );
    assert!(submit(&draft(data_request_form(&[id(1)])), &lung()).is_ok());
}

#[test]
fn only_published_datasets_can_be_applied_for() {
    let mut datasets = lung();
    datasets[0].status = DatasetStatus::Withdrawn;
    let form = access_form(&[id(1), id(2)]);
    assert_eq!(
        field_codes(submit(&draft(form), &datasets).unwrap_err()),
        [
            ("dataset_ids[0]".to_owned(), "dataset_not_published"),
            ("dataset_ids[1]".to_owned(), "unknown_dataset")
        ]
    );
}

#[test]
fn the_opt_out_exception_needs_the_member_state_a_justification_and_the_public_interest_art_71_4() {
    let exception = |justified: bool, organisation_type| {
        let mut form = access_form(&[id(1)]);
        form.organisation.as_mut().unwrap().organisation_type = organisation_type;
        let KindDetails::Access(access) = &mut form.details else {
            unreachable!()
        };
        access.opt_out_exception = true;
        access.opt_out_justification = justified.then(|| text("Rare disease; no other source."));
        draft(form)
    };
    let submit_with = |application: &Application, available| {
        run(
            application,
            &researcher(),
            at(2),
            Command::Submit {
                datasets: lung(),
                policy: SubmissionPolicy {
                    opt_out_exception_available: available,
                },
            },
        )
    };
    let code = |result: Result<Application, DomainError>| field_codes(result.unwrap_err())[0].1;
    assert_eq!(
        code(submit_with(
            &exception(true, OrganisationType::Academic),
            false
        )),
        "opt_out_exception_not_available"
    );
    assert_eq!(
        code(submit_with(
            &exception(false, OrganisationType::Academic),
            true
        )),
        "justification_required"
    );
    assert_eq!(
        code(submit_with(
            &exception(true, OrganisationType::Commercial),
            true
        )),
        "opt_out_exception_purpose"
    );
    assert!(submit_with(&exception(true, OrganisationType::Academic), true).is_ok());
}

#[test]
fn every_missing_part_of_the_application_is_named_at_once_art_67_2() {
    let form = ApplicationForm {
        organisation: None,
        principal_investigator: None,
        purpose: None,
        dataset_ids: Vec::new(),
        declared_use: DeclaredUse::default(),
        prohibited_uses: Vec::new(),
        art_54_declaration: false,
        details: KindDetails::Access(AccessDetails::default()),
    };
    let fields: Vec<String> = field_codes(submit(&draft(form), &lung()).unwrap_err())
        .into_iter()
        .map(|(field, _)| field)
        .collect();
    assert_eq!(
        fields,
        [
            "organisation",
            "principal_investigator",
            "purpose",
            "dataset_ids",
            "art_54_declaration",
            "access.data",
            "access.data_form",
            "access.safeguards",
            "access.processing_months"
        ]
    );
}

// ---- DUO matching ----

fn matched(
    permission: DuoPermission,
    modifiers: Vec<DuoModifier>,
    form: &ApplicationForm,
) -> MatchOutcome {
    match_dataset(
        id(1),
        &DataUseConditions {
            permission,
            modifiers,
        },
        form,
    )
    .outcome
}

fn ds(code: &str) -> DuoPermission {
    DuoPermission::DiseaseSpecific(IcdCode::parse(code).unwrap())
}

#[test]
fn disease_specific_use_is_matched_along_the_icd10_hierarchy() {
    let form = access_form(&[id(1)]); // declares C34.1
    assert_eq!(matched(ds("C34"), vec![], &form), MatchOutcome::Approve);
    assert_eq!(matched(ds("C34.1"), vec![], &form), MatchOutcome::Approve);
    assert_eq!(matched(ds("C50"), vec![], &form), MatchOutcome::Deny);
    assert_eq!(
        matched(DuoPermission::PopulationOriginsAncestry, vec![], &form),
        MatchOutcome::Deny
    );
    assert_eq!(
        matched(DuoPermission::HealthMedicalBiomedical, vec![], &form),
        MatchOutcome::Approve
    );
}

#[test]
fn health_and_ancestry_uses_are_matched_as_duo_defines_them() {
    let mut health = access_form(&[id(1)]);
    health.declared_use.diseases.clear();
    assert_eq!(matched(ds("C34"), vec![], &health), MatchOutcome::Deny);
    assert_eq!(
        matched(DuoPermission::HealthMedicalBiomedical, vec![], &health),
        MatchOutcome::Approve
    );
    let mut ancestry = health.clone();
    ancestry.declared_use.ancestry_research = true;
    assert_eq!(
        matched(DuoPermission::HealthMedicalBiomedical, vec![], &ancestry),
        MatchOutcome::Deny
    );
    assert_eq!(
        matched(DuoPermission::PopulationOriginsAncestry, vec![], &ancestry),
        MatchOutcome::Approve
    );
}

#[test]
fn modifiers_deny_commercial_methods_and_foreign_use_and_ask_review_for_conditions() {
    let gru = || DuoPermission::GeneralResearchUse;
    let mut form = access_form(&[id(1)]);
    assert_eq!(
        matched(gru(), vec![DuoModifier::NonCommercialUse], &form),
        MatchOutcome::Approve
    );
    form.declared_use.commercial_use = true;
    assert_eq!(
        matched(gru(), vec![DuoModifier::NonCommercialUse], &form),
        MatchOutcome::Deny
    );
    assert_eq!(
        matched(gru(), vec![DuoModifier::NonProfitUse], &form),
        MatchOutcome::Approve
    );
    form.declared_use.for_profit_organisation = true;
    assert_eq!(
        matched(gru(), vec![DuoModifier::NonProfitUse], &form),
        MatchOutcome::Deny
    );
    form.declared_use.methods_development = true;
    assert_eq!(
        matched(gru(), vec![DuoModifier::NoMethodsDevelopment], &form),
        MatchOutcome::Deny
    );
    let in_de = vec![DuoModifier::GeographicalRestriction(vec![
        CountryCode::parse("DE").unwrap(),
    ])];
    let in_fr = vec![DuoModifier::GeographicalRestriction(vec![
        CountryCode::parse("FR").unwrap(),
    ])];
    assert_eq!(matched(gru(), in_de, &form), MatchOutcome::Approve);
    assert_eq!(matched(gru(), in_fr, &form), MatchOutcome::Deny);
    assert_eq!(
        matched(gru(), vec![DuoModifier::EthicsApproval], &form),
        MatchOutcome::Deny
    );
    assert_eq!(
        matched(gru(), vec![DuoModifier::Publication], &form),
        MatchOutcome::NeedsReview
    );
    assert_eq!(
        matched(gru(), vec![DuoModifier::TimeLimit(12)], &form),
        MatchOutcome::Approve
    );
}

#[test]
fn every_condition_gives_its_reason() {
    let form = access_form(&[id(1)]);
    let result = match_dataset(
        id(1),
        &DataUseConditions {
            permission: ds("C50"),
            modifiers: vec![DuoModifier::Collaboration],
        },
        &form,
    );
    let conditions: Vec<(&str, MatchOutcome)> = result
        .reasons
        .iter()
        .map(|r| (r.condition.as_str(), r.outcome))
        .collect();
    assert_eq!(
        conditions,
        [
            ("DS", MatchOutcome::Deny),
            ("COL", MatchOutcome::NeedsReview)
        ]
    );
    assert!(result.reasons[0].reason.contains("C34.1"));
}

// ---- Review ----

/// An application for two datasets reviewed by two committees: A decides by majority with a
/// quorum of 2, B by its chair.
fn two_committee_review() -> (Application, Committee, Committee) {
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

fn member(sub: &str, committee: &Committee) -> Principal {
    principal(sub, &[Role::DacMember], &[committee.id])
}

fn vote(
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

fn decide(
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
        },
    )
}

#[test]
fn each_committee_reviews_the_part_holding_its_datasets() {
    let (application, a, b) = two_committee_review();
    assert_eq!(application.status, ApplicationStatus::UnderReview);
    assert_eq!(application.committee_ids(), [a.id, b.id]);
    let b_part = application.part(b.id).unwrap();
    assert_eq!(
        b_part.denied_datasets(),
        [id(2)],
        "DS-C50 denies a C34.1 study"
    );
}

#[test]
fn a_majority_committee_decides_by_its_votes_once_the_quorum_has_voted() {
    let (application, a, _) = two_committee_review();
    let one = vote(&application, "ana", &a, VoteChoice::Approve, false).unwrap();
    let too_early = decide(&one, "ana", &a, PartOutcome::Approve, vec![]).unwrap_err();
    assert_eq!(too_early.code(), "quorum_not_reached");
    let two = vote(&one, "ben", &a, VoteChoice::Refuse, false).unwrap();
    // One for, one against: not more than half.
    let contradicted = decide(&two, "ben", &a, PartOutcome::Approve, vec![]).unwrap_err();
    assert_eq!(contradicted.code(), "decision_contradicts_votes");
    let changed = vote(&two, "ben", &a, VoteChoice::Approve, true).unwrap();
    let decided = decide(&changed, "ben", &a, PartOutcome::Approve, vec![]).unwrap();
    let part = decided.part(a.id).unwrap();
    assert_eq!(
        part.decision.as_ref().unwrap().outcome,
        PartOutcome::Approve
    );
    assert_eq!(
        part.vote_of(&subject("ben")).unwrap().replaced.len(),
        1,
        "history kept"
    );
}

#[test]
fn a_second_vote_without_an_explicit_change_is_refused() {
    let (application, a, _) = two_committee_review();
    let voted = vote(&application, "ana", &a, VoteChoice::Approve, false).unwrap();
    let again = vote(&voted, "ana", &a, VoteChoice::Refuse, false).unwrap_err();
    assert_eq!(again.code(), "already_voted");
}

#[test]
fn a_member_from_the_applicant_organisation_cannot_vote() {
    let (application, a, _) = two_committee_review();
    let barred = vote(&application, "cem", &a, VoteChoice::Approve, false).unwrap_err();
    assert!(matches!(
        barred,
        DomainError::Forbidden {
            code: "conflict_of_interest",
            ..
        }
    ));
}

#[test]
fn a_member_who_declared_a_conflict_cannot_vote() {
    let (application, a, _) = two_committee_review();
    let declared = run(
        &application,
        &member("ben", &a),
        at(4),
        Command::DeclareConflict {
            committee_id: a.id,
            reason: text("Co-author of the applicant."),
        },
    )
    .unwrap();
    let barred = vote(&declared, "ben", &a, VoteChoice::Approve, false).unwrap_err();
    assert_eq!(barred.code(), "conflict_of_interest");
}

#[test]
fn voting_on_another_committees_part_is_not_found() {
    let (application, a, b) = two_committee_review();
    let outsider = run(
        &application,
        &member("ana", &a),
        at(4),
        Command::Vote {
            committee: b,
            choice: VoteChoice::Approve,
            reason: text("x"),
            change: false,
        },
    )
    .unwrap_err();
    assert_eq!(
        outsider,
        DomainError::NotFound("the committee's part of the application")
    );
}

#[test]
fn approving_a_dataset_the_data_use_match_denies_needs_a_written_override() {
    let (application, _, b) = two_committee_review();
    let voted = vote(&application, "emil", &b, VoteChoice::Approve, false).unwrap();
    let refused = decide(&voted, "dora", &b, PartOutcome::Approve, vec![]).unwrap_err();
    assert_eq!(
        field_codes(refused),
        [("overrides".to_owned(), "override_required")]
    );
    let overridden = decide(
        &voted,
        "dora",
        &b,
        PartOutcome::Approve,
        vec![Override {
            dataset_id: id(2),
            justification: text("The breast cohort has lung metastases of interest."),
        }],
    )
    .unwrap();
    assert_eq!(
        overridden
            .part(b.id)
            .unwrap()
            .decision
            .as_ref()
            .unwrap()
            .overrides
            .len(),
        1
    );
}

#[test]
fn only_the_chair_decides_where_the_chair_decides() {
    let (application, _, b) = two_committee_review();
    let voted = vote(&application, "emil", &b, VoteChoice::Refuse, false).unwrap();
    let member_decides = decide(&voted, "emil", &b, PartOutcome::Refuse, vec![]).unwrap_err();
    assert_eq!(member_decides.code(), "chair_decides");
}

#[test]
fn one_approved_part_of_two_is_a_partial_approval_art_68() {
    let (application, a, b) = two_committee_review();
    let mut state = vote(&application, "ana", &a, VoteChoice::Approve, false).unwrap();
    state = vote(&state, "ben", &a, VoteChoice::Approve, false).unwrap();
    state = decide(&state, "ana", &a, PartOutcome::Approve, vec![]).unwrap();
    assert_eq!(state.status, ApplicationStatus::UnderReview);
    state = vote(&state, "dora", &b, VoteChoice::Refuse, false).unwrap();
    state = decide(&state, "dora", &b, PartOutcome::Refuse, vec![]).unwrap();
    assert_eq!(state.status, ApplicationStatus::PartiallyApproved);
    let decision = state.decision.unwrap();
    assert_eq!(decision.approved_datasets, [id(1)]);
    assert!(
        decision.reasons.contains("refuse"),
        "every decision is reasoned"
    );
}

// ---- Lifecycle ----

#[test]
fn an_illegal_command_names_the_state_and_what_is_possible_in_it() {
    let application = draft(access_form(&[id(1)]));
    let admin = principal("root", &[Role::HdabAdmin], &[]);
    let error = run(&application, &admin, at(2), Command::Accept).unwrap_err();
    assert_eq!(error.code(), "illegal_transition");
    let applicant_view = run(
        &application,
        &researcher(),
        at(2),
        Command::Extend { reason: text("x") },
    )
    .unwrap_err();
    assert!(
        applicant_view.to_string().contains("`draft`")
            && applicant_view
                .to_string()
                .contains("replace, submit, withdraw"),
        "{applicant_view}"
    );
}

#[test]
fn a_submitted_application_cannot_be_edited() {
    let submitted = submit(&draft(access_form(&[id(1)])), &lung()).unwrap();
    let edit = run(
        &submitted,
        &researcher(),
        at(3),
        Command::Replace {
            form: Box::new(access_form(&[id(1)])),
            precondition: Precondition::Any,
        },
    )
    .unwrap_err();
    assert_eq!(edit.code(), "illegal_transition");
}

#[test]
fn returned_applications_come_back_to_where_they_were_with_the_answer() {
    let (application, a, _) = two_committee_review();
    let voted = vote(&application, "ana", &a, VoteChoice::Approve, false).unwrap();
    let returned = run(
        &voted,
        &member("ana", &a),
        at(6),
        Command::Return {
            questions: text("Which scanner protocols?"),
        },
    )
    .unwrap();
    assert_eq!(returned.status, ApplicationStatus::Returned);
    let resubmitted = run(
        &returned,
        &researcher(),
        at(9),
        Command::Resubmit {
            answer: text("Low-dose protocols only."),
            datasets: vec![
                facts(id(1), a.id, DuoPermission::GeneralResearchUse, vec![]),
                facts(id(2), committee_id(20), ds("C50"), vec![]),
            ],
            policy: POLICY,
        },
    )
    .unwrap();
    assert_eq!(resubmitted.status, ApplicationStatus::UnderReview);
    assert_eq!(
        resubmitted.exchanges[0].answer.as_ref().unwrap().as_str(),
        "Low-dose protocols only."
    );
    assert_eq!(
        resubmitted.part(a.id).unwrap().votes.len(),
        1,
        "votes survive a return"
    );
}

#[test]
fn every_change_replays_to_the_same_application() {
    let (application, a, b) = two_committee_review();
    let mut events = Vec::new();
    let mut state = application.clone();
    for (sub, committee, choice) in [
        ("ana", &a, VoteChoice::Approve),
        ("dora", &b, VoteChoice::Refuse),
    ] {
        let (next, changes) = state
            .handle(
                Context {
                    principal: &member(sub, committee),
                    now: at(7),
                },
                Command::Vote {
                    committee: committee.clone(),
                    choice,
                    reason: text("r"),
                    change: false,
                },
            )
            .unwrap();
        events.extend(changes);
        state = next;
    }
    let replayed = events.iter().fold(application, |s, e| s.apply(e));
    assert_eq!(replayed, state);
}

// ---- Deadlines (Art 68) ----

#[test]
fn completeness_is_due_four_weeks_after_receipt_and_decision_three_months_after_art_68() {
    let policy = DeadlinePolicy::default();
    let submitted = submit(&draft(access_form(&[id(1)])), &lung()).unwrap();
    let clock = submitted.clock.clone().unwrap();
    assert_eq!(clock.stage, Stage::Completeness);
    assert_eq!(clock.due_at(&policy, at(2)), at(2) + Duration::days(28));
    let admin = principal("root", &[Role::HdabAdmin], &[]);
    let accepted = run(&submitted, &admin, at(10), Command::Accept).unwrap();
    let clock = accepted.clock.clone().unwrap();
    assert_eq!(
        clock.due_at(&policy, at(10)),
        Utc.with_ymd_and_hms(2026, 4, 10, 9, 0, 0).unwrap()
    );
    let extended = run(
        &accepted,
        &admin,
        at(11),
        Command::Extend {
            reason: text("Two committees, one of them new."),
        },
    )
    .unwrap();
    assert_eq!(
        extended.clock.as_ref().unwrap().due_at(&policy, at(11)),
        Utc.with_ymd_and_hms(2026, 7, 10, 9, 0, 0).unwrap()
    );
    let twice = run(
        &extended,
        &admin,
        at(12),
        Command::Extend {
            reason: text("Again."),
        },
    )
    .unwrap_err();
    assert_eq!(twice.code(), "already_extended");
}

#[test]
fn public_sector_applicants_under_purposes_a_to_c_get_the_accelerated_track_art_68() {
    let mut form = access_form(&[id(1)]);
    form.organisation.as_mut().unwrap().organisation_type = OrganisationType::PublicSectorBody;
    form.purpose.as_mut().unwrap().purpose = Purpose::PublicHealth;
    assert_eq!(Track::of(&form), Track::Accelerated);
    assert_eq!(Track::of(&data_request_form(&[id(1)])), Track::DataRequest);
    assert_eq!(Track::of(&access_form(&[id(1)])), Track::Standard);
}

#[test]
fn the_clock_stops_while_the_application_is_returned_art_68() {
    let policy = DeadlinePolicy::default();
    let submitted = submit(&draft(access_form(&[id(1)])), &lung()).unwrap();
    let due = submitted.clock.as_ref().unwrap().due_at(&policy, at(2));
    let admin = principal("root", &[Role::HdabAdmin], &[]);
    let returned = run(
        &submitted,
        &admin,
        at(5),
        Command::Return {
            questions: text("Which variables exactly?"),
        },
    )
    .unwrap();
    assert!(
        returned
            .clock
            .as_ref()
            .unwrap()
            .alert_due(&policy, due + Duration::days(30))
            .is_none()
    );
    let resubmitted = run(
        &returned,
        &researcher(),
        at(15),
        Command::Resubmit {
            answer: text("Age and stage."),
            datasets: lung(),
            policy: POLICY,
        },
    )
    .unwrap();
    assert_eq!(resubmitted.status, ApplicationStatus::Submitted);
    assert_eq!(
        resubmitted.clock.as_ref().unwrap().due_at(&policy, at(15)),
        due + Duration::days(10),
        "ten days returned, ten days later"
    );
}

#[test]
fn each_deadline_alert_is_due_once_per_stage() {
    let policy = DeadlinePolicy::default();
    let submitted = submit(&draft(access_form(&[id(1)])), &lung()).unwrap();
    assert!(submitted.deadline_alert(&policy, at(3)).is_none());
    let warned_at = at(2) + Duration::days(22);
    let warning = submitted.deadline_alert(&policy, warned_at).unwrap();
    let warned = submitted.apply(&warning);
    assert!(warned.deadline_alert(&policy, warned_at).is_none());
    let late = warned
        .deadline_alert(&policy, at(2) + Duration::days(29))
        .unwrap();
    assert!(matches!(
        late.change,
        ApplicationChange::DeadlineAlert {
            alert: Alert::Overdue,
            ..
        }
    ));
}

#[test]
fn comments_by_a_member_of_one_committee_are_filed_under_it() {
    let (application, a, _) = two_committee_review();
    let commented = run(
        &application,
        &member("ana", &a),
        at(4),
        Command::Comment {
            committee_id: None,
            visibility: CommentVisibility::Internal,
            text: text("Check the consent basis."),
        },
    )
    .unwrap();
    assert_eq!(commented.comments[0].committee_id, Some(a.id));
}

// ---- The state machine under random commands ----

mod state_machine {
    use proptest::prelude::*;

    use super::*;

    /// Who may try a command: the applicant, the members of the two committees of
    /// `two_committee_review`, an admin and a stranger.
    const ACTORS: [&str; 8] = ["alice", "ana", "ben", "cem", "dora", "emil", "root", "eve"];

    fn actor(index: usize, a: &Committee, b: &Committee) -> Principal {
        match ACTORS[index] {
            "alice" => researcher(),
            "root" => principal("root", &[Role::HdabAdmin], &[]),
            "eve" => principal("eve", &[Role::Researcher, Role::DacMember], &[]),
            sub @ ("ana" | "ben" | "cem") => member(sub, a),
            sub => member(sub, b),
        }
    }

    /// A command kind (its value mod 11 picks the command, the rest its variant), weighted
    /// towards the commands that move an application forward so that sequences reach every
    /// state: submissions, acceptances, votes and decisions.
    fn command_kind() -> impl Strategy<Value = u8> {
        let forward = prop::sample::select(vec![1u8, 3, 8, 8, 8, 9, 9]);
        (prop_oneof![3 => forward, 1 => 0u8..11], 0u8..6)
            .prop_map(|(kind, variant)| kind + 11 * variant)
    }

    /// Mostly the party a command is meant for, so that random sequences get far: the
    /// applicant edits and submits, an admin or a member accepts and returns, members vote.
    fn natural_actor(kind: u8, pick: usize, flag: bool) -> usize {
        let index = |name| ACTORS.iter().position(|a| *a == name).unwrap_or(0);
        match kind % 11 {
            0 | 1 | 2 | 5 => index("alice"),
            3 | 4 | 10 => index(if pick.is_multiple_of(2) {
                "root"
            } else {
                "ana"
            }),
            _ if flag => index(["ana", "ben", "cem"][pick % 3]),
            _ => index(["dora", "emil"][pick % 2]),
        }
    }

    fn datasets(a: &Committee, b: &Committee) -> Vec<DatasetFacts> {
        vec![
            facts(id(1), a.id, DuoPermission::GeneralResearchUse, vec![]),
            facts(id(2), b.id, ds("C50"), vec![]),
        ]
    }

    fn command(kind: u8, flag: bool, a: &Committee, b: &Committee) -> Command {
        let committee = if flag { a.clone() } else { b.clone() };
        let approve = !(kind / 11).is_multiple_of(3);
        let choice = if approve {
            VoteChoice::Approve
        } else {
            VoteChoice::Refuse
        };
        let outcome = if approve {
            PartOutcome::Approve
        } else {
            PartOutcome::Refuse
        };
        // B's dataset is denied by its data-use match: approving it needs an override.
        let overrides = if flag {
            Vec::new()
        } else {
            vec![Override {
                dataset_id: id(2),
                justification: text("Justified."),
            }]
        };
        match kind % 11 {
            0 => Command::Replace {
                form: Box::new(access_form(&[id(1), id(2)])),
                precondition: Precondition::Any,
            },
            1 => Command::Submit {
                datasets: datasets(a, b),
                policy: POLICY,
            },
            2 => Command::Withdraw { reason: None },
            3 => Command::Accept,
            4 => Command::Return {
                questions: text("Why?"),
            },
            5 => Command::Resubmit {
                answer: text("Because."),
                datasets: datasets(a, b),
                policy: POLICY,
            },
            6 => Command::Comment {
                committee_id: None,
                visibility: CommentVisibility::Public,
                text: text("Noted."),
            },
            7 => Command::DeclareConflict {
                committee_id: committee.id,
                reason: text("Related."),
            },
            8 => Command::Vote {
                committee,
                choice,
                reason: text("Reasoned."),
                change: (kind / 33) % 2 == 1,
            },
            9 => Command::DecidePart {
                committee,
                outcome,
                reasons: text("Decided."),
                overrides,
            },
            _ => Command::Extend {
                reason: text("Busy."),
            },
        }
    }

    /// What must hold of an application in every state it can reach.
    fn check_invariants(application: &Application) {
        use ApplicationStatus::*;
        let status = application.status;
        match status {
            Draft => {
                assert!(application.submitted_at.is_none() && application.parts.is_empty());
                assert!(application.clock.is_none());
            }
            Submitted | Returned | UnderReview => {
                let clock = application
                    .clock
                    .as_ref()
                    .expect("an open application has a clock");
                assert_eq!(clock.is_paused(), status == Returned);
                assert_eq!(
                    clock.stage == Stage::Decision,
                    application
                        .exchanges
                        .last()
                        .map_or(status == UnderReview, |e| {
                            if status == Returned {
                                e.returned_from == UnderReview
                            } else {
                                status == UnderReview
                            }
                        })
                );
            }
            Approved | PartiallyApproved | Refused => {
                let decision = application
                    .decision
                    .as_ref()
                    .expect("a decided application says why");
                assert_eq!(decision.status, status);
                assert!(application.clock.is_none());
            }
            Withdrawn => assert!(application.clock.is_none()),
        }
        if matches!(status, Approved | PartiallyApproved) {
            assert!(application.parts.iter().all(|p| p.decision.is_some()));
        }
        for part in &application.parts {
            let members: BTreeSet<&Subject> = part.votes.iter().map(|v| &v.member).collect();
            assert_eq!(
                members.len(),
                part.votes.len(),
                "one current vote per member"
            );
            assert!(part.votes.iter().all(|v| {
                !part
                    .conflicts
                    .iter()
                    .any(|c| c.member == v.member && c.declared_at < v.cast_at)
            }));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        fn random_commands_never_reach_an_illegal_state_and_every_change_replays(
            steps in proptest::collection::vec(
                (0..ACTORS.len(), command_kind(), any::<bool>(), proptest::bool::weighted(0.8)),
                1..60,
            )
        ) {
            let (_, a, b) = two_committee_review();
            let (mut state, created) = Application::create(
                ApplicationId::from_uuid(uuid::Uuid::from_u128(7)),
                subject("alice"),
                access_form(&[id(1), id(2)]),
                at(1),
            );
            let mut log = vec![created];
            for (step, (who, kind, flag, natural)) in steps.into_iter().enumerate() {
                let who = if natural { natural_actor(kind, who, flag) } else { who };
                let principal = actor(who, &a, &b);
                let command = command(kind, flag, &a, &b);
                let action = command.action();
                let before = state.clone();
                let now = at(1) + Duration::hours(step as i64 + 1);
                match state.handle(Context { principal: &principal, now }, command) {
                    Ok((next, events)) => {
                        let allowed = lifecycle::allowed(before.status, &before.parties(&principal));
                        prop_assert!(allowed.contains(&action), "{action} in {}", before.status);
                        prop_assert_eq!(next.version, before.version + events.len() as i64);
                        log.extend(events);
                        state = next;
                    }
                    Err(_) => prop_assert_eq!(&state, &before),
                }
                check_invariants(&state);
            }
            prop_assert_eq!(Application::replay(&log), Some(state));
        }
    }
}
