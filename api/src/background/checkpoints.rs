//! The scheduled signing of event-log checkpoints.

use std::sync::Arc;
use std::time::Duration;

use hdab_persistence::{DbConnection, events};

use super::Job;
use crate::application::AppError;
use crate::application::audit::checkpoint_now;
use crate::application::checkpoints::Checkpoints;
use hdab_persistence::now;

/// Signs a checkpoint of the log's head when it has moved since the last one.
pub struct CheckpointJob {
    pub signer: Arc<Checkpoints>,
    pub every: Duration,
}

impl Job for CheckpointJob {
    fn name(&self) -> &'static str {
        "audit.checkpoint"
    }

    fn every(&self) -> Duration {
        self.every
    }

    fn run(&self, conn: &mut DbConnection) -> Result<String, AppError> {
        // An empty log has nothing to anchor; its first checkpoint comes with its first event.
        if events::load_head(conn)?.seq == 0 {
            return Ok("the log is empty".to_owned());
        }
        let (checkpoint, created) = checkpoint_now(conn, &self.signer, now())?;
        Ok(if created {
            format!("signed a checkpoint at event {}", checkpoint.seq)
        } else {
            format!("the log has not moved since event {}", checkpoint.seq)
        })
    }
}
