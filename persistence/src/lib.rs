//! hdab's storage: one diesel code base for SQLite (embedded default) and PostgreSQL
//! (production), chosen by the database URL's scheme.
//!
//! Query functions take `&mut DbConnection` so that a caller composes them inside one
//! transaction; every write transaction goes through [`events::write`], which appends the
//! change to the hash-chained event log in that same transaction.

pub mod applications;
pub mod checkpoints;
pub mod committees;
pub mod datasets;
pub mod db;
pub mod error;
pub mod events;
pub mod files;
pub mod harvest;
pub mod idempotency;
pub mod jobs;
pub mod names;
pub mod opt_outs;
pub mod page;
pub mod permit_keys;
pub mod permits;
pub mod publishers;
pub mod schema;
pub mod search;
pub mod searchable;
pub mod wal;
pub mod webhooks;

pub use db::{DatabaseUrl, DbConnection, Pool, Timeouts};
pub use error::StoreError;

/// The current time at the precision both databases store (microseconds), so a value read
/// back equals the value written. The shell reads the clock; rules take the time as an
/// argument.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    use chrono::SubsecRound;
    chrono::Utc::now().trunc_subsecs(6)
}
