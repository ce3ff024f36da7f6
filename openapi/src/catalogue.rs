//! Datasets on the wire: the HealthDCAT-AP description with the cancer-imaging extensions.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use hdab_domain::catalogue::duo::{DataUseConditions, DuoCondition, DuoModifier, DuoPermission};
use hdab_domain::catalogue::icd10::IcdCode;
use hdab_domain::catalogue::text::{LocalizedText, LongText, ShortText};
use hdab_domain::catalogue::vocabulary::{
    AccessModel, AccessRights, AnnotationMethod, BirthSex, BodyPart, DatasetType, DicomModality,
    HealthCategory, LanguageTag, VariableDatatype,
};
use hdab_domain::catalogue::{
    Annotations, AuthorityCode, ContactPoint, Custodian, Dataset, DatasetDetails, DatasetDraft,
    DatasetStatus, Distribution, ImagingProfile, IsoDuration, MediaType, Period,
    PersonalDataCategory, Variable,
};
use hdab_domain::ids::{CommitteeId, PublisherId};
use hdab_domain::values::{CountryCode, Email, HttpUrl};
use hdab_domain::{DomainError, FieldErrors, ValueError, limits};
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
        fn $name() -> utoipa::openapi::schema::Object {
            string_enum(<$type>::wire_names(), $description)
        }
    };
    (@many $name:ident, $type:ty, $description:literal) => {
        fn $name() -> utoipa::openapi::schema::Array {
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

/// Parses every element of `items`, naming failures `field[index]`. A list over its limit is
/// refused whole, without parsing its items.
fn parse_each<T>(
    errors: &mut FieldErrors,
    field: &str,
    items: &[String],
    parse: impl Fn(&str) -> Result<T, ValueError>,
) -> Vec<T> {
    if !limits::check(errors, field, items.len()) {
        return Vec::new();
    }
    items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| errors.take(format!("{field}[{i}]"), parse(item)))
        .collect()
}

/// How many items of a list at `field` to parse: all of them, or none when the list is over
/// its limit (which is then recorded).
fn within(errors: &mut FieldErrors, field: &str, len: usize) -> usize {
    if limits::check(errors, field, len) {
        len
    } else {
        0
    }
}

fn parse_optional<T>(
    errors: &mut FieldErrors,
    field: &str,
    item: Option<&str>,
    parse: impl Fn(&str) -> Result<T, ValueError>,
) -> Option<T> {
    item.and_then(|value| errors.take(field, parse(value)))
}

fn localized(
    errors: &mut FieldErrors,
    field: &str,
    texts: &BTreeMap<String, String>,
) -> Option<LocalizedText> {
    let mut parsed = BTreeMap::new();
    for (tag, text) in texts {
        let tag = errors.take(format!("{field}.{tag}"), LanguageTag::parse(tag));
        let text = errors.take(
            format!("{field}.{}", tag.as_ref().map_or("?", |t| t.as_str())),
            LongText::parse(text),
        );
        if let (Some(tag), Some(text)) = (tag, text) {
            parsed.insert(tag, text);
        }
    }
    errors.take(field, LocalizedText::new(parsed))
}

fn keywords(
    errors: &mut FieldErrors,
    input: &BTreeMap<String, Vec<String>>,
) -> BTreeMap<LanguageTag, Vec<ShortText>> {
    let mut parsed = BTreeMap::new();
    for (tag, words) in input {
        let field = format!("keywords.{tag}");
        if let Some(tag) = errors.take(&field, LanguageTag::parse(tag)) {
            parsed.insert(tag, parse_each(errors, &field, words, ShortText::parse));
        }
    }
    parsed
}

fn distribution(
    errors: &mut FieldErrors,
    field: &str,
    wire: &DistributionWire,
) -> Option<Distribution> {
    let title = parse_optional(
        errors,
        &format!("{field}.title"),
        wire.title.as_deref(),
        ShortText::parse,
    );
    let access_url = errors.take(
        format!("{field}.access_url"),
        HttpUrl::parse(&wire.access_url),
    );
    let download_url = parse_optional(
        errors,
        &format!("{field}.download_url"),
        wire.download_url.as_deref(),
        HttpUrl::parse,
    );
    let format = parse_optional(
        errors,
        &format!("{field}.format"),
        wire.format.as_deref(),
        AuthorityCode::parse,
    );
    let media_type = parse_optional(
        errors,
        &format!("{field}.media_type"),
        wire.media_type.as_deref(),
        MediaType::parse,
    );
    let license = parse_optional(
        errors,
        &format!("{field}.license"),
        wire.license.as_deref(),
        HttpUrl::parse,
    );
    let byte_size = wire.byte_size.and_then(|size| {
        let checked = u64::try_from(size)
            .map_err(|_| ValueError::new("out_of_range", "must not be negative"));
        errors.take(format!("{field}.byte_size"), checked)
    });
    Some(Distribution {
        title,
        access_url: access_url?,
        download_url,
        format,
        media_type,
        byte_size,
        license,
    })
}

fn variable(errors: &mut FieldErrors, field: &str, wire: &VariableWire) -> Option<Variable> {
    let name = errors.take(format!("{field}.name"), ShortText::parse(&wire.name));
    let title = errors.take(format!("{field}.title"), ShortText::parse(&wire.title));
    let datatype = errors.take(
        format!("{field}.datatype"),
        VariableDatatype::parse(&wire.datatype),
    );
    let description = errors.take(
        format!("{field}.description"),
        ShortText::parse(&wire.description),
    );
    let property_url = parse_optional(
        errors,
        &format!("{field}.property_url"),
        wire.property_url.as_deref(),
        HttpUrl::parse,
    );
    Some(Variable {
        name: name?,
        title: title?,
        datatype: datatype?,
        description: description?,
        property_url,
    })
}

fn imaging(errors: &mut FieldErrors, wire: &ImagingWire) -> ImagingProfile {
    let annotations = wire.annotations.as_ref().and_then(|a| {
        let labels = parse_each(
            errors,
            "imaging.annotations.labels",
            &a.labels,
            ShortText::parse,
        );
        let method = errors.take(
            "imaging.annotations.method",
            AnnotationMethod::parse(&a.method),
        )?;
        Some(Annotations {
            labels,
            method,
            count: u64::from(a.count),
        })
    });
    ImagingProfile {
        cancer_conditions: parse_each(
            errors,
            "imaging.cancer_conditions",
            &wire.cancer_conditions,
            IcdCode::parse_neoplasm,
        ),
        modalities: parse_each(
            errors,
            "imaging.modalities",
            &wire.modalities,
            DicomModality::parse,
        ),
        body_parts: parse_each(
            errors,
            "imaging.body_parts",
            &wire.body_parts,
            BodyPart::parse,
        ),
        manufacturers: parse_each(
            errors,
            "imaging.manufacturers",
            &wire.manufacturers,
            ShortText::parse,
        ),
        birth_sex: parse_each(
            errors,
            "imaging.birth_sex",
            &wire.birth_sex,
            BirthSex::parse,
        ),
        collection_method: parse_optional(
            errors,
            "imaging.collection_method",
            wire.collection_method.as_deref(),
            ShortText::parse,
        ),
        annotations,
        access_model: parse_optional(
            errors,
            "imaging.access_model",
            wire.access_model.as_deref(),
            AccessModel::parse,
        ),
    }
}

fn duo_permission(errors: &mut FieldErrors, wire: &DuoConditionWire) -> Option<DuoPermission> {
    errors.take(
        "data_use.permission",
        DuoPermission::try_from(&DuoCondition::from(wire)),
    )
}

fn duo_modifier(
    errors: &mut FieldErrors,
    field: &str,
    wire: &DuoConditionWire,
) -> Option<DuoModifier> {
    errors.take(field, DuoModifier::try_from(&DuoCondition::from(wire)))
}

impl From<&DuoConditionWire> for DuoCondition {
    fn from(wire: &DuoConditionWire) -> Self {
        Self {
            code: wire.code.clone(),
            disease: wire.disease.clone(),
            until: wire.until,
            months: wire.months,
            countries: wire.countries.clone(),
        }
    }
}

impl From<DuoCondition> for DuoConditionWire {
    fn from(condition: DuoCondition) -> Self {
        Self {
            code: condition.code,
            disease: condition.disease,
            until: condition.until,
            months: condition.months,
            countries: condition.countries,
        }
    }
}

impl TryFrom<&DatasetInput> for DatasetDetails {
    type Error = DomainError;

    fn try_from(input: &DatasetInput) -> Result<Self, DomainError> {
        let mut errors = FieldErrors::new();
        let e = &mut errors;
        let identifier = e.take("identifier", ShortText::parse(&input.identifier));
        let title = localized(e, "title", &input.title);
        let description = localized(e, "description", &input.description);
        let keywords = keywords(e, &input.keywords);
        let access_rights = e.take("access_rights", AccessRights::parse(&input.access_rights));
        let health_categories = parse_each(
            e,
            "health_categories",
            &input.health_categories,
            HealthCategory::parse,
        );
        let dataset_type = parse_optional(
            e,
            "dataset_type",
            input.dataset_type.as_deref(),
            DatasetType::parse,
        );
        let provenance = parse_optional(
            e,
            "provenance",
            input.provenance.as_deref(),
            LongText::parse,
        );
        let contact_point = input.contact_point.as_ref().and_then(|c| {
            let email = e.take("contact_point.email", Email::parse(&c.email));
            let url = parse_optional(e, "contact_point.url", c.url.as_deref(), HttpUrl::parse);
            Some(ContactPoint { email: email?, url })
        });
        let landing_page = parse_optional(
            e,
            "landing_page",
            input.landing_page.as_deref(),
            HttpUrl::parse,
        );
        let languages = parse_each(e, "languages", &input.languages, LanguageTag::parse);
        let countries = parse_each(e, "countries", &input.countries, CountryCode::parse);
        let temporal = input
            .temporal
            .as_ref()
            .and_then(|p| e.take("temporal", Period::new(p.start, p.end)));
        let distributions: Vec<_> = (0..within(e, "distributions", input.distributions.len()))
            .filter_map(|i| {
                distribution(e, &format!("distributions[{i}]"), &input.distributions[i])
            })
            .collect();
        let variables: Vec<_> = (0..within(e, "variables", input.variables.len()))
            .filter_map(|i| variable(e, &format!("variables[{i}]"), &input.variables[i]))
            .collect();
        let population_coverage = parse_optional(
            e,
            "population_coverage",
            input.population_coverage.as_deref(),
            LongText::parse,
        );
        let quality_label = parse_optional(
            e,
            "quality_label",
            input.quality_label.as_deref(),
            HttpUrl::parse,
        );
        let imaging = imaging(e, &input.imaging);
        let sample = input
            .sample
            .as_ref()
            .and_then(|d| distribution(e, "sample", d));
        let analytics = (0..within(e, "analytics", input.analytics.len()))
            .filter_map(|i| distribution(e, &format!("analytics[{i}]"), &input.analytics[i]))
            .collect();
        let custodian = input.custodian.as_ref().and_then(|c| {
            let name = e.take("custodian.name", ShortText::parse(&c.name));
            let email = e.take("custodian.email", Email::parse(&c.email));
            Some(Custodian {
                name: name?,
                email: email?,
            })
        });
        let purposes = parse_each(e, "purposes", &input.purposes, LongText::parse);
        let legal_bases = parse_each(e, "legal_bases", &input.legal_bases, LongText::parse);
        let personal_data = parse_each(
            e,
            "personal_data",
            &input.personal_data,
            PersonalDataCategory::parse,
        );
        let retention_period = input
            .retention_period
            .as_ref()
            .and_then(|p| e.take("retention_period", Period::new(p.start, p.end)));
        let temporal_resolution = parse_optional(
            e,
            "temporal_resolution",
            input.temporal_resolution.as_deref(),
            IsoDuration::parse,
        );
        let accrual_periodicity = parse_optional(
            e,
            "accrual_periodicity",
            input.accrual_periodicity.as_deref(),
            AuthorityCode::parse,
        );
        let conforms_to = parse_each(e, "conforms_to", &input.conforms_to, AuthorityCode::parse);
        let referenced_by = parse_each(e, "referenced_by", &input.referenced_by, HttpUrl::parse);
        let relations = parse_each(e, "relations", &input.relations, HttpUrl::parse);
        let pages = parse_each(e, "pages", &input.pages, HttpUrl::parse);
        let permission = duo_permission(e, &input.data_use.permission);
        let modifiers = (0..within(e, "data_use.modifiers", input.data_use.modifiers.len()))
            .filter_map(|i| {
                duo_modifier(
                    e,
                    &format!("data_use.modifiers[{i}]"),
                    &input.data_use.modifiers[i],
                )
            })
            .collect();
        let (
            Some(identifier),
            Some(title),
            Some(description),
            Some(access_rights),
            Some(permission),
        ) = (identifier, title, description, access_rights, permission)
        else {
            return Err(errors.into_error());
        };
        if !errors.is_empty() {
            return Err(errors.into_error());
        }
        DatasetDetails::new(DatasetDraft {
            identifier,
            publisher_id: PublisherId::from_uuid(input.publisher_id),
            committee_id: CommitteeId::from_uuid(input.committee_id),
            title,
            description,
            keywords,
            access_rights,
            health_categories,
            dataset_type,
            provenance,
            contact_point,
            landing_page,
            languages,
            countries,
            temporal,
            distributions,
            has_structured_data: input.has_structured_data,
            variables,
            min_typical_age: input.min_typical_age,
            max_typical_age: input.max_typical_age,
            number_of_records: input.number_of_records.map(u64::from),
            number_of_unique_individuals: input.number_of_unique_individuals.map(u64::from),
            population_coverage,
            quality_label,
            sample,
            analytics,
            custodian,
            purposes,
            legal_bases,
            personal_data,
            retention_period,
            temporal_resolution,
            accrual_periodicity,
            conforms_to,
            referenced_by,
            relations,
            pages,
            imaging,
            data_use: DataUseConditions {
                permission,
                modifiers,
            },
        })
        .map_err(FieldErrors::into_error)
    }
}

fn strings<T>(items: &[T], text: impl Fn(&T) -> &str) -> Vec<String> {
    items.iter().map(|item| text(item).to_owned()).collect()
}

fn texts(text: &LocalizedText) -> BTreeMap<String, String> {
    text.iter()
        .map(|(tag, text)| (tag.to_string(), text.to_owned()))
        .collect()
}

fn permission_wire(permission: &DuoPermission) -> DuoConditionWire {
    DuoCondition::from(permission).into()
}

fn modifier_wire(modifier: &DuoModifier) -> DuoConditionWire {
    DuoCondition::from(modifier).into()
}

impl From<&Distribution> for DistributionWire {
    fn from(x: &Distribution) -> Self {
        let url = |u: &Option<HttpUrl>| u.as_ref().map(|u| u.as_str().to_owned());
        Self {
            title: x.title.as_ref().map(|t| t.as_str().to_owned()),
            access_url: x.access_url.as_str().to_owned(),
            download_url: url(&x.download_url),
            format: x.format.as_ref().map(|f| f.as_str().to_owned()),
            media_type: x.media_type.as_ref().map(|m| m.as_str().to_owned()),
            byte_size: x.byte_size.and_then(|b| i64::try_from(b).ok()),
            license: url(&x.license),
        }
    }
}

impl From<&DatasetDetails> for DatasetInput {
    fn from(d: &DatasetDetails) -> Self {
        let url = |u: &Option<HttpUrl>| u.as_ref().map(|u| u.as_str().to_owned());
        let imaging = &d.imaging;
        Self {
            identifier: d.identifier.as_str().to_owned(),
            publisher_id: d.publisher_id.as_uuid(),
            committee_id: d.committee_id.as_uuid(),
            title: texts(&d.title),
            description: texts(&d.description),
            keywords: d
                .keywords
                .iter()
                .map(|(tag, words)| (tag.to_string(), strings(words, ShortText::as_str)))
                .collect(),
            access_rights: d.access_rights.as_str().to_owned(),
            health_categories: strings(&d.health_categories, |c| c.as_str()),
            dataset_type: d.dataset_type.map(|t| t.as_str().to_owned()),
            provenance: d.provenance.as_ref().map(|p| p.as_str().to_owned()),
            contact_point: d.contact_point.as_ref().map(|c| ContactPointWire {
                email: c.email.as_str().to_owned(),
                url: url(&c.url),
            }),
            landing_page: url(&d.landing_page),
            languages: strings(&d.languages, LanguageTag::as_str),
            countries: strings(&d.countries, |c| c.as_str()),
            temporal: d.temporal.map(|p| PeriodWire {
                start: p.start,
                end: p.end,
            }),
            distributions: d.distributions.iter().map(DistributionWire::from).collect(),
            has_structured_data: d.has_structured_data,
            variables: d
                .variables
                .iter()
                .map(|v| VariableWire {
                    name: v.name.as_str().to_owned(),
                    title: v.title.as_str().to_owned(),
                    datatype: v.datatype.as_str().to_owned(),
                    description: v.description.as_str().to_owned(),
                    property_url: url(&v.property_url),
                })
                .collect(),
            min_typical_age: d.min_typical_age,
            max_typical_age: d.max_typical_age,
            number_of_records: d.number_of_records.and_then(|n| u32::try_from(n).ok()),
            number_of_unique_individuals: d
                .number_of_unique_individuals
                .and_then(|n| u32::try_from(n).ok()),
            population_coverage: d
                .population_coverage
                .as_ref()
                .map(|p| p.as_str().to_owned()),
            quality_label: url(&d.quality_label),
            sample: d.sample.as_ref().map(DistributionWire::from),
            analytics: d.analytics.iter().map(DistributionWire::from).collect(),
            custodian: d.custodian.as_ref().map(|c| CustodianWire {
                name: c.name.as_str().to_owned(),
                email: c.email.as_str().to_owned(),
            }),
            purposes: strings(&d.purposes, LongText::as_str),
            legal_bases: strings(&d.legal_bases, LongText::as_str),
            personal_data: strings(&d.personal_data, PersonalDataCategory::as_str),
            retention_period: d.retention_period.map(|p| PeriodWire {
                start: p.start,
                end: p.end,
            }),
            temporal_resolution: d
                .temporal_resolution
                .as_ref()
                .map(|t| t.as_str().to_owned()),
            accrual_periodicity: d
                .accrual_periodicity
                .as_ref()
                .map(|a| a.as_str().to_owned()),
            conforms_to: strings(&d.conforms_to, AuthorityCode::as_str),
            referenced_by: strings(&d.referenced_by, HttpUrl::as_str),
            relations: strings(&d.relations, HttpUrl::as_str),
            pages: strings(&d.pages, HttpUrl::as_str),
            imaging: ImagingWire {
                cancer_conditions: strings(&imaging.cancer_conditions, IcdCode::as_str),
                modalities: strings(&imaging.modalities, |m| m.as_str()),
                body_parts: strings(&imaging.body_parts, |b| b.as_str()),
                manufacturers: strings(&imaging.manufacturers, ShortText::as_str),
                birth_sex: strings(&imaging.birth_sex, |s| s.as_str()),
                collection_method: imaging
                    .collection_method
                    .as_ref()
                    .map(|m| m.as_str().to_owned()),
                annotations: imaging.annotations.as_ref().map(|a| AnnotationsWire {
                    labels: strings(&a.labels, ShortText::as_str),
                    method: a.method.as_str().to_owned(),
                    count: u32::try_from(a.count).unwrap_or(u32::MAX),
                }),
                access_model: imaging.access_model.map(|m| m.as_str().to_owned()),
            },
            data_use: DataUseWire {
                permission: permission_wire(&d.data_use.permission),
                modifiers: d.data_use.modifiers.iter().map(modifier_wire).collect(),
            },
        }
    }
}

impl DatasetView {
    /// The view of `dataset` at `now` (which decides the Art 60 stale flag).
    pub fn new(dataset: &Dataset, now: DateTime<Utc>) -> Self {
        Self {
            id: dataset.id.as_uuid(),
            status: dataset.status.as_str().to_owned(),
            version: dataset.version,
            created_at: dataset.created_at,
            modified_at: dataset.modified_at,
            issued_at: dataset.issued_at,
            confirmed_at: dataset.confirmed_at,
            stale: dataset.is_stale(now),
            metadata: DatasetInput::from(&dataset.details),
        }
    }
}

/// A dataset as a search hit: enough to list and filter, with a link to the full record.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DatasetSummary {
    pub id: Uuid,
    pub identifier: String,
    /// Title by language tag.
    pub title: BTreeMap<String, String>,
    /// The English description, shortened to about 300 characters.
    pub description: String,
    pub publisher_id: Uuid,
    pub publisher_name: String,
    /// The publisher is a trusted data holder (EHDS Art 72).
    pub trusted_holder: bool,
    #[schema(schema_with = access_rights_schema)]
    pub access_rights: String,
    pub countries: Vec<String>,
    pub cancer_conditions: Vec<String>,
    pub modalities: Vec<String>,
    pub body_parts: Vec<String>,
    pub number_of_unique_individuals: Option<u64>,
    pub number_of_records: Option<u64>,
    /// The DUO permission code.
    pub duo_permission: String,
    pub modified_at: DateTime<Utc>,
    pub confirmed_at: DateTime<Utc>,
}

/// One value of a facet and how many datasets have it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FacetValue {
    pub value: String,
    pub count: u64,
}

/// A page of search results with the facet counts of the whole result.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SearchPage {
    pub items: Vec<DatasetSummary>,
    /// Datasets matching the query and every filter.
    pub total: u64,
    pub next_cursor: Option<String>,
    /// Per filter dimension, its values with counts computed with all the *other* filters
    /// applied, most frequent first.
    pub facets: BTreeMap<String, Vec<FacetValue>>,
}

/// Search parameters. List-valued filters take comma-separated values, any of which may match.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Full text over titles, descriptions and keywords in every language (stemmed), at most
    /// 500 characters.
    #[param(max_length = 500)]
    pub q: Option<String>,
    /// ICD-10 codes; a code also matches its subcodes (`C34` finds `C34.1`).
    pub cancer_condition: Option<String>,
    /// DICOM modality codes, e.g. `CT,MR`.
    pub modality: Option<String>,
    /// DICOM body parts, e.g. `CHEST`.
    pub body_part: Option<String>,
    /// Equipment manufacturers, exactly as listed.
    pub manufacturer: Option<String>,
    /// ISO 3166-1 alpha-2 countries the data cover.
    pub country: Option<String>,
    /// Publisher ids.
    pub publisher: Option<String>,
    /// PUBLIC, RESTRICTED, NON_PUBLIC.
    pub access_rights: Option<String>,
    /// EHDS Art 51 health category codes.
    pub health_category: Option<String>,
    /// DUO permission codes: NRES, GRU, HMB, DS, POA.
    pub duo_permission: Option<String>,
    /// Only datasets of trusted data holders (EHDS Art 72), or only of others.
    pub trusted_holder: Option<bool>,
    /// At least this many subjects.
    #[param(value_type = Option<i64>, minimum = 0, maximum = 4294967295.0)]
    pub subjects_min: Option<u32>,
    /// At most this many subjects.
    #[param(value_type = Option<i64>, minimum = 0, maximum = 4294967295.0)]
    pub subjects_max: Option<u32>,
    /// Typical age range overlapping [age_min, age_max].
    #[param(value_type = Option<i64>, minimum = 0, maximum = 4294967295.0)]
    pub age_min: Option<u32>,
    #[param(value_type = Option<i64>, minimum = 0, maximum = 4294967295.0)]
    pub age_max: Option<u32>,
    /// Acquisition period overlapping [acquired_from, acquired_to] (years).
    pub acquired_from: Option<i32>,
    pub acquired_to: Option<i32>,
    /// relevance (default), modified or subjects.
    pub sort: Option<String>,
    /// 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    #[param(max_length = 200)]
    pub cursor: Option<String>,
}

/// A HealthDCAT-AP description in JSON-LD: expanded form, an array of node objects (`@id`,
/// full property IRIs). Documented so that generated clients read it as JSON, not text.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(value_type = Vec<Object>)]
pub struct JsonLdDocument(pub Vec<serde_json::Value>);
