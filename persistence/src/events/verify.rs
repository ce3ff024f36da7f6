//! Checking the event log: every hash recomputed from the first event, the stored head, and
//! a signed checkpoint of an earlier head.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use hdab_domain::event::{self, ChainHead, ChainedEvent, LinkBreak};
use hdab_domain::ids::EventId;

use super::load_head;
use crate::schema::events;
use crate::{DbConnection, StoreError};

/// The result of walking the whole chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainVerification {
    pub events_checked: i64,
    pub first_break: Option<ChainBreak>,
}

/// The first event that does not belong where it stands, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    pub seq: i64,
    pub reason: String,
}

const VERIFY_BATCH: i64 = 1_000;

/// Walks the chain from the first event, recomputing every hash, and names the first broken
/// link: an altered, inserted or removed event, or a row that no longer reads as an event at
/// all. Also compares the stored head, which catches events removed from the end, and, when
/// given, a signed `checkpoint` of an earlier head, which catches a tail removed together
/// with a rewound head: the log must reach the checkpoint's event with the checkpoint's hash.
pub fn verify(
    conn: &mut DbConnection,
    checkpoint: Option<&ChainHead>,
) -> Result<ChainVerification, StoreError> {
    let mut head = ChainHead::genesis();
    let mut checked = 0;
    loop {
        let batch = raw_after(conn, head.seq, VERIFY_BATCH)?;
        if batch.is_empty() {
            break;
        }
        for row in batch {
            let expected = head.seq + 1;
            let event = match row.into_event() {
                Ok(event) => event,
                Err((seq, why)) => {
                    let reason = format!("the stored event cannot be read: {why}");
                    return Ok(broken_at(checked, seq.unwrap_or(expected), reason));
                }
            };
            if let Err(broken) = event::check_link(&head, &event) {
                return Ok(broken_at(checked, event.seq, broken.describe()));
            }
            if let Some(anchor) = checkpoint.filter(|c| c.seq == event.seq)
                && anchor.hash != event.hash
            {
                let reason = format!(
                    "event {} differs from the signed checkpoint of the log at that event",
                    event.seq
                );
                return Ok(broken_at(checked, event.seq, reason));
            }
            head = ChainHead {
                seq: event.seq,
                hash: event.hash,
            };
            checked += 1;
        }
    }
    if let Some(anchor) = checkpoint.filter(|c| c.seq > head.seq) {
        let reason = format!(
            "the log ends at event {}, but a signed checkpoint shows it reached event {}",
            head.seq, anchor.seq
        );
        return Ok(broken_at(checked, head.seq + 1, reason));
    }
    let stored_head = load_head(conn)?;
    if stored_head != head {
        let reason = LinkBreak::SequenceGap {
            expected: head.seq + 1,
        }
        .describe();
        return Ok(broken_at(
            checked,
            head.seq + 1,
            format!(
                "{reason}; the log's head says it ends at event {}",
                stored_head.seq
            ),
        ));
    }
    Ok(ChainVerification {
        events_checked: checked,
        first_break: None,
    })
}

fn broken_at(checked: i64, seq: i64, reason: String) -> ChainVerification {
    ChainVerification {
        events_checked: checked,
        first_break: Some(ChainBreak { seq, reason }),
    }
}

/// An event row read as text, column by column, so that a row that no longer parses (edited
/// by hand, or by an attacker) is reported as a broken event rather than failing the read.
#[derive(Queryable)]
struct RawEventRow {
    seq: String,
    id: String,
    occurred_at: String,
    actor: String,
    action: String,
    entity_type: String,
    entity_id: String,
    payload: String,
    prev_hash: String,
    hash: String,
}

/// How both databases print a stored `TIMESTAMP` as text.
const STORED_TIME_FORMAT: &str = "%Y-%m-%d %H:%M:%S%.f";

fn raw_after(
    conn: &mut DbConnection,
    after_seq: i64,
    limit: i64,
) -> Result<Vec<RawEventRow>, StoreError> {
    use diesel::dsl::sql;
    use diesel::sql_types::Text;
    Ok(events::table
        .filter(events::seq.gt(after_seq))
        .order(events::seq.asc())
        .limit(limit)
        .select((
            sql::<Text>("CAST(seq AS TEXT)"),
            sql::<Text>("CAST(id AS TEXT)"),
            sql::<Text>("CAST(occurred_at AS TEXT)"),
            sql::<Text>("CAST(actor AS TEXT)"),
            sql::<Text>("CAST(action AS TEXT)"),
            sql::<Text>("CAST(entity_type AS TEXT)"),
            sql::<Text>("CAST(entity_id AS TEXT)"),
            sql::<Text>("CAST(payload AS TEXT)"),
            sql::<Text>("CAST(prev_hash AS TEXT)"),
            sql::<Text>("CAST(hash AS TEXT)"),
        ))
        .load::<RawEventRow>(conn)?)
}

impl RawEventRow {
    /// The event, or its sequence number (when that much reads) and what does not read.
    fn into_event(self) -> Result<ChainedEvent, (Option<i64>, String)> {
        let seq = self.seq.parse::<i64>().map_err(|_| {
            (
                None,
                format!("its sequence number {:?} is not a number", self.seq),
            )
        })?;
        let id = EventId::parse(&self.id).map_err(|_| {
            (
                Some(seq),
                format!("its id {:?} is not an event id", self.id),
            )
        })?;
        let occurred_at = NaiveDateTime::parse_from_str(&self.occurred_at, STORED_TIME_FORMAT)
            .map_err(|_| {
                (
                    Some(seq),
                    format!("its time {:?} is not a timestamp", self.occurred_at),
                )
            })?
            .and_utc();
        Ok(ChainedEvent {
            seq,
            id,
            occurred_at,
            actor: self.actor,
            action: self.action,
            entity_type: self.entity_type,
            entity_id: self.entity_id,
            payload: self.payload,
            prev_hash: self.prev_hash,
            hash: self.hash,
        })
    }
}
