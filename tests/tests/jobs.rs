//! The job runner: scheduled jobs are claimed through the database, so of two hdab processes on
//! one PostgreSQL only one runs a job at a time, and every run is recorded for admins.
#![expect(clippy::unwrap_used, reason = "test helpers fail loudly")]

use std::time::Duration;

use chrono::{DateTime, Utc};
use hdab_api::shell::config::Settings;
use hdab_tests::{TestApp, TestDatabase};
use serde_json::Value;

fn every_second(mut settings: Settings) -> Settings {
    settings.audit_checkpoint_interval = Some(Duration::from_secs(1));
    settings
}

/// The recorded runs of the checkpoint job, oldest first.
async fn checkpoint_runs(app: &TestApp) -> Vec<Value> {
    let page: Value = app
        .get(
            "/api/v1/jobs/runs?job=audit.checkpoint&limit=100",
            Some(&app.admin_token()),
        )
        .await
        .json()
        .await
        .unwrap();
    let mut runs = page["items"].as_array().unwrap().clone();
    runs.reverse();
    runs
}

fn time(run: &Value, field: &str) -> DateTime<Utc> {
    run[field].as_str().unwrap().parse().unwrap()
}

#[actix_web::test]
#[cfg_attr(
    not(hdab_test_postgres),
    ignore = "PostgreSQL is not installed: apt-get install postgresql, or set HDAB_TEST_POSTGRES_URL"
)]
async fn two_processes_on_one_postgresql_never_run_a_job_at_once() {
    let Some(db) = TestDatabase::postgres() else {
        return;
    };
    let url = db.url().to_owned();
    let first = TestApp::spawn_with(db, every_second).await;
    let second = TestApp::spawn_with(TestDatabase::at_url(url), every_second).await;
    first.create_publisher("Moves the log", "DE").await;
    actix_web::rt::time::sleep(Duration::from_millis(4_500)).await;

    let runs = checkpoint_runs(&first).await;
    assert!(
        (3..=6).contains(&runs.len()),
        "{} runs in 4.5 s: {runs:?}",
        runs.len()
    );
    for pair in runs.windows(2) {
        let (earlier, later) = (&pair[0], &pair[1]);
        assert!(
            time(later, "started_at") >= time(earlier, "finished_at"),
            "two runs overlapped: {earlier} {later}"
        );
        assert!(
            time(later, "started_at") - time(earlier, "started_at")
                >= chrono::Duration::milliseconds(900),
            "the job ran twice in one period: {earlier} {later}"
        );
    }
    assert!(runs.iter().all(|r| r["outcome"] == "succeeded"), "{runs:?}");
    let jobs: Value = second
        .get("/api/v1/jobs", Some(&second.admin_token()))
        .await
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = jobs["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|job| job["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"audit.checkpoint"), "{names:?}");
}

#[actix_web::test]
async fn every_run_is_recorded_for_admins_only() {
    let app = TestApp::spawn_with(TestDatabase::sqlite(), every_second).await;
    app.create_publisher("Moves the log", "FR").await;
    actix_web::rt::time::sleep(Duration::from_millis(2_500)).await;
    let runs = checkpoint_runs(&app).await;
    // A run at start may find the log still empty; one after the write signs it.
    assert!(
        runs.iter().any(|run| run["detail"]
            .as_str()
            .unwrap()
            .starts_with("signed a checkpoint at event")),
        "{runs:?}"
    );
    assert_eq!(app.get("/api/v1/jobs/runs", None).await.status(), 401);
    let researcher = app.token("r", &[hdab_domain::auth::Role::Researcher], &[]);
    assert_eq!(
        app.get("/api/v1/jobs", Some(&researcher)).await.status(),
        403
    );
}

#[actix_web::test]
#[cfg_attr(
    not(hdab_test_postgres),
    ignore = "PostgreSQL is not installed: apt-get install postgresql, or set HDAB_TEST_POSTGRES_URL"
)]
async fn two_processes_record_each_deadline_alert_exactly_once_art_68() {
    use hdab_tests::applications::{
        Review, access_application, deadline_alerts, draft, ok, researcher,
    };
    let Some(db) = TestDatabase::postgres() else {
        return;
    };
    let url = db.url().to_owned();
    let deadlines_every_second = |mut settings: Settings| {
        settings.applications.deadline_check_interval = Duration::from_secs(1);
        settings
    };
    let first = TestApp::spawn_with(db, deadlines_every_second).await;
    let second = TestApp::spawn_with(TestDatabase::at_url(url), deadlines_every_second).await;
    let review = Review::set_up(&first).await;
    let alice = researcher(&first, "alice");
    let id = draft(&first, &alice, &access_application(&review.both_datasets())).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(&first, &alice, &id, "submit", &serde_json::json!({})).await;

    // A week before the 4-week deadline, then past it: both processes look every second.
    for days in [22, 7] {
        for app in [&first, &second] {
            app.settings.clock.advance(chrono::Duration::days(days));
        }
        actix_web::rt::time::sleep(Duration::from_millis(3_000)).await;
    }
    assert_eq!(
        deadline_alerts(&second, &id).await,
        ["application.deadline_approaching", "application.overdue"]
    );
}
