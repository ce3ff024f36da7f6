//! The deadline job: records `application.deadline_approaching` and `application.overdue`
//! (EHDS Art 68) once each per stage, whichever process finds them first.

use std::time::Duration;

use hdab_persistence::DbConnection;

use super::Job;
use crate::application::applications::{ApplicationSettings, record_due_alerts};
use crate::application::{AppError, Clock};

/// How many alerts one run records at most; the next run takes the rest.
const BATCH: i64 = 500;

pub struct DeadlineJob {
    pub settings: ApplicationSettings,
    pub clock: Clock,
}

impl Job for DeadlineJob {
    fn name(&self) -> &'static str {
        "application.deadlines"
    }

    fn every(&self) -> Duration {
        self.settings.deadline_check_interval
    }

    fn run(&self, conn: &mut DbConnection) -> Result<String, AppError> {
        let recorded = record_due_alerts(conn, &self.settings, self.clock.now(), BATCH)?;
        Ok(format!("recorded {recorded} deadline alert(s)"))
    }
}
