//! The job runner: one task per process that catches followers up and runs due jobs, woken
//! every second or when nudged after a write, and stopped with the server.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError, TryLockError};
use std::time::Duration;

use actix_web::rt::task::JoinHandle;
use hdab_persistence::jobs::{self, JobRun};
use hdab_persistence::{DbConnection, Pool, events};
use tokio::sync::Notify;
use uuid::Uuid;

use super::harvest::{Harvester, SCHEDULER_TICK};
use super::webhooks::WebhookSender;
use super::{Follower, Job};
use crate::application::AppError;
use hdab_persistence::now;

/// Events a follower reads per batch: more than a bulk call writes, so that the search index
/// commits once per call rather than once per 500 events.
const BATCH: i64 = 2_000;
/// How often the runner looks for work when nobody nudges it.
const TICK: Duration = Duration::from_secs(1);
/// How long a follower may hold what it applied before the runner makes it durable (the
/// search index's uncommitted changes, when nobody searches).
const FLUSH_AFTER: Duration = Duration::from_secs(1);
/// How long a claimed job is held: past this, another process may take it over.
const LEASE: Duration = Duration::from_secs(600);

/// Brings `follower` up to the log's head, batch by batch.
pub fn catch_up(follower: &dyn Follower, conn: &mut DbConnection) -> Result<(), AppError> {
    while follower.is_ready() {
        let cursor = follower.cursor();
        let batch = events::list_after(conn, cursor, BATCH)?;
        if batch.is_empty() {
            return Ok(());
        }
        follower.apply(conn, &batch)?;
        if follower.cursor() <= cursor {
            return Err(AppError::internal(format!(
                "the {} did not move past event {cursor}",
                follower.name()
            )));
        }
    }
    Ok(())
}

/// The followers and jobs of this process.
pub struct Runner {
    followers: Vec<(Arc<dyn Follower>, Mutex<()>)>,
    jobs: Vec<Arc<dyn Job>>,
    /// This process, as the schedule and the run log name it.
    instance: String,
    nudged: Notify,
}

/// The running task, and the loops beside it (harvests, webhook deliveries);
/// [`RunnerHandle::stop`] ends them after the work in hand.
pub struct RunnerHandle {
    stop: Arc<Notify>,
    task: JoinHandle<()>,
    stop_loops: tokio::sync::watch::Sender<bool>,
    loops: Vec<JoinHandle<()>>,
}

/// How long stopping waits for a loop's work in hand (a harvest run, a webhook send) before
/// dropping it (its claim then lapses with its lease).
const LOOP_STOP_GRACE: Duration = Duration::from_secs(10);

impl RunnerHandle {
    pub async fn stop(self) {
        self.stop.notify_one();
        if self.task.await.is_err() {
            tracing::warn!("the job runner ended abnormally");
        }
        let _ = self.stop_loops.send(true);
        for task in self.loops {
            let abort = task.abort_handle();
            if actix_web::rt::time::timeout(LOOP_STOP_GRACE, task)
                .await
                .is_err()
            {
                tracing::warn!("background work was still going at shutdown; it was dropped");
                abort.abort();
            }
        }
    }

    /// Runs due harvests beside the job runner, one after another, until stopped.
    pub fn with_harvests(mut self, harvester: Arc<Harvester>) -> Self {
        let mut stopped = self.stop_loops.subscribe();
        self.loops.push(actix_web::rt::spawn(async move {
            loop {
                tokio::select! {
                    _ = stopped.changed() => break,
                    _ = actix_web::rt::time::sleep(SCHEDULER_TICK) => {}
                }
                harvester.run_due().await;
            }
        }));
        self
    }

    /// Checkpoints SQLite's write-ahead log beside the job runner until stopped.
    pub fn with_wal_checkpoints(mut self, pool: Pool) -> Self {
        let stopped = self.stop_loops.subscribe();
        self.loops
            .push(actix_web::rt::spawn(super::wal_checkpoints::run(
                pool, stopped,
            )));
        self
    }

    /// Delivers webhooks beside the job runner until stopped.
    pub fn with_webhooks(mut self, sender: Arc<WebhookSender>) -> Self {
        let stopped = self.stop_loops.subscribe();
        self.loops.push(actix_web::rt::spawn(sender.run(stopped)));
        self
    }
}

impl Runner {
    pub fn new(followers: Vec<Arc<dyn Follower>>, jobs: Vec<Arc<dyn Job>>) -> Self {
        Self {
            followers: followers.into_iter().map(|f| (f, Mutex::new(()))).collect(),
            jobs,
            instance: super::instance_name(),
            nudged: Notify::new(),
        }
    }

    /// Brings every follower past the events a write just committed (read-your-writes).
    /// Writers that finished while another caller's catch-up ran find their events already
    /// covered and return at once, so one search-index commit serves every one of them.
    fn catch_up_after_write(&self, conn: &mut DbConnection) -> Result<(), AppError> {
        let written_up_to = events::head_seq(conn)?;
        let _held = self.hold_followers();
        self.catch_up_held(conn, written_up_to)
    }

    /// Runs `use_case` (a write), then catches the followers up past it. The write stands
    /// even if a follower fails: the runner retries.
    pub fn write<T>(
        &self,
        conn: &mut DbConnection,
        use_case: impl FnOnce(&mut DbConnection) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        let written = use_case(conn)?;
        if let Err(error) = self.catch_up_after_write(conn) {
            tracing::error!(error = %error, "a follower could not catch up after a write; the job runner retries");
        }
        Ok(written)
    }

    /// The runner's own catch-up, for what no writer of this process caught up: events of
    /// other instances, writes whose catch-up failed. While a writer is catching up, the
    /// runner leaves it to them and looks again next round. Queueing behind them (it is
    /// nudged after every write), it committed on its own the one event that had arrived
    /// meanwhile: a search-index commit of one dataset for every few publishes.
    fn catch_up_unless_busy(&self, conn: &mut DbConnection) -> Result<(), AppError> {
        match self.try_hold_followers() {
            Some(_held) => self.catch_up_held(conn, i64::MAX),
            None => Ok(()),
        }
    }

    /// Every follower's lock, in one order.
    fn hold_followers(&self) -> Vec<MutexGuard<'_, ()>> {
        self.followers
            .iter()
            .map(|(_, one_at_a_time)| one_at_a_time.lock().unwrap_or_else(PoisonError::into_inner))
            .collect()
    }

    /// Every follower's lock, or none if another caller holds one.
    fn try_hold_followers(&self) -> Option<Vec<MutexGuard<'_, ()>>> {
        self.followers
            .iter()
            .map(|(_, one_at_a_time)| match one_at_a_time.try_lock() {
                Ok(guard) => Some(guard),
                Err(TryLockError::Poisoned(poisoned)) => Some(poisoned.into_inner()),
                Err(TryLockError::WouldBlock) => None,
            })
            .collect()
    }

    /// With the followers held: catches the ready ones up to the log's head unless every
    /// one of them is already at or past `seq`, reading each batch of the log once for all
    /// of them (a write's events are about 2 KB each; three followers reading them three
    /// times was a fifth of a bulk call). Followers catch up one caller at a time (their
    /// locks are taken in one order); the next caller finds nothing left to do.
    fn catch_up_held(&self, conn: &mut DbConnection, seq: i64) -> Result<(), AppError> {
        let ready: Vec<&Arc<dyn Follower>> = self
            .followers
            .iter()
            .map(|(follower, _)| follower)
            .filter(|follower| follower.is_ready())
            .collect();
        if ready.iter().all(|follower| follower.cursor() >= seq) {
            return Ok(());
        }
        loop {
            let Some(from) = ready.iter().map(|f| f.cursor()).min() else {
                return Ok(());
            };
            let batch = events::list_after(conn, from, BATCH)?;
            if batch.is_empty() {
                return Ok(());
            }
            for follower in &ready {
                let cursor = follower.cursor();
                let unseen = batch.partition_point(|event| event.seq <= cursor);
                if unseen == batch.len() {
                    continue;
                }
                follower.apply(conn, &batch[unseen..])?;
                if follower.cursor() <= cursor {
                    return Err(AppError::internal(format!(
                        "the {} did not move past event {cursor}",
                        follower.name()
                    )));
                }
            }
        }
    }

    /// Wakes the runner: there is new work (a write was committed).
    pub fn nudge(&self) {
        self.nudged.notify_one();
    }

    /// Starts the runner's task on the current actix system.
    pub fn spawn(self: Arc<Self>, pool: Pool) -> RunnerHandle {
        let stop = Arc::new(Notify::new());
        let stopped = Arc::clone(&stop);
        let task = actix_web::rt::spawn(async move {
            let mut tick = actix_web::rt::time::interval(TICK);
            loop {
                tokio::select! {
                    _ = stopped.notified() => break,
                    _ = tick.tick() => {}
                    _ = self.nudged.notified() => {}
                }
                let (runner, pool) = (Arc::clone(&self), pool.clone());
                let round = actix_web::web::block(move || runner.round(&pool)).await;
                if let Err(error) = round {
                    tracing::warn!(error = %error, "a job runner round was cancelled");
                }
            }
            // What followers still hold would be applied again from the log after a restart;
            // flushing it now spares that.
            let runner = Arc::clone(&self);
            if actix_web::web::block(move || runner.flush(Duration::ZERO))
                .await
                .is_err()
            {
                tracing::warn!("the followers' last flush was cancelled");
            }
            tracing::info!("the job runner stopped");
        });
        RunnerHandle {
            stop,
            task,
            stop_loops: tokio::sync::watch::channel(false).0,
            loops: Vec::new(),
        }
    }

    /// One round: catch the followers up, run what is due. Failures are logged and retried
    /// next round; they never stop the runner.
    fn round(&self, pool: &Pool) {
        let mut conn = match pool.get() {
            Ok(conn) => conn,
            Err(error) => {
                tracing::warn!(error = %error, "the job runner has no database connection; retrying");
                return;
            }
        };
        if let Err(error) = self.catch_up_unless_busy(&mut conn) {
            tracing::warn!(error = %error, "a follower could not catch up; retrying");
        }
        self.flush(FLUSH_AFTER);
        for job in &self.jobs {
            if let Err(error) = self.run_if_due(&mut conn, job.as_ref()) {
                tracing::warn!(error = %error, job = job.name(), "could not run a job; retrying");
            }
        }
    }

    /// Flushes every follower of what it applied at least `age` ago.
    fn flush(&self, age: Duration) {
        for (follower, _) in &self.followers {
            if let Err(error) = follower.flush(age) {
                tracing::warn!(error = %error, follower = follower.name(), "a follower could not flush; retrying");
            }
        }
    }

    /// Runs `job` if it is due and this process wins the claim, and records the run.
    fn run_if_due(&self, conn: &mut DbConnection, job: &dyn Job) -> Result<(), AppError> {
        let started_at = now();
        jobs::ensure(conn, job.name(), started_at)?;
        let lease_until = started_at + chrono::Duration::from_std(LEASE).unwrap_or_default();
        if !jobs::claim(conn, job.name(), &self.instance, started_at, lease_until)? {
            return Ok(());
        }
        let outcome = job.run(conn);
        let finished_at = now();
        let (succeeded, detail) = match &outcome {
            Ok(detail) => (true, detail.clone()),
            Err(error) => (false, error.to_string()),
        };
        if !succeeded {
            tracing::warn!(job = job.name(), error = %detail, "a job failed; it runs again when due");
        }
        jobs::record_run(
            conn,
            &JobRun {
                id: Uuid::now_v7().to_string(),
                job: job.name().to_owned(),
                instance: self.instance.clone(),
                started_at,
                finished_at,
                succeeded,
                detail,
            },
        )?;
        let every = chrono::Duration::from_std(job.every()).unwrap_or_default();
        jobs::release(conn, job.name(), &self.instance, finished_at + every)?;
        Ok(())
    }
}
