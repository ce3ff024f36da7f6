//! Use cases: one write transaction each, which loads what the decision needs, lets the domain
//! decide, writes the rows and appends the event, all or nothing.

pub mod audit;
pub mod checkpoints;
pub mod committees;
pub mod datasets;
pub mod publishers;
pub mod signing;

use chrono::{DateTime, Utc};
use hdab_domain::event::NewEvent;
use hdab_persistence::{DbConnection, events};
use serde::Serialize;

use crate::edge::error::ApiError;

/// Appends `<entity_type>.<verb>` for entity `id`, with `payload` as the event's content.
fn record(
    tx: &mut DbConnection,
    actor: &str,
    now: DateTime<Utc>,
    action: &'static str,
    entity_type: &'static str,
    id: impl ToString,
    payload: &impl Serialize,
) -> Result<(), ApiError> {
    let payload = serde_json::to_string(payload).map_err(ApiError::internal)?;
    events::append(
        tx,
        actor,
        now,
        NewEvent {
            action,
            entity_type,
            entity_id: id.to_string(),
            payload,
        },
    )?;
    Ok(())
}
