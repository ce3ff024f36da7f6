//! Data-use (DUO) matching of a declared use against a dataset's conditions.

use super::*;

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
