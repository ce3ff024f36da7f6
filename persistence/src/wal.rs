//! SQLite's write-ahead log: the file switched to it once, and the log copied back into the
//! database file beside the server instead of by whichever write happens to fill it.
//!
//! By default SQLite checkpoints inside the commit that takes the log past 1,000 pages: on
//! 16 KiB pages a bulk call of 1,000 datasets writes about 5 MB, so every third call also
//! copied 16 MB back and synced the file before it could answer (bulk "all new", interleaved:
//! 3,845 and 4,404 datasets/s with those checkpoints, 4,981 and 5,697 without). A background
//! loop now checkpoints every second ([`checkpoint`]), and a writer checkpoints only past
//! [`BACKSTOP_PAGES`], should that loop not run (`hdab seed`, or a stalled process).

use diesel::RunQueryDsl;
use diesel::connection::SimpleConnection;
use diesel::sqlite::SqliteConnection;

use crate::{DbConnection, StoreError};

/// Log pages (16 KiB each, so 160 MB) past which a committing writer checkpoints itself.
pub const BACKSTOP_PAGES: u32 = 10_000;
/// What the log file is cut back to when SQLite starts it over: a burst of writes must not
/// leave a file of hundreds of megabytes behind.
const KEPT_LOG_BYTES: u64 = 64 * 1024 * 1024;

/// Sets up a new SQLite connection's log: the file in WAL mode, and the connection's share
/// of checkpointing, only the backstop.
pub(crate) fn configure(conn: &mut SqliteConnection) -> Result<(), diesel::result::Error> {
    use_wal(conn)?;
    conn.batch_execute(&format!(
        "PRAGMA wal_autocheckpoint = {BACKSTOP_PAGES};
         PRAGMA journal_size_limit = {KEPT_LOG_BYTES};"
    ))
}

/// What one checkpoint did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checkpoint {
    /// Pages in the log.
    pub log_pages: i64,
    /// Of those, pages now also in the database file.
    pub copied_pages: i64,
}

/// Copies what it can of the log into the database file without waiting for anyone (a
/// `PASSIVE` checkpoint: readers and the writer go on meanwhile). `None` on PostgreSQL,
/// which checkpoints by itself.
pub fn checkpoint(conn: &mut DbConnection) -> Result<Option<Checkpoint>, StoreError> {
    #[derive(diesel::QueryableByName)]
    struct Outcome {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        log: i64,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        checkpointed: i64,
    }
    let DbConnection::Sqlite(sqlite) = conn else {
        return Ok(None);
    };
    let outcome =
        diesel::sql_query("PRAGMA wal_checkpoint(PASSIVE)").get_result::<Outcome>(sqlite)?;
    Ok(Some(Checkpoint {
        log_pages: outcome.log,
        copied_pages: outcome.checkpointed,
    }))
}

/// Switches the database file to WAL, once: the mode is stored in the file, and switching
/// needs an exclusive lock that SQLite may refuse at once ("database is locked") while other
/// connections write, so a connection opened later must not ask again.
fn use_wal(conn: &mut SqliteConnection) -> Result<(), diesel::result::Error> {
    #[derive(diesel::QueryableByName)]
    struct JournalMode {
        #[diesel(sql_type = diesel::sql_types::Text)]
        journal_mode: String,
    }
    let mode = diesel::sql_query("PRAGMA journal_mode").get_result::<JournalMode>(conn)?;
    if !mode.journal_mode.eq_ignore_ascii_case("wal") {
        // A new file takes its page size now, before its first page is written (later only
        // a VACUUM outside WAL changes it). A stored description and its event are ~2.5 KB
        // each: on 4 KiB pages each row took a page of its own, and a bulk call wrote twice
        // the bytes it stored (16 KiB pages cut the time a call spends writing by a fifth).
        conn.batch_execute(
            "PRAGMA page_size = 16384;
             PRAGMA journal_mode = WAL;",
        )?;
    }
    Ok(())
}
