//! hdab's own signing keys: P-256 (ES256) keys kept in PEM files outside the database, readable
//! by their owner only, created on first use. The development token key and the audit
//! checkpoint key are such keys; a key outside the database is what lets a signature vouch
//! for what the database says.

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header};
use p256::ecdsa::SigningKey as P256Key;
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// A loaded key: signs compact JWS/JWT and verifies its own signatures.
pub struct SigningKey {
    kid: String,
    x: String,
    y: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl SigningKey {
    /// Reads the key at `path`, creating it (owner-only, in an owner-only folder when new) on
    /// first use. `what` names the key in messages ("the development key").
    pub fn load_or_create(path: &Path, what: &str) -> Result<Self, String> {
        let pem =
            hdab_persistence::files::read_or_create_secret(path, what, || generate_pem(what))?;
        Self::from_pem(&pem).map_err(|e| format!("{what} {}: {e}", path.display()))
    }

    /// The key in a PKCS#8 PEM document.
    pub fn from_pem(pem: &str) -> Result<Self, String> {
        let signing =
            P256Key::from_pkcs8_pem(pem).map_err(|e| format!("not a P-256 PKCS#8 key: {e}"))?;
        let point = signing.verifying_key().to_encoded_point(false);
        let (Some(x), Some(y)) = (point.x(), point.y()) else {
            return Err("the public point is not uncompressed".into());
        };
        let (x, y) = (URL_SAFE_NO_PAD.encode(x), URL_SAFE_NO_PAD.encode(y));
        let encoding = EncodingKey::from_ec_pem(pem.as_bytes()).map_err(|e| e.to_string())?;
        let decoding = DecodingKey::from_ec_components(&x, &y).map_err(|e| e.to_string())?;
        Ok(Self {
            kid: thumbprint(&x, &y),
            x,
            y,
            encoding,
            decoding,
        })
    }

    /// The key id: the RFC 7638 thumbprint of the public key.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    pub fn decoding_key(&self) -> &DecodingKey {
        &self.decoding
    }

    /// Signs `claims` as a compact JWS with this key's id, and `typ` when given.
    pub fn sign(
        &self,
        typ: Option<&str>,
        claims: &impl serde::Serialize,
    ) -> Result<String, String> {
        self.sign_with_jku(typ, None, claims)
    }

    /// [`SigningKey::sign`] with a `jku` header naming where the key is published.
    pub fn sign_with_jku(
        &self,
        typ: Option<&str>,
        jku: Option<&str>,
        claims: &impl serde::Serialize,
    ) -> Result<String, String> {
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(self.kid.clone());
        header.typ = typ.map(str::to_owned);
        header.jku = jku.map(str::to_owned);
        jsonwebtoken::encode(&header, claims, &self.encoding)
            .map_err(|e| format!("cannot sign: {e}"))
    }

    /// The public key as the uncompressed SEC1 point (`04 || x || y`), for fast verification.
    pub fn public_point(&self) -> Result<Vec<u8>, String> {
        public_point(&self.x, &self.y)
    }

    /// The public key as a JWK (RFC 7517), for a JWKS document.
    pub fn public_jwk(&self) -> Value {
        json!({
            "kty": "EC", "crv": "P-256", "x": self.x, "y": self.y,
            "kid": self.kid, "use": "sig", "alg": "ES256",
        })
    }
}

/// A new P-256 key as PKCS#8 PEM.
pub fn generate_pem(what: &str) -> Result<String, String> {
    P256Key::random(&mut rand::rngs::OsRng)
        .to_pkcs8_pem(LineEnding::LF)
        .map(|pem| pem.to_string())
        .map_err(|e| format!("cannot encode {what}: {e}"))
}

/// The uncompressed SEC1 point of a P-256 JWK's coordinates.
pub fn public_point(x: &str, y: &str) -> Result<Vec<u8>, String> {
    let x = URL_SAFE_NO_PAD.decode(x).map_err(|e| format!("x: {e}"))?;
    let y = URL_SAFE_NO_PAD.decode(y).map_err(|e| format!("y: {e}"))?;
    if x.len() != 32 || y.len() != 32 {
        return Err("a P-256 coordinate is 32 bytes".into());
    }
    Ok([&[4u8][..], &x, &y].concat())
}

/// The RFC 7638 JWK thumbprint of a P-256 public key.
fn thumbprint(x: &str, y: &str) -> String {
    let canonical = format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#);
    URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_survives_a_restart_and_is_readable_by_its_owner_only() {
        let dir = tempfile_dir();
        let path = dir.join("keys/test-key.pem");
        let first = SigningKey::load_or_create(&path, "the test key").unwrap();
        let second = SigningKey::load_or_create(&path, "the test key").unwrap();
        assert_eq!(first.kid(), second.kid());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&path), 0o600);
            assert_eq!(mode(&dir.join("keys")), 0o700);
        }
        std::fs::remove_dir_all(dir).unwrap();
    }

    fn tempfile_dir() -> std::path::PathBuf {
        std::env::temp_dir().join(format!("hdab-signing-{}", uuid::Uuid::new_v4()))
    }
}
