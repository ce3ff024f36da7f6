//! Committee rows, with the publishers each serves and its members in side tables.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use hdab_domain::committee::{
    Committee, CommitteeDetails, CommitteeMember, DecisionRule, MemberRole,
};
use hdab_domain::ids::{CommitteeId, PublisherId};
use hdab_domain::values::{Name, Subject};

use crate::page::{self, Page};
use crate::schema::{committee_members, committee_publishers, committees};
use crate::{DbConnection, StoreError};

pub fn insert(conn: &mut DbConnection, committee: &Committee) -> Result<(), StoreError> {
    diesel::insert_into(committees::table)
        .values(CommitteeRow::from(committee))
        .execute(conn)?;
    insert_links(conn, committee)
}

pub fn find(conn: &mut DbConnection, id: CommitteeId) -> Result<Option<Committee>, StoreError> {
    let Some(row) = committees::table
        .find(id.to_string())
        .first::<CommitteeRow>(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let mut assembled = assemble(conn, vec![row])?;
    Ok(assembled.pop())
}

/// The committee with this name, compared as unique names are ([`Name::comparison_key`]).
pub fn find_by_name(conn: &mut DbConnection, name: &Name) -> Result<Option<Committee>, StoreError> {
    let Some(row) = committees::table
        .filter(committees::name_key.eq(name.comparison_key()))
        .first::<CommitteeRow>(conn)
        .optional()?
    else {
        return Ok(None);
    };
    Ok(assemble(conn, vec![row])?.pop())
}

/// Committees in creation order, starting after `after`.
pub fn list(
    conn: &mut DbConnection,
    after: Option<CommitteeId>,
    limit: usize,
) -> Result<Page<Committee>, StoreError> {
    let mut query = committees::table
        .order(committees::id.asc())
        .limit(page::overfetch(limit))
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(committees::id.gt(after.to_string()));
    }
    let rows = query.load::<CommitteeRow>(conn)?;
    let committees = assemble(conn, rows)?;
    Ok(page::from_overfetch(committees, limit, |c| {
        c.id.to_string()
    }))
}

/// Replaces the stored committee if its version is still `expected_version`; `false` when it
/// is not (or the committee is gone).
pub fn update(
    conn: &mut DbConnection,
    committee: &Committee,
    expected_version: i64,
) -> Result<bool, StoreError> {
    let row = CommitteeRow::from(committee);
    let updated = diesel::update(
        committees::table
            .find(&row.id)
            .filter(committees::version.eq(expected_version)),
    )
    .set(&row)
    .execute(conn)?;
    if updated == 0 {
        return Ok(false);
    }
    delete_links(conn, &row.id)?;
    insert_links(conn, committee)?;
    Ok(true)
}

pub fn delete(conn: &mut DbConnection, id: CommitteeId) -> Result<bool, StoreError> {
    let id = id.to_string();
    delete_links(conn, &id)?;
    Ok(diesel::delete(committees::table.find(&id)).execute(conn)? == 1)
}

// The side tables hold a handful of rows per committee, so rows go in one at a time: batch
// inserts do not compile through the two-backend connection.
fn insert_links(conn: &mut DbConnection, committee: &Committee) -> Result<(), StoreError> {
    let committee_id = committee.id.to_string();
    for (position, publisher) in (0..).zip(committee.details.publisher_ids()) {
        diesel::insert_into(committee_publishers::table)
            .values((
                committee_publishers::committee_id.eq(&committee_id),
                committee_publishers::publisher_id.eq(publisher.to_string()),
                committee_publishers::position.eq(position),
            ))
            .execute(conn)?;
    }
    for (position, member) in (0..).zip(committee.details.members()) {
        diesel::insert_into(committee_members::table)
            .values((
                committee_members::committee_id.eq(&committee_id),
                committee_members::subject.eq(member.subject.as_str()),
                committee_members::role.eq(member.role.as_str()),
                committee_members::position.eq(position),
                committee_members::organisation.eq(member.organisation.as_ref().map(Name::as_str)),
            ))
            .execute(conn)?;
    }
    Ok(())
}

fn delete_links(conn: &mut DbConnection, committee_id: &str) -> Result<(), StoreError> {
    diesel::delete(
        committee_publishers::table.filter(committee_publishers::committee_id.eq(committee_id)),
    )
    .execute(conn)?;
    diesel::delete(
        committee_members::table.filter(committee_members::committee_id.eq(committee_id)),
    )
    .execute(conn)?;
    Ok(())
}

/// Loads the side-table rows of all `rows` in two queries and builds the committees.
fn assemble(
    conn: &mut DbConnection,
    rows: Vec<CommitteeRow>,
) -> Result<Vec<Committee>, StoreError> {
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let mut publishers: HashMap<String, Vec<String>> = HashMap::new();
    for (committee_id, publisher_id) in committee_publishers::table
        .filter(committee_publishers::committee_id.eq_any(&ids))
        .order((
            committee_publishers::committee_id,
            committee_publishers::position,
        ))
        .select((
            committee_publishers::committee_id,
            committee_publishers::publisher_id,
        ))
        .load::<(String, String)>(conn)?
    {
        publishers
            .entry(committee_id)
            .or_default()
            .push(publisher_id);
    }
    let mut members: HashMap<String, Vec<MemberRow>> = HashMap::new();
    for (committee_id, subject, role, organisation) in committee_members::table
        .filter(committee_members::committee_id.eq_any(&ids))
        .order((committee_members::committee_id, committee_members::position))
        .select((
            committee_members::committee_id,
            committee_members::subject,
            committee_members::role,
            committee_members::organisation,
        ))
        .load::<(String, String, String, Option<String>)>(conn)?
    {
        members
            .entry(committee_id)
            .or_default()
            .push((subject, role, organisation));
    }
    rows.into_iter()
        .map(|row| {
            let publisher_ids = publishers.remove(&row.id).unwrap_or_default();
            let member_rows = members.remove(&row.id).unwrap_or_default();
            row.into_domain(publisher_ids, member_rows)
        })
        .collect()
}

/// A member's subject, role and seat organisation as stored.
type MemberRow = (String, String, Option<String>);

#[derive(Queryable, Insertable, AsChangeset)]
#[diesel(table_name = committees)]
struct CommitteeRow {
    id: String,
    name: String,
    decision_rule: String,
    quorum: i32,
    version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    name_key: String,
}

impl From<&Committee> for CommitteeRow {
    fn from(c: &Committee) -> Self {
        Self {
            id: c.id.to_string(),
            name: c.details.name().as_str().to_owned(),
            decision_rule: c.details.decision_rule().as_str().to_owned(),
            quorum: i32::try_from(c.details.quorum()).unwrap_or(i32::MAX),
            version: c.version,
            created_at: c.created_at.naive_utc(),
            updated_at: c.updated_at.naive_utc(),
            name_key: c.details.name().comparison_key(),
        }
    }
}

impl CommitteeRow {
    fn into_domain(
        self,
        publisher_ids: Vec<String>,
        members: Vec<MemberRow>,
    ) -> Result<Committee, StoreError> {
        let corrupt = |reason: hdab_domain::ValueError| {
            StoreError::corrupt("committee", &self.id, reason.message)
        };
        let publisher_ids = publisher_ids
            .iter()
            .map(|id| PublisherId::parse(id))
            .collect::<Result<Vec<_>, _>>()
            .map_err(corrupt)?;
        let members = members
            .iter()
            .map(|(subject, role, organisation)| {
                Ok(CommitteeMember {
                    subject: Subject::parse(subject)?,
                    role: MemberRole::parse(role)?,
                    organisation: organisation.as_deref().map(Name::parse).transpose()?,
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(corrupt)?;
        let details = CommitteeDetails::new(
            Name::parse(&self.name).map_err(corrupt)?,
            publisher_ids,
            members,
            DecisionRule::parse(&self.decision_rule).map_err(corrupt)?,
            u32::try_from(self.quorum).unwrap_or(0),
        )
        .map_err(|errors| StoreError::corrupt("committee", &self.id, errors.into_error()))?;
        Ok(Committee {
            id: CommitteeId::parse(&self.id).map_err(corrupt)?,
            details,
            version: self.version,
            created_at: self.created_at.and_utc(),
            updated_at: self.updated_at.and_utc(),
        })
    }
}
