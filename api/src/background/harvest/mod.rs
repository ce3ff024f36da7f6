//! Harvest runs: reading a source through the outbound HTTP module and applying what it
//! describes. A `dcat` source is read page by page (Hydra `next`), with a conditional GET of
//! its first page; each page's records are applied in one transaction, and only a run that
//! read every page withdraws the datasets it did not see. An `hdab` source is followed through
//! its change feed from where the last run stopped; each changed dataset is read as JSON.
//!
//! Runs are claimed through the job schedule (`harvest:<source id>`), so two processes never
//! run one source at once, and every run is logged (`/api/v1/harvest-sources/{id}/runs`).
//! Upstream garbage becomes errors in the run log, never a crash or a partial record.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use chrono::{DateTime, Utc};
use hdab_domain::catalogue::DatasetDetails;
use hdab_domain::harvest::{HarvestKind, HarvestRun, HarvestSource, RecordError, RunOutcome};
use hdab_domain::ids::HarvestSourceId;
use hdab_domain::{DomainError, FieldError};
use hdab_openapi::catalogue::DataUseWire;
use hdab_persistence::harvest as store;
use hdab_persistence::{DbConnection, Pool, jobs};
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderMap, HeaderValue};
use uuid::Uuid;

mod dcat;
mod hdab;

use super::Runner;
use crate::application::harvest::apply::{self, Harvested, Progress};
use crate::application::harvest::{self, Credentials};
use crate::application::secrets::KeyEncryptionKey;
use crate::application::{AppError, Clock};
use crate::outbound::{Answer, Outbound, OutboundError};
use crate::projections::rdf::read::RecordDefaults;

/// How long a claimed run holds its source: past this, another process may take it over.
const LEASE: chrono::TimeDelta = chrono::TimeDelta::minutes(30);
/// When a run that could not be made is tried again.
const RETRY_AFTER_FAILURE: chrono::TimeDelta = chrono::TimeDelta::minutes(5);
/// Records applied per transaction.
const APPLY_BATCH: usize = 500;
/// Runs harvests: shared by the scheduler, the API's "run now" and `hdab harvest`.
pub struct Harvester {
    pub pool: Pool,
    pub outbound: Outbound,
    pub kek: Arc<KeyEncryptionKey>,
    pub clock: Clock,
    /// The job runner of a serving process, whose followers (the search index) catch up
    /// after each batch; none from the command line (the server's runner catches up).
    pub runner: Option<Arc<Runner>>,
    /// The largest page or description read.
    pub max_bytes: usize,
    /// This process, as the schedule names the claim's holder.
    pub instance: String,
}

/// Why a run was not made.
#[derive(Debug, thiserror::Error)]
pub enum NotRun {
    #[error("another process is running this source")]
    Busy,
    #[error(transparent)]
    Failed(#[from] AppError),
}

impl Harvester {
    /// Runs every source that is due and that this process claims, one after another.
    pub async fn run_due(&self) {
        let now = self.clock.now();
        let due = self.db(move |conn| harvest::due(conn, now)).await;
        let sources = match due {
            Ok(sources) => sources,
            Err(error) => {
                tracing::warn!(error = %error, "cannot list due harvest sources; retrying");
                return;
            }
        };
        for source in sources {
            match self.run_claimed(source, false).await {
                Ok(run) => tracing::info!(
                    source = %source, outcome = %run.outcome, created = run.created,
                    updated = run.updated, unchanged = run.unchanged, withdrawn = run.withdrawn,
                    failed = run.failed, "harvested a source"
                ),
                Err(NotRun::Busy) => {}
                Err(NotRun::Failed(error)) => {
                    tracing::warn!(source = %source, error = %error, "a harvest run failed; it runs again when due");
                }
            }
        }
    }

    /// Runs `id` if this process claims it: when due, or at once when `now` is asked (the
    /// command line). The run is logged and the next one scheduled.
    pub async fn run_claimed(&self, id: HarvestSourceId, now: bool) -> Result<HarvestRun, NotRun> {
        let (instance, started_at) = (self.instance.clone(), self.clock.now());
        let claimed = self
            .db(move |conn| {
                let name = harvest::job_name(id);
                if now {
                    harvest::request_run(conn, id, started_at)?;
                }
                jobs::ensure(conn, &name, harvest::never(started_at))?;
                Ok(jobs::claim(
                    conn,
                    &name,
                    &instance,
                    started_at,
                    started_at + LEASE,
                )?)
            })
            .await?;
        if !claimed {
            return Err(NotRun::Busy);
        }
        let run = self.run(id, started_at).await;
        let (instance, finished_at) = (self.instance.clone(), self.clock.now());
        self.db(move |conn| {
            let next = match &run {
                Ok((_, Some(minutes))) => {
                    finished_at + chrono::TimeDelta::minutes(i64::from(*minutes))
                }
                Ok((_, None)) => harvest::never(finished_at),
                // Whatever stopped it (the database, most likely) may pass.
                Err(_) => finished_at + RETRY_AFTER_FAILURE,
            };
            jobs::release(conn, &harvest::job_name(id), &instance, next)?;
            let run = run?.0;
            store::record_run(conn, &run)?;
            Ok(run)
        })
        .await
        .map_err(NotRun::Failed)
    }

    /// One run of source `id`, and the minutes until its next scheduled one.
    async fn run(
        &self,
        id: HarvestSourceId,
        started_at: DateTime<Utc>,
    ) -> Result<(HarvestRun, Option<u32>), AppError> {
        let found = self
            .db(move |conn| Ok(store::find_for_run(conn, id)?))
            .await?;
        let (source, sealed, state) = found.ok_or(AppError::NotFound("the harvest source"))?;
        let credentials = sealed
            .map(|sealed| harvest::open(&self.kek, id, &sealed))
            .transpose()?;
        let mut run = HarvestRun {
            id: Uuid::now_v7().to_string(),
            source_id: id,
            started_at,
            finished_at: started_at,
            outcome: RunOutcome::Completed,
            fetched: 0,
            created: 0,
            updated: 0,
            unchanged: 0,
            withdrawn: 0,
            failed: 0,
            errors: Vec::new(),
        };
        let context = RunContext {
            harvester: self,
            source: &source,
            headers: request_headers(credentials.as_ref()),
        };
        let state = match source.details.kind {
            HarvestKind::Dcat => context.dcat(&mut run, state).await?,
            HarvestKind::Hdab => context.hdab(&mut run, state).await?,
        };
        if let Some(state) = state {
            self.db(move |conn| Ok(store::save_state(conn, id, &state)?))
                .await?;
        }
        run.finished_at = self.clock.now();
        Ok((run, source.details.every_minutes))
    }

    async fn db<T, F>(&self, work: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, AppError> + Send + 'static,
    {
        let runner = self.runner.clone();
        super::on_pool(&self.pool, move |conn| match runner {
            Some(runner) => runner.write(conn, work),
            None => work(conn),
        })
        .await
    }
}

/// One run's source and how it is called.
struct RunContext<'a> {
    harvester: &'a Harvester,
    source: &'a HarvestSource,
    headers: HeaderMap,
}

/// The `Authorization` header of `credentials`.
fn request_headers(credentials: Option<&Credentials>) -> HeaderMap {
    let mut headers = HeaderMap::new();
    let value = match credentials {
        Some(Credentials::Bearer { token }) => format!("Bearer {token}"),
        Some(Credentials::Basic { username, password }) => format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"))
        ),
        None => return headers,
    };
    if let Ok(mut value) = HeaderValue::from_str(&value) {
        value.set_sensitive(true);
        headers.insert(AUTHORIZATION, value);
    }
    headers
}

fn page_error(url: &str, message: impl Into<String>) -> RecordError {
    RecordError {
        record: url.to_owned(),
        field: None,
        message: message.into(),
    }
}

fn describe(error: &OutboundError) -> String {
    match error {
        OutboundError::Status(status) => format!("the source answered {status}"),
        other => other.to_string(),
    }
}

impl RunContext<'_> {
    fn defaults(&self) -> RecordDefaults {
        let d = &self.source.details;
        RecordDefaults {
            publisher_id: d.publisher_id.as_uuid(),
            committee_id: d.committee_id.as_uuid(),
            data_use: d.data_use.as_ref().map(DataUseWire::from),
        }
    }

    async fn fetch(&self, url: &url::Url, extra: HeaderMap) -> Result<Answer, OutboundError> {
        let mut headers = self.headers.clone();
        headers.extend(extra);
        self.harvester
            .outbound
            .get_with(url, &headers, self.harvester.max_bytes)
            .await
    }

    async fn apply(
        &self,
        records: Vec<Harvested>,
        run: &mut HarvestRun,
        progress: &mut Progress,
    ) -> Result<(), AppError> {
        for batch in chunks(records, APPLY_BATCH) {
            let (source, now) = (self.source.clone(), self.harvester.clock.now());
            let (mut counted, mut moved) = (run.clone(), progress.clone());
            let (counted, moved) = self
                .harvester
                .db(move |conn| {
                    apply::apply(conn, &source, now, batch, &mut counted, &mut moved)?;
                    Ok((counted, moved))
                })
                .await?;
            *run = counted;
            *progress = moved;
        }
        Ok(())
    }
}

/// A description read from upstream, validated by the rules of every description.
fn validated(
    input: &hdab_openapi::catalogue::DatasetInput,
) -> Result<Box<DatasetDetails>, Vec<FieldError>> {
    match DatasetDetails::try_from(input) {
        Ok(details) => Ok(Box::new(details)),
        Err(DomainError::Invalid(fields)) => Err(fields),
        Err(other) => Err(vec![FieldError {
            field: "body".to_owned(),
            code: other.code(),
            message: other.to_string(),
        }]),
    }
}

fn with_accept(mut headers: HeaderMap, accept: &'static str) -> HeaderMap {
    headers.insert(ACCEPT, HeaderValue::from_static(accept));
    headers
}

fn header_text(headers: &HeaderMap, name: reqwest::header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn chunks<T>(items: Vec<T>, size: usize) -> Vec<Vec<T>> {
    let mut chunks = Vec::new();
    let mut items = items.into_iter().peekable();
    while items.peek().is_some() {
        chunks.push(items.by_ref().take(size).collect());
    }
    chunks
}

/// How often the scheduler looks for due sources.
pub const SCHEDULER_TICK: Duration = Duration::from_secs(1);
