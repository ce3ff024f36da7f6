//! Data-use conditions in GA4GH DUO: one primary permission and any modifiers, with the
//! parameters some of them need (the disease of DS, the region of GS, the months of TS, the
//! date of MOR). Matching a declared use against them belongs to the applications work.

use chrono::NaiveDate;

use super::icd10::IcdCode;
use crate::values::CountryCode;

/// The primary permission of a dataset.
#[derive(Debug, Clone, PartialEq, Eq)]
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
#[derive(Debug, Clone, PartialEq, Eq)]
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
        let (code, id) = match self {
            Self::NoRestriction => ("NRES", "0000004"),
            Self::GeneralResearchUse => ("GRU", "0000042"),
            Self::HealthMedicalBiomedical => ("HMB", "0000006"),
            Self::DiseaseSpecific(_) => ("DS", "0000007"),
            Self::PopulationOriginsAncestry => ("POA", "0000011"),
        };
        DuoTerm { code, id }
    }
}

impl DuoModifier {
    pub const CODES: &'static [&'static str] = &[
        "NMDS", "GSO", "NPUNCU", "NPU", "NCU", "IRB", "COL", "PUB", "MOR", "RTN", "TS", "US", "PS",
        "IS", "GS",
    ];

    pub fn term(&self) -> DuoTerm {
        let (code, id) = match self {
            Self::NoMethodsDevelopment => ("NMDS", "0000015"),
            Self::GeneticStudiesOnly => ("GSO", "0000016"),
            Self::NonProfitNonCommercial => ("NPUNCU", "0000018"),
            Self::NonProfitUse => ("NPU", "0000045"),
            Self::NonCommercialUse => ("NCU", "0000046"),
            Self::EthicsApproval => ("IRB", "0000021"),
            Self::Collaboration => ("COL", "0000020"),
            Self::Publication => ("PUB", "0000019"),
            Self::PublicationMoratorium(_) => ("MOR", "0000024"),
            Self::ReturnToDatabase => ("RTN", "0000029"),
            Self::TimeLimit(_) => ("TS", "0000025"),
            Self::UserSpecific => ("US", "0000026"),
            Self::ProjectSpecific => ("PS", "0000027"),
            Self::InstitutionSpecific => ("IS", "0000028"),
            Self::GeographicalRestriction(_) => ("GS", "0000022"),
        };
        DuoTerm { code, id }
    }
}

impl DuoTerm {
    /// The term's IRI in the OBO library.
    pub fn iri(&self) -> String {
        format!("http://purl.obolibrary.org/obo/DUO_{}", self.id)
    }
}

/// A dataset's data-use conditions.
#[derive(Debug, Clone, PartialEq, Eq)]
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
