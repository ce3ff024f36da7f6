//! hdab's own signing keys: P-256 (ES256) keys kept in PEM files outside the database, readable
//! by their owner only, created on first use. The development token key and the audit
//! checkpoint key are such keys; a key outside the database is what lets a signature vouch
//! for what the database says.

use std::fs::OpenOptions;
use std::io::Write;
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
        let pem = match std::fs::read_to_string(path) {
            Ok(pem) => pem,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => create(path, what)?,
            Err(e) => return Err(format!("cannot read {what} {}: {e}", path.display())),
        };
        let signing = P256Key::from_pkcs8_pem(&pem)
            .map_err(|e| format!("{what} {} is not a P-256 PKCS#8 key: {e}", path.display()))?;
        Self::from_pem(&signing, &pem).map_err(|e| format!("{what}: {e}"))
    }

    fn from_pem(signing: &P256Key, pem: &str) -> Result<Self, String> {
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
    pub fn sign(&self, typ: Option<&str>, claims: &Value) -> Result<String, String> {
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(self.kid.clone());
        if let Some(typ) = typ {
            header.typ = Some(typ.to_owned());
        }
        jsonwebtoken::encode(&header, claims, &self.encoding)
            .map_err(|e| format!("cannot sign: {e}"))
    }

    /// The public key as a JWK (RFC 7517), for a JWKS document.
    pub fn public_jwk(&self) -> Value {
        json!({
            "kty": "EC", "crv": "P-256", "x": self.x, "y": self.y,
            "kid": self.kid, "use": "sig", "alg": "ES256",
        })
    }
}

fn create(path: &Path, what: &str) -> Result<String, String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        hdab_persistence::files::create_private_dir(dir)?;
    }
    let signing = P256Key::random(&mut rand::rngs::OsRng);
    let pem = signing
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| format!("cannot encode {what}: {e}"))?;
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(mut file) => {
            file.write_all(pem.as_bytes())
                .map_err(|e| format!("cannot write {what} {}: {e}", path.display()))?;
            tracing::info!(path = %path.display(), "created {what}");
            Ok(pem.to_string())
        }
        // Another process (`hdab token` beside `hdab serve`) created it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {what} {}: {e}", path.display())),
        Err(e) => Err(format!("cannot create {what} {}: {e}", path.display())),
    }
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
