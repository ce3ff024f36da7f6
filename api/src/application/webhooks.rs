//! Webhooks (Standard Webhooks): admins and partner systems subscribe to event types; each
//! event of the log a subscription asks for, and its subscriber may see, becomes one delivery,
//! sent in log order per subscription and signed with the subscription's secret
//! (`whsec_`, shown once). Deliveries come from the event log, never from the request that
//! wrote the event: a process that dies after a commit loses no message.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use diesel::Connection;
use hdab_domain::auth::{Principal, Role};
use hdab_domain::event::audience::audience;
use hdab_domain::event::{ChainedEvent, Event, EventKind};
use hdab_domain::ids::WebhookId;
use hdab_domain::values::HttpUrl;
use hdab_domain::webhooks::{EventFilter, Subscriber, Subscription, message};
use hdab_persistence::webhooks::{self as store, NewDelivery};
use hdab_persistence::{DbConnection, events};
use ring::rand::{SecureRandom, SystemRandom};
use uuid::Uuid;

use super::secrets::KeyEncryptionKey;
use super::{AppError, record};

/// Events read per subscription and round.
const ENQUEUE_BATCH: i64 = 500;
/// Bytes of a signing secret.
const SECRET_BYTES: usize = 24;
/// How a secret is written for the subscriber (Standard Webhooks).
pub const SECRET_PREFIX: &str = "whsec_";

/// The associated data a subscription's secret is sealed with.
fn seal_label(id: WebhookId) -> String {
    format!("webhook:{id}")
}

/// The subscriber `caller` is, as far as their token says.
pub fn subscriber(caller: &Principal) -> Subscriber {
    Subscriber {
        subject: caller.subject.clone(),
        admin: caller.has_role(Role::HdabAdmin),
        holds_data_for: caller
            .publishers
            .iter()
            .copied()
            .filter(|p| caller.holds_data_for(*p))
            .collect(),
    }
}

/// A new subscription and its secret, in the clear this once. Deliveries start with the
/// events recorded after it.
pub fn subscribe(
    conn: &mut DbConnection,
    kek: &KeyEncryptionKey,
    caller: &Principal,
    now: DateTime<Utc>,
    url: HttpUrl,
    events_wanted: EventFilter,
    description: Option<String>,
) -> Result<(Subscription, String), AppError> {
    let mut bytes = [0u8; SECRET_BYTES];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| AppError::internal("no randomness for a webhook secret"))?;
    let secret = format!("{SECRET_PREFIX}{}", STANDARD.encode(bytes));
    let subscription = Subscription {
        id: WebhookId::generate(),
        subscriber: subscriber(caller),
        url,
        events: events_wanted,
        description,
        created_at: now,
    };
    let sealed = kek
        .seal(&seal_label(subscription.id), secret.as_bytes())
        .map_err(AppError::internal)?;
    events::write(conn, |tx| {
        let head = events::head_seq(tx)?;
        store::insert(tx, &subscription, &sealed, head)?;
        record(
            tx,
            caller.subject.as_str(),
            now,
            &Event::WebhookCreated(subscription.clone()),
        )
    })?;
    Ok((subscription, secret))
}

/// The subscription `id` if `caller` owns it or is an admin; "not found" otherwise.
pub fn visible(
    conn: &mut DbConnection,
    caller: &Principal,
    id: WebhookId,
) -> Result<Subscription, AppError> {
    store::find(conn, id)?
        .filter(|s| caller.has_role(Role::HdabAdmin) || s.subscriber.subject == caller.subject)
        .ok_or(AppError::NotFound("the webhook"))
}

pub fn unsubscribe(
    conn: &mut DbConnection,
    caller: &Principal,
    now: DateTime<Utc>,
    id: WebhookId,
) -> Result<(), AppError> {
    events::write(conn, |tx| {
        let subscription = visible(tx, caller, id)?;
        store::delete(tx, id)?;
        record(
            tx,
            caller.subject.as_str(),
            now,
            &Event::WebhookDeleted(subscription),
        )
    })
}

/// Where a subscription's messages go and the key they are signed with; none once it is gone.
pub fn endpoint(
    conn: &mut DbConnection,
    kek: &KeyEncryptionKey,
    id: WebhookId,
) -> Result<Option<(HttpUrl, Vec<u8>)>, AppError> {
    let (Some(subscription), Some(sealed)) =
        (store::find(conn, id)?, store::sealed_secret(conn, id)?)
    else {
        return Ok(None);
    };
    let text = kek
        .open(&seal_label(id), &sealed)
        .map_err(AppError::internal)?;
    let text = String::from_utf8(text).map_err(AppError::internal)?;
    let key = text
        .strip_prefix(SECRET_PREFIX)
        .and_then(|b64| STANDARD.decode(b64).ok())
        .ok_or_else(|| AppError::internal(format!("the secret of webhook {id} does not read")))?;
    Ok(Some((subscription.url, key)))
}

/// Turns the events recorded since each subscription's cursor into deliveries, each
/// subscription in a transaction of its own that moves its cursor from the value read (a
/// second process doing the same finds it moved and writes nothing). Returns how many
/// deliveries were enqueued.
pub fn enqueue_new(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
    give_up_after: chrono::TimeDelta,
) -> Result<usize, AppError> {
    let mut enqueued = 0;
    // Every 250 ms this runs; most rounds the log has not moved and nothing is read.
    let head = events::head_seq(conn)?;
    for (subscription, cursor) in store::behind(conn, head)? {
        let batch = events::list_after(conn, cursor, ENQUEUE_BATCH)?;
        let Some(last) = batch.last().map(|e| e.seq) else {
            continue;
        };
        let deliveries: Vec<NewDelivery> = batch
            .iter()
            .filter_map(|event| delivery_of(&subscription, event, now, give_up_after))
            .collect();
        let written = conn.transaction(|tx| {
            if !store::advance(tx, subscription.id, cursor, last)? {
                return Ok::<_, AppError>(0);
            }
            for delivery in &deliveries {
                store::enqueue(tx, delivery)?;
            }
            Ok(deliveries.len())
        })?;
        enqueued += written;
    }
    Ok(enqueued)
}

/// The delivery of `event` to `subscription`, if it asks for the event and may see it.
fn delivery_of(
    subscription: &Subscription,
    event: &ChainedEvent,
    now: DateTime<Utc>,
    give_up_after: chrono::TimeDelta,
) -> Option<NewDelivery> {
    let kind = EventKind::parse(&event.action).ok()?;
    let webhook_type = subscription.events.webhook_type(kind)?;
    if !subscription
        .subscriber
        .may_see(audience(kind, &event.payload))
    {
        return None;
    }
    let body = message(
        webhook_type,
        kind,
        event.seq,
        &event.entity_id,
        event.occurred_at,
        &event.payload,
    );
    Some(NewDelivery {
        id: format!("msg_{}", Uuid::now_v7().simple()),
        subscription_id: subscription.id,
        event_seq: event.seq,
        event_type: webhook_type.to_owned(),
        body: body.to_string(),
        created_at: now,
        give_up_at: now + give_up_after,
    })
}

/// Sends a delivery of `caller`'s subscription again, from now, retried for another
/// `give_up_after`.
pub fn redeliver(
    conn: &mut DbConnection,
    caller: &Principal,
    subscription: WebhookId,
    delivery: &str,
    now: DateTime<Utc>,
    give_up_after: chrono::TimeDelta,
) -> Result<store::Delivery, AppError> {
    conn.transaction(|tx| {
        visible(tx, caller, subscription)?;
        store::find_delivery(tx, subscription, delivery)?
            .ok_or(AppError::NotFound("the delivery"))?;
        store::redeliver(tx, delivery, now, now + give_up_after)?;
        store::find_delivery(tx, subscription, delivery)?.ok_or(AppError::NotFound("the delivery"))
    })
}
