//! Keeping the search index in step with the database, and turning search requests and hits
//! into the wire form.
//!
//! The index tails the event log: after each local write the handler catches it up before
//! answering (read-your-writes), and a background task does the same every second so that
//! writes made by other instances show up too.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Mutex;
use std::time::Instant;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Datelike;
use hdab_domain::catalogue::duo::DuoPermission;
use hdab_domain::catalogue::icd10::IcdCode;
use hdab_domain::catalogue::vocabulary::{AccessRights, BodyPart, DicomModality, HealthCategory};
use hdab_domain::catalogue::{Dataset, DatasetStatus};
use hdab_domain::ids::{DatasetId, PublisherId};
use hdab_domain::publisher::Publisher;
use hdab_domain::values::CountryCode;
use hdab_domain::{FieldErrors, ValueError};
use hdab_openapi::catalogue::{DatasetSummary, FacetValue, SearchPage, SearchQuery};
use hdab_persistence::datasets;
use hdab_persistence::search::{
    After, Change, Filters, IndexedDataset, SearchIndex, SearchRequest, SearchResults, SortBy,
};
use hdab_persistence::{DbConnection, Pool, events, publishers};

use crate::application::datasets::read_or_skip;
use crate::edge::error::{ApiError, ErrorCode};
use crate::edge::extract::encode_cursor;
use crate::projections::published;

/// The longest `q` accepted.
pub const MAX_QUERY_CHARS: usize = 500;
const EVENT_BATCH: i64 = 500;
/// The longest title or description a search hit shows.
const SUMMARY_CHARS: usize = 300;
const REBUILD_BATCH: usize = 2_000;

/// The search index and what keeps it current.
pub struct Indexer {
    pub index: SearchIndex,
    /// One catch-up at a time; a second caller waits and then finds nothing left to do.
    catching_up: Mutex<()>,
}

fn store_error(error: impl std::fmt::Display) -> ApiError {
    ApiError::internal(format!("search index: {error}"))
}

impl Indexer {
    pub fn new(index: SearchIndex) -> Self {
        Self {
            index,
            catching_up: Mutex::new(()),
        }
    }

    /// Rebuilds the index from every published dataset in the database.
    pub fn rebuild(&self, pool: &Pool) -> Result<usize, ApiError> {
        let _guard = self
            .catching_up
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let started = Instant::now();
        // Read before the datasets: events after this are applied by the next catch-up.
        let seq = {
            let mut conn = pool.get().map_err(hdab_persistence::StoreError::from)?;
            events::head_seq(&mut conn)?
        };
        let mut rebuild = self.index.begin_rebuild().map_err(store_error)?;
        let mut publishers = PublisherCache::default();
        published::for_each_page(
            pool,
            REBUILD_BATCH,
            |conn, datasets| {
                datasets
                    .iter()
                    .map(|dataset| {
                        Ok(indexed(
                            dataset,
                            publishers.get(conn, dataset.details.publisher_id)?,
                        ))
                    })
                    .collect::<Result<Vec<_>, ApiError>>()
            },
            |documents| {
                documents
                    .iter()
                    .try_for_each(|d| rebuild.add(d).map_err(store_error))
            },
        )?;
        let count = rebuild.finish(seq).map_err(store_error)?;
        let elapsed = started.elapsed();
        tracing::info!(
            datasets = count,
            duration_ms = elapsed.as_millis() as u64,
            datasets_per_second = (count as f64 / elapsed.as_secs_f64().max(1e-9)) as u64,
            "rebuilt the search index"
        );
        Ok(count)
    }

    /// Applies every event the index has not seen yet.
    pub fn catch_up(&self, conn: &mut DbConnection) -> Result<(), ApiError> {
        let _guard = self
            .catching_up
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        loop {
            let seq = self.index.applied_seq();
            let batch = events::list_after(conn, seq, EVENT_BATCH)?;
            let Some(last) = batch.last().map(|e| e.seq) else {
                return Ok(());
            };
            let mut touched: HashSet<DatasetId> = HashSet::new();
            for event in &batch {
                match event.entity_type.as_str() {
                    "dataset" => {
                        if let Ok(id) = DatasetId::parse(&event.entity_id) {
                            touched.insert(id);
                        }
                    }
                    // A publisher's name or trusted status shows in its datasets' entries.
                    "publisher" if event.action == "publisher.updated" => {
                        if let Ok(publisher) = PublisherId::parse(&event.entity_id) {
                            touched.extend(datasets::ids_of_publisher(conn, publisher)?);
                        }
                    }
                    _ => {}
                }
            }
            let changes = self.changes_for(conn, touched)?;
            self.index.apply(&changes, last).map_err(store_error)?;
        }
    }

    fn changes_for(
        &self,
        conn: &mut DbConnection,
        ids: HashSet<DatasetId>,
    ) -> Result<Vec<Change>, ApiError> {
        let mut publishers = PublisherCache::default();
        let mut changes = Vec::with_capacity(ids.len());
        for id in ids {
            let dataset = datasets::find(conn, id)?.and_then(read_or_skip);
            changes.push(match dataset {
                Some(dataset) if dataset.status == DatasetStatus::Published => {
                    let publisher = publishers.get(conn, dataset.details.publisher_id)?;
                    Change::Upsert(Box::new(indexed(&dataset, publisher)))
                }
                _ => Change::Remove(id.as_uuid().as_u128()),
            });
        }
        Ok(changes)
    }
}

#[derive(Default)]
struct PublisherCache(HashMap<PublisherId, Publisher>);

impl PublisherCache {
    fn get(&mut self, conn: &mut DbConnection, id: PublisherId) -> Result<&Publisher, ApiError> {
        if let std::collections::hash_map::Entry::Vacant(slot) = self.0.entry(id) {
            let publisher = publishers::find(conn, id)?.ok_or_else(|| {
                ApiError::internal(format!("publisher {id} of a dataset is missing"))
            })?;
            slot.insert(publisher);
        }
        self.0
            .get(&id)
            .ok_or_else(|| ApiError::internal("publisher cache"))
    }
}

/// What the index keeps of a published dataset.
pub fn indexed(dataset: &Dataset, publisher: &Publisher) -> IndexedDataset {
    let d = &dataset.details;
    let imaging = &d.imaging;
    let mut bodies: Vec<(String, String)> = d
        .description
        .iter()
        .map(|(l, t)| (l.to_string(), t.to_owned()))
        .collect();
    for (language, words) in &d.keywords {
        bodies.push((
            language.to_string(),
            words
                .iter()
                .map(|w| w.as_str())
                .collect::<Vec<_>>()
                .join(" "),
        ));
    }
    let mut conditions: Vec<String> = imaging
        .cancer_conditions
        .iter()
        .flat_map(IcdCode::with_ancestors)
        .map(|c| c.to_string())
        .collect();
    conditions.sort();
    conditions.dedup();
    let strings = |items: Vec<&str>| items.into_iter().map(str::to_owned).collect::<Vec<_>>();
    let summary = DatasetSummary {
        id: dataset.id.as_uuid(),
        identifier: d.identifier.as_str().to_owned(),
        // Shortened like the description: a hit is a summary, and a page of a hundred hits
        // must stay small however long each title is.
        title: d
            .title
            .iter()
            .map(|(l, t)| (l.to_string(), shorten(t, SUMMARY_CHARS)))
            .collect(),
        description: shorten(d.description.english(), SUMMARY_CHARS),
        publisher_id: publisher.id.as_uuid(),
        publisher_name: publisher.details.name.as_str().to_owned(),
        trusted_holder: publisher.details.trusted_data_holder,
        access_rights: d.access_rights.as_str().to_owned(),
        countries: strings(d.countries.iter().map(|c| c.as_str()).collect()),
        cancer_conditions: strings(
            imaging
                .cancer_conditions
                .iter()
                .map(IcdCode::as_str)
                .collect(),
        ),
        modalities: strings(imaging.modalities.iter().map(|m| m.as_str()).collect()),
        body_parts: strings(imaging.body_parts.iter().map(|b| b.as_str()).collect()),
        number_of_unique_individuals: d.number_of_unique_individuals,
        number_of_records: d.number_of_records,
        duo_permission: d.data_use.permission.term().code.to_owned(),
        modified_at: dataset.modified_at,
        confirmed_at: dataset.confirmed_at,
    };
    IndexedDataset {
        id: dataset.id.as_uuid().as_u128(),
        titles: d
            .title
            .iter()
            .map(|(l, t)| (l.to_string(), t.to_owned()))
            .collect(),
        bodies,
        conditions,
        modalities: summary.modalities.clone(),
        body_parts: summary.body_parts.clone(),
        manufacturers: strings(imaging.manufacturers.iter().map(|m| m.as_str()).collect()),
        countries: summary.countries.clone(),
        publisher: publisher.id.to_string(),
        access_rights: summary.access_rights.clone(),
        health_categories: strings(d.health_categories.iter().map(|c| c.as_str()).collect()),
        duo_permission: summary.duo_permission.clone(),
        trusted_holder: summary.trusted_holder,
        subjects: d.number_of_unique_individuals,
        min_age: d.min_typical_age.map(u64::from),
        max_age: d.max_typical_age.map(u64::from),
        acquisition_start: d.temporal.map(|p| i64::from(p.start.year())),
        acquisition_end: d.temporal.map(|p| i64::from(p.end.year())),
        modified: dataset.modified_at.timestamp_micros(),
        summary: serde_json::to_string(&summary).unwrap_or_else(|_| "{}".into()),
    }
}

fn shorten(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        None => text.to_owned(),
        Some((end, _)) => format!("{}…", text[..end].trim_end()),
    }
}

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
                "too_long",
                format!("must be at most {MAX_QUERY_CHARS} characters"),
            ),
        );
    }
    let duo = |v: &str| {
        if DuoPermission::CODES.contains(&v) {
            Ok(v.to_owned())
        } else {
            Err(ValueError::new(
                "unknown_duo_permission",
                format!("must be one of: {}", DuoPermission::CODES.join(", ")),
            ))
        }
    };
    let values = [
        list(
            &mut errors,
            "cancer_condition",
            &query.cancer_condition,
            known(IcdCode::parse),
        ),
        list(
            &mut errors,
            "modality",
            &query.modality,
            known(DicomModality::parse),
        ),
        list(
            &mut errors,
            "body_part",
            &query.body_part,
            known(BodyPart::parse),
        ),
        list(&mut errors, "manufacturer", &query.manufacturer, |v| {
            Ok(v.to_owned())
        }),
        list(
            &mut errors,
            "country",
            &query.country,
            known(CountryCode::parse),
        ),
        list(&mut errors, "publisher", &query.publisher, |v| {
            PublisherId::parse(v).map(|id| id.to_string())
        }),
        list(
            &mut errors,
            "access_rights",
            &query.access_rights,
            known(AccessRights::parse),
        ),
        list(
            &mut errors,
            "health_category",
            &query.health_category,
            known(HealthCategory::parse),
        ),
        list(&mut errors, "duo_permission", &query.duo_permission, duo),
        query
            .trusted_holder
            .map(|t| vec![t.to_string()])
            .unwrap_or_default(),
    ];
    let sort = match query.sort.as_deref() {
        None | Some("relevance") => SortBy::Relevance,
        Some("modified") => SortBy::Modified,
        Some("subjects") => SortBy::Subjects,
        Some(_) => {
            errors.add(
                "sort",
                ValueError::new(
                    "unknown_sort",
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
                    "out_of_range",
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
        filters: Filters {
            values,
            subjects: (
                query.subjects_min.map(u64::from),
                query.subjects_max.map(u64::from),
            ),
            age: (query.age_min.map(u64::from), query.age_max.map(u64::from)),
            acquisition_years: (
                query.acquired_from.map(i64::from),
                query.acquired_to.map(i64::from),
            ),
        },
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
            (dimension.to_owned(), values)
        })
        .collect::<BTreeMap<_, _>>();
    Ok(SearchPage {
        items,
        total: results.total,
        next_cursor,
        facets,
    })
}
