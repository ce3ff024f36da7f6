//! What the search index reads of a stored description: only the fields it keeps, borrowed
//! from the stored text wherever they hold no JSON escapes, and without checking each value
//! again. The write path checked every value before the row was stored; reading the whole
//! description into its domain shape instead (every value re-checked, some sixty allocations,
//! all dropped again) was the largest part of rebuilding the index.
//!
//! The names are the stored document's, which is the domain's own serialisation
//! (`DatasetDraft`); a test stores a full description and reads it back through here.

use std::borrow::{Borrow, Cow};
use std::collections::BTreeMap;
use std::ops::Deref;

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer};

/// The searchable fields of a stored description.
#[derive(Debug, Deserialize)]
pub struct SearchableFields<'a> {
    #[serde(borrow)]
    pub identifier: Text<'a>,
    /// Language tag → title.
    #[serde(borrow)]
    pub title: BTreeMap<Text<'a>, Text<'a>>,
    /// Language tag → description.
    #[serde(borrow)]
    pub description: BTreeMap<Text<'a>, Text<'a>>,
    /// Language tag → keywords.
    #[serde(borrow)]
    pub keywords: BTreeMap<Text<'a>, Vec<Text<'a>>>,
    #[serde(borrow)]
    pub access_rights: Text<'a>,
    #[serde(borrow)]
    pub health_categories: Vec<Text<'a>>,
    #[serde(borrow)]
    pub countries: Vec<Text<'a>>,
    pub temporal: Option<Dates>,
    pub min_typical_age: Option<u32>,
    pub max_typical_age: Option<u32>,
    pub number_of_records: Option<u64>,
    pub number_of_unique_individuals: Option<u64>,
    #[serde(borrow)]
    pub imaging: SearchableImaging<'a>,
    #[serde(borrow)]
    pub data_use: SearchableDataUse<'a>,
}

/// When the data were acquired.
#[derive(Debug, Clone, Copy, Deserialize)]
pub struct Dates {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

#[derive(Debug, Deserialize)]
pub struct SearchableImaging<'a> {
    /// ICD-10 codes, as stored (without their ancestors).
    #[serde(borrow)]
    pub cancer_conditions: Vec<Text<'a>>,
    #[serde(borrow)]
    pub modalities: Vec<Text<'a>>,
    #[serde(borrow)]
    pub body_parts: Vec<Text<'a>>,
    #[serde(borrow)]
    pub manufacturers: Vec<Text<'a>>,
}

#[derive(Debug, Deserialize)]
pub struct SearchableDataUse<'a> {
    #[serde(borrow)]
    pub permission: SearchableCondition<'a>,
}

/// A DUO condition: only its short code is searched.
#[derive(Debug, Deserialize)]
pub struct SearchableCondition<'a> {
    #[serde(borrow)]
    pub code: Text<'a>,
}

/// A string of the stored text: borrowed, or owned where JSON escapes had to be undone
/// (serde's own `Cow<str>` always copies).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Text<'a>(pub Cow<'a, str>);

/// Keys of a map look themselves up by text (the order is `str`'s either way).
impl Borrow<str> for Text<'_> {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl Deref for Text<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Borrowing;
        impl<'de> serde::de::Visitor<'de> for Borrowing {
            type Value = Cow<'de, str>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, text: &'de str) -> Result<Self::Value, E> {
                Ok(Cow::Borrowed(text))
            }
            fn visit_str<E>(self, text: &str) -> Result<Self::Value, E> {
                Ok(Cow::Owned(text.to_owned()))
            }
            fn visit_string<E>(self, text: String) -> Result<Self::Value, E> {
                Ok(Cow::Owned(text))
            }
        }
        deserializer.deserialize_str(Borrowing).map(Text)
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Datelike, TimeZone, Utc};
    use hdab_domain::catalogue::{Dataset, DatasetDetails, DatasetStatus};
    use hdab_domain::ids::DatasetId;

    use super::*;
    use crate::datasets::DatasetRecord;

    /// A description with every field the index reads set, in the domain's own shape, texts
    /// with characters JSON escapes.
    fn stored() -> DatasetRecord {
        let details: DatasetDetails = serde_json::from_str(
            r#"{
            "identifier": "LUNG-CT-1", "publisher_id": "01a2418e-ce9b-7739-8312-989ec5c0ff94",
            "committee_id": "01a2418e-ce9d-72a3-a6fc-35bd16652f6a",
            "title": {"de": "Lungenkrebs-Früherkennung", "en": "Lung \"CT\" screening \\ cohort"},
            "description": {"en": "Low-dose CT,\nwith outcomes."},
            "keywords": {"en": ["lung cancer", "CT"], "fr": ["cancer du poumon"]},
            "access_rights": "PUBLIC", "health_categories": ["EHRS", "HGPD"],
            "dataset_type": null, "provenance": null, "contact_point": null, "landing_page": null,
            "languages": ["en"], "countries": ["DE", "NL"],
            "temporal": {"start": "1995-01-01", "end": "2000-12-31"},
            "distributions": [{"title": null, "access_url": "https://example.org/a",
                "download_url": null, "format": null, "media_type": null, "byte_size": null,
                "license": null}],
            "has_structured_data": false, "variables": [],
            "min_typical_age": 40, "max_typical_age": 80,
            "number_of_records": 900, "number_of_unique_individuals": 300,
            "population_coverage": null, "quality_label": null, "sample": null, "analytics": [],
            "custodian": null, "purposes": [], "legal_bases": [], "personal_data": [],
            "retention_period": null, "temporal_resolution": null, "accrual_periodicity": null,
            "conforms_to": [], "referenced_by": [], "relations": [], "pages": [],
            "imaging": {"cancer_conditions": ["C34.1", "C50"], "modalities": ["CT", "MR"],
                "body_parts": ["CHEST"], "manufacturers": ["Siemens Healthineers"],
                "birth_sex": [], "collection_method": null, "annotations": null,
                "access_model": null},
            "data_use": {"permission": {"code": "DS", "disease": "C34"}, "modifiers": []}
        }"#,
        )
        .unwrap();
        let at = Utc.with_ymd_and_hms(2026, 12, 4, 12, 0, 0).unwrap();
        DatasetRecord::of(&Dataset {
            id: DatasetId::generate(),
            details,
            status: DatasetStatus::Published,
            version: 2,
            created_at: at,
            modified_at: at,
            issued_at: Some(at),
            confirmed_at: at,
        })
        .unwrap()
    }

    fn texts<'a>(values: &'a [Text]) -> Vec<&'a str> {
        values.iter().map(|value| &**value).collect()
    }

    #[test]
    fn the_index_reads_every_searchable_field_as_the_domain_wrote_it() {
        let record = stored();
        let fields = record.searchable().unwrap();
        assert_eq!(&*fields.identifier, "LUNG-CT-1");
        assert_eq!(&*fields.title["en"], "Lung \"CT\" screening \\ cohort");
        assert_eq!(&*fields.title["de"], "Lungenkrebs-Früherkennung");
        assert_eq!(&*fields.description["en"], "Low-dose CT,\nwith outcomes.");
        assert_eq!(texts(&fields.keywords["en"]), ["lung cancer", "CT"]);
        assert_eq!(texts(&fields.keywords["fr"]), ["cancer du poumon"]);
        assert_eq!(&*fields.access_rights, "PUBLIC");
        assert_eq!(texts(&fields.health_categories), ["EHRS", "HGPD"]);
        assert_eq!(texts(&fields.countries), ["DE", "NL"]);
        let temporal = fields.temporal.unwrap();
        assert_eq!((temporal.start.year(), temporal.end.year()), (1995, 2000));
        assert_eq!(
            (fields.min_typical_age, fields.max_typical_age),
            (Some(40), Some(80))
        );
        assert_eq!(fields.number_of_records, Some(900));
        assert_eq!(fields.number_of_unique_individuals, Some(300));
        assert_eq!(texts(&fields.imaging.cancer_conditions), ["C34.1", "C50"]);
        assert_eq!(texts(&fields.imaging.modalities), ["CT", "MR"]);
        assert_eq!(texts(&fields.imaging.body_parts), ["CHEST"]);
        assert_eq!(
            texts(&fields.imaging.manufacturers),
            ["Siemens Healthineers"]
        );
        assert_eq!(&*fields.data_use.permission.code, "DS");
    }

    #[test]
    fn text_is_borrowed_from_the_stored_document_unless_it_was_escaped() {
        let record = stored();
        let fields = record.searchable().unwrap();
        assert!(matches!(fields.title["de"].0, Cow::Borrowed(_)));
        assert!(matches!(fields.title["en"].0, Cow::Owned(_)));
    }

    #[test]
    fn a_document_of_an_unknown_version_does_not_read() {
        let mut record = stored();
        record.document = record.document.replacen("{\"v\":1", "{\"v\":9", 1);
        let error = record.searchable().unwrap_err().to_string();
        assert!(error.contains("document version 9 is unknown"), "{error}");
    }
}
