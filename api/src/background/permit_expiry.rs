//! The permit expiry job: records `permit.expired` once for each permit past its end,
//! whichever process finds it first. Readers do not wait for it: a permit past its end reads
//! as expired, and its visas stop verifying, at once.

use std::time::Duration;

use hdab_persistence::DbConnection;

use super::Job;
use crate::application::permits::expire_ended;
use crate::application::{AppError, Clock};

/// How many expiries one run records at most; the next run takes the rest.
const BATCH: i64 = 500;

pub struct PermitExpiryJob {
    pub every: Duration,
    pub clock: Clock,
}

impl Job for PermitExpiryJob {
    fn name(&self) -> &'static str {
        "permit.expiry"
    }

    fn every(&self) -> Duration {
        self.every
    }

    fn run(&self, conn: &mut DbConnection) -> Result<String, AppError> {
        let expired = expire_ended(conn, self.clock.now(), BATCH)?;
        Ok(format!("recorded the expiry of {expired} permit(s)"))
    }
}
