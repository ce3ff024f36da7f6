//! Scheduled jobs and their run log. A job is claimed for one run by one process: on
//! PostgreSQL the claim locks the job's row `FOR UPDATE SKIP LOCKED` (a process that finds it
//! locked moves on at once), on SQLite the write transaction is the single writer. The claim
//! is a lease: a process that dies mid-run holds the job only until `lease_until`.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::page::{self, Page};
use crate::schema::{job_runs, jobs};
use crate::{DbConnection, StoreError};

/// A job's schedule as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobState {
    pub name: String,
    pub next_run_at: DateTime<Utc>,
    /// The process running it now, if one is.
    pub running_on: Option<String>,
}

/// One run of a job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRun {
    pub id: String,
    pub job: String,
    pub instance: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub succeeded: bool,
    pub detail: String,
}

/// Makes `name` known, first due at `first_run_at`; a known job keeps its schedule.
pub fn ensure(
    conn: &mut DbConnection,
    name: &str,
    first_run_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let known = jobs::table.find(name).count().get_result::<i64>(conn)? > 0;
    if known {
        return Ok(());
    }
    let inserted = diesel::insert_into(jobs::table)
        .values((
            jobs::name.eq(name),
            jobs::next_run_at.eq(first_run_at.naive_utc()),
        ))
        .execute(conn);
    match inserted {
        // Another process made it known meanwhile: as good.
        Ok(_)
        | Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Ok(()),
        Err(other) => Err(other.into()),
    }
}

/// Claims `name` for one run by `owner` until `lease_until`, if it is due and nobody holds it.
pub fn claim(
    conn: &mut DbConnection,
    name: &str,
    owner: &str,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let now = now.naive_utc();
    let due = jobs::next_run_at.le(now);
    let free = jobs::lease_until.is_null().or(jobs::lease_until.lt(now));
    conn.transaction(|tx| {
        let claimable = jobs::table
            .find(name)
            .filter(due)
            .filter(free)
            .select(jobs::name);
        let found = match tx {
            DbConnection::Postgresql(pg) => claimable
                .for_update()
                .skip_locked()
                .first::<String>(pg)
                .optional()?,
            DbConnection::Sqlite(_) => claimable.first::<String>(tx).optional()?,
        };
        if found.is_none() {
            return Ok(false);
        }
        // The same conditions again: on SQLite the read above locks nothing.
        let updated = diesel::update(jobs::table.find(name).filter(due).filter(free))
            .set((
                jobs::lease_owner.eq(owner),
                jobs::lease_until.eq(lease_until.naive_utc()),
            ))
            .execute(tx)?;
        Ok(updated == 1)
    })
}

/// Ends `owner`'s claim on `name` and schedules its next run.
pub fn release(
    conn: &mut DbConnection,
    name: &str,
    owner: &str,
    next_run_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    diesel::update(jobs::table.find(name).filter(jobs::lease_owner.eq(owner)))
        .set((
            jobs::next_run_at.eq(next_run_at.naive_utc()),
            jobs::lease_owner.eq(None::<String>),
            jobs::lease_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(())
}

/// The jobs named `prefix…` that are due at `now` and held by no process: what a scheduler of
/// many jobs of one kind (harvest sources) claims, without trying each.
pub fn due_with_prefix(
    conn: &mut DbConnection,
    prefix: &str,
    now: DateTime<Utc>,
) -> Result<Vec<String>, StoreError> {
    let now = now.naive_utc();
    Ok(jobs::table
        .filter(jobs::name.like(format!("{prefix}%")))
        .filter(jobs::next_run_at.le(now))
        .filter(jobs::lease_until.is_null().or(jobs::lease_until.lt(now)))
        .select(jobs::name)
        .order(jobs::next_run_at.asc())
        .load(conn)?)
}

/// Moves `name`'s next run to `next_run_at`, whoever holds it now (a run in hand finishes and
/// then schedules its successor from its own end).
pub fn reschedule(
    conn: &mut DbConnection,
    name: &str,
    next_run_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    diesel::update(jobs::table.find(name))
        .set(jobs::next_run_at.eq(next_run_at.naive_utc()))
        .execute(conn)?;
    Ok(())
}

/// Removes `name` from the schedule (its run log stays).
pub fn forget(conn: &mut DbConnection, name: &str) -> Result<(), StoreError> {
    diesel::delete(jobs::table.find(name)).execute(conn)?;
    Ok(())
}

pub fn record_run(conn: &mut DbConnection, run: &JobRun) -> Result<(), StoreError> {
    diesel::insert_into(job_runs::table)
        .values((
            job_runs::id.eq(&run.id),
            job_runs::job.eq(&run.job),
            job_runs::instance.eq(&run.instance),
            job_runs::started_at.eq(run.started_at.naive_utc()),
            job_runs::finished_at.eq(run.finished_at.naive_utc()),
            job_runs::outcome.eq(if run.succeeded { "succeeded" } else { "failed" }),
            job_runs::detail.eq(&run.detail),
        ))
        .execute(conn)?;
    Ok(())
}

/// Every known job's schedule.
pub fn list(conn: &mut DbConnection) -> Result<Vec<JobState>, StoreError> {
    let rows: Vec<(String, NaiveDateTime, Option<String>, Option<NaiveDateTime>)> =
        jobs::table.order(jobs::name.asc()).load(conn)?;
    let now = Utc::now().naive_utc();
    Ok(rows
        .into_iter()
        .map(|(name, next_run_at, owner, until)| JobState {
            name,
            next_run_at: next_run_at.and_utc(),
            running_on: owner.filter(|_| until.is_some_and(|u| u >= now)),
        })
        .collect())
}

/// Runs newest first, optionally of one job, starting below `before` (a run id).
pub fn runs(
    conn: &mut DbConnection,
    job: Option<&str>,
    before: Option<&str>,
    limit: usize,
) -> Result<Page<JobRun>, StoreError> {
    let mut query = job_runs::table
        .order(job_runs::id.desc())
        .limit(page::overfetch(limit))
        .into_boxed();
    if let Some(job) = job {
        query = query.filter(job_runs::job.eq(job.to_owned()));
    }
    if let Some(before) = before {
        query = query.filter(job_runs::id.lt(before.to_owned()));
    }
    let rows: Vec<(
        String,
        String,
        String,
        NaiveDateTime,
        NaiveDateTime,
        String,
        String,
    )> = query.load(conn)?;
    let runs = rows
        .into_iter()
        .map(
            |(id, job, instance, started_at, finished_at, outcome, detail)| JobRun {
                id,
                job,
                instance,
                started_at: started_at.and_utc(),
                finished_at: finished_at.and_utc(),
                succeeded: outcome == "succeeded",
                detail,
            },
        )
        .collect();
    Ok(page::from_overfetch(runs, limit, |r| r.id.clone()))
}
