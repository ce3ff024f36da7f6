//! OIDC mode: tokens from an external issuer, verified against its JWKS (served here by a
//! local fake issuer).
#![expect(clippy::unwrap_used, reason = "test helpers fail loudly")]

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use hdab_api::shell::config::AuthMode;
use hdab_tests::{TestApp, TestDatabase, publisher_body};
use p256::ecdsa::SigningKey;
use p256::pkcs8::{EncodePrivateKey, LineEnding};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

struct IssuerKey {
    kid: String,
    signing: SigningKey,
}

impl IssuerKey {
    fn new(kid: &str) -> Self {
        Self {
            kid: kid.into(),
            signing: SigningKey::random(&mut rand::rngs::OsRng),
        }
    }

    fn jwk(&self) -> Value {
        let point = self.signing.verifying_key().to_encoded_point(false);
        json!({
            "kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256", "kid": self.kid,
            "x": URL_SAFE_NO_PAD.encode(point.x().unwrap()),
            "y": URL_SAFE_NO_PAD.encode(point.y().unwrap()),
        })
    }

    fn token(&self, issuer: &str, roles: Value) -> String {
        let now = Utc::now().timestamp();
        let claims = json!({
            "iss": issuer, "aud": "hdab", "sub": "kc-user-1", "exp": now + 300, "nbf": now,
            "realm_access": {"roles": roles},
        });
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
        header.kid = Some(self.kid.clone());
        let pem = self.signing.to_pkcs8_pem(LineEnding::LF).unwrap();
        jsonwebtoken::encode(
            &header,
            &claims,
            &jsonwebtoken::EncodingKey::from_ec_pem(pem.as_bytes()).unwrap(),
        )
        .unwrap()
    }
}

async fn serve_keys(issuer: &MockServer, keys: &[&IssuerKey]) {
    issuer.reset().await;
    Mock::given(method("GET"))
        .and(path("/.well-known/openid-configuration"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "issuer": issuer.uri(), "jwks_uri": format!("{}/certs", issuer.uri()),
        })))
        .mount(issuer)
        .await;
    let set: Vec<Value> = keys.iter().map(|k| k.jwk()).collect();
    Mock::given(method("GET"))
        .and(path("/certs"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "keys": set })))
        .mount(issuer)
        .await;
}

async fn spawn_against(issuer: &MockServer) -> TestApp {
    let issuer_url = issuer.uri();
    TestApp::spawn_with(TestDatabase::sqlite(), move |mut settings| {
        settings.auth.claims.roles = "realm_access.roles".into();
        settings.auth.jwks_min_refresh_secs = 0;
        settings.with_auth_mode(AuthMode::Oidc {
            issuer: issuer_url,
            jwks_url: None,
        })
    })
    .await
}

async fn create(app: &TestApp, token: &str) -> reqwest::Response {
    app.post(
        "/api/v1/publishers",
        token,
        &publisher_body(&format!("P {}", uuid::Uuid::new_v4()), "NL"),
    )
    .await
}

#[actix_web::test]
async fn accepts_issuer_tokens_found_through_discovery_with_roles_from_a_nested_claim() {
    let issuer = MockServer::start().await;
    let key = IssuerKey::new("k1");
    serve_keys(&issuer, &[&key]).await;
    let app = spawn_against(&issuer).await;
    let response = create(
        &app,
        &key.token(&issuer.uri(), json!(["hdab_admin", "offline_access"])),
    )
    .await;
    assert_eq!(response.status(), 201);
    let response = create(&app, &key.token(&issuer.uri(), json!(["researcher"]))).await;
    assert_eq!(response.status(), 403);
}

#[actix_web::test]
async fn refetches_the_keys_when_the_issuer_rotates() {
    let issuer = MockServer::start().await;
    let old = IssuerKey::new("old");
    serve_keys(&issuer, &[&old]).await;
    let app = spawn_against(&issuer).await;
    assert_eq!(
        create(&app, &old.token(&issuer.uri(), json!(["hdab_admin"])))
            .await
            .status(),
        201
    );

    let new = IssuerKey::new("new");
    serve_keys(&issuer, &[&new]).await;
    assert_eq!(
        create(&app, &new.token(&issuer.uri(), json!(["hdab_admin"])))
            .await
            .status(),
        201
    );
}

#[actix_web::test]
async fn refuses_a_key_the_issuer_does_not_publish_and_tokens_from_elsewhere() {
    let issuer = MockServer::start().await;
    let published = IssuerKey::new("k1");
    serve_keys(&issuer, &[&published]).await;
    let app = spawn_against(&issuer).await;
    let forged = IssuerKey::new("k2");
    assert_eq!(
        create(&app, &forged.token(&issuer.uri(), json!(["hdab_admin"])))
            .await
            .status(),
        401
    );
    let impostor = IssuerKey {
        kid: "k1".into(),
        signing: SigningKey::random(&mut rand::rngs::OsRng),
    };
    assert_eq!(
        create(&app, &impostor.token(&issuer.uri(), json!(["hdab_admin"])))
            .await
            .status(),
        401
    );
    let other_issuer = published.token("https://other-issuer.example", json!(["hdab_admin"]));
    assert_eq!(create(&app, &other_issuer).await.status(), 401);
}

#[actix_web::test]
async fn an_unreachable_issuer_is_503_not_a_crash() {
    let issuer = MockServer::start().await;
    let key = IssuerKey::new("k1");
    let app = spawn_against(&issuer).await; // no keys mounted: the issuer answers 404
    let response = create(&app, &key.token(&issuer.uri(), json!(["hdab_admin"]))).await;
    assert_eq!(response.status(), 503);
}

/// How many requests the issuer received for its keys.
async fn key_fetches(issuer: &MockServer) -> usize {
    issuer
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == "/certs")
        .count()
}

#[actix_web::test]
async fn a_failing_issuer_is_not_asked_again_for_every_junk_token() {
    let issuer = MockServer::start().await;
    let key = IssuerKey::new("k1");
    serve_keys(&issuer, &[&key]).await;
    let app = spawn_against(&issuer).await;
    let admin = key.token(&issuer.uri(), json!(["hdab_admin"]));
    assert_eq!(create(&app, &admin).await.status(), 201);

    // The issuer starts failing; 200 tokens with unknown key ids arrive.
    issuer.reset().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&issuer)
        .await;
    for n in 0..200 {
        let junk = IssuerKey::new(&format!("junk-{n}"));
        let status = create(&app, &junk.token(&issuer.uri(), json!(["hdab_admin"])))
            .await
            .status();
        assert!(status == 503 || status == 401, "{status}");
    }
    let fetches = key_fetches(&issuer).await
        + issuer
            .received_requests()
            .await
            .unwrap_or_default()
            .iter()
            .filter(|r| r.url.path().ends_with("openid-configuration"))
            .count();
    assert!(fetches <= 3, "the failing issuer was asked {fetches} times");
    assert_eq!(
        create(&app, &admin).await.status(),
        201,
        "a token whose key is cached is still accepted"
    );
}

#[actix_web::test]
async fn a_hanging_issuer_holds_no_request_longer_than_the_fetch_timeout() {
    let issuer = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(std::time::Duration::from_secs(30)))
        .mount(&issuer)
        .await;
    let issuer_url = issuer.uri();
    let app = TestApp::spawn_with(TestDatabase::sqlite(), move |mut settings| {
        settings.auth.jwks_timeout = std::time::Duration::from_secs(1);
        settings.with_auth_mode(AuthMode::Oidc {
            issuer: issuer_url,
            jwks_url: None,
        })
    })
    .await;
    let started = std::time::Instant::now();
    let requests = (0..6).map(|n| {
        let key = IssuerKey::new(&format!("k{n}"));
        let token = key.token(&issuer.uri(), json!(["hdab_admin"]));
        let app = &app;
        async move {
            let started = std::time::Instant::now();
            let status = create(app, &token).await.status();
            (status, started.elapsed())
        }
    });
    for (status, waited) in futures_util::future::join_all(requests).await {
        assert_eq!(status, 503);
        assert!(
            waited < std::time::Duration::from_millis(2500),
            "a request waited {waited:?} for the issuer"
        );
    }
    assert!(started.elapsed() < std::time::Duration::from_secs(3));
}
