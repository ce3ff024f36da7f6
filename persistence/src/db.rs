//! Connections, the pool and migrations for both backends.

use std::path::{Path, PathBuf};
use std::time::Duration;

use diesel::Connection;
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::sqlite::SqliteConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

/// A connection to either backend. Queries are written once against this type.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

pub type Pool = r2d2::Pool<ConnectionManager>;
pub type PooledConnection = r2d2::PooledConnection<ConnectionManager>;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/postgres");

/// SQLite waits this long for a writer's lock before giving up with "database is locked".
const SQLITE_BUSY_TIMEOUT_MS: u32 = 5_000;

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

/// Opens connections for the pool. Written by hand rather than derived so that a failed
/// connection reports the real cause (the derived one only says "invalid connection url").
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    url: DatabaseUrl,
}

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("cannot connect: {0}")]
    Connect(#[from] diesel::ConnectionError),
    #[error("cannot prepare the connection: {0}")]
    Setup(#[from] diesel::result::Error),
}

impl r2d2::ManageConnection for ConnectionManager {
    type Connection = DbConnection;
    type Error = ConnectError;

    fn connect(&self) -> Result<DbConnection, ConnectError> {
        match &self.url {
            DatabaseUrl::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(&path.to_string_lossy())?;
                // busy_timeout first: switching to WAL takes a lock that another connection may
                // hold while the pool starts.
                conn.batch_execute(&format!(
                    "PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS};
                     PRAGMA journal_mode = WAL;
                     PRAGMA synchronous = NORMAL;
                     PRAGMA foreign_keys = ON;"
                ))?;
                Ok(DbConnection::Sqlite(conn))
            }
            DatabaseUrl::Postgres(url) => {
                Ok(DbConnection::Postgresql(PgConnection::establish(url)?))
            }
        }
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), ConnectError> {
        conn.batch_execute("SELECT 1").map_err(ConnectError::Setup)
    }

    fn has_broken(&self, _conn: &mut DbConnection) -> bool {
        false
    }
}

/// Opens a pool of `size` connections; for SQLite, creates the file's folder first.
pub fn connect(url: &DatabaseUrl, size: u32) -> Result<Pool, String> {
    if let DatabaseUrl::Sqlite(path) = url {
        create_parent_dir(path)?;
    }
    r2d2::Pool::builder()
        .max_size(size)
        .connection_timeout(Duration::from_secs(10))
        .test_on_check_out(false)
        .build(ConnectionManager { url: url.clone() })
        .map_err(|e| format!("cannot open the {} database: {e}", url.backend_name()))
}

fn create_parent_dir(path: &Path) -> Result<(), String> {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create the database folder {}: {e}", dir.display())),
        _ => Ok(()),
    }
}

/// Runs every migration not yet applied and returns the names of those it ran.
pub fn run_migrations(conn: &mut DbConnection) -> Result<Vec<String>, String> {
    let applied = match conn {
        DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS),
        DbConnection::Postgresql(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS),
    };
    applied
        .map(|versions| versions.iter().map(ToString::to_string).collect())
        .map_err(|e| format!("migration failed: {e}"))
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
}
