//! Wire application → domain form, and the command bodies → domain values: every field
//! checked, every failure named by its path.

use hdab_domain::applications::form::*;
use hdab_domain::applications::review::{
    CommentVisibility, FeeEstimate, Override, PartOutcome, VoteChoice,
};
use hdab_domain::catalogue::Period;
use hdab_domain::catalogue::icd10::IcdCode;
use hdab_domain::catalogue::text::{LongText, ShortText};
use hdab_domain::codes;
use hdab_domain::ids::{CommitteeId, DatasetId};
use hdab_domain::publisher::OrganisationType;
use hdab_domain::values::{CountryCode, Email, Name, Subject};
use hdab_domain::{DomainError, FieldErrors, ValueError};

use super::commands::{CommentInput, PartDecisionInput, VoteInput};
use super::types::*;
use crate::fields::{parse_each, parse_optional, within};

impl TryFrom<&ApplicationInput> for ApplicationForm {
    type Error = DomainError;

    fn try_from(input: &ApplicationInput) -> Result<Self, DomainError> {
        let mut errors = FieldErrors::new();
        let kind = errors.take("kind", ApplicationKind::parse(&input.kind));
        let organisation = input
            .organisation
            .as_ref()
            .and_then(|o| organisation(&mut errors, o));
        let principal_investigator = input
            .principal_investigator
            .as_ref()
            .and_then(|p| person(&mut errors, "principal_investigator", p));
        let purpose = input.purpose.as_ref().and_then(|p| purpose(&mut errors, p));
        let dataset_ids = if within(&mut errors, "dataset_ids", input.dataset_ids.len()) > 0 {
            input
                .dataset_ids
                .iter()
                .map(|id| DatasetId::from_uuid(*id))
                .collect()
        } else {
            Vec::new()
        };
        let declared_use = declared_use(&mut errors, &input.declared_use);
        let prohibited_uses = parse_each(
            &mut errors,
            "prohibited_uses",
            &input.prohibited_uses,
            ProhibitedUse::parse,
        );
        let details = kind.and_then(|kind| kind_details(&mut errors, kind, input));
        errors.finish()?;
        let details = details.ok_or_else(|| DomainError::Invalid(Vec::new()))?;
        Ok(ApplicationForm {
            organisation,
            principal_investigator,
            purpose,
            dataset_ids,
            declared_use,
            prohibited_uses,
            art_54_declaration: input.art_54_declaration,
            details,
        })
    }
}

fn organisation(errors: &mut FieldErrors, wire: &OrganisationWire) -> Option<Organisation> {
    let name = errors.take("organisation.name", Name::parse(&wire.name));
    let organisation_type = errors.take(
        "organisation.organisation_type",
        OrganisationType::parse(&wire.organisation_type),
    );
    let country = errors.take("organisation.country", CountryCode::parse(&wire.country));
    Some(Organisation {
        name: name?,
        organisation_type: organisation_type?,
        country: country?,
    })
}

pub(crate) fn person(errors: &mut FieldErrors, field: &str, wire: &PersonWire) -> Option<Person> {
    let subject = errors.take(format!("{field}.subject"), Subject::parse(&wire.subject));
    let name = errors.take(format!("{field}.name"), Name::parse(&wire.name));
    let email = errors.take(format!("{field}.email"), Email::parse(&wire.email));
    Some(Person {
        subject: subject?,
        name: name?,
        email: email?,
    })
}

fn purpose(errors: &mut FieldErrors, wire: &PurposeWire) -> Option<PurposeStatement> {
    let purpose = errors.take("purpose.purpose", Purpose::parse(&wire.purpose));
    let research_kind = parse_optional(
        errors,
        "purpose.research_kind",
        wire.research_kind.as_deref(),
        ResearchKind::parse,
    );
    if research_kind.is_some() && purpose.is_some_and(|p| p != Purpose::ScientificResearch) {
        errors.add(
            "purpose.research_kind",
            ValueError::new(
                codes::INVALID_VALUE,
                "a research kind goes only with `scientific_research` (EHDS Art 53(1)(e))",
            ),
        );
    }
    let explanation = errors.take("purpose.explanation", LongText::parse(&wire.explanation));
    let expected_benefit = errors.take(
        "purpose.expected_benefit",
        LongText::parse(&wire.expected_benefit),
    );
    Some(PurposeStatement {
        purpose: purpose?,
        research_kind,
        explanation: explanation?,
        expected_benefit: expected_benefit?,
    })
}

fn declared_use(errors: &mut FieldErrors, wire: &DeclaredUseWire) -> DeclaredUse {
    DeclaredUse {
        diseases: parse_each(
            errors,
            "declared_use.diseases",
            &wire.diseases,
            IcdCode::parse,
        ),
        commercial_use: wire.commercial_use,
        for_profit_organisation: wire.for_profit_organisation,
        methods_development: wire.methods_development,
        ancestry_research: wire.ancestry_research,
        publication_intended: wire.publication_intended,
    }
}

/// The kind's own part; the other kind's part must be absent.
fn kind_details(
    errors: &mut FieldErrors,
    kind: ApplicationKind,
    input: &ApplicationInput,
) -> Option<KindDetails> {
    let (own, other) = match kind {
        ApplicationKind::AccessApplication => ("access", input.data_request.is_some()),
        ApplicationKind::DataRequest => ("data_request", input.access.is_some()),
    };
    if other {
        let stray = if own == "access" {
            "data_request"
        } else {
            "access"
        };
        errors.add(
            stray,
            ValueError::new(
                codes::INVALID_VALUE,
                format!("does not go with kind `{kind}`; send `{own}`"),
            ),
        );
    }
    Some(match kind {
        ApplicationKind::AccessApplication => KindDetails::Access(access(
            errors,
            input.access.as_ref().unwrap_or(&AccessWire::default()),
        )),
        ApplicationKind::DataRequest => {
            KindDetails::DataRequest(data_request(errors, input.data_request.as_ref())?)
        }
    })
}

/// The longest processing period an application may ask for: 50 years, far past any permit.
const MAX_PROCESSING_MONTHS: u32 = 600;

fn access(errors: &mut FieldErrors, wire: &AccessWire) -> AccessDetails {
    let persons = within(
        errors,
        "access.authorised_persons",
        wire.authorised_persons.len(),
    );
    let authorised_persons = wire.authorised_persons[..persons]
        .iter()
        .enumerate()
        .filter_map(|(i, p)| person(errors, &format!("access.authorised_persons[{i}]"), p))
        .collect();
    let text = |errors: &mut FieldErrors, field: &str, value: &Option<String>| {
        parse_optional(errors, field, value.as_deref(), LongText::parse)
    };
    let months_in_range = wire
        .processing_months
        .is_none_or(|m| (1..=MAX_PROCESSING_MONTHS).contains(&m));
    if !months_in_range {
        errors.add(
            "access.processing_months",
            ValueError::new(
                codes::OUT_OF_RANGE,
                format!("must be between 1 and {MAX_PROCESSING_MONTHS}"),
            ),
        );
    }
    AccessDetails {
        authorised_persons,
        data: wire.data.as_ref().and_then(|d| requested_data(errors, d)),
        data_form: parse_optional(
            errors,
            "access.data_form",
            wire.data_form.as_deref(),
            DataForm::parse,
        ),
        pseudonymisation_justification: text(
            errors,
            "access.pseudonymisation_justification",
            &wire.pseudonymisation_justification,
        ),
        safeguards: text(errors, "access.safeguards", &wire.safeguards),
        processing_months: wire.processing_months.filter(|_| months_in_range),
        spe_tools: parse_each(
            errors,
            "access.spe_tools",
            &wire.spe_tools,
            ShortText::parse,
        ),
        ethics_approval: parse_optional(
            errors,
            "access.ethics_approval",
            wire.ethics_approval.as_deref(),
            ShortText::parse,
        ),
        opt_out_exception: wire.opt_out_exception,
        opt_out_justification: text(
            errors,
            "access.opt_out_justification",
            &wire.opt_out_justification,
        ),
    }
}

fn requested_data(errors: &mut FieldErrors, wire: &RequestedDataWire) -> Option<RequestedData> {
    let variables = parse_each(
        errors,
        "access.data.variables",
        &wire.variables,
        ShortText::parse,
    );
    let countries = parse_each(
        errors,
        "access.data.countries",
        &wire.countries,
        CountryCode::parse,
    );
    let population = errors.take("access.data.population", LongText::parse(&wire.population));
    let period = match &wire.period {
        Some(p) => Some(errors.take("access.data.period", Period::new(p.start, p.end))?),
        None => None,
    };
    Some(RequestedData {
        variables,
        population: population?,
        period,
        countries,
    })
}

fn data_request(
    errors: &mut FieldErrors,
    wire: Option<&DataRequestWire>,
) -> Option<DataRequestDetails> {
    let Some(wire) = wire else {
        return Some(DataRequestDetails::default());
    };
    let output = errors.take(
        "data_request.output",
        DataRequestOutput::parse(&wire.output),
    );
    Some(DataRequestDetails {
        statistical_question: parse_optional(
            errors,
            "data_request.statistical_question",
            wire.statistical_question.as_deref(),
            LongText::parse,
        ),
        expected_tables: parse_each(
            errors,
            "data_request.expected_tables",
            &wire.expected_tables,
            ShortText::parse,
        ),
        aggregates_justification: parse_optional(
            errors,
            "data_request.aggregates_justification",
            wire.aggregates_justification.as_deref(),
            LongText::parse,
        ),
        output: output?,
    })
}

/// A required text of a command body.
pub fn required_text(field: &str, value: &str) -> Result<LongText, DomainError> {
    LongText::parse(value).map_err(|error| one_error(field, error))
}

/// An optional text of a command body.
pub fn optional_text(field: &str, value: Option<&str>) -> Result<Option<LongText>, DomainError> {
    value.map(|v| required_text(field, v)).transpose()
}

fn one_error(field: &str, error: ValueError) -> DomainError {
    let mut errors = FieldErrors::new();
    errors.add(field, error);
    errors.into_error()
}

impl VoteInput {
    pub fn parse(&self) -> Result<(VoteChoice, LongText), DomainError> {
        let mut errors = FieldErrors::new();
        let choice = errors.take("choice", VoteChoice::parse(&self.choice));
        let reason = errors.take("reason", LongText::parse(&self.reason));
        errors.finish()?;
        choice
            .zip(reason)
            .ok_or_else(|| DomainError::Invalid(Vec::new()))
    }
}

/// A part decision's fields as the domain takes them.
pub type PartDecisionFields = (PartOutcome, LongText, Vec<Override>, Option<FeeEstimate>);

impl PartDecisionInput {
    pub fn parse(&self) -> Result<PartDecisionFields, DomainError> {
        let mut errors = FieldErrors::new();
        let outcome = errors.take("outcome", PartOutcome::parse(&self.outcome));
        let reasons = errors.take("reasons", LongText::parse(&self.reasons));
        let count = within(&mut errors, "overrides", self.overrides.len());
        let overrides: Vec<Override> = self.overrides[..count]
            .iter()
            .enumerate()
            .filter_map(|(i, o)| {
                let justification = errors.take(
                    format!("overrides[{i}].justification"),
                    LongText::parse(&o.justification),
                )?;
                Some(Override {
                    dataset_id: DatasetId::from_uuid(o.dataset_id),
                    justification,
                })
            })
            .collect();
        let fee_estimate = self.fee_estimate.as_ref().and_then(|fee| {
            let currency = errors.take("fee_estimate.currency", currency(&fee.currency))?;
            Some(FeeEstimate {
                amount_minor: fee.amount_minor,
                currency,
            })
        });
        errors.finish()?;
        let (outcome, reasons) = outcome
            .zip(reasons)
            .ok_or_else(|| DomainError::Invalid(Vec::new()))?;
        Ok((outcome, reasons, overrides, fee_estimate))
    }
}

/// An ISO 4217 currency code: three capital letters.
fn currency(code: &str) -> Result<String, ValueError> {
    if code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(code.to_owned())
    } else {
        Err(ValueError::new(
            codes::INVALID_CURRENCY,
            "must be an ISO 4217 code of three capital letters, e.g. EUR",
        ))
    }
}

impl CommentInput {
    pub fn parse(&self) -> Result<(Option<CommitteeId>, CommentVisibility, LongText), DomainError> {
        let mut errors = FieldErrors::new();
        let visibility = errors.take("visibility", CommentVisibility::parse(&self.visibility));
        let text = errors.take("text", LongText::parse(&self.text));
        errors.finish()?;
        let (visibility, text) = visibility
            .zip(text)
            .ok_or_else(|| DomainError::Invalid(Vec::new()))?;
        Ok((
            self.committee_id.map(CommitteeId::from_uuid),
            visibility,
            text,
        ))
    }
}
