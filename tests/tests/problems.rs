//! Every error path answers with an RFC 9457 problem naming the rule, and changes nothing.
#![expect(clippy::unwrap_used, reason = "test helpers fail loudly")]

use hdab_tests::{TestApp, TestDatabase, on_both_backends, problem, publisher_body};
use serde_json::{Value, json};

on_both_backends!(malformed_and_invalid_bodies, bad_pages_and_unknown_routes);

async fn raw_post(app: &TestApp, content_type: &str, body: Vec<u8>) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/publishers"))
        .bearer_auth(app.admin_token())
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn expect_problem(response: reqwest::Response, status: u16, code: &str) -> Value {
    assert_eq!(response.status(), status, "expected {code}");
    let body = problem(response).await;
    assert_eq!(body["code"], code);
    assert_eq!(body["status"], status);
    assert_eq!(body["type"], format!("urn:hdab:problem:{code}"));
    body
}

async fn malformed_and_invalid_bodies(db: TestDatabase) {
    let app = TestApp::spawn_with(db, |mut settings| {
        settings.max_body_bytes = 4096;
        settings
    })
    .await;
    expect_problem(
        raw_post(&app, "application/json", b"{\"name\": ".to_vec()).await,
        400,
        "malformed_json",
    )
    .await;
    // A valid document followed by more is not one JSON body; nothing of it is stored.
    let mut trailing = serde_json::to_vec(&publisher_body("Trailing", "DE")).unwrap();
    trailing.extend_from_slice(b" {}");
    expect_problem(
        raw_post(&app, "application/json", trailing).await,
        400,
        "malformed_json",
    )
    .await;
    expect_problem(
        raw_post(&app, "text/plain", b"{}".to_vec()).await,
        415,
        "unsupported_media_type",
    )
    .await;

    let mut huge = publisher_body("Huge", "DE");
    huge["homepage"] = json!(format!("https://example.org/{}", "a".repeat(5000)));
    let body = serde_json::to_vec(&huge).unwrap();
    expect_problem(
        raw_post(&app, "application/json", body).await,
        413,
        "payload_too_large",
    )
    .await;

    let mut wrong_type = publisher_body("Typed", "DE");
    wrong_type["trusted_data_holder"] = json!("yes");
    let body = serde_json::to_vec(&wrong_type).unwrap();
    let problem = expect_problem(
        raw_post(&app, "application/json", body).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "trusted_data_holder");

    let mut unknown = publisher_body("Unknown", "DE");
    unknown["colour"] = json!("blue");
    let body = serde_json::to_vec(&unknown).unwrap();
    let problem = expect_problem(
        raw_post(&app, "application/json", body).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "colour");

    let missing = serde_json::to_vec(&json!({"name": "No country"})).unwrap();
    let problem = expect_problem(
        raw_post(&app, "application/json", missing).await,
        422,
        "validation_failed",
    )
    .await;
    assert!(
        problem["detail"].as_str().unwrap().contains("country"),
        "{problem}"
    );

    let list: Value = app
        .get("/api/v1/publishers", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        list["items"],
        json!([]),
        "no refused request stored anything"
    );
}

async fn bad_pages_and_unknown_routes(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let problem = expect_problem(
        app.get("/api/v1/publishers?limit=0", None).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "limit");
    let problem = expect_problem(
        app.get("/api/v1/publishers?limit=many", None).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "limit");
    expect_problem(
        app.get("/api/v1/publishers?cursor=!!", None).await,
        400,
        "malformed_cursor",
    )
    .await;
    expect_problem(
        app.get("/api/v1/committees?cursor=bm90LWFuLWlk", None)
            .await,
        400,
        "malformed_cursor",
    )
    .await;
    expect_problem(
        app.get("/api/v1/nothing-here", None).await,
        404,
        "not_found",
    )
    .await;

    let response = app
        .client
        .delete(app.url("/api/v1/publishers"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["allow"], "GET, HEAD, POST");
    expect_problem(response, 405, "method_not_allowed").await;

    let response = app
        .client
        .get(app.url("/health/live"))
        .header("x-request-id", "trace-42")
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["x-request-id"],
        "trace-42",
        "a caller's plain request id is kept"
    );
    let response = app
        .client
        .get(app.url("/health/live"))
        .header("x-request-id", "bad id\twith tab")
        .send()
        .await
        .unwrap();
    assert_ne!(response.headers()["x-request-id"], "bad id\twith tab");
}
