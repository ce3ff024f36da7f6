//! Search requests and answers on the wire: the query parameters checked into a
//! [`SearchRequest`] (every bad value named, 422; a cursor hdab did not issue, 400), and the
//! index's results turned into a [`SearchPage`].

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hdab_domain::catalogue::duo::DuoPermission;
use hdab_domain::catalogue::icd10::IcdCode;
use hdab_domain::catalogue::vocabulary::{AccessRights, BodyPart, DicomModality, HealthCategory};
use hdab_domain::codes;
use hdab_domain::ids::PublisherId;
use hdab_domain::values::CountryCode;
use hdab_domain::{FieldErrors, ValueError};
use hdab_openapi::catalogue::{DatasetSummary, FacetValue, SearchPage, SearchQuery};
use hdab_persistence::search::{After, Dimension, Filters, SearchRequest, SearchResults, SortBy};

use crate::edge::error::{ApiError, ErrorCode};
use crate::edge::extract::encode_cursor;

/// The longest `q` accepted.
pub const MAX_QUERY_CHARS: usize = 500;

/// Splits a comma-separated parameter, checking each value with `check`.
fn list(
    errors: &mut FieldErrors,
    field: &str,
    value: &Option<String>,
    check: impl Fn(&str) -> Result<String, ValueError>,
) -> Vec<String> {
    let Some(value) = value else {
        return Vec::new();
    };
    value
        .split(',')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .filter_map(|v| errors.take(field, check(v)))
        .collect()
}

fn known<T>(
    parse: impl Fn(&str) -> Result<T, ValueError>,
) -> impl Fn(&str) -> Result<String, ValueError> {
    move |value| parse(value).map(|_| value.to_owned())
}

/// A known DUO permission code.
fn duo_permission(code: &str) -> Result<String, ValueError> {
    if DuoPermission::CODES.contains(&code) {
        Ok(code.to_owned())
    } else {
        Err(ValueError::new(
            codes::UNKNOWN_DUO_PERMISSION,
            format!("must be one of: {}", DuoPermission::CODES.join(", ")),
        ))
    }
}

/// The values accepted in term dimension `dimension`: its query parameter (named like the
/// dimension) split and checked.
fn accepted_values(
    errors: &mut FieldErrors,
    query: &SearchQuery,
    dimension: Dimension,
) -> Vec<String> {
    let field = dimension.name();
    match dimension {
        Dimension::CancerCondition => list(
            errors,
            field,
            &query.cancer_condition,
            known(IcdCode::parse),
        ),
        Dimension::Modality => list(errors, field, &query.modality, known(DicomModality::parse)),
        Dimension::BodyPart => list(errors, field, &query.body_part, known(BodyPart::parse)),
        Dimension::Manufacturer => list(errors, field, &query.manufacturer, |v| Ok(v.to_owned())),
        Dimension::Country => list(errors, field, &query.country, known(CountryCode::parse)),
        Dimension::Publisher => list(errors, field, &query.publisher, |v| {
            PublisherId::parse(v).map(|id| id.to_string())
        }),
        Dimension::AccessRights => list(
            errors,
            field,
            &query.access_rights,
            known(AccessRights::parse),
        ),
        Dimension::HealthCategory => list(
            errors,
            field,
            &query.health_category,
            known(HealthCategory::parse),
        ),
        Dimension::DuoPermission => list(errors, field, &query.duo_permission, duo_permission),
        Dimension::TrustedHolder => query
            .trusted_holder
            .map(|t| vec![t.to_string()])
            .unwrap_or_default(),
        // Filtered by their bounds (`subjects_min`, `age_max`, ...), not by values.
        Dimension::Subjects | Dimension::AgeGroup | Dimension::AcquisitionDecade => Vec::new(),
    }
}

/// Checks a search request: unknown filter values (422, naming the allowed ones), `limit`
/// (422), `q` length (422) and the cursor (400).
pub fn parse_request(query: &SearchQuery) -> Result<SearchRequest, ApiError> {
    let mut errors = FieldErrors::new();
    if query
        .q
        .as_ref()
        .is_some_and(|q| q.chars().count() > MAX_QUERY_CHARS)
    {
        errors.add(
            "q",
            ValueError::new(
                codes::TOO_LONG,
                format!("must be at most {MAX_QUERY_CHARS} characters"),
            ),
        );
    }
    let mut filters = Filters::default();
    filters.subjects = (
        query.subjects_min.map(u64::from),
        query.subjects_max.map(u64::from),
    );
    filters.age = (query.age_min.map(u64::from), query.age_max.map(u64::from));
    filters.acquisition_years = (
        query.acquired_from.map(i64::from),
        query.acquired_to.map(i64::from),
    );
    for dimension in Dimension::TERMS {
        filters.accept(dimension, accepted_values(&mut errors, query, dimension));
    }
    let sort = match query.sort.as_deref() {
        None | Some("relevance") => SortBy::Relevance,
        Some("modified") => SortBy::Modified,
        Some("subjects") => SortBy::Subjects,
        Some(_) => {
            errors.add(
                "sort",
                ValueError::new(
                    codes::UNKNOWN_SORT,
                    "must be one of: relevance, modified, subjects",
                ),
            );
            SortBy::Relevance
        }
    };
    let limit = match query.limit {
        None => hdab_openapi::page::DEFAULT_LIMIT,
        Some(limit) if (1..=hdab_openapi::page::MAX_LIMIT as i64).contains(&limit) => {
            limit as usize
        }
        Some(_) => {
            errors.add(
                "limit",
                ValueError::new(
                    codes::OUT_OF_RANGE,
                    format!("must be between 1 and {}", hdab_openapi::page::MAX_LIMIT),
                ),
            );
            0
        }
    };
    errors.finish()?;
    let after = query.cursor.as_deref().map(decode_cursor).transpose()?;
    Ok(SearchRequest {
        text: query.q.clone(),
        filters,
        sort,
        limit,
        after,
    })
}

/// A cursor is the last hit's sort key (its exact bits) and id.
fn encode(after: After) -> String {
    encode_cursor(&format!("{:016x}{:032x}", after.key.to_bits(), after.id))
}

fn decode_cursor(cursor: &str) -> Result<After, ApiError> {
    let malformed = || {
        ApiError::new(
            ErrorCode::MalformedCursor,
            "`cursor` must be a next_cursor value from a previous page",
        )
    };
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| malformed())?;
    let text = std::str::from_utf8(&bytes).map_err(|_| malformed())?;
    if text.len() != 48 {
        return Err(malformed());
    }
    let key = u64::from_str_radix(&text[..16], 16).map_err(|_| malformed())?;
    let id = u128::from_str_radix(&text[16..], 16).map_err(|_| malformed())?;
    Ok(After {
        key: f64::from_bits(key),
        id,
    })
}

/// The wire form of search results.
pub fn page(results: SearchResults) -> Result<SearchPage, ApiError> {
    let next_cursor = if results.more {
        results.hits.last().map(|hit| {
            encode(After {
                key: hit.key,
                id: hit.id,
            })
        })
    } else {
        None
    };
    let items = results
        .hits
        .iter()
        .map(|hit| {
            serde_json::from_str(&hit.summary)
                .map_err(|e| ApiError::internal(format!("indexed summary: {e}")))
        })
        .collect::<Result<Vec<DatasetSummary>, _>>()?;
    let facets = results
        .facets
        .into_iter()
        .map(|(dimension, counts)| {
            let mut values: Vec<FacetValue> = counts
                .into_iter()
                .map(|(value, count)| FacetValue { value, count })
                .collect();
            values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
            (dimension.name().to_owned(), values)
        })
        .collect::<BTreeMap<_, _>>();
    Ok(SearchPage {
        items,
        total: results.total,
        next_cursor,
        facets,
    })
}
