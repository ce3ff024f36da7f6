//! Health, metrics, the OpenAPI document and the offline docs page.
#![expect(clippy::unwrap_used, reason = "test helpers fail loudly")]

use std::time::Duration;

use hdab_tests::{TestApp, TestDatabase, on_both_backends, problem};
use serde_json::Value;

on_both_backends!(hdab_listens_while_its_index_is_rebuilt_and_never_serves_a_partial_search);

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

/// A missing index is rebuilt after hdab starts listening (at a million datasets that takes a
/// minute, and a liveness probe would kill a process that rebuilt first): meanwhile it is
/// live, not ready, and a search is 503 rather than an answer from a partial index.
async fn hdab_listens_while_its_index_is_rebuilt_and_never_serves_a_partial_search(
    db: TestDatabase,
) {
    const DATASETS: usize = 1_500;
    let app = TestApp::spawn(db).await;
    let pool = hdab_api::shell::server::open_database(&app.settings).unwrap();
    hdab_api::shell::seed::synthetic(&pool, DATASETS, chrono::Utc::now()).unwrap();
    drop(pool);
    let app = app
        .restart_listening(|settings| std::fs::remove_dir_all(&settings.index_dir).unwrap())
        .await;
    let mut answered_503 = 0;
    let total = loop {
        assert_eq!(app.get("/health/live", None).await.status(), 200);
        let search = app.get("/api/v1/datasets?limit=1", None).await;
        if search.status() != 503 {
            assert_eq!(search.status(), 200);
            break search.json::<Value>().await.unwrap()["total"].clone();
        }
        assert!(search.headers().contains_key("retry-after"));
        assert_eq!(problem(search).await["code"], "search_index_rebuilding");
        answered_503 += 1;
        assert!(
            answered_503 < 2_000,
            "the index was not rebuilt within 10 s"
        );
        actix_web::rt::time::sleep(Duration::from_millis(5)).await;
    };
    assert_eq!(
        total, DATASETS,
        "the first search served counts every dataset"
    );
    assert_eq!(app.get("/health/ready", None).await.status(), 200);
    // Rebuilding 1,500 datasets takes about a second here (about 160 searches answered 503);
    // the first request comes milliseconds after hdab listens. Had hdab rebuilt before it
    // listened, none would have.
    assert!(
        answered_503 > 0,
        "hdab listened only after its index was rebuilt"
    );
}
