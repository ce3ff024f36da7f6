//! Database faults under a running hdab: a PostgreSQL restart, a frozen PostgreSQL, a SQLite
//! writer lock held too long. hdab answers 503 with `Retry-After` while the database cannot
//! serve, never hangs, and serves again by itself once the database is back.
#![expect(clippy::unwrap_used, reason = "test helpers fail loudly")]

use std::time::{Duration, Instant};

use diesel::Connection;
use diesel::connection::SimpleConnection;
use hdab_tests::cluster::PostgresCluster;
use hdab_tests::{TestApp, TestDatabase, problem, publisher_body};

/// Asserts a 503 problem with `Retry-After`, and returns its code.
async fn assert_unavailable(response: reqwest::Response) -> String {
    assert_eq!(response.status(), 503);
    assert!(
        response.headers().contains_key("retry-after"),
        "a 503 says when to retry"
    );
    problem(response).await["code"].as_str().unwrap().to_owned()
}

/// Polls `path` until it answers 200; returns how long that took.
async fn time_until_ok(app: &TestApp, path: &str, limit: Duration) -> Duration {
    let started = Instant::now();
    loop {
        let status = app.get(path, None).await.status();
        if status == 200 {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < limit,
            "{path} still answers {status} after {limit:?}"
        );
        assert!(status == 503, "{path} answered {status} while recovering");
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
}

#[actix_web::test]
#[cfg_attr(
    not(hdab_test_postgres_binaries),
    ignore = "needs PostgreSQL server binaries (apt-get install postgresql) to run a cluster of its own"
)]
async fn serves_again_within_5_s_of_a_postgresql_restart() {
    let Some(cluster) = PostgresCluster::start() else {
        return;
    };
    let app = TestApp::spawn(TestDatabase::at_url(cluster.url())).await;
    let admin = app.admin_token();
    let created = app
        .post(
            "/api/v1/publishers",
            &admin,
            &publisher_body("Before", "DE"),
        )
        .await;
    assert_eq!(created.status(), 201);

    cluster.stop();
    let code = assert_unavailable(app.get("/api/v1/publishers", None).await).await;
    assert_eq!(code, "unavailable");
    let code = assert_unavailable(app.get("/health/ready", None).await).await;
    assert_eq!(code, "database_unavailable", "readiness names the database");
    assert_eq!(app.get("/health/live", None).await.status(), 200);

    cluster.start_again();
    let recovered = time_until_ok(&app, "/api/v1/publishers", Duration::from_secs(5)).await;
    eprintln!(
        "serving again {} ms after PostgreSQL was back",
        recovered.as_millis()
    );
    let written = app
        .post("/api/v1/publishers", &admin, &publisher_body("After", "FR"))
        .await;
    assert_eq!(written.status(), 201, "writes work again too");
    assert_eq!(app.get("/health/ready", None).await.status(), 200);
    let verified: serde_json::Value = app
        .get("/api/v1/audit/verify", Some(&admin))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(verified["valid"], true, "{verified}");
}

#[actix_web::test]
#[cfg_attr(
    not(hdab_test_postgres_binaries),
    ignore = "needs PostgreSQL server binaries (apt-get install postgresql) to run a cluster of its own"
)]
async fn a_frozen_postgresql_gets_503_within_the_deadline_not_a_hang() {
    let Some(cluster) = PostgresCluster::start() else {
        return;
    };
    let app = TestApp::spawn_with(TestDatabase::at_url(cluster.url()), |mut settings| {
        settings.database_timeouts.statement = Duration::from_secs(2);
        settings
    })
    .await;
    let deadline = app.settings.database_deadline();
    assert_eq!(app.get("/api/v1/publishers", None).await.status(), 200);

    cluster.freeze();
    let started = Instant::now();
    let code = assert_unavailable(app.get("/health/ready", None).await).await;
    assert_eq!(code, "database_unavailable");
    let waited = started.elapsed();
    assert!(
        waited < app.settings.readiness_timeout + Duration::from_secs(2),
        "readiness answered after {waited:?}"
    );
    let started = Instant::now();
    assert_unavailable(app.get("/api/v1/publishers", None).await).await;
    let waited = started.elapsed();
    assert!(
        waited < deadline + Duration::from_secs(2),
        "a read answered after {waited:?} (deadline {deadline:?})"
    );

    cluster.thaw();
    time_until_ok(&app, "/api/v1/publishers", Duration::from_secs(5)).await;
}

#[actix_web::test]
async fn a_sqlite_writer_lock_held_too_long_is_503_and_nothing_is_half_written() {
    let db = TestDatabase::sqlite();
    let app = TestApp::spawn_with(db, |mut settings| {
        settings.database_timeouts.statement = Duration::from_secs(1);
        settings
    })
    .await;
    let admin = app.admin_token();
    let path = app.db.url().trim_start_matches("sqlite://").to_owned();
    let mut holder = diesel::SqliteConnection::establish(&path).unwrap();
    holder.batch_execute("BEGIN IMMEDIATE").unwrap();

    let response = app
        .post(
            "/api/v1/publishers",
            &admin,
            &publisher_body("Blocked", "DE"),
        )
        .await;
    assert_unavailable(response).await;

    holder.batch_execute("ROLLBACK").unwrap();
    let listed: serde_json::Value = app
        .get("/api/v1/publishers", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["items"].as_array().unwrap().len(), 0);
    let retried = app
        .post(
            "/api/v1/publishers",
            &admin,
            &publisher_body("Blocked", "DE"),
        )
        .await;
    assert_eq!(retried.status(), 201);
}
