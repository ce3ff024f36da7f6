//! The wire description's seams: it reads into the domain's, naming every failure, and the
//! domain's writes back as the same wire description.

use hdab_domain::DomainError;
use hdab_domain::catalogue::DatasetDetails;
use serde_json::{Value, json};

use super::DatasetInput;

fn full_description() -> Value {
    let mut value = json!({
        "identifier": "MRN-GLIOMA-BRATS",
        "publisher_id": "0a4f7f3e-6a55-4c3f-9d8e-2b1c4d5e6f70",
        "committee_id": "1b5a8e4f-7b66-4d40-8e9f-3c2d5e6f7a81",
        "title": {"en": "Pre-operative MRI of adult glioma", "it": "RM pre-operatoria dei gliomi"},
        "description": {"en": "T1, T2 and FLAIR MRI with tumour segmentations."},
        "keywords": {"en": ["glioma", "segmentation"]},
        "access_rights": "NON_PUBLIC",
        "health_categories": ["EHRS"],
        "dataset_type": "TRAINING_DATA",
        "provenance": "Acquired in clinical care, de-identified by the holder.",
        "contact_point": {"email": "data@radiomics.example.it", "url": "https://radiomics.example.it/contact"},
        "landing_page": "https://radiomics.example.it/datasets/glioma",
        "languages": ["en", "it"],
        "countries": ["IT"],
        "temporal": {"start": "2010-01-01", "end": "2021-12-31"},
        "distributions": [{
            "title": "DICOM studies",
            "access_url": "https://radiomics.example.it/datasets/glioma/access",
            "download_url": null,
            "format": "ZIP",
            "media_type": "application/zip",
            "byte_size": 225180000000i64,
            "license": "https://creativecommons.org/licenses/by/4.0/"
        }],
        "has_structured_data": true,
        "variables": [{
            "name": "age_at_imaging",
            "title": "Age at imaging",
            "datatype": "integer",
            "description": "Age in years at the index study.",
            "property_url": null
        }],
        "min_typical_age": 18,
        "max_typical_age": 86,
        "number_of_records": 1251,
        "number_of_unique_individuals": 1251,
        "population_coverage": "Adults imaged at one network.",
        "quality_label": null,
        "sample": null,
        "analytics": [],
        "custodian": {"name": "Imaging data office", "email": "data@radiomics.example.it"},
        "purposes": ["Cancer imaging research under EHDS Art 53(1)(e)."],
        "legal_bases": ["Regulation (EU) 2025/327, Chapter IV."],
        "personal_data": ["Age", "HealthRecord"],
        "retention_period": {"start": "2010-01-01", "end": "2046-12-31"},
        "temporal_resolution": "P1M",
        "accrual_periodicity": "IRREG",
        "conforms_to": ["DICOM"],
        "referenced_by": [],
        "relations": [],
        "pages": ["https://radiomics.example.it/datasets/glioma/documentation"]
    });
    value["imaging"] = imaging();
    value["data_use"] = data_use();
    value
}

fn imaging() -> Value {
    json!({
        "cancer_conditions": ["C71"],
        "modalities": ["MR", "SEG"],
        "body_parts": ["BRAIN"],
        "manufacturers": ["Siemens Healthineers"],
        "birth_sex": ["female", "male"],
        "collection_method": "Retrospective",
        "annotations": {"labels": ["necrosis", "oedema"], "method": "semi_automatic", "count": 1251},
        "access_model": "download"
    })
}

fn data_use() -> Value {
    json!({
        "permission": {"code": "DS", "disease": "C71", "until": null, "months": null, "countries": null},
        "modifiers": [{"code": "TS", "disease": null, "until": null, "months": 24, "countries": null}]
    })
}

fn input(value: Value) -> DatasetInput {
    serde_json::from_value(value).expect("the wire shape")
}

fn failing_fields(value: Value) -> Vec<String> {
    match DatasetDetails::try_from(&input(value)) {
        Err(DomainError::Invalid(errors)) => errors.into_iter().map(|e| e.field).collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

#[test]
fn a_full_description_reads_and_writes_back_unchanged() {
    let details = DatasetDetails::try_from(&input(full_description())).unwrap();
    let written = serde_json::to_value(DatasetInput::from(&details)).unwrap();
    assert_eq!(written, full_description());
}

#[test]
fn every_invalid_field_is_named_at_once() {
    let mut value = full_description();
    value["access_rights"] = json!("SECRET");
    value["countries"] = json!(["IT", "Italy"]);
    value["distributions"][0]["access_url"] = json!("ftp://files");
    value["imaging"]["modalities"] = json!(["MR", "XRAY"]);
    value["data_use"]["permission"] = json!({"code": "DS"});
    assert_eq!(
        failing_fields(value),
        [
            "access_rights",
            "countries[1]",
            "distributions[0].access_url",
            "imaging.modalities[1]",
            "data_use.permission",
        ]
    );
}

#[test]
fn a_list_over_its_limit_is_refused_whole_without_reading_its_items() {
    let mut value = full_description();
    value["countries"] = json!(vec!["not a country"; 10_000]);
    assert_eq!(failing_fields(value), ["countries"]);
}

#[test]
fn an_unknown_field_is_refused_by_the_wire_shape() {
    let mut value = full_description();
    value["colour"] = json!("blue");
    let error = serde_json::from_value::<DatasetInput>(value).unwrap_err();
    assert!(
        error.to_string().contains("unknown field `colour`"),
        "{error}"
    );
}
