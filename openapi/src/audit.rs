//! The audit log on the wire.

use chrono::{DateTime, Utc};
use hdab_domain::event::ChainedEvent;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// One state change, as recorded in the hash-chained event log.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AuditEvent {
    /// Position in the log: 1, 2, 3, ... without gaps.
    pub seq: i64,
    pub id: Uuid,
    pub occurred_at: DateTime<Utc>,
    /// The token subject of whoever made the change, or `system`.
    pub actor: String,
    #[schema(example = "publisher.created")]
    pub action: String,
    #[schema(example = "publisher")]
    pub entity_type: String,
    pub entity_id: String,
    /// The change, as recorded.
    pub payload: serde_json::Value,
    /// Hash of the event before (64 zeros for the first).
    pub prev_hash: String,
    /// SHA-256 over `prev_hash` and this event's fields.
    pub hash: String,
}

impl From<ChainedEvent> for AuditEvent {
    fn from(event: ChainedEvent) -> Self {
        // Payloads are written by hdab as JSON; should one not parse, it is shown as text
        // rather than hidden.
        let payload = serde_json::from_str(&event.payload)
            .unwrap_or(serde_json::Value::String(event.payload));
        Self {
            seq: event.seq,
            id: event.id.as_uuid(),
            occurred_at: event.occurred_at,
            actor: event.actor,
            action: event.action,
            entity_type: event.entity_type,
            entity_id: event.entity_id,
            payload,
            prev_hash: event.prev_hash,
            hash: event.hash,
        }
    }
}

/// A page of the audit log.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AuditEventPage {
    pub items: Vec<AuditEvent>,
    /// Pass as `after` to continue; absent when the log has no more events yet.
    pub next_after: Option<i64>,
}

/// Where to read the audit log from.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Return events with a sequence number above this (default 0: from the start).
    #[param(minimum = 0)]
    pub after: Option<i64>,
    /// Events per page, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    /// Only events about this kind of entity (`dataset`, `application`, `permit`, ...).
    pub entity_type: Option<String>,
    /// Only events about the entity with this id.
    pub entity_id: Option<String>,
    /// Only events recorded by this actor (a token subject, or `hdab` for hdab itself).
    pub actor: Option<String>,
    /// Only events of this action (`permit.revoked`, ...).
    pub action: Option<String>,
    /// Only events that occurred at or after this time (RFC 3339).
    pub since: Option<chrono::DateTime<chrono::Utc>>,
    /// Only events that occurred before this time (RFC 3339).
    pub until: Option<chrono::DateTime<chrono::Utc>>,
}

/// The result of re-computing every hash of the event log.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ChainVerification {
    /// True when every event links to the one before and matches its hash.
    pub valid: bool,
    /// How many events verified before the first break (all of them when valid).
    pub events_checked: i64,
    /// The sequence number of the first event that does not verify.
    pub first_broken_seq: Option<i64>,
    /// Why that event does not verify.
    pub reason: Option<String>,
    /// The event of the signed checkpoint the log was also checked against (the newest hdab
    /// holds, or the one passed as `checkpoint`); absent when there is none yet.
    pub checkpoint_seq: Option<i64>,
}

/// What to verify the event log against.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct VerifyQuery {
    /// A checkpoint's `token`, as kept by a partner: the log must reach its event with its
    /// hash. Without it, hdab uses the newest checkpoint it holds.
    #[param(max_length = 4000)]
    pub checkpoint: Option<String>,
}

/// A signed statement that the event log reached event `seq` with hash `hash`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AuditCheckpoint {
    pub seq: i64,
    pub hash: String,
    pub signed_at: DateTime<Utc>,
    /// The statement as a compact JWS (ES256, `typ` `hdab-checkpoint+jwt`) over `iss`, `seq`,
    /// `hash` and `iat`; its key is in `/.well-known/jwks.json`. Keep it to prove later that
    /// the log was not rewritten.
    pub token: String,
}

/// A page of checkpoints, newest first.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AuditCheckpointPage {
    pub items: Vec<AuditCheckpoint>,
    /// Pass as `cursor` to fetch older checkpoints; absent on the last page.
    pub next_cursor: Option<String>,
}

/// A JSON Web Key Set (RFC 7517): the public keys of hdab's own signatures.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct JsonWebKeySet {
    /// EC P-256 keys (`kty`, `crv`, `x`, `y`, `kid`, `use`, `alg`).
    #[schema(value_type = Vec<Object>)]
    pub keys: Vec<serde_json::Value>,
}
