//! Creating, changing and removing data-access committees.

use chrono::{DateTime, Utc};
use hdab_domain::committee::{Committee, CommitteeDetails};
use hdab_domain::ids::CommitteeId;
use hdab_domain::version::{self, Precondition};
use hdab_domain::{FieldErrors, ValueError};
use hdab_openapi::organisations::CommitteeView;
use hdab_persistence::{DbConnection, committees, datasets, events, publishers};
use serde_json::json;

use super::record;
use crate::edge::error::{ApiError, ErrorCode};

pub fn create(
    conn: &mut DbConnection,
    actor: &str,
    now: DateTime<Utc>,
    details: CommitteeDetails,
) -> Result<Committee, ApiError> {
    events::write(conn, |tx| {
        check_publishers_exist(tx, &details)?;
        let committee = Committee {
            id: CommitteeId::generate(),
            details,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        committees::insert(tx, &committee)?;
        record(
            tx,
            actor,
            now,
            "committee.created",
            "committee",
            committee.id,
            &CommitteeView::from(&committee),
        )?;
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
) -> Result<Committee, ApiError> {
    events::write(conn, |tx| {
        let current =
            committees::find(tx, id)?.ok_or_else(|| ApiError::not_found("the committee"))?;
        version::check(current.version, precondition)?;
        check_publishers_exist(tx, &details)?;
        let current_version = current.version;
        let next = Committee {
            details,
            version: current.version + 1,
            updated_at: now,
            ..current
        };
        // Cannot miss: the write lock is held since `find`.
        if !committees::update(tx, &next, current_version)? {
            return Err(ApiError::internal("the row changed under the write lock"));
        }
        record(
            tx,
            actor,
            now,
            "committee.updated",
            "committee",
            id,
            &CommitteeView::from(&next),
        )?;
        Ok(next)
    })
}

/// Deletes a committee no dataset names as its reviewer (409 otherwise).
pub fn delete(
    conn: &mut DbConnection,
    actor: &str,
    now: DateTime<Utc>,
    id: CommitteeId,
    precondition: &Precondition,
) -> Result<(), ApiError> {
    events::write(conn, |tx| {
        let current =
            committees::find(tx, id)?.ok_or_else(|| ApiError::not_found("the committee"))?;
        version::check(current.version, precondition)?;
        let datasets = datasets::count_for_committee(tx, id)?;
        if datasets > 0 {
            return Err(ApiError::new(
                ErrorCode::Conflict,
                format!("{datasets} dataset(s) name this committee as their reviewer; reassign them first"),
            )
            .with_code("committee_in_use"));
        }
        committees::delete(tx, id)?;
        let payload = json!({ "id": id, "name": current.details.name().as_str() });
        record(
            tx,
            actor,
            now,
            "committee.deleted",
            "committee",
            id,
            &payload,
        )
    })
}

/// Every listed publisher must exist; each unknown one is named by its position.
fn check_publishers_exist(
    tx: &mut DbConnection,
    details: &CommitteeDetails,
) -> Result<(), ApiError> {
    let missing = publishers::missing(tx, details.publisher_ids())?;
    let mut errors = FieldErrors::new();
    for (index, id) in details.publisher_ids().iter().enumerate() {
        if missing.contains(id) {
            errors.add(
                format!("publisher_ids[{index}]"),
                ValueError::new("unknown_publisher", format!("no publisher has the id {id}")),
            );
        }
    }
    Ok(errors.finish()?)
}
