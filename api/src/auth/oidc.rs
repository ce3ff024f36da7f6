//! OIDC mode: tokens from an external issuer, checked against the keys it publishes (JWKS).
//! Keys are cached; a token with an unknown key id triggers one refetch (the issuer may have
//! rotated), at most once per `min_refresh` so that junk tokens cannot make hdab hammer the
//! issuer.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use jsonwebtoken::DecodingKey;
use jsonwebtoken::jwk::{JwkSet, PublicKeyUse};
use serde::Deserialize;

use super::{AuthError, invalid};

const FETCH_TIMEOUT: Duration = Duration::from_secs(5);
/// A JWKS document larger than this is refused.
const MAX_JWKS_BYTES: usize = 256 * 1024;

pub struct OidcKeys {
    client: reqwest::Client,
    issuer: String,
    configured_jwks_url: Option<url::Url>,
    min_refresh: Duration,
    cache: RwLock<KeyCache>,
    refreshing: tokio::sync::Mutex<()>,
}

#[derive(Default)]
struct KeyCache {
    keys: HashMap<String, DecodingKey>,
    /// The one key of a JWKS that has a single key without an id.
    anonymous: Option<DecodingKey>,
    fetched_at: Option<Instant>,
}

#[derive(Deserialize)]
struct Discovery {
    jwks_uri: url::Url,
}

impl OidcKeys {
    pub fn new(
        issuer: &str,
        jwks_url: Option<url::Url>,
        min_refresh_secs: u64,
    ) -> Result<Self, String> {
        crate::tls::install_crypto_provider();
        let client = reqwest::Client::builder()
            .timeout(FETCH_TIMEOUT)
            .user_agent(concat!("hdab/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot build the HTTP client for the token issuer: {e}"))?;
        Ok(Self {
            client,
            issuer: issuer.trim_end_matches('/').to_owned(),
            configured_jwks_url: jwks_url,
            min_refresh: Duration::from_secs(min_refresh_secs),
            cache: RwLock::new(KeyCache::default()),
            refreshing: tokio::sync::Mutex::new(()),
        })
    }

    pub(super) async fn key_for(&self, kid: Option<&str>) -> Result<DecodingKey, AuthError> {
        if let Some(key) = self.cached(kid) {
            return Ok(key);
        }
        let _guard = self.refreshing.lock().await;
        // Another request may have refreshed while this one waited.
        if let Some(key) = self.cached(kid) {
            return Ok(key);
        }
        if self.refreshed_recently() {
            return Err(unknown_key(kid));
        }
        self.refresh().await?;
        self.cached(kid).ok_or_else(|| unknown_key(kid))
    }

    fn cached(&self, kid: Option<&str>) -> Option<DecodingKey> {
        let cache = self
            .cache
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match kid {
            Some(kid) => cache.keys.get(kid).cloned(),
            None => cache.anonymous.clone(),
        }
    }

    fn refreshed_recently(&self) -> bool {
        let cache = self
            .cache
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        cache
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
        *self
            .cache
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = fresh;
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
        let response = self
            .client
            .get(url)
            .send()
            .await
            .map_err(|e| unavailable(&e))?;
        if !response.status().is_success() {
            return Err(unavailable(&format!("HTTP {}", response.status())));
        }
        let body = response.bytes().await.map_err(|e| unavailable(&e))?;
        if body.len() > MAX_JWKS_BYTES {
            return Err(unavailable(&format!(
                "the document exceeds {MAX_JWKS_BYTES} bytes"
            )));
        }
        serde_json::from_slice(&body).map_err(|e| unavailable(&e))
    }
}

fn unknown_key(kid: Option<&str>) -> AuthError {
    match kid {
        Some(_) => invalid("the token's key id (kid) is not among the issuer's keys"),
        None => invalid("the token has no key id (kid) and the issuer publishes several keys"),
    }
}
