//! What every handler shares.

use std::sync::Arc;
use std::time::Duration;

use actix_web::web;
use hdab_domain::codes;
use hdab_domain::values::HttpUrl;
use hdab_persistence::{DbConnection, Pool, StoreError};

use crate::application::AppError;
use crate::application::checkpoints::Checkpoints;
use crate::application::permit_keys::PermitKeys;
use crate::application::secrets::{KeyEncryptionKey, OptOutHasher};
use crate::background::{LogWatch, Runner};
use crate::edge::error::ApiError;
use crate::projections::permit_grants::PermitGrants;
use crate::projections::published::PublishedCount;
use crate::projections::rdf::CatalogueIdentity;
use crate::projections::search::Indexer;
use crate::shell::config::Settings;

pub struct AppState {
    pub pool: Pool,
    pub settings: Arc<Settings>,
    /// Who runs this catalogue, for its RDF descriptions.
    pub identity: CatalogueIdentity,
    pub search: Arc<Indexer>,
    /// Signs and reads the event log's checkpoints.
    pub checkpoints: Arc<Checkpoints>,
    /// The job runner, whose followers every write catches up.
    pub runner: Arc<Runner>,
    /// The keys that sign visas.
    pub permit_keys: Arc<PermitKeys>,
    /// Every permit's grant, in memory, for visa verification.
    pub permit_grants: Arc<PermitGrants>,
    /// Hashes the opt-out registry's pseudonyms.
    pub opt_out_hasher: Arc<OptOutHasher>,
    /// The log's head, which long-polling readers of the change feed wait on.
    pub log_watch: Arc<LogWatch>,
    /// Seals the secrets hdab keeps for calling others: harvest sources' credentials and
    /// webhook signing secrets.
    pub kek: Arc<KeyEncryptionKey>,
    /// The catalogue's size, for `hydra:totalItems`.
    pub published_count: Arc<PublishedCount>,
}

impl AppState {
    /// Runs blocking database work on the blocking thread pool, inside the request's span,
    /// answering 503 if it takes longer than the configured database deadline. The connection
    /// never crosses an `.await`.
    pub async fn db<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
    {
        self.db_within(self.settings.database_deadline(), work)
            .await
    }

    /// [`AppState::db`] with its own deadline. Past the deadline the caller gets 503 at once;
    /// the work itself ends when the database answers or its statement timeout fires, so a
    /// hung database holds at most the pool's connections, never the callers.
    pub async fn db_within<T, F>(&self, deadline: Duration, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
    {
        let pool = self.pool.clone();
        let span = tracing::Span::current();
        let blocking = web::block(move || {
            span.in_scope(|| {
                let mut conn = pool.get().map_err(StoreError::from)?;
                work(&mut conn)
            })
        });
        match actix_web::rt::time::timeout(deadline, blocking).await {
            Ok(joined) => joined.map_err(ApiError::internal)?,
            Err(_) => Err(ApiError::from(StoreError::Unavailable(format!(
                "no answer within {} ms",
                deadline.as_millis()
            )))),
        }
    }
}

impl AppState {
    /// That hdab may call `url` (given as field `url`): the outbound address policy, checked on
    /// the addresses a name resolves to. 422 `address_refused` otherwise.
    pub async fn check_callable(&self, url: &HttpUrl) -> Result<(), ApiError> {
        let parsed = url::Url::parse(url.as_str())
            .map_err(|e| ApiError::invalid_field("url", codes::INVALID_URL, e.to_string()))?;
        self.settings
            .outbound
            .policy
            .check_resolved(&parsed)
            .await
            .map_err(|why| ApiError::invalid_field("url", codes::ADDRESS_REFUSED, why))
    }

    /// Now, by the clock of every rule (tests move it).
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.settings.clock.now()
    }

    /// The search index, or 503 `search_index_rebuilding` while it is rebuilt after start
    /// (a partial index would answer wrong counts as if they were right).
    pub fn searchable(&self) -> Result<&hdab_persistence::search::SearchIndex, ApiError> {
        if self.search.is_ready() {
            Ok(&self.search.index)
        } else {
            Err(ApiError::unavailable(
                "the search index is being rebuilt; searches are served once it is ready",
                format!("{} datasets indexed so far", self.search.index.len()),
            )
            .with_code(codes::SEARCH_INDEX_REBUILDING))
        }
    }

    /// Runs a use case (every write goes through here), then catches every event-log follower
    /// up before answering, so the caller finds what it just wrote (in search, too), and nudges
    /// the job runner. No handler chooses which followers a write concerns. The write stands
    /// even if a follower fails: the runner retries.
    pub async fn write<T, F>(&self, use_case: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, AppError> + Send + 'static,
    {
        let runner = Arc::clone(&self.runner);
        let written = self
            .db(move |conn| Ok(runner.write(conn, use_case)?))
            .await?;
        self.runner.nudge();
        Ok(written)
    }
}
