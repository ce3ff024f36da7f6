//! Data at rest: the database files' permissions, rows that no longer parse, and a log rewound
//! to an earlier state, which signed checkpoints held outside the database expose.
#![expect(clippy::unwrap_used, reason = "test helpers fail loudly")]

use diesel::RunQueryDsl;
use hdab_tests::fixtures::{create_published, dataset, holder};
use hdab_tests::{TestApp, TestDatabase, on_both_backends, problem};
use serde_json::Value;

on_both_backends!(
    an_unreadable_event_row_is_the_first_broken_event,
    a_corrupted_dataset_is_left_out_of_the_catalogue_and_counted,
    a_log_rewound_past_a_signed_checkpoint_does_not_verify,
);

fn execute(app: &TestApp, sql: &str) {
    let mut conn = app.db.pool().get().unwrap();
    diesel::sql_query(sql).execute(&mut **conn).unwrap();
}

async fn verify(app: &TestApp, query: &str) -> Value {
    let response = app
        .get(
            &format!("/api/v1/audit/verify{query}"),
            Some(&app.admin_token()),
        )
        .await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn publishers(app: &TestApp, names: &[&str]) {
    for name in names {
        app.create_publisher(name, "DE").await;
    }
}

#[cfg(unix)]
#[actix_web::test]
async fn the_sqlite_files_are_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let app = TestApp::spawn(TestDatabase::sqlite()).await;
    publishers(&app, &["Private Holder"]).await;
    let database = app.db.url().trim_start_matches("sqlite://").to_owned();
    for suffix in ["", "-wal", "-shm"] {
        let path = format!("{database}{suffix}");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{path}");
    }
}

async fn an_unreadable_event_row_is_the_first_broken_event(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    publishers(&app, &["One", "Two", "Three"]).await;
    execute(&app, "UPDATE events SET id = 'not-a-uuid' WHERE seq = 2");
    let verified = verify(&app, "").await;
    assert_eq!(verified["valid"], false);
    assert_eq!(verified["first_broken_seq"], 2);
    assert!(
        verified["reason"]
            .as_str()
            .unwrap()
            .contains("cannot be read"),
        "{verified}"
    );
    if !app.db.is_postgres() {
        // SQLite stores whatever it is given, a time that is no time included.
        execute(
            &app,
            "UPDATE events SET occurred_at = 'yesterday' WHERE seq = 1",
        );
        let verified = verify(&app, "").await;
        assert_eq!(verified["first_broken_seq"], 1, "{verified}");
    }
}

async fn a_corrupted_dataset_is_left_out_of_the_catalogue_and_counted(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let h = holder(&app, "Corrupt Holder", "FR", false).await;
    let good = create_published(&app, &h, &dataset(&h, "GOOD-1")).await;
    let bad = create_published(&app, &h, &dataset(&h, "BAD-1")).await;
    execute(
        &app,
        &format!(
            "UPDATE datasets SET document = '{{\"not\": \"a description\"}}' WHERE id = '{bad}'"
        ),
    );
    let page = app.get("/api/v1/catalogue.ttl", None).await;
    assert_eq!(page.status(), 200);
    let turtle = page.text().await.unwrap();
    assert!(turtle.contains(&good), "the readable dataset is listed");
    assert!(!turtle.contains(&bad), "the corrupted one is left out");
    let metrics = app.get("/metrics", None).await.text().await.unwrap();
    let skipped = metrics
        .lines()
        .find(|l| l.starts_with("hdab_corrupt_records_skipped_total "))
        .unwrap();
    assert_ne!(skipped, "hdab_corrupt_records_skipped_total 0");

    // The search index rebuilt from the database at start leaves it out too.
    let app = app
        .restart(|settings| std::fs::remove_dir_all(&settings.index_dir).unwrap())
        .await;
    let found: Value = app
        .get("/api/v1/datasets", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(found["total"], 1);
}

async fn a_log_rewound_past_a_signed_checkpoint_does_not_verify(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let admin = app.admin_token();
    publishers(&app, &["A", "B", "C", "D", "E"]).await;
    let response = app
        .send_json(
            reqwest::Method::POST,
            "/api/v1/audit/checkpoints",
            Some(&admin),
            &Value::Null,
        )
        .await;
    assert_eq!(response.status(), 201);
    let checkpoint: Value = response.json().await.unwrap();
    assert_eq!(checkpoint["seq"], 5);
    let again = app
        .send_json(
            reqwest::Method::POST,
            "/api/v1/audit/checkpoints",
            Some(&admin),
            &Value::Null,
        )
        .await;
    assert_eq!(again.status(), 200, "the log has not moved");
    let listed: Value = app
        .get("/api/v1/audit/checkpoints", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        listed["items"][0]["token"], checkpoint["token"],
        "checkpoints are public"
    );
    assert_eq!(verify(&app, "").await["valid"], true);

    // Whoever controls the database deletes the two newest events and rewinds the head.
    execute(&app, "DELETE FROM events WHERE seq > 3");
    execute(
        &app,
        "UPDATE event_chain_head SET last_seq = 3, last_hash = (SELECT hash FROM events WHERE seq = 3)",
    );
    execute(&app, "DELETE FROM audit_checkpoints");
    let verified = verify(&app, "").await;
    assert_eq!(verified["valid"], false, "{verified}");
    assert_eq!(verified["first_broken_seq"], 4);
    assert_eq!(verified["checkpoint_seq"], 5, "hdab's own held checkpoint");

    // A partner that kept the checkpoint proves it even when hdab holds none any more.
    std::fs::remove_file(app.settings.data_dir.join("audit-checkpoint.jws")).unwrap();
    assert_eq!(
        verify(&app, "").await["valid"],
        true,
        "nothing left to compare with"
    );
    let token = checkpoint["token"].as_str().unwrap();
    let verified = verify(&app, &format!("?checkpoint={token}")).await;
    assert_eq!(verified["valid"], false);
    assert!(
        verified["reason"]
            .as_str()
            .unwrap()
            .contains("signed checkpoint"),
        "{verified}"
    );

    // Anyone checks the signature with the published key.
    let jwks: Value = app
        .get("/.well-known/jwks.json", None)
        .await
        .json()
        .await
        .unwrap();
    let header = jsonwebtoken::decode_header(token).unwrap();
    assert_eq!(header.typ.as_deref(), Some("hdab-checkpoint+jwt"));
    let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_value(
        jwks["keys"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["kid"].as_str() == header.kid.as_deref())
            .unwrap()
            .clone(),
    )
    .unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256);
    validation.set_required_spec_claims::<&str>(&[]);
    validation.validate_exp = false;
    let claims = jsonwebtoken::decode::<Value>(
        token,
        &jsonwebtoken::DecodingKey::from_jwk(&jwk).unwrap(),
        &validation,
    )
    .unwrap()
    .claims;
    assert_eq!(claims["seq"], 5);
    assert_eq!(claims["hash"], checkpoint["hash"]);

    // A checkpoint hdab did not sign is refused.
    let forged = format!("{}x", &token[..token.len() - 1]);
    let response = app
        .get(
            &format!("/api/v1/audit/verify?checkpoint={forged}"),
            Some(&admin),
        )
        .await;
    assert_eq!(response.status(), 422);
    assert_eq!(problem(response).await["errors"][0]["field"], "checkpoint");
}
