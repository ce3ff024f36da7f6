//! Forgets idempotency keys past their 24 hours, so the table holds one day of creations.

use std::time::Duration;

use hdab_persistence::DbConnection;
use hdab_persistence::idempotency::{self, RETENTION_HOURS};

use super::Job;
use crate::application::{AppError, Clock};

pub struct IdempotencyExpiryJob {
    pub clock: Clock,
}

impl Job for IdempotencyExpiryJob {
    fn name(&self) -> &'static str {
        "idempotency.expire"
    }

    fn every(&self) -> Duration {
        Duration::from_secs(3600)
    }

    fn run(&self, conn: &mut DbConnection) -> Result<String, AppError> {
        let before = self.clock.now() - chrono::Duration::hours(RETENTION_HOURS);
        let forgotten = idempotency::expire(conn, before)?;
        Ok(format!(
            "forgot {forgotten} idempotency key(s) older than {RETENTION_HOURS} h"
        ))
    }
}
