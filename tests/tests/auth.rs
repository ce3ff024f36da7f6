//! Authentication: every way a token is refused, and what roles may do.
#![expect(clippy::unwrap_used, reason = "test helpers fail loudly")]

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use hdab_domain::auth::Role;
use hdab_tests::{TestApp, TestDatabase, on_both_backends, problem, publisher_body};
use serde_json::{Value, json};

on_both_backends!(
    writes_without_a_token_are_401_with_a_challenge,
    refuses_every_bad_token_with_401,
    a_valid_token_without_the_role_is_403,
    reads_are_public,
    authentication_is_checked_before_the_request_is_parsed,
);

fn claims(app: &TestApp, overrides: Value) -> Value {
    let now = Utc::now().timestamp();
    let mut claims = json!({
        "iss": "hdab-dev", "aud": app.settings.auth.audience, "sub": "admin",
        "iat": now, "nbf": now, "exp": now + 600, "roles": ["hdab_admin"],
    });
    for (key, value) in overrides.as_object().unwrap() {
        if value.is_null() {
            claims.as_object_mut().unwrap().remove(key);
        } else {
            claims[key] = value.clone();
        }
    }
    claims
}

fn unsigned(claims: &Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    format!("{header}.{}.", URL_SAFE_NO_PAD.encode(claims.to_string()))
}

/// An HS256 token whose secret is the public key: the classic algorithm-confusion attack.
fn hs256_signed(claims: &Value) -> String {
    let header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    let key = jsonwebtoken::EncodingKey::from_secret(b"public key material");
    jsonwebtoken::encode(&header, claims, &key).unwrap()
}

fn signed_by_a_stranger(claims: &Value) -> String {
    let signing = p256::ecdsa::SigningKey::random(&mut rand::rngs::OsRng);
    let pem =
        p256::pkcs8::EncodePrivateKey::to_pkcs8_pem(&signing, p256::pkcs8::LineEnding::LF).unwrap();
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
    header.kid = Some("someone-else".into());
    let key = jsonwebtoken::EncodingKey::from_ec_pem(pem.as_bytes()).unwrap();
    jsonwebtoken::encode(&header, claims, &key).unwrap()
}

/// Replaces one base64url segment of a compact JWS with `json`, keeping the others.
fn with_segment(token: &str, index: usize, json: &Value) -> String {
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    parts[index] = URL_SAFE_NO_PAD.encode(json.to_string());
    parts.join(".")
}

/// Tokens an attacker builds from a valid one or from nothing: header and payload rewriting,
/// stripped and borrowed signatures, keys named in the header, malformed claims.
fn forged_tokens(app: &TestApp) -> Vec<(&'static str, String)> {
    let valid = app.sign(&claims(app, json!({})));
    let header = |json: Value| with_segment(&valid, 0, &json);
    let kid = jsonwebtoken::decode_header(&valid).unwrap().kid.unwrap();
    let stranger = signed_by_a_stranger(&claims(app, json!({})));
    let (head, _) = valid.rsplit_once('.').unwrap();
    let (_, stranger_signature) = stranger.rsplit_once('.').unwrap();
    let bad_claims = |overrides: Value| app.sign(&claims(app, overrides));
    let cases = vec![
        ("alg None", header(json!({"alg": "None", "kid": kid}))),
        ("alg NONE", header(json!({"alg": "NONE", "kid": kid}))),
        (
            "alg ES384 over an ES256 signature",
            header(json!({"alg": "ES384", "kid": kid})),
        ),
        (
            "alg RS256 with hdab's key id",
            header(json!({"alg": "RS256", "kid": kid})),
        ),
        (
            "alg HS256 with hdab's key id",
            header(json!({"alg": "HS256", "kid": kid})),
        ),
        ("no key id", header(json!({"alg": "ES256"}))),
        (
            "key id path traversal",
            header(json!({"alg": "ES256", "kid": "../../../../dev/null"})),
        ),
        (
            "key id SQL",
            header(json!({"alg": "ES256", "kid": "' OR '1'='1"})),
        ),
        (
            "attacker's key embedded in the header",
            header(
                json!({"alg": "ES256", "kid": kid, "jwk": {"kty": "EC", "crv": "P-256", "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}}),
            ),
        ),
        (
            "key set URL in the header",
            header(
                json!({"alg": "ES256", "kid": kid, "jku": "https://attacker.example/jwks.json"}),
            ),
        ),
        ("signature stripped", format!("{head}.")),
        (
            "another key's signature",
            format!("{head}.{stranger_signature}"),
        ),
        (
            "roles rewritten after signing",
            with_segment(
                &valid,
                1,
                &claims(
                    app,
                    json!({"roles": ["hdab_admin", "partner"], "sub": "mallory"}),
                ),
            ),
        ),
        ("five segments (JWE-shaped)", format!("{valid}.x.y")),
        ("two segments", head.to_owned()),
        ("not base64", "!!!.???.***".to_owned()),
        ("exp as text", bad_claims(json!({"exp": "9999999999"}))),
        ("no exp", bad_claims(json!({"exp": null}))),
        ("no issuer", bad_claims(json!({"iss": null}))),
        (
            "issuer with a trailing slash",
            bad_claims(json!({"iss": "hdab-dev/"})),
        ),
        (
            "audience list without hdab",
            bad_claims(json!({"aud": ["other", "another"]})),
        ),
        ("no audience", bad_claims(json!({"aud": null}))),
        ("empty subject", bad_claims(json!({"sub": ""}))),
        (
            "subject with a control character",
            bad_claims(json!({"sub": "adm\u{0}in"})),
        ),
        ("subject not a string", bad_claims(json!({"sub": 42}))),
        (
            "roles as an object",
            bad_claims(json!({"roles": {"hdab_admin": true}})),
        ),
        (
            "publisher scope not an id",
            bad_claims(json!({"publishers": ["all"]})),
        ),
        (
            "expired beyond the leeway",
            bad_claims(json!({"exp": Utc::now().timestamp() - 120})),
        ),
    ];
    cases
        .into_iter()
        .map(|(case, token)| (case, format!("Bearer {token}")))
        .collect()
}

async fn create_with(app: &TestApp, authorization: Option<&str>) -> reqwest::Response {
    let mut request = app
        .client
        .post(app.url("/api/v1/publishers"))
        .json(&publisher_body("Auth Test", "DE"));
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    request.send().await.unwrap()
}

async fn writes_without_a_token_are_401_with_a_challenge(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let response = create_with(&app, None).await;
    assert_eq!(response.status(), 401);
    assert_eq!(
        response.headers()["www-authenticate"],
        "Bearer realm=\"hdab\""
    );
    assert_eq!(problem(response).await["code"], "unauthenticated");
}

async fn refuses_every_bad_token_with_401(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let now = Utc::now().timestamp();
    let cases = [
        ("garbage", "Bearer not.a.jwt".to_owned()),
        ("wrong scheme", "Basic YWRtaW46YWRtaW4=".to_owned()),
        (
            "alg none",
            format!("Bearer {}", unsigned(&claims(&app, json!({})))),
        ),
        (
            "HS256 with a public key",
            format!("Bearer {}", hs256_signed(&claims(&app, json!({})))),
        ),
        (
            "expired",
            format!(
                "Bearer {}",
                app.sign(&claims(&app, json!({"exp": now - 3600})))
            ),
        ),
        (
            "not yet valid",
            format!(
                "Bearer {}",
                app.sign(&claims(&app, json!({"nbf": now + 3600})))
            ),
        ),
        (
            "wrong issuer",
            format!(
                "Bearer {}",
                app.sign(&claims(&app, json!({"iss": "https://evil.example"})))
            ),
        ),
        (
            "wrong audience",
            format!(
                "Bearer {}",
                app.sign(&claims(&app, json!({"aud": "another-service"})))
            ),
        ),
        (
            "no subject",
            format!("Bearer {}", app.sign(&claims(&app, json!({"sub": null})))),
        ),
        (
            "unknown key id",
            format!("Bearer {}", signed_by_a_stranger(&claims(&app, json!({})))),
        ),
    ];
    let cases = cases.into_iter().chain(forged_tokens(&app));
    for (case, authorization) in cases {
        let response = create_with(&app, Some(&authorization)).await;
        assert_eq!(response.status(), 401, "{case}");
        let challenge = response.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            challenge.contains("error=\"invalid_token\""),
            "{case}: {challenge}"
        );
        assert_eq!(problem(response).await["code"], "invalid_token", "{case}");
    }
    // A refused token is refused on public reads too, so a client learns its token is bad.
    let response = app.get("/api/v1/publishers", Some("garbage")).await;
    assert_eq!(response.status(), 401);
}

async fn a_valid_token_without_the_role_is_403(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let token = app.token("ana", &[Role::Researcher], &[]);
    let response = create_with(&app, Some(&format!("Bearer {token}"))).await;
    assert_eq!(response.status(), 403);
    let body = problem(response).await;
    assert_eq!(body["code"], "forbidden");
    assert!(body["detail"].as_str().unwrap().contains("hdab_admin"));
}

async fn reads_are_public(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let publisher = app.create_publisher("Public Holder", "IT").await;
    let id = publisher["id"].as_str().unwrap();
    assert_eq!(
        app.get(&format!("/api/v1/publishers/{id}"), None)
            .await
            .status(),
        200
    );
    assert_eq!(app.get("/api/v1/publishers", None).await.status(), 200);
    assert_eq!(app.get("/api/v1/committees", None).await.status(), 200);
    assert_eq!(
        app.get("/api/v1/audit/events", None).await.status(),
        401,
        "the audit log is not public"
    );
}

async fn authentication_is_checked_before_the_request_is_parsed(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let send = |token: Option<String>| {
        let mut request = app
            .client
            .put(app.url(&format!("/api/v1/publishers/{}", uuid::Uuid::now_v7())))
            .header("content-type", "application/json")
            .header("if-match", "not an etag")
            .body("{not json");
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send()
    };
    assert_eq!(send(None).await.unwrap().status(), 401);
    let researcher = app.token("ana", &[Role::Researcher], &[]);
    assert_eq!(send(Some(researcher)).await.unwrap().status(), 403);
    assert_eq!(send(Some(app.admin_token())).await.unwrap().status(), 400);
}
