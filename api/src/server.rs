//! Starting hdab: database, migrations, auth, then the HTTP server.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::{HttpServer, web};

use crate::app::{self, RouteTable, Shared};
use crate::auth::TokenVerifier;
use crate::config::{AuthMode, Settings};
use crate::rdf::CatalogueIdentity;
use crate::search::Indexer;
use crate::state::AppState;
use crate::telemetry::Metrics;
use hdab_persistence::search::{Freshness, SearchIndex};

/// A bound, not yet awaited server.
pub struct Started {
    pub server: Server,
    /// The address actually bound (useful with port 0).
    pub addr: SocketAddr,
}

/// Opens the database, runs pending migrations and binds the server.
pub fn start(settings: Settings) -> anyhow::Result<Started> {
    crate::tls::install_crypto_provider();
    let pool = open_database(&settings)?;
    let verifier = TokenVerifier::from_settings(&settings.auth, &settings.data_dir)
        .map_err(anyhow::Error::msg)?;
    if settings.auth.mode == AuthMode::Development {
        tracing::warn!(
            data_dir = %settings.data_dir.display(),
            "development auth is on: hdab signs its own tokens (hdab token); set HDAB_AUTH_ISSUER for production"
        );
    }
    let search = Arc::new(open_search(&settings, &pool)?);
    spawn_index_follower(Arc::downgrade(&search), pool.clone());
    let document = app::openapi_document();
    let settings = Arc::new(settings);
    let shared = Shared {
        state: web::Data::new(AppState {
            pool,
            identity: CatalogueIdentity::from_settings(&settings),
            settings: Arc::clone(&settings),
            search: Arc::clone(&search),
        }),
        verifier: web::Data::new(verifier),
        metrics: web::Data::new(Metrics::new()?),
        routes: web::Data::new(RouteTable::from_document(&document)),
        document,
    };
    let mut server = HttpServer::new(move || app::build(shared.clone()))
        .shutdown_timeout(settings.shutdown_timeout_secs)
        .client_request_timeout(Duration::from_secs(30));
    if let Some(workers) = settings.workers {
        server = server.workers(workers);
    }
    let server = server
        .bind(settings.bind)
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", settings.bind))?;
    let addr = server.addrs().first().copied().unwrap_or(settings.bind);
    tracing::info!(
        address = %addr,
        database = settings.database.backend_name(),
        "hdab is listening; API docs at http://{addr}/docs"
    );
    Ok(Started {
        server: server.run(),
        addr,
    })
}

/// Opens the pool and brings the schema up to date.
pub fn open_database(settings: &Settings) -> anyhow::Result<hdab_persistence::Pool> {
    let pool = hdab_persistence::db::connect(&settings.database, settings.database_pool_size)
        .map_err(anyhow::Error::msg)?;
    let mut conn = pool.get()?;
    let applied = hdab_persistence::db::run_migrations(&mut conn).map_err(anyhow::Error::msg)?;
    if !applied.is_empty() {
        tracing::info!(migrations = ?applied, "applied database migrations");
    }
    Ok(pool)
}

/// Opens the search index and brings it up to date: rebuilt when missing, outdated or ahead of
/// the database (which was then replaced), otherwise caught up from the event log.
pub fn open_search(settings: &Settings, pool: &hdab_persistence::Pool) -> anyhow::Result<Indexer> {
    let (index, freshness) = SearchIndex::open(&settings.index_dir)?;
    let indexer = Indexer::new(index);
    let mut conn = pool.get()?;
    let head = hdab_persistence::events::head_seq(&mut conn)?;
    match freshness {
        Freshness::UpTo(seq) if seq <= head => {
            indexer
                .catch_up(&mut conn)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            tracing::info!(
                datasets = indexer.index.len(),
                from_event = seq,
                to_event = head,
                "search index caught up"
            );
        }
        _ => {
            drop(conn);
            indexer.rebuild(pool).map_err(|e| anyhow::anyhow!("{e}"))?;
        }
    }
    Ok(indexer)
}

/// Catches the index up with the event log every second, so that writes made through other
/// instances (or `hdab seed`) become searchable here too. It holds the index weakly and ends
/// when the server that owns the index is gone.
fn spawn_index_follower(search: std::sync::Weak<Indexer>, pool: hdab_persistence::Pool) {
    actix_web::rt::spawn(async move {
        let mut interval = actix_web::rt::time::interval(Duration::from_secs(1));
        loop {
            interval.tick().await;
            let Some(search) = search.upgrade() else {
                break;
            };
            let pool = pool.clone();
            let result = web::block(move || -> Result<(), String> {
                let mut conn = pool.get().map_err(|e| e.to_string())?;
                search.catch_up(&mut conn).map_err(|e| e.to_string())
            })
            .await;
            match result {
                Ok(Ok(())) => {}
                Ok(Err(error)) => {
                    tracing::warn!(error = %error, "search index catch-up failed; retrying")
                }
                Err(error) => tracing::warn!(error = %error, "search index catch-up was cancelled"),
            }
        }
    });
}
