//! Development mode: hdab signs its own tokens with a P-256 key kept in the data directory, so
//! tokens made by `hdab token` survive restarts. Never for production: whoever can read the
//! data directory can mint an admin token.

use std::path::Path;
use std::time::Duration;

use chrono::Utc;
use hdab_domain::auth::Role;
use jsonwebtoken::DecodingKey;
use serde_json::{Map, Value, json};

use super::{AuthError, DEV_ISSUER, invalid};
use crate::application::signing::SigningKey;
use crate::shell::config::ClaimNames;

const KEY_FILE: &str = "dev-auth-key.pem";

/// The development signing key and what verifies it.
pub struct DevKey(SigningKey);

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
        SigningKey::load_or_create(&data_dir.join(KEY_FILE), "the development signing key")
            .map(Self)
    }

    pub(super) fn decoding_key_for(&self, kid: Option<&str>) -> Result<DecodingKey, AuthError> {
        match kid {
            Some(kid) if kid == self.0.kid() => Ok(self.0.decoding_key().clone()),
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
        self.0.sign(None, claims)
    }
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
    fn claims_go_to_nested_paths() {
        let mut map = Map::new();
        set_at_path(&mut map, "realm_access.roles", json!(["researcher"]));
        assert_eq!(
            Value::Object(map),
            json!({"realm_access": {"roles": ["researcher"]}})
        );
    }
}
