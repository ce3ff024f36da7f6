//! The log's head as a watch channel: a follower that moves it whenever the runner catches up
//! (at once after this process's writes, within a second after another's), so a long-polling
//! reader of the change feed waits on the channel, not on a database thread.

use hdab_domain::event::ChainedEvent;
use hdab_persistence::DbConnection;
use tokio::sync::watch;

use super::Follower;
use crate::application::AppError;

pub struct LogWatch {
    head: watch::Sender<i64>,
}

impl LogWatch {
    /// Watching from `head`, the log's head now.
    pub fn new(head: i64) -> Self {
        Self {
            head: watch::Sender::new(head),
        }
    }

    /// A receiver that sees the head move.
    pub fn subscribe(&self) -> watch::Receiver<i64> {
        self.head.subscribe()
    }
}

impl Follower for LogWatch {
    fn name(&self) -> &'static str {
        "log watch"
    }

    fn cursor(&self) -> i64 {
        *self.head.borrow()
    }

    fn apply(&self, _conn: &mut DbConnection, batch: &[ChainedEvent]) -> Result<(), AppError> {
        if let Some(last) = batch.last() {
            self.head.send_replace(last.seq);
        }
        Ok(())
    }
}
