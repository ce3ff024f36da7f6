//! The keys that sign visas (ES256). They live in the database, the private key sealed under
//! the key-encryption key from configuration, so every hdab process on one database signs with
//! the same current key. `hdab keys rotate` adds a key and makes it current; a retired key's
//! public half stays published in the JWKS until the last visa it signed has expired (visas
//! live at most the configured visa lifetime). A rotation is an event, so every process's
//! follower reloads the keys.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use chrono::{DateTime, Duration, Utc};
use hdab_domain::event::{Event, PermitKeyRotation};
use hdab_persistence::{DbConnection, permit_keys};
use serde_json::Value;

use super::secrets::KeyEncryptionKey;
use super::signing::{SigningKey, generate_pem, public_point};
use super::{AppError, record};

/// A published key: what the JWKS lists and what verification checks signatures with.
struct PublishedKey {
    jwk: Value,
    /// The uncompressed P-256 point, for `ring`'s verifier.
    point: Vec<u8>,
    retired_at: Option<DateTime<Utc>>,
}

#[derive(Default)]
struct Keyring {
    current: Option<Arc<SigningKey>>,
    published: HashMap<String, PublishedKey>,
}

/// The visa-signing keys of this process, as the database holds them.
pub struct PermitKeys {
    kek: KeyEncryptionKey,
    /// How long a visa lives; a retired key stays published this long after retirement.
    visa_lifetime: Duration,
    keyring: RwLock<Keyring>,
}

impl PermitKeys {
    pub fn new(kek: KeyEncryptionKey, visa_lifetime: Duration) -> Self {
        Self {
            kek,
            visa_lifetime,
            keyring: RwLock::new(Keyring::default()),
        }
    }

    /// Reads the keys from the database, opening the current private key.
    pub fn reload(&self, conn: &mut DbConnection) -> Result<(), AppError> {
        let mut keyring = Keyring::default();
        for stored in permit_keys::all(conn)? {
            let jwk: Value = serde_json::from_str(&stored.public_jwk)
                .map_err(|e| AppError::internal(format!("permit key {}: {e}", stored.kid)))?;
            let coordinate = |name: &str| jwk[name].as_str().unwrap_or_default().to_owned();
            let point = public_point(&coordinate("x"), &coordinate("y"))
                .map_err(|e| AppError::internal(format!("permit key {}: {e}", stored.kid)))?;
            if stored.retired_at.is_none() {
                let pem = self
                    .kek
                    .open(&stored.kid, &stored.sealed_private_key)
                    .map_err(AppError::internal)?;
                let pem = String::from_utf8(pem).map_err(AppError::internal)?;
                let key = SigningKey::from_pem(&pem).map_err(AppError::internal)?;
                keyring.current = Some(Arc::new(key));
            }
            keyring.published.insert(
                stored.kid,
                PublishedKey {
                    jwk,
                    point,
                    retired_at: stored.retired_at,
                },
            );
        }
        *self
            .keyring
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = keyring;
        Ok(())
    }

    /// Makes a new key current, within the caller's write transaction; returns its id. The
    /// caller reloads after the commit (the follower does, on the event).
    pub fn rotate_in(&self, tx: &mut DbConnection, now: DateTime<Utc>) -> Result<String, AppError> {
        let pem = generate_pem("a permit key").map_err(AppError::internal)?;
        let key = SigningKey::from_pem(&pem).map_err(AppError::internal)?;
        let kid = key.kid().to_owned();
        let sealed = self
            .kek
            .seal(&kid, pem.as_bytes())
            .map_err(AppError::internal)?;
        let jwk = key.public_jwk().to_string();
        let retired_kid = permit_keys::add_current(tx, &kid, &jwk, &sealed, now)?;
        let rotation = PermitKeyRotation {
            kid: kid.clone(),
            retired_kid,
        };
        record(tx, "hdab", now, &Event::PermitKeyRotated(rotation))?;
        Ok(kid)
    }

    /// Creates the first key, within the caller's write transaction, when there is none yet
    /// (the first permit does; the follower loads it from the rotation event).
    pub fn ensure_current_in(
        &self,
        tx: &mut DbConnection,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        let has_current = permit_keys::all(tx)?.iter().any(|k| k.retired_at.is_none());
        if !has_current {
            let kid = self.rotate_in(tx, now)?;
            tracing::info!(kid, "created the first visa-signing key");
        }
        Ok(())
    }

    /// The current signing key.
    pub fn current(&self) -> Option<Arc<SigningKey>> {
        self.read().current.clone()
    }

    /// The public keys to publish at `now`: the current one and those retired less than a
    /// visa lifetime ago.
    pub fn published_jwks(&self, now: DateTime<Utc>) -> Vec<Value> {
        let keyring = self.read();
        let mut keys: Vec<(&Option<DateTime<Utc>>, &Value)> = keyring
            .published
            .values()
            .filter(|k| {
                k.retired_at
                    .is_none_or(|retired| retired + self.visa_lifetime > now)
            })
            .map(|k| (&k.retired_at, &k.jwk))
            .collect();
        // The current key first, then the most recently retired.
        keys.sort_by(|a, b| match (a.0, b.0) {
            (None, _) => std::cmp::Ordering::Less,
            (_, None) => std::cmp::Ordering::Greater,
            (Some(x), Some(y)) => y.cmp(x),
        });
        keys.into_iter().map(|(_, jwk)| jwk.clone()).collect()
    }

    /// Verifies an ES256 signature (`r || s`) over `message` by the key `kid`, if that key is
    /// still published at `now`.
    pub fn verify(&self, kid: &str, message: &[u8], signature: &[u8], now: DateTime<Utc>) -> bool {
        let keyring = self.read();
        let Some(key) = keyring.published.get(kid) else {
            return false;
        };
        if key
            .retired_at
            .is_some_and(|retired| retired + self.visa_lifetime <= now)
        {
            return false;
        }
        ring::signature::UnparsedPublicKey::new(
            &ring::signature::ECDSA_P256_SHA256_FIXED,
            &key.point,
        )
        .verify(message, signature)
        .is_ok()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Keyring> {
        self.keyring
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
