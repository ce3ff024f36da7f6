//! Registering, changing and removing publishers (data holders).

use chrono::{DateTime, Utc};
use hdab_domain::ids::PublisherId;
use hdab_domain::publisher::{Publisher, PublisherDetails};
use hdab_domain::version::Precondition;
use hdab_persistence::{DbConnection, datasets, events, publishers};

use super::{AppError, count, record, updated_under_lock};

pub fn create(
    conn: &mut DbConnection,
    actor: &str,
    now: DateTime<Utc>,
    details: PublisherDetails,
) -> Result<Publisher, AppError> {
    events::write(conn, |tx| {
        let (publisher, event) = Publisher::register(PublisherId::generate(), details, now);
        publishers::insert(tx, &publisher)?;
        record(tx, actor, now, &event)?;
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
) -> Result<Publisher, AppError> {
    events::write(conn, |tx| {
        let current = publishers::find(tx, id)?.ok_or(AppError::NotFound("the publisher"))?;
        let (next, event) = current.replace(details, precondition, now)?;
        updated_under_lock(publishers::update(tx, &next, current.version)?, "publisher")?;
        record(tx, actor, now, &event)?;
        Ok(next)
    })
}

/// Deletes a publisher nothing refers to; one that a committee serves or that holds datasets
/// stays (a conflict).
pub fn delete(
    conn: &mut DbConnection,
    actor: &str,
    now: DateTime<Utc>,
    id: PublisherId,
    precondition: &Precondition,
) -> Result<(), AppError> {
    events::write(conn, |tx| {
        let current = publishers::find(tx, id)?.ok_or(AppError::NotFound("the publisher"))?;
        let committees = publishers::committees_serving(tx, id)?;
        let datasets = datasets::count_for_publisher(tx, id)?;
        let event = current.delete(precondition, count(committees), count(datasets))?;
        publishers::delete(tx, id)?;
        record(tx, actor, now, &event)
    })
}
