//! Signed checkpoints of the event log: hdab signs "the log reached event N with hash H" with
//! a key kept outside the database, publishes the statements, and keeps the newest it signed
//! in its data directory. Deleting the newest events and rewinding the head row then no longer
//! goes unnoticed: `verify` checks the log against the newest checkpoint it holds (or one a
//! partner brings), and a partner that keeps checkpoints can prove the rewrite to anyone
//! with hdab's public key (`/.well-known/jwks.json`).
//!
//! A checkpoint is a compact JWS (ES256, `typ` [`TOKEN_TYPE`]) over
//! `{"iss", "seq", "hash", "iat"}`.

use std::path::PathBuf;

use chrono::{DateTime, TimeZone, Utc};
use hdab_domain::event::ChainHead;
use hdab_persistence::checkpoints::Checkpoint;
use jsonwebtoken::{Algorithm, Validation};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::application::signing::SigningKey;

/// The JWS `typ` of a checkpoint.
pub const TOKEN_TYPE: &str = "hdab-checkpoint+jwt";
/// The file in the data directory that holds the newest checkpoint this instance signed.
const HELD_FILE: &str = "audit-checkpoint.jws";

#[derive(Serialize, Deserialize)]
struct Claims {
    iss: String,
    seq: i64,
    hash: String,
    iat: i64,
}

/// Signs, reads and holds checkpoints.
pub struct Checkpoints {
    key: SigningKey,
    issuer: String,
    held_file: PathBuf,
}

impl Checkpoints {
    /// Loads (or creates) the signing key at `key_file`; `issuer` is hdab's public URL.
    pub fn open(
        key_file: &std::path::Path,
        data_dir: &std::path::Path,
        issuer: &str,
    ) -> Result<Self, String> {
        Ok(Self {
            key: SigningKey::load_or_create(key_file, "the audit checkpoint signing key")?,
            issuer: issuer.to_owned(),
            held_file: data_dir.join(HELD_FILE),
        })
    }

    /// The public key that verifies checkpoints.
    pub fn public_jwk(&self) -> Value {
        self.key.public_jwk()
    }

    /// Signs the statement that the log reached `head` at `now`.
    pub fn sign(&self, head: &ChainHead, now: DateTime<Utc>) -> Result<Checkpoint, String> {
        let signed_at = Utc
            .timestamp_opt(now.timestamp(), 0)
            .single()
            .ok_or("the time is out of range")?;
        let claims = Claims {
            iss: self.issuer.clone(),
            seq: head.seq,
            hash: head.hash.clone(),
            iat: signed_at.timestamp(),
        };
        let claims = serde_json::to_value(&claims).map_err(|e| e.to_string())?;
        Ok(Checkpoint {
            seq: head.seq,
            hash: head.hash.clone(),
            signed_at,
            token: self.key.sign(Some(TOKEN_TYPE), &claims)?,
        })
    }

    /// The checkpoint `token` states, if this hdab signed it; why not otherwise.
    pub fn read(&self, token: &str) -> Result<Checkpoint, String> {
        let header =
            jsonwebtoken::decode_header(token).map_err(|_| "is not a compact JWS".to_owned())?;
        if header.typ.as_deref() != Some(TOKEN_TYPE)
            || header.kid.as_deref() != Some(self.key.kid())
        {
            return Err("is not a checkpoint signed by this hdab's audit key".into());
        }
        // The key vouches for the statement; `iss` only tells a reader where it came from, and
        // a changed public URL must not void the checkpoints signed before.
        let mut validation = Validation::new(Algorithm::ES256);
        validation.set_required_spec_claims::<&str>(&[]);
        validation.validate_exp = false;
        let claims = jsonwebtoken::decode::<Claims>(token, self.key.decoding_key(), &validation)
            .map_err(|_| "does not verify with this hdab's audit key".to_owned())?
            .claims;
        let signed_at = Utc
            .timestamp_opt(claims.iat, 0)
            .single()
            .ok_or("has an out-of-range time")?;
        Ok(Checkpoint {
            seq: claims.seq,
            hash: claims.hash,
            signed_at,
            token: token.to_owned(),
        })
    }

    /// Keeps `checkpoint` as the newest held, unless a newer one is held already.
    pub fn hold(&self, checkpoint: &Checkpoint) -> Result<(), String> {
        if self.held().is_some_and(|held| held.seq >= checkpoint.seq) {
            return Ok(());
        }
        let partial = self.held_file.with_extension("jws.partial");
        std::fs::write(&partial, &checkpoint.token)
            .and_then(|()| std::fs::rename(&partial, &self.held_file))
            .map_err(|e| {
                format!(
                    "cannot keep the checkpoint in {}: {e}",
                    self.held_file.display()
                )
            })
    }

    /// The newest checkpoint this instance holds, if any still verifies.
    pub fn held(&self) -> Option<Checkpoint> {
        let token = std::fs::read_to_string(&self.held_file).ok()?;
        match self.read(token.trim()) {
            Ok(checkpoint) => Some(checkpoint),
            Err(why) => {
                tracing::warn!(file = %self.held_file.display(), why, "the held audit checkpoint does not verify; ignoring it");
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checkpoints(dir: &std::path::Path) -> Checkpoints {
        Checkpoints::open(&dir.join("audit.pem"), dir, "https://hdab.example.eu").unwrap()
    }

    fn head(seq: i64) -> ChainHead {
        ChainHead {
            seq,
            hash: format!("{seq:064x}"),
        }
    }

    #[test]
    fn a_signed_checkpoint_reads_back_and_a_forged_one_does_not() {
        let dir = std::env::temp_dir().join(format!("hdab-cp-{}", uuid::Uuid::new_v4()));
        let ours = checkpoints(&dir);
        let signed = ours.sign(&head(7), Utc::now()).unwrap();
        assert_eq!(ours.read(&signed.token).unwrap(), signed);

        let other_dir = dir.join("other");
        let theirs = checkpoints(&other_dir);
        let forged = theirs.sign(&head(9), Utc::now()).unwrap();
        assert!(
            ours.read(&forged.token).is_err(),
            "another key's checkpoint"
        );
        let mut tampered = signed.token.clone();
        tampered.insert(tampered.len() - 2, 'A');
        assert!(ours.read(&tampered).is_err());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn the_newest_checkpoint_is_held() {
        let dir = std::env::temp_dir().join(format!("hdab-cp-{}", uuid::Uuid::new_v4()));
        let ours = checkpoints(&dir);
        assert_eq!(ours.held(), None);
        let newer = ours.sign(&head(5), Utc::now()).unwrap();
        let older = ours.sign(&head(3), Utc::now()).unwrap();
        ours.hold(&newer).unwrap();
        ours.hold(&older).unwrap();
        assert_eq!(ours.held().map(|c| c.seq), Some(5));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
