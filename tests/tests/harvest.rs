//! Harvesting against a local fake partner (wiremock) and between two hdab instances: the
//! official HealthDCAT-AP example keeps its properties; a re-harvest never duplicates; Hydra
//! pages are followed; datasets gone upstream are withdrawn; a conditional GET answered 304
//! changes nothing; upstream garbage (not RDF, truncated, too large, wrong content type,
//! endlessly slow, redirect loops, redirects to refused addresses) is recorded in the run log
//! with nothing written; a source URL to a refused address is 422. Federation: B follows A's
//! Turtle catalogue and A's change feed and converges after edits and a withdrawal.
#![expect(clippy::unwrap_used, reason = "test helpers fail loudly")]

use std::time::Duration;

use hdab_tests::fixtures::{Holder, dataset, holder};
use hdab_tests::{TestApp, TestDatabase, on_both_backends, problem};
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

on_both_backends!(
    the_official_example_is_harvested_with_its_properties_and_never_duplicated,
    hydra_pages_are_followed_and_datasets_gone_upstream_are_withdrawn,
    two_instances_converge_through_turtle_and_through_the_change_feed,
);

const EXAMPLE: &str = include_str!("../fixtures/healthdcat-ap-example-dataset.ttl");

/// An hdab that may call loopback addresses (the fake partner), with short timeouts.
async fn harvesting_app(db: TestDatabase) -> TestApp {
    harvesting_app_allowing(db, None).await
}

/// [`harvesting_app`] that may call only `allowed` (`host:port`) among non-public addresses,
/// when given.
async fn harvesting_app_allowing(db: TestDatabase, allowed: Option<String>) -> TestApp {
    TestApp::spawn_with(db, |mut settings| {
        match allowed {
            Some(host) => {
                settings.outbound.policy.allowed_hosts.insert(host);
            }
            None => settings.outbound.policy.allow_private = true,
        }
        settings.outbound.timeout = Duration::from_secs(2);
        settings.outbound.retries = 1;
        settings.outbound.backoff = Duration::from_millis(20);
        settings.harvest_max_bytes = 256 * 1024;
        settings
    })
    .await
}

async fn register(app: &TestApp, holder: &Holder, url: &str, kind: &str) -> String {
    register_with(app, holder, url, kind, Some("s3cret-upstream-token")).await
}

async fn register_with(
    app: &TestApp,
    holder: &Holder,
    url: &str,
    kind: &str,
    token: Option<&str>,
) -> String {
    let credentials = token.map(|token| json!({"type": "bearer", "token": token}));
    let response = app
        .post(
            "/api/v1/harvest-sources",
            &app.admin_token(),
            &json!({
                "name": format!("source at {url}"),
                "url": url,
                "kind": kind,
                "publisher_id": holder.publisher,
                "committee_id": holder.committee,
                "data_use": {"permission": {"code": "HMB"}, "modifiers": [{"code": "IRB"}]},
                "credentials": credentials,
            }),
        )
        .await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    let source: Value = response.json().await.unwrap();
    assert_eq!(source["has_credentials"], token.is_some());
    assert!(
        !source.to_string().contains("s3cret"),
        "credentials are never shown"
    );
    source["id"].as_str().unwrap().to_owned()
}

/// Asks for a run and waits for it in the run log; returns the newest run.
async fn run(app: &TestApp, source: &str) -> Value {
    let runs_path = format!("/api/v1/harvest-sources/{source}/runs");
    let before = runs(app, source).await.len();
    let asked = app.post(&runs_path, &app.admin_token(), &json!({})).await;
    assert_eq!(asked.status(), 202);
    for _ in 0..300 {
        let listed = runs(app, source).await;
        if listed.len() > before {
            return listed[0].clone();
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no run of {source} within 30 s");
}

async fn runs(app: &TestApp, source: &str) -> Vec<Value> {
    let page: Value = app
        .get(
            &format!("/api/v1/harvest-sources/{source}/runs?limit=100"),
            Some(&app.admin_token()),
        )
        .await
        .json()
        .await
        .unwrap();
    page["items"].as_array().unwrap().clone()
}

/// The publisher's datasets as the public search lists them, with their status.
async fn datasets_of(app: &TestApp, holder: &Holder) -> Vec<Value> {
    let page: Value = app
        .get(
            &format!("/api/v1/datasets?publisher={}&limit=100", holder.publisher),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    page["items"].as_array().unwrap().clone()
}

async fn dataset_view(app: &TestApp, id: &str) -> Value {
    app.get(&format!("/api/v1/datasets/{id}"), None)
        .await
        .json()
        .await
        .unwrap()
}

fn turtle(body: String) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body.into_bytes(), "text/turtle")
}

async fn the_official_example_is_harvested_with_its_properties_and_never_duplicated(
    db: TestDatabase,
) {
    let app = harvesting_app(db).await;
    let holder = holder(&app, "Belgian Cancer Registry", "BE", true).await;
    let upstream = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/catalogue.ttl"))
        .and(header("authorization", "Bearer s3cret-upstream-token"))
        .respond_with(turtle(EXAMPLE.to_owned()).insert_header("etag", "\"v1\""))
        .mount(&upstream)
        .await;
    let source = register(
        &app,
        &holder,
        &format!("{}/catalogue.ttl", upstream.uri()),
        "dcat",
    )
    .await;

    let first = run(&app, &source).await;
    assert_eq!(first["outcome"], "completed", "{first}");
    assert_eq!(
        (first["created"].as_u64(), first["failed"].as_u64()),
        (Some(1), Some(0)),
        "{first}"
    );
    let found = datasets_of(&app, &holder).await;
    assert_eq!(found.len(), 1);
    let view = dataset_view(&app, found[0]["id"].as_str().unwrap()).await;
    let m = &view["metadata"];
    assert_eq!(view["status"], "published");
    assert_eq!(m["identifier"], "EU-HDCA-R7-ONCOLOGY-EHRS-2024");
    assert_eq!(m["title"]["en"], "Cross-border oncology EHR cohort 2024");
    assert_eq!(m["access_rights"], "NON_PUBLIC");
    assert_eq!(m["dataset_type"], "STATISTICAL");
    assert_eq!(m["health_categories"], json!(["EHRS"]));
    assert_eq!(m["languages"], json!(["en"]));
    assert_eq!(m["countries"], json!(["BE"]));
    assert_eq!(
        m["temporal"],
        json!({"start": "2020-01-01", "end": "2024-12-31"})
    );
    assert_eq!(
        m["retention_period"],
        json!({"start": "2020-01-01", "end": "2035-12-31"})
    );
    assert_eq!(m["accrual_periodicity"], "ANNUAL");
    assert_eq!(m["conforms_to"], json!(["DICOM", "FHIR"]));
    assert_eq!(m["personal_data"], json!(["Age", "Gender"]));
    assert_eq!(m["temporal_resolution"], "P1M");
    assert_eq!(
        (m["min_typical_age"].as_u64(), m["max_typical_age"].as_u64()),
        (Some(18), Some(99))
    );
    assert_eq!(m["number_of_records"], 1_850_000);
    assert_eq!(m["number_of_unique_individuals"], 412_000);
    assert_eq!(m["has_structured_data"], true);
    assert_eq!(m["keywords"]["en"].as_array().unwrap().len(), 4);
    assert_eq!(
        m["contact_point"]["email"],
        "oncology-dataset-support@example.org"
    );
    assert_eq!(m["custodian"]["email"], "custodian-contact@example.org");
    assert_eq!(m["distributions"].as_array().unwrap().len(), 2);
    assert_eq!(m["distributions"][0]["format"], "CSV");
    assert_eq!(m["distributions"][0]["media_type"], "text/csv");
    assert_eq!(m["distributions"][0]["byte_size"], 245_000_000);
    assert_eq!(m["sample"]["title"], "Synthetic sample distribution");
    assert_eq!(m["analytics"].as_array().unwrap().len(), 1);
    assert_eq!(m["variables"].as_array().unwrap().len(), 5);
    assert_eq!(m["purposes"].as_array().unwrap().len(), 1);
    assert_eq!(m["legal_bases"].as_array().unwrap().len(), 1);
    assert_eq!(
        m["quality_label"],
        "https://quality.example.org/certificates/oncology-ehrs-2024"
    );
    assert!(
        m["provenance"]
            .as_str()
            .unwrap()
            .starts_with("The dataset is derived")
    );
    assert_eq!(
        m["data_use"]["permission"]["code"], "HMB",
        "the source's default DUO"
    );
    assert_eq!(m["publisher_id"], holder.publisher.as_str());

    // The same document again, and the source saying 304 to its ETag: never a duplicate.
    upstream.reset().await;
    Mock::given(method("GET"))
        .and(header("if-none-match", "\"v1\""))
        .respond_with(ResponseTemplate::new(304))
        .mount(&upstream)
        .await;
    let second = run(&app, &source).await;
    assert_eq!(second["outcome"], "not_modified", "{second}");
    upstream.reset().await;
    Mock::given(method("GET"))
        .respond_with(turtle(EXAMPLE.to_owned()))
        .mount(&upstream)
        .await;
    let third = run(&app, &source).await;
    assert_eq!(
        (third["outcome"].as_str(), third["unchanged"].as_u64()),
        (Some("completed"), Some(1)),
        "{third}"
    );
    assert_eq!(datasets_of(&app, &holder).await.len(), 1, "no duplicate");
}

/// A catalogue page of `datasets` (identifier, title) with a Hydra `next` link.
fn page(base: &str, datasets: &[(&str, &str)], next: Option<&str>) -> String {
    let mut ttl = String::from(
        "@prefix dcat: <http://www.w3.org/ns/dcat#> .\n@prefix dct: <http://purl.org/dc/terms/> .\n@prefix hydra: <http://www.w3.org/ns/hydra/core#> .\n@prefix healthdcatap: <http://healthdataportal.eu/ns/health#> .\n",
    );
    for (identifier, title) in datasets {
        ttl.push_str(&format!(
            "<{base}/ds/{identifier}> a dcat:Dataset ; dct:identifier \"{identifier}\" ; dct:title \"{title}\"@en ; dct:description \"About {title}.\"@en ; dct:accessRights <http://publications.europa.eu/resource/authority/access-right/PUBLIC> ; healthdcatap:healthCategory <https://hdeu-dcat.data.health.europa.eu/resource/authority/healthcategories/EHRS> ; dcat:distribution [ dcat:accessURL <https://data.example.org/{identifier}> ] .\n"
        ));
    }
    if let Some(next) = next {
        ttl.push_str(&format!(
            "<{base}/catalogue> hydra:view [ hydra:next <{next}> ] .\n"
        ));
    }
    ttl
}

async fn hydra_pages_are_followed_and_datasets_gone_upstream_are_withdrawn(db: TestDatabase) {
    let app = harvesting_app(db).await;
    let holder = holder(&app, "National Catalogue", "NL", true).await;
    let upstream = MockServer::start().await;
    let base = upstream.uri();
    let serve = |first: String, second: String| {
        let upstream = &upstream;
        async move {
            upstream.reset().await;
            Mock::given(path("/catalogue"))
                .respond_with(turtle(first))
                .mount(upstream)
                .await;
            Mock::given(path("/catalogue/page-2"))
                .respond_with(turtle(second))
                .mount(upstream)
                .await;
        }
    };
    serve(
        page(
            &base,
            &[("NL-1", "One"), ("NL-2", "Two")],
            Some("/catalogue/page-2"),
        ),
        page(&base, &[("NL-3", "Three"), ("bad", "")], None),
    )
    .await;
    let source = register(&app, &holder, &format!("{base}/catalogue"), "dcat").await;
    let first = run(&app, &source).await;
    assert_eq!(first["fetched"], 2, "{first}");
    assert_eq!(
        (first["created"].as_u64(), first["failed"].as_u64()),
        (Some(3), Some(1)),
        "{first}"
    );
    let error = &first["errors"][0];
    assert_eq!(error["record"], format!("{base}/ds/bad"));
    assert_eq!(
        error["field"], "title.en",
        "the record's own problem, by field: {first}"
    );

    // NL-2 is gone upstream and NL-1 changed: one update, one withdrawal, no duplicate.
    serve(
        page(
            &base,
            &[("NL-1", "One, revised")],
            Some("/catalogue/page-2"),
        ),
        page(&base, &[("NL-3", "Three")], None),
    )
    .await;
    let second = run(&app, &source).await;
    assert_eq!(
        [
            &second["updated"],
            &second["unchanged"],
            &second["withdrawn"],
            &second["created"]
        ],
        [&json!(1), &json!(1), &json!(1), &json!(0)],
        "{second}"
    );
    let listed = datasets_of(&app, &holder).await;
    let titles: Vec<&str> = listed
        .iter()
        .map(|d| d["title"]["en"].as_str().unwrap())
        .collect();
    assert_eq!(listed.len(), 2, "{titles:?}");
    assert!(titles.contains(&"One, revised"), "{titles:?}");

    // A page that fails: nothing is withdrawn (the datasets on it may still exist upstream).
    upstream.reset().await;
    Mock::given(path("/catalogue"))
        .respond_with(turtle(page(&base, &[], Some("/catalogue/page-2"))))
        .mount(&upstream)
        .await;
    Mock::given(path("/catalogue/page-2"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&upstream)
        .await;
    let failed = run(&app, &source).await;
    assert_eq!(
        (failed["outcome"].as_str(), failed["withdrawn"].as_u64()),
        (Some("failed"), Some(0)),
        "{failed}"
    );
    assert_eq!(datasets_of(&app, &holder).await.len(), 2);
}

#[actix_web::test]
async fn upstream_garbage_is_recorded_in_the_run_log_and_nothing_is_written() {
    let upstream = MockServer::start().await;
    let base = upstream.uri();
    let mock_host = base.trim_start_matches("http://").to_owned();
    let app = harvesting_app_allowing(TestDatabase::sqlite(), Some(mock_host)).await;
    let holder = holder(&app, "Garbage Upstream", "FR", true).await;
    let good = page(&base, &[("FR-1", "One")], None);
    let cases: Vec<(&str, ResponseTemplate, &str)> = vec![
        (
            "/not-rdf",
            ResponseTemplate::new(200).set_body_raw(b"<html>hello</html>".to_vec(), "text/turtle"),
            "not valid",
        ),
        (
            "/truncated",
            turtle(good[..good.len() - 40].to_owned()),
            "not valid",
        ),
        (
            "/too-large",
            turtle(format!("{good}\n# {}", "x".repeat(300 * 1024))),
            "exceeds",
        ),
        (
            "/wrong-type",
            ResponseTemplate::new(200).set_body_raw(good.clone().into_bytes(), "application/pdf"),
            "content type",
        ),
        (
            "/slow",
            turtle(good.clone()).set_delay(Duration::from_secs(5)),
            "timed out",
        ),
        (
            "/loop",
            ResponseTemplate::new(302).insert_header("location", "/loop"),
            "redirect",
        ),
        (
            "/to-metadata",
            ResponseTemplate::new(302)
                .insert_header("location", "http://169.254.169.254/latest/meta-data"),
            "redirect",
        ),
        ("/server-error", ResponseTemplate::new(500), "500"),
    ];
    for (route, response, _) in &cases {
        Mock::given(path(*route))
            .respond_with(response.clone())
            .mount(&upstream)
            .await;
    }
    for (route, _, expected) in cases {
        let source = register(&app, &holder, &format!("{base}{route}"), "dcat").await;
        let outcome = run(&app, &source).await;
        assert_eq!(outcome["outcome"], "failed", "{route}: {outcome}");
        let message = outcome["errors"][0]["message"]
            .as_str()
            .unwrap()
            .to_lowercase();
        assert!(message.contains(expected), "{route}: {message}");
    }
    assert!(
        datasets_of(&app, &holder).await.is_empty(),
        "no partial record"
    );

    // The redirect loop and the refused address are refused with the default policy too; a
    // source URL naming a non-public address is refused when registered.
    let strict = TestApp::spawn(TestDatabase::sqlite()).await;
    let holder = self::holder(&strict, "Strict", "DE", true).await;
    for url in [
        "http://127.0.0.1:9/catalogue",
        "http://169.254.169.254/",
        "http://localhost:8080/x",
    ] {
        let response = strict
            .post(
                "/api/v1/harvest-sources",
                &strict.admin_token(),
                &json!({"name": "internal", "url": url, "kind": "dcat", "publisher_id": holder.publisher, "committee_id": holder.committee}),
            )
            .await;
        assert_eq!(response.status(), 422, "{url}");
        let problem = problem(response).await;
        assert_eq!(problem["errors"][0]["field"], "url", "{problem}");
        assert_eq!(problem["errors"][0]["code"], "address_refused", "{problem}");
    }
}

async fn two_instances_converge_through_turtle_and_through_the_change_feed(db: TestDatabase) {
    let a = TestApp::spawn(TestDatabase::sqlite()).await;
    let upstream = holder(&a, "Upstream Holder", "SE", true).await;
    let mut ids = Vec::new();
    for n in 1..=3 {
        let mut body = dataset(&upstream, &format!("SE-{n}"));
        body["data_use"] = json!({"permission": {"code": "DS", "disease": "C34"}, "modifiers": [{"code": "TS", "months": 24}, {"code": "PUB"}]});
        ids.push(hdab_tests::fixtures::create_published(&a, &upstream, &body).await);
    }
    let b = harvesting_app(db).await;
    let by_turtle = holder(&b, "Mirror by Turtle", "SE", true).await;
    let by_feed = holder(&b, "Mirror by Feed", "SE", true).await;
    let turtle_source = register_with(
        &b,
        &by_turtle,
        &a.url("/api/v1/catalogue.ttl"),
        "dcat",
        None,
    )
    .await;
    let feed_source = register_with(&b, &by_feed, &a.url(""), "hdab", None).await;

    for source in [&turtle_source, &feed_source] {
        let outcome = run(&b, source).await;
        assert_eq!(
            (outcome["created"].as_u64(), outcome["failed"].as_u64()),
            (Some(3), Some(0)),
            "{outcome}"
        );
    }
    converged(&a, &upstream, &b, [&by_turtle, &by_feed]).await;

    // An edit and a withdrawal on A.
    let mut edited = dataset(&upstream, "SE-1");
    edited["title"] = json!({"en": "Thoracic CT, re-read", "sv": "Thorax-CT"});
    edited["data_use"] = json!({"permission": {"code": "DS", "disease": "C34"}, "modifiers": [{"code": "TS", "months": 24}, {"code": "PUB"}]});
    let replaced = a
        .client
        .put(a.url(&format!("/api/v1/datasets/{}", ids[0])))
        .bearer_auth(&upstream.token)
        .header("if-match", "*")
        .json(&edited)
        .send()
        .await
        .unwrap();
    assert_eq!(replaced.status(), 200, "{}", replaced.text().await.unwrap());
    let withdrawn = a
        .post(
            &format!("/api/v1/datasets/{}/withdraw", ids[1]),
            &upstream.token,
            &json!({}),
        )
        .await;
    assert_eq!(withdrawn.status(), 200);
    for source in [&turtle_source, &feed_source] {
        let outcome = run(&b, source).await;
        assert_eq!(
            (outcome["updated"].as_u64(), outcome["withdrawn"].as_u64()),
            (Some(1), Some(1)),
            "{outcome}"
        );
    }
    converged(&a, &upstream, &b, [&by_turtle, &by_feed]).await;

    // Again and again: nothing changes, nothing duplicates.
    for source in [&turtle_source, &feed_source] {
        let outcome = run(&b, source).await;
        assert_eq!(
            (outcome["created"].as_u64(), outcome["updated"].as_u64()),
            (Some(0), Some(0)),
            "{outcome}"
        );
    }
    converged(&a, &upstream, &b, [&by_turtle, &by_feed]).await;
}

/// Every dataset A publishes is in B once per mirror, with every property A describes.
async fn converged(a: &TestApp, upstream: &Holder, b: &TestApp, mirrors: [&Holder; 2]) {
    let mut expected = Vec::new();
    for d in datasets_of(a, upstream).await {
        expected.push(dataset_view(a, d["id"].as_str().unwrap()).await["metadata"].clone());
    }
    for mirror in mirrors {
        let listed = datasets_of(b, mirror).await;
        assert_eq!(
            listed.len(),
            expected.len(),
            "no duplicates, nothing missing"
        );
        for d in listed {
            let mut got = dataset_view(b, d["id"].as_str().unwrap()).await["metadata"].clone();
            let want = expected
                .iter()
                .find(|e| e["identifier"] == got["identifier"])
                .unwrap();
            got["publisher_id"] = want["publisher_id"].clone();
            got["committee_id"] = want["committee_id"].clone();
            assert_eq!(
                unordered(got),
                unordered(want.clone()),
                "B keeps every property A describes"
            );
        }
    }
}

/// A description with its DUO modifiers in code order: RDF has no order, so a description
/// that went through Turtle keeps its conditions, not the order they were written in.
fn unordered(mut metadata: Value) -> Value {
    if let Some(modifiers) = metadata["data_use"]["modifiers"].as_array_mut() {
        modifiers.sort_by_key(|m| m["code"].as_str().unwrap_or_default().to_owned());
    }
    metadata
}
