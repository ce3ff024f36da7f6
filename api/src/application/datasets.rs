//! Writing the catalogue: data holders create and replace their datasets' descriptions,
//! publish and withdraw them, and re-confirm them yearly (EHDS Art 60). Datasets are never
//! deleted: a withdrawn one stays readable by id.

use chrono::{DateTime, Utc};
use hdab_domain::auth::Principal;
use hdab_domain::catalogue::{Dataset, DatasetDetails, DatasetStatus, Lifecycle};
use hdab_domain::ids::DatasetId;
use hdab_domain::version::{self, Precondition};
use hdab_domain::{FieldErrors, ValueError};
use hdab_openapi::catalogue::DatasetInput;
use hdab_persistence::datasets::{self, DatasetRecord};
use hdab_persistence::{DbConnection, committees, events, publishers};

use super::record;
use crate::edge::error::ApiError;

/// The stored form: the description as its wire JSON beside the queried columns.
pub fn to_record(dataset: &Dataset) -> Result<DatasetRecord, ApiError> {
    let document =
        serde_json::to_string(&DatasetInput::from(&dataset.details)).map_err(ApiError::internal)?;
    Ok(DatasetRecord {
        id: dataset.id,
        publisher_id: dataset.details.publisher_id,
        committee_id: dataset.details.committee_id,
        identifier: dataset.details.identifier.as_str().to_owned(),
        status: dataset.status.as_str().to_owned(),
        access_rights: dataset.details.access_rights.as_str().to_owned(),
        document,
        version: dataset.version,
        created_at: dataset.created_at,
        modified_at: dataset.modified_at,
        issued_at: dataset.issued_at,
        confirmed_at: dataset.confirmed_at,
    })
}

/// Reads a stored dataset back, checking it as strictly as a new one.
pub fn from_record(record: DatasetRecord) -> Result<Dataset, ApiError> {
    let corrupt = |why: String| {
        ApiError::internal(format!(
            "stored dataset {} cannot be read: {why}",
            record.id
        ))
    };
    let input: DatasetInput =
        serde_json::from_str(&record.document).map_err(|e| corrupt(e.to_string()))?;
    let details = DatasetDetails::try_from(&input).map_err(|e| corrupt(format!("{e:?}")))?;
    let status = DatasetStatus::parse(&record.status).map_err(|e| corrupt(e.message))?;
    Ok(Dataset {
        id: record.id,
        details,
        status,
        version: record.version,
        created_at: record.created_at,
        modified_at: record.modified_at,
        issued_at: record.issued_at,
        confirmed_at: record.confirmed_at,
    })
}

/// Reads a stored dataset for whole-catalogue work (catalogue pages, the export, the search
/// index), or leaves it out when it no longer reads, saying so in the log and counting it in
/// the metrics: one corrupted row must not take a page, an export or the index down with it.
pub fn read_or_skip(record: DatasetRecord) -> Option<Dataset> {
    let id = record.id;
    match from_record(record) {
        Ok(dataset) => Some(dataset),
        Err(error) => {
            crate::shell::telemetry::count_skipped_corrupt_record();
            tracing::warn!(dataset.id = %id, error = %error, "skipping a stored dataset that cannot be read");
            None
        }
    }
}

fn find(conn: &mut DbConnection, id: DatasetId) -> Result<Option<Dataset>, ApiError> {
    datasets::find(conn, id)?.map(from_record).transpose()
}

/// Loads a dataset the caller may see: published and withdrawn ones are public, drafts only
/// for the publisher's data holders and admins (not its partner systems). Anything else is
/// "not found", so no one learns that a draft exists.
pub fn load_visible(
    conn: &mut DbConnection,
    caller: Option<&Principal>,
    id: DatasetId,
) -> Result<Dataset, ApiError> {
    let dataset = find(conn, id)?;
    match dataset {
        Some(d) if d.status != DatasetStatus::Draft => Ok(d),
        Some(d) if caller.is_some_and(|p| p.holds_data_for(d.details.publisher_id)) => Ok(d),
        _ => Err(ApiError::not_found("the dataset")),
    }
}

/// Loads a dataset the caller may change: one of a publisher it acts for.
fn load_own(
    conn: &mut DbConnection,
    caller: &Principal,
    id: DatasetId,
) -> Result<Dataset, ApiError> {
    let dataset = find(conn, id)?;
    match dataset {
        Some(d) if caller.holds_data_for(d.details.publisher_id) => Ok(d),
        _ => Err(ApiError::not_found("the dataset")),
    }
}

/// The publisher must be one the caller acts for (404 otherwise, like any foreign resource),
/// and the committee must exist and serve that publisher.
fn check_references(
    conn: &mut DbConnection,
    caller: &Principal,
    details: &DatasetDetails,
) -> Result<(), ApiError> {
    if !caller.holds_data_for(details.publisher_id)
        || publishers::find(conn, details.publisher_id)?.is_none()
    {
        return Err(ApiError::not_found("the publisher"));
    }
    let mut errors = FieldErrors::new();
    match committees::find(conn, details.committee_id)? {
        None => errors.add(
            "committee_id",
            ValueError::new("unknown_committee", "no committee has this id"),
        ),
        Some(c) if !c.details.publisher_ids().contains(&details.publisher_id) => errors.add(
            "committee_id",
            ValueError::new(
                "committee_does_not_serve_publisher",
                "the committee does not serve this dataset's publisher",
            ),
        ),
        Some(_) => {}
    }
    Ok(errors.finish()?)
}

fn save_new(
    tx: &mut DbConnection,
    actor: &str,
    now: DateTime<Utc>,
    dataset: &Dataset,
    action: &'static str,
) -> Result<(), ApiError> {
    let record = to_record(dataset)?;
    datasets::insert(tx, &record)?;
    record_event(tx, actor, now, action, dataset)
}

fn save_change(
    tx: &mut DbConnection,
    actor: &str,
    now: DateTime<Utc>,
    dataset: &Dataset,
    action: &'static str,
) -> Result<(), ApiError> {
    // Cannot miss: the write lock is held since the dataset was loaded.
    if !datasets::update(tx, &to_record(dataset)?, dataset.version - 1)? {
        return Err(ApiError::internal(
            "the dataset row changed under the write lock",
        ));
    }
    record_event(tx, actor, now, action, dataset)
}

fn record_event(
    tx: &mut DbConnection,
    actor: &str,
    now: DateTime<Utc>,
    action: &'static str,
    dataset: &Dataset,
) -> Result<(), ApiError> {
    let payload = serde_json::json!({
        "id": dataset.id,
        "status": dataset.status.as_str(),
        "version": dataset.version,
        "publisher_id": dataset.details.publisher_id,
        "description": DatasetInput::from(&dataset.details),
    });
    record(tx, actor, now, action, "dataset", dataset.id, &payload)
}

/// Creates a draft.
pub fn create(
    conn: &mut DbConnection,
    caller: &Principal,
    now: DateTime<Utc>,
    details: DatasetDetails,
) -> Result<Dataset, ApiError> {
    events::write(conn, |tx| {
        check_references(tx, caller, &details)?;
        let dataset = Dataset::new(DatasetId::generate(), details, DatasetStatus::Draft, now);
        save_new(
            tx,
            caller.subject.as_str(),
            now,
            &dataset,
            "dataset.created",
        )?;
        Ok(dataset)
    })
}

/// Adds a dataset straight into the published state, within the caller's transaction (bulk
/// loads and seeds; the event records the whole published description).
pub fn import_published(
    tx: &mut DbConnection,
    caller: &Principal,
    now: DateTime<Utc>,
    details: DatasetDetails,
) -> Result<Dataset, ApiError> {
    let dataset = Dataset::new(
        DatasetId::generate(),
        details,
        DatasetStatus::Published,
        now,
    );
    save_new(
        tx,
        caller.subject.as_str(),
        now,
        &dataset,
        "dataset.published",
    )?;
    Ok(dataset)
}

/// Replaces the description; a holder's replacement also re-confirms it (Art 60).
pub fn replace(
    conn: &mut DbConnection,
    caller: &Principal,
    now: DateTime<Utc>,
    id: DatasetId,
    precondition: &Precondition,
    details: DatasetDetails,
) -> Result<Dataset, ApiError> {
    events::write(conn, |tx| {
        let current = load_own(tx, caller, id)?;
        version::check(current.version, precondition)?;
        if details.publisher_id != current.details.publisher_id {
            return Err(ApiError::invalid_field(
                "publisher_id",
                "immutable",
                "a dataset cannot move to another publisher",
            ));
        }
        check_references(tx, caller, &details)?;
        let next = Dataset {
            details,
            version: current.version + 1,
            modified_at: now,
            confirmed_at: now,
            ..current
        };
        save_change(tx, caller.subject.as_str(), now, &next, "dataset.updated")?;
        Ok(next)
    })
}

/// Publishes or withdraws.
pub fn change_status(
    conn: &mut DbConnection,
    caller: &Principal,
    now: DateTime<Utc>,
    id: DatasetId,
    action: Lifecycle,
) -> Result<Dataset, ApiError> {
    events::write(conn, |tx| {
        let current = load_own(tx, caller, id)?;
        let status = current.status.after(action)?;
        let (event, issued_at, confirmed_at) = match action {
            Lifecycle::Publish => ("dataset.published", current.issued_at.or(Some(now)), now),
            Lifecycle::Withdraw => ("dataset.withdrawn", current.issued_at, current.confirmed_at),
        };
        let next = Dataset {
            status,
            version: current.version + 1,
            modified_at: now,
            issued_at,
            confirmed_at,
            ..current
        };
        save_change(tx, caller.subject.as_str(), now, &next, event)?;
        Ok(next)
    })
}

/// The holder confirms the description is still current (EHDS Art 60).
pub fn confirm(
    conn: &mut DbConnection,
    caller: &Principal,
    now: DateTime<Utc>,
    id: DatasetId,
) -> Result<Dataset, ApiError> {
    events::write(conn, |tx| {
        let current = load_own(tx, caller, id)?;
        let next = Dataset {
            version: current.version + 1,
            confirmed_at: now,
            ..current
        };
        save_change(tx, caller.subject.as_str(), now, &next, "dataset.confirmed")?;
        Ok(next)
    })
}
