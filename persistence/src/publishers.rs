//! Publisher rows.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use hdab_domain::ids::PublisherId;
use hdab_domain::publisher::{OrganisationType, Publisher, PublisherDetails};
use hdab_domain::values::{CountryCode, Email, HttpUrl, Name};

use crate::page::{self, Page};
use crate::schema::{committee_publishers, publishers};
use crate::{DbConnection, StoreError};

pub fn insert(conn: &mut DbConnection, publisher: &Publisher) -> Result<(), StoreError> {
    diesel::insert_into(publishers::table)
        .values(PublisherRow::from(publisher))
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: PublisherId) -> Result<Option<Publisher>, StoreError> {
    publishers::table
        .find(id.to_string())
        .first::<PublisherRow>(conn)
        .optional()?
        .map(PublisherRow::into_domain)
        .transpose()
}

/// The publisher with this name, compared as unique names are ([`Name::comparison_key`]).
pub fn find_by_name(conn: &mut DbConnection, name: &Name) -> Result<Option<Publisher>, StoreError> {
    publishers::table
        .filter(publishers::name_key.eq(name.comparison_key()))
        .first::<PublisherRow>(conn)
        .optional()?
        .map(PublisherRow::into_domain)
        .transpose()
}

/// Publishers in creation order, starting after `after`.
pub fn list(
    conn: &mut DbConnection,
    after: Option<PublisherId>,
    limit: usize,
) -> Result<Page<Publisher>, StoreError> {
    let mut query = publishers::table
        .order(publishers::id.asc())
        .limit(page::overfetch(limit))
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(publishers::id.gt(after.to_string()));
    }
    let rows = query
        .load::<PublisherRow>(conn)?
        .into_iter()
        .map(PublisherRow::into_domain)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(page::from_overfetch(rows, limit, |p| p.id.to_string()))
}

/// Replaces the stored publisher with `publisher` if the stored version is still
/// `expected_version`; `false` when it is not (or the publisher is gone).
pub fn update(
    conn: &mut DbConnection,
    publisher: &Publisher,
    expected_version: i64,
) -> Result<bool, StoreError> {
    let row = PublisherRow::from(publisher);
    let updated = diesel::update(
        publishers::table
            .find(&row.id)
            .filter(publishers::version.eq(expected_version)),
    )
    .set(&row)
    .execute(conn)?;
    Ok(updated == 1)
}

pub fn delete(conn: &mut DbConnection, id: PublisherId) -> Result<bool, StoreError> {
    let deleted = diesel::delete(publishers::table.find(id.to_string())).execute(conn)?;
    Ok(deleted == 1)
}

/// The publishers of `ids` (each once), by id: one query for a page of datasets.
pub fn find_many(
    conn: &mut DbConnection,
    ids: impl IntoIterator<Item = PublisherId>,
) -> Result<BTreeMap<PublisherId, Publisher>, StoreError> {
    let wanted: BTreeSet<String> = ids.into_iter().map(|id| id.to_string()).collect();
    publishers::table
        .filter(publishers::id.eq_any(&wanted))
        .load::<PublisherRow>(conn)?
        .into_iter()
        .map(|row| row.into_domain().map(|p| (p.id, p)))
        .collect()
}

/// Of `ids`, those that name no stored publisher.
pub fn missing(
    conn: &mut DbConnection,
    ids: &[PublisherId],
) -> Result<Vec<PublisherId>, StoreError> {
    let wanted: Vec<String> = ids.iter().map(ToString::to_string).collect();
    let found: Vec<String> = publishers::table
        .filter(publishers::id.eq_any(&wanted))
        .select(publishers::id)
        .load(conn)?;
    Ok(ids
        .iter()
        .filter(|id| !found.contains(&id.to_string()))
        .copied()
        .collect())
}

/// How many committees serve this publisher: a publisher they serve cannot be deleted.
pub fn committees_serving(conn: &mut DbConnection, id: PublisherId) -> Result<i64, StoreError> {
    Ok(committee_publishers::table
        .filter(committee_publishers::publisher_id.eq(id.to_string()))
        .count()
        .get_result(conn)?)
}

#[derive(Queryable, Insertable, AsChangeset)]
#[diesel(table_name = publishers, treat_none_as_null = true)]
struct PublisherRow {
    id: String,
    name: String,
    country: String,
    organisation_type: String,
    homepage: Option<String>,
    contact_email: String,
    trusted_data_holder: bool,
    version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    name_key: String,
}

impl From<&Publisher> for PublisherRow {
    fn from(p: &Publisher) -> Self {
        let d = &p.details;
        Self {
            id: p.id.to_string(),
            name: d.name.as_str().to_owned(),
            country: d.country.to_string(),
            organisation_type: d.organisation_type.as_str().to_owned(),
            homepage: d.homepage.as_ref().map(|u| u.as_str().to_owned()),
            contact_email: d.contact_email.as_str().to_owned(),
            trusted_data_holder: d.trusted_data_holder,
            version: p.version,
            created_at: p.created_at.naive_utc(),
            updated_at: p.updated_at.naive_utc(),
            name_key: d.name.comparison_key(),
        }
    }
}

impl PublisherRow {
    fn into_domain(self) -> Result<Publisher, StoreError> {
        let corrupt = |reason: hdab_domain::ValueError| {
            StoreError::corrupt("publisher", &self.id, reason.message)
        };
        Ok(Publisher {
            id: PublisherId::parse(&self.id).map_err(corrupt)?,
            details: PublisherDetails {
                name: Name::parse(&self.name).map_err(corrupt)?,
                country: CountryCode::parse(&self.country).map_err(corrupt)?,
                organisation_type: OrganisationType::parse(&self.organisation_type)
                    .map_err(corrupt)?,
                homepage: self
                    .homepage
                    .as_deref()
                    .map(HttpUrl::parse)
                    .transpose()
                    .map_err(corrupt)?,
                contact_email: Email::parse(&self.contact_email).map_err(corrupt)?,
                trusted_data_holder: self.trusted_data_holder,
            },
            version: self.version,
            created_at: self.created_at.and_utc(),
            updated_at: self.updated_at.and_utc(),
        })
    }
}
