//! What every handler shares.

use std::sync::Arc;

use actix_web::web;
use chrono::{DateTime, SubsecRound, Utc};
use hdab_persistence::{DbConnection, Pool, StoreError};

use crate::config::Settings;
use crate::error::ApiError;
use crate::rdf::CatalogueIdentity;
use crate::search::Indexer;

pub struct AppState {
    pub pool: Pool,
    pub settings: Arc<Settings>,
    /// Who runs this catalogue, for its RDF descriptions.
    pub identity: CatalogueIdentity,
    pub search: Arc<Indexer>,
}

impl AppState {
    /// Runs blocking database work on the blocking thread pool, inside the request's span.
    /// The connection never crosses an `.await`.
    pub async fn db<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
    {
        let pool = self.pool.clone();
        let span = tracing::Span::current();
        web::block(move || {
            span.in_scope(|| {
                let mut conn = pool.get().map_err(StoreError::from)?;
                work(&mut conn)
            })
        })
        .await
        .map_err(ApiError::internal)?
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
