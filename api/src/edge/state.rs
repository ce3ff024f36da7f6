//! What every handler shares.

use std::sync::Arc;
use std::time::Duration;

use actix_web::web;
use chrono::{DateTime, SubsecRound, Utc};
use hdab_persistence::{DbConnection, Pool, StoreError};

use crate::edge::error::ApiError;
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
    pub checkpoints: Arc<crate::application::checkpoints::Checkpoints>,
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
    /// Runs a write, then brings the search index up to date before answering, so the caller
    /// finds what it just wrote. The write stands even if indexing fails: the background
    /// catch-up retries.
    pub async fn write_then_index<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
    {
        let search = Arc::clone(&self.search);
        self.db(move |conn| {
            let written = work(conn)?;
            if let Err(error) = search.catch_up(conn) {
                tracing::error!(error = %error, "the search index could not catch up after a write; retrying in the background");
            }
            Ok(written)
        })
        .await
    }
}

/// The current time at the precision both databases store (microseconds), so a value read
/// back equals the value written.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}
