//! Connections, the pool and migrations for both backends.
//!
//! The pool must survive the database going away: a PostgreSQL restart or failover leaves every
//! pooled connection dead, and a hung server must not hold callers without limit. So every
//! connection watches its own queries (diesel instrumentation) and is dropped by the pool once
//! one of them finds the connection lost; after any such loss, idle connections are pinged once
//! before their next use, so one failure does not become one failed request per pooled
//! connection. PostgreSQL connections carry a statement timeout and TCP keepalives, SQLite a
//! busy timeout, and the pool waits a bounded time for a connection.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use diesel::Connection;
use diesel::connection::{Instrumentation, InstrumentationEvent, SimpleConnection};
use diesel::pg::PgConnection;
use diesel::r2d2::R2D2Connection;
use diesel::sqlite::SqliteConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::error::connection_lost;

/// A connection to either backend. Queries are written once against this type.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

/// A multi-row insert of `rows` into `table`. diesel builds one per backend (its
/// `MultiConnection` has none of its own), so the statement is written once and expanded for
/// each. A derived `Insertable` row needs `treat_none_as_default_value = false`: otherwise
/// any column may be a `DEFAULT`, which SQLite's `VALUES` lacks, and diesel inserts the rows
/// one by one.
macro_rules! insert_rows {
    ($conn:expr, $table:expr, $rows:expr) => {
        match $conn {
            $crate::DbConnection::Sqlite(c) => diesel::insert_into($table).values($rows).execute(c),
            $crate::DbConnection::Postgresql(c) => {
                diesel::insert_into($table).values($rows).execute(c)
            }
        }
    };
}
pub(crate) use insert_rows;

/// Rows a multi-row insert carries: a few thousand bound values, well under either backend's
/// limit (SQLite 32,766, PostgreSQL 65,535).
pub(crate) const ROWS_PER_INSERT: usize = 100;

pub type Pool = r2d2::Pool<ConnectionManager>;
pub type PooledConnection = r2d2::PooledConnection<ConnectionManager>;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/postgres");

/// How long database work may wait, from configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Opening a connection (libpq `connect_timeout`), and waiting for a free one in the pool.
    pub connect: Duration,
    /// The longest one statement may run: PostgreSQL's `statement_timeout`; SQLite waits this
    /// long for another writer's lock.
    pub statement: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(2),
            statement: Duration::from_secs(5),
        }
    }
}

/// Where the data lives: the URL's scheme picks the backend, anything else is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// `sqlite://PATH`: an embedded database file.
    Sqlite(PathBuf),
    /// `postgres://...` or `postgresql://...`, passed to libpq as written.
    Postgres(String),
}

impl DatabaseUrl {
    pub fn parse(url: &str) -> Result<Self, String> {
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(
                    "a sqlite:// URL needs a file path, e.g. sqlite://./data/hdab.sqlite".into(),
                );
            }
            return Ok(Self::Sqlite(PathBuf::from(path)));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            url::Url::parse(url).map_err(|e| format!("is not a valid PostgreSQL URL: {e}"))?;
            return Ok(Self::Postgres(url.to_owned()));
        }
        Err("must start with sqlite:// (embedded) or postgres:// (production)".into())
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }
}

/// The libpq parameters that bound a dead or silent server, added to the URL unless it sets
/// them itself: TCP keepalives notice a peer that vanished, `tcp_user_timeout` a peer that
/// stopped acknowledging, `connect_timeout` a server that accepts but never answers.
fn postgres_url_with_limits(url: &str, timeouts: Timeouts) -> Result<String, String> {
    let mut parsed = url::Url::parse(url).map_err(|e| format!("invalid PostgreSQL URL: {e}"))?;
    let present: Vec<String> = parsed.query_pairs().map(|(k, _)| k.into_owned()).collect();
    // libpq's connect_timeout is in whole seconds, and below 2 it uses 2.
    let connect_secs = timeouts.connect.as_secs().max(2).to_string();
    let user_timeout_ms = (timeouts.statement.as_millis() * 2).to_string();
    let limits = [
        ("connect_timeout", connect_secs.as_str()),
        ("keepalives", "1"),
        ("keepalives_idle", "10"),
        ("keepalives_interval", "5"),
        ("keepalives_count", "3"),
        ("tcp_user_timeout", user_timeout_ms.as_str()),
    ];
    {
        let mut query = parsed.query_pairs_mut();
        for (key, value) in limits {
            if !present.iter().any(|p| p == key) {
                query.append_pair(key, value);
            }
        }
    }
    Ok(parsed.into())
}

/// What every connection of one pool shares: how many times a connection was found lost.
#[derive(Debug, Default)]
struct PoolHealth {
    losses: AtomicU64,
}

/// A pooled connection with what the pool needs to know about it. Dereferences to the
/// [`DbConnection`] that queries take.
pub struct ManagedConnection {
    conn: DbConnection,
    /// Set by the connection's instrumentation when a query found it lost.
    lost: Arc<AtomicBool>,
    /// The pool's loss count when this connection last proved alive.
    proven_at_loss: u64,
}

impl std::ops::Deref for ManagedConnection {
    type Target = DbConnection;
    fn deref(&self) -> &DbConnection {
        &self.conn
    }
}

impl std::ops::DerefMut for ManagedConnection {
    fn deref_mut(&mut self) -> &mut DbConnection {
        &mut self.conn
    }
}

/// Opens connections for the pool. Written by hand rather than derived so that a failed
/// connection reports the real cause (the derived one only says "invalid connection url"), and
/// so that dead connections are recognised and replaced.
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    url: DatabaseUrl,
    timeouts: Timeouts,
    health: Arc<PoolHealth>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("cannot connect: {0}")]
    Connect(#[from] diesel::ConnectionError),
    #[error("cannot prepare the connection: {0}")]
    Setup(#[from] diesel::result::Error),
    #[error("{0}")]
    Url(String),
}

impl ConnectionManager {
    fn open(&self) -> Result<DbConnection, ConnectError> {
        let statement_ms = self.timeouts.statement.as_millis();
        match &self.url {
            DatabaseUrl::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(&path.to_string_lossy())?;
                conn.batch_execute(&format!(
                    "PRAGMA busy_timeout = {statement_ms};
                     PRAGMA synchronous = NORMAL;
                     PRAGMA foreign_keys = ON;"
                ))?;
                crate::wal::configure(&mut conn)?;
                Ok(DbConnection::Sqlite(conn))
            }
            DatabaseUrl::Postgres(url) => {
                let url =
                    postgres_url_with_limits(url, self.timeouts).map_err(ConnectError::Url)?;
                let mut conn = PgConnection::establish(&url)?;
                // A transaction left idle (its client hung) would hold the event log's lock.
                conn.batch_execute(&format!(
                    "SET statement_timeout = {statement_ms};
                     SET idle_in_transaction_session_timeout = {};",
                    statement_ms * 2
                ))?;
                Ok(DbConnection::Postgresql(conn))
            }
        }
    }
}

/// Watches a connection's queries and marks it lost (and the pool's loss count up) when one
/// finds the server gone.
fn loss_watcher(lost: Arc<AtomicBool>, health: Arc<PoolHealth>) -> impl Instrumentation {
    move |event: InstrumentationEvent<'_>| {
        if let InstrumentationEvent::FinishQuery {
            error: Some(error), ..
        } = event
            && connection_lost(error)
            && !lost.swap(true, Ordering::SeqCst)
        {
            health.losses.fetch_add(1, Ordering::SeqCst);
            tracing::warn!(error = %error, "a database connection was lost; it will be replaced");
        }
    }
}

impl r2d2::ManageConnection for ConnectionManager {
    type Connection = ManagedConnection;
    type Error = ConnectError;

    fn connect(&self) -> Result<ManagedConnection, ConnectError> {
        let mut conn = self.open()?;
        let lost = Arc::new(AtomicBool::new(false));
        conn.set_instrumentation(loss_watcher(Arc::clone(&lost), Arc::clone(&self.health)));
        Ok(ManagedConnection {
            conn,
            lost,
            proven_at_loss: self.health.losses.load(Ordering::SeqCst),
        })
    }

    /// Called on every check-out; pings only connections that have not proved alive since a
    /// connection of this pool was last found lost, so a healthy pool pays nothing.
    fn is_valid(&self, conn: &mut ManagedConnection) -> Result<(), ConnectError> {
        let losses = self.health.losses.load(Ordering::SeqCst);
        if conn.proven_at_loss == losses {
            return Ok(());
        }
        conn.conn.batch_execute("SELECT 1")?;
        conn.proven_at_loss = losses;
        Ok(())
    }

    fn has_broken(&self, conn: &mut ManagedConnection) -> bool {
        conn.lost.load(Ordering::SeqCst) || conn.conn.is_broken()
    }
}

/// Forwards r2d2's connection failures to the log (r2d2 itself logs through `log`, which
/// hdab does not collect).
#[derive(Debug)]
struct LogConnectErrors;

impl r2d2::HandleError<ConnectError> for LogConnectErrors {
    fn handle_error(&self, error: ConnectError) {
        tracing::warn!(error = %error, "cannot open a database connection");
    }
}

/// Opens a pool of `size` connections; for SQLite, creates the file (readable by its owner
/// only) and its folder first.
pub fn connect(url: &DatabaseUrl, size: u32, timeouts: Timeouts) -> Result<Pool, String> {
    let manager = ConnectionManager {
        url: url.clone(),
        timeouts,
        health: Arc::default(),
    };
    let cannot_open =
        |e: &dyn std::fmt::Display| format!("cannot open the {} database: {e}", url.backend_name());
    if let DatabaseUrl::Sqlite(path) = url {
        crate::files::create_private_file(path)?;
        // One connection switches a new file to WAL before the pool opens its connections
        // side by side: each of them would otherwise ask for the switch too, and all but one
        // would be refused ("database is locked", a warning on every first start).
        manager.open().map_err(|e| cannot_open(&e))?;
    }
    r2d2::Pool::builder()
        .max_size(size)
        .connection_timeout(timeouts.connect)
        .test_on_check_out(true)
        .error_handler(Box::new(LogConnectErrors))
        .build(manager)
        .map_err(|e| cannot_open(&e))
}

/// Runs every migration not yet applied and returns the names of those it ran. Migrations may
/// rewrite large tables, so the statement timeout is lifted while they run.
pub fn run_migrations(conn: &mut DbConnection) -> Result<Vec<String>, String> {
    without_statement_timeout(conn, |conn| {
        let applied = match conn {
            DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS),
            DbConnection::Postgresql(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS),
        };
        applied
            .map(|versions| versions.iter().map(ToString::to_string).collect())
            .map_err(|e| format!("migration failed: {e}"))
    })?
}

fn without_statement_timeout<T>(
    conn: &mut DbConnection,
    work: impl FnOnce(&mut DbConnection) -> T,
) -> Result<T, String> {
    let DbConnection::Postgresql(pg) = conn else {
        return Ok(work(conn));
    };
    let setting = |e: diesel::result::Error| format!("cannot change statement_timeout: {e}");
    #[derive(diesel::QueryableByName)]
    struct Setting {
        #[diesel(sql_type = diesel::sql_types::Text)]
        statement_timeout: String,
    }
    let saved =
        diesel::RunQueryDsl::get_result::<Setting>(diesel::sql_query("SHOW statement_timeout"), pg)
            .map_err(setting)?;
    pg.batch_execute("SET statement_timeout = 0")
        .map_err(setting)?;
    let result = work(conn);
    let restore = format!(
        "SET statement_timeout = '{}'",
        saved.statement_timeout.replace('\'', "")
    );
    conn.batch_execute(&restore).map_err(setting)?;
    Ok(result)
}

/// Reverts every applied migration, newest first (used to prove each `down.sql` works).
pub fn revert_all_migrations(conn: &mut DbConnection) -> Result<Vec<String>, String> {
    let reverted = match conn {
        DbConnection::Sqlite(c) => c.revert_all_migrations(SQLITE_MIGRATIONS),
        DbConnection::Postgresql(c) => c.revert_all_migrations(POSTGRES_MIGRATIONS),
    };
    reverted
        .map(|versions| versions.iter().map(ToString::to_string).collect())
        .map_err(|e| format!("reverting migrations failed: {e}"))
}

/// Whether the database answers a trivial query: what readiness means.
pub fn ping(conn: &mut DbConnection) -> Result<(), diesel::result::Error> {
    conn.batch_execute("SELECT 1")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Without the planner stability guarantee, SQLite plans `LIMIT ?` with the bound value
    /// and prepares such a statement again on every run (`.cargo/config.toml` sets it).
    #[test]
    fn sqlite_reuses_prepared_statements() {
        #[derive(diesel::QueryableByName)]
        struct Used {
            #[diesel(sql_type = diesel::sql_types::Integer)]
            used: i32,
        }
        let mut conn = SqliteConnection::establish(":memory:").unwrap();
        let option = diesel::RunQueryDsl::get_result::<Used>(
            diesel::sql_query("SELECT sqlite_compileoption_used('ENABLE_QPSG') AS used"),
            &mut conn,
        )
        .unwrap();
        assert_eq!(option.used, 1);
    }

    #[test]
    fn the_url_scheme_picks_the_backend() {
        assert_eq!(
            DatabaseUrl::parse("sqlite://./data/hdab.sqlite"),
            Ok(DatabaseUrl::Sqlite(PathBuf::from("./data/hdab.sqlite")))
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:///var/lib/hdab/hdab.sqlite"),
            Ok(DatabaseUrl::Sqlite(PathBuf::from(
                "/var/lib/hdab/hdab.sqlite"
            )))
        );
        assert!(matches!(
            DatabaseUrl::parse("postgresql://h/db"),
            Ok(DatabaseUrl::Postgres(_))
        ));
        assert!(
            DatabaseUrl::parse("mysql://h/db")
                .unwrap_err()
                .contains("sqlite://")
        );
        assert!(DatabaseUrl::parse("sqlite://").is_err());
    }

    #[test]
    fn postgres_connections_get_keepalives_and_timeouts_unless_the_url_sets_them() {
        let timeouts = Timeouts {
            connect: Duration::from_secs(3),
            statement: Duration::from_secs(5),
        };
        let url =
            postgres_url_with_limits("postgres://u:p@db.internal:5432/hdab", timeouts).unwrap();
        assert!(url.contains("connect_timeout=3"), "{url}");
        assert!(url.contains("keepalives=1"), "{url}");
        assert!(url.contains("tcp_user_timeout=10000"), "{url}");
        let own = postgres_url_with_limits(
            "postgres://db/hdab?sslmode=require&connect_timeout=9",
            timeouts,
        )
        .unwrap();
        assert!(
            own.contains("connect_timeout=9") && !own.contains("connect_timeout=3"),
            "{own}"
        );
        assert!(own.contains("sslmode=require"), "{own}");
    }
}
