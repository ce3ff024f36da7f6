//! Background work of one hdab process, all on one [`Runner`], beside the HTTP server:
//!
//! - **followers** ([`Follower`]) read the event log after their own cursor and apply it in
//!   batches: the search index today, the change feed, webhooks and registers later. Every
//!   committed write catches them up before it answers (read-your-writes), and the runner does
//!   every second for writes made by other processes.
//! - **scheduled jobs** ([`Job`]) run every so often, claimed through the database so that of
//!   several processes on one database only one runs a job at a time; each run is recorded
//!   (`GET /api/v1/jobs`).

mod checkpoints;
mod deadlines;
pub mod harvest;
mod idempotency;
mod log_watch;
mod permit_expiry;
mod runner;
mod wal_checkpoints;
pub mod webhooks;

pub use checkpoints::CheckpointJob;
pub use deadlines::DeadlineJob;
pub use idempotency::IdempotencyExpiryJob;
pub use log_watch::LogWatch;
pub use permit_expiry::PermitExpiryJob;
pub use runner::{Runner, RunnerHandle, catch_up};

use std::time::Duration;

use hdab_domain::event::ChainedEvent;
use hdab_persistence::DbConnection;

use crate::application::AppError;

/// This process, as the job schedule and the run logs name it: its pid and a random tag (pids
/// repeat across hosts and restarts).
pub fn instance_name() -> String {
    format!(
        "pid-{}-{}",
        std::process::id(),
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    )
}

/// Runs `work` on a pooled connection on the blocking thread pool: background loops never
/// hold a connection across an `.await`.
pub(crate) async fn on_pool<T, F>(pool: &hdab_persistence::Pool, work: F) -> Result<T, AppError>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConnection) -> Result<T, AppError> + Send + 'static,
{
    let pool = pool.clone();
    actix_web::web::block(move || {
        let mut conn = pool.get()?;
        work(&mut conn)
    })
    .await
    .map_err(AppError::internal)?
}

/// A read model that follows the event log.
pub trait Follower: Send + Sync {
    /// For logs and errors.
    fn name(&self) -> &'static str;
    /// The sequence number of the last event applied.
    fn cursor(&self) -> i64;
    /// Applies `batch` (in order, starting right after the cursor) and moves the cursor to
    /// its last event.
    fn apply(&self, conn: &mut DbConnection, batch: &[ChainedEvent]) -> Result<(), AppError>;
    /// Whether the follower takes events now. One being rebuilt from the tables is left alone
    /// until the rebuild has finished; it then catches up from where the rebuild began.
    fn is_ready(&self) -> bool {
        true
    }
    /// Makes durable what was applied at least `age` ago (`Duration::ZERO`: all of it), for a
    /// follower that defers that (the search index commits for the next search, not for each
    /// write). Called every round of the job runner, and with zero when it stops.
    fn flush(&self, _age: Duration) -> Result<(), AppError> {
        Ok(())
    }
}

/// Work that runs on a schedule.
pub trait Job: Send + Sync {
    /// The job's name in the schedule and the run log.
    fn name(&self) -> &'static str;
    /// How long after a run the next one is due.
    fn every(&self) -> Duration;
    /// Runs once; says what it did, for the run log.
    fn run(&self, conn: &mut DbConnection) -> Result<String, AppError>;
}
