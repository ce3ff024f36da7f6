//! Writing the catalogue: data holders create and replace their datasets' descriptions,
//! publish and withdraw them, and re-confirm them yearly (EHDS Art 60). Datasets are never
//! deleted: a withdrawn one stays readable by id.

use chrono::{DateTime, Utc};
use hdab_domain::auth::Principal;
use hdab_domain::catalogue::{Dataset, DatasetDetails, DatasetStatus, Lifecycle};
use hdab_domain::codes;
use hdab_domain::event::Event;
use hdab_domain::ids::{CommitteeId, DatasetId, PublisherId};
use hdab_domain::version::Precondition;
use hdab_domain::{FieldErrors, ValueError};
use hdab_persistence::{DbConnection, StoreError, committees, datasets, events, publishers};

use super::{AppError, record, updated_under_lock};

/// Loads a dataset the caller may see: published and withdrawn ones are public, drafts only
/// for the publisher's data holders and admins (not its partner systems). Anything else is
/// "not found", so no one learns that a draft exists.
pub fn load_visible(
    conn: &mut DbConnection,
    caller: Option<&Principal>,
    id: DatasetId,
) -> Result<Dataset, AppError> {
    match datasets::find(conn, id)? {
        Some(d) if d.status != DatasetStatus::Draft => Ok(d),
        Some(d) if caller.is_some_and(|p| p.holds_data_for(d.details.publisher_id)) => Ok(d),
        _ => Err(AppError::NotFound("the dataset")),
    }
}

/// Loads a dataset the caller may change: one of a publisher it holds data for.
fn load_own(
    conn: &mut DbConnection,
    caller: &Principal,
    id: DatasetId,
) -> Result<Dataset, AppError> {
    match datasets::find(conn, id)? {
        Some(d) if caller.holds_data_for(d.details.publisher_id) => Ok(d),
        _ => Err(AppError::NotFound("the dataset")),
    }
}

/// The publisher must be one the caller holds data for (not found otherwise, like any foreign
/// resource), and the committee must exist and serve that publisher.
fn check_references(
    conn: &mut DbConnection,
    caller: &Principal,
    details: &DatasetDetails,
) -> Result<(), AppError> {
    check_references_for(conn, caller.holds_data_for(details.publisher_id), details)
}

/// [`check_references`] for a caller who may (`may_write`) write the publisher's datasets.
pub(super) fn check_references_for(
    conn: &mut DbConnection,
    may_write: bool,
    details: &DatasetDetails,
) -> Result<(), AppError> {
    if !may_write || publishers::find(conn, details.publisher_id)?.is_none() {
        return Err(AppError::NotFound("the publisher"));
    }
    committee_serves(conn, details.committee_id, details.publisher_id)
}

/// That `committee` exists and serves `publisher`, or the `committee_id` field's problem.
pub(super) fn committee_serves(
    conn: &mut DbConnection,
    committee: CommitteeId,
    publisher: PublisherId,
) -> Result<(), AppError> {
    let mut errors = FieldErrors::new();
    match committees::find(conn, committee)? {
        None => errors.add(
            "committee_id",
            ValueError::new(codes::UNKNOWN_COMMITTEE, "no committee has this id"),
        ),
        Some(c) if !c.details.publisher_ids().contains(&publisher) => errors.add(
            "committee_id",
            ValueError::new(
                codes::COMMITTEE_DOES_NOT_SERVE_PUBLISHER,
                "the committee does not serve this dataset's publisher",
            ),
        ),
        Some(_) => {}
    }
    Ok(errors.finish()?)
}

/// How a change is stored: [`datasets::update`] for a new description,
/// [`datasets::update_lifecycle`] for a new status or date only.
type Store = fn(&mut DbConnection, &Dataset, i64) -> Result<bool, StoreError>;

/// Stores a changed dataset with `store` and records its event as the caller's.
fn save_change(
    tx: &mut DbConnection,
    caller: &Principal,
    now: DateTime<Utc>,
    (next, event): (Dataset, Event),
    store: Store,
) -> Result<Dataset, AppError> {
    updated_under_lock(store(tx, &next, next.version - 1)?, "dataset")?;
    record(tx, caller.subject.as_str(), now, &event)?;
    Ok(next)
}

/// Creates a draft.
pub fn create(
    conn: &mut DbConnection,
    caller: &Principal,
    now: DateTime<Utc>,
    details: DatasetDetails,
) -> Result<Dataset, AppError> {
    events::write(conn, |tx| {
        check_references(tx, caller, &details)?;
        let (dataset, event) = Dataset::draft(DatasetId::generate(), details, now);
        datasets::insert(tx, &dataset)?;
        record(tx, caller.subject.as_str(), now, &event)?;
        Ok(dataset)
    })
}

/// Adds datasets straight into the published state, within the caller's transaction (bulk
/// loads and seeds; each event records the whole published description). Rows and events
/// go in multi-row inserts: one by one, their statements were most of a bulk call's write.
pub fn import_published(
    tx: &mut DbConnection,
    caller: &Principal,
    now: DateTime<Utc>,
    new: Vec<DatasetDetails>,
) -> Result<Vec<Dataset>, AppError> {
    let (imported, events): (Vec<Dataset>, Vec<Event>) = new
        .into_iter()
        .map(|details| Dataset::import_published(DatasetId::generate(), details, now))
        .unzip();
    datasets::insert_all(tx, &imported)?;
    let records = events
        .iter()
        .map(|event| event.to_record().map_err(AppError::internal))
        .collect::<Result<Vec<_>, _>>()?;
    events::append_all(tx, caller.subject.as_str(), now, records)?;
    Ok(imported)
}

/// Replaces the description; a holder's replacement also re-confirms it (Art 60).
pub fn replace(
    conn: &mut DbConnection,
    caller: &Principal,
    now: DateTime<Utc>,
    id: DatasetId,
    precondition: &Precondition,
    details: DatasetDetails,
) -> Result<Dataset, AppError> {
    events::write(conn, |tx| {
        let current = load_own(tx, caller, id)?;
        let change = current.replace(details, precondition, now)?;
        check_references(tx, caller, &change.0.details)?;
        save_change(tx, caller, now, change, datasets::update)
    })
}

/// Publishes or withdraws.
pub fn change_status(
    conn: &mut DbConnection,
    caller: &Principal,
    now: DateTime<Utc>,
    id: DatasetId,
    action: Lifecycle,
) -> Result<Dataset, AppError> {
    events::write(conn, |tx| {
        let change = load_own(tx, caller, id)?.change_status(action, now)?;
        save_change(tx, caller, now, change, datasets::update_lifecycle)
    })
}

/// The holder confirms the description is still current (EHDS Art 60).
pub fn confirm(
    conn: &mut DbConnection,
    caller: &Principal,
    now: DateTime<Utc>,
    id: DatasetId,
) -> Result<Dataset, AppError> {
    events::write(conn, |tx| {
        let change = load_own(tx, caller, id)?.confirm(now);
        save_change(tx, caller, now, change, datasets::update_lifecycle)
    })
}
