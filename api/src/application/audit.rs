//! The event log's checkpoints: signing one now, and choosing the one to verify against.

use chrono::{DateTime, Utc};
use hdab_persistence::checkpoints::{self, Checkpoint};
use hdab_persistence::events::ChainVerification;
use hdab_persistence::{DbConnection, events};

use super::AppError;
use crate::application::checkpoints::Checkpoints;

/// Signs, stores and holds a checkpoint of the log's current head; when the newest stored
/// checkpoint is already at the head, returns it instead. `true` when a new one was made.
pub fn checkpoint_now(
    conn: &mut DbConnection,
    signer: &Checkpoints,
    now: DateTime<Utc>,
) -> Result<(Checkpoint, bool), AppError> {
    let head = events::load_head(conn)?;
    if let Some(latest) = checkpoints::latest(conn)?.filter(|c| c.seq == head.seq) {
        return Ok((latest, false));
    }
    let checkpoint = signer.sign(&head, now).map_err(AppError::internal)?;
    let created = checkpoints::insert(conn, &checkpoint)?;
    if let Err(why) = signer.hold(&checkpoint) {
        tracing::warn!(
            why,
            "the new audit checkpoint is stored but not held locally"
        );
    }
    if created {
        tracing::info!(
            event.seq = checkpoint.seq,
            "signed a checkpoint of the event log"
        );
    }
    Ok((checkpoint, created))
}

/// The newest checkpoint to verify the log against: the one held outside the database, or
/// the newest stored one whose signature verifies, whichever reaches further.
pub fn newest_anchor(
    conn: &mut DbConnection,
    signer: &Checkpoints,
) -> Result<Option<Checkpoint>, AppError> {
    let stored = checkpoints::latest(conn)?.and_then(|c| match signer.read(&c.token) {
        Ok(read) if read.seq == c.seq && read.hash == c.hash => Some(read),
        _ => {
            tracing::warn!(
                event.seq = c.seq,
                "a stored audit checkpoint does not verify; ignoring it"
            );
            None
        }
    });
    let held = signer.held();
    Ok(match (held, stored) {
        (Some(held), Some(stored)) if stored.seq > held.seq => Some(stored),
        (Some(held), _) => Some(held),
        (None, stored) => stored,
    })
}

/// Walks the whole event log against `given` checkpoint, or the newest one hdab holds, so a
/// log rewound to an earlier state is reported too; says which checkpoint it used.
pub fn verify_log(
    conn: &mut DbConnection,
    signer: &Checkpoints,
    given: Option<Checkpoint>,
) -> Result<(ChainVerification, Option<Checkpoint>), AppError> {
    let anchor = match given {
        Some(given) => Some(given),
        None => newest_anchor(conn, signer)?,
    };
    let head = anchor.as_ref().map(|c| hdab_domain::event::ChainHead {
        seq: c.seq,
        hash: c.hash.clone(),
    });
    let verification = events::verify(conn, head.as_ref())?;
    if let Some(broken) = &verification.first_break {
        tracing::error!(event.seq = broken.seq, reason = %broken.reason, "the event log does not verify");
    }
    Ok((verification, anchor))
}
