//! The change feed: the event log as the caller may see it, in order and resumable from any
//! sequence number. Writes are serialised on the log's head, so sequence numbers become
//! visible in order: a reader that continues after the last number it was given misses none
//! and sees none twice.

use hdab_domain::auth::{Principal, Role};
use hdab_domain::codes;
use hdab_domain::event::audience::{Audience, audience};
use hdab_domain::event::{ChainedEvent, EventKind};
use hdab_persistence::{DbConnection, events};

use super::AppError;

/// One page of the feed.
pub struct ChangesPage {
    /// The events the caller may see, oldest first.
    pub events: Vec<ChainedEvent>,
    /// Where to continue: the last event read, seen or not (the caller skips what it may not
    /// see without reading it again).
    pub next_after: i64,
}

/// Up to `limit` events after `after` of the `types` asked for (all when empty), those
/// `caller` may see. A position past the log's end is refused: it was not handed out by this
/// log (a database restored from an older backup, or a number made up), and waiting there
/// would wait for events the reader has in fact missed.
pub fn page(
    conn: &mut DbConnection,
    caller: Option<&Principal>,
    types: &[String],
    after: i64,
    limit: i64,
) -> Result<ChangesPage, AppError> {
    let read = events::list_of_types(conn, types, after, limit)?;
    if read.is_empty() {
        let head = events::head_seq(conn)?;
        if after > head {
            return Err(AppError::invalid_field(
                "after",
                codes::OUT_OF_RANGE,
                format!("the log ends at event {head}"),
            ));
        }
    }
    let next_after = read.last().map_or(after, |e| e.seq);
    Ok(ChangesPage {
        events: read.into_iter().filter(|e| may_see(caller, e)).collect(),
        next_after,
    })
}

/// Admins see everything; data holders also their publishers' drafts; everyone the public
/// catalogue.
fn may_see(caller: Option<&Principal>, event: &ChainedEvent) -> bool {
    if caller.is_some_and(|c| c.has_role(Role::HdabAdmin)) {
        return true;
    }
    let Ok(kind) = EventKind::parse(&event.action) else {
        return false;
    };
    match audience(kind, &event.payload) {
        Audience::Everyone => true,
        Audience::DataHoldersOf(publisher) => caller.is_some_and(|c| c.holds_data_for(publisher)),
        Audience::Admins => false,
    }
}
