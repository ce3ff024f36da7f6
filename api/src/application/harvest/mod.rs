//! Harvesting: admins register the catalogues hdab copies descriptions from ([`HarvestSource`]);
//! a run (`background::harvest`) reads one through the outbound HTTP module and applies its
//! records ([`apply`]), one savepoint each, as the source's own partner identity. Runs are claimed
//! through the job runner's schedule (`harvest:<source id>`), so of several processes on one
//! database only one runs a source at a time.

pub mod apply;

use chrono::{DateTime, Utc};
use hdab_domain::harvest::{HarvestSource, HarvestSourceDetails};
use hdab_domain::ids::HarvestSourceId;
use hdab_domain::version::Precondition;
use hdab_persistence::harvest::{self as store, Credentials as StoredCredentials};
use hdab_persistence::{DbConnection, events, jobs, publishers};
use serde::{Deserialize, Serialize};

use super::datasets::committee_serves;
use super::secrets::KeyEncryptionKey;
use super::{AppError, record, updated_under_lock};

/// How hdab signs in at a source. Serialised, then sealed; never shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Credentials {
    Bearer { token: String },
    Basic { username: String, password: String },
}

/// What a replacement does to the stored credentials.
#[derive(Debug, Clone)]
pub enum CredentialsChange {
    Keep,
    Set(Credentials),
    Remove,
}

/// What every source's entry in the job schedule is named after.
const JOB_PREFIX: &str = "harvest:";

/// The name of a source's entry in the job schedule.
pub fn job_name(id: HarvestSourceId) -> String {
    format!("{JOB_PREFIX}{id}")
}

/// The sources due at `now` that no process is running.
pub fn due(conn: &mut DbConnection, now: DateTime<Utc>) -> Result<Vec<HarvestSourceId>, AppError> {
    Ok(jobs::due_with_prefix(conn, JOB_PREFIX, now)?
        .iter()
        .filter_map(|name| name.strip_prefix(JOB_PREFIX))
        .filter_map(|id| HarvestSourceId::parse(id).ok())
        .collect())
}

/// The associated data a source's credentials are sealed with: sealed credentials cannot be
/// moved to another source.
fn seal_label(id: HarvestSourceId) -> String {
    format!("harvest-source:{id}")
}

fn seal(
    kek: &KeyEncryptionKey,
    id: HarvestSourceId,
    credentials: &Credentials,
) -> Result<String, AppError> {
    let plain = serde_json::to_vec(credentials).map_err(AppError::internal)?;
    kek.seal(&seal_label(id), &plain)
        .map_err(AppError::internal)
}

/// The credentials sealed for source `id`.
pub fn open(
    kek: &KeyEncryptionKey,
    id: HarvestSourceId,
    sealed: &str,
) -> Result<Credentials, AppError> {
    let plain = kek
        .open(&seal_label(id), sealed)
        .map_err(AppError::internal)?;
    serde_json::from_slice(&plain).map_err(AppError::internal)
}

/// That the publisher exists and the committee serves it.
fn check_references(
    conn: &mut DbConnection,
    details: &HarvestSourceDetails,
) -> Result<(), AppError> {
    if publishers::find(conn, details.publisher_id)?.is_none() {
        return Err(AppError::invalid_field(
            "publisher_id",
            hdab_domain::codes::UNKNOWN_PUBLISHER,
            "no publisher has this id",
        ));
    }
    committee_serves(conn, details.committee_id, details.publisher_id)
}

/// When a source is next due: now for a new or changed schedule, and for a source that runs
/// only when asked, never (until asked).
fn first_due(details: &HarvestSourceDetails, now: DateTime<Utc>) -> DateTime<Utc> {
    match details.every_minutes {
        Some(_) => now,
        None => never(now),
    }
}

/// A time no schedule reaches: a source without a schedule waits there until asked.
pub fn never(now: DateTime<Utc>) -> DateTime<Utc> {
    now + chrono::Duration::days(365 * 100)
}

pub fn register(
    conn: &mut DbConnection,
    kek: &KeyEncryptionKey,
    actor: &str,
    now: DateTime<Utc>,
    details: HarvestSourceDetails,
    credentials: Option<Credentials>,
) -> Result<HarvestSource, AppError> {
    events::write(conn, |tx| {
        check_references(tx, &details)?;
        let id = HarvestSourceId::generate();
        let due = first_due(&details, now);
        let (source, event) = HarvestSource::register(id, details, credentials.is_some(), now);
        let sealed = credentials.map(|c| seal(kek, id, &c)).transpose()?;
        store::insert(tx, &source, sealed.as_deref())?;
        jobs::ensure(tx, &job_name(id), due)?;
        record(tx, actor, now, &event)?;
        Ok(source)
    })
}

#[expect(
    clippy::too_many_arguments,
    reason = "one replacement, named part by part"
)]
pub fn replace(
    conn: &mut DbConnection,
    kek: &KeyEncryptionKey,
    actor: &str,
    now: DateTime<Utc>,
    id: HarvestSourceId,
    details: HarvestSourceDetails,
    credentials: CredentialsChange,
    precondition: &Precondition,
) -> Result<HarvestSource, AppError> {
    events::write(conn, |tx| {
        let current = store::find(tx, id)?.ok_or(AppError::NotFound("the harvest source"))?;
        check_references(tx, &details)?;
        let has_credentials = match &credentials {
            CredentialsChange::Keep => current.has_credentials,
            CredentialsChange::Set(_) => true,
            CredentialsChange::Remove => false,
        };
        let start_over = current.details.url != details.url || current.details.kind != details.kind;
        let rescheduled = current.details.every_minutes != details.every_minutes;
        let (next, event) = current.replace(details, has_credentials, precondition, now)?;
        let sealed = match &credentials {
            CredentialsChange::Set(c) => Some(seal(kek, id, c)?),
            _ => None,
        };
        let stored = match credentials {
            CredentialsChange::Keep => StoredCredentials::Keep,
            CredentialsChange::Set(_) => StoredCredentials::Replace(sealed.as_deref()),
            CredentialsChange::Remove => StoredCredentials::Replace(None),
        };
        updated_under_lock(
            store::update(tx, &next, current.version, stored, start_over)?,
            "harvest source",
        )?;
        if rescheduled {
            jobs::reschedule(tx, &job_name(id), first_due(&next.details, now))?;
        }
        record(tx, actor, now, &event)?;
        Ok(next)
    })
}

/// Deletes a source and its run log. The datasets it brought in stay, as any publisher's do;
/// nothing withdraws them any more.
pub fn delete(
    conn: &mut DbConnection,
    actor: &str,
    now: DateTime<Utc>,
    id: HarvestSourceId,
    precondition: &Precondition,
) -> Result<(), AppError> {
    events::write(conn, |tx| {
        let current = store::find(tx, id)?.ok_or(AppError::NotFound("the harvest source"))?;
        let event = current.delete(precondition)?;
        store::delete(tx, id)?;
        jobs::forget(tx, &job_name(id))?;
        record(tx, actor, now, &event)?;
        Ok(())
    })
}

/// Makes a source due now: the next process to look claims it and runs it.
pub fn request_run(
    conn: &mut DbConnection,
    id: HarvestSourceId,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if store::find(conn, id)?.is_none() {
        return Err(AppError::NotFound("the harvest source"));
    }
    jobs::ensure(conn, &job_name(id), now)?;
    jobs::reschedule(conn, &job_name(id), now)?;
    Ok(())
}
