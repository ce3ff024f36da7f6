//! Starting hdab: database, migrations, auth, the search index, the job runner, then the
//! HTTP server.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::{HttpServer, web};

use crate::application::checkpoints::Checkpoints;
use crate::application::permit_keys::PermitKeys;
use crate::application::secrets::{KeyEncryptionKey, OptOutHasher};
use crate::background::harvest::Harvester;
use crate::background::webhooks::WebhookSender;
use crate::background::{
    CheckpointJob, DeadlineJob, Follower, IdempotencyExpiryJob, Job, LogWatch, PermitExpiryJob,
    Runner, RunnerHandle,
};
use crate::edge::app::{self, RouteTable, Shared};
use crate::edge::auth::TokenVerifier;
use crate::edge::state::AppState;
use crate::outbound::{Outbound, OutboundSettings};
use crate::projections::permit_grants::PermitGrants;
use crate::projections::search::Indexer;
use crate::shell::config::{AuthMode, Settings};
use crate::shell::telemetry::Metrics;
use hdab_persistence::search::{Freshness, SearchIndex};

/// A bound, not yet awaited server, and the job runner beside it.
pub struct Started {
    pub server: Server,
    /// Stop it after the server has stopped ([`RunnerHandle::stop`]).
    pub runner: RunnerHandle,
    /// The address actually bound (useful with port 0).
    pub addr: SocketAddr,
    /// Where `/metrics` is served, when on an address of its own.
    pub metrics_addr: Option<SocketAddr>,
}

/// Opens the database, runs pending migrations and binds the server.
pub fn start(settings: Settings) -> anyhow::Result<Started> {
    crate::shell::tls::install_crypto_provider();
    let pool = open_database(&settings)?;
    let verifier =
        TokenVerifier::from_settings(&settings.auth, &settings.data_dir, &settings.outbound)
            .map_err(anyhow::Error::msg)?;
    if settings.auth.mode == AuthMode::Development {
        tracing::warn!(
            data_dir = %settings.data_dir.display(),
            "development auth is on: hdab signs its own tokens (hdab token); set HDAB_AUTH_ISSUER for production"
        );
    }
    if settings.auth.mode == AuthMode::Development && settings.demo_on_first_start {
        load_demo_on_first_start(&pool)?;
    }
    let search = Arc::new(open_search(&settings, &pool)?);
    let checkpoints = Arc::new(
        Checkpoints::open(
            &settings.audit_key_file,
            &settings.data_dir,
            &settings.public_url,
        )
        .map_err(anyhow::Error::msg)?,
    );
    let permits = open_permits(&settings, &pool)?;
    let head = hdab_persistence::events::head_seq(&mut *pool.get()?)?;
    let log_watch = Arc::new(LogWatch::new(head));
    let followers: Vec<Arc<dyn Follower>> = vec![
        Arc::clone(&search) as Arc<dyn Follower>,
        Arc::clone(&permits.grants) as Arc<dyn Follower>,
        Arc::clone(&log_watch) as Arc<dyn Follower>,
    ];
    let runner = Arc::new(runner(&settings, followers, &checkpoints));
    let harvester = Arc::new(harvester(&settings, &pool, Some(Arc::clone(&runner)))?);
    let kek = Arc::clone(&harvester.kek);
    let webhooks = Arc::new(webhook_sender(&settings, &pool, Arc::clone(&kek))?);
    let runner_handle = Arc::clone(&runner)
        .spawn(pool.clone())
        .with_harvests(harvester)
        .with_webhooks(webhooks)
        .with_wal_checkpoints(pool.clone());
    let document = app::openapi_document();
    let settings = Arc::new(settings);
    let shared = Shared {
        state: web::Data::new(AppState {
            pool: pool.clone(),
            identity: settings.catalogue_identity(),
            settings: Arc::clone(&settings),
            search: Arc::clone(&search),
            checkpoints,
            runner: Arc::clone(&runner),
            permit_keys: permits.keys,
            permit_grants: permits.grants,
            opt_out_hasher: permits.hasher,
            log_watch,
            kek,
            published_count: Arc::default(),
        }),
        verifier: web::Data::new(verifier),
        metrics: web::Data::new(Metrics::new()?),
        routes: web::Data::new(RouteTable::from_document(&document)),
        document,
    };
    let metrics_addr = match settings.metrics_bind {
        Some(bind) => Some(spawn_metrics_listener(bind, &shared)?),
        None => None,
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
    if !search.is_ready() {
        let runner = Arc::clone(&runner);
        Arc::clone(&search).rebuild_in_background(pool.clone(), move || runner.nudge())?;
    }
    Ok(Started {
        server: server.run(),
        runner: runner_handle,
        addr,
        metrics_addr,
    })
}

/// Serves `/metrics` alone on `bind`, on one worker of its own; it stops with the process.
fn spawn_metrics_listener(bind: SocketAddr, shared: &Shared) -> anyhow::Result<SocketAddr> {
    let (state, metrics) = (shared.state.clone(), shared.metrics.clone());
    let listener = web::Data::new(crate::edge::routes::system::MetricsListener);
    let server = HttpServer::new(move || {
        actix_web::App::new()
            .app_data(state.clone())
            .app_data(metrics.clone())
            .app_data(listener.clone())
            .service(crate::edge::routes::system::metrics)
    })
    .workers(1)
    .bind(bind)
    .map_err(|e| anyhow::anyhow!("cannot listen for metrics on {bind}: {e}"))?;
    let addr = server.addrs().first().copied().unwrap_or(bind);
    actix_web::rt::spawn(server.run());
    tracing::info!(address = %addr, "metrics are served on their own address");
    Ok(addr)
}

/// Opens the pool and brings the schema up to date.
pub fn open_database(settings: &Settings) -> anyhow::Result<hdab_persistence::Pool> {
    let pool = hdab_persistence::db::connect(
        &settings.database,
        settings.database_pool_size,
        settings.database_timeouts,
    )
    .map_err(anyhow::Error::msg)?;
    let mut conn = pool.get()?;
    let applied = hdab_persistence::db::run_migrations(&mut conn).map_err(anyhow::Error::msg)?;
    if !applied.is_empty() {
        tracing::info!(migrations = ?applied, "applied database migrations");
    }
    let rekeyed = hdab_persistence::names::refresh_keys(&mut conn)?;
    if rekeyed > 0 {
        tracing::info!(
            names = rekeyed,
            "recomputed the comparison keys of unique names"
        );
    }
    let upgraded = crate::shell::upgrade::dataset_documents(&mut conn)?;
    if upgraded > 0 {
        tracing::info!(
            datasets = upgraded,
            "rewrote dataset documents of an earlier release in today's shape"
        );
    }
    Ok(pool)
}

/// Loads the demo catalogue when the database has never recorded anything: a first start in
/// development mode should have something to search.
fn load_demo_on_first_start(pool: &hdab_persistence::Pool) -> anyhow::Result<()> {
    let mut conn = pool.get()?;
    if hdab_persistence::events::head_seq(&mut conn)? > 0 {
        return Ok(());
    }
    drop(conn);
    let report = crate::shell::seed::demo(pool, hdab_persistence::now())
        .map_err(|e| anyhow::anyhow!("loading the demo catalogue failed: {e}"))?;
    tracing::info!(
        publishers = report.publishers,
        committees = report.committees,
        datasets = report.datasets,
        "first start in development mode: loaded the demo catalogue; set HDAB_DEMO_ON_FIRST_START=false to start empty"
    );
    Ok(())
}

/// What permits need at start: the visa-signing keys (the first permit creates the first),
/// every permit's grant in memory, and the opt-out hashing key, which must be the one the
/// stored hashes were made with.
struct PermitRuntime {
    keys: Arc<PermitKeys>,
    grants: Arc<PermitGrants>,
    hasher: Arc<OptOutHasher>,
}

fn open_permits(
    settings: &Settings,
    pool: &hdab_persistence::Pool,
) -> anyhow::Result<PermitRuntime> {
    let kek = KeyEncryptionKey::load_or_create(&settings.permit_key_encryption_key_file)
        .map_err(anyhow::Error::msg)?;
    let keys = Arc::new(PermitKeys::new(kek, settings.permits.visa_lifetime));
    let mut conn = pool.get()?;
    keys.reload(&mut conn).map_err(|e| anyhow::anyhow!("{e}"))?;
    let grants = Arc::new(
        PermitGrants::load(&mut conn, Arc::clone(&keys)).map_err(|e| anyhow::anyhow!("{e}"))?,
    );
    let hasher = Arc::new(
        OptOutHasher::load_or_create(&settings.optout_hash_key_file).map_err(anyhow::Error::msg)?,
    );
    let recorded = hdab_persistence::opt_outs::recorded_hash_key(&mut conn)?;
    if recorded.is_some_and(|fingerprint| fingerprint != hasher.fingerprint()) {
        anyhow::bail!(
            "the opt-out hashing key {} is not the one this database's opt-out hashes were made \
             with: every process on one database needs the same key (HDAB_OPTOUT_HASH_KEY_FILE)",
            settings.optout_hash_key_file.display()
        );
    }
    Ok(PermitRuntime {
        keys,
        grants,
        hasher,
    })
}

/// The harvester of this process: harvest sources are read through an outbound client with
/// the configured timeouts, retries and address policy, and their credentials opened with the
/// key-encryption key.
pub fn harvester(
    settings: &Settings,
    pool: &hdab_persistence::Pool,
    runner: Option<Arc<Runner>>,
) -> anyhow::Result<Harvester> {
    Ok(Harvester {
        pool: pool.clone(),
        outbound: Outbound::new(settings.outbound.clone()).map_err(anyhow::Error::msg)?,
        kek: Arc::new(
            KeyEncryptionKey::load_or_create(&settings.permit_key_encryption_key_file)
                .map_err(anyhow::Error::msg)?,
        ),
        clock: settings.clock.clone(),
        runner,
        max_bytes: settings.harvest_max_bytes,
        instance: crate::background::instance_name(),
    })
}

/// The webhook sender of this process: the outbound client's address policy, no redirects,
/// the webhook timeout.
fn webhook_sender(
    settings: &Settings,
    pool: &hdab_persistence::Pool,
    kek: Arc<KeyEncryptionKey>,
) -> anyhow::Result<WebhookSender> {
    let outbound = Outbound::without_redirects(OutboundSettings {
        timeout: settings.webhooks.timeout,
        ..settings.outbound.clone()
    })
    .map_err(anyhow::Error::msg)?;
    Ok(WebhookSender::new(
        pool.clone(),
        outbound,
        kek,
        settings.clock.clone(),
        settings.webhooks,
    ))
}

/// The job runner of this process: `followers` (the search index, the permit grants, the
/// log watch) follow the event log; application deadlines and permit ends are watched; old
/// idempotency keys are forgotten; checkpoints of the log are signed on schedule (when
/// configured).
fn runner(
    settings: &Settings,
    followers: Vec<Arc<dyn Follower>>,
    signer: &Arc<Checkpoints>,
) -> Runner {
    let mut jobs: Vec<Arc<dyn Job>> = vec![
        Arc::new(DeadlineJob {
            settings: settings.applications,
            clock: settings.clock.clone(),
        }),
        Arc::new(IdempotencyExpiryJob {
            clock: settings.clock.clone(),
        }),
        Arc::new(PermitExpiryJob {
            every: settings.permits.expiry_check_interval,
            clock: settings.clock.clone(),
        }),
    ];
    if let Some(every) = settings.audit_checkpoint_interval {
        jobs.push(Arc::new(CheckpointJob {
            signer: Arc::clone(signer),
            every,
        }));
    }
    Runner::new(followers, jobs)
}

/// Opens the search index: caught up from the event log when it is current, otherwise (missing,
/// outdated, or ahead of the database, which was then replaced) returned awaiting the rebuild
/// that [`start`] runs once the server listens.
pub fn open_search(settings: &Settings, pool: &hdab_persistence::Pool) -> anyhow::Result<Indexer> {
    let (index, freshness) = SearchIndex::open(&settings.index_dir)?;
    let mut conn = pool.get()?;
    let head = hdab_persistence::events::head_seq(&mut conn)?;
    match freshness {
        Freshness::UpTo(seq) if seq <= head => {
            let indexer = Indexer::new(index);
            crate::background::catch_up(&indexer, &mut conn).map_err(|e| anyhow::anyhow!("{e}"))?;
            indexer.index.commit_older_than(Duration::ZERO)?;
            tracing::info!(
                datasets = indexer.index.len(),
                from_event = seq,
                to_event = head,
                "search index caught up"
            );
            Ok(indexer)
        }
        _ => {
            tracing::info!(
                "the search index is missing or outdated; it is rebuilt once hdab listens (searches answer 503 until then)"
            );
            Ok(Indexer::awaiting_rebuild(index))
        }
    }
}
