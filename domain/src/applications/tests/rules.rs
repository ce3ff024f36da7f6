//! The rules at submission, each named after its article.

use super::*;

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
