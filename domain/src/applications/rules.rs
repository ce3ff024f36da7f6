//! The rules an application must meet when it is submitted. Each is a function of the form
//! and the facts it names, with the article it comes from; [`check_submission`] runs them all
//! and reports every broken one at once, each under the field it concerns.

use super::form::{
    AccessDetails, ApplicationForm, DataForm, DataRequestDetails, DataRequestOutput, KindDetails,
    ProhibitedUse, Purpose,
};
use crate::catalogue::DatasetStatus;
use crate::catalogue::duo::DataUseConditions;
use crate::codes;
use crate::ids::{CommitteeId, DatasetId, PublisherId};
use crate::publisher::OrganisationType;
use crate::{DomainError, FieldErrors, ValueError};

/// What hdab knows of a dataset an application names, as of the submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatasetFacts {
    pub id: DatasetId,
    pub status: DatasetStatus,
    pub publisher_id: PublisherId,
    pub committee_id: CommitteeId,
    pub data_use: DataUseConditions,
}

/// The settings of this HDAB that submission rules read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubmissionPolicy {
    /// Whether this Member State provides the opt-out exception of Art 71(4). Off by default.
    pub opt_out_exception_available: bool,
}

/// Art 53(2): purposes (a) to (c) are open only to public sector bodies and Union institutions.
pub fn purpose_open_to(purpose: Purpose, applicant: OrganisationType) -> Result<(), ValueError> {
    if purpose.is_public_interest() && !applicant.is_public_sector() {
        return Err(ValueError::new(
            codes::PURPOSE_RESERVED_TO_PUBLIC_SECTOR,
            format!(
                "purpose ({}) `{purpose}` is reserved to public sector bodies and Union institutions (EHDS Art 53(2)); the applicant is `{applicant}`",
                purpose.letter()
            ),
        ));
    }
    Ok(())
}

/// Art 54: the uses the applicant declared that the regulation prohibits, with the reason a
/// refusal gives. `None` when none is declared.
pub fn prohibited_use_refusal(form: &ApplicationForm) -> Option<String> {
    if form.prohibited_uses.is_empty() {
        return None;
    }
    let uses: Vec<String> = form
        .prohibited_uses
        .iter()
        .map(|u: &ProhibitedUse| format!("`{u}` (Art 54(1)({}))", u.letter()))
        .collect();
    Some(format!(
        "the application declares a use the EHDS prohibits: {} (EHDS Art 54)",
        uses.join(", ")
    ))
}

/// Art 66(3): pseudonymised data need a justification of why anonymised data cannot serve.
pub fn pseudonymisation_justified(access: &AccessDetails) -> Result<(), ValueError> {
    if access.data_form == Some(DataForm::Pseudonymised)
        && access.pseudonymisation_justification.is_none()
    {
        return Err(ValueError::new(
            codes::JUSTIFICATION_REQUIRED,
            "pseudonymised data need a justification of why anonymised data cannot serve (EHDS Art 66(3))",
        ));
    }
    Ok(())
}

/// Art 69: a data request is answered in anonymised statistical form only.
pub fn data_request_is_statistical(request: &DataRequestDetails) -> Result<(), ValueError> {
    if request.output == DataRequestOutput::RecordLevel {
        return Err(ValueError::new(
            codes::RECORD_LEVEL_NOT_AVAILABLE,
            "a data request is answered with anonymised statistics only (EHDS Art 69); file an access application for record-level data",
        ));
    }
    Ok(())
}

/// Only published datasets can be applied for: a draft is not yet offered, and a withdrawn
/// one no longer is.
pub fn dataset_available(id: DatasetId, facts: Option<&DatasetFacts>) -> Result<(), ValueError> {
    match facts {
        None => Err(ValueError::new(
            codes::UNKNOWN_DATASET,
            format!("no dataset has the id {id}"),
        )),
        Some(facts) if facts.status != DatasetStatus::Published => Err(ValueError::new(
            codes::DATASET_NOT_PUBLISHED,
            format!(
                "dataset {id} is {}; only published datasets can be applied for",
                facts.status
            ),
        )),
        Some(_) => Ok(()),
    }
}

/// Art 71(4): the opt-out exception exists only where the Member State provides it, needs a
/// justification, and serves only the public interest: purposes (a)–(c) of a public sector
/// body, or scientific research by a public, academic or non-profit organisation.
pub fn opt_out_exception_allowed(
    access: &AccessDetails,
    purpose: Option<Purpose>,
    applicant: Option<OrganisationType>,
    policy: SubmissionPolicy,
) -> Result<(), ValueError> {
    if !access.opt_out_exception {
        return Ok(());
    }
    if !policy.opt_out_exception_available {
        return Err(ValueError::new(
            codes::OPT_OUT_EXCEPTION_NOT_AVAILABLE,
            "this HDAB's Member State does not provide the opt-out exception of EHDS Art 71(4)",
        ));
    }
    if access.opt_out_justification.is_none() {
        return Err(ValueError::new(
            codes::JUSTIFICATION_REQUIRED,
            "the opt-out exception needs a justification of why the data cannot be obtained otherwise (EHDS Art 71(4))",
        ));
    }
    let public_interest = match (purpose, applicant) {
        (Some(purpose), Some(applicant)) if purpose.is_public_interest() => {
            applicant.is_public_sector()
        }
        (Some(Purpose::ScientificResearch), Some(applicant)) => {
            applicant != OrganisationType::Commercial
        }
        _ => false,
    };
    if !public_interest {
        return Err(ValueError::new(
            codes::OPT_OUT_EXCEPTION_PURPOSE,
            "the opt-out exception serves only purposes (a)–(c) of a public sector body or public-interest scientific research (EHDS Art 71(4))",
        ));
    }
    Ok(())
}

/// Every rule of a submission: what the regulation asks the form to hold, and the rules
/// above. All problems come back at once.
pub fn check_submission(
    form: &ApplicationForm,
    datasets: &[DatasetFacts],
    policy: SubmissionPolicy,
) -> Result<(), DomainError> {
    let mut errors = FieldErrors::new();
    let organisation_type = form.organisation_type();
    required(&mut errors, "organisation", form.organisation.is_some());
    required(
        &mut errors,
        "principal_investigator",
        form.principal_investigator.is_some(),
    );
    required(&mut errors, "purpose", form.purpose.is_some());
    if let (Some(purpose), Some(applicant)) = (&form.purpose, organisation_type) {
        errors.take(
            "purpose.purpose",
            purpose_open_to(purpose.purpose, applicant),
        );
    }
    if form.dataset_ids.is_empty() {
        errors.add(
            "dataset_ids",
            ValueError::new(codes::REQUIRED, "name at least one dataset"),
        );
    }
    for (index, id) in form.dataset_ids.iter().enumerate() {
        let facts = datasets.iter().find(|d| d.id == *id);
        errors.take(
            format!("dataset_ids[{index}]"),
            dataset_available(*id, facts),
        );
    }
    if !form.art_54_declaration && form.prohibited_uses.is_empty() {
        errors.add(
            "art_54_declaration",
            ValueError::new(
                codes::DECLARATION_REQUIRED,
                "declare that no use prohibited by EHDS Art 54 applies",
            ),
        );
    }
    let purpose = form.purpose.as_ref().map(|p| p.purpose);
    match &form.details {
        KindDetails::Access(access) => {
            check_access(&mut errors, access, purpose, organisation_type, policy)
        }
        KindDetails::DataRequest(request) => check_data_request(&mut errors, request),
    }
    errors.finish()
}

fn check_access(
    errors: &mut FieldErrors,
    access: &AccessDetails,
    purpose: Option<Purpose>,
    applicant: Option<OrganisationType>,
    policy: SubmissionPolicy,
) {
    required(errors, "access.data", access.data.is_some());
    required(errors, "access.data_form", access.data_form.is_some());
    required(errors, "access.safeguards", access.safeguards.is_some());
    required(
        errors,
        "access.processing_months",
        access.processing_months.is_some(),
    );
    errors.take(
        "access.pseudonymisation_justification",
        pseudonymisation_justified(access),
    );
    errors.take(
        "access.opt_out_exception",
        opt_out_exception_allowed(access, purpose, applicant, policy),
    );
}

fn check_data_request(errors: &mut FieldErrors, request: &DataRequestDetails) {
    required(
        errors,
        "data_request.statistical_question",
        request.statistical_question.is_some(),
    );
    if request.expected_tables.is_empty() {
        errors.add(
            "data_request.expected_tables",
            ValueError::new(codes::REQUIRED, "describe at least one expected table"),
        );
    }
    required(
        errors,
        "data_request.aggregates_justification",
        request.aggregates_justification.is_some(),
    );
    errors.take("data_request.output", data_request_is_statistical(request));
}

fn required(errors: &mut FieldErrors, field: &str, present: bool) {
    if !present {
        errors.add(
            field,
            ValueError::new(codes::REQUIRED, "is required for submission"),
        );
    }
}
