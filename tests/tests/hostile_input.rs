//! What anonymous and hostile callers send: query syntax in the search box, invented methods,
//! oversized lists, a flood of invalid items, ambiguous headers, ids in other spellings, names
//! that only look different. Every answer is a 4xx problem or a success, never a 5xx, and
//! nothing a caller sends can make an answer or a metric grow without bound.
#![expect(clippy::unwrap_used, reason = "test helpers fail loudly")]

use hdab_domain::auth::Role;
use hdab_tests::fixtures::{create, dataset, holder};
use hdab_tests::{TestApp, TestDatabase, on_both_backends, problem, publisher_body};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use reqwest::Method;
use serde_json::{Value, json};

on_both_backends!(
    lists_over_their_limit_are_refused_naming_the_field_and_the_limit,
    a_partner_of_a_publisher_does_not_see_its_drafts,
    unique_names_compare_after_normalisation_and_case_folding,
    ids_are_accepted_only_in_their_canonical_spelling,
);

#[actix_web::test]
async fn no_text_in_the_search_box_answers_5xx() {
    let app = TestApp::spawn(TestDatabase::sqlite()).await;
    let h = holder(&app, "Search Holder", "DE", false).await;
    hdab_tests::fixtures::create_published(&app, &h, &dataset(&h, "S-1")).await;
    let search = |q: String| {
        let app = &app;
        async move {
            let q: String = url::form_urlencoded::byte_serialize(q.as_bytes()).collect();
            app.get_owned(format!("/api/v1/datasets?q={q}"))
                .await
                .status()
        }
    };
    for q in [
        "foo:*",
        "summary:*",
        "key:[a TO z]",
        "title_en:/.*/",
        "*:*",
        "\"",
        "lung^",
    ] {
        assert_eq!(search(q.to_owned()).await, 200, "q={q}");
    }
    // A property test over HTTP: arbitrary text, and text dense with query syntax.
    let strategy = proptest::prop_oneof![
        proptest::arbitrary::any::<String>(),
        "[a-zA-Z_:*\\[\\]{}()~^\"'+\\-!/\\\\ .0-9<>=]{0,60}",
        "(summary|key|id_hi|modified|title_en|body_de|modality|foo):[*a-z0-9\\[\\] ]{0,12}",
    ];
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]),
    );
    for _ in 0..300 {
        let q = strategy.new_tree(&mut runner).unwrap().current();
        let status = search(q.clone()).await;
        assert!(
            status.is_success() || status == 422,
            "q={q:?} answered {status}"
        );
    }
}

#[actix_web::test]
async fn invented_methods_and_paths_do_not_grow_the_metrics() {
    let app = TestApp::spawn(TestDatabase::sqlite()).await;
    for n in 0..50 {
        let method = Method::from_bytes(format!("INVENTED{n}").as_bytes()).unwrap();
        let response = app
            .client
            .request(
                method,
                app.url(&format!("/made-up/{}", uuid::Uuid::new_v4())),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 404);
        problem(response).await;
    }
    let text = app.get("/metrics", None).await.text().await.unwrap();
    assert!(
        !text.contains("INVENTED"),
        "invented methods are not labels"
    );
    assert!(!text.contains("/made-up/"), "raw paths are not labels");
    assert!(
        text.contains(r#"method="OTHER",route="unmatched",status="404"} 50"#),
        "{text}"
    );
}

async fn lists_over_their_limit_are_refused_naming_the_field_and_the_limit(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let h = holder(&app, "Limits Holder", "FR", false).await;
    let mut body = dataset(&h, "HUGE-1");
    body["distributions"] = json!(vec![json!({"access_url": "https://x.example.org/a"}); 201]);
    body["keywords"] = json!({"en": vec!["word"; 101]});
    let response = app.post("/api/v1/datasets", &h.token, &body).await;
    assert_eq!(response.status(), 422);
    let errors = problem(response).await["errors"].clone();
    let named = |field: &str| {
        errors
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["field"] == field)
            .unwrap_or_else(|| panic!("{field} in {errors}"))
            .clone()
    };
    assert_eq!(named("distributions")["code"], "too_many");
    assert!(
        named("distributions")["message"]
            .as_str()
            .unwrap()
            .contains("at most 200")
    );
    assert_eq!(named("keywords.en")["code"], "too_many");

    let members: Vec<Value> = (0..201)
        .map(|n| json!({"subject": format!("member-{n}"), "role": "member"}))
        .collect();
    let response = app
        .post(
            "/api/v1/committees",
            &app.admin_token(),
            &json!({"name": "Huge DAC", "decision_rule": "majority", "members": members}),
        )
        .await;
    assert_eq!(response.status(), 422);
    assert_eq!(problem(response).await["errors"][0]["field"], "members");

    // Nothing was stored.
    let datasets: Value = app
        .get("/api/v1/datasets", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(datasets["total"], 0);
}

#[actix_web::test]
async fn a_flood_of_invalid_items_gets_a_bounded_answer() {
    let app = TestApp::spawn(TestDatabase::sqlite()).await;
    let h = holder(&app, "Flood Holder", "NL", false).await;
    let mut body = dataset(&h, "FLOOD-1");
    body["has_structured_data"] = json!(true);
    body["variables"] = json!(vec![
        json!({"name": "v", "title": "V", "datatype": "no-such-type", "description": "d"});
        1500
    ]);
    let response = app.post("/api/v1/datasets", &h.token, &body).await;
    assert_eq!(response.status(), 422);
    let errors = problem(response).await["errors"].clone();
    let errors = errors.as_array().unwrap();
    assert_eq!(errors.len(), 101);
    assert_eq!(errors[100]["code"], "more_errors");
    assert!(
        errors[100]["message"]
            .as_str()
            .unwrap()
            .starts_with("1400 more")
    );
}

#[actix_web::test]
async fn one_authorization_header_with_any_casing_of_its_scheme() {
    let app = TestApp::spawn(TestDatabase::sqlite()).await;
    let token = app.admin_token();
    let twice = app
        .client
        .post(app.url("/api/v1/publishers"))
        .header("authorization", format!("Bearer {token}"))
        .header("authorization", "Bearer someone-elses-token")
        .json(&publisher_body("Twice", "DE"))
        .send()
        .await
        .unwrap();
    assert_eq!(twice.status(), 400);
    assert_eq!(problem(twice).await["code"], "duplicate_authorization");
    for (n, scheme) in ["BEARER", "bearer", "BeArEr"].into_iter().enumerate() {
        let response = app
            .client
            .post(app.url("/api/v1/publishers"))
            .header("authorization", format!("{scheme} {token}"))
            .json(&publisher_body(&format!("Scheme {n}"), "DE"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201, "{scheme}");
    }
}

async fn ids_are_accepted_only_in_their_canonical_spelling(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let publisher = app.create_publisher("Canonical Holder", "AT").await;
    let id = publisher["id"].as_str().unwrap().to_owned();
    assert_eq!(
        app.get_owned(format!("/api/v1/publishers/{id}"))
            .await
            .status(),
        200
    );
    let simple: String = id.chars().filter(|c| *c != '-').collect();
    for variant in [
        id.to_uppercase(),
        format!("%7B{id}%7D"),
        format!("urn:uuid:{id}"),
        simple,
    ] {
        let response = app.get_owned(format!("/api/v1/publishers/{variant}")).await;
        assert_eq!(response.status(), 404, "{variant}");
        problem(response).await;
    }
    let response = app
        .post(
            "/api/v1/committees",
            &app.admin_token(),
            &json!({"name": "Upper DAC", "decision_rule": "majority", "publisher_ids": [id.to_uppercase()]}),
        )
        .await;
    assert_eq!(response.status(), 422);
    assert_eq!(
        problem(response).await["errors"][0]["field"],
        "publisher_ids"
    );
    let response = app
        .get_owned(format!("/api/v1/datasets?publisher={}", id.to_uppercase()))
        .await;
    assert_eq!(response.status(), 422);
}

async fn unique_names_compare_after_normalisation_and_case_folding(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let admin = app.admin_token();
    app.create_publisher("Universit\u{e4}tsklinikum Stra\u{df}e", "DE")
        .await;
    for lookalike in [
        "UNIVERSITA\u{308}TSKLINIKUM STRASSE",
        "universitätsklinikum strasse",
    ] {
        let response = app
            .post(
                "/api/v1/publishers",
                &admin,
                &publisher_body(lookalike, "DE"),
            )
            .await;
        assert_eq!(response.status(), 409, "{lookalike}");
        assert_eq!(problem(response).await["code"], "publisher_name_taken");
    }
    let response = app
        .post(
            "/api/v1/publishers",
            &admin,
            &publisher_body("Karolinska \u{202e}tetutitsnI", "SE"),
        )
        .await;
    assert_eq!(response.status(), 422);
    assert_eq!(
        problem(response).await["errors"][0]["code"],
        "bidi_controls"
    );
    let committee = |name: &str| json!({"name": name, "decision_rule": "majority"});
    assert_eq!(
        app.post("/api/v1/committees", &admin, &committee("Ärzte DAC"))
            .await
            .status(),
        201
    );
    let response = app
        .post("/api/v1/committees", &admin, &committee("A\u{308}RZTE dac"))
        .await;
    assert_eq!(response.status(), 409);
    assert_eq!(problem(response).await["code"], "committee_name_taken");
}

async fn a_partner_of_a_publisher_does_not_see_its_drafts(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let h = holder(&app, "Draft Holder", "IT", false).await;
    let draft = create(&app, &h, &dataset(&h, "DRAFT-1")).await;
    let path = format!("/api/v1/datasets/{}", draft["id"].as_str().unwrap());
    let partner = app.token(
        "partner-system",
        &[Role::Partner],
        std::slice::from_ref(&h.publisher),
    );
    assert_eq!(app.get(&path, Some(&partner)).await.status(), 404);
    assert_eq!(app.get(&path, None).await.status(), 404);
    assert_eq!(app.get(&path, Some(&h.token)).await.status(), 200);
    assert_eq!(app.get(&path, Some(&app.admin_token())).await.status(), 200);
}

#[actix_web::test]
async fn errors_from_libraries_are_problems_and_pages_carry_security_headers() {
    let app = TestApp::spawn(TestDatabase::sqlite()).await;
    let response = app.get("/docs/no-such-asset.js", None).await;
    assert_eq!(response.status(), 404);
    assert_eq!(problem(response).await["code"], "not_found");

    let docs = app.get("/docs/", None).await;
    let header = |name: &str| docs.headers()[name].to_str().unwrap().to_owned();
    assert_eq!(header("x-content-type-options"), "nosniff");
    let policy = header("content-security-policy");
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    assert!(policy.contains("script-src 'self'"), "{policy}");
    let api = app.get("/api/v1/publishers", None).await;
    assert_eq!(api.headers()["x-content-type-options"], "nosniff");
    assert!(
        api.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'none'")
    );
}

#[actix_web::test]
async fn metrics_can_be_served_on_their_own_address_only() {
    let app = TestApp::spawn_with(TestDatabase::sqlite(), |mut settings| {
        settings.metrics_bind = Some(std::net::SocketAddr::from(([127, 0, 0, 1], 0)));
        settings
    })
    .await;
    assert_eq!(app.get("/metrics", None).await.status(), 404);
    let metrics_addr = app.metrics_addr.unwrap();
    let text = app
        .client
        .get(format!("http://{metrics_addr}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains("hdab_db_pool_connections"), "{text}");
}

#[actix_web::test]
async fn development_tokens_live_at_most_the_configured_maximum() {
    let app = TestApp::spawn(TestDatabase::sqlite()).await;
    let now = chrono::Utc::now().timestamp();
    let token = |days: i64| {
        app.sign(&json!({
            "iss": "hdab-dev", "aud": app.settings.auth.audience, "sub": "admin",
            "iat": now, "nbf": now, "exp": now + days * 86_400, "roles": ["hdab_admin"],
        }))
    };
    let create = |token: String, name: &'static str| {
        let app = &app;
        async move {
            app.post("/api/v1/publishers", &token, &publisher_body(name, "DE"))
                .await
                .status()
        }
    };
    assert_eq!(create(token(29), "Short-lived").await, 201);
    assert_eq!(create(token(365), "Long-lived").await, 401);
}
