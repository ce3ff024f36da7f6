//! HTTP by the book (RFC 9110, 9111): HEAD, conditional DELETE, compression, validators and
//! 304s, caching headers, CORS, the dataset's representations as their own operation, and
//! the landing document.
#![expect(clippy::unwrap_used, reason = "test helpers fail loudly")]

use hdab_tests::fixtures::{create, create_published, dataset, holder};
use hdab_tests::{TestApp, TestDatabase, on_both_backends, problem};
use reqwest::Method;
use serde_json::{Value, json};

on_both_backends!(
    every_get_route_answers_head_without_a_body,
    delete_evaluates_if_match_and_412_names_the_current_etag,
    dataset_reads_revalidate_per_representation,
    catalogue_pages_revalidate_and_keep_their_page_size,
);

async fn request(
    app: &TestApp,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
) -> reqwest::Response {
    let mut request = app.client.request(method, app.url(path));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

fn header(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

async fn every_get_route_answers_head_without_a_body(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let h = holder(&app, "Head Holder", "DE", false).await;
    let id = create_published(&app, &h, &dataset(&h, "HEAD-1")).await;
    let paths = [
        "/".to_owned(),
        "/health/live".to_owned(),
        "/health/ready".to_owned(),
        "/openapi.json".to_owned(),
        "/.well-known/jwks.json".to_owned(),
        "/api/v1/publishers".to_owned(),
        format!("/api/v1/publishers/{}", h.publisher),
        "/api/v1/committees".to_owned(),
        format!("/api/v1/committees/{}", h.committee),
        "/api/v1/datasets?q=thoracic".to_owned(),
        format!("/api/v1/datasets/{id}"),
        format!("/api/v1/datasets/{id}.ttl"),
        "/api/v1/catalogue".to_owned(),
        "/api/v1/catalogue.jsonld".to_owned(),
        "/api/v1/audit/checkpoints".to_owned(),
    ];
    for path in &paths {
        let get = request(&app, Method::GET, path, &[]).await;
        let head = request(&app, Method::HEAD, path, &[]).await;
        assert_eq!(head.status(), get.status(), "HEAD {path}");
        assert_eq!(head.status(), 200, "HEAD {path}");
        assert_eq!(
            header(&head, "content-type"),
            header(&get, "content-type"),
            "{path}"
        );
        assert!(
            head.bytes().await.unwrap().is_empty(),
            "HEAD {path} has no body"
        );
    }
    let not_allowed = request(&app, Method::PATCH, "/api/v1/publishers", &[]).await;
    assert_eq!(not_allowed.status(), 405);
    assert_eq!(header(&not_allowed, "allow"), "GET, HEAD, POST");
    // A literal path beside a templated one: `verify` is not a permit id.
    let admin = format!("Bearer {}", app.admin_token());
    let verify = request(
        &app,
        Method::GET,
        "/api/v1/permits/verify",
        &[("authorization", &admin)],
    )
    .await;
    assert_eq!(verify.status(), 405);
    assert_eq!(header(&verify, "allow"), "POST");
    let not_an_id = request(
        &app,
        Method::GET,
        "/api/v1/permits/not-an-id",
        &[("authorization", &admin)],
    )
    .await;
    assert_eq!(not_an_id.status(), 404);
}

async fn delete_evaluates_if_match_and_412_names_the_current_etag(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let admin = app.admin_token();
    let bearer = format!("Bearer {admin}");
    let publisher = app.create_publisher("Deletable", "FR").await;
    let path = format!("/api/v1/publishers/{}", publisher["id"].as_str().unwrap());
    let stale = request(
        &app,
        Method::DELETE,
        &path,
        &[("authorization", &bearer), ("if-match", "\"999\"")],
    )
    .await;
    assert_eq!(stale.status(), 412);
    assert_eq!(
        header(&stale, "etag"),
        "\"1\"",
        "412 repeats the current ETag"
    );
    assert_eq!(problem(stale).await["code"], "stale_version");
    assert_eq!(
        app.get(&path, None).await.status(),
        200,
        "nothing was deleted"
    );
    let current = request(
        &app,
        Method::DELETE,
        &path,
        &[("authorization", &bearer), ("if-match", "\"1\"")],
    )
    .await;
    assert_eq!(current.status(), 204);

    let committee: Value = app
        .post(
            "/api/v1/committees",
            &admin,
            &json!({"name": "Deletable DAC", "decision_rule": "majority"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let path = format!("/api/v1/committees/{}", committee["id"].as_str().unwrap());
    let stale = request(
        &app,
        Method::DELETE,
        &path,
        &[("authorization", &bearer), ("if-match", "\"2\"")],
    )
    .await;
    assert_eq!(stale.status(), 412);
    let unconditional = request(&app, Method::DELETE, &path, &[("authorization", &bearer)]).await;
    assert_eq!(
        unconditional.status(),
        204,
        "If-Match is optional on DELETE"
    );
}

async fn dataset_reads_revalidate_per_representation(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let h = holder(&app, "Validator Holder", "NL", false).await;
    let id = create_published(&app, &h, &dataset(&h, "VAL-1")).await;
    let path = format!("/api/v1/datasets/{id}");
    let json = request(&app, Method::GET, &path, &[]).await;
    let turtle = request(&app, Method::GET, &path, &[("accept", "text/turtle")]).await;
    let json_ld = request(&app, Method::GET, &format!("{path}.jsonld"), &[]).await;
    let tags = [
        header(&json, "etag"),
        header(&turtle, "etag"),
        header(&json_ld, "etag"),
    ];
    assert!(tags.iter().all(|t| t.starts_with('"')), "{tags:?}");
    assert!(
        tags[0] != tags[1] && tags[1] != tags[2] && tags[0] != tags[2],
        "each representation has its own ETag: {tags:?}"
    );
    assert!(header(&json, "vary").contains("Accept"));
    assert!(header(&turtle, "vary").contains("Accept"));
    assert_eq!(header(&json, "cache-control"), "public, max-age=60");
    let last_modified = header(&turtle, "last-modified");
    assert!(last_modified.ends_with("GMT"), "{last_modified}");

    let again = request(&app, Method::GET, &path, &[("accept", "text/turtle")]).await;
    assert_eq!(
        header(&again, "etag"),
        tags[1],
        "the same description, the same tag"
    );
    let revalidated = request(
        &app,
        Method::GET,
        &path,
        &[("accept", "text/turtle"), ("if-none-match", &tags[1])],
    )
    .await;
    assert_eq!(revalidated.status(), 304);
    assert_eq!(header(&revalidated, "etag"), tags[1]);
    let other_variant = request(
        &app,
        Method::GET,
        &path,
        &[("accept", "text/turtle"), ("if-none-match", &tags[0])],
    )
    .await;
    assert_eq!(
        other_variant.status(),
        200,
        "the JSON tag does not validate Turtle"
    );
    let since = request(
        &app,
        Method::GET,
        &path,
        &[
            ("accept", "text/turtle"),
            ("if-modified-since", &last_modified),
        ],
    )
    .await;
    assert_eq!(since.status(), 304);

    // A change makes the copies stale.
    let confirmed = app
        .send_json(
            Method::POST,
            &format!("{path}/confirm"),
            Some(&h.token),
            &Value::Null,
        )
        .await;
    assert_eq!(confirmed.status(), 200);
    let changed = request(&app, Method::GET, &path, &[("if-none-match", &tags[0])]).await;
    assert_eq!(changed.status(), 200);
    assert_ne!(header(&changed, "etag"), tags[0]);

    // Authenticated reads are cached privately only.
    let private = app.get(&path, Some(&h.token)).await;
    assert_eq!(header(&private, "cache-control"), "private, no-cache");

    // Every format has its own documented path; an unknown extension names nothing.
    for (extension, media_type) in [
        ("json", "application/json"),
        ("ttl", "text/turtle"),
        ("jsonld", "application/ld+json"),
        ("rdf", "application/rdf+xml"),
    ] {
        let response = app.get(&format!("{path}.{extension}"), None).await;
        assert_eq!(response.status(), 200, "{extension}");
        assert!(header(&response, "content-type").starts_with(media_type));
    }
    assert_eq!(app.get(&format!("{path}.pdf"), None).await.status(), 404);
    let draft = create(&app, &h, &dataset(&h, "VAL-DRAFT")).await;
    let draft_path = format!("/api/v1/datasets/{}.ttl", draft["id"].as_str().unwrap());
    assert_eq!(
        app.get(&draft_path, None).await.status(),
        404,
        "drafts stay hidden"
    );
}

async fn catalogue_pages_revalidate_and_keep_their_page_size(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let h = holder(&app, "Catalogue Holder", "SE", false).await;
    for n in 0..3 {
        create_published(&app, &h, &dataset(&h, &format!("CAT-{n}"))).await;
    }
    let page = app.get("/api/v1/catalogue.ttl?limit=2", None).await;
    let etag = header(&page, "etag");
    let turtle = page.text().await.unwrap();
    assert!(
        turtle.contains("totalItems") && turtle.contains("\"3\""),
        "{turtle}"
    );
    assert!(
        turtle.contains("catalogue?limit=2&cursor="),
        "next keeps the page size"
    );
    assert!(
        turtle.contains("first <") && turtle.contains("catalogue?limit=2>"),
        "{turtle}"
    );
    let revalidated = request(
        &app,
        Method::GET,
        "/api/v1/catalogue.ttl?limit=2",
        &[("if-none-match", &etag)],
    )
    .await;
    assert_eq!(revalidated.status(), 304);
    create_published(&app, &h, &dataset(&h, "CAT-NEW")).await;
    let changed = request(
        &app,
        Method::GET,
        "/api/v1/catalogue.ttl?limit=2",
        &[("if-none-match", &etag)],
    )
    .await;
    assert_eq!(changed.status(), 200, "a new dataset changes the catalogue");
    let negotiated = app.get("/api/v1/catalogue", None).await;
    assert!(header(&negotiated, "vary").contains("Accept"));
}

#[actix_web::test]
async fn large_answers_are_compressed_when_the_client_accepts_gzip() {
    let app = TestApp::spawn(TestDatabase::sqlite()).await;
    let h = holder(&app, "Gzip Holder", "IT", false).await;
    for n in 0..5 {
        create_published(&app, &h, &dataset(&h, &format!("GZ-{n}"))).await;
    }
    let plain = request(&app, Method::GET, "/api/v1/catalogue.ttl", &[]).await;
    assert_eq!(header(&plain, "content-encoding"), "");
    let plain_size = plain.bytes().await.unwrap().len();
    let gzipped = request(
        &app,
        Method::GET,
        "/api/v1/catalogue.ttl",
        &[("accept-encoding", "gzip")],
    )
    .await;
    assert_eq!(header(&gzipped, "content-encoding"), "gzip");
    assert!(
        header(&gzipped, "vary")
            .to_ascii_lowercase()
            .contains("accept-encoding")
    );
    let gzipped_size = gzipped.bytes().await.unwrap().len();
    assert!(
        gzipped_size * 4 < plain_size,
        "{gzipped_size} bytes gzipped, {plain_size} plain"
    );
}

#[actix_web::test]
async fn cors_admits_the_configured_origins_only() {
    let portal = "https://portal.example.eu";
    let app = TestApp::spawn_with(TestDatabase::sqlite(), |mut settings| {
        settings.cors_allowed_origins = vec![portal.to_owned()];
        settings
    })
    .await;
    let preflight = request(
        &app,
        Method::OPTIONS,
        "/api/v1/publishers",
        &[
            ("origin", portal),
            ("access-control-request-method", "POST"),
            (
                "access-control-request-headers",
                "authorization, content-type",
            ),
        ],
    )
    .await;
    assert!(preflight.status().is_success(), "{}", preflight.status());
    assert_eq!(header(&preflight, "access-control-allow-origin"), portal);
    assert_eq!(
        header(&preflight, "access-control-allow-credentials"),
        "true"
    );
    let read = request(
        &app,
        Method::GET,
        "/api/v1/publishers",
        &[("origin", portal)],
    )
    .await;
    assert_eq!(header(&read, "access-control-allow-origin"), portal);
    assert!(
        header(&read, "access-control-expose-headers")
            .to_ascii_lowercase()
            .contains("etag")
    );

    let stranger = request(
        &app,
        Method::GET,
        "/api/v1/publishers",
        &[("origin", "https://elsewhere.example")],
    )
    .await;
    assert_eq!(header(&stranger, "access-control-allow-origin"), "");

    let closed = TestApp::spawn(TestDatabase::sqlite()).await;
    let read = request(
        &closed,
        Method::GET,
        "/api/v1/publishers",
        &[("origin", portal)],
    )
    .await;
    assert_eq!(
        header(&read, "access-control-allow-origin"),
        "",
        "no origins by default"
    );
}

#[actix_web::test]
async fn the_landing_document_links_where_to_start() {
    let app = TestApp::spawn(TestDatabase::sqlite()).await;
    let landing: Value = app.get("/", None).await.json().await.unwrap();
    for link in ["docs", "openapi", "catalogue", "search", "jwks", "health"] {
        let url = landing["links"][link].as_str().unwrap();
        assert!(url.starts_with("http"), "{link}: {url}");
    }
    let page = request(
        &app,
        Method::GET,
        "/",
        &[("accept", "text/html,application/xhtml+xml")],
    )
    .await;
    assert!(header(&page, "content-type").starts_with("text/html"));
    assert!(header(&page, "content-security-policy").contains("default-src 'none'"));
    let html = page.text().await.unwrap();
    assert!(
        html.contains("/docs/") && html.contains("/api/v1/catalogue"),
        "{html}"
    );
    assert!(!html.contains("<script"), "no scripts");
}
