//! Use cases: one write transaction each, which loads what the decision needs, lets the domain
//! decide (a command returns the next state and its event), stores the rows and records the
//! event, all or nothing. Every write of hdab goes through one. No HTTP type is used here; a
//! test (`tests/tests/architecture.rs`) holds that wall.

pub mod applications;
pub mod audit;
pub mod bulk;
pub mod changes;
pub mod checkpoints;
mod clock;
pub mod committees;
pub mod datasets;
mod error;
pub mod harvest;
pub mod opt_outs;
pub mod permit_keys;
pub mod permits;
pub mod publishers;
pub mod secrets;
pub mod signing;
pub mod webhooks;

pub use clock::Clock;
pub use error::AppError;

use chrono::{DateTime, Utc};
use hdab_domain::event::Event;
use hdab_persistence::{DbConnection, events};

/// Appends `event` to the log, within the caller's write transaction.
fn record(
    tx: &mut DbConnection,
    actor: &str,
    now: DateTime<Utc>,
    event: &Event,
) -> Result<(), AppError> {
    let record = event.to_record().map_err(AppError::internal)?;
    events::append(tx, actor, now, record)?;
    Ok(())
}

/// Checks that an optimistic `UPDATE … WHERE version = loaded` hit its row. The write
/// transaction holds the lock since the row was loaded, so a miss is a bug, not a race.
fn updated_under_lock(hit: bool, what: &str) -> Result<(), AppError> {
    if hit {
        Ok(())
    } else {
        Err(AppError::internal(format!(
            "the {what} row changed under the write lock"
        )))
    }
}

/// A row count as the domain counts.
fn count(rows: i64) -> u64 {
    u64::try_from(rows).unwrap_or(0)
}
