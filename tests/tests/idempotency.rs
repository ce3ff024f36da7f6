//! `Idempotency-Key` on every creating POST (IETF draft): a retry with the same key and body
//! gets the first response, never a second resource; another request under the same key is
//! refused. Both databases.
#![expect(clippy::unwrap_used, reason = "test helpers fail loudly")]

use futures_util::{StreamExt, stream};
use hdab_tests::applications::{Review, access_application, researcher};
use hdab_tests::{TestApp, TestDatabase, on_both_backends, problem, publisher_body};
use reqwest::Response;
use serde_json::{Value, json};

on_both_backends!(
    a_retry_with_the_same_key_gets_the_first_response_and_creates_nothing,
    the_same_key_for_another_request_is_refused,
    a_malformed_key_is_refused,
    a_body_over_the_limit_is_refused_with_a_key_as_without,
    a_thousand_concurrent_submissions_with_retries_lose_none_and_duplicate_none,
);

/// POSTs with a key. A request lost on the way (the server closed an idle keep-alive
/// connection as the client reused it) is sent again with the same key, as the draft means
/// clients to: the key is what makes that retry safe.
async fn post_with_key(
    app: &TestApp,
    path: &str,
    token: &str,
    key: &str,
    body: &Value,
) -> Response {
    let mut attempts = 0;
    loop {
        let sent = app
            .client
            .post(app.url(path))
            .bearer_auth(token)
            .header("Idempotency-Key", key)
            .json(body)
            .send()
            .await;
        match sent {
            Ok(response) => return response,
            Err(error) if attempts < 3 && (error.is_request() || error.is_connect()) => {
                attempts += 1;
            }
            Err(error) => panic!("POST {path}: {error}"),
        }
    }
}

async fn count(app: &TestApp, path: &str, token: &str) -> usize {
    let page: Value = app
        .get(&format!("{path}?limit=100"), Some(token))
        .await
        .json()
        .await
        .unwrap();
    page["items"].as_array().unwrap().len()
}

async fn a_retry_with_the_same_key_gets_the_first_response_and_creates_nothing(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let admin = app.admin_token();
    let body = publisher_body("Retried Clinic", "AT");
    let first = post_with_key(&app, "/api/v1/publishers", &admin, "k-1", &body).await;
    assert_eq!(first.status(), 201);
    let location = first.headers()["location"].clone();
    let first: Value = first.json().await.unwrap();
    let retry = post_with_key(&app, "/api/v1/publishers", &admin, "k-1", &body).await;
    assert_eq!(retry.status(), 201);
    assert_eq!(retry.headers()["idempotent-replayed"], "true");
    assert_eq!(retry.headers()["location"], location);
    let retried: Value = retry.json().await.unwrap();
    assert_eq!(retried, first);
    assert_eq!(count(&app, "/api/v1/publishers", &admin).await, 1);

    // Applications and their commands too.
    let review = Review::set_up(&app).await;
    let alice = researcher(&app, "alice");
    let form = access_application(&review.both_datasets());
    let a = post_with_key(&app, "/api/v1/applications", &alice, "draft-1", &form).await;
    let b = post_with_key(&app, "/api/v1/applications", &alice, "draft-1", &form).await;
    let (a, b): (Value, Value) = (a.json().await.unwrap(), b.json().await.unwrap());
    assert_eq!(a["id"], b["id"]);
    assert_eq!(count(&app, "/api/v1/applications", &alice).await, 1);
}

async fn the_same_key_for_another_request_is_refused(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let admin = app.admin_token();
    let first = post_with_key(
        &app,
        "/api/v1/publishers",
        &admin,
        "k-2",
        &publisher_body("First", "AT"),
    )
    .await;
    assert_eq!(first.status(), 201);
    let other = post_with_key(
        &app,
        "/api/v1/publishers",
        &admin,
        "k-2",
        &publisher_body("Second", "AT"),
    )
    .await;
    assert_eq!(other.status(), 422);
    assert_eq!(problem(other).await["code"], "idempotency_key_reused");
    // Keys are the caller's own: another caller's key of the same name is another key.
    let other_admin = app.token("second-admin", &[hdab_domain::auth::Role::HdabAdmin], &[]);
    let theirs = post_with_key(
        &app,
        "/api/v1/publishers",
        &other_admin,
        "k-2",
        &publisher_body("Third", "AT"),
    )
    .await;
    assert_eq!(theirs.status(), 201);
}

async fn a_malformed_key_is_refused(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let long = "k".repeat(256);
    let refused = post_with_key(
        &app,
        "/api/v1/publishers",
        &app.admin_token(),
        &long,
        &publisher_body("Long Key", "AT"),
    )
    .await;
    assert_eq!(refused.status(), 400);
    assert_eq!(problem(refused).await["code"], "malformed_idempotency_key");
    assert_eq!(
        count(&app, "/api/v1/publishers", &app.admin_token()).await,
        0
    );
}

async fn a_body_over_the_limit_is_refused_with_a_key_as_without(db: TestDatabase) {
    let app = TestApp::spawn_with(db, |mut settings| {
        settings.max_body_bytes = 2_048;
        settings
    })
    .await;
    let mut body = publisher_body("Large", "AT");
    body["homepage"] = json!(format!("https://example.org/{}", "a".repeat(3_000)));
    let refused = post_with_key(
        &app,
        "/api/v1/publishers",
        &app.admin_token(),
        "big-1",
        &body,
    )
    .await;
    assert_eq!(refused.status(), 413);
    assert_eq!(problem(refused).await["code"], "payload_too_large");
}

/// Creates and submits one application, each step sent twice with its key (a client that did
/// not see the first answer), the two sends racing each other.
async fn create_and_submit(app: &TestApp, token: &str, form: &Value, n: usize) -> String {
    let create_key = format!("create-{n}");
    let (a, b) = futures_util::join!(
        post_with_key(app, "/api/v1/applications", token, &create_key, form),
        post_with_key(app, "/api/v1/applications", token, &create_key, form),
    );
    let created = settle(
        app,
        "/api/v1/applications",
        token,
        &create_key,
        form,
        [a, b],
    )
    .await;
    let id = created["id"].as_str().unwrap().to_owned();
    let submit_path = format!("/api/v1/applications/{id}/submit");
    let submit_key = format!("submit-{n}");
    let empty = json!({});
    let (a, b) = futures_util::join!(
        post_with_key(app, &submit_path, token, &submit_key, &empty),
        post_with_key(app, &submit_path, token, &submit_key, &empty),
    );
    let submitted = settle(app, &submit_path, token, &submit_key, &empty, [a, b]).await;
    assert_eq!(submitted["status"], "submitted");
    id
}

/// The one answer of a request sent twice: a send that met the first in flight (409) retries
/// until the first answer is stored, as a client would.
async fn settle(
    app: &TestApp,
    path: &str,
    token: &str,
    key: &str,
    body: &Value,
    responses: [Response; 2],
) -> Value {
    let mut answers = Vec::new();
    for mut response in responses {
        while response.status() == 409 {
            actix_web::rt::time::sleep(std::time::Duration::from_millis(20)).await;
            response = post_with_key(app, path, token, key, body).await;
        }
        assert!(response.status().is_success(), "{}", response.status());
        answers.push(response.json::<Value>().await.unwrap());
    }
    assert_eq!(
        answers[0]["id"], answers[1]["id"],
        "one resource for one key"
    );
    answers.remove(0)
}

async fn a_thousand_concurrent_submissions_with_retries_lose_none_and_duplicate_none(
    db: TestDatabase,
) {
    const APPLICATIONS: usize = 1_000;
    let app = TestApp::spawn_with(db, |mut settings| {
        settings.database_pool_size = 8;
        settings
    })
    .await;
    let review = Review::set_up(&app).await;
    let alice = researcher(&app, "alice");
    let form = access_application(&review.both_datasets());
    let ids: Vec<String> = stream::iter(0..APPLICATIONS)
        .map(|n| create_and_submit(&app, &alice, &form, n))
        .buffer_unordered(16)
        .collect()
        .await;
    let distinct: std::collections::BTreeSet<&String> = ids.iter().collect();
    assert_eq!(
        distinct.len(),
        APPLICATIONS,
        "no two requests made one application"
    );

    // Walk every page of alice's applications: each submitted once, none more.
    let mut seen = 0;
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/applications?limit=100&cursor={c}"),
            None => "/api/v1/applications?limit=100".to_owned(),
        };
        let page: Value = app.get(&path, Some(&alice)).await.json().await.unwrap();
        for item in page["items"].as_array().unwrap() {
            assert_eq!(item["status"], "submitted");
            assert!(distinct.contains(&item["id"].as_str().unwrap().to_owned()));
            seen += 1;
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, APPLICATIONS, "none lost, none duplicated");
}
