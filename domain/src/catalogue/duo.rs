//! Data-use conditions in GA4GH DUO: one primary permission and any modifiers, with the
//! parameters some of them need (the disease of DS, the region of GS, the months of TS, the
//! date of MOR). Matching a declared use against them belongs to the applications work.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::icd10::IcdCode;
use crate::ValueError;
use crate::codes;
use crate::values::CountryCode;

/// The primary permission of a dataset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "DuoCondition", into = "DuoCondition")]
pub enum DuoPermission {
    /// NRES: no restriction.
    NoRestriction,
    /// GRU: general research use.
    GeneralResearchUse,
    /// HMB: health, medical or biomedical research.
    HealthMedicalBiomedical,
    /// DS-X: research on disease X (and, by the ICD-10 hierarchy, its subtypes).
    DiseaseSpecific(IcdCode),
    /// POA: population origins or ancestry research only.
    PopulationOriginsAncestry,
}

/// A modifier that narrows or conditions the permission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "DuoCondition", into = "DuoCondition")]
pub enum DuoModifier {
    /// NMDS: no general methods research.
    NoMethodsDevelopment,
    /// GSO: genetic studies only.
    GeneticStudiesOnly,
    /// NPUNCU: not-for-profit, non-commercial use only.
    NonProfitNonCommercial,
    /// NPU: not-for-profit use only.
    NonProfitUse,
    /// NCU: non-commercial use only.
    NonCommercialUse,
    /// IRB: ethics approval required.
    EthicsApproval,
    /// COL: collaboration with the study's investigators required.
    Collaboration,
    /// PUB: publication required.
    Publication,
    /// MOR: no publication before this date.
    PublicationMoratorium(NaiveDate),
    /// RTN: derived data must be returned to the resource.
    ReturnToDatabase,
    /// TS: use limited to this many months.
    TimeLimit(u32),
    /// US: user-specific restriction.
    UserSpecific,
    /// PS: project-specific restriction.
    ProjectSpecific,
    /// IS: institution-specific restriction.
    InstitutionSpecific,
    /// GS: use limited to these countries.
    GeographicalRestriction(Vec<CountryCode>),
}

/// The short code and the DUO term of a condition.
pub struct DuoTerm {
    pub code: &'static str,
    pub id: &'static str,
}

impl DuoPermission {
    pub const CODES: &'static [&'static str] = &["NRES", "GRU", "HMB", "DS", "POA"];

    pub fn term(&self) -> DuoTerm {
        DuoTerm::of(match self {
            Self::NoRestriction => "NRES",
            Self::GeneralResearchUse => "GRU",
            Self::HealthMedicalBiomedical => "HMB",
            Self::DiseaseSpecific(_) => "DS",
            Self::PopulationOriginsAncestry => "POA",
        })
    }
}

impl DuoModifier {
    pub const CODES: &'static [&'static str] = &[
        "NMDS", "GSO", "NPUNCU", "NPU", "NCU", "IRB", "COL", "PUB", "MOR", "RTN", "TS", "US", "PS",
        "IS", "GS",
    ];

    pub fn term(&self) -> DuoTerm {
        DuoTerm::of(match self {
            Self::NoMethodsDevelopment => "NMDS",
            Self::GeneticStudiesOnly => "GSO",
            Self::NonProfitNonCommercial => "NPUNCU",
            Self::NonProfitUse => "NPU",
            Self::NonCommercialUse => "NCU",
            Self::EthicsApproval => "IRB",
            Self::Collaboration => "COL",
            Self::Publication => "PUB",
            Self::PublicationMoratorium(_) => "MOR",
            Self::ReturnToDatabase => "RTN",
            Self::TimeLimit(_) => "TS",
            Self::UserSpecific => "US",
            Self::ProjectSpecific => "PS",
            Self::InstitutionSpecific => "IS",
            Self::GeographicalRestriction(_) => "GS",
        })
    }
}

/// Each condition's short code and its DUO term number.
const TERMS: &[(&str, &str)] = &[
    ("NRES", "0000004"),
    ("GRU", "0000042"),
    ("HMB", "0000006"),
    ("DS", "0000007"),
    ("POA", "0000011"),
    ("NMDS", "0000015"),
    ("GSO", "0000016"),
    ("NPUNCU", "0000018"),
    ("NPU", "0000045"),
    ("NCU", "0000046"),
    ("IRB", "0000021"),
    ("COL", "0000020"),
    ("PUB", "0000019"),
    ("MOR", "0000024"),
    ("RTN", "0000029"),
    ("TS", "0000025"),
    ("US", "0000026"),
    ("PS", "0000027"),
    ("IS", "0000028"),
    ("GS", "0000022"),
];

/// The OBO library's prefix of DUO term IRIs.
const DUO_IRI_PREFIX: &str = "http://purl.obolibrary.org/obo/DUO_";

impl DuoTerm {
    /// The term of a short code from the lists above.
    fn of(code: &'static str) -> Self {
        let id = TERMS
            .iter()
            .find(|(known, _)| *known == code)
            .map_or("", |(_, id)| *id);
        Self { code, id }
    }

    /// The short code of a DUO term IRI (`http://purl.obolibrary.org/obo/DUO_0000042` →
    /// `GRU`), if it is one hdab knows.
    pub fn code_of_iri(iri: &str) -> Option<&'static str> {
        let id = iri.strip_prefix(DUO_IRI_PREFIX)?;
        TERMS
            .iter()
            .find(|(_, known)| *known == id)
            .map(|(code, _)| *code)
    }

    /// The term's IRI in the OBO library.
    pub fn iri(&self) -> String {
        format!("{DUO_IRI_PREFIX}{}", self.id)
    }
}

/// A condition as its short code and the parameter its code needs, the one form in which
/// conditions are written (requests, stored descriptions, events) and read back.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuoCondition {
    /// The DUO short code (`GRU`, `DS`, `TS`, ...).
    pub code: String,
    /// DS: the disease, an ICD-10 code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disease: Option<String>,
    /// MOR: the date before which results may not be published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<NaiveDate>,
    /// TS: how many months the data may be used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub months: Option<u32>,
    /// GS: the countries the data may be used in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub countries: Option<Vec<String>>,
}

impl DuoCondition {
    fn bare(code: &str) -> Self {
        Self {
            code: code.to_owned(),
            ..Self::default()
        }
    }
}

fn missing(parameter: &str, code: &str) -> ValueError {
    ValueError::new(
        codes::PARAMETER_REQUIRED,
        format!("{code} needs `{parameter}`"),
    )
}

impl TryFrom<&DuoCondition> for DuoPermission {
    type Error = ValueError;
    fn try_from(c: &DuoCondition) -> Result<Self, ValueError> {
        match c.code.as_str() {
            "NRES" => Ok(Self::NoRestriction),
            "GRU" => Ok(Self::GeneralResearchUse),
            "HMB" => Ok(Self::HealthMedicalBiomedical),
            "POA" => Ok(Self::PopulationOriginsAncestry),
            "DS" => match c.disease.as_deref() {
                Some(disease) => IcdCode::parse(disease).map(Self::DiseaseSpecific),
                None => Err(missing("disease", "DS")),
            },
            _ => Err(ValueError::new(
                codes::UNKNOWN_DUO_PERMISSION,
                format!("must be one of: {}", Self::CODES.join(", ")),
            )),
        }
    }
}

impl TryFrom<&DuoCondition> for DuoModifier {
    type Error = ValueError;
    fn try_from(c: &DuoCondition) -> Result<Self, ValueError> {
        match c.code.as_str() {
            "NMDS" => Ok(Self::NoMethodsDevelopment),
            "GSO" => Ok(Self::GeneticStudiesOnly),
            "NPUNCU" => Ok(Self::NonProfitNonCommercial),
            "NPU" => Ok(Self::NonProfitUse),
            "NCU" => Ok(Self::NonCommercialUse),
            "IRB" => Ok(Self::EthicsApproval),
            "COL" => Ok(Self::Collaboration),
            "PUB" => Ok(Self::Publication),
            "RTN" => Ok(Self::ReturnToDatabase),
            "US" => Ok(Self::UserSpecific),
            "PS" => Ok(Self::ProjectSpecific),
            "IS" => Ok(Self::InstitutionSpecific),
            "MOR" => c
                .until
                .map(Self::PublicationMoratorium)
                .ok_or_else(|| missing("until", "MOR")),
            "TS" => match c.months {
                Some(months) if months > 0 => Ok(Self::TimeLimit(months)),
                Some(_) => Err(ValueError::new(
                    codes::OUT_OF_RANGE,
                    "TS `months` must be at least 1",
                )),
                None => Err(missing("months", "TS")),
            },
            "GS" => match &c.countries {
                Some(countries) if !countries.is_empty() => countries
                    .iter()
                    .map(|country| CountryCode::parse(country))
                    .collect::<Result<Vec<_>, _>>()
                    .map(Self::GeographicalRestriction),
                _ => Err(missing("countries", "GS")),
            },
            _ => Err(ValueError::new(
                codes::UNKNOWN_DUO_MODIFIER,
                format!("must be one of: {}", Self::CODES.join(", ")),
            )),
        }
    }
}

impl From<&DuoPermission> for DuoCondition {
    fn from(permission: &DuoPermission) -> Self {
        let mut condition = Self::bare(permission.term().code);
        if let DuoPermission::DiseaseSpecific(disease) = permission {
            condition.disease = Some(disease.to_string());
        }
        condition
    }
}

impl From<&DuoModifier> for DuoCondition {
    fn from(modifier: &DuoModifier) -> Self {
        let mut condition = Self::bare(modifier.term().code);
        match modifier {
            DuoModifier::PublicationMoratorium(until) => condition.until = Some(*until),
            DuoModifier::TimeLimit(months) => condition.months = Some(*months),
            DuoModifier::GeographicalRestriction(countries) => {
                condition.countries = Some(countries.iter().map(|c| c.to_string()).collect())
            }
            _ => {}
        }
        condition
    }
}

macro_rules! condition_serde {
    ($($kind:ty),+) => {$(
        impl TryFrom<DuoCondition> for $kind {
            type Error = String;
            fn try_from(condition: DuoCondition) -> Result<Self, String> {
                Self::try_from(&condition).map_err(|e| e.message)
            }
        }

        impl From<$kind> for DuoCondition {
            fn from(kind: $kind) -> Self {
                Self::from(&kind)
            }
        }
    )+};
}

condition_serde!(DuoPermission, DuoModifier);

/// A dataset's data-use conditions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataUseConditions {
    pub permission: DuoPermission,
    pub modifiers: Vec<DuoModifier>,
}

impl DataUseConditions {
    /// Every condition's short code, permission first (`DS`, `IRB`, ...), for search facets.
    pub fn codes(&self) -> Vec<&'static str> {
        std::iter::once(self.permission.term().code)
            .chain(self.modifiers.iter().map(|m| m.term().code))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_carry_their_duo_identifiers() {
        assert_eq!(
            DuoPermission::GeneralResearchUse.term().iri(),
            "http://purl.obolibrary.org/obo/DUO_0000042"
        );
        assert_eq!(DuoModifier::TimeLimit(12).term().code, "TS");
        let codes: Vec<_> = [
            DuoModifier::NoMethodsDevelopment,
            DuoModifier::GeneticStudiesOnly,
            DuoModifier::NonProfitNonCommercial,
            DuoModifier::NonProfitUse,
            DuoModifier::NonCommercialUse,
            DuoModifier::EthicsApproval,
            DuoModifier::Collaboration,
            DuoModifier::Publication,
            DuoModifier::PublicationMoratorium(NaiveDate::MIN),
            DuoModifier::ReturnToDatabase,
            DuoModifier::TimeLimit(1),
            DuoModifier::UserSpecific,
            DuoModifier::ProjectSpecific,
            DuoModifier::InstitutionSpecific,
            DuoModifier::GeographicalRestriction(vec![]),
        ]
        .iter()
        .map(|m| m.term().code)
        .collect();
        assert_eq!(
            codes,
            DuoModifier::CODES,
            "the code list and the terms agree"
        );
    }
}
