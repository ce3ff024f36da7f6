//! Webhook subscriptions and their deliveries. A subscription is stored whole as its JSON
//! document, its signing secret sealed by the caller beside it, with the last event of the log
//! considered for it (`cursor`, moved only from the value read, so two processes never
//! enqueue one event twice). A delivery is one (subscription, event) message with its retry
//! state; each attempt is logged.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use hdab_domain::ids::WebhookId;
use hdab_domain::webhooks::{DeliveryStatus, Subscription};

use crate::page::{self, Page};
use crate::schema::{webhook_attempts, webhook_deliveries, webhook_subscriptions};
use crate::{DbConnection, StoreError};

fn decode(id: &str, document: &str) -> Result<Subscription, StoreError> {
    serde_json::from_str(document).map_err(|e| StoreError::corrupt("webhook", id, e))
}

pub fn insert(
    conn: &mut DbConnection,
    subscription: &Subscription,
    sealed_secret: &str,
    cursor: i64,
) -> Result<(), StoreError> {
    let document = serde_json::to_string(subscription)
        .map_err(|e| StoreError::corrupt("webhook", &subscription.id.to_string(), e))?;
    diesel::insert_into(webhook_subscriptions::table)
        .values((
            webhook_subscriptions::id.eq(subscription.id.to_string()),
            webhook_subscriptions::owner.eq(subscription.subscriber.subject.as_str()),
            webhook_subscriptions::document.eq(document),
            webhook_subscriptions::sealed_secret.eq(sealed_secret),
            webhook_subscriptions::cursor.eq(cursor),
            webhook_subscriptions::created_at.eq(subscription.created_at.naive_utc()),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: WebhookId) -> Result<Option<Subscription>, StoreError> {
    webhook_subscriptions::table
        .find(id.to_string())
        .select(webhook_subscriptions::document)
        .first::<String>(conn)
        .optional()?
        .map(|document| decode(&id.to_string(), &document))
        .transpose()
}

pub fn sealed_secret(conn: &mut DbConnection, id: WebhookId) -> Result<Option<String>, StoreError> {
    Ok(webhook_subscriptions::table
        .find(id.to_string())
        .select(webhook_subscriptions::sealed_secret)
        .first(conn)
        .optional()?)
}

pub fn delete(conn: &mut DbConnection, id: WebhookId) -> Result<(), StoreError> {
    let id = id.to_string();
    let deliveries = webhook_deliveries::table
        .filter(webhook_deliveries::subscription_id.eq(&id))
        .select(webhook_deliveries::id);
    diesel::delete(
        webhook_attempts::table.filter(webhook_attempts::delivery_id.eq_any(deliveries)),
    )
    .execute(conn)?;
    diesel::delete(webhook_deliveries::table.filter(webhook_deliveries::subscription_id.eq(&id)))
        .execute(conn)?;
    diesel::delete(webhook_subscriptions::table.find(&id)).execute(conn)?;
    Ok(())
}

/// Subscriptions in id order, a page at a time: `owner`'s only, or everyone's.
pub fn list(
    conn: &mut DbConnection,
    owner: Option<&str>,
    after: Option<WebhookId>,
    limit: usize,
) -> Result<Page<Subscription>, StoreError> {
    let mut query = webhook_subscriptions::table
        .order(webhook_subscriptions::id.asc())
        .select((webhook_subscriptions::id, webhook_subscriptions::document))
        .limit(page::overfetch(limit))
        .into_boxed();
    if let Some(owner) = owner {
        query = query.filter(webhook_subscriptions::owner.eq(owner.to_owned()));
    }
    if let Some(after) = after {
        query = query.filter(webhook_subscriptions::id.gt(after.to_string()));
    }
    let rows: Vec<(String, String)> = query.load(conn)?;
    let items = rows
        .iter()
        .map(|(id, document)| decode(id, document))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(page::from_overfetch(items, limit, |s| s.id.to_string()))
}

/// Every subscription whose last event considered is before `head`, with that event.
pub fn behind(conn: &mut DbConnection, head: i64) -> Result<Vec<(Subscription, i64)>, StoreError> {
    let rows: Vec<(String, String, i64)> = webhook_subscriptions::table
        .filter(webhook_subscriptions::cursor.lt(head))
        .order(webhook_subscriptions::id.asc())
        .select((
            webhook_subscriptions::id,
            webhook_subscriptions::document,
            webhook_subscriptions::cursor,
        ))
        .load(conn)?;
    rows.iter()
        .map(|(id, document, cursor)| Ok((decode(id, document)?, *cursor)))
        .collect()
}

/// Moves a subscription's cursor from `from` to `to`; false when another process moved it
/// first (its deliveries are already enqueued).
pub fn advance(
    conn: &mut DbConnection,
    id: WebhookId,
    from: i64,
    to: i64,
) -> Result<bool, StoreError> {
    let moved = diesel::update(
        webhook_subscriptions::table
            .find(id.to_string())
            .filter(webhook_subscriptions::cursor.eq(from)),
    )
    .set(webhook_subscriptions::cursor.eq(to))
    .execute(conn)?;
    Ok(moved == 1)
}

/// A message to deliver, as enqueued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDelivery {
    pub id: String,
    pub subscription_id: WebhookId,
    pub event_seq: i64,
    pub event_type: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub give_up_at: DateTime<Utc>,
}

pub fn enqueue(conn: &mut DbConnection, delivery: &NewDelivery) -> Result<(), StoreError> {
    diesel::insert_into(webhook_deliveries::table)
        .values((
            webhook_deliveries::id.eq(&delivery.id),
            webhook_deliveries::subscription_id.eq(delivery.subscription_id.to_string()),
            webhook_deliveries::event_seq.eq(delivery.event_seq),
            webhook_deliveries::event_type.eq(&delivery.event_type),
            webhook_deliveries::body.eq(&delivery.body),
            webhook_deliveries::status.eq(DeliveryStatus::Pending.as_str()),
            webhook_deliveries::attempts.eq(0),
            webhook_deliveries::give_up_at.eq(delivery.give_up_at.naive_utc()),
            webhook_deliveries::next_attempt_at.eq(delivery.created_at.naive_utc()),
            webhook_deliveries::created_at.eq(delivery.created_at.naive_utc()),
        ))
        .execute(conn)?;
    Ok(())
}

/// A delivery with its state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub id: String,
    pub subscription_id: WebhookId,
    pub event_seq: i64,
    pub event_type: String,
    pub body: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub give_up_at: DateTime<Utc>,
    pub next_attempt_at: DateTime<Utc>,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub last_latency_ms: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

type DeliveryRow = (
    (String, String, i64, String, String, String, i32),
    (
        NaiveDateTime,
        NaiveDateTime,
        Option<i32>,
        Option<String>,
        Option<i64>,
    ),
    (NaiveDateTime, Option<NaiveDateTime>),
);

macro_rules! delivery_columns {
    () => {
        (
            (
                webhook_deliveries::id,
                webhook_deliveries::subscription_id,
                webhook_deliveries::event_seq,
                webhook_deliveries::event_type,
                webhook_deliveries::body,
                webhook_deliveries::status,
                webhook_deliveries::attempts,
            ),
            (
                webhook_deliveries::give_up_at,
                webhook_deliveries::next_attempt_at,
                webhook_deliveries::last_status,
                webhook_deliveries::last_error,
                webhook_deliveries::last_latency_ms,
            ),
            (
                webhook_deliveries::created_at,
                webhook_deliveries::finished_at,
            ),
        )
    };
}

fn delivery(row: DeliveryRow) -> Result<Delivery, StoreError> {
    let (
        (id, subscription, event_seq, event_type, body, status, attempts),
        (give_up_at, next_attempt_at, last_status, last_error, last_latency_ms),
        (created_at, finished_at),
    ) = row;
    let corrupt = |reason: String| StoreError::corrupt("webhook delivery", &id, reason);
    Ok(Delivery {
        subscription_id: WebhookId::parse(&subscription).map_err(|e| corrupt(e.message))?,
        status: DeliveryStatus::parse(&status).map_err(|e| corrupt(e.message))?,
        id,
        event_seq,
        event_type,
        body,
        attempts,
        give_up_at: give_up_at.and_utc(),
        next_attempt_at: next_attempt_at.and_utc(),
        last_status,
        last_error,
        last_latency_ms,
        created_at: created_at.and_utc(),
        finished_at: finished_at.map(|at| at.and_utc()),
    })
}

/// The deliveries to attempt now: of each subscription, its oldest pending delivery (messages
/// go out in order), when it is due and no process holds it. At most `limit`.
pub fn due(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<Delivery>, StoreError> {
    let heads: Vec<(String, Option<i64>)> = webhook_deliveries::table
        .filter(webhook_deliveries::status.eq(DeliveryStatus::Pending.as_str()))
        .group_by(webhook_deliveries::subscription_id)
        .select((
            webhook_deliveries::subscription_id,
            diesel::dsl::min(webhook_deliveries::event_seq),
        ))
        .load(conn)?;
    let now = now.naive_utc();
    let mut due = Vec::new();
    for (subscription, seq) in heads {
        let Some(seq) = seq else { continue };
        let row: Option<DeliveryRow> = webhook_deliveries::table
            .filter(webhook_deliveries::subscription_id.eq(subscription))
            .filter(webhook_deliveries::event_seq.eq(seq))
            .filter(webhook_deliveries::next_attempt_at.le(now))
            .filter(
                webhook_deliveries::lease_until
                    .is_null()
                    .or(webhook_deliveries::lease_until.lt(now)),
            )
            .select(delivery_columns!())
            .first(conn)
            .optional()?;
        if let Some(row) = row {
            due.push(delivery(row)?);
            if due.len() as i64 >= limit {
                break;
            }
        }
    }
    Ok(due)
}

/// Holds a due delivery for one attempt by this process, until `lease_until`.
pub fn claim(
    conn: &mut DbConnection,
    id: &str,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let now = now.naive_utc();
    let claimed = diesel::update(
        webhook_deliveries::table
            .find(id)
            .filter(webhook_deliveries::status.eq(DeliveryStatus::Pending.as_str()))
            .filter(
                webhook_deliveries::lease_until
                    .is_null()
                    .or(webhook_deliveries::lease_until.lt(now)),
            ),
    )
    .set(webhook_deliveries::lease_until.eq(Some(lease_until.naive_utc())))
    .execute(conn)?;
    Ok(claimed == 1)
}

/// One attempt's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub at: DateTime<Utc>,
    pub status: Option<i32>,
    pub error: Option<String>,
    pub latency_ms: i64,
}

/// Logs `attempt` and moves the delivery on: `Succeeded` or `Failed` for good, or `Pending`
/// until `next_attempt_at`.
pub fn record_attempt(
    conn: &mut DbConnection,
    delivery: &Delivery,
    attempt: &Attempt,
    status: DeliveryStatus,
    next_attempt_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let number = delivery.attempts + 1;
    diesel::insert_into(webhook_attempts::table)
        .values((
            webhook_attempts::delivery_id.eq(&delivery.id),
            webhook_attempts::attempt.eq(number),
            webhook_attempts::attempted_at.eq(attempt.at.naive_utc()),
            webhook_attempts::status.eq(attempt.status),
            webhook_attempts::error.eq(&attempt.error),
            webhook_attempts::latency_ms.eq(attempt.latency_ms),
        ))
        .execute(conn)?;
    let finished = (status != DeliveryStatus::Pending).then(|| attempt.at.naive_utc());
    diesel::update(webhook_deliveries::table.find(&delivery.id))
        .set((
            webhook_deliveries::status.eq(status.as_str()),
            webhook_deliveries::attempts.eq(number),
            webhook_deliveries::next_attempt_at.eq(next_attempt_at.naive_utc()),
            webhook_deliveries::lease_until.eq(None::<NaiveDateTime>),
            webhook_deliveries::last_status.eq(attempt.status),
            webhook_deliveries::last_error.eq(&attempt.error),
            webhook_deliveries::last_latency_ms.eq(Some(attempt.latency_ms)),
            webhook_deliveries::finished_at.eq(finished),
        ))
        .execute(conn)?;
    Ok(())
}

/// A subscription's deliveries, newest event first.
pub fn list_deliveries(
    conn: &mut DbConnection,
    subscription: WebhookId,
    before: Option<i64>,
    limit: usize,
) -> Result<Page<Delivery>, StoreError> {
    let mut query = webhook_deliveries::table
        .filter(webhook_deliveries::subscription_id.eq(subscription.to_string()))
        .order(webhook_deliveries::event_seq.desc())
        .select(delivery_columns!())
        .limit(page::overfetch(limit))
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(webhook_deliveries::event_seq.lt(before));
    }
    let rows: Vec<DeliveryRow> = query.load(conn)?;
    let items = rows
        .into_iter()
        .map(delivery)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(page::from_overfetch(items, limit, |d| {
        d.event_seq.to_string()
    }))
}

pub fn find_delivery(
    conn: &mut DbConnection,
    subscription: WebhookId,
    id: &str,
) -> Result<Option<Delivery>, StoreError> {
    webhook_deliveries::table
        .find(id)
        .filter(webhook_deliveries::subscription_id.eq(subscription.to_string()))
        .select(delivery_columns!())
        .first::<DeliveryRow>(conn)
        .optional()?
        .map(delivery)
        .transpose()
}

/// Sends a delivery again: pending from `now`, retried until `give_up_at`. Its place in the
/// subscription's order is its event's.
pub fn redeliver(
    conn: &mut DbConnection,
    id: &str,
    now: DateTime<Utc>,
    give_up_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    diesel::update(webhook_deliveries::table.find(id))
        .set((
            webhook_deliveries::status.eq(DeliveryStatus::Pending.as_str()),
            webhook_deliveries::next_attempt_at.eq(now.naive_utc()),
            webhook_deliveries::give_up_at.eq(give_up_at.naive_utc()),
            webhook_deliveries::lease_until.eq(None::<NaiveDateTime>),
            webhook_deliveries::finished_at.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(())
}
