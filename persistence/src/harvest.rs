//! Harvest sources, their run logs, and the records each source brought in. A source and a
//! run are stored whole as versioned JSON documents (the domain's shape); a source's
//! credentials are sealed by the caller (this module never sees them in the clear), and what
//! the source last answered (`ETag`, `Last-Modified`, change-feed position) sits beside it.

use diesel::prelude::*;
use hdab_domain::harvest::{HarvestRun, HarvestSource};
use hdab_domain::ids::{DatasetId, HarvestSourceId};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::page::{self, Page};
use crate::schema::{harvest_records, harvest_runs, harvest_sources};
use crate::{DbConnection, StoreError};

/// The shape documents are written in now.
const DOCUMENT_VERSION: u32 = 1;

#[derive(Serialize)]
struct DocumentOut<'a, T> {
    v: u32,
    data: &'a T,
}

#[derive(Deserialize)]
struct DocumentIn<T> {
    v: u32,
    data: T,
}

fn encode<T: Serialize>(data: &T) -> Result<String, StoreError> {
    serde_json::to_string(&DocumentOut {
        v: DOCUMENT_VERSION,
        data,
    })
    .map_err(|e| StoreError::corrupt("document", "(new)", e.to_string()))
}

fn decode<T: DeserializeOwned>(
    entity: &'static str,
    id: &str,
    document: &str,
) -> Result<T, StoreError> {
    let read: DocumentIn<T> = serde_json::from_str(document)
        .map_err(|e| StoreError::corrupt(entity, id, e.to_string()))?;
    if read.v != DOCUMENT_VERSION {
        return Err(StoreError::corrupt(
            entity,
            id,
            format!("document version {} is unknown", read.v),
        ));
    }
    Ok(read.data)
}

/// What a source last answered, for the next run to start from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceState {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// For an hdab source: the last change-feed event applied.
    pub feed_position: i64,
}

pub fn insert(
    conn: &mut DbConnection,
    source: &HarvestSource,
    sealed_credentials: Option<&str>,
) -> Result<(), StoreError> {
    diesel::insert_into(harvest_sources::table)
        .values((
            harvest_sources::id.eq(source.id.to_string()),
            harvest_sources::document.eq(encode(source)?),
            harvest_sources::version.eq(source.version),
            harvest_sources::sealed_credentials.eq(sealed_credentials),
            harvest_sources::created_at.eq(source.created_at.naive_utc()),
        ))
        .execute(conn)?;
    Ok(())
}

/// How an update treats the stored credentials.
pub enum Credentials<'a> {
    Keep,
    Replace(Option<&'a str>),
}

/// Replaces the stored source if its version is still `expected_version`. A changed URL or
/// kind starts the source over: what it last answered no longer applies.
pub fn update(
    conn: &mut DbConnection,
    source: &HarvestSource,
    expected_version: i64,
    credentials: Credentials<'_>,
    start_over: bool,
) -> Result<bool, StoreError> {
    let row = harvest_sources::table
        .find(source.id.to_string())
        .filter(harvest_sources::version.eq(expected_version));
    let document = encode(source)?;
    let updated = diesel::update(row)
        .set((
            harvest_sources::document.eq(&document),
            harvest_sources::version.eq(source.version),
        ))
        .execute(conn)?;
    if updated != 1 {
        return Ok(false);
    }
    let row = harvest_sources::table.find(source.id.to_string());
    if let Credentials::Replace(sealed) = credentials {
        diesel::update(row)
            .set(harvest_sources::sealed_credentials.eq(sealed))
            .execute(conn)?;
    }
    if start_over {
        save_state(conn, source.id, &SourceState::default())?;
    }
    Ok(true)
}

pub fn delete(conn: &mut DbConnection, id: HarvestSourceId) -> Result<(), StoreError> {
    let id = id.to_string();
    diesel::delete(harvest_records::table.filter(harvest_records::source_id.eq(&id)))
        .execute(conn)?;
    diesel::delete(harvest_runs::table.filter(harvest_runs::source_id.eq(&id))).execute(conn)?;
    diesel::delete(harvest_sources::table.find(&id)).execute(conn)?;
    Ok(())
}

pub fn find(
    conn: &mut DbConnection,
    id: HarvestSourceId,
) -> Result<Option<HarvestSource>, StoreError> {
    harvest_sources::table
        .find(id.to_string())
        .select(harvest_sources::document)
        .first::<String>(conn)
        .optional()?
        .map(|document| decode("harvest source", &id.to_string(), &document))
        .transpose()
}

/// document, sealed credentials, etag, last-modified, feed position.
type RunRow = (String, Option<String>, Option<String>, Option<String>, i64);

/// A source with what a run needs: its sealed credentials and what it last answered.
pub fn find_for_run(
    conn: &mut DbConnection,
    id: HarvestSourceId,
) -> Result<Option<(HarvestSource, Option<String>, SourceState)>, StoreError> {
    let row: Option<RunRow> = harvest_sources::table
        .find(id.to_string())
        .select((
            harvest_sources::document,
            harvest_sources::sealed_credentials,
            harvest_sources::etag,
            harvest_sources::last_modified,
            harvest_sources::feed_position,
        ))
        .first(conn)
        .optional()?;
    row.map(|(document, sealed, etag, last_modified, feed_position)| {
        let source = decode("harvest source", &id.to_string(), &document)?;
        let state = SourceState {
            etag,
            last_modified,
            feed_position,
        };
        Ok((source, sealed, state))
    })
    .transpose()
}

pub fn save_state(
    conn: &mut DbConnection,
    id: HarvestSourceId,
    state: &SourceState,
) -> Result<(), StoreError> {
    diesel::update(harvest_sources::table.find(id.to_string()))
        .set((
            harvest_sources::etag.eq(&state.etag),
            harvest_sources::last_modified.eq(&state.last_modified),
            harvest_sources::feed_position.eq(state.feed_position),
        ))
        .execute(conn)?;
    Ok(())
}

/// Sources in id order (registration order), a page at a time.
pub fn list(
    conn: &mut DbConnection,
    after: Option<HarvestSourceId>,
    limit: usize,
) -> Result<Page<HarvestSource>, StoreError> {
    let mut query = harvest_sources::table
        .order(harvest_sources::id.asc())
        .select((harvest_sources::id, harvest_sources::document))
        .limit(page::overfetch(limit))
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(harvest_sources::id.gt(after.to_string()));
    }
    let rows: Vec<(String, String)> = query.load(conn)?;
    let sources = rows
        .iter()
        .map(|(id, document)| decode("harvest source", id, document))
        .collect::<Result<Vec<HarvestSource>, _>>()?;
    Ok(page::from_overfetch(sources, limit, |s| s.id.to_string()))
}

pub fn record_run(conn: &mut DbConnection, run: &HarvestRun) -> Result<(), StoreError> {
    diesel::insert_into(harvest_runs::table)
        .values((
            harvest_runs::id.eq(&run.id),
            harvest_runs::source_id.eq(run.source_id.to_string()),
            harvest_runs::started_at.eq(run.started_at.naive_utc()),
            harvest_runs::document.eq(encode(run)?),
        ))
        .execute(conn)?;
    Ok(())
}

/// A source's runs, newest first (run ids are UUIDv7, so by start).
pub fn runs(
    conn: &mut DbConnection,
    source: HarvestSourceId,
    before: Option<&str>,
    limit: usize,
) -> Result<Page<HarvestRun>, StoreError> {
    let mut query = harvest_runs::table
        .filter(harvest_runs::source_id.eq(source.to_string()))
        .order(harvest_runs::id.desc())
        .select((harvest_runs::id, harvest_runs::document))
        .limit(page::overfetch(limit))
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(harvest_runs::id.lt(before.to_owned()));
    }
    let rows: Vec<(String, String)> = query.load(conn)?;
    let runs = rows
        .iter()
        .map(|(id, document)| decode("harvest run", id, document))
        .collect::<Result<Vec<HarvestRun>, _>>()?;
    Ok(page::from_overfetch(runs, limit, |r| r.id.clone()))
}

/// The source and record a dataset was harvested as, if it was.
pub fn record_of(
    conn: &mut DbConnection,
    dataset: DatasetId,
) -> Result<Option<(String, String)>, StoreError> {
    Ok(harvest_records::table
        .filter(harvest_records::dataset_id.eq(dataset.to_string()))
        .select((harvest_records::source_id, harvest_records::record_key))
        .first(conn)
        .optional()?)
}

/// The dataset a source's record became, if it did.
pub fn dataset_of(
    conn: &mut DbConnection,
    source: HarvestSourceId,
    record_key: &str,
) -> Result<Option<DatasetId>, StoreError> {
    let found: Option<String> = harvest_records::table
        .find((source.to_string(), record_key))
        .select(harvest_records::dataset_id)
        .first(conn)
        .optional()?;
    found
        .map(|id| {
            DatasetId::parse(&id).map_err(|e| StoreError::corrupt("harvest record", &id, e.message))
        })
        .transpose()
}

/// Notes that a source's record became `dataset` (once; a re-harvest finds it).
pub fn remember(
    conn: &mut DbConnection,
    source: HarvestSourceId,
    record_key: &str,
    dataset: DatasetId,
) -> Result<(), StoreError> {
    if dataset_of(conn, source, record_key)?.is_some() {
        return Ok(());
    }
    diesel::insert_into(harvest_records::table)
        .values((
            harvest_records::source_id.eq(source.to_string()),
            harvest_records::record_key.eq(record_key),
            harvest_records::dataset_id.eq(dataset.to_string()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Every record of a source with its dataset: a full harvest withdraws those it did not see.
pub fn records(
    conn: &mut DbConnection,
    source: HarvestSourceId,
) -> Result<Vec<(String, DatasetId)>, StoreError> {
    let rows: Vec<(String, String)> = harvest_records::table
        .filter(harvest_records::source_id.eq(source.to_string()))
        .select((harvest_records::record_key, harvest_records::dataset_id))
        .load(conn)?;
    rows.into_iter()
        .map(|(key, id)| {
            DatasetId::parse(&id)
                .map(|id| (key, id))
                .map_err(|e| StoreError::corrupt("harvest record", &id, e.message))
        })
        .collect()
}
