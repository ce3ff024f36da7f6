//! Wire description → domain description: every field checked, every failure named.

use std::collections::BTreeMap;

use hdab_domain::catalogue::duo::{DataUseConditions, DuoCondition, DuoModifier, DuoPermission};
use hdab_domain::catalogue::icd10::IcdCode;
use hdab_domain::catalogue::text::{LocalizedText, LongText, ShortText};
use hdab_domain::catalogue::vocabulary::{
    AccessModel, AccessRights, AnnotationMethod, BirthSex, BodyPart, DatasetType, DicomModality,
    HealthCategory, LanguageTag, VariableDatatype,
};
use hdab_domain::catalogue::{
    Annotations, AuthorityCode, ContactPoint, Custodian, DatasetDetails, DatasetDraft,
    Distribution, ImagingProfile, IsoDuration, MediaType, Period, PersonalDataCategory, Variable,
};
use hdab_domain::codes;
use hdab_domain::ids::{CommitteeId, PublisherId};
use hdab_domain::values::{CountryCode, Email, HttpUrl};
use hdab_domain::{DomainError, FieldErrors, ValueError};

use super::types::*;
use crate::fields::{parse_each, parse_optional, within};

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
            .map_err(|_| ValueError::new(codes::OUT_OF_RANGE, "must not be negative"));
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

/// The data-use conditions of `wire`, each failure named under `data_use`.
pub fn data_use(errors: &mut FieldErrors, wire: &DataUseWire) -> Option<DataUseConditions> {
    let permission = duo_permission(errors, &wire.permission);
    let modifiers = (0..within(errors, "data_use.modifiers", wire.modifiers.len()))
        .filter_map(|i| {
            duo_modifier(
                errors,
                &format!("data_use.modifiers[{i}]"),
                &wire.modifiers[i],
            )
        })
        .collect();
    Some(DataUseConditions {
        permission: permission?,
        modifiers,
    })
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
        let data_use = data_use(e, &input.data_use);
        let (Some(identifier), Some(title), Some(description), Some(access_rights), Some(data_use)) =
            (identifier, title, description, access_rights, data_use)
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
            data_use,
        })
        .map_err(FieldErrors::into_error)
    }
}
