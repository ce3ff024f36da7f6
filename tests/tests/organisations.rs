//! Publishers and committees over HTTP: create, read, list, replace under If-Match, delete
//! only what nothing refers to; every write recorded in a verifiable event log.
#![expect(clippy::unwrap_used, reason = "test helpers fail loudly")]

use hdab_tests::{TestApp, TestDatabase, on_both_backends, problem, publisher_body};
use reqwest::Method;
use serde_json::{Value, json};

on_both_backends!(
    creates_reads_and_lists_publishers,
    lists_page_by_cursor_without_gaps_or_repeats,
    replacing_needs_the_current_etag,
    publisher_names_are_unique,
    committees_link_existing_publishers_and_members,
    a_publisher_a_committee_serves_cannot_be_deleted,
    unknown_ids_are_404,
    every_write_is_in_the_verified_event_log,
);

async fn put(app: &TestApp, path: &str, if_match: Option<&str>, body: &Value) -> reqwest::Response {
    let mut request = app
        .client
        .put(app.url(path))
        .bearer_auth(app.admin_token())
        .json(body);
    if let Some(etag) = if_match {
        request = request.header("if-match", etag);
    }
    request.send().await.unwrap()
}

async fn delete(app: &TestApp, path: &str) -> reqwest::Response {
    app.client
        .delete(app.url(path))
        .bearer_auth(app.admin_token())
        .send()
        .await
        .unwrap()
}

async fn creates_reads_and_lists_publishers(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let response = app
        .post(
            "/api/v1/publishers",
            &app.admin_token(),
            &publisher_body("Institut Curie", "FR"),
        )
        .await;
    assert_eq!(response.status(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(response.headers()["etag"], "\"1\"");
    let created: Value = response.json().await.unwrap();
    assert_eq!(
        location,
        format!("/api/v1/publishers/{}", created["id"].as_str().unwrap())
    );
    assert_eq!(created["country"], "FR");
    assert_eq!(created["version"], 1);

    let read = app.get(&location, None).await;
    assert_eq!(read.headers()["etag"], "\"1\"");
    assert_eq!(read.json::<Value>().await.unwrap(), created);

    let list: Value = app
        .get("/api/v1/publishers", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"], json!([created]));
    assert_eq!(list["next_cursor"], Value::Null);
}

async fn lists_page_by_cursor_without_gaps_or_repeats(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let mut created = Vec::new();
    for i in 0..5 {
        created.push(app.create_publisher(&format!("Holder {i}"), "DE").await["id"].clone());
    }
    let mut seen = Vec::new();
    let mut path = "/api/v1/publishers?limit=2".to_owned();
    loop {
        let page: Value = app.get(&path, None).await.json().await.unwrap();
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["id"].clone()),
        );
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/publishers?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, created, "oldest first, each once");
}

async fn replacing_needs_the_current_etag(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let publisher = app.create_publisher("Erasmus MC", "NL").await;
    let path = format!("/api/v1/publishers/{}", publisher["id"].as_str().unwrap());
    let mut changed = publisher_body("Erasmus MC", "NL");
    changed["trusted_data_holder"] = json!(true);

    let missing = put(&app, &path, None, &changed).await;
    assert_eq!(missing.status(), 428);
    assert_eq!(problem(missing).await["code"], "if_match_required");

    let ok = put(&app, &path, Some("\"1\""), &changed).await;
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.headers()["etag"], "\"2\"");
    let body: Value = ok.json().await.unwrap();
    assert_eq!(
        (body["trusted_data_holder"].clone(), body["version"].clone()),
        (json!(true), json!(2))
    );

    let stale = put(
        &app,
        &path,
        Some("\"1\""),
        &publisher_body("Lost update", "NL"),
    )
    .await;
    assert_eq!(stale.status(), 412);
    assert_eq!(problem(stale).await["code"], "stale_version");
    let stored: Value = app.get(&path, None).await.json().await.unwrap();
    assert_eq!(
        stored["name"], "Erasmus MC",
        "the stale write changed nothing"
    );

    let invalid = put(
        &app,
        &path,
        Some("\"2\""),
        &publisher_body("Erasmus MC", "Netherlands"),
    )
    .await;
    assert_eq!(invalid.status(), 422);
    assert_eq!(problem(invalid).await["errors"][0]["field"], "country");
}

async fn publisher_names_are_unique(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    app.create_publisher("Karolinska Institutet", "SE").await;
    let again = app
        .post(
            "/api/v1/publishers",
            &app.admin_token(),
            &publisher_body("karolinska institutet", "SE"),
        )
        .await;
    assert_eq!(again.status(), 409);
    assert_eq!(problem(again).await["code"], "publisher_name_taken");
}

async fn committees_link_existing_publishers_and_members(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let publisher = app.create_publisher("Hospital Clínic", "ES").await;
    let publisher_id = publisher["id"].as_str().unwrap();
    let body = json!({
        "name": "Imaging DAC",
        "publisher_ids": [publisher_id],
        "members": [{"subject": "chair@clinic.es", "role": "chair"}, {"subject": "m1@clinic.es", "role": "member"}],
        "decision_rule": "chair_decides",
        "quorum": 2,
    });
    let response = app
        .post("/api/v1/committees", &app.admin_token(), &body)
        .await;
    assert_eq!(response.status(), 201);
    let committee: Value = response.json().await.unwrap();
    assert_eq!(committee["members"], body["members"]);
    assert_eq!(committee["publisher_ids"], json!([publisher_id]));

    let unknown = uuid::Uuid::now_v7().to_string();
    let bad = json!({
        "name": "Other DAC", "publisher_ids": [publisher_id, unknown],
        "members": [{"subject": "a", "role": "member"}], "decision_rule": "chair_decides", "quorum": 3,
    });
    let response = app
        .post("/api/v1/committees", &app.admin_token(), &bad)
        .await;
    assert_eq!(response.status(), 422);
    let fields: Vec<String> = problem(response).await["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        fields,
        ["members", "quorum"],
        "rules between fields first; references are checked once those hold"
    );

    let fixed = json!({"name": "Other DAC", "publisher_ids": [publisher_id, unknown], "decision_rule": "majority"});
    let response = app
        .post("/api/v1/committees", &app.admin_token(), &fixed)
        .await;
    assert_eq!(response.status(), 422);
    assert_eq!(
        problem(response).await["errors"][0]["field"],
        "publisher_ids[1]"
    );

    let path = format!("/api/v1/committees/{}", committee["id"].as_str().unwrap());
    let replaced = put(
        &app,
        &path,
        Some("\"1\""),
        &json!({"name": "Imaging DAC", "decision_rule": "unanimous"}),
    )
    .await;
    assert_eq!(replaced.status(), 200);
    let replaced: Value = replaced.json().await.unwrap();
    assert_eq!(
        (replaced["members"].clone(), replaced["version"].clone()),
        (json!([]), json!(2))
    );
}

async fn a_publisher_a_committee_serves_cannot_be_deleted(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let publisher = app.create_publisher("Oslo University Hospital", "NO").await;
    let publisher_path = format!("/api/v1/publishers/{}", publisher["id"].as_str().unwrap());
    let committee: Value = app
        .post(
            "/api/v1/committees",
            &app.admin_token(),
            &json!({"name": "Oslo DAC", "publisher_ids": [publisher["id"]], "decision_rule": "majority"}),
        )
        .await
        .json()
        .await
        .unwrap();

    let refused = delete(&app, &publisher_path).await;
    assert_eq!(refused.status(), 409);
    assert_eq!(problem(refused).await["code"], "publisher_in_use");
    assert_eq!(
        app.get(&publisher_path, None).await.status(),
        200,
        "nothing was deleted"
    );

    let committee_path = format!("/api/v1/committees/{}", committee["id"].as_str().unwrap());
    assert_eq!(delete(&app, &committee_path).await.status(), 204);
    assert_eq!(delete(&app, &publisher_path).await.status(), 204);
    assert_eq!(app.get(&publisher_path, None).await.status(), 404);
}

async fn unknown_ids_are_404(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let id = uuid::Uuid::now_v7();
    for path in [
        format!("/api/v1/publishers/{id}"),
        format!("/api/v1/committees/{id}"),
        "/api/v1/publishers/not-a-uuid".into(),
    ] {
        let response = app.get(&path, None).await;
        assert_eq!(response.status(), 404, "{path}");
        assert_eq!(problem(response).await["code"], "not_found");
    }
    let response = put(
        &app,
        &format!("/api/v1/publishers/{id}"),
        Some("\"1\""),
        &publisher_body("Ghost", "DE"),
    )
    .await;
    assert_eq!(response.status(), 404);
    assert_eq!(
        delete(&app, &format!("/api/v1/committees/{id}"))
            .await
            .status(),
        404
    );
}

async fn every_write_is_in_the_verified_event_log(db: TestDatabase) {
    // No scheduled checkpoint: this test reads the log as its writes left it.
    let app = TestApp::spawn_with(db, |mut settings| {
        settings.audit_checkpoint_interval = None;
        settings
    })
    .await;
    let publisher = app.create_publisher("Charité", "DE").await;
    let path = format!("/api/v1/publishers/{}", publisher["id"].as_str().unwrap());
    put(
        &app,
        &path,
        Some("\"1\""),
        &publisher_body("Charité – Universitätsmedizin Berlin", "DE"),
    )
    .await;
    app.send_json(
        Method::POST,
        "/api/v1/publishers",
        Some(&app.admin_token()),
        &publisher_body("", "DE"),
    )
    .await;
    delete(&app, &path).await;

    let log: Value = app
        .get("/api/v1/audit/events", Some(&app.admin_token()))
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
            "publisher.created",
            "publisher.updated",
            "publisher.deleted"
        ],
        "a refused write records nothing"
    );
    assert_eq!(log["items"][0]["actor"], "admin@hdab.test");
    // Payloads are versioned domain values: `{"v": 1, "data": <the publisher>}`.
    assert_eq!(log["items"][1]["payload"]["v"], 1);
    assert_eq!(
        log["items"][1]["payload"]["data"]["details"]["name"],
        "Charité – Universitätsmedizin Berlin"
    );

    let verified: Value = app
        .get("/api/v1/audit/verify", Some(&app.admin_token()))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        verified,
        json!({"valid": true, "events_checked": 3, "first_broken_seq": null, "reason": null, "checkpoint_seq": null})
    );

    let mut conn = app.db.pool().get().unwrap();
    diesel::RunQueryDsl::execute(
        diesel::sql_query("UPDATE events SET actor = 'mallory' WHERE seq = 2"),
        &mut **conn,
    )
    .unwrap();
    let verified: Value = app
        .get("/api/v1/audit/verify", Some(&app.admin_token()))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            verified["valid"].clone(),
            verified["first_broken_seq"].clone()
        ),
        (json!(false), json!(2))
    );
}
