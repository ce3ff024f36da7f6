//! The wire types of a dataset description.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use hdab_domain::catalogue::DatasetStatus;
use hdab_domain::catalogue::vocabulary::{
    AccessModel, AccessRights, AnnotationMethod, BirthSex, BodyPart, DatasetType, DicomModality,
    HealthCategory, VariableDatatype,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::schema::{string_enum, string_enum_array};

/// Schema functions for code lists: `one` for a single code, `many` for an array of codes.
macro_rules! enum_schemas {
    ($($kind:ident $name:ident: $type:ty, $description:literal;)+) => {$(
        enum_schemas!(@$kind $name, $type, $description);
    )+};
    (@one $name:ident, $type:ty, $description:literal) => {
        pub(super) fn $name() -> utoipa::openapi::schema::Object {
            string_enum(<$type>::wire_names(), $description)
        }
    };
    (@many $name:ident, $type:ty, $description:literal) => {
        pub(super) fn $name() -> utoipa::openapi::schema::Array {
            string_enum_array(<$type>::wire_names(), $description)
        }
    };
}

enum_schemas! {
    one access_rights_schema: AccessRights, "Who may see the data (EU access-right list).";
    many health_categories_schema: HealthCategory, "EHDS Art 51 health categories (HealthDCAT-AP healthcategories); at least one.";
    one dataset_type_schema: DatasetType, "The kind of dataset (EU dataset-type list); required for NON_PUBLIC.";
    many modalities_schema: DicomModality, "DICOM modality codes.";
    many body_parts_schema: BodyPart, "DICOM Body Part Examined values.";
    many birth_sex_schema: BirthSex, "Birth sex of the subjects.";
    one access_model_schema: AccessModel, "How approved users work with the data.";
    one annotation_method_schema: AnnotationMethod, "How the images were annotated.";
    one datatype_schema: VariableDatatype, "CSV on the Web datatype.";
    one status_schema: DatasetStatus, "Lifecycle state; only published datasets are searchable.";
}

/// Where to ask about a dataset.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactPointWire {
    #[schema(schema_with = crate::schema::email, example = "imaging-data@example.org")]
    pub email: String,
    #[schema(format = Uri)]
    pub url: Option<String>,
}

/// A period of time, start not after end.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PeriodWire {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

/// One way to obtain the data.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DistributionWire {
    pub title: Option<String>,
    /// Where access is requested or granted (`dcat:accessURL`).
    #[schema(format = Uri, example = "https://imaging.example.org/access/lung-ct")]
    pub access_url: String,
    #[schema(format = Uri)]
    pub download_url: Option<String>,
    /// A code of the EU file-type list, e.g. `ZIP`, `CSV`, `JSON`.
    #[schema(example = "ZIP")]
    pub format: Option<String>,
    #[schema(example = "application/dicom")]
    pub media_type: Option<String>,
    #[schema(minimum = 0)]
    pub byte_size: Option<i64>,
    #[schema(format = Uri)]
    pub license: Option<String>,
}

/// A variable (column) of structured data.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VariableWire {
    pub name: String,
    pub title: String,
    #[schema(schema_with = datatype_schema)]
    pub datatype: String,
    pub description: String,
    #[schema(format = Uri)]
    pub property_url: Option<String>,
}

/// Image annotations.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnnotationsWire {
    #[serde(default)]
    pub labels: Vec<String>,
    #[schema(schema_with = annotation_method_schema)]
    pub method: String,
    #[schema(value_type = i64, minimum = 0, maximum = 4294967295.0)]
    pub count: u32,
}

/// The cancer-imaging extensions (EUCAIM profile).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImagingWire {
    /// Primary cancer conditions as ICD-10 neoplasm codes (C00–D49), e.g. `C34`, `C50.9`.
    #[serde(default)]
    pub cancer_conditions: Vec<String>,
    #[serde(default)]
    #[schema(schema_with = modalities_schema)]
    pub modalities: Vec<String>,
    #[serde(default)]
    #[schema(schema_with = body_parts_schema)]
    pub body_parts: Vec<String>,
    /// Equipment manufacturers, e.g. `Siemens Healthineers`.
    #[serde(default)]
    pub manufacturers: Vec<String>,
    #[serde(default)]
    #[schema(schema_with = birth_sex_schema)]
    pub birth_sex: Vec<String>,
    pub collection_method: Option<String>,
    pub annotations: Option<AnnotationsWire>,
    #[schema(schema_with = access_model_schema)]
    pub access_model: Option<String>,
}

/// A DUO condition: its code and, where the code needs one, its parameter.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DuoConditionWire {
    /// The DUO short code (`GRU`, `HMB`, `DS`, `NCU`, `TS`, ...).
    #[schema(example = "DS")]
    pub code: String,
    /// DS: the disease, an ICD-10 code.
    pub disease: Option<String>,
    /// MOR: the date before which results may not be published.
    pub until: Option<NaiveDate>,
    /// TS: how many months the data may be used.
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 4294967295.0)]
    pub months: Option<u32>,
    /// GS: the countries the data may be used in.
    pub countries: Option<Vec<String>>,
}

impl DuoConditionWire {
    /// The condition `code` without parameters.
    pub fn bare(code: &str) -> Self {
        Self {
            code: code.to_owned(),
            disease: None,
            until: None,
            months: None,
            countries: None,
        }
    }
}

/// Data-use conditions in GA4GH DUO.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DataUseWire {
    /// One of NRES, GRU, HMB, DS (with `disease`), POA.
    pub permission: DuoConditionWire,
    /// Any of NMDS, GSO, NPUNCU, NPU, NCU, IRB, COL, PUB, MOR (with `until`), RTN, TS (with
    /// `months`), US, PS, IS, GS (with `countries`).
    #[serde(default)]
    pub modifiers: Vec<DuoConditionWire>,
}

/// A dataset description as a data holder writes it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DatasetInput {
    /// The holder's own identifier, unique per publisher (`dct:identifier`).
    #[schema(example = "NLST-CT-2002")]
    pub identifier: String,
    #[serde(deserialize_with = "crate::ids::canonical")]
    pub publisher_id: Uuid,
    /// The committee that reviews applications for this dataset.
    #[serde(deserialize_with = "crate::ids::canonical")]
    pub committee_id: Uuid,
    /// Title by BCP-47 language tag; `en` is required.
    #[schema(example = json!({"en": "Low-dose CT lung cancer screening cohort", "de": "Lungenkrebs-Screening mit Niedrigdosis-CT"}))]
    pub title: BTreeMap<String, String>,
    /// Description by language tag; `en` is required.
    pub description: BTreeMap<String, String>,
    /// Keywords by language tag; required for NON_PUBLIC.
    #[serde(default)]
    pub keywords: BTreeMap<String, Vec<String>>,
    #[schema(schema_with = access_rights_schema)]
    pub access_rights: String,
    #[schema(schema_with = health_categories_schema)]
    pub health_categories: Vec<String>,
    #[schema(schema_with = dataset_type_schema)]
    pub dataset_type: Option<String>,
    /// How the data came to be; required for NON_PUBLIC.
    pub provenance: Option<String>,
    /// Required for NON_PUBLIC.
    pub contact_point: Option<ContactPointWire>,
    #[schema(format = Uri)]
    pub landing_page: Option<String>,
    /// Languages of the data, BCP-47.
    #[serde(default)]
    pub languages: Vec<String>,
    /// Countries the data cover, ISO 3166-1 alpha-2.
    #[serde(default)]
    pub countries: Vec<String>,
    /// When the data were acquired.
    pub temporal: Option<PeriodWire>,
    /// At least one.
    pub distributions: Vec<DistributionWire>,
    #[serde(default)]
    pub has_structured_data: bool,
    /// Required when `has_structured_data`.
    #[serde(default)]
    pub variables: Vec<VariableWire>,
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 4294967295.0)]
    pub min_typical_age: Option<u32>,
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 4294967295.0)]
    pub max_typical_age: Option<u32>,
    /// Imaging studies.
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 4294967295.0)]
    pub number_of_records: Option<u32>,
    /// Subjects.
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 4294967295.0)]
    pub number_of_unique_individuals: Option<u32>,
    pub population_coverage: Option<String>,
    /// Link to the data quality and utility label (EHDS Art 78).
    #[schema(format = Uri)]
    pub quality_label: Option<String>,
    /// A sample of the data (`adms:sample`).
    pub sample: Option<DistributionWire>,
    /// Aggregate reports and indicators (`healthdcatap:analytics`).
    #[serde(default)]
    pub analytics: Vec<DistributionWire>,
    /// Who holds the data on the publisher's behalf (`geodcatap:custodian`).
    pub custodian: Option<CustodianWire>,
    /// What the data were collected for (`dpv:hasPurpose`).
    #[serde(default)]
    pub purposes: Vec<String>,
    /// Legal bases of the processing (`dpv:hasLegalBasis`).
    #[serde(default)]
    pub legal_bases: Vec<String>,
    /// DPV-PD personal-data categories, e.g. `Age`, `Gender` (`dpv:hasPersonalData`).
    #[serde(default)]
    pub personal_data: Vec<String>,
    /// How long the holder keeps the data (`healthdcatap:retentionPeriod`).
    pub retention_period: Option<PeriodWire>,
    /// ISO 8601 duration, e.g. `P1M` (`dcat:temporalResolution`).
    #[schema(example = "P1M")]
    pub temporal_resolution: Option<String>,
    /// EU frequency code, e.g. `ANNUAL`, `IRREG` (`dct:accrualPeriodicity`).
    #[schema(example = "IRREG")]
    pub accrual_periodicity: Option<String>,
    /// HealthDCAT-AP standard codes, e.g. `DICOM`, `FHIR` (`dct:conformsTo`).
    #[serde(default)]
    pub conforms_to: Vec<String>,
    /// Publications about the data (`dct:isReferencedBy`).
    #[serde(default)]
    pub referenced_by: Vec<String>,
    /// Related resources (`dct:relation`).
    #[serde(default)]
    pub relations: Vec<String>,
    /// Documentation pages (`foaf:page`).
    #[serde(default)]
    pub pages: Vec<String>,
    #[serde(default)]
    pub imaging: ImagingWire,
    pub data_use: DataUseWire,
}

/// The organisation holding the data.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustodianWire {
    pub name: String,
    #[schema(schema_with = crate::schema::email)]
    pub email: String,
}

/// A stored dataset: its description and lifecycle.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DatasetView {
    pub id: Uuid,
    #[schema(schema_with = status_schema)]
    pub status: String,
    /// Increases with every change; send it back in `If-Match` to replace.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub modified_at: DateTime<Utc>,
    /// When first published.
    pub issued_at: Option<DateTime<Utc>>,
    /// When the holder last confirmed the description (EHDS Art 60).
    pub confirmed_at: DateTime<Utc>,
    /// Not re-confirmed for more than a year (EHDS Art 60).
    pub stale: bool,
    /// The description as the holder wrote it; send it back (changed) to replace it.
    pub metadata: DatasetInput,
}
