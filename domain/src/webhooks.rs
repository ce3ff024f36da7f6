//! Webhook subscriptions (Standard Webhooks): which events a subscriber is sent, and what an
//! event's message says. Messages are thin: the event's type, time and the entity it concerns
//! (id, status, version, link), never a description, a natural person's name or a token; the
//! subscriber reads the entity through the API with its own rights.
//!
//! A subscriber is sent only what it may follow in the change feed ([`Audience`]): admins
//! everything, data holders also their publishers' drafts, everyone else the public catalogue.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::event::EventKind;
use crate::event::audience::Audience;
use crate::ids::{PublisherId, WebhookId};
use crate::values::{HttpUrl, Subject};
use crate::{FieldErrors, ValueError, code_enum, codes, limits};

/// The webhook type of every final decision on an application.
pub const APPLICATION_DECIDED: &str = "application.decided";

/// Who subscribed, as their token said when they did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscriber {
    pub subject: Subject,
    pub admin: bool,
    /// The publishers whose drafts they hold data for.
    pub holds_data_for: BTreeSet<PublisherId>,
}

impl Subscriber {
    pub fn may_see(&self, audience: Audience) -> bool {
        match audience {
            Audience::Everyone => true,
            Audience::DataHoldersOf(publisher) => {
                self.admin || self.holds_data_for.contains(&publisher)
            }
            Audience::Admins => self.admin,
        }
    }
}

/// The event types a subscription asks for: actions (`permit.revoked`), every action of an
/// entity (`dataset.*`), `application.decided` (approved, partially approved or refused), or
/// `*` for all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventFilter(Vec<String>);

impl EventFilter {
    pub fn parse(types: &[String]) -> Result<Self, crate::DomainError> {
        let mut errors = FieldErrors::new();
        if types.is_empty() {
            errors.add(
                "event_types",
                ValueError::new(codes::REQUIRED, "name at least one event type"),
            );
        }
        limits::check(&mut errors, "event_types", types.len());
        let entities: BTreeSet<&str> = EventKind::ALL.iter().map(|k| k.entity_type()).collect();
        for (index, wanted) in types.iter().enumerate() {
            let known = wanted == "*"
                || wanted == APPLICATION_DECIDED
                || EventKind::parse(wanted).is_ok()
                || wanted
                    .strip_suffix(".*")
                    .is_some_and(|entity| entities.contains(entity));
            if !known {
                errors.add(
                    format!("event_types[{index}]"),
                    ValueError::new(
                        codes::UNKNOWN_EVENT_KIND,
                        "must be an action such as `permit.revoked`, `<entity>.*` such as `dataset.*`, `application.decided` or `*`",
                    ),
                );
            }
        }
        let mut sorted = types.to_vec();
        sorted.sort();
        sorted.dedup();
        errors.finish().map(|()| Self(sorted))
    }

    pub fn types(&self) -> &[String] {
        &self.0
    }

    /// The type a message about an event of `kind` is sent as, if the filter asks for it.
    pub fn webhook_type(&self, kind: EventKind) -> Option<&'static str> {
        let action = kind.as_str();
        let decided = matches!(
            kind,
            EventKind::ApplicationApproved
                | EventKind::ApplicationPartiallyApproved
                | EventKind::ApplicationRefused
        );
        let direct = self.0.iter().any(|wanted| {
            wanted == "*"
                || wanted == action
                || wanted
                    .strip_suffix(".*")
                    .is_some_and(|entity| entity == kind.entity_type())
        });
        if direct {
            Some(action)
        } else if decided && self.0.iter().any(|w| w == APPLICATION_DECIDED) {
            Some(APPLICATION_DECIDED)
        } else {
            None
        }
    }
}

/// A subscription.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscription {
    pub id: WebhookId,
    pub subscriber: Subscriber,
    pub url: HttpUrl,
    pub events: EventFilter,
    pub description: Option<String>,
    pub created_at: DateTime<Utc>,
}

code_enum!(
    /// Where a delivery stands.
    DeliveryStatus, codes::UNKNOWN_STATUS {
        /// Not yet accepted by the receiver; tried again until it gives up.
        Pending = "pending",
        /// The receiver answered 2xx.
        Succeeded = "succeeded",
        /// Retries gave up (24 hours by default); a redelivery starts it again.
        Failed = "failed",
    }
);

/// The message about one event: `{"type", "timestamp", "data"}` as Standard Webhooks shapes
/// it, `data` naming the entity and what a reader needs to fetch it.
pub fn message(
    webhook_type: &str,
    kind: EventKind,
    seq: i64,
    entity_id: &str,
    occurred_at: DateTime<Utc>,
    payload: &str,
) -> Value {
    let mut data = json!({
        "seq": seq,
        "action": kind.as_str(),
        "entity_type": kind.entity_type(),
        "entity_id": entity_id,
    });
    if let (Some(fields), Value::Object(data)) = (state_of(kind, payload), &mut data) {
        data.extend(fields);
    }
    json!({"type": webhook_type, "timestamp": occurred_at, "data": data})
}

/// The few state fields of a payload a subscriber may want at once (status, version,
/// identifier, publisher): read by name, so nothing else of the payload can slip through.
fn state_of(kind: EventKind, payload: &str) -> Option<serde_json::Map<String, Value>> {
    let envelope: Value = serde_json::from_str(payload).ok()?;
    let data = envelope.get("data")?;
    let keep: &[&str] = match kind.entity_type() {
        "dataset" => &["status", "version", "issued_at"],
        "permit" => &[
            "status",
            "version",
            "valid_from",
            "valid_until",
            "application_id",
        ],
        "publisher" | "committee" => &["version"],
        _ => &[],
    };
    let mut fields: serde_json::Map<String, Value> = keep
        .iter()
        .filter_map(|name| Some(((*name).to_owned(), data.get(*name)?.clone())))
        .collect();
    if kind.entity_type() == "dataset"
        && let Some(details) = data.get("details")
    {
        for name in ["identifier", "publisher_id"] {
            if let Some(value) = details.get(name) {
                fields.insert(name.to_owned(), value.clone());
            }
        }
    }
    Some(fields)
}
