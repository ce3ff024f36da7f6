//! Search requests and results on the wire.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::types::*;

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
