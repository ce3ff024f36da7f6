//! The conditions a permit carries from its datasets' data-use terms (GA4GH DUO modifiers):
//! what the holder must do (publish, collaborate, return derived data, get ethics approval)
//! and what limits the use (time, place, kind of study, commercial use).

use serde::{Deserialize, Serialize};

use crate::catalogue::duo::{DataUseConditions, DuoModifier};

/// One condition of a permit, as the DUO modifier it comes from and a sentence for the holder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Condition {
    /// The DUO short code (`PUB`, `TS`, ...).
    pub code: String,
    pub text: String,
    /// For `TS`: the months the data may be used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub months: Option<u32>,
}

impl Condition {
    pub fn time_limit_months(&self) -> Option<u32> {
        self.months.filter(|_| self.code == "TS")
    }
}

/// The conditions `terms` put on a permit, one per modifier.
pub fn conditions_of(terms: &DataUseConditions) -> Vec<Condition> {
    terms.modifiers.iter().map(condition).collect()
}

fn condition(modifier: &DuoModifier) -> Condition {
    let text = match modifier {
        DuoModifier::NoMethodsDevelopment => {
            "No general methods or algorithm development.".to_owned()
        }
        DuoModifier::GeneticStudiesOnly => "Genetic studies only.".to_owned(),
        DuoModifier::NonProfitNonCommercial => {
            "Not-for-profit, non-commercial use only.".to_owned()
        }
        DuoModifier::NonProfitUse => "Not-for-profit use only.".to_owned(),
        DuoModifier::NonCommercialUse => "Non-commercial use only.".to_owned(),
        DuoModifier::EthicsApproval => {
            "Keep the ethics approval valid for the whole permit.".to_owned()
        }
        DuoModifier::Collaboration => "Collaborate with the study's investigators.".to_owned(),
        DuoModifier::Publication => "Publish the results.".to_owned(),
        DuoModifier::PublicationMoratorium(until) => format!("Publish nothing before {until}."),
        DuoModifier::ReturnToDatabase => "Return derived data to the data holder.".to_owned(),
        DuoModifier::TimeLimit(months) => format!("Use the data for at most {months} months."),
        DuoModifier::UserSpecific => "Only the named users may use the data.".to_owned(),
        DuoModifier::ProjectSpecific => "Only for the approved project.".to_owned(),
        DuoModifier::InstitutionSpecific => "Only at the named institutions.".to_owned(),
        DuoModifier::GeographicalRestriction(countries) => format!(
            "Use the data only in {}.",
            countries
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    Condition {
        code: modifier.term().code.to_owned(),
        text,
        months: match modifier {
            DuoModifier::TimeLimit(months) => Some(*months),
            _ => None,
        },
    }
}
