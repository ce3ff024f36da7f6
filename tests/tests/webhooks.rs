//! Webhooks (Standard Webhooks) against local receivers (wiremock), on both databases: every
//! message verifies with the `standardwebhooks` Python package; messages come in log order;
//! a subscriber is sent only what it may follow in the change feed, and never a natural
//! person's name or a token; failures are retried with backoff until the delivery gives up
//! and is marked failed; a redelivery sends it again; a slow receiver holds up no other; a
//! URL to a refused address is 422.
#![expect(clippy::unwrap_used, reason = "test helpers fail loudly")]

use std::time::Duration;

use hdab_domain::auth::Role;
use hdab_tests::applications::Review;
use hdab_tests::fixtures::{Holder, create_published, dataset, holder};
use hdab_tests::permits::partially_approved;
use hdab_tests::{TestApp, TestDatabase, on_both_backends, problem};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

on_both_backends!(
    messages_verify_independently_and_come_in_log_order,
    each_subscriber_is_sent_what_it_may_see_without_names,
    failures_are_retried_until_the_delivery_gives_up_and_a_redelivery_sends_it_again,
);

/// An hdab that may call loopback receivers, retrying fast and giving up after `give_up`.
async fn app_with(db: TestDatabase, give_up: Duration) -> TestApp {
    TestApp::spawn_with(db, |mut settings| {
        settings.outbound.policy.allow_private = true;
        settings.webhooks.timeout = Duration::from_secs(1);
        settings.webhooks.first_retry = Duration::from_millis(100);
        settings.webhooks.give_up_after = give_up;
        settings
    })
    .await
}

async fn subscribe(app: &TestApp, token: &str, url: &str, types: &[&str]) -> (String, String) {
    let response = app
        .post(
            "/api/v1/webhooks",
            token,
            &json!({"url": url, "event_types": types, "description": "test receiver"}),
        )
        .await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    let created: Value = response.json().await.unwrap();
    let secret = created["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"), "{secret}");
    let id = created["id"].as_str().unwrap().to_owned();
    let read: Value = app
        .get(&format!("/api/v1/webhooks/{id}"), Some(token))
        .await
        .json()
        .await
        .unwrap();
    assert!(read.get("secret").is_none(), "the secret is shown once");
    (id, secret)
}

/// Waits until `receiver` got `count` requests at `route`; returns them.
async fn received(receiver: &MockServer, route: &str, count: usize) -> Vec<Request> {
    for _ in 0..200 {
        let got: Vec<Request> = receiver
            .received_requests()
            .await
            .unwrap()
            .into_iter()
            .filter(|r| r.url.path() == route)
            .collect();
        if got.len() >= count {
            return got;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{route} did not get {count} messages within 10 s");
}

/// Checks a message with the `standardwebhooks` package; returns its body.
async fn verified(secret: &str, request: &Request) -> Value {
    const SCRIPT: &str = r#"
import json, sys
from standardwebhooks.webhooks import Webhook
secret, body, headers = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
print(json.dumps(Webhook(secret).verify(body, headers)))
"#;
    let headers: serde_json::Map<String, Value> =
        ["webhook-id", "webhook-timestamp", "webhook-signature"]
            .iter()
            .map(|name| {
                let value = request.headers.get(*name).unwrap().to_str().unwrap();
                ((*name).to_owned(), json!(value))
            })
            .collect();
    let body = String::from_utf8(request.body.clone()).unwrap();
    let args = vec![
        secret.to_owned(),
        body.clone(),
        Value::Object(headers).to_string(),
    ];
    if let Some(out) = hdab_tests::python::run(SCRIPT, args, "standardwebhooks").await {
        let checked: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(checked, serde_json::from_str::<Value>(&body).unwrap());
    }
    serde_json::from_str(&body).unwrap()
}

async fn deliveries(app: &TestApp, token: &str, id: &str) -> Vec<Value> {
    let page: Value = app
        .get(
            &format!("/api/v1/webhooks/{id}/deliveries?limit=100"),
            Some(token),
        )
        .await
        .json()
        .await
        .unwrap();
    page["items"].as_array().unwrap().clone()
}

fn ok_receiver() -> ResponseTemplate {
    ResponseTemplate::new(204)
}

async fn messages_verify_independently_and_come_in_log_order(db: TestDatabase) {
    let app = app_with(db, Duration::from_secs(60)).await;
    let receiver = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ok_receiver())
        .mount(&receiver)
        .await;
    let partner = app.token("partner-sync", &[Role::Partner], &[]);
    let (id, secret) = subscribe(
        &app,
        &partner,
        &format!("{}/hook", receiver.uri()),
        &["dataset.*"],
    )
    .await;
    let holder = holder(&app, "Webhook Holder", "DE", true).await;
    for n in 1..=3 {
        create_published(&app, &holder, &dataset(&holder, &format!("WH-{n}"))).await;
    }
    let got = received(&receiver, "/hook", 3).await;
    let mut seqs = Vec::new();
    for request in &got {
        let message = verified(&secret, request).await;
        assert_eq!(
            message["type"], "dataset.published",
            "drafts are the holder's: {message}"
        );
        assert_eq!(message["data"]["status"], "published");
        assert_eq!(message["data"]["publisher_id"], holder.publisher.as_str());
        seqs.push(message["data"]["seq"].as_i64().unwrap());
    }
    let mut sorted = seqs.clone();
    sorted.sort_unstable();
    assert_eq!(seqs, sorted, "in log order");
    let log = deliveries(&app, &partner, &id).await;
    assert_eq!(log.len(), 3);
    for delivery in &log {
        assert_eq!(delivery["status"], "succeeded", "{delivery}");
        assert_eq!(delivery["last_status"], 204);
        assert!(delivery["last_latency_ms"].as_i64().is_some());
    }
    // Another partner neither sees nor lists this subscription.
    let other = app.token("someone-else", &[Role::Partner], &[]);
    let response = app
        .get(&format!("/api/v1/webhooks/{id}"), Some(&other))
        .await;
    assert_eq!(response.status(), 404);
}

async fn each_subscriber_is_sent_what_it_may_see_without_names(db: TestDatabase) {
    let app = app_with(db, Duration::from_secs(60)).await;
    let receiver = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ok_receiver())
        .mount(&receiver)
        .await;
    let admin = app.admin_token();
    let wanted = ["application.submitted", "application.decided", "permit.*"];
    let (_, secret) = subscribe(&app, &admin, &format!("{}/admin", receiver.uri()), &wanted).await;
    let partner = app.token("partner-sync", &[Role::Partner], &[]);
    subscribe(
        &app,
        &partner,
        &format!("{}/partner", receiver.uri()),
        &wanted,
    )
    .await;
    let review = Review::set_up(&app).await;
    partially_approved(&app, &review).await;

    let got = received(&receiver, "/admin", 3).await;
    let mut types = Vec::new();
    for request in &got {
        let body = String::from_utf8(request.body.clone()).unwrap();
        for private in ["Alice Lindqvist", "Bruno Keller", "alice@", "Bearer", "eyJ"] {
            assert!(!body.contains(private), "a message names {private}: {body}");
        }
        types.push(
            verified(&secret, request).await["type"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    assert_eq!(
        types,
        [
            "application.submitted",
            "application.decided",
            "permit.issued"
        ]
    );
    actix_web::rt::time::sleep(Duration::from_millis(500)).await;
    let partner_got = received(&receiver, "/partner", 0).await;
    assert!(
        partner_got.is_empty(),
        "applications and permits are not a partner's to follow"
    );
}

async fn failures_are_retried_until_the_delivery_gives_up_and_a_redelivery_sends_it_again(
    db: TestDatabase,
) {
    let app = app_with(db, Duration::from_secs(2)).await;
    let receiver = MockServer::start().await;
    Mock::given(path("/dead"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&receiver)
        .await;
    Mock::given(path("/slow"))
        .respond_with(ok_receiver().set_delay(Duration::from_secs(5)))
        .mount(&receiver)
        .await;
    Mock::given(path("/fast"))
        .respond_with(ok_receiver())
        .mount(&receiver)
        .await;
    let partner = app.token("partner-sync", &[Role::Partner], &[]);
    let (dead, _) = subscribe(
        &app,
        &partner,
        &format!("{}/dead", receiver.uri()),
        &["dataset.published"],
    )
    .await;
    subscribe(
        &app,
        &partner,
        &format!("{}/slow", receiver.uri()),
        &["dataset.published"],
    )
    .await;
    subscribe(
        &app,
        &partner,
        &format!("{}/fast", receiver.uri()),
        &["dataset.published"],
    )
    .await;
    let holder: Holder = holder(&app, "Retry Holder", "NL", true).await;
    let started = std::time::Instant::now();
    create_published(&app, &holder, &dataset(&holder, "RETRY-1")).await;
    received(&receiver, "/fast", 1).await;
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "a slow receiver (5 s) and a dead one hold up no other: {:?}",
        started.elapsed()
    );

    let mut log = Vec::new();
    for _ in 0..100 {
        log = deliveries(&app, &partner, &dead).await;
        if log.first().is_some_and(|d| d["status"] == "failed") {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    let delivery = &log[0];
    assert_eq!(delivery["status"], "failed", "{delivery}");
    assert!(
        delivery["attempts"].as_i64().unwrap() >= 2,
        "retried: {delivery}"
    );
    assert_eq!(delivery["last_status"], 503);

    receiver.reset().await;
    Mock::given(path("/dead"))
        .respond_with(ok_receiver())
        .mount(&receiver)
        .await;
    let redelivery = app
        .post(
            &format!(
                "/api/v1/webhooks/{dead}/deliveries/{}/redeliver",
                delivery["id"].as_str().unwrap()
            ),
            &partner,
            &json!({}),
        )
        .await;
    assert_eq!(redelivery.status(), 202);
    received(&receiver, "/dead", 1).await;
    for _ in 0..100 {
        if deliveries(&app, &partner, &dead).await[0]["status"] == "succeeded" {
            return;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the redelivery did not succeed");
}

#[actix_web::test]
async fn a_webhook_url_to_a_refused_address_is_422() {
    let app = TestApp::spawn(TestDatabase::sqlite()).await;
    let partner = app.token("partner-sync", &[Role::Partner], &[]);
    for url in [
        "http://127.0.0.1:9/hook",
        "http://169.254.169.254/",
        "http://[::1]/x",
    ] {
        let response = app
            .post(
                "/api/v1/webhooks",
                &partner,
                &json!({"url": url, "event_types": ["dataset.*"]}),
            )
            .await;
        assert_eq!(response.status(), 422, "{url}");
        assert_eq!(
            problem(response).await["errors"][0]["code"],
            "address_refused"
        );
    }
    let response = app
        .post(
            "/api/v1/webhooks",
            &partner,
            &json!({"url": "https://partner.example.org/hook", "event_types": ["dataset.nonsense"]}),
        )
        .await;
    assert_eq!(response.status(), 422);
    assert_eq!(
        problem(response).await["errors"][0]["field"],
        "event_types[0]"
    );
}
