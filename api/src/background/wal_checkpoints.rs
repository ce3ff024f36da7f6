//! Checkpoints SQLite's write-ahead log every second, beside the server, so that no write
//! waits while the log is copied back into the database file (see `hdab_persistence::wal`).

use std::time::Duration;

use hdab_persistence::{Pool, wal};
use tokio::sync::watch;

use super::on_pool;

/// How often the log is checkpointed: a second of bulk writes is about 20 MB of log.
const TICK: Duration = Duration::from_secs(1);

/// Checkpoints until `stopped`; on PostgreSQL, which checkpoints by itself, returns at once.
pub async fn run(pool: Pool, mut stopped: watch::Receiver<bool>) {
    loop {
        match on_pool(&pool, |conn| Ok(wal::checkpoint(conn)?)).await {
            Ok(None) => return,
            Ok(Some(checkpoint)) if checkpoint.copied_pages < checkpoint.log_pages => {
                // A reader still on an older snapshot; the next round copies the rest.
                tracing::debug!(
                    log_pages = checkpoint.log_pages,
                    copied_pages = checkpoint.copied_pages,
                    "the SQLite log was checkpointed in part"
                );
            }
            Ok(Some(_)) => {}
            Err(error) => tracing::warn!(
                error = %error,
                backstop_pages = wal::BACKSTOP_PAGES,
                "could not checkpoint the SQLite log; writers checkpoint it past the backstop"
            ),
        }
        tokio::select! {
            _ = stopped.changed() => return,
            _ = actix_web::rt::time::sleep(TICK) => {}
        }
    }
}
