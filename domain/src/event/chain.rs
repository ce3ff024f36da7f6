//! The event log's rules: how an event is chained to the one before it, and how a chain is
//! checked. Every state change of hdab is one event; the audit log, the change feed, webhooks
//! and the search index all read from it, so tampering must be detectable.
//!
//! Each event's hash is SHA-256 over the previous event's hash and this event's canonical bytes:
//! every field, length-prefixed so that no two different events share bytes. The payload is
//! hashed as the exact JSON text that is stored, so verifying needs no re-serialisation.

use chrono::{DateTime, SubsecRound, Utc};
use sha2::{Digest, Sha256};

use crate::ids::EventId;

/// The `prev_hash` of the first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// A state change about to be recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    /// What happened, `<entity>.<verb>` in the past tense: `publisher.created`.
    pub action: &'static str,
    pub entity_type: &'static str,
    pub entity_id: String,
    /// JSON text describing the change; never a token or a personal identifier.
    pub payload: String,
}

/// An event as stored in the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainedEvent {
    /// 1, 2, 3, ... without gaps.
    pub seq: i64,
    pub id: EventId,
    /// UTC, truncated to microseconds: what both databases store exactly.
    pub occurred_at: DateTime<Utc>,
    /// The subject of the caller, or `system`.
    pub actor: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    pub payload: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The last event of a chain: where the next one attaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainHead {
    pub seq: i64,
    pub hash: String,
}

impl ChainHead {
    pub fn genesis() -> Self {
        Self {
            seq: 0,
            hash: GENESIS_HASH.to_owned(),
        }
    }
}

/// Attaches `event` after `head`.
pub fn chain(
    head: &ChainHead,
    id: EventId,
    occurred_at: DateTime<Utc>,
    actor: &str,
    event: NewEvent,
) -> ChainedEvent {
    let mut chained = ChainedEvent {
        seq: head.seq + 1,
        id,
        occurred_at: occurred_at.trunc_subsecs(6),
        actor: actor.to_owned(),
        action: event.action.to_owned(),
        entity_type: event.entity_type.to_owned(),
        entity_id: event.entity_id,
        payload: event.payload,
        prev_hash: head.hash.clone(),
        hash: String::new(),
    };
    chained.hash = hash_of(&chained);
    chained
}

/// Why an event does not belong where it stands in the chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkBreak {
    /// The sequence skips or repeats a number: an event was removed or inserted.
    SequenceGap { expected: i64 },
    /// `prev_hash` is not the hash of the event before: the one before was altered or removed.
    PrevHashMismatch,
    /// The stored hash is not the hash of the stored fields: this event was altered.
    HashMismatch,
}

impl LinkBreak {
    pub fn describe(&self) -> String {
        match self {
            Self::SequenceGap { expected } => {
                format!("sequence gap: expected event {expected} here")
            }
            Self::PrevHashMismatch => {
                "prev_hash does not match the hash of the event before it".to_owned()
            }
            Self::HashMismatch => "the stored hash does not match the event's content".to_owned(),
        }
    }
}

/// Checks that `event` follows `head` and that its hash matches its content.
pub fn check_link(head: &ChainHead, event: &ChainedEvent) -> Result<(), LinkBreak> {
    if event.seq != head.seq + 1 {
        return Err(LinkBreak::SequenceGap {
            expected: head.seq + 1,
        });
    }
    if event.prev_hash != head.hash {
        return Err(LinkBreak::PrevHashMismatch);
    }
    if hash_of(event) != event.hash {
        return Err(LinkBreak::HashMismatch);
    }
    Ok(())
}

fn hash_of(event: &ChainedEvent) -> String {
    let mut hasher = Sha256::new();
    let occurred_at = event
        .occurred_at
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    for field in [
        event.prev_hash.as_str(),
        &event.seq.to_string(),
        &event.id.to_string(),
        &occurred_at,
        &event.actor,
        &event.action,
        &event.entity_type,
        &event.entity_id,
        &event.payload,
    ] {
        hasher.update((field.len() as u64).to_be_bytes());
        hasher.update(field.as_bytes());
    }
    hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn event(entity_id: &str, payload: &str) -> NewEvent {
        NewEvent {
            action: "publisher.created",
            entity_type: "publisher",
            entity_id: entity_id.to_owned(),
            payload: payload.to_owned(),
        }
    }

    fn build_chain(payloads: &[String]) -> Vec<ChainedEvent> {
        let mut head = ChainHead::genesis();
        let now = Utc::now();
        payloads
            .iter()
            .map(|payload| {
                let chained = chain(
                    &head,
                    EventId::generate(),
                    now,
                    "admin",
                    event("p", payload),
                );
                head = ChainHead {
                    seq: chained.seq,
                    hash: chained.hash.clone(),
                };
                chained
            })
            .collect()
    }

    fn first_break(events: &[ChainedEvent]) -> Option<(i64, LinkBreak)> {
        let mut head = ChainHead::genesis();
        for event in events {
            if let Err(broken) = check_link(&head, event) {
                return Some((event.seq, broken));
            }
            head = ChainHead {
                seq: event.seq,
                hash: event.hash.clone(),
            };
        }
        None
    }

    #[test]
    fn the_first_event_follows_the_genesis_hash() {
        let events = build_chain(&["{}".to_owned()]);
        assert_eq!(events[0].seq, 1);
        assert_eq!(events[0].prev_hash, GENESIS_HASH);
        assert_eq!(events[0].hash.len(), 64);
    }

    #[test]
    fn an_altered_payload_breaks_its_own_link() {
        let mut events = build_chain(&["{}".into(), "{\"a\":1}".into(), "{}".into()]);
        events[1].payload = "{\"a\":2}".into();
        assert_eq!(first_break(&events), Some((2, LinkBreak::HashMismatch)));
    }

    #[test]
    fn a_removed_event_shows_as_a_sequence_gap() {
        let mut events = build_chain(&["{}".into(), "{}".into(), "{}".into()]);
        events.remove(1);
        assert_eq!(
            first_break(&events),
            Some((3, LinkBreak::SequenceGap { expected: 2 }))
        );
    }

    #[test]
    fn fields_cannot_be_shifted_into_each_other() {
        // Without length prefixes, "ab" + "c" and "a" + "bc" would hash alike.
        let now = Utc::now();
        let id = EventId::generate();
        let a = chain(&ChainHead::genesis(), id, now, "ab", event("c", "{}"));
        let b = chain(&ChainHead::genesis(), id, now, "a", event("bc", "{}"));
        assert_ne!(a.hash, b.hash);
    }

    proptest! {
        #[test]
        fn an_untouched_chain_always_verifies(payloads in proptest::collection::vec("\\PC{0,40}", 0..20)) {
            prop_assert_eq!(first_break(&build_chain(&payloads)), None);
        }

        #[test]
        fn changing_any_event_is_detected(
            payloads in proptest::collection::vec("\\PC{0,40}", 1..20),
            pick in any::<proptest::sample::Index>(),
        ) {
            let mut events = build_chain(&payloads);
            let victim = pick.index(events.len());
            events[victim].actor.push('x');
            prop_assert_eq!(first_break(&events).map(|(seq, _)| seq), Some(events[victim].seq));
        }
    }
}
