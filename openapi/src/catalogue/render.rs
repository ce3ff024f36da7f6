//! Domain description → wire description and the stored dataset's view.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use hdab_domain::catalogue::duo::{DataUseConditions, DuoCondition, DuoModifier, DuoPermission};
use hdab_domain::catalogue::icd10::IcdCode;
use hdab_domain::catalogue::text::{LocalizedText, LongText, ShortText};
use hdab_domain::catalogue::vocabulary::LanguageTag;
use hdab_domain::catalogue::{
    AuthorityCode, Dataset, DatasetDetails, Distribution, PersonalDataCategory,
};
use hdab_domain::values::HttpUrl;

use super::types::*;

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

impl From<&DataUseConditions> for DataUseWire {
    fn from(conditions: &DataUseConditions) -> Self {
        Self {
            permission: permission_wire(&conditions.permission),
            modifiers: conditions.modifiers.iter().map(modifier_wire).collect(),
        }
    }
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
            data_use: DataUseWire::from(&d.data_use),
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
