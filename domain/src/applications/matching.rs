//! Data-use matching: a dataset's GA4GH DUO conditions against the use an applicant declares,
//! after the Broad DUOS algorithm (v4) as EHDS.md describes it. The answer is `approve`,
//! `deny` or `needs_review`, with one reason per condition that decided it, so the applicant
//! and the committee read the same account.

use serde::{Deserialize, Serialize};

use super::form::{ApplicationForm, DeclaredUse};
use crate::catalogue::duo::{DataUseConditions, DuoModifier, DuoPermission};
use crate::code_enum;
use crate::codes;
use crate::ids::DatasetId;

code_enum!(
    /// How a declared use fares against a dataset's conditions; the worst condition wins.
    MatchOutcome, codes::UNKNOWN_MATCH_OUTCOME {
        Approve = "approve",
        NeedsReview = "needs_review",
        Deny = "deny",
    }
);

/// Why one condition gave its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchReason {
    /// The DUO short code of the condition (`DS`, `NCU`, ...).
    pub condition: String,
    pub outcome: MatchOutcome,
    /// The declared fact or missing information it turned on, in a sentence.
    pub reason: String,
}

/// One dataset's match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatasetMatch {
    pub dataset_id: DatasetId,
    pub outcome: MatchOutcome,
    pub reasons: Vec<MatchReason>,
}

/// What the applicant's use is about, in DUO's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UseCategory {
    Disease,
    Ancestry,
    HealthBiomedical,
}

fn category(declared: &DeclaredUse) -> UseCategory {
    if !declared.diseases.is_empty() {
        UseCategory::Disease
    } else if declared.ancestry_research {
        UseCategory::Ancestry
    } else {
        UseCategory::HealthBiomedical
    }
}

/// Matches `form`'s declared use against one dataset's conditions.
pub fn match_dataset(
    dataset_id: DatasetId,
    conditions: &DataUseConditions,
    form: &ApplicationForm,
) -> DatasetMatch {
    let mut reasons = vec![permission(&conditions.permission, &form.declared_use)];
    reasons.extend(
        conditions
            .modifiers
            .iter()
            .filter_map(|modifier| self::modifier(modifier, form)),
    );
    let outcome = reasons
        .iter()
        .map(|r| r.outcome)
        .max()
        .unwrap_or(MatchOutcome::Approve);
    DatasetMatch {
        dataset_id,
        outcome,
        reasons,
    }
}

fn reason(condition: &str, outcome: MatchOutcome, why: impl Into<String>) -> MatchReason {
    MatchReason {
        condition: condition.to_owned(),
        outcome,
        reason: why.into(),
    }
}

fn permission(permission: &DuoPermission, declared: &DeclaredUse) -> MatchReason {
    use MatchOutcome::{Approve, Deny};
    let code = permission.term().code;
    let use_category = category(declared);
    match (permission, use_category) {
        (DuoPermission::NoRestriction, _) => reason(code, Approve, "no restriction on use"),
        (DuoPermission::GeneralResearchUse, _) => reason(
            code,
            Approve,
            "general research use covers the declared use",
        ),
        (DuoPermission::HealthMedicalBiomedical, UseCategory::Ancestry) => reason(
            code,
            Deny,
            "health/medical/biomedical research only; ancestry research is declared",
        ),
        (DuoPermission::HealthMedicalBiomedical, _) => reason(
            code,
            Approve,
            "health/medical/biomedical research covers the declared use",
        ),
        (DuoPermission::DiseaseSpecific(allowed), UseCategory::Disease) => {
            match declared.diseases.iter().find(|d| d.is_within(allowed)) {
                Some(disease) => reason(
                    code,
                    Approve,
                    format!("the declared disease {disease} is within {allowed}"),
                ),
                None => reason(
                    code,
                    Deny,
                    format!(
                        "research on {allowed} only; no declared disease ({}) is within it",
                        list(&declared.diseases)
                    ),
                ),
            }
        }
        (DuoPermission::DiseaseSpecific(allowed), _) => reason(
            code,
            Deny,
            format!("research on {allowed} only; the declared use names no disease within it"),
        ),
        (DuoPermission::PopulationOriginsAncestry, UseCategory::Ancestry) => {
            reason(code, Approve, "ancestry research is declared")
        }
        (DuoPermission::PopulationOriginsAncestry, _) => reason(
            code,
            Deny,
            "population origins or ancestry research only; another use is declared",
        ),
    }
}

fn modifier(modifier: &DuoModifier, form: &ApplicationForm) -> Option<MatchReason> {
    use MatchOutcome::{Approve, Deny, NeedsReview};
    let declared = &form.declared_use;
    let code = modifier.term().code;
    let commercial = declared.commercial_use;
    let for_profit = declared.for_profit_organisation;
    Some(match modifier {
        DuoModifier::NoMethodsDevelopment if declared.methods_development => reason(
            code,
            Deny,
            "no general methods research; methods or algorithm development is declared",
        ),
        DuoModifier::NonCommercialUse if commercial => reason(
            code,
            Deny,
            "non-commercial use only; commercial use is declared",
        ),
        DuoModifier::NonProfitUse if for_profit => reason(
            code,
            Deny,
            "not-for-profit use only; a for-profit organisation is declared",
        ),
        DuoModifier::NonProfitNonCommercial if commercial || for_profit => reason(
            code,
            Deny,
            "not-for-profit, non-commercial use only; commercial use or a for-profit organisation is declared",
        ),
        DuoModifier::EthicsApproval => match form.access().and_then(|a| a.ethics_approval.as_ref())
        {
            Some(approval) => reason(
                code,
                Approve,
                format!(
                    "ethics approval required; reference {} given",
                    approval.as_str()
                ),
            ),
            None => reason(
                code,
                Deny,
                "ethics approval required; no reference is given",
            ),
        },
        DuoModifier::GeographicalRestriction(countries) => {
            let country = form.organisation.as_ref().map(|o| &o.country);
            match country {
                Some(country) if countries.contains(country) => reason(
                    code,
                    Approve,
                    format!(
                        "use limited to {}; the applicant is in {country}",
                        list(countries)
                    ),
                ),
                Some(country) => reason(
                    code,
                    Deny,
                    format!(
                        "use limited to {}; the applicant is in {country}",
                        list(countries)
                    ),
                ),
                None => reason(
                    code,
                    Deny,
                    "use limited to certain countries; no applicant country is given",
                ),
            }
        }
        DuoModifier::TimeLimit(months) => reason(
            code,
            Approve,
            format!("use limited to {months} months; a permit ends by then"),
        ),
        DuoModifier::Publication => reason(
            code,
            NeedsReview,
            if declared.publication_intended {
                "results must be published; publication is intended"
            } else {
                "results must be published; publication is not declared as intended"
            },
        ),
        DuoModifier::PublicationMoratorium(until) => {
            reason(code, NeedsReview, format!("no publication before {until}"))
        }
        DuoModifier::Collaboration => reason(
            code,
            NeedsReview,
            "collaboration with the study's investigators is required",
        ),
        DuoModifier::ReturnToDatabase => reason(
            code,
            NeedsReview,
            "derived data must be returned to the resource",
        ),
        DuoModifier::GeneticStudiesOnly => reason(code, NeedsReview, "genetic studies only"),
        DuoModifier::UserSpecific => reason(code, NeedsReview, "restricted to named users"),
        DuoModifier::ProjectSpecific => reason(code, NeedsReview, "restricted to a named project"),
        DuoModifier::InstitutionSpecific => {
            reason(code, NeedsReview, "restricted to named institutions")
        }
        DuoModifier::NoMethodsDevelopment
        | DuoModifier::NonCommercialUse
        | DuoModifier::NonProfitUse
        | DuoModifier::NonProfitNonCommercial => return None,
    })
}

fn list(items: &[impl std::fmt::Display]) -> String {
    if items.is_empty() {
        return "none".to_owned();
    }
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}
