//! Bulk upsert over HTTP, on both databases: created, updated, unchanged (no version, no
//! event), withdrawn and rejected items in one call; an invalid item never blocks the others;
//! NDJSON; partners act for their publishers only; over 1,000 items nothing is written.
#![expect(clippy::unwrap_used, reason = "test helpers fail loudly")]

use hdab_domain::auth::Role;
use hdab_tests::fixtures::{dataset, holder};
use hdab_tests::{TestApp, TestDatabase, on_both_backends, problem};
use serde_json::{Value, json};

on_both_backends!(
    a_push_creates_updates_and_leaves_the_same_payload_unchanged,
    an_invalid_item_is_reported_and_never_blocks_the_others,
    a_call_sees_its_own_new_datasets_and_a_refusal_spoils_nothing,
    ndjson_withdrawals_and_partners_acting_for_their_publishers,
    over_a_thousand_items_nothing_is_written,
);

async fn push(app: &TestApp, token: &str, items: &Value) -> Value {
    let response = app.post("/api/v1/datasets/bulk", token, items).await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    response.json().await.unwrap()
}

fn outcomes(result: &Value) -> Vec<&str> {
    result["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["outcome"].as_str().unwrap())
        .collect()
}

async fn head(app: &TestApp) -> i64 {
    let page: Value = app
        .get("/api/v1/changes?limit=1000", Some(&app.admin_token()))
        .await
        .json()
        .await
        .unwrap();
    page["next_after"].as_i64().unwrap()
}

async fn a_push_creates_updates_and_leaves_the_same_payload_unchanged(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let holder = holder(&app, "Bulk Registry", "NL", true).await;
    let items = json!([dataset(&holder, "BULK-1"), dataset(&holder, "BULK-2")]);
    let first = push(&app, &holder.token, &items).await;
    assert_eq!(outcomes(&first), ["created", "created"]);
    assert_eq!(first["created"], 2);
    let id = first["items"][0]["id"].as_str().unwrap().to_owned();
    let read: Value = app
        .get(&format!("/api/v1/datasets/{id}"), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(read["status"], "published", "bulk items are published");

    // The same payload again: nothing new, not even an event.
    let before = head(&app).await;
    let again = push(&app, &holder.token, &items).await;
    assert_eq!(outcomes(&again), ["unchanged", "unchanged"]);
    assert_eq!(head(&app).await, before);

    // One description changed: a new version of that dataset only.
    let mut changed = dataset(&holder, "BULK-1");
    changed["title"] = json!({"en": "Bulk registry, second edition"});
    let third = push(
        &app,
        &holder.token,
        &json!([changed, dataset(&holder, "BULK-2")]),
    )
    .await;
    assert_eq!(outcomes(&third), ["updated", "unchanged"]);
    assert_eq!(
        third["items"][0]["id"],
        id.as_str(),
        "identity is (publisher, identifier)"
    );
    let read: Value = app
        .get(&format!("/api/v1/datasets/{id}"), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(read["version"], 2);
    assert_eq!(head(&app).await, before + 1);
}

/// New items are written without a savepoint of their own; a later item of the same call
/// still finds them, and an item refused by the database's rules (an unknown committee) spoils
/// neither the transaction (PostgreSQL) nor the items after it.
async fn a_call_sees_its_own_new_datasets_and_a_refusal_spoils_nothing(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let holder = holder(&app, "Bulk Registry", "NL", true).await;
    let mut unknown_committee = dataset(&holder, "MIX-3");
    unknown_committee["committee_id"] = json!("0190f5e0-0000-7000-8000-000000000000");
    let before = head(&app).await;
    let result = push(
        &app,
        &holder.token,
        &json!([
            dataset(&holder, "MIX-1"),
            {"publisher_id": holder.publisher, "identifier": "MIX-1", "withdraw": true},
            unknown_committee,
            dataset(&holder, "MIX-2"),
        ]),
    )
    .await;
    assert_eq!(
        outcomes(&result),
        ["created", "withdrawn", "rejected", "created"]
    );
    assert_eq!(
        result["items"][2]["problem"]["errors"][0]["field"],
        "committee_id"
    );
    let id = result["items"][0]["id"].as_str().unwrap();
    let read: Value = app
        .get(&format!("/api/v1/datasets/{id}"), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (read["status"].as_str(), read["version"].as_i64()),
        (Some("withdrawn"), Some(2))
    );
    let log: Value = app
        .get(
            &format!("/api/v1/changes?after={before}"),
            Some(&app.admin_token()),
        )
        .await
        .json()
        .await
        .unwrap();
    let actions: Vec<&str> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "dataset.published",
            "dataset.withdrawn",
            "dataset.published"
        ],
        "one event per write, in the items' order"
    );
}

async fn an_invalid_item_is_reported_and_never_blocks_the_others(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let holder = holder(&app, "Bulk Registry", "NL", true).await;
    let mut bad_country = dataset(&holder, "BAD-1");
    bad_country["countries"] = json!(["XX"]);
    let result = push(
        &app,
        &holder.token,
        &json!([dataset(&holder, "GOOD-1"), bad_country, {"not": "a dataset"}, dataset(&holder, "GOOD-2")]),
    )
    .await;
    assert_eq!(
        outcomes(&result),
        ["created", "rejected", "rejected", "created"]
    );
    assert_eq!(result["rejected"], 2);
    let problem = &result["items"][1]["problem"];
    assert_eq!(problem["code"], "validation_failed");
    assert_eq!(problem["errors"][0]["field"], "countries[0]");
    assert_eq!(result["items"][2]["problem"]["status"], 422);
    let listed: Value = app
        .get("/api/v1/datasets?q=GOOD", None)
        .await
        .json()
        .await
        .unwrap();
    assert!(listed["total"].as_u64().unwrap() <= 2);
}

async fn ndjson_withdrawals_and_partners_acting_for_their_publishers(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let holder = holder(&app, "Bulk Registry", "NL", true).await;
    let other = holder_other(&app).await;
    let partner = app.token(
        "national-catalogue",
        &[Role::Partner],
        std::slice::from_ref(&holder.publisher),
    );
    let lines = [
        dataset(&holder, "ND-1"),
        dataset(&holder, "ND-2"),
        dataset(&other, "ND-3"),
    ]
    .iter()
    .map(Value::to_string)
    .collect::<Vec<_>>()
    .join("\n");
    let response = app
        .client
        .post(app.url("/api/v1/datasets/bulk"))
        .bearer_auth(&partner)
        .header("Content-Type", "application/x-ndjson")
        .body(format!("{lines}\n"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let result: Value = response.json().await.unwrap();
    assert_eq!(outcomes(&result), ["created", "created", "rejected"]);
    assert_eq!(
        result["items"][2]["problem"]["code"], "not_found",
        "another publisher's"
    );

    let withdraw = json!([
        {"publisher_id": holder.publisher, "identifier": "ND-1", "withdraw": true},
        {"publisher_id": holder.publisher, "identifier": "ND-1", "withdraw": true},
        {"publisher_id": holder.publisher, "identifier": "NEVER-PUSHED", "withdraw": true},
    ]);
    let result = push(&app, &partner, &withdraw).await;
    assert_eq!(outcomes(&result), ["withdrawn", "unchanged", "rejected"]);
    let unsupported = app
        .client
        .post(app.url("/api/v1/datasets/bulk"))
        .bearer_auth(&partner)
        .header("Content-Type", "text/plain")
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(unsupported.status(), 415);
}

async fn holder_other(app: &TestApp) -> hdab_tests::fixtures::Holder {
    holder(app, "Another Registry", "BE", false).await
}

async fn over_a_thousand_items_nothing_is_written(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let holder = holder(&app, "Bulk Registry", "NL", true).await;
    let before = head(&app).await;
    let items: Vec<Value> = (0..1_001)
        .map(|n| dataset(&holder, &format!("MANY-{n}")))
        .collect();
    let response = app
        .post("/api/v1/datasets/bulk", &holder.token, &json!(items))
        .await;
    assert_eq!(response.status(), 413);
    assert_eq!(problem(response).await["code"], "batch_too_large");
    assert_eq!(head(&app).await, before);
    // A thousand typical descriptions fit the bulk body limit (over the 1 MiB of other calls).
    let result = push(&app, &holder.token, &json!(items[..1_000])).await;
    assert_eq!(result["created"], 1_000);
}
