//! The dataset catalogue: HealthDCAT-AP dataset descriptions with the cancer-imaging
//! extensions, and the rules of their lifecycle.

pub mod duo;
pub mod icd10;
mod lifecycle;
pub mod text;
pub mod vocabulary;

pub use lifecycle::{Dataset, DatasetStatus, Lifecycle, dataset_iri};

use std::collections::BTreeMap;
use std::ops::Deref;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use self::duo::DataUseConditions;
use self::icd10::IcdCode;
use self::text::{LocalizedText, LongText, ShortText};
use self::vocabulary::{
    AccessModel, AccessRights, AnnotationMethod, BirthSex, BodyPart, DatasetType, DicomModality,
    HealthCategory, LanguageTag, VariableDatatype,
};
use crate::codes;
use crate::ids::{CommitteeId, PublisherId};
use crate::values::{CountryCode, Email, HttpUrl};
use crate::{FieldErrors, ValueError};

/// Data holders re-confirm their descriptions at least yearly (EHDS Art 60); past this a
/// description is flagged stale.
pub const RECONFIRMATION_INTERVAL_DAYS: i64 = 365;

/// The EHDS regulation, every dataset's applicable legislation (HealthDCAT-AP Release 8).
pub const EHDS_ELI: &str = "http://data.europa.eu/eli/reg/2025/327/oj";

/// A point of contact for questions about a dataset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactPoint {
    pub email: Email,
    pub url: Option<HttpUrl>,
}

/// A period with a start and an end date, the start not after the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "PeriodFields")]
pub struct Period {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

/// A period as read, before its order is checked.
#[derive(Deserialize)]
struct PeriodFields {
    start: NaiveDate,
    end: NaiveDate,
}

impl TryFrom<PeriodFields> for Period {
    type Error = String;
    fn try_from(fields: PeriodFields) -> Result<Self, String> {
        Self::new(fields.start, fields.end).map_err(|e| e.message)
    }
}

impl Period {
    pub fn new(start: NaiveDate, end: NaiveDate) -> Result<Self, ValueError> {
        if start > end {
            return Err(ValueError::new(
                codes::START_AFTER_END,
                "the start must not be after the end",
            ));
        }
        Ok(Self { start, end })
    }
}

/// A code of an EU or HealthDCAT-AP authority list (file types `ZIP`, frequencies `ANNUAL`,
/// standards `DICOM`, `SNOMED-CT`, ...): upper-case letters, digits, `_` and `-`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AuthorityCode(String);

impl AuthorityCode {
    pub fn parse(input: &str) -> Result<Self, ValueError> {
        let ok = (2..=40).contains(&input.len())
            && input
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        if !ok {
            return Err(ValueError::new(
                codes::INVALID_AUTHORITY_CODE,
                "must be a code of its EU or HealthDCAT-AP authority list, such as ZIP, ANNUAL or DICOM (upper case)",
            ));
        }
        Ok(Self(input.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A term of the DPV personal-data taxonomy (`Age`, `Gender`, `HealthRecord`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PersonalDataCategory(String);

impl PersonalDataCategory {
    pub fn parse(input: &str) -> Result<Self, ValueError> {
        let mut chars = input.chars();
        let ok = chars.next().is_some_and(|c| c.is_ascii_uppercase())
            && chars.all(|c| c.is_ascii_alphanumeric())
            && input.len() <= 60;
        if !ok {
            return Err(ValueError::new(
                codes::INVALID_PERSONAL_DATA_CATEGORY,
                "must be a DPV-PD term such as Age, Gender or HealthRecord",
            ));
        }
        Ok(Self(input.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An ISO 8601 duration such as `P1M`, `P1Y6M` or `PT12H` (`dcat:temporalResolution`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IsoDuration(String);

impl IsoDuration {
    pub fn parse(input: &str) -> Result<Self, ValueError> {
        let invalid = || {
            ValueError::new(
                codes::INVALID_DURATION,
                "must be an ISO 8601 duration such as P1M, P1Y6M or PT12H",
            )
        };
        let body = input.strip_prefix('P').ok_or_else(invalid)?;
        let (date, time) = match body.split_once('T') {
            Some((date, time)) if !time.is_empty() => (date, Some(time)),
            Some(_) => return Err(invalid()),
            None => (body, None),
        };
        let components_ok = |part: &str, units: &str| {
            let mut digits = 0;
            let mut last_unit = None::<usize>;
            for c in part.chars() {
                if c.is_ascii_digit() {
                    digits += 1;
                    continue;
                }
                let Some(position) = units.find(c) else {
                    return false;
                };
                if digits == 0 || last_unit.is_some_and(|last| position <= last) {
                    return false;
                }
                last_unit = Some(position);
                digits = 0;
            }
            digits == 0
        };
        if (date.is_empty() && time.is_none())
            || !components_ok(date, "YMWD")
            || !time.is_none_or(|t| components_ok(t, "HMS"))
        {
            return Err(invalid());
        }
        Ok(Self(input.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

crate::text_value!(AuthorityCode, PersonalDataCategory, IsoDuration, MediaType);

/// The organisation that holds the data on the publisher's behalf (`geodcatap:custodian`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Custodian {
    pub name: ShortText,
    pub email: Email,
}

/// An IANA media type, `type/subtype` (`application/dicom`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MediaType(String);

impl MediaType {
    pub fn parse(input: &str) -> Result<Self, ValueError> {
        let token = |s: &str| {
            !s.is_empty()
                && s.len() <= 127
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"!#$&^_.+-".contains(&b))
        };
        match input.split_once('/') {
            Some((kind, subtype)) if token(kind) && token(subtype) => {
                Ok(Self(input.to_ascii_lowercase()))
            }
            _ => Err(ValueError::new(
                codes::INVALID_MEDIA_TYPE,
                "must be a media type such as application/dicom",
            )),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One way to obtain the data (a HealthDCAT-AP distribution).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Distribution {
    pub title: Option<ShortText>,
    pub access_url: HttpUrl,
    pub download_url: Option<HttpUrl>,
    /// A code of the EU file-type list, e.g. `ZIP`.
    pub format: Option<AuthorityCode>,
    pub media_type: Option<MediaType>,
    pub byte_size: Option<u64>,
    pub license: Option<HttpUrl>,
}

/// A column of structured data (CSV on the Web).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variable {
    pub name: ShortText,
    pub title: ShortText,
    pub datatype: VariableDatatype,
    pub description: ShortText,
    pub property_url: Option<HttpUrl>,
}

/// Image annotations shipped with an imaging dataset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Annotations {
    /// Segmentation or classification labels, e.g. `tumour`, `lymph node`.
    pub labels: Vec<ShortText>,
    pub method: AnnotationMethod,
    pub count: u64,
}

/// The cancer-imaging extensions (EUCAIM profile of HealthDCAT-AP).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ImagingProfile {
    /// Primary cancer conditions, as ICD-10 neoplasm codes.
    pub cancer_conditions: Vec<IcdCode>,
    pub modalities: Vec<DicomModality>,
    pub body_parts: Vec<BodyPart>,
    pub manufacturers: Vec<ShortText>,
    pub birth_sex: Vec<BirthSex>,
    pub collection_method: Option<ShortText>,
    pub annotations: Option<Annotations>,
    pub access_model: Option<AccessModel>,
}

/// Everything a data holder says about a dataset, each value valid on its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatasetDraft {
    /// The holder's own identifier (`dct:identifier`), unique per publisher.
    pub identifier: ShortText,
    pub publisher_id: PublisherId,
    /// The committee that reviews applications for this dataset.
    pub committee_id: CommitteeId,
    pub title: LocalizedText,
    pub description: LocalizedText,
    pub keywords: BTreeMap<LanguageTag, Vec<ShortText>>,
    pub access_rights: AccessRights,
    pub health_categories: Vec<HealthCategory>,
    pub dataset_type: Option<DatasetType>,
    pub provenance: Option<LongText>,
    pub contact_point: Option<ContactPoint>,
    pub landing_page: Option<HttpUrl>,
    pub languages: Vec<LanguageTag>,
    pub countries: Vec<CountryCode>,
    /// When the data were acquired.
    pub temporal: Option<Period>,
    pub distributions: Vec<Distribution>,
    pub has_structured_data: bool,
    pub variables: Vec<Variable>,
    pub min_typical_age: Option<u32>,
    pub max_typical_age: Option<u32>,
    /// Imaging studies (`healthdcatap:numberOfRecords`).
    pub number_of_records: Option<u64>,
    /// Subjects (`healthdcatap:numberOfUniqueIndividuals`).
    pub number_of_unique_individuals: Option<u64>,
    pub population_coverage: Option<LongText>,
    /// The data quality and utility label (EHDS Art 78), where the holder has one.
    pub quality_label: Option<HttpUrl>,
    /// A sample of the data (`adms:sample`).
    pub sample: Option<Distribution>,
    /// Aggregate reports and indicators about the data (`healthdcatap:analytics`).
    pub analytics: Vec<Distribution>,
    pub custodian: Option<Custodian>,
    /// What the data were collected for (`dpv:hasPurpose`).
    pub purposes: Vec<LongText>,
    /// The legal bases of their processing (`dpv:hasLegalBasis`).
    pub legal_bases: Vec<LongText>,
    /// The categories of personal data they contain (`dpv:hasPersonalData`).
    pub personal_data: Vec<PersonalDataCategory>,
    /// How long the holder keeps the data (`healthdcatap:retentionPeriod`).
    pub retention_period: Option<Period>,
    pub temporal_resolution: Option<IsoDuration>,
    /// How often the data are updated, an EU frequency code (`ANNUAL`, `IRREG`, ...).
    pub accrual_periodicity: Option<AuthorityCode>,
    /// Standards the data follow, HealthDCAT-AP standard codes (`DICOM`, `FHIR`, ...).
    pub conforms_to: Vec<AuthorityCode>,
    /// Publications that use or describe the data (`dct:isReferencedBy`).
    pub referenced_by: Vec<HttpUrl>,
    /// Related resources (`dct:relation`).
    pub relations: Vec<HttpUrl>,
    /// Documentation pages (`foaf:page`).
    pub pages: Vec<HttpUrl>,
    pub imaging: ImagingProfile,
    pub data_use: DataUseConditions,
}

/// A dataset description whose fields agree with each other. Stored and recorded as its
/// draft's fields, checked again when read.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "DatasetDraft")]
pub struct DatasetDetails(DatasetDraft);

/// Written as the draft's fields, borrowed: `#[serde(into)]` would clone the whole
/// description (about 2 KB) every time one is stored, recorded or rendered.
impl Serialize for DatasetDetails {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl TryFrom<DatasetDraft> for DatasetDetails {
    type Error = String;
    fn try_from(draft: DatasetDraft) -> Result<Self, String> {
        Self::new(draft).map_err(|errors| errors.into_error().to_string())
    }
}

impl From<DatasetDetails> for DatasetDraft {
    fn from(details: DatasetDetails) -> Self {
        details.0
    }
}

impl DatasetDetails {
    /// Checks the rules between fields, naming the field of each broken rule: at least one
    /// distribution and health category; variables when the data are structured; the minimum
    /// age not above the maximum; and for NON_PUBLIC datasets (HealthDCAT-AP) a contact point,
    /// keywords, a type and provenance.
    pub fn new(draft: DatasetDraft) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        check_list_lengths(&mut errors, &draft);
        let required = |errors: &mut FieldErrors, field: &str, present: bool, why: &str| {
            if !present {
                errors.add(field, ValueError::new(codes::REQUIRED, why.to_owned()));
            }
        };
        required(
            &mut errors,
            "distributions",
            !draft.distributions.is_empty(),
            "a dataset needs at least one distribution",
        );
        required(
            &mut errors,
            "health_categories",
            !draft.health_categories.is_empty(),
            "a dataset needs at least one EHDS Art 51 health category",
        );
        required(
            &mut errors,
            "variables",
            !draft.has_structured_data || !draft.variables.is_empty(),
            "structured data (has_structured_data) must list its variables",
        );
        if draft.access_rights == AccessRights::NonPublic {
            let why = "is required for NON_PUBLIC datasets (HealthDCAT-AP)";
            required(
                &mut errors,
                "contact_point",
                draft.contact_point.is_some(),
                why,
            );
            required(
                &mut errors,
                "keywords",
                draft.keywords.values().any(|k| !k.is_empty()),
                why,
            );
            required(
                &mut errors,
                "dataset_type",
                draft.dataset_type.is_some(),
                why,
            );
            required(&mut errors, "provenance", draft.provenance.is_some(), why);
        }
        if let (Some(min), Some(max)) = (draft.min_typical_age, draft.max_typical_age)
            && min > max
        {
            errors.add(
                "min_typical_age",
                ValueError::new(codes::MIN_ABOVE_MAX, "must not be above max_typical_age"),
            );
        }
        if errors.is_empty() {
            Ok(Self(draft))
        } else {
            Err(errors)
        }
    }
}

/// Every list of a description within its limit ([`crate::limits`]), each named by its field.
fn check_list_lengths(errors: &mut FieldErrors, draft: &DatasetDraft) {
    use crate::limits::check;
    let imaging = &draft.imaging;
    let lists = [
        ("keywords", draft.keywords.len()),
        ("health_categories", draft.health_categories.len()),
        ("languages", draft.languages.len()),
        ("countries", draft.countries.len()),
        ("distributions", draft.distributions.len()),
        ("variables", draft.variables.len()),
        ("analytics", draft.analytics.len()),
        ("purposes", draft.purposes.len()),
        ("legal_bases", draft.legal_bases.len()),
        ("personal_data", draft.personal_data.len()),
        ("conforms_to", draft.conforms_to.len()),
        ("referenced_by", draft.referenced_by.len()),
        ("relations", draft.relations.len()),
        ("pages", draft.pages.len()),
        ("imaging.cancer_conditions", imaging.cancer_conditions.len()),
        ("imaging.modalities", imaging.modalities.len()),
        ("imaging.body_parts", imaging.body_parts.len()),
        ("imaging.manufacturers", imaging.manufacturers.len()),
        ("imaging.birth_sex", imaging.birth_sex.len()),
        (
            "imaging.annotations.labels",
            imaging.annotations.as_ref().map_or(0, |a| a.labels.len()),
        ),
        ("data_use.modifiers", draft.data_use.modifiers.len()),
    ];
    for (field, len) in lists {
        check(errors, field, len);
    }
    for (tag, words) in &draft.keywords {
        check(errors, &format!("keywords.{tag}"), words.len());
    }
    for (index, modifier) in draft.data_use.modifiers.iter().enumerate() {
        if let duo::DuoModifier::GeographicalRestriction(countries) = modifier {
            check(
                errors,
                &format!("data_use.modifiers[{index}].countries"),
                countries.len(),
            );
        }
    }
}

impl Deref for DatasetDetails {
    type Target = DatasetDraft;
    fn deref(&self) -> &DatasetDraft {
        &self.0
    }
}

#[cfg(test)]
pub(crate) mod tests;
