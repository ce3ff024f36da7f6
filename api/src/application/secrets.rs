//! Secrets from configuration: 32 random bytes in a file readable by its owner only, created
//! on first use (in the data directory by default, as the development signing key is). Two
//! are used: the key that seals the permit-signing keys in the database, and the key of the
//! opt-out registry's hashes. Neither is ever stored in the database it protects.

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};

/// Reads the 32-byte secret at `path` (base64), creating it on first use.
fn load_or_create(path: &Path, what: &str) -> Result<[u8; 32], String> {
    let text = hdab_persistence::files::read_or_create_secret(path, what, || {
        let mut bytes = [0u8; 32];
        SystemRandom::new()
            .fill(&mut bytes)
            .map_err(|_| format!("no randomness to create {what}"))?;
        Ok(format!("{}\n", STANDARD.encode(bytes)))
    })?;
    let bytes = STANDARD
        .decode(text.trim())
        .map_err(|e| format!("{what} {} is not base64: {e}", path.display()))?;
    <[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| {
        format!(
            "{what} {} must hold 32 bytes (base64), not {}",
            path.display(),
            bytes.len()
        )
    })
}

/// Seals and opens the private keys of visa signing (AES-256-GCM, a random nonce each time,
/// the key id as associated data so a sealed key cannot be moved to another row).
pub struct KeyEncryptionKey(LessSafeKey);

impl KeyEncryptionKey {
    pub fn load_or_create(path: &Path) -> Result<Self, String> {
        let bytes = load_or_create(path, "the permit key-encryption key")?;
        Ok(Self::from_bytes(&bytes))
    }

    fn from_bytes(bytes: &[u8; 32]) -> Self {
        // AES-256 takes any 32 bytes.
        let unbound = UnboundKey::new(&AES_256_GCM, bytes).unwrap_or_else(|_| unreachable!());
        Self(LessSafeKey::new(unbound))
    }

    /// `nonce || ciphertext || tag`, base64.
    pub fn seal(&self, kid: &str, plaintext: &[u8]) -> Result<String, String> {
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new()
            .fill(&mut nonce)
            .map_err(|_| "no randomness for a nonce".to_owned())?;
        let mut sealed = plaintext.to_vec();
        self.0
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(kid.as_bytes()),
                &mut sealed,
            )
            .map_err(|_| "cannot seal the key".to_owned())?;
        Ok(STANDARD.encode([&nonce[..], &sealed].concat()))
    }

    pub fn open(&self, kid: &str, sealed: &str) -> Result<Vec<u8>, String> {
        let bytes = STANDARD
            .decode(sealed)
            .map_err(|e| format!("the sealed key {kid} is not base64: {e}"))?;
        if bytes.len() < NONCE_LEN {
            return Err(format!("the sealed key {kid} is too short"));
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce)
            .map_err(|_| format!("the sealed key {kid} has no nonce"))?;
        let mut buffer = ciphertext.to_vec();
        let plain = self
            .0
            .open_in_place(nonce, Aad::from(kid.as_bytes()), &mut buffer)
            .map_err(|_| {
                format!(
                    "cannot open the permit key {kid}: it was sealed under another key-encryption \
                     key (HDAB_PERMIT_KEY_ENCRYPTION_KEY_FILE) or altered"
                )
            })?;
        Ok(plain.to_vec())
    }
}

/// The keyed hash (HMAC-SHA-256) the opt-out registry stores instead of a pseudonym: without
/// the key, a stored hash cannot be tested against a guessed pseudonym.
pub struct OptOutHasher(hmac::Key);

impl OptOutHasher {
    pub fn load_or_create(path: &Path) -> Result<Self, String> {
        let bytes = load_or_create(path, "the opt-out hashing key")?;
        Ok(Self(hmac::Key::new(hmac::HMAC_SHA256, &bytes)))
    }

    /// A fingerprint of the key (itself a keyed hash, so it reveals nothing of the key), by
    /// which a process started with another key is told apart.
    pub fn fingerprint(&self) -> String {
        self.hash("hdab: the fingerprint of the opt-out hashing key")
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    pub fn hash(&self, pseudonym: &str) -> [u8; 32] {
        let tag = hmac::sign(&self.0, pseudonym.as_bytes());
        let mut hash = [0u8; 32];
        hash.copy_from_slice(tag.as_ref());
        hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_key_opens_under_its_own_id_only() {
        let kek = KeyEncryptionKey::from_bytes(&[7; 32]);
        let sealed = kek.seal("kid-1", b"private").unwrap();
        assert!(!sealed.contains("private"));
        assert_eq!(kek.open("kid-1", &sealed).unwrap(), b"private");
        assert!(kek.open("kid-2", &sealed).is_err());
        let other = KeyEncryptionKey::from_bytes(&[8; 32]);
        assert!(
            other
                .open("kid-1", &sealed)
                .unwrap_err()
                .contains("another")
        );
    }

    #[test]
    fn the_same_pseudonym_hashes_alike_under_one_key_only() {
        let dir = std::env::temp_dir().join(format!("hdab-secrets-{}", uuid::Uuid::new_v4()));
        let one = OptOutHasher::load_or_create(&dir.join("a.key")).unwrap();
        let again = OptOutHasher::load_or_create(&dir.join("a.key")).unwrap();
        let other = OptOutHasher::load_or_create(&dir.join("b.key")).unwrap();
        assert_eq!(one.hash("PSN-1"), again.hash("PSN-1"));
        assert_ne!(one.hash("PSN-1"), other.hash("PSN-1"));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
