//! Permits: what an approval grants and for how long (EHDS Art 68), and how a permit changes.

use chrono::{Duration, TimeZone, Utc};

use super::*;
use crate::applications::review::{PartOutcome, VoteChoice};
use crate::applications::tests::{at, decide, ds, id, two_committee_review, vote};
use crate::catalogue::duo::{DuoModifier, DuoPermission};
use crate::values::Subject;

/// The partial approval of the applications tests: committee A approves dataset 1, B refuses
/// dataset 2.
fn partially_approved() -> Application {
    let (application, a, b) = two_committee_review();
    let mut state = vote(&application, "ana", &a, VoteChoice::Approve, false).unwrap();
    state = vote(&state, "ben", &a, VoteChoice::Approve, false).unwrap();
    state = decide(&state, "ana", &a, PartOutcome::Approve, vec![]).unwrap();
    state = vote(&state, "dora", &b, VoteChoice::Refuse, false).unwrap();
    decide(&state, "dora", &b, PartOutcome::Refuse, vec![]).unwrap()
}

fn terms(modifiers: Vec<DuoModifier>) -> DataUseConditions {
    DataUseConditions {
        permission: DuoPermission::GeneralResearchUse,
        modifiers,
    }
}

fn issued(modifiers: Vec<DuoModifier>) -> Permit {
    let application = partially_approved();
    let data_use = vec![
        (id(1), terms(modifiers)),
        (
            id(2),
            DataUseConditions {
                permission: ds("C50"),
                modifiers: vec![],
            },
        ),
    ];
    let permit_id = PermitId::from_uuid(uuid::Uuid::from_u128(5));
    Permit::issue(
        permit_id,
        &application,
        &data_use,
        &PermitPolicy::default(),
        at(10),
    )
    .unwrap()
}

/// The permit after a transition, without the change it records.
trait After {
    fn after(
        &self,
        party: PermitParty,
        by: &Subject,
        command: PermitCommand,
        now: chrono::DateTime<Utc>,
    ) -> Result<Permit, crate::DomainError>;
}

impl After for Permit {
    fn after(
        &self,
        party: PermitParty,
        by: &Subject,
        command: PermitCommand,
        now: chrono::DateTime<Utc>,
    ) -> Result<Permit, crate::DomainError> {
        self.transition(party, by, command, now)
            .map(|(permit, _)| permit)
    }
}

fn subject(s: &str) -> Subject {
    Subject::parse(s).unwrap()
}

#[test]
fn a_permit_grants_the_approved_datasets_only_art_68() {
    let permit = issued(vec![DuoModifier::Publication]);
    let granted: Vec<DatasetId> = permit.datasets.iter().map(|d| d.dataset_id).collect();
    assert_eq!(granted, [id(1)]);
    assert_eq!(permit.datasets[0].conditions[0].code, "PUB");
    assert_eq!(
        permit.authorised_subjects().len(),
        2,
        "the PI and one authorised person"
    );
    assert_eq!(permit.status, PermitStatus::Active);
}

#[test]
fn validity_ends_at_the_earliest_of_the_request_the_maximum_and_a_duo_time_limit_art_68() {
    // The form asks for 24 months.
    assert_eq!(
        issued(vec![]).valid_until,
        Utc.with_ymd_and_hms(2028, 1, 10, 9, 0, 0).unwrap()
    );
    assert_eq!(
        issued(vec![DuoModifier::TimeLimit(6)]).valid_until,
        Utc.with_ymd_and_hms(2026, 7, 10, 9, 0, 0).unwrap()
    );
    let short = PermitPolicy {
        max_months: 12,
        ..PermitPolicy::default()
    };
    let permit = issued(vec![]);
    assert_eq!(
        validity_months(Some(24), &permit.datasets, &short),
        12,
        "the regulatory maximum caps the request"
    );
}

#[test]
fn deletion_and_results_dates_follow_the_end_art_61() {
    let permit = issued(vec![]);
    let policy = PermitPolicy::default();
    assert_eq!(
        permit.deletion_due(&policy),
        add_months(permit.valid_until, 6)
    );
    assert_eq!(
        permit.results_due(&policy),
        add_months(permit.valid_until, 18)
    );
}

#[test]
fn a_refused_application_or_a_data_request_issues_no_permit() {
    let (application, _, _) = two_committee_review();
    let permit_id = PermitId::from_uuid(uuid::Uuid::from_u128(6));
    assert!(
        Permit::issue(
            permit_id,
            &application,
            &[],
            &PermitPolicy::default(),
            at(10)
        )
        .is_none()
    );
}

#[test]
fn a_permit_past_its_end_reads_as_expired_before_the_job_records_it() {
    let permit = issued(vec![DuoModifier::TimeLimit(1)]);
    assert_eq!(permit.status_at(at(11)), PermitStatus::Active);
    let early = permit.after(
        PermitParty::System,
        &subject("hdab"),
        PermitCommand::Expire,
        at(11),
    );
    assert_eq!(
        early.unwrap_err().code(),
        "illegal_transition",
        "not before its end"
    );
    let later = permit.valid_until + Duration::seconds(1);
    assert_eq!(permit.status_at(later), PermitStatus::Expired);
    let recorded = permit
        .after(
            PermitParty::System,
            &subject("hdab"),
            PermitCommand::Expire,
            later,
        )
        .unwrap();
    assert_eq!(recorded.status, PermitStatus::Expired);
    let again = recorded.after(
        PermitParty::System,
        &subject("hdab"),
        PermitCommand::Expire,
        later,
    );
    assert!(again.is_err(), "an expiry is recorded once");
}

#[test]
fn a_permit_is_extended_at_most_once_by_at_most_its_length_art_68() {
    let permit = issued(vec![DuoModifier::TimeLimit(6)]);
    let holder = subject("alice");
    let ask = |months| PermitCommand::RequestExtension {
        months,
        reason: "Recruitment ran late.".into(),
    };
    let too_long = permit.after(PermitParty::Holder, &holder, ask(7), at(12));
    assert_eq!(too_long.unwrap_err().code(), "validation_failed");
    let asked = permit
        .after(PermitParty::Holder, &holder, ask(6), at(12))
        .unwrap();
    let granted = asked
        .after(
            PermitParty::Committee,
            &subject("ana"),
            PermitCommand::DecideExtension { grant: true },
            at(13),
        )
        .unwrap();
    assert_eq!(granted.valid_until, add_months(permit.valid_until, 6));
    let twice = granted.after(PermitParty::Holder, &holder, ask(1), at(14));
    assert_eq!(twice.unwrap_err().code(), "already_extended");
}

#[test]
fn revocation_records_its_reason_and_the_art_63_notice() {
    let permit = issued(vec![]);
    let revoke = |reason: &str| PermitCommand::Revoke {
        reason: reason.into(),
        notice: "Notified on 2026-01-12; no answer within 4 weeks.".into(),
    };
    let by_holder = permit.after(PermitParty::Holder, &subject("alice"), revoke("x"), at(12));
    assert_eq!(by_holder.unwrap_err().code(), "illegal_transition");
    let without_reason = permit.after(PermitParty::Admin, &subject("root"), revoke(" "), at(12));
    assert_eq!(without_reason.unwrap_err().code(), "validation_failed");
    let revoked = permit
        .after(
            PermitParty::Admin,
            &subject("root"),
            revoke("Data shared outside the SPE."),
            at(12),
        )
        .unwrap();
    assert_eq!(revoked.status_at(at(13)), PermitStatus::Revoked);
    assert!(revoked.revocation.unwrap().notice.contains("4 weeks"));
}

#[test]
fn suspension_pauses_and_reinstatement_resumes() {
    let permit = issued(vec![]);
    let committee = subject("ana");
    let suspended = permit
        .after(
            PermitParty::Committee,
            &committee,
            PermitCommand::Suspend {
                reason: "Audit of the SPE logs.".into(),
            },
            at(12),
        )
        .unwrap();
    assert_eq!(suspended.status, PermitStatus::Suspended);
    let amend = suspended.after(
        PermitParty::Holder,
        &subject("alice"),
        PermitCommand::Amend {
            add: vec![],
            remove: vec![subject("bruno")],
        },
        at(13),
    );
    assert_eq!(amend.unwrap_err().code(), "illegal_transition");
    let resumed = suspended
        .after(
            PermitParty::Committee,
            &committee,
            PermitCommand::Reinstate,
            at(14),
        )
        .unwrap();
    assert_eq!(resumed.status, PermitStatus::Active);
}

#[test]
fn amendments_are_new_versions_with_their_history() {
    let permit = issued(vec![]);
    let amended = permit
        .after(
            PermitParty::Holder,
            &subject("alice"),
            PermitCommand::Amend {
                add: vec![],
                remove: vec![permit.authorised_persons[0].subject.clone()],
            },
            at(12),
        )
        .unwrap();
    assert_eq!(amended.version, permit.version + 1);
    assert_eq!(amended.authorised_persons.len(), 0);
    assert_eq!(amended.amendments.len(), 1);
    assert_eq!(amended.amendments[0].version, amended.version);
}

#[test]
fn a_closed_permit_records_where_its_results_are() {
    let permit = issued(vec![]);
    let closed = permit
        .after(
            PermitParty::Holder,
            &subject("alice"),
            PermitCommand::Close {
                results_link: "https://doi.org/10.1234/results".into(),
            },
            at(20),
        )
        .unwrap();
    assert_eq!(closed.status, PermitStatus::Closed);
    assert_eq!(
        closed.results_link.as_deref(),
        Some("https://doi.org/10.1234/results")
    );
}

#[test]
fn each_transition_records_its_change() {
    let permit = issued(vec![]);
    let (_, change) = permit
        .transition(
            PermitParty::Admin,
            &subject("root"),
            PermitCommand::Suspend {
                reason: "Art 63 notice sent.".into(),
            },
            at(12),
        )
        .unwrap();
    assert_eq!(change, PermitChange::Suspended);
    assert_eq!(change.as_str(), "permit.suspended");
}

#[test]
fn a_visa_stops_holding_when_its_permit_is_revoked_suspended_or_ended() {
    use super::visa::{PermitGrant, VisaClaims, VisaInvalidity};
    let permit = issued(vec![]);
    let pi = permit.principal_investigator.subject.clone();
    let claims = VisaClaims::new(
        &permit,
        &pi,
        id(1),
        "https://hdab.example/api/v1/datasets/1".into(),
        "https://hdab.example",
        at(11),
        Duration::hours(1),
    );
    let grant = PermitGrant::from(&permit);
    let during = at(11) + Duration::minutes(30);
    assert_eq!(PermitGrant::judge(Some(&grant), &claims, during), Ok(()));
    assert_eq!(
        PermitGrant::judge(None, &claims, during),
        Err(VisaInvalidity::UnknownPermit)
    );
    assert_eq!(
        PermitGrant::judge(Some(&grant), &claims, at(11) + Duration::hours(1)),
        Err(VisaInvalidity::Expired),
        "a visa lives an hour"
    );
    for (status, reason) in [
        (PermitStatus::Revoked, VisaInvalidity::Revoked),
        (PermitStatus::Suspended, VisaInvalidity::Suspended),
        (PermitStatus::Closed, VisaInvalidity::Expired),
    ] {
        let changed = PermitGrant {
            status,
            ..grant.clone()
        };
        assert_eq!(
            PermitGrant::judge(Some(&changed), &claims, during),
            Err(reason)
        );
    }
    let removed = PermitGrant {
        subjects: vec!["someone-else".into()],
        ..grant.clone()
    };
    assert_eq!(
        PermitGrant::judge(Some(&removed), &claims, during),
        Err(VisaInvalidity::Revoked),
        "a person amended out of the permit loses their visas at once"
    );
}

#[test]
fn a_visa_never_outlives_its_permit() {
    use super::visa::VisaClaims;
    let permit = issued(vec![]);
    let pi = permit.principal_investigator.subject.clone();
    let late = permit.valid_until - Duration::minutes(10);
    let claims = VisaClaims::new(
        &permit,
        &pi,
        id(1),
        "iri".into(),
        "iss",
        late,
        Duration::hours(1),
    );
    assert_eq!(claims.exp, permit.valid_until.timestamp());
    assert_eq!(claims.ga4gh_visa_v1.kind, "ControlledAccessGrants");
    assert_eq!(claims.ga4gh_visa_v1.by, "dac");
}
