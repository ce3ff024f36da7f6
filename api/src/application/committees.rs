//! Forming, changing and removing data-access committees.

use chrono::{DateTime, Utc};
use hdab_domain::codes;
use hdab_domain::committee::{Committee, CommitteeDetails};
use hdab_domain::ids::CommitteeId;
use hdab_domain::version::Precondition;
use hdab_domain::{FieldErrors, ValueError};
use hdab_persistence::{DbConnection, committees, datasets, events, publishers};

use super::{AppError, count, record, updated_under_lock};

pub fn create(
    conn: &mut DbConnection,
    actor: &str,
    now: DateTime<Utc>,
    details: CommitteeDetails,
) -> Result<Committee, AppError> {
    events::write(conn, |tx| {
        check_publishers_exist(tx, &details)?;
        let (committee, event) = Committee::form(CommitteeId::generate(), details, now);
        committees::insert(tx, &committee)?;
        record(tx, actor, now, &event)?;
        Ok(committee)
    })
}

pub fn replace(
    conn: &mut DbConnection,
    actor: &str,
    now: DateTime<Utc>,
    id: CommitteeId,
    precondition: &Precondition,
    details: CommitteeDetails,
) -> Result<Committee, AppError> {
    events::write(conn, |tx| {
        let current = committees::find(tx, id)?.ok_or(AppError::NotFound("the committee"))?;
        let (next, event) = current.replace(details, precondition, now)?;
        check_publishers_exist(tx, &next.details)?;
        updated_under_lock(committees::update(tx, &next, current.version)?, "committee")?;
        record(tx, actor, now, &event)?;
        Ok(next)
    })
}

/// Deletes a committee no dataset names as its reviewer (a conflict otherwise).
pub fn delete(
    conn: &mut DbConnection,
    actor: &str,
    now: DateTime<Utc>,
    id: CommitteeId,
    precondition: &Precondition,
) -> Result<(), AppError> {
    events::write(conn, |tx| {
        let current = committees::find(tx, id)?.ok_or(AppError::NotFound("the committee"))?;
        let datasets = datasets::count_for_committee(tx, id)?;
        let event = current.delete(precondition, count(datasets))?;
        committees::delete(tx, id)?;
        record(tx, actor, now, &event)
    })
}

/// Every listed publisher must exist; each unknown one is named by its position.
fn check_publishers_exist(
    tx: &mut DbConnection,
    details: &CommitteeDetails,
) -> Result<(), AppError> {
    let missing = publishers::missing(tx, details.publisher_ids())?;
    let mut errors = FieldErrors::new();
    for (index, id) in details.publisher_ids().iter().enumerate() {
        if missing.contains(id) {
            errors.add(
                format!("publisher_ids[{index}]"),
                ValueError::new(
                    codes::UNKNOWN_PUBLISHER,
                    format!("no publisher has the id {id}"),
                ),
            );
        }
    }
    Ok(errors.finish()?)
}
