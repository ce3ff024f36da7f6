//! OIDC mode: tokens from an external issuer, checked against the keys it publishes (JWKS).
//! Keys are cached; a token with an unknown key id triggers one refetch (the issuer may have
//! rotated), at most once per `min_refresh` so that junk tokens cannot make hdab hammer the
//! issuer. A failed fetch is remembered and retried only after a growing backoff, and no
//! request waits for another's fetch longer than the fetch timeout, so a failing or hanging
//! issuer costs callers with unknown keys a quick 503 and callers with cached keys nothing.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use jsonwebtoken::DecodingKey;
use jsonwebtoken::jwk::{JwkSet, PublicKeyUse};
use serde::Deserialize;

use super::{AuthError, invalid};
use crate::outbound::{Outbound, OutboundSettings};

/// The longest wait between two fetches after failures.
const MAX_BACKOFF: Duration = Duration::from_secs(300);
/// A JWKS document larger than this is refused.
const MAX_JWKS_BYTES: usize = 256 * 1024;

pub struct OidcKeys {
    outbound: Outbound,
    issuer: String,
    configured_jwks_url: Option<url::Url>,
    min_refresh: Duration,
    fetch_timeout: Duration,
    cache: RwLock<KeyCache>,
    refreshing: tokio::sync::Mutex<()>,
}

#[derive(Default)]
struct KeyCache {
    keys: HashMap<String, DecodingKey>,
    /// The one key of a JWKS that has a single key without an id.
    anonymous: Option<DecodingKey>,
    fetched_at: Option<Instant>,
    /// Fetches failed in a row, and when the next may be tried.
    failures: u32,
    retry_at: Option<Instant>,
    last_error: Option<String>,
}

#[derive(Deserialize)]
struct Discovery {
    jwks_uri: url::Url,
}

impl OidcKeys {
    /// Keys of `issuer`, fetched through an outbound client that may call the issuer (and its
    /// key set's host) wherever it is: the operator configured them.
    pub fn new(
        issuer: &url::Url,
        jwks_url: Option<url::Url>,
        min_refresh_secs: u64,
        fetch_timeout: Duration,
        outbound: &OutboundSettings,
    ) -> Result<Self, String> {
        let mut policy = outbound.policy.clone().allowing(issuer);
        if let Some(jwks_url) = &jwks_url {
            policy = policy.allowing(jwks_url);
        }
        // No retries inside a fetch: a failed fetch is remembered and retried after a backoff.
        let outbound = Outbound::new(OutboundSettings {
            timeout: fetch_timeout,
            retries: 0,
            policy,
            ..outbound.clone()
        })?;
        let issuer = issuer.as_str();
        Ok(Self {
            outbound,
            issuer: issuer.trim_end_matches('/').to_owned(),
            configured_jwks_url: jwks_url,
            min_refresh: Duration::from_secs(min_refresh_secs),
            fetch_timeout,
            cache: RwLock::new(KeyCache::default()),
            refreshing: tokio::sync::Mutex::new(()),
        })
    }

    pub(super) async fn key_for(&self, kid: Option<&str>) -> Result<DecodingKey, AuthError> {
        if let Some(key) = self.cached(kid) {
            return Ok(key);
        }
        self.backing_off()?;
        // One fetch at a time; the others wait for it, but never longer than a fetch may take.
        let _guard = tokio::time::timeout(self.fetch_timeout, self.refreshing.lock())
            .await
            .map_err(|_| {
                AuthError::KeysUnavailable(
                    "another fetch of the issuer's keys is still waiting for an answer".into(),
                )
            })?;
        // Another request may have refreshed, or failed to, while this one waited.
        if let Some(key) = self.cached(kid) {
            return Ok(key);
        }
        self.backing_off()?;
        if self.refreshed_recently() {
            return Err(unknown_key(kid));
        }
        let fetched = tokio::time::timeout(self.fetch_timeout, self.refresh())
            .await
            .unwrap_or_else(|_| {
                Err(AuthError::KeysUnavailable(format!(
                    "no answer within {} ms",
                    self.fetch_timeout.as_millis()
                )))
            });
        if let Err(error) = fetched {
            self.remember_failure(&error);
            return Err(error);
        }
        self.cached(kid).ok_or_else(|| unknown_key(kid))
    }

    /// Refuses at once while a failed fetch's backoff lasts.
    fn backing_off(&self) -> Result<(), AuthError> {
        let cache = self.read_cache();
        match (cache.retry_at, &cache.last_error) {
            (Some(at), Some(error)) if Instant::now() < at => {
                Err(AuthError::KeysUnavailable(format!(
                    "{error} (not retried for another {} ms)",
                    (at - Instant::now()).as_millis()
                )))
            }
            _ => Ok(()),
        }
    }

    /// Doubles the wait before the next fetch, from the refresh interval (at least a second)
    /// up to five minutes.
    fn remember_failure(&self, error: &AuthError) {
        let mut cache = self.write_cache();
        cache.failures = cache.failures.saturating_add(1);
        let base = self.min_refresh.max(Duration::from_secs(1));
        let backoff = base
            .saturating_mul(2u32.saturating_pow(cache.failures - 1))
            .min(MAX_BACKOFF);
        cache.retry_at = Some(Instant::now() + backoff);
        cache.last_error = Some(error.to_string());
        tracing::warn!(
            error = %error,
            failures = cache.failures,
            retry_in_ms = backoff.as_millis() as u64,
            "cannot fetch the token issuer's keys; tokens with cached keys are still accepted"
        );
    }

    fn read_cache(&self) -> std::sync::RwLockReadGuard<'_, KeyCache> {
        self.cache
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write_cache(&self) -> std::sync::RwLockWriteGuard<'_, KeyCache> {
        self.cache
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn cached(&self, kid: Option<&str>) -> Option<DecodingKey> {
        let cache = self.read_cache();
        match kid {
            Some(kid) => cache.keys.get(kid).cloned(),
            None => cache.anonymous.clone(),
        }
    }

    fn refreshed_recently(&self) -> bool {
        self.read_cache()
            .fetched_at
            .is_some_and(|at| at.elapsed() < self.min_refresh)
    }

    async fn refresh(&self) -> Result<(), AuthError> {
        let url = match &self.configured_jwks_url {
            Some(url) => url.clone(),
            None => self.discover_jwks_url().await?,
        };
        let set: JwkSet = self.fetch_json(url.as_str()).await?;
        let mut fresh = KeyCache {
            fetched_at: Some(Instant::now()),
            ..KeyCache::default()
        };
        let signing_keys = set
            .keys
            .iter()
            .filter(|jwk| !matches!(jwk.common.public_key_use, Some(PublicKeyUse::Encryption)));
        for jwk in signing_keys {
            let Ok(key) = DecodingKey::from_jwk(jwk) else {
                tracing::warn!(kid = ?jwk.common.key_id, "skipping a JWKS key hdab cannot use");
                continue;
            };
            match &jwk.common.key_id {
                Some(kid) => {
                    fresh.keys.insert(kid.clone(), key);
                }
                None if set.keys.len() == 1 => fresh.anonymous = Some(key),
                None => tracing::warn!("skipping a JWKS key without an id in a set of several"),
            }
        }
        tracing::info!(keys = fresh.keys.len(), jwks_url = %url, "fetched the token issuer's keys");
        *self.write_cache() = fresh;
        Ok(())
    }

    async fn discover_jwks_url(&self) -> Result<url::Url, AuthError> {
        let discovery: Discovery = self
            .fetch_json(&format!("{}/.well-known/openid-configuration", self.issuer))
            .await?;
        Ok(discovery.jwks_uri)
    }

    async fn fetch_json<T: serde::de::DeserializeOwned>(&self, url: &str) -> Result<T, AuthError> {
        let unavailable =
            |e: &dyn std::fmt::Display| AuthError::KeysUnavailable(format!("{url}: {e}"));
        let url = url::Url::parse(url).map_err(|e| unavailable(&e))?;
        let answer = self
            .outbound
            .get(&url, MAX_JWKS_BYTES)
            .await
            .map_err(|e| unavailable(&e))?;
        serde_json::from_slice(&answer.body).map_err(|e| unavailable(&e))
    }
}

fn unknown_key(kid: Option<&str>) -> AuthError {
    match kid {
        Some(_) => invalid("the token's key id (kid) is not among the issuer's keys"),
        None => invalid("the token has no key id (kid) and the issuer publishes several keys"),
    }
}
