//! Development mode: hdab signs its own tokens with a P-256 key kept in the data directory, so
//! tokens made by `hdab token` survive restarts. Never for production: whoever can read the
//! data directory can mint an admin token.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use hdab_domain::auth::Role;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header};
use p256::ecdsa::SigningKey;
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::{AuthError, DEV_ISSUER, invalid};
use crate::config::ClaimNames;

const KEY_FILE: &str = "dev-auth-key.pem";

/// The development signing key and what verifies it.
pub struct DevKey {
    kid: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
}

/// What a development token says.
#[derive(Debug, Clone)]
pub struct TokenRequest {
    pub subject: String,
    pub roles: Vec<Role>,
    pub publishers: Vec<String>,
    pub committees: Vec<String>,
    pub ttl: Duration,
}

impl DevKey {
    /// Reads the key from `data_dir`, creating it (readable by the owner only) on first use.
    pub fn load_or_create(data_dir: &Path) -> Result<Self, String> {
        let path = data_dir.join(KEY_FILE);
        let pem = match std::fs::read_to_string(&path) {
            Ok(pem) => pem,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => create_key_file(data_dir, &path)?,
            Err(e) => {
                return Err(format!(
                    "cannot read the development key {}: {e}",
                    path.display()
                ));
            }
        };
        let signing = SigningKey::from_pkcs8_pem(&pem).map_err(|e| {
            format!(
                "the development key {} is not a P-256 PKCS#8 key: {e}",
                path.display()
            )
        })?;
        Self::from_signing_key(&signing, &pem)
    }

    fn from_signing_key(signing: &SigningKey, pem: &str) -> Result<Self, String> {
        let point = signing.verifying_key().to_encoded_point(false);
        let (Some(x), Some(y)) = (point.x(), point.y()) else {
            return Err("the development key's public point is not uncompressed".into());
        };
        let (x, y) = (URL_SAFE_NO_PAD.encode(x), URL_SAFE_NO_PAD.encode(y));
        let encoding = EncodingKey::from_ec_pem(pem.as_bytes())
            .map_err(|e| format!("development key: {e}"))?;
        let decoding =
            DecodingKey::from_ec_components(&x, &y).map_err(|e| format!("development key: {e}"))?;
        Ok(Self {
            kid: thumbprint(&x, &y),
            encoding,
            decoding,
        })
    }

    pub(super) fn decoding_key_for(&self, kid: Option<&str>) -> Result<DecodingKey, AuthError> {
        match kid {
            Some(kid) if kid == self.kid => Ok(self.decoding.clone()),
            Some(_) => Err(invalid("the token's key id (kid) is not known")),
            None => Err(invalid("the token has no key id (kid)")),
        }
    }

    /// Signs a development token for `request`, with roles and scopes at the configured claims.
    pub fn issue(
        &self,
        request: &TokenRequest,
        audience: &str,
        claims: &ClaimNames,
    ) -> Result<String, String> {
        let now = Utc::now().timestamp();
        let ttl = i64::try_from(request.ttl.as_secs())
            .map_err(|_| "the token lifetime is too long".to_owned())?;
        let mut body = json!({
            "iss": DEV_ISSUER,
            "aud": audience,
            "sub": request.subject,
            "iat": now,
            "nbf": now,
            "exp": now.saturating_add(ttl),
            "jti": uuid::Uuid::new_v4().to_string(),
        });
        let roles: Vec<&str> = request.roles.iter().map(Role::as_str).collect();
        if let Some(map) = body.as_object_mut() {
            set_at_path(map, &claims.roles, json!(roles));
            set_at_path(map, &claims.publishers, json!(request.publishers));
            set_at_path(map, &claims.committees, json!(request.committees));
        }
        self.sign(&body)
    }

    /// Signs arbitrary claims with this key (tests use it to make expired or foreign tokens).
    pub fn sign(&self, claims: &Value) -> Result<String, String> {
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.encoding)
            .map_err(|e| format!("cannot sign the token: {e}"))
    }
}

fn create_key_file(data_dir: &Path, path: &PathBuf) -> Result<String, String> {
    std::fs::create_dir_all(data_dir).map_err(|e| {
        format!(
            "cannot create the data directory {}: {e}",
            data_dir.display()
        )
    })?;
    let signing = SigningKey::random(&mut rand::rngs::OsRng);
    let pem = signing
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| format!("cannot encode the development key: {e}"))?;
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(mut file) => {
            file.write_all(pem.as_bytes())
                .map_err(|e| format!("cannot write the development key {}: {e}", path.display()))?;
            tracing::info!(path = %path.display(), "created a development signing key");
            Ok(pem.to_string())
        }
        // Another process (`hdab token` beside `hdab serve`) created it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the development key {}: {e}", path.display())),
        Err(e) => Err(format!(
            "cannot create the development key {}: {e}",
            path.display()
        )),
    }
}

/// The RFC 7638 JWK thumbprint, used as the key id.
fn thumbprint(x: &str, y: &str) -> String {
    let canonical = format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#);
    URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
}

fn set_at_path(map: &mut Map<String, Value>, path: &str, value: Value) {
    match path.split_once('.') {
        None => {
            map.insert(path.to_owned(), value);
        }
        Some((head, rest)) => {
            let child = map.entry(head.to_owned()).or_insert_with(|| json!({}));
            if let Some(child) = child.as_object_mut() {
                set_at_path(child, rest, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_survives_a_restart() {
        let dir = std::env::temp_dir().join(format!("hdab-devkey-{}", uuid::Uuid::new_v4()));
        let first = DevKey::load_or_create(&dir).unwrap();
        let second = DevKey::load_or_create(&dir).unwrap();
        assert_eq!(first.kid, second.kid);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn claims_go_to_nested_paths() {
        let mut map = Map::new();
        set_at_path(&mut map, "realm_access.roles", json!(["researcher"]));
        assert_eq!(
            Value::Object(map),
            json!({"realm_access": {"roles": ["researcher"]}})
        );
    }
}
