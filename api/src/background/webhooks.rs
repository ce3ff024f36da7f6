//! Delivering webhooks: a loop beside the job runner turns new events into deliveries
//! (`application::webhooks::enqueue_new`) and sends each subscription's oldest pending one
//! when it is due, every send a task of its own, so a slow or dead receiver holds up only its
//! own subscription. A send is signed as Standard Webhooks says (`webhook-id`,
//! `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256 of id.timestamp.body>`);
//! a receiver that does not answer 2xx gets it again with exponential backoff and jitter
//! until the delivery gives up (24 hours by default) and is marked failed.

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use hdab_domain::webhooks::DeliveryStatus;
use hdab_persistence::webhooks::{self as store, Attempt, Delivery};
use hdab_persistence::{DbConnection, Pool};
use rand::Rng;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use ring::hmac;
use tokio::sync::Semaphore;

use crate::application::secrets::KeyEncryptionKey;
use crate::application::webhooks::{endpoint, enqueue_new};
use crate::application::{AppError, Clock};
use crate::outbound::{Outbound, OutboundError};

/// How webhooks are delivered, from configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WebhookSettings {
    /// The longest one delivery attempt may take.
    pub timeout: Duration,
    /// The wait before the first retry; each later one waits four times longer (at most six
    /// hours), with jitter.
    pub first_retry: Duration,
    /// How long after it was enqueued a delivery is retried before it fails.
    pub give_up_after: Duration,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(10),
            first_retry: Duration::from_secs(5),
            give_up_after: Duration::from_secs(24 * 3600),
        }
    }
}

/// How often the loop looks for new events and due deliveries.
const TICK: Duration = Duration::from_millis(250);
/// Sends in flight at once, over all subscriptions.
const IN_FLIGHT: usize = 32;
/// The longest wait between two retries.
const MAX_RETRY_WAIT: Duration = Duration::from_secs(6 * 3600);

pub struct WebhookSender {
    pub pool: Pool,
    /// Follows no redirect; the outbound address policy applies.
    pub outbound: Outbound,
    pub kek: Arc<KeyEncryptionKey>,
    pub clock: Clock,
    pub settings: WebhookSettings,
    in_flight: Arc<Semaphore>,
}

impl WebhookSender {
    pub fn new(
        pool: Pool,
        outbound: Outbound,
        kek: Arc<KeyEncryptionKey>,
        clock: Clock,
        settings: WebhookSettings,
    ) -> Self {
        Self {
            pool,
            outbound,
            kek,
            clock,
            settings,
            in_flight: Arc::new(Semaphore::new(IN_FLIGHT)),
        }
    }

    /// Runs until `stopped` says so.
    pub async fn run(self: Arc<Self>, mut stopped: tokio::sync::watch::Receiver<bool>) {
        loop {
            tokio::select! {
                _ = stopped.changed() => break,
                _ = actix_web::rt::time::sleep(TICK) => {}
            }
            if let Err(error) = Arc::clone(&self).round().await {
                tracing::warn!(error = %error, "a webhook round failed; retrying");
            }
        }
    }

    /// Enqueues what is new, then starts a send for each due delivery a free slot allows.
    async fn round(self: Arc<Self>) -> Result<(), AppError> {
        let (now, give_up) = (self.clock.now(), self.give_up_after());
        let free = self.in_flight.available_permits();
        let claimed = self
            .db(move |conn| {
                let enqueued = enqueue_new(conn, now, give_up)?;
                if enqueued > 0 {
                    tracing::debug!(enqueued, "enqueued webhook deliveries");
                }
                let lease_until = now + chrono::TimeDelta::seconds(600);
                let due = store::due(conn, now, i64::try_from(free).unwrap_or(0))?;
                let mut claimed = Vec::new();
                for delivery in due {
                    if store::claim(conn, &delivery.id, now, lease_until)? {
                        claimed.push(delivery);
                    }
                }
                Ok(claimed)
            })
            .await?;
        for delivery in claimed {
            let Ok(permit) = Arc::clone(&self.in_flight).try_acquire_owned() else {
                break;
            };
            let sender = Arc::clone(&self);
            actix_web::rt::spawn(async move {
                if let Err(error) = sender.deliver(delivery).await {
                    tracing::warn!(error = %error, "could not record a webhook attempt; its lease lapses and it is sent again");
                }
                drop(permit);
            });
        }
        Ok(())
    }

    fn give_up_after(&self) -> chrono::TimeDelta {
        chrono::TimeDelta::from_std(self.settings.give_up_after)
            .unwrap_or(chrono::TimeDelta::days(1))
    }

    /// One attempt of `delivery`, and its outcome recorded.
    async fn deliver(&self, delivery: Delivery) -> Result<(), AppError> {
        let (kek, subscription) = (Arc::clone(&self.kek), delivery.subscription_id);
        let Some((url, key)) = self
            .db(move |conn| endpoint(conn, &kek, subscription))
            .await?
        else {
            return Ok(());
        };
        let at = self.clock.now();
        let started = Instant::now();
        let sent = match url::Url::parse(url.as_str()) {
            Ok(url) => {
                let headers = signed_headers(&key, &delivery.id, at, &delivery.body);
                let send = self
                    .outbound
                    .post_once(&url, headers, delivery.body.clone());
                match actix_web::rt::time::timeout(self.settings.timeout, send).await {
                    Ok(sent) => sent,
                    Err(_) => Err(OutboundError::Transport(format!(
                        "no answer within {} s",
                        self.settings.timeout.as_secs()
                    ))),
                }
            }
            Err(error) => Err(OutboundError::Refused(error.to_string())),
        };
        let latency_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
        let attempt = match &sent {
            Ok(status) => Attempt {
                at,
                status: Some(i32::from(status.as_u16())),
                error: (!status.is_success()).then(|| format!("the receiver answered {status}")),
                latency_ms,
            },
            Err(error) => Attempt {
                at,
                status: None,
                error: Some(error.to_string()),
                latency_ms,
            },
        };
        let succeeded = sent.as_ref().is_ok_and(|s| s.is_success());
        let finished_at = self.clock.now();
        let (status, next) = if succeeded {
            (DeliveryStatus::Succeeded, finished_at)
        } else if finished_at >= delivery.give_up_at {
            (DeliveryStatus::Failed, finished_at)
        } else {
            (
                DeliveryStatus::Pending,
                finished_at + self.retry_wait(delivery.attempts),
            )
        };
        if status == DeliveryStatus::Failed {
            tracing::warn!(delivery = %delivery.id, subscription = %delivery.subscription_id, attempts = delivery.attempts + 1, "a webhook delivery gave up");
        }
        self.db(move |conn| {
            Ok(store::record_attempt(
                conn, &delivery, &attempt, status, next,
            )?)
        })
        .await
    }

    /// The wait after attempt `attempts + 1` failed: four times the last, with ±20% jitter.
    fn retry_wait(&self, attempts: i32) -> chrono::TimeDelta {
        let exponent = u32::try_from(attempts).unwrap_or(0).min(16);
        let wait = self
            .settings
            .first_retry
            .saturating_mul(4u32.saturating_pow(exponent))
            .min(MAX_RETRY_WAIT);
        let jitter = rand::thread_rng().gen_range(0.8..1.2);
        chrono::TimeDelta::from_std(wait.mul_f64(jitter)).unwrap_or(chrono::TimeDelta::hours(1))
    }

    async fn db<T, F>(&self, work: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, AppError> + Send + 'static,
    {
        super::on_pool(&self.pool, work).await
    }
}

/// The Standard Webhooks headers of a message: its id, the time of this attempt, and the
/// signature `v1,<base64 HMAC-SHA256 over "id.timestamp.body">` with the subscription's key.
pub fn signed_headers(key: &[u8], id: &str, at: DateTime<Utc>, body: &str) -> HeaderMap {
    let timestamp = at.timestamp().to_string();
    let signed = format!("{id}.{timestamp}.{body}");
    let tag = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), signed.as_bytes());
    let signature = format!("v1,{}", STANDARD.encode(tag.as_ref()));
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    for (name, value) in [
        ("webhook-id", id),
        ("webhook-timestamp", timestamp.as_str()),
        ("webhook-signature", signature.as_str()),
    ] {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(name, value);
        }
    }
    headers
}
