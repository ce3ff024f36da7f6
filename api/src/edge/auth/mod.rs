//! Bearer-token authentication.
//!
//! A token is a JWT signed with an asymmetric algorithm by hdab's development key or by the
//! configured OIDC issuer. Symmetric (`HS*`) and `none` tokens are refused outright: accepting
//! HS256 where a public key is expected would let anyone who knows the public key sign tokens.

pub mod dev;
pub mod oidc;
mod verified;

use std::collections::BTreeSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use hdab_domain::auth::{Principal, Role};
use hdab_domain::codes;
use hdab_domain::ids::{CommitteeId, PublisherId};
use hdab_domain::values::Subject;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};

use crate::edge::error::{ApiError, ErrorCode};
use crate::outbound::OutboundSettings;
use crate::shell::config::{AuthMode, AuthSettings, ClaimNames};

/// The issuer of development tokens.
pub const DEV_ISSUER: &str = "hdab-dev";

/// Why a token was refused; the text goes to the caller, so it names no key material.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("{0}")]
    Invalid(String),
    /// The issuer's keys could not be fetched: not the caller's fault.
    #[error("the token issuer's keys cannot be fetched: {0}")]
    KeysUnavailable(String),
}

fn invalid(reason: impl Into<String>) -> AuthError {
    AuthError::Invalid(reason.into())
}

/// Where verification keys come from.
pub enum KeySource {
    Development(dev::DevKey),
    Oidc(Box<oidc::OidcKeys>),
}

impl KeySource {
    async fn key_for(&self, kid: Option<&str>) -> Result<DecodingKey, AuthError> {
        match self {
            Self::Development(key) => key.decoding_key_for(kid),
            Self::Oidc(keys) => keys.key_for(kid).await,
        }
    }
}

/// Checks bearer tokens and turns them into principals.
pub struct TokenVerifier {
    keys: KeySource,
    issuer: String,
    audience: String,
    claims: ClaimNames,
    leeway_secs: u64,
    /// Development tokens live at most this long: a leaked one must not work for years.
    max_lifetime: Option<std::time::Duration>,
    verified: verified::VerifiedTokens,
}

const ACCEPTED_ALGORITHMS: &[Algorithm] = &[
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::EdDSA,
];

impl TokenVerifier {
    /// The verifier for the configured mode; in development mode the key is created in
    /// `data_dir` on first use.
    pub fn from_settings(
        auth: &AuthSettings,
        data_dir: &std::path::Path,
        outbound: &OutboundSettings,
    ) -> Result<Self, String> {
        let max_lifetime = (auth.mode == AuthMode::Development).then_some(auth.dev_token_max_ttl);
        let (keys, issuer) = match &auth.mode {
            AuthMode::Development => (
                KeySource::Development(dev::DevKey::load_or_create(data_dir)?),
                DEV_ISSUER.to_owned(),
            ),
            AuthMode::Oidc { issuer, jwks_url } => (
                KeySource::Oidc(Box::new(oidc::OidcKeys::new(
                    &url::Url::parse(issuer).map_err(|e| format!("the issuer URL: {e}"))?,
                    jwks_url.clone(),
                    auth.jwks_min_refresh_secs,
                    auth.jwks_timeout,
                    outbound,
                )?)),
                issuer.clone(),
            ),
        };
        Ok(Self {
            keys,
            issuer,
            audience: auth.audience.clone(),
            claims: auth.claims.clone(),
            leeway_secs: auth.leeway_secs,
            max_lifetime,
            verified: verified::VerifiedTokens::default(),
        })
    }

    pub async fn verify(&self, token: &str) -> Result<Principal, AuthError> {
        let now = chrono::Utc::now().timestamp();
        if let Some(principal) = self.verified.get(token, now) {
            return Ok(principal);
        }
        let header = jsonwebtoken::decode_header(token).map_err(|_| {
            invalid("the token is not a well-formed JWT with a supported algorithm")
        })?;
        if !ACCEPTED_ALGORITHMS.contains(&header.alg) {
            return Err(invalid(format!(
                "algorithm {:?} is not accepted; tokens must be signed with an asymmetric key",
                header.alg
            )));
        }
        let key = self.keys.key_for(header.kid.as_deref()).await?;
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = self.leeway_secs;
        let data = jsonwebtoken::decode::<Map<String, Value>>(token, &key, &validation)
            .map_err(|e| invalid(describe_jwt_error(&e)))?;
        self.check_lifetime(&data.claims)?;
        let principal = principal_from_claims(&data.claims, &self.claims)?;
        let leeway = i64::try_from(self.leeway_secs).unwrap_or(0);
        let at = |claim: &str| data.claims.get(claim).and_then(Value::as_i64);
        if let Some(exp) = at("exp") {
            let valid_from = at("nbf").map_or(i64::MIN, |nbf| nbf - leeway);
            self.verified
                .remember(token, &principal, valid_from, exp + leeway);
        }
        Ok(principal)
    }

    /// Refuses a token that is valid for longer from now than the maximum lifetime.
    fn check_lifetime(&self, claims: &Map<String, Value>) -> Result<(), AuthError> {
        let Some(max) = self.max_lifetime else {
            return Ok(());
        };
        let expires = claims
            .get("exp")
            .and_then(Value::as_i64)
            .unwrap_or(i64::MAX);
        let remaining = expires.saturating_sub(chrono::Utc::now().timestamp());
        let allowed =
            i64::try_from(max.as_secs().saturating_add(self.leeway_secs)).unwrap_or(i64::MAX);
        if remaining > allowed {
            return Err(invalid(format!(
                "the token is valid for longer than development tokens may be ({} days)",
                max.as_secs() / 86_400
            )));
        }
        Ok(())
    }
}

fn describe_jwt_error(error: &jsonwebtoken::errors::Error) -> String {
    use jsonwebtoken::errors::ErrorKind;
    match error.kind() {
        ErrorKind::ExpiredSignature => "the token has expired".into(),
        ErrorKind::ImmatureSignature => "the token is not valid yet (nbf)".into(),
        ErrorKind::InvalidIssuer => "the token's issuer (iss) is not the configured one".into(),
        ErrorKind::InvalidAudience => "the token's audience (aud) is not this service".into(),
        ErrorKind::InvalidSignature => "the token's signature does not verify".into(),
        ErrorKind::MissingRequiredClaim(claim) => format!("the token lacks the `{claim}` claim"),
        ErrorKind::InvalidAlgorithm => "the token's algorithm does not match its key".into(),
        _ => "the token cannot be verified".into(),
    }
}

/// Reads the subject, roles and scopes. Roles hdab does not know are ignored (an identity
/// provider issues roles for other services too); malformed scope ids are refused.
fn principal_from_claims(
    claims: &Map<String, Value>,
    names: &ClaimNames,
) -> Result<Principal, AuthError> {
    let subject = claims
        .get("sub")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("the token's `sub` claim must be a string"))?;
    let subject =
        Subject::parse(subject).map_err(|e| invalid(format!("the token's `sub` {}", e.message)))?;
    let roles: BTreeSet<Role> = strings_at(claims, &names.roles)?
        .iter()
        .filter_map(|r| Role::parse(r).ok())
        .collect();
    let publishers = ids_at(claims, &names.publishers, PublisherId::parse)?;
    let committees = ids_at(claims, &names.committees, CommitteeId::parse)?;
    Ok(Principal {
        subject,
        roles,
        publishers,
        committees,
    })
}

/// The strings at a dotted claim path: absent is empty, a single string is one item.
fn strings_at(claims: &Map<String, Value>, path: &str) -> Result<Vec<String>, AuthError> {
    let mut segments = path.split('.');
    let first = segments.next().unwrap_or(path);
    let mut value = claims.get(first);
    for segment in segments {
        value = value.and_then(|v| v.get(segment));
    }
    match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(vec![s.clone()]),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| {
                item.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| invalid(format!("the token's `{path}` claim must hold strings")))
            })
            .collect(),
        Some(_) => Err(invalid(format!(
            "the token's `{path}` claim must be a string or a list of strings"
        ))),
    }
}

fn ids_at<T: Ord>(
    claims: &Map<String, Value>,
    path: &str,
    parse: impl Fn(&str) -> Result<T, hdab_domain::ValueError>,
) -> Result<BTreeSet<T>, AuthError> {
    strings_at(claims, path)?
        .iter()
        .map(|id| {
            parse(id).map_err(|e| invalid(format!("the token's `{path}` claim: {}", e.message)))
        })
        .collect()
}

/// The caller of a request: anonymous, or the principal of a verified token. A token that is
/// present but not accepted is refused even where anonymous access would do, so a client
/// learns at once that its credentials are wrong.
pub struct Caller(Option<Principal>);

const CHALLENGE: &str = "Bearer realm=\"hdab\"";

impl Caller {
    pub fn principal(&self) -> Option<&Principal> {
        self.0.as_ref()
    }

    /// The principal, if it holds one of `roles`: 401 for anonymous callers, 403 without.
    pub fn require_any(&self, roles: &[Role]) -> Result<&Principal, ApiError> {
        let principal = self.0.as_ref().ok_or_else(|| {
            ApiError::new(
                ErrorCode::Unauthenticated,
                "send a bearer token in the Authorization header",
            )
            .with_header(header::WWW_AUTHENTICATE, CHALLENGE)
        })?;
        if roles.iter().any(|role| principal.has_role(*role)) {
            return Ok(principal);
        }
        let names: Vec<&str> = roles.iter().map(Role::as_str).collect();
        Err(ApiError::new(
            ErrorCode::Forbidden,
            format!("this needs the role {}", names.join(" or ")),
        )
        .with_header(
            header::WWW_AUTHENTICATE,
            format!("{CHALLENGE}, error=\"insufficient_scope\""),
        ))
    }
}

/// A role requirement checked while the request is extracted, before its body or headers are
/// parsed, so an unauthenticated caller gets 401 (and a caller without the role 403) whatever
/// else is wrong with the request.
pub trait RoleRequirement {
    const ROLES: &'static [Role];
}

/// Only HDAB administrators.
pub struct AdminOnly;

impl RoleRequirement for AdminOnly {
    const ROLES: &'static [Role] = &[Role::HdabAdmin];
}

/// Data holders (for their own publishers) and HDAB administrators.
pub struct DatasetWriter;

impl RoleRequirement for DatasetWriter {
    const ROLES: &'static [Role] = &[Role::DataHolder, Role::HdabAdmin];
}

/// Researchers, who file applications.
pub struct Researcher;

impl RoleRequirement for Researcher {
    const ROLES: &'static [Role] = &[Role::Researcher];
}

/// Everyone who can have a part in an application or its permit: its researcher, the
/// reviewing committees' members, the data holders of its datasets and admins. Which
/// application or permit each may see is its own rule.
pub struct ApplicationParty;

impl RoleRequirement for ApplicationParty {
    const ROLES: &'static [Role] = &[
        Role::Researcher,
        Role::DacMember,
        Role::DataHolder,
        Role::HdabAdmin,
    ];
}

/// Those who check visas presented to them: partners (secure processing environments), data
/// holders and admins.
pub struct VisaVerifier;

impl RoleRequirement for VisaVerifier {
    const ROLES: &'static [Role] = &[Role::Partner, Role::DataHolder, Role::HdabAdmin];
}

/// Those who push dataset descriptions in bulk: data holders and partner systems, for the
/// publishers in their token, and admins.
pub struct CatalogueFeeder;

impl RoleRequirement for CatalogueFeeder {
    const ROLES: &'static [Role] = &[Role::DataHolder, Role::Partner, Role::HdabAdmin];
}

/// Those who subscribe to webhooks: partner systems, data holders and admins (each is sent
/// what it may follow in the change feed).
pub struct WebhookSubscriber;

impl RoleRequirement for WebhookSubscriber {
    const ROLES: &'static [Role] = &[Role::Partner, Role::DataHolder, Role::HdabAdmin];
}

/// The opt-out registry (EHDS Art 71).
pub struct OptOutRegistry;

impl RoleRequirement for OptOutRegistry {
    const ROLES: &'static [Role] = &[Role::OptoutRegistry];
}

/// A caller holding one of `R::ROLES`.
pub struct Authorized<R> {
    pub principal: Principal,
    requirement: std::marker::PhantomData<R>,
}

impl<R: RoleRequirement> FromRequest for Authorized<R> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let caller = Caller::from_request(req, payload);
        Box::pin(async move {
            let caller = caller.await?;
            let principal = caller.require_any(R::ROLES)?.clone();
            Ok(Self {
                principal,
                requirement: std::marker::PhantomData,
            })
        })
    }
}

fn invalid_token(reason: &str) -> ApiError {
    let description = reason.replace('"', "'");
    ApiError::new(ErrorCode::InvalidToken, reason).with_header(
        header::WWW_AUTHENTICATE,
        format!("{CHALLENGE}, error=\"invalid_token\", error_description=\"{description}\""),
    )
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let token = bearer_token(req);
        let verifier = req
            .app_data::<web::Data<TokenVerifier>>()
            .map(|v| Arc::clone(v));
        Box::pin(async move {
            let Some(token) = token? else {
                return Ok(Caller(None));
            };
            let verifier =
                verifier.ok_or_else(|| ApiError::internal("token verifier not configured"))?;
            match verifier.verify(&token).await {
                Ok(principal) => Ok(Caller(Some(principal))),
                Err(AuthError::Invalid(reason)) => Err(invalid_token(&reason)),
                Err(unavailable @ AuthError::KeysUnavailable(_)) => Err(ApiError::unavailable(
                    "the token issuer cannot be reached; try again shortly",
                    unavailable,
                )),
            }
        })
    }
}

/// The bearer token of the request, if it sends one. Two `Authorization` headers are refused:
/// hdab and a proxy in front of it could each pick a different one. The scheme is
/// case-insensitive (RFC 9110 §11.1).
fn bearer_token(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let mut headers = req.headers().get_all(header::AUTHORIZATION);
    let Some(value) = headers.next() else {
        return Ok(None);
    };
    if headers.next().is_some() {
        return Err(ApiError::new(
            ErrorCode::MalformedHeader,
            "send one Authorization header, not several",
        )
        .with_code(codes::DUPLICATE_AUTHORIZATION));
    }
    let value = value
        .to_str()
        .map_err(|_| invalid_token("the Authorization header is not plain text"))?;
    let (scheme, token) = value.trim().split_once(' ').unwrap_or((value, ""));
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
        return Err(invalid_token(
            "the Authorization header must be `Bearer <token>`",
        ));
    }
    Ok(Some(token.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn names() -> ClaimNames {
        ClaimNames {
            roles: "realm_access.roles".into(),
            publishers: "publishers".into(),
            committees: "committees".into(),
        }
    }

    fn claims(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn roles_are_read_from_a_nested_claim_and_unknown_ones_ignored() {
        let principal = principal_from_claims(
            &claims(
                json!({"sub": "ana", "realm_access": {"roles": ["researcher", "offline_access"]}}),
            ),
            &names(),
        )
        .unwrap();
        assert_eq!(principal.roles, BTreeSet::from([Role::Researcher]));
    }

    #[test]
    fn a_malformed_publisher_scope_is_refused() {
        let error = principal_from_claims(
            &claims(json!({"sub": "ana", "publishers": ["p-1"]})),
            &names(),
        )
        .unwrap_err();
        assert!(error.to_string().contains("publishers"));
    }

    #[test]
    fn a_single_string_claim_counts_as_one_item() {
        let id = PublisherId::generate();
        let principal = principal_from_claims(
            &claims(json!({"sub": "ana", "publishers": id.to_string()})),
            &names(),
        )
        .unwrap();
        assert!(principal.publishers.contains(&id));
    }
}
