//! Permit rows: the whole permit as a versioned JSON document (the domain's shape,
//! `{"v": 1, "permit": ...}`), beside the columns its lists, the expiry job and the public
//! register filter and order on, and the parties who may see it (`permit_parties`).

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use hdab_domain::ids::{CommitteeId, PermitId, PublisherId};
use hdab_domain::permits::{Permit, PermitStatus};
use hdab_domain::values::Subject;
use serde::{Deserialize, Serialize};

use crate::page::{self, Page};
use crate::schema::{permit_parties, permits};
use crate::{DbConnection, StoreError};

/// The shape documents are written in now.
const DOCUMENT_VERSION: u32 = 1;

#[derive(Serialize)]
struct DocumentOut<'a> {
    v: u32,
    permit: &'a Permit,
}

#[derive(Deserialize)]
struct DocumentIn {
    v: u32,
    permit: Permit,
}

/// Who a permit concerns, as its party links record them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Party {
    /// The holder or an authorised person, by token subject.
    Subject(Subject),
    /// A publisher holding one of its datasets.
    Publisher(PublisherId),
    /// A committee that granted it.
    Committee(CommitteeId),
}

impl Party {
    fn columns(&self) -> (&'static str, String) {
        match self {
            Self::Subject(subject) => ("subject", subject.as_str().to_owned()),
            Self::Publisher(id) => ("publisher", id.to_string()),
            Self::Committee(id) => ("committee", id.to_string()),
        }
    }
}

pub fn insert(
    conn: &mut DbConnection,
    permit: &Permit,
    publishers: &[PublisherId],
) -> Result<(), StoreError> {
    diesel::insert_into(permits::table)
        .values(PermitRow::of(permit)?)
        .execute(conn)?;
    replace_parties(conn, permit, publishers)
}

/// Replaces the stored row if its version is still `expected_version`.
pub fn update(
    conn: &mut DbConnection,
    permit: &Permit,
    expected_version: i64,
) -> Result<bool, StoreError> {
    let row = PermitRow::of(permit)?;
    let updated = diesel::update(
        permits::table
            .find(&row.id)
            .filter(permits::version.eq(expected_version)),
    )
    .set(&row)
    .execute(conn)?;
    if updated == 1 {
        let publishers = publishers_of(conn, permit.id)?;
        replace_parties(conn, permit, &publishers)?;
    }
    Ok(updated == 1)
}

/// The publishers linked to a permit (its datasets' holders when it was issued).
fn publishers_of(conn: &mut DbConnection, id: PermitId) -> Result<Vec<PublisherId>, StoreError> {
    let ids: Vec<String> = permit_parties::table
        .filter(permit_parties::permit_id.eq(id.to_string()))
        .filter(permit_parties::kind.eq("publisher"))
        .select(permit_parties::party)
        .load(conn)?;
    ids.iter()
        .map(|p| PublisherId::parse(p).map_err(|e| StoreError::corrupt("permit", p, e.message)))
        .collect()
}

/// The party links of the permit as it is now.
fn replace_parties(
    conn: &mut DbConnection,
    permit: &Permit,
    publishers: &[PublisherId],
) -> Result<(), StoreError> {
    let id = permit.id.to_string();
    diesel::delete(permit_parties::table.filter(permit_parties::permit_id.eq(&id)))
        .execute(conn)?;
    let mut parties: Vec<(&'static str, String)> = std::iter::once(&permit.holder)
        .chain(permit.authorised_subjects())
        .map(|s| Party::Subject(s.clone()).columns())
        .chain(publishers.iter().map(|p| Party::Publisher(*p).columns()))
        .chain(
            permit
                .committees
                .iter()
                .map(|c| Party::Committee(*c).columns()),
        )
        .collect();
    parties.sort();
    parties.dedup();
    let rows: Vec<_> = parties
        .into_iter()
        .map(|(kind, party)| {
            (
                permit_parties::kind.eq(kind),
                permit_parties::party.eq(party),
                permit_parties::permit_id.eq(id.clone()),
            )
        })
        .collect();
    for row in rows {
        diesel::insert_into(permit_parties::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: PermitId) -> Result<Option<Permit>, StoreError> {
    permits::table
        .find(id.to_string())
        .select((permits::id, permits::document))
        .first::<(String, String)>(conn)
        .optional()?
        .map(|(id, document)| decode(&id, &document))
        .transpose()
}

/// Whether `parties` include one linked to the permit.
pub fn concerns(
    conn: &mut DbConnection,
    id: PermitId,
    parties: &[Party],
) -> Result<bool, StoreError> {
    for party in parties {
        let (kind, party) = party.columns();
        let linked = permit_parties::table
            .find((kind, party, id.to_string()))
            .select(permit_parties::permit_id)
            .first::<String>(conn)
            .optional()?;
        if linked.is_some() {
            return Ok(true);
        }
    }
    Ok(false)
}

fn decode(id: &str, document: &str) -> Result<Permit, StoreError> {
    let corrupt = |reason: String| StoreError::corrupt("permit", id, reason);
    let document: DocumentIn =
        serde_json::from_str(document).map_err(|e| corrupt(e.to_string()))?;
    if document.v != DOCUMENT_VERSION {
        return Err(corrupt(format!(
            "document version {} is unknown",
            document.v
        )));
    }
    Ok(document.permit)
}

fn decode_rows(rows: Vec<(String, String)>) -> Result<Vec<Permit>, StoreError> {
    rows.iter()
        .map(|(id, document)| decode(id, document))
        .collect()
}

/// Whose permits a list covers: every permit (admins), or those linked to any of the parties.
#[derive(Debug, Clone)]
pub enum Scope {
    All,
    Parties(Vec<Party>),
}

/// Permits in id (issuance) order after `after`, at most `limit`, with the status they have
/// at `now` when `status` is given (a permit past its end is expired, recorded or not).
pub fn list(
    conn: &mut DbConnection,
    scope: &Scope,
    status: Option<(PermitStatus, DateTime<Utc>)>,
    after: Option<PermitId>,
    limit: usize,
) -> Result<Page<Permit>, StoreError> {
    let mut query = permits::table
        .order(permits::id.asc())
        .select((permits::id, permits::document))
        .into_boxed();
    if let Some((status, now)) = status {
        let now = now.naive_utc();
        let running = permits::status.eq_any(["active", "suspended"]);
        query = match status {
            PermitStatus::Active | PermitStatus::Suspended => query
                .filter(permits::status.eq(status.as_str()))
                .filter(permits::valid_until.gt(now)),
            PermitStatus::Expired => query.filter(
                permits::status
                    .eq("expired")
                    .or(running.and(permits::valid_until.le(now))),
            ),
            other => query.filter(permits::status.eq(other.as_str())),
        };
    }
    let Scope::Parties(parties) = scope else {
        if let Some(after) = after {
            query = query.filter(permits::id.gt(after.to_string()));
        }
        let rows = decode_rows(query.limit(page::overfetch(limit)).load(conn)?)?;
        return Ok(page::from_overfetch(rows, limit, |p| p.id.to_string()));
    };
    // The page is cut from the party index first and the status filter applies to it, so a
    // filtered page may hold fewer than `limit` permits and still have a next one.
    let mut linked = permit_parties::table
        .filter(party_filter(parties))
        .select(permit_parties::permit_id)
        .order(permit_parties::permit_id.asc())
        .distinct()
        .limit(page::overfetch(limit))
        .into_boxed();
    if let Some(after) = after {
        linked = linked.filter(permit_parties::permit_id.gt(after.to_string()));
    }
    let mut ids: Vec<String> = linked.load(conn)?;
    let next_after = (ids.len() > limit).then(|| ids[limit - 1].clone());
    ids.truncate(limit);
    let items = decode_rows(query.filter(permits::id.eq_any(ids)).load(conn)?)?;
    Ok(Page { items, next_after })
}

type PartyFilter = Box<
    dyn BoxableExpression<
            permit_parties::table,
            crate::db::MultiBackend,
            SqlType = diesel::sql_types::Bool,
        >,
>;

/// `kind = ? AND party = ?` for any of `parties`; false for none.
fn party_filter(parties: &[Party]) -> PartyFilter {
    use diesel::dsl::sql;
    let mut filter: PartyFilter = Box::new(sql::<diesel::sql_types::Bool>("1 = 0"));
    for party in parties {
        let (kind, party) = party.columns();
        filter = Box::new(
            filter.or(permit_parties::kind
                .eq(kind)
                .and(permit_parties::party.eq(party))),
        );
    }
    filter
}

/// Up to `limit` permits still recorded as running whose end passed by `now`: the expiry
/// job's work.
pub fn ended_by(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<PermitId>, StoreError> {
    let ids: Vec<String> = permits::table
        .filter(permits::status.eq_any(["active", "suspended"]))
        .filter(permits::valid_until.le(now.naive_utc()))
        .order(permits::valid_until.asc())
        .select(permits::id)
        .limit(limit)
        .load(conn)?;
    ids.iter()
        .map(|id| PermitId::parse(id).map_err(|e| StoreError::corrupt("permit", id, e.message)))
        .collect()
}

/// Every permit, `batch` at a time after `after` (id order): what the in-memory state of
/// visa verification starts from.
pub fn all_after(
    conn: &mut DbConnection,
    after: Option<PermitId>,
    batch: i64,
) -> Result<Vec<Permit>, StoreError> {
    let mut query = permits::table
        .order(permits::id.asc())
        .select((permits::id, permits::document))
        .limit(batch)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(permits::id.gt(after.to_string()));
    }
    decode_rows(query.load(conn)?)
}

/// The position of a permit in the public register: newest issuance first.
pub type RegisterKey = page::TimeKey<PermitId>;

/// A page of permits for the public register, newest issuance first, before `before`.
pub fn register(
    conn: &mut DbConnection,
    before: Option<&RegisterKey>,
    limit: usize,
) -> Result<(Vec<Permit>, Option<RegisterKey>), StoreError> {
    let mut query = permits::table
        .order((permits::issued_at.desc(), permits::id.desc()))
        .select((permits::id, permits::document))
        .limit(page::overfetch(limit))
        .into_boxed();
    if let Some(key) = before {
        query = query.filter(page::before("permits.issued_at, permits.id", key));
    }
    let permits = decode_rows(query.load(conn)?)?;
    Ok(page::time_keyed(permits, limit, |last| RegisterKey {
        at: last.issued_at,
        id: last.id,
    }))
}

#[derive(Queryable, Insertable, AsChangeset)]
#[diesel(table_name = permits)]
struct PermitRow {
    id: String,
    application_id: String,
    holder: String,
    status: String,
    issued_at: NaiveDateTime,
    valid_until: NaiveDateTime,
    document: String,
    version: i64,
}

impl PermitRow {
    fn of(permit: &Permit) -> Result<Self, StoreError> {
        let id = permit.id.to_string();
        let document = serde_json::to_string(&DocumentOut {
            v: DOCUMENT_VERSION,
            permit,
        })
        .map_err(|e| StoreError::corrupt("permit", &id, e))?;
        Ok(Self {
            id,
            application_id: permit.application_id.to_string(),
            holder: permit.holder.as_str().to_owned(),
            status: permit.status.as_str().to_owned(),
            issued_at: permit.issued_at.naive_utc(),
            valid_until: permit.valid_until.naive_utc(),
            document,
            version: permit.version,
        })
    }
}
