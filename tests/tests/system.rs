//! Health, metrics, the OpenAPI document and the offline docs page.

use hdab_tests::{TestApp, TestDatabase};
use serde_json::Value;

#[actix_web::test]
async fn liveness_and_readiness_report_ok() {
    let app = TestApp::spawn(TestDatabase::sqlite()).await;
    let live: Value = app.get("/health/live", None).await.json().await.unwrap();
    assert_eq!(live["status"], "ok");
    let ready = app.get("/health/ready", None).await;
    assert_eq!(ready.status(), 200);
    assert_eq!(ready.json::<Value>().await.unwrap()["database"], "sqlite");
}

#[actix_web::test]
async fn metrics_count_requests_by_route_and_status() {
    let app = TestApp::spawn(TestDatabase::sqlite()).await;
    app.get("/api/v1/publishers", None).await;
    app.get("/api/v1/publishers/not-a-uuid", None).await;
    let text = app.get("/metrics", None).await.text().await.unwrap();
    assert!(
        text.contains(
            r#"hdab_http_requests_total{method="GET",route="/api/v1/publishers",status="200"} 1"#
        ),
        "{text}"
    );
    assert!(
        text.contains(r#"route="/api/v1/publishers/{id}",status="404""#),
        "ids do not become labels"
    );
    assert!(text.contains("hdab_http_request_duration_seconds_bucket"));
    assert!(text.contains("hdab_db_pool_connections"));
}

#[actix_web::test]
async fn the_docs_page_and_its_assets_come_from_hdab_itself() {
    let app = TestApp::spawn(TestDatabase::sqlite()).await;
    let page = app.get("/docs/", None).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    for asset in [
        "swagger-ui.css",
        "swagger-ui-bundle.js",
        "swagger-initializer.js",
    ] {
        assert!(html.contains(asset), "the page loads {asset}");
        let response = app.get(&format!("/docs/{asset}"), None).await;
        assert_eq!(response.status(), 200, "{asset} is served by hdab");
    }
    let initializer = app
        .get("/docs/swagger-initializer.js", None)
        .await
        .text()
        .await
        .unwrap();
    assert!(initializer.contains("/openapi.json"));
    let compact: String = initializer.split_whitespace().collect();
    assert!(
        compact.contains("\"validatorUrl\":\"none\""),
        "no badge fetched from an outside host"
    );
    assert!(!html.contains("https://"), "no asset from a CDN");
}

#[actix_web::test]
async fn the_served_document_is_the_generated_one() {
    let app = TestApp::spawn(TestDatabase::sqlite()).await;
    let served: Value = app.get("/openapi.json", None).await.json().await.unwrap();
    let generated = serde_json::to_value(hdab_api::edge::app::openapi_document()).unwrap();
    assert_eq!(served, generated);
}
