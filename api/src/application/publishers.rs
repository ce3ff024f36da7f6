//! Registering, changing and removing publishers.

use chrono::{DateTime, Utc};
use hdab_domain::ids::PublisherId;
use hdab_domain::publisher::{Publisher, PublisherDetails};
use hdab_domain::version::{self, Precondition};
use hdab_openapi::organisations::PublisherView;
use hdab_persistence::{DbConnection, datasets, events, publishers};
use serde_json::json;

use super::record;
use crate::edge::error::{ApiError, ErrorCode};

pub fn create(
    conn: &mut DbConnection,
    actor: &str,
    now: DateTime<Utc>,
    details: PublisherDetails,
) -> Result<Publisher, ApiError> {
    events::write(conn, |tx| {
        let publisher = Publisher {
            id: PublisherId::generate(),
            details,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        publishers::insert(tx, &publisher)?;
        record(
            tx,
            actor,
            now,
            "publisher.created",
            "publisher",
            publisher.id,
            &PublisherView::from(&publisher),
        )?;
        Ok(publisher)
    })
}

pub fn replace(
    conn: &mut DbConnection,
    actor: &str,
    now: DateTime<Utc>,
    id: PublisherId,
    precondition: &Precondition,
    details: PublisherDetails,
) -> Result<Publisher, ApiError> {
    events::write(conn, |tx| {
        let current =
            publishers::find(tx, id)?.ok_or_else(|| ApiError::not_found("the publisher"))?;
        version::check(current.version, precondition)?;
        let current_version = current.version;
        let next = Publisher {
            details,
            version: current.version + 1,
            updated_at: now,
            ..current
        };
        // Cannot miss: the write lock is held since `find`.
        if !publishers::update(tx, &next, current_version)? {
            return Err(ApiError::internal("the row changed under the write lock"));
        }
        record(
            tx,
            actor,
            now,
            "publisher.updated",
            "publisher",
            id,
            &PublisherView::from(&next),
        )?;
        Ok(next)
    })
}

/// Deletes a publisher nothing refers to; one that a committee serves or that holds datasets
/// stays (409).
pub fn delete(
    conn: &mut DbConnection,
    actor: &str,
    now: DateTime<Utc>,
    id: PublisherId,
    precondition: &Precondition,
) -> Result<(), ApiError> {
    events::write(conn, |tx| {
        let current =
            publishers::find(tx, id)?.ok_or_else(|| ApiError::not_found("the publisher"))?;
        version::check(current.version, precondition)?;
        let committees = publishers::committees_serving(tx, id)?;
        let datasets = datasets::count_for_publisher(tx, id)?;
        if committees + datasets > 0 {
            return Err(ApiError::new(
                ErrorCode::Conflict,
                format!("{committees} committee(s) serve this publisher and it holds {datasets} dataset(s); a publisher with either stays"),
            )
            .with_code("publisher_in_use"));
        }
        publishers::delete(tx, id)?;
        let payload = json!({ "id": id, "name": current.details.name.as_str() });
        record(
            tx,
            actor,
            now,
            "publisher.deleted",
            "publisher",
            id,
            &payload,
        )
    })
}
