//! Webhook subscriptions and their deliveries on the wire.

use chrono::{DateTime, Utc};
use hdab_domain::webhooks::Subscription;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// What a subscriber asks for.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookInput {
    /// Where messages are POSTed; an address hdab may call (the outbound address policy).
    #[schema(format = Uri, example = "https://partner.example.org/hdab-events")]
    pub url: String,
    /// Actions (`permit.revoked`), every action of an entity (`dataset.*`),
    /// `application.decided` (approved, partially approved or refused), or `*`. Only events
    /// the subscriber may follow in the change feed are sent.
    #[schema(example = json!(["dataset.*", "application.decided", "permit.*"]))]
    pub event_types: Vec<String>,
    #[schema(max_length = 500)]
    pub description: Option<String>,
}

/// A subscription.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WebhookView {
    pub id: Uuid,
    #[schema(format = Uri)]
    pub url: String,
    pub event_types: Vec<String>,
    pub description: Option<String>,
    pub created_at: DateTime<Utc>,
    /// The signing secret (`whsec_` and base64), in the answer to the subscription only:
    /// it is never shown again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

impl From<&Subscription> for WebhookView {
    fn from(subscription: &Subscription) -> Self {
        Self {
            id: subscription.id.as_uuid(),
            url: subscription.url.as_str().to_owned(),
            event_types: subscription.events.types().to_vec(),
            description: subscription.description.clone(),
            created_at: subscription.created_at,
            secret: None,
        }
    }
}

/// One message to a subscription and how its delivery went.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DeliveryView {
    /// The `webhook-id` the message is sent with (the same on every attempt).
    #[schema(example = "msg_01a23c3a7f0e7b2c9d8e6f5a4b3c2d1e")]
    pub id: String,
    /// The event's position in the log.
    pub event_seq: i64,
    #[schema(example = "dataset.published")]
    pub event_type: String,
    /// `pending`, `succeeded` or `failed` (retries gave up).
    #[schema(example = "succeeded")]
    pub status: String,
    pub attempts: i32,
    pub created_at: DateTime<Utc>,
    /// When a pending delivery is tried next.
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// Retries stop at this time.
    pub give_up_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// The receiver's status code at the last attempt, if it answered.
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    /// How long the last attempt took.
    pub last_latency_ms: Option<i64>,
}
