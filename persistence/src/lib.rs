//! hdab's storage: one diesel code base for SQLite (embedded default) and PostgreSQL
//! (production), chosen by the database URL's scheme.
//!
//! Query functions take `&mut DbConnection` so that a caller composes them inside one
//! transaction; every write transaction goes through [`events::write`], which appends the
//! change to the hash-chained event log in that same transaction.

pub mod checkpoints;
pub mod committees;
pub mod datasets;
pub mod db;
pub mod error;
pub mod events;
pub mod files;
pub mod names;
pub mod page;
pub mod publishers;
pub mod schema;
pub mod search;

pub use db::{DatabaseUrl, DbConnection, Pool, Timeouts};
pub use error::StoreError;
