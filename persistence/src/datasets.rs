//! Dataset rows: the description as a versioned JSON document (the domain's own shape,
//! `{"v": 1, "description": ...}`) beside the columns queries use. Documents written by the
//! first releases held the API's wire form, with no version; hdab rewrites those in today's
//! shape when it starts ([`unversioned_documents`], [`replace_document`]).

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use hdab_domain::catalogue::{Dataset, DatasetDetails, DatasetStatus};
use hdab_domain::ids::{CommitteeId, DatasetId, PublisherId};
use serde::{Deserialize, Serialize};

use crate::db::{ROWS_PER_INSERT, insert_rows};
use crate::page::{self, Page};
use crate::schema::datasets;
use crate::searchable::SearchableFields;
use crate::{DbConnection, StoreError};

/// The shape documents are written in now (also in the `document_version` column).
const DOCUMENT_VERSION: u32 = 1;

#[derive(Serialize)]
struct DocumentOut<'a> {
    v: u32,
    description: &'a DatasetDetails,
}

#[derive(Deserialize)]
struct DocumentIn<T> {
    v: Option<u32>,
    description: Option<T>,
}

/// A stored dataset as the database holds it: decoded on demand, so that a whole-catalogue
/// reader can skip a row that no longer reads, and page by stored size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatasetRecord {
    pub id: DatasetId,
    pub publisher_id: PublisherId,
    pub committee_id: CommitteeId,
    pub identifier: String,
    pub status: String,
    pub access_rights: String,
    /// The description as JSON.
    pub document: String,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub modified_at: DateTime<Utc>,
    pub issued_at: Option<DateTime<Utc>>,
    pub confirmed_at: DateTime<Utc>,
}

/// The stored document of `details`: the same description always writes the same text, so a
/// stored row whose document equals it holds that description (a document an earlier release
/// wrote may differ in form only: compare decoded values then).
pub fn document_of(details: &DatasetDetails) -> Result<String, StoreError> {
    serde_json::to_string(&DocumentOut {
        v: DOCUMENT_VERSION,
        description: details,
    })
    .map_err(|e| StoreError::corrupt("dataset", details.identifier.as_str(), e))
}

impl DatasetRecord {
    /// The row of `dataset`.
    pub fn of(dataset: &Dataset) -> Result<Self, StoreError> {
        let document = document_of(&dataset.details)?;
        let details = &dataset.details;
        Ok(Self {
            id: dataset.id,
            publisher_id: details.publisher_id,
            committee_id: details.committee_id,
            identifier: details.identifier.as_str().to_owned(),
            status: dataset.status.as_str().to_owned(),
            access_rights: details.access_rights.as_str().to_owned(),
            document,
            version: dataset.version,
            created_at: dataset.created_at,
            modified_at: dataset.modified_at,
            issued_at: dataset.issued_at,
            confirmed_at: dataset.confirmed_at,
        })
    }

    /// The dataset, checked as strictly as a new one.
    pub fn decode(self) -> Result<Dataset, StoreError> {
        let details: DatasetDetails = self.description()?;
        let status = DatasetStatus::parse(&self.status).map_err(|e| self.corrupt(e.message))?;
        Ok(Dataset {
            id: self.id,
            details,
            status,
            version: self.version,
            created_at: self.created_at,
            modified_at: self.modified_at,
            issued_at: self.issued_at,
            confirmed_at: self.confirmed_at,
        })
    }

    /// The fields the search index keeps, read from the stored text as it stands, each value
    /// unchecked ([`crate::searchable`]).
    pub fn searchable(&self) -> Result<SearchableFields<'_>, StoreError> {
        self.description()
    }

    /// The stored description, in the shape `T` reads it in, if the document is of today's
    /// version.
    fn description<'a, T: Deserialize<'a>>(&'a self) -> Result<T, StoreError> {
        let document: DocumentIn<T> =
            serde_json::from_str(&self.document).map_err(|e| self.corrupt(e.to_string()))?;
        match (document.v, document.description) {
            (Some(DOCUMENT_VERSION), Some(description)) => Ok(description),
            (None, _) => {
                Err(self
                    .corrupt("an unversioned document, which hdab rewrites when it starts".into()))
            }
            (Some(v), _) => Err(self.corrupt(format!("document version {v} is unknown"))),
        }
    }

    fn corrupt(&self, reason: String) -> StoreError {
        StoreError::corrupt("dataset", &self.id.to_string(), reason)
    }
}

pub fn insert(conn: &mut DbConnection, dataset: &Dataset) -> Result<(), StoreError> {
    diesel::insert_into(datasets::table)
        .values(DatasetRow::from(DatasetRecord::of(dataset)?))
        .execute(conn)?;
    Ok(())
}

/// Inserts `new` in multi-row inserts: a bulk call's thousand new rows in ten statements.
/// (One dataset goes through [`insert`], whose statement is prepared once per connection.)
pub fn insert_all(conn: &mut DbConnection, new: &[Dataset]) -> Result<(), StoreError> {
    for chunk in new.chunks(ROWS_PER_INSERT) {
        let rows = chunk
            .iter()
            .map(|dataset| Ok(DatasetRow::from(DatasetRecord::of(dataset)?)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        insert_rows!(conn, datasets::table, rows)?;
    }
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: DatasetId) -> Result<Option<Dataset>, StoreError> {
    find_record(conn, id)?
        .map(DatasetRecord::decode)
        .transpose()
}

/// The stored row of `id`, not yet decoded.
pub fn find_record(
    conn: &mut DbConnection,
    id: DatasetId,
) -> Result<Option<DatasetRecord>, StoreError> {
    datasets::table
        .find(id.to_string())
        .first::<DatasetRow>(conn)
        .optional()?
        .map(DatasetRow::into_record)
        .transpose()
}

/// Up to `limit` datasets whose document predates versioned documents, after `after`: the
/// id and the document text, for the upgrade at start.
pub fn unversioned_documents(
    conn: &mut DbConnection,
    after: Option<DatasetId>,
    limit: i64,
) -> Result<Vec<(DatasetId, String)>, StoreError> {
    let mut query = datasets::table
        .filter(datasets::document_version.eq(0))
        .order(datasets::id.asc())
        .select((datasets::id, datasets::document))
        .limit(limit)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(datasets::id.gt(after.to_string()));
    }
    query
        .load::<(String, String)>(conn)?
        .into_iter()
        .map(|(id, document)| {
            DatasetId::parse(&id)
                .map(|id| (id, document))
                .map_err(|e| StoreError::corrupt("dataset", &id, e.message))
        })
        .collect()
}

/// Rewrites the document of `id` in today's shape; the description itself is unchanged, so
/// no version, time or event changes.
pub fn replace_document(
    conn: &mut DbConnection,
    id: DatasetId,
    details: &DatasetDetails,
) -> Result<(), StoreError> {
    let document = document_of(details)?;
    diesel::update(datasets::table.find(id.to_string()))
        .set((
            datasets::document.eq(document),
            datasets::document_version.eq(DOCUMENT_VERSION as i32),
        ))
        .execute(conn)?;
    Ok(())
}

/// The dataset of `publisher` with its own `identifier`, if there is one.
pub fn find_by_identifier(
    conn: &mut DbConnection,
    publisher: PublisherId,
    identifier: &str,
) -> Result<Option<Dataset>, StoreError> {
    find_record_by_identifier(conn, publisher, identifier)?
        .map(DatasetRecord::decode)
        .transpose()
}

/// The stored rows of `ids` (those that exist), undecoded, in one query per 500: what a
/// reader of many datasets at once (a follower catching up) needs.
pub fn find_records(
    conn: &mut DbConnection,
    ids: &[DatasetId],
) -> Result<Vec<DatasetRecord>, StoreError> {
    let mut found = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let keys: Vec<String> = chunk.iter().map(DatasetId::to_string).collect();
        let rows: Vec<DatasetRow> = datasets::table
            .filter(datasets::id.eq_any(keys))
            .load(conn)?;
        for row in rows {
            found.push(row.into_record()?);
        }
    }
    Ok(found)
}

/// The stored rows of `publisher` among `identifiers`, undecoded, in one query per 500.
pub fn find_records_by_identifiers(
    conn: &mut DbConnection,
    publisher: PublisherId,
    identifiers: &[&str],
) -> Result<Vec<DatasetRecord>, StoreError> {
    let mut found = Vec::with_capacity(identifiers.len());
    for chunk in identifiers.chunks(500) {
        let rows: Vec<DatasetRow> = datasets::table
            .filter(datasets::publisher_id.eq(publisher.to_string()))
            .filter(datasets::identifier.eq_any(chunk))
            .load(conn)?;
        for row in rows {
            found.push(row.into_record()?);
        }
    }
    Ok(found)
}

/// [`find_by_identifier`] undecoded: what a caller comparing documents needs.
pub fn find_record_by_identifier(
    conn: &mut DbConnection,
    publisher: PublisherId,
    identifier: &str,
) -> Result<Option<DatasetRecord>, StoreError> {
    datasets::table
        .filter(datasets::publisher_id.eq(publisher.to_string()))
        .filter(datasets::identifier.eq(identifier))
        .first::<DatasetRow>(conn)
        .optional()?
        .map(DatasetRow::into_record)
        .transpose()
}

/// The identifiers of every dataset of `publisher` (for idempotent bulk loads).
pub fn identifiers_of(
    conn: &mut DbConnection,
    publisher: PublisherId,
) -> Result<Vec<String>, StoreError> {
    Ok(datasets::table
        .filter(datasets::publisher_id.eq(publisher.to_string()))
        .select(datasets::identifier)
        .load(conn)?)
}

/// The ids of every dataset of `publisher`.
pub fn ids_of_publisher(
    conn: &mut DbConnection,
    publisher: PublisherId,
) -> Result<Vec<DatasetId>, StoreError> {
    datasets::table
        .filter(datasets::publisher_id.eq(publisher.to_string()))
        .select(datasets::id)
        .load::<String>(conn)?
        .iter()
        .map(|id| DatasetId::parse(id).map_err(|e| StoreError::corrupt("dataset", id, e.message)))
        .collect()
}

/// Replaces the stored row if its version is still `expected_version`.
pub fn update(
    conn: &mut DbConnection,
    dataset: &Dataset,
    expected_version: i64,
) -> Result<bool, StoreError> {
    let row = DatasetRow::from(DatasetRecord::of(dataset)?);
    let updated = diesel::update(
        datasets::table
            .find(&row.id)
            .filter(datasets::version.eq(expected_version)),
    )
    .set(&row)
    .execute(conn)?;
    Ok(updated == 1)
}

/// Stores a change of `dataset`'s status or dates (publishing, withdrawing, confirming) if its
/// version is still `expected_version`; the stored description is left as it is. A whole-row
/// [`update`] serialised the description again and, on SQLite, rewrote every index of the
/// table: a fifth of a publish's time under the database's one write lock.
pub fn update_lifecycle(
    conn: &mut DbConnection,
    dataset: &Dataset,
    expected_version: i64,
) -> Result<bool, StoreError> {
    let updated = diesel::update(
        datasets::table
            .find(dataset.id.to_string())
            .filter(datasets::version.eq(expected_version)),
    )
    .set((
        datasets::status.eq(dataset.status.as_str()),
        datasets::version.eq(dataset.version),
        datasets::modified_at.eq(dataset.modified_at.naive_utc()),
        datasets::issued_at.eq(dataset.issued_at.map(|t| t.naive_utc())),
        datasets::confirmed_at.eq(dataset.confirmed_at.naive_utc()),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Which datasets a listing covers.
#[derive(Debug, Clone, Default)]
pub struct DatasetFilter {
    pub status: Option<&'static str>,
    pub modified_since: Option<DateTime<Utc>>,
}

/// Datasets in id (creation) order after `after`, at most `limit`.
pub fn list(
    conn: &mut DbConnection,
    filter: &DatasetFilter,
    after: Option<DatasetId>,
    limit: usize,
) -> Result<Page<DatasetRecord>, StoreError> {
    let mut query = datasets::table
        .order(datasets::id.asc())
        .limit(page::overfetch(limit))
        .into_boxed();
    if let Some(status) = filter.status {
        query = query.filter(datasets::status.eq(status));
    }
    if let Some(since) = filter.modified_since {
        query = query.filter(datasets::modified_at.ge(since.naive_utc()));
    }
    if let Some(after) = after {
        query = query.filter(datasets::id.gt(after.to_string()));
    }
    let rows = query
        .load::<DatasetRow>(conn)?
        .into_iter()
        .map(DatasetRow::into_record)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(page::from_overfetch(rows, limit, |r| r.id.to_string()))
}

/// How many datasets `filter` selects.
pub fn count(conn: &mut DbConnection, filter: &DatasetFilter) -> Result<u64, StoreError> {
    let mut query = datasets::table.into_boxed();
    if let Some(status) = filter.status {
        query = query.filter(datasets::status.eq(status));
    }
    if let Some(since) = filter.modified_since {
        query = query.filter(datasets::modified_at.ge(since.naive_utc()));
    }
    let count: i64 = query.count().get_result(conn)?;
    Ok(u64::try_from(count).unwrap_or(0))
}

/// When the public catalogue last changed: the newest change or confirmation of a dataset that
/// is or was published (a withdrawal is a change too), or of a publisher. Each maximum is
/// taken per status, so that both databases read it off the end of an index
/// (`datasets_status_modified`, `datasets_status_confirmed`).
pub fn last_catalogue_change(conn: &mut DbConnection) -> Result<Option<DateTime<Utc>>, StoreError> {
    use diesel::dsl::max;
    let mut newest: Vec<Option<NaiveDateTime>> = Vec::new();
    for status in ["published", "withdrawn"] {
        newest.push(
            datasets::table
                .filter(datasets::status.eq(status))
                .select(max(datasets::modified_at))
                .first(conn)?,
        );
        newest.push(
            datasets::table
                .filter(datasets::status.eq(status))
                .select(max(datasets::confirmed_at))
                .first(conn)?,
        );
    }
    newest.push(
        crate::schema::publishers::table
            .select(max(crate::schema::publishers::updated_at))
            .first(conn)?,
    );
    Ok(newest.into_iter().flatten().max().map(|at| at.and_utc()))
}

/// How many datasets name this committee: a committee that reviews datasets cannot be deleted.
pub fn count_for_committee(
    conn: &mut DbConnection,
    committee: CommitteeId,
) -> Result<i64, StoreError> {
    Ok(datasets::table
        .filter(datasets::committee_id.eq(committee.to_string()))
        .count()
        .get_result(conn)?)
}

/// How many datasets this publisher holds.
pub fn count_for_publisher(
    conn: &mut DbConnection,
    publisher: PublisherId,
) -> Result<i64, StoreError> {
    Ok(datasets::table
        .filter(datasets::publisher_id.eq(publisher.to_string()))
        .count()
        .get_result(conn)?)
}

#[derive(Queryable, Insertable, AsChangeset)]
#[diesel(table_name = datasets, treat_none_as_null = true, treat_none_as_default_value = false)]
struct DatasetRow {
    id: String,
    publisher_id: String,
    committee_id: String,
    identifier: String,
    status: String,
    access_rights: String,
    document: String,
    version: i64,
    created_at: NaiveDateTime,
    modified_at: NaiveDateTime,
    issued_at: Option<NaiveDateTime>,
    confirmed_at: NaiveDateTime,
    document_version: i32,
}

impl From<DatasetRecord> for DatasetRow {
    fn from(r: DatasetRecord) -> Self {
        Self {
            id: r.id.to_string(),
            publisher_id: r.publisher_id.to_string(),
            committee_id: r.committee_id.to_string(),
            identifier: r.identifier,
            status: r.status,
            access_rights: r.access_rights,
            document: r.document,
            version: r.version,
            created_at: r.created_at.naive_utc(),
            modified_at: r.modified_at.naive_utc(),
            issued_at: r.issued_at.map(|t| t.naive_utc()),
            confirmed_at: r.confirmed_at.naive_utc(),
            document_version: DOCUMENT_VERSION as i32,
        }
    }
}

impl DatasetRow {
    fn into_record(self) -> Result<DatasetRecord, StoreError> {
        let corrupt =
            |e: hdab_domain::ValueError| StoreError::corrupt("dataset", &self.id, e.message);
        Ok(DatasetRecord {
            id: DatasetId::parse(&self.id).map_err(corrupt)?,
            publisher_id: PublisherId::parse(&self.publisher_id).map_err(corrupt)?,
            committee_id: CommitteeId::parse(&self.committee_id).map_err(corrupt)?,
            identifier: self.identifier,
            status: self.status,
            access_rights: self.access_rights,
            document: self.document,
            version: self.version,
            created_at: self.created_at.and_utc(),
            modified_at: self.modified_at.and_utc(),
            issued_at: self.issued_at.map(|t| t.and_utc()),
            confirmed_at: self.confirmed_at.and_utc(),
        })
    }
}
