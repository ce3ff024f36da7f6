//! The change feed over HTTP, on both databases: what each caller may follow, filters by type,
//! a reader that sees every event exactly once while writers write concurrently, and the
//! long-poll.
#![expect(clippy::unwrap_used, reason = "test helpers fail loudly")]

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use hdab_tests::applications::{Review, under_review};
use hdab_tests::fixtures::dataset;
use hdab_tests::{TestApp, TestDatabase, on_both_backends, problem, publisher_body};
use serde_json::{Value, json};

on_both_backends!(
    the_feed_shows_the_public_catalogue_to_everyone_and_more_by_role,
    a_reader_following_the_feed_under_concurrent_writers_sees_every_event_once,
    a_long_poll_answers_as_soon_as_an_event_is_written,
);

async fn feed(app: &TestApp, query: &str, token: Option<&str>) -> Value {
    let response = app.get(&format!("/api/v1/changes?{query}"), token).await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    response.json().await.unwrap()
}

fn actions(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect()
}

async fn the_feed_shows_the_public_catalogue_to_everyone_and_more_by_role(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let review = Review::set_up(&app).await;
    under_review(&app, &review).await;
    // A draft of data holder A, not published.
    let draft = app
        .post(
            "/api/v1/datasets",
            &review.holder_a.token,
            &dataset(&review.holder_a, "DRAFT-A"),
        )
        .await;
    assert_eq!(draft.status(), 201);

    let everyone = feed(&app, "limit=1000", None).await;
    let seen = actions(&everyone);
    for public in [
        "publisher.created",
        "committee.created",
        "dataset.published",
    ] {
        assert!(seen.contains(&public.to_owned()), "{public} in {seen:?}");
    }
    assert!(
        !seen.iter().any(|a| a.starts_with("application.")),
        "applications are not public: {seen:?}"
    );
    // A dataset is created as a draft: its creation is not public, even once it is published.
    assert!(!seen.contains(&"dataset.created".to_owned()), "{seen:?}");

    // The data holder also follows its own drafts (the one it published, the one it did not);
    // an admin follows everything.
    let holder = feed(&app, "limit=1000", Some(&review.holder_a.token)).await;
    let holder_creations = actions(&holder)
        .iter()
        .filter(|a| *a == "dataset.created")
        .count();
    assert_eq!(holder_creations, 2, "{:?}", actions(&holder));
    let admin = feed(&app, "limit=1000", Some(&app.admin_token())).await;
    assert!(actions(&admin).contains(&"application.submitted".to_owned()));
    let last = admin["items"].as_array().unwrap().last().unwrap()["seq"].clone();
    assert_eq!(admin["next_after"], last);
    assert_eq!(
        everyone["next_after"], last,
        "everyone continues after the same event"
    );

    // Types: an action or an entity type; anything else is named.
    let published = feed(&app, "types=dataset.published", None).await;
    assert_eq!(
        actions(&published),
        ["dataset.published", "dataset.published"]
    );
    let organisations = feed(&app, "types=publisher,committee", None).await;
    assert!(
        actions(&organisations)
            .iter()
            .all(|a| a.starts_with("publisher.") || a.starts_with("committee."))
    );
    let unknown = problem(
        app.get("/api/v1/changes?types=dataset,nonsense", None)
            .await,
    )
    .await;
    assert_eq!(unknown["errors"][0]["field"], "types");
    let too_long = app.get("/api/v1/changes?wait=31", None).await;
    assert_eq!(too_long.status(), 422);
    let beyond = problem(app.get("/api/v1/changes?after=1000000", None).await).await;
    assert_eq!(beyond["errors"][0]["field"], "after");
}

async fn a_reader_following_the_feed_under_concurrent_writers_sees_every_event_once(
    db: TestDatabase,
) {
    let app = TestApp::spawn(db).await;
    let admin = app.admin_token();
    let writers: Vec<_> = (0..4)
        .map(|writer| {
            let (client, url, token) = (
                app.client.clone(),
                app.url("/api/v1/publishers"),
                admin.clone(),
            );
            actix_web::rt::spawn(async move {
                for n in 0..15 {
                    let response = client
                        .post(&url)
                        .bearer_auth(&token)
                        .json(&publisher_body(
                            &format!("Writer {writer} publisher {n}"),
                            "DE",
                        ))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(response.status(), 201);
                }
            })
        })
        .collect();

    // Follow the feed while they write, in small pages, until every write is seen.
    let mut seen: Vec<i64> = Vec::new();
    let mut after = 0;
    let started = Instant::now();
    while seen.len() < 60 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "saw {}",
            seen.len()
        );
        let page = feed(&app, &format!("after={after}&limit=7&wait=1"), Some(&admin)).await;
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["seq"].as_i64().unwrap()),
        );
        after = page["next_after"].as_i64().unwrap();
    }
    for writer in writers {
        writer.await.unwrap();
    }
    let expected: Vec<i64> = (1..=60).collect();
    assert_eq!(seen, expected, "every event once, in order, no gap");
    let unique: BTreeSet<i64> = seen.iter().copied().collect();
    assert_eq!(unique.len(), seen.len());
    let tail = feed(&app, &format!("after={after}"), Some(&admin)).await;
    assert_eq!(tail["items"], json!([]));
}

async fn a_long_poll_answers_as_soon_as_an_event_is_written(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let head = feed(&app, "", None).await["next_after"].as_i64().unwrap();

    // Nothing new: the wait runs out and the page is empty.
    let started = Instant::now();
    let empty = feed(&app, &format!("after={head}&wait=1"), None).await;
    assert!(started.elapsed() >= Duration::from_millis(900));
    assert_eq!(empty["items"], json!([]));
    assert_eq!(empty["next_after"], head);

    // A write during the wait answers it at once.
    let (client, url, token) = (
        app.client.clone(),
        app.url("/api/v1/publishers"),
        app.admin_token(),
    );
    let writer = actix_web::rt::spawn(async move {
        actix_web::rt::time::sleep(Duration::from_millis(300)).await;
        client
            .post(&url)
            .bearer_auth(&token)
            .json(&publisher_body("Arrives during the wait", "AT"))
            .send()
            .await
            .unwrap()
    });
    let started = Instant::now();
    let news = feed(&app, &format!("after={head}&wait=20"), None).await;
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(actions(&news), ["publisher.created"]);
    assert_eq!(
        news["items"][0]["payload"]["data"]["details"]["name"],
        "Arrives during the wait"
    );
    assert_eq!(writer.await.unwrap().status(), 201);
}
