//! The controlled vocabularies a dataset description uses, each with its wire codes.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::codes;
use crate::{ValueError, code_enum};

code_enum!(
    /// Who may see the data (HealthDCAT-AP's three access levels, the EU access-right list).
    AccessRights, codes::UNKNOWN_ACCESS_RIGHTS {
        Public = "PUBLIC",
        Restricted = "RESTRICTED",
        NonPublic = "NON_PUBLIC",
    }
);

code_enum!(
    /// The categories of electronic health data for secondary use (EHDS Art 51(1)), as coded
    /// by HealthDCAT-AP's `healthcategories` vocabulary.
    HealthCategory, codes::UNKNOWN_HEALTH_CATEGORY {
        /// Electronic health data from EHRs (medical images included).
        Ehrs = "EHRS",
        /// Data on factors impacting on health (socio-economic, environmental, behavioural).
        Dioh = "DIOH",
        /// Data on pathogens that impact human health.
        Rpdg = "RPDG",
        /// Healthcare-related administrative data.
        Hrad = "HRAD",
        /// Human genetic, epigenomic and genomic data.
        Hgpd = "HGPD",
        /// Other human molecular data (proteomic, transcriptomic, metabolomic, ...).
        Hpml = "HPML",
        /// Personal electronic health data generated through medical devices.
        Pgeh = "PGEH",
        /// Data from wellness applications.
        Wela = "WELA",
        /// Data on the professional status of health professionals.
        Idhp = "IDHP",
        /// Population-based health data registries.
        Phdr = "PHDR",
        /// Medical and mortality registries.
        Mrmr = "MRMR",
        /// Clinical trials, studies and investigations.
        Ehct = "EHCT",
        /// Other health data from medical devices.
        Emrd = "EMRD",
        /// Registries for medicinal products and medical devices.
        Rmmd = "RMMD",
        /// Research cohorts, questionnaires and surveys after first publication.
        Rqsh = "RQSH",
        /// Biobanks and associated databases.
        Eins = "EINS",
    }
);

code_enum!(
    /// The kind of dataset (EU dataset-type list).
    DatasetType, codes::UNKNOWN_DATASET_TYPE {
        Statistical = "STATISTICAL",
        SyntheticData = "SYNTHETIC_DATA",
        TestData = "TEST_DATA",
        TrainingData = "TRAINING_DATA",
        ValidationData = "VALIDATION_DATA",
    }
);

code_enum!(
    /// DICOM modality codes (PS3.3 C.7.3.1.1.1) for imaging datasets.
    DicomModality, codes::UNKNOWN_MODALITY {
        Ct = "CT", Mr = "MR", Pt = "PT", Mg = "MG", Us = "US", Cr = "CR", Dx = "DX", Nm = "NM",
        Xa = "XA", Rf = "RF", Sm = "SM", Ot = "OT", Seg = "SEG", RtStruct = "RTSTRUCT",
        RtDose = "RTDOSE", RtPlan = "RTPLAN", Sr = "SR", Es = "ES",
    }
);

code_enum!(
    /// DICOM Body Part Examined values for imaging datasets.
    BodyPart, codes::UNKNOWN_BODY_PART {
        Head = "HEAD", Brain = "BRAIN", HeadNeck = "HEADNECK", Neck = "NECK", Thyroid = "THYROID",
        Chest = "CHEST", Lung = "LUNG", Breast = "BREAST", Esophagus = "ESOPHAGUS",
        Stomach = "STOMACH", Abdomen = "ABDOMEN", Liver = "LIVER", Pancreas = "PANCREAS",
        Kidney = "KIDNEY", Colon = "COLON", Rectum = "RECTUM", Pelvis = "PELVIS",
        Prostate = "PROSTATE", Bladder = "BLADDER", Cervix = "CERVIX", Uterus = "UTERUS",
        Ovary = "OVARY", Skin = "SKIN", Bone = "BONE", WholeBody = "WHOLEBODY",
    }
);

code_enum!(
    /// The birth sex of the subjects a dataset covers.
    BirthSex, codes::UNKNOWN_BIRTH_SEX {
        Female = "female",
        Male = "male",
        Other = "other",
        Unknown = "unknown",
    }
);

code_enum!(
    /// How approved users work with the data.
    AccessModel, codes::UNKNOWN_ACCESS_MODEL {
        /// Data are transferred to the user's secure processing environment.
        Download = "download",
        /// Processing runs where the data are, inside the holder's environment.
        InSitu = "in_situ",
        /// Only remote, federated processing; no record leaves the holder.
        RemoteProcessingOnly = "remote_processing_only",
    }
);

code_enum!(
    /// How the images were annotated.
    AnnotationMethod, codes::UNKNOWN_ANNOTATION_METHOD {
        Manual = "manual",
        SemiAutomatic = "semi_automatic",
        Automatic = "automatic",
    }
);

code_enum!(
    /// CSV on the Web datatypes for a variable.
    VariableDatatype, codes::UNKNOWN_DATATYPE {
        String = "string", Integer = "integer", Decimal = "decimal", Boolean = "boolean",
        Date = "date", DateTime = "dateTime", Duration = "duration", AnyUri = "anyURI",
    }
);

/// Languages hdab describes data in: the EU's official languages and other EEA languages, as
/// BCP-47 primary subtags with the EU language list's code and the stemmer search uses.
const LANGUAGES: &[(&str, &str)] = &[
    ("bg", "BUL"),
    ("ca", "CAT"),
    ("cs", "CES"),
    ("da", "DAN"),
    ("de", "DEU"),
    ("el", "ELL"),
    ("en", "ENG"),
    ("es", "SPA"),
    ("et", "EST"),
    ("eu", "EUS"),
    ("fi", "FIN"),
    ("fr", "FRA"),
    ("ga", "GLE"),
    ("gl", "GLG"),
    ("hr", "HRV"),
    ("hu", "HUN"),
    ("is", "ISL"),
    ("it", "ITA"),
    ("lb", "LTZ"),
    ("lt", "LIT"),
    ("lv", "LAV"),
    ("mt", "MLT"),
    ("nb", "NOB"),
    ("nl", "NLD"),
    ("nn", "NNO"),
    ("no", "NOR"),
    ("pl", "POL"),
    ("pt", "POR"),
    ("ro", "RON"),
    ("sk", "SLK"),
    ("sl", "SLV"),
    ("sv", "SWE"),
];

/// A BCP-47 language tag: an EU or EEA language subtag, optionally with a region (`de`,
/// `de-AT`, `pt-PT`). Stored in canonical case.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LanguageTag(String);

/// Looked up by text in maps keyed by tag (a tag's order is its text's).
impl std::borrow::Borrow<str> for LanguageTag {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl LanguageTag {
    pub fn parse(input: &str) -> Result<Self, ValueError> {
        let invalid = || {
            ValueError::new(
                codes::UNKNOWN_LANGUAGE,
                "must be a BCP-47 tag of an EU or EEA language, such as en, de, fr-BE or pt-PT",
            )
        };
        let mut parts = input.split('-');
        let primary = parts.next().unwrap_or_default().to_ascii_lowercase();
        if !LANGUAGES.iter().any(|(code, _)| *code == primary) {
            return Err(invalid());
        }
        let region = parts.next();
        if parts.next().is_some() {
            return Err(invalid());
        }
        match region {
            None => Ok(Self(primary)),
            Some(region)
                if region.len() == 2 && region.bytes().all(|b| b.is_ascii_alphabetic()) =>
            {
                Ok(Self(format!("{primary}-{}", region.to_ascii_uppercase())))
            }
            Some(_) => Err(invalid()),
        }
    }

    pub fn english() -> Self {
        Self(Self::ENGLISH.into())
    }

    /// English's tag, which every multilingual text has.
    pub const ENGLISH: &str = "en";

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The primary language subtag (`de` for `de-AT`).
    pub fn primary(&self) -> &str {
        self.0.split('-').next().unwrap_or(&self.0)
    }

    /// The language of a code in the EU language authority list (`DEU` → `de`).
    pub fn from_eu_code(eu_code: &str) -> Option<Self> {
        LANGUAGES
            .iter()
            .find(|(_, eu)| *eu == eu_code)
            .map(|(code, _)| Self((*code).to_owned()))
    }

    /// The code in the EU language authority list (`DEU` for `de-AT`).
    pub fn eu_code(&self) -> &'static str {
        LANGUAGES
            .iter()
            .find(|(code, _)| *code == self.primary())
            .map_or("MUL", |(_, eu)| *eu)
    }
}

impl TryFrom<String> for LanguageTag {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        Self::parse(&value).map_err(|e| e.message)
    }
}

impl From<LanguageTag> for String {
    fn from(tag: LanguageTag) -> String {
        tag.0
    }
}

impl fmt::Display for LanguageTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_tags_are_canonicalised_and_mapped_to_the_eu_list() {
        let tag = LanguageTag::parse("DE-at").unwrap();
        assert_eq!(
            (tag.as_str(), tag.primary(), tag.eu_code()),
            ("de-AT", "de", "DEU")
        );
        assert_eq!(LanguageTag::parse("fr").unwrap().eu_code(), "FRA");
        for bad in ["xx", "english", "de-AT-1996", "de-1", ""] {
            assert_eq!(
                LanguageTag::parse(bad).unwrap_err().code,
                "unknown_language",
                "{bad}"
            );
        }
    }

    #[test]
    fn health_categories_use_the_healthdcat_codes() {
        assert_eq!(HealthCategory::parse("EHRS"), Ok(HealthCategory::Ehrs));
        assert_eq!(HealthCategory::ALL.len(), 16);
        assert!(HealthCategory::parse("ehrs").is_err());
    }
}
