//! Application rows: the whole application as a versioned JSON document (the domain's shape,
//! `{"v": 1, "application": ...}`), beside the columns its lists filter and order on, the
//! committees reviewing it (`application_parts`, a committee's queue) and the publishers whose
//! datasets it names (`application_publishers`, a data holder's view).

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use hdab_domain::applications::Application;
use hdab_domain::applications::register::RegisterEntry;
use hdab_domain::ids::{ApplicationId, CommitteeId, PublisherId};
use hdab_domain::values::Subject;
use serde::{Deserialize, Serialize};

use crate::page::{self, Page};
use crate::schema::{application_parts, application_publishers, applications};
use crate::{DbConnection, StoreError};

/// The shape documents are written in now.
const DOCUMENT_VERSION: u32 = 1;

#[derive(Serialize)]
struct DocumentOut<'a> {
    v: u32,
    application: &'a Application,
}

#[derive(Deserialize)]
struct DocumentIn {
    v: u32,
    application: Application,
}

#[derive(Serialize)]
struct EntryOut<'a> {
    v: u32,
    entry: &'a RegisterEntry,
}

#[derive(Deserialize)]
struct EntryIn {
    v: u32,
    entry: RegisterEntry,
}

/// The deadline columns of a row, computed by the caller from its deadline policy.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeadlineColumns {
    /// The running deadline; none while the clock is stopped or the application is closed.
    pub due_at: Option<DateTime<Utc>>,
    /// When the next deadline alert falls due.
    pub alert_at: Option<DateTime<Utc>>,
}

pub fn insert(
    conn: &mut DbConnection,
    application: &Application,
    deadlines: DeadlineColumns,
) -> Result<(), StoreError> {
    diesel::insert_into(applications::table)
        .values(ApplicationRow::of(application, deadlines)?)
        .execute(conn)?;
    replace_links(conn, application)
}

/// Replaces the stored row if its version is still `expected_version`.
pub fn update(
    conn: &mut DbConnection,
    application: &Application,
    expected_version: i64,
    deadlines: DeadlineColumns,
) -> Result<bool, StoreError> {
    let row = ApplicationRow::of(application, deadlines)?;
    let updated = diesel::update(
        applications::table
            .find(&row.id)
            .filter(applications::version.eq(expected_version)),
    )
    .set(&row)
    .execute(conn)?;
    if updated == 1 {
        replace_links(conn, application)?;
    }
    Ok(updated == 1)
}

/// The committee and publisher links of the application as it is now.
fn replace_links(conn: &mut DbConnection, application: &Application) -> Result<(), StoreError> {
    let id = application.id.to_string();
    diesel::delete(application_parts::table.filter(application_parts::application_id.eq(&id)))
        .execute(conn)?;
    diesel::delete(
        application_publishers::table.filter(application_publishers::application_id.eq(&id)),
    )
    .execute(conn)?;
    let open = application.status.is_open();
    for part in &application.parts {
        diesel::insert_into(application_parts::table)
            .values((
                application_parts::committee_id.eq(part.committee_id.to_string()),
                application_parts::application_id.eq(&id),
                application_parts::awaiting.eq(open && part.decision.is_none()),
            ))
            .execute(conn)?;
    }
    let mut publishers: Vec<PublisherId> = application
        .parts
        .iter()
        .flat_map(|p| p.datasets.iter().map(|d| d.publisher_id))
        .collect();
    publishers.sort();
    publishers.dedup();
    for publisher in publishers {
        diesel::insert_into(application_publishers::table)
            .values((
                application_publishers::publisher_id.eq(publisher.to_string()),
                application_publishers::application_id.eq(&id),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: ApplicationId) -> Result<Option<Application>, StoreError> {
    applications::table
        .find(id.to_string())
        .select((applications::id, applications::document))
        .first::<(String, String)>(conn)
        .optional()?
        .map(|(id, document)| decode(&id, &document))
        .transpose()
}

fn decode(id: &str, document: &str) -> Result<Application, StoreError> {
    let corrupt = |reason: String| StoreError::corrupt("application", id, reason);
    let document: DocumentIn =
        serde_json::from_str(document).map_err(|e| corrupt(e.to_string()))?;
    if document.v != DOCUMENT_VERSION {
        return Err(corrupt(format!(
            "document version {} is unknown",
            document.v
        )));
    }
    Ok(document.application)
}

/// Whose applications a list covers.
#[derive(Debug, Clone)]
pub enum Scope {
    /// An admin's view: every application.
    All,
    /// A researcher's own applications.
    Applicant(Subject),
    /// The applications reviewed by these committees; with `awaiting`, only those whose part
    /// does (or does not) await the committee's decision: its review queue.
    Committees {
        committees: Vec<CommitteeId>,
        awaiting: Option<bool>,
    },
    /// The applications naming datasets of these publishers.
    Publishers(Vec<PublisherId>),
}

/// Narrows a list.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub status: Option<&'static str>,
    /// Only applications whose running deadline passed before this time.
    pub overdue_at: Option<DateTime<Utc>>,
}

/// Applications in id (creation) order after `after`, at most `limit`. For committee and
/// publisher scopes the page is cut from their link index first and the filters apply to it,
/// so a filtered page may hold fewer than `limit` applications and still have a next one.
pub fn list(
    conn: &mut DbConnection,
    scope: &Scope,
    filter: &ListFilter,
    after: Option<ApplicationId>,
    limit: usize,
) -> Result<Page<Application>, StoreError> {
    let mut query = applications::table
        .order(applications::id.asc())
        .select((applications::id, applications::document))
        .into_boxed();
    if let Some(status) = filter.status {
        query = query.filter(applications::status.eq(status));
    }
    if let Some(now) = filter.overdue_at {
        query = query.filter(applications::due_at.lt(now.naive_utc()));
    }
    let linked = match scope {
        Scope::All | Scope::Applicant(_) => None,
        Scope::Committees {
            committees,
            awaiting,
        } => Some(linked_to_committees(
            conn, committees, *awaiting, after, limit,
        )?),
        Scope::Publishers(publishers) => {
            Some(linked_to_publishers(conn, publishers, after, limit)?)
        }
    };
    let Some(mut ids) = linked else {
        if let Scope::Applicant(subject) = scope {
            query = query.filter(applications::applicant.eq(subject.as_str().to_owned()));
        }
        if let Some(after) = after {
            query = query.filter(applications::id.gt(after.to_string()));
        }
        let rows = decode_rows(query.limit(page::overfetch(limit)).load(conn)?)?;
        return Ok(page::from_overfetch(rows, limit, |a| a.id.to_string()));
    };
    let next_after = (ids.len() > limit).then(|| ids[limit - 1].clone());
    ids.truncate(limit);
    let items = decode_rows(query.filter(applications::id.eq_any(ids)).load(conn)?)?;
    Ok(Page { items, next_after })
}

fn decode_rows(rows: Vec<(String, String)>) -> Result<Vec<Application>, StoreError> {
    rows.iter()
        .map(|(id, document)| decode(id, document))
        .collect()
}

/// The next ids of a committee queue, straight from its index, so that a page costs the same
/// with 100 applications stored as with 100,000. Status filters apply after, on at most a
/// page of rows.
fn linked_to_committees(
    conn: &mut DbConnection,
    committees: &[CommitteeId],
    awaiting: Option<bool>,
    after: Option<ApplicationId>,
    limit: usize,
) -> Result<Vec<String>, StoreError> {
    let committees: Vec<String> = committees.iter().map(ToString::to_string).collect();
    let mut query = application_parts::table
        .filter(application_parts::committee_id.eq_any(committees))
        .select(application_parts::application_id)
        .order(application_parts::application_id.asc())
        .distinct()
        .limit(page::overfetch(limit))
        .into_boxed();
    if let Some(awaiting) = awaiting {
        query = query.filter(application_parts::awaiting.eq(awaiting));
    }
    if let Some(after) = after {
        query = query.filter(application_parts::application_id.gt(after.to_string()));
    }
    Ok(query.load(conn)?)
}

fn linked_to_publishers(
    conn: &mut DbConnection,
    publishers: &[PublisherId],
    after: Option<ApplicationId>,
    limit: usize,
) -> Result<Vec<String>, StoreError> {
    let publishers: Vec<String> = publishers.iter().map(ToString::to_string).collect();
    let mut query = application_publishers::table
        .filter(application_publishers::publisher_id.eq_any(publishers))
        .select(application_publishers::application_id)
        .order(application_publishers::application_id.asc())
        .distinct()
        .limit(page::overfetch(limit))
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(application_publishers::application_id.gt(after.to_string()));
    }
    Ok(query.load(conn)?)
}

/// The position of an entry in the register: newest receipt first.
pub type RegisterKey = page::TimeKey<ApplicationId>;

/// A page of the transparency register, newest receipt first, before `before`.
pub fn register(
    conn: &mut DbConnection,
    before: Option<&RegisterKey>,
    limit: usize,
) -> Result<(Vec<RegisterEntry>, Option<RegisterKey>), StoreError> {
    let mut query = applications::table
        .filter(applications::submitted_at.is_not_null())
        .order((applications::submitted_at.desc(), applications::id.desc()))
        .select((applications::id, applications::public_entry))
        .limit(page::overfetch(limit))
        .into_boxed();
    if let Some(key) = before {
        query = query.filter(page::before(
            "applications.submitted_at, applications.id",
            key,
        ));
    }
    let rows: Vec<(String, Option<String>)> = query.load(conn)?;
    let entries = rows
        .iter()
        .map(|(id, entry)| decode_entry(id, entry.as_deref()))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(page::time_keyed(entries, limit, |last| RegisterKey {
        at: last.received_at,
        id: last.application_id,
    }))
}

fn decode_entry(id: &str, entry: Option<&str>) -> Result<RegisterEntry, StoreError> {
    let corrupt = |reason: String| StoreError::corrupt("application", id, reason);
    let entry =
        entry.ok_or_else(|| corrupt("a received application has no register entry".into()))?;
    let entry: EntryIn = serde_json::from_str(entry).map_err(|e| corrupt(e.to_string()))?;
    if entry.v != DOCUMENT_VERSION {
        return Err(corrupt(format!(
            "register entry version {} is unknown",
            entry.v
        )));
    }
    Ok(entry.entry)
}

/// Sets the deadline columns of `id` alone (no new version: nothing about the application
/// changed).
pub fn set_deadline_columns(
    conn: &mut DbConnection,
    id: ApplicationId,
    deadlines: DeadlineColumns,
) -> Result<(), StoreError> {
    diesel::update(applications::table.find(id.to_string()))
        .set((
            applications::due_at.eq(deadlines.due_at.map(|at| at.naive_utc())),
            applications::alert_at.eq(deadlines.alert_at.map(|at| at.naive_utc())),
        ))
        .execute(conn)?;
    Ok(())
}

/// Up to `limit` applications whose next deadline alert fell due by `now`.
pub fn alerts_due(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<ApplicationId>, StoreError> {
    let ids: Vec<String> = applications::table
        .filter(applications::alert_at.le(now.naive_utc()))
        .order(applications::alert_at.asc())
        .select(applications::id)
        .limit(limit)
        .load(conn)?;
    ids.iter()
        .map(|id| {
            ApplicationId::parse(id).map_err(|e| StoreError::corrupt("application", id, e.message))
        })
        .collect()
}

#[derive(Queryable, Insertable, AsChangeset)]
#[diesel(table_name = applications, treat_none_as_null = true)]
struct ApplicationRow {
    id: String,
    applicant: String,
    kind: String,
    status: String,
    document: String,
    version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    submitted_at: Option<NaiveDateTime>,
    due_at: Option<NaiveDateTime>,
    alert_at: Option<NaiveDateTime>,
    public_entry: Option<String>,
}

impl ApplicationRow {
    fn of(application: &Application, deadlines: DeadlineColumns) -> Result<Self, StoreError> {
        let id = application.id.to_string();
        let corrupt = |e: serde_json::Error| StoreError::corrupt("application", &id, e);
        let document = serde_json::to_string(&DocumentOut {
            v: DOCUMENT_VERSION,
            application,
        })
        .map_err(corrupt)?;
        let public_entry = application
            .register_entry()
            .map(|entry| {
                serde_json::to_string(&EntryOut {
                    v: DOCUMENT_VERSION,
                    entry: &entry,
                })
            })
            .transpose()
            .map_err(corrupt)?;
        Ok(Self {
            id: id.clone(),
            applicant: application.applicant.as_str().to_owned(),
            kind: application.form.kind().as_str().to_owned(),
            status: application.status.as_str().to_owned(),
            document,
            version: application.version,
            created_at: application.created_at.naive_utc(),
            updated_at: application.updated_at.naive_utc(),
            submitted_at: application.submitted_at.map(|at| at.naive_utc()),
            due_at: deadlines.due_at.map(|at| at.naive_utc()),
            alert_at: deadlines.alert_at.map(|at| at.naive_utc()),
            public_entry,
        })
    }
}
