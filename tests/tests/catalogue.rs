//! The dataset catalogue over HTTP: writing datasets within a publisher's scope, their
//! lifecycle, content negotiation, and search with filters, facets and stemming.
#![expect(clippy::unwrap_used, reason = "test helpers fail loudly")]

use hdab_domain::auth::Role;
use hdab_tests::fixtures::{create, create_published, dataset, holder, publish, withdraw};
use hdab_tests::{TestApp, TestDatabase, on_both_backends, problem};
use reqwest::Method;
use serde_json::{Value, json};

on_both_backends!(
    a_holder_drafts_publishes_and_withdraws_its_dataset,
    a_data_holder_cannot_touch_another_publishers_datasets,
    every_invalid_dataset_field_is_reported_at_once,
    replacing_a_dataset_needs_the_current_etag,
    datasets_are_served_as_json_turtle_json_ld_and_rdf_xml,
    the_catalogue_pages_with_hydra_links,
    each_filter_narrows_and_facets_count_with_the_other_filters,
    a_cancer_condition_filter_covers_its_subcodes_icd10,
    german_and_french_queries_find_their_datasets_by_stem,
    bad_search_input_is_refused_with_the_rule,
    search_pages_by_cursor_without_gaps_or_repeats,
    a_deleted_index_is_rebuilt_from_the_database,
    a_committee_that_reviews_datasets_cannot_be_deleted,
    recommended_healthdcat_properties_round_trip_and_reach_the_rdf,
    the_catalogue_total_follows_every_publication_and_withdrawal,
    concurrent_publishes_each_show_in_search_when_answered,
);

async fn search(app: &TestApp, query: &str) -> Value {
    let response = app.get(&format!("/api/v1/datasets?{query}"), None).await;
    assert_eq!(response.status(), 200, "{query}");
    response.json().await.unwrap()
}

fn identifiers(page: &Value) -> Vec<String> {
    let mut ids: Vec<String> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["identifier"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

fn facet(page: &Value, dimension: &str) -> Vec<(String, u64)> {
    let mut values: Vec<(String, u64)> = page["facets"][dimension]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["value"].as_str().unwrap().to_owned(),
                v["count"].as_u64().unwrap(),
            )
        })
        .collect();
    values.sort();
    values
}

async fn a_holder_drafts_publishes_and_withdraws_its_dataset(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let h = holder(&app, "Lifecycle Holder", "DE", false).await;
    let created = create(&app, &h, &dataset(&h, "LC-1")).await;
    assert_eq!(
        (created["status"].clone(), created["version"].clone()),
        (json!("draft"), json!(1))
    );
    let id = created["id"].as_str().unwrap();
    let path = format!("/api/v1/datasets/{id}");

    assert_eq!(
        app.get(&path, None).await.status(),
        404,
        "a draft is hidden from others"
    );
    assert_eq!(
        app.get(&path, Some(&h.token)).await.status(),
        200,
        "but visible to its holder"
    );
    assert_eq!(
        search(&app, "q=thoracic").await["total"],
        0,
        "drafts are not searchable"
    );

    let published: Value = publish(&app, &h, id).await.json().await.unwrap();
    assert_eq!(published["status"], "published");
    assert!(published["issued_at"].is_string());
    assert_eq!(
        identifiers(&search(&app, "q=thoracic").await),
        ["LC-1"],
        "searchable as soon as published"
    );
    assert_eq!(
        publish(&app, &h, id).await.status(),
        409,
        "publishing twice is refused"
    );

    assert_eq!(withdraw(&app, &h, id).await.status(), 200);
    assert_eq!(
        search(&app, "q=thoracic").await["total"],
        0,
        "withdrawn datasets leave search"
    );
    let still: Value = app.get(&path, None).await.json().await.unwrap();
    assert_eq!(still["status"], "withdrawn", "and stay readable by id");

    let confirmed = app
        .send_json(
            Method::POST,
            &format!("{path}/confirm"),
            Some(&h.token),
            &json!(null),
        )
        .await;
    let confirmed: Value = confirmed.json().await.unwrap();
    assert!(
        confirmed["confirmed_at"].as_str().unwrap() > created["confirmed_at"].as_str().unwrap(),
        "Art 60 re-confirmation"
    );
    assert_eq!(confirmed["stale"], false);
    assert_eq!(
        confirmed["metadata"], created["metadata"],
        "publishing, withdrawing and confirming leave the description as it was"
    );
}

async fn a_data_holder_cannot_touch_another_publishers_datasets(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let mine = holder(&app, "Own Holder", "FR", false).await;
    let theirs = holder(&app, "Other Holder", "IT", false).await;
    let response = app
        .post("/api/v1/datasets", &mine.token, &dataset(&theirs, "X-1"))
        .await;
    assert_eq!(
        response.status(),
        404,
        "another publisher is not even there for this holder"
    );
    let id = create_published(&app, &theirs, &dataset(&theirs, "T-1")).await;
    let replace = app
        .client
        .put(app.url(&format!("/api/v1/datasets/{id}")))
        .bearer_auth(&mine.token)
        .header("if-match", "*")
        .json(&dataset(&theirs, "T-1"))
        .send()
        .await
        .unwrap();
    assert_eq!(replace.status(), 404);
    assert_eq!(withdraw(&app, &mine, &id).await.status(), 404);
    let researcher = app.token("ana", &[Role::Researcher], &[]);
    assert_eq!(
        app.post("/api/v1/datasets", &researcher, &dataset(&mine, "R-1"))
            .await
            .status(),
        403
    );
}

async fn every_invalid_dataset_field_is_reported_at_once(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let h = holder(&app, "Strict Holder", "ES", false).await;
    let mut body = dataset(&h, "BAD-1");
    body["title"] = json!({"de": "Nur Deutsch"});
    body["access_rights"] = json!("SECRET");
    body["imaging"]["modalities"] = json!(["CT", "XRAY"]);
    body["imaging"]["cancer_conditions"] = json!(["E11.9"]);
    body["countries"] = json!(["Germany"]);
    body["data_use"] = json!({"permission": {"code": "DS"}, "modifiers": [{"code": "TS"}]});
    let response = app.post("/api/v1/datasets", &h.token, &body).await;
    assert_eq!(response.status(), 422);
    let mut fields: Vec<String> = problem(response).await["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            "access_rights",
            "countries[0]",
            "data_use.modifiers[0]",
            "data_use.permission",
            "imaging.cancer_conditions[0]",
            "imaging.modalities[1]",
            "title"
        ]
    );

    let mut restricted = dataset(&h, "NP-1");
    restricted["access_rights"] = json!("NON_PUBLIC");
    restricted["keywords"] = json!({});
    restricted["min_typical_age"] = json!(90);
    let response = app.post("/api/v1/datasets", &h.token, &restricted).await;
    let mut fields: Vec<String> = problem(response).await["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            "contact_point",
            "dataset_type",
            "keywords",
            "min_typical_age",
            "provenance"
        ],
        "HealthDCAT-AP NON_PUBLIC minimum"
    );

    let mut foreign_committee = dataset(&h, "C-1");
    let other = holder(&app, "Unrelated Holder", "PT", false).await;
    foreign_committee["committee_id"] = json!(other.committee);
    let response = app
        .post("/api/v1/datasets", &h.token, &foreign_committee)
        .await;
    assert_eq!(
        problem(response).await["errors"][0]["code"],
        "committee_does_not_serve_publisher"
    );
}

async fn replacing_a_dataset_needs_the_current_etag(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let h = holder(&app, "Versioned Holder", "NL", false).await;
    let id = create_published(&app, &h, &dataset(&h, "V-1")).await;
    let put = |if_match: Option<&'static str>, body: Value| {
        let mut request = app
            .client
            .put(app.url(&format!("/api/v1/datasets/{id}")))
            .bearer_auth(&h.token)
            .json(&body);
        if let Some(tag) = if_match {
            request = request.header("if-match", tag);
        }
        request.send()
    };
    let mut changed = dataset(&h, "V-1");
    changed["title"] = json!({"en": "Renamed thoracic collection"});
    assert_eq!(put(None, changed.clone()).await.unwrap().status(), 428);
    assert_eq!(
        put(Some("\"1\""), changed.clone()).await.unwrap().status(),
        412,
        "publishing made it version 2"
    );
    let ok = put(Some("\"2\""), changed.clone()).await.unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.headers()["etag"], "\"3\"");
    assert_eq!(
        identifiers(&search(&app, "q=renamed").await),
        ["V-1"],
        "the index follows a replacement"
    );
    let mut moved = changed;
    moved["publisher_id"] = json!(uuid::Uuid::now_v7());
    let response = put(Some("*"), moved).await.unwrap();
    assert_eq!(
        problem(response).await["errors"][0]["code"],
        "immutable",
        "a dataset cannot move to another publisher"
    );
}

async fn datasets_are_served_as_json_turtle_json_ld_and_rdf_xml(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let h = holder(&app, "RDF Holder", "SE", true).await;
    let id = create_published(&app, &h, &dataset(&h, "RDF-1")).await;
    let get = |accept: &'static str, suffix: &'static str| {
        app.client
            .get(app.url(&format!("/api/v1/datasets/{id}{suffix}")))
            .header("accept", accept)
            .send()
    };
    for (accept, suffix, media_type) in [
        ("*/*", "", "application/json"),
        ("text/turtle", "", "text/turtle"),
        ("application/ld+json", "", "application/ld+json"),
        ("application/rdf+xml", "", "application/rdf+xml"),
        ("*/*", ".ttl", "text/turtle"),
        ("*/*", ".jsonld", "application/ld+json"),
        ("*/*", ".rdf", "application/rdf+xml"),
    ] {
        let response = get(accept, suffix).await.unwrap();
        assert_eq!(response.status(), 200, "{accept} {suffix}");
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            content_type.starts_with(media_type),
            "{accept} {suffix}: {content_type}"
        );
        let body = response.text().await.unwrap();
        if media_type == "text/turtle" {
            for required in [
                "dcat:Dataset",
                "healthdcatap:hdab",
                "dcatap:applicableLegislation",
                "access-right/PUBLIC",
                "healthcategories/EHRS",
            ] {
                assert!(
                    body.contains(required)
                        || body.contains(&required.replace("access-right/", "access-right\\/")),
                    "Turtle has {required}"
                );
            }
        }
    }
    assert_eq!(get("application/pdf", "").await.unwrap().status(), 406);
    assert_eq!(get("*/*", ".pdf").await.unwrap().status(), 404);
}

async fn the_catalogue_pages_with_hydra_links(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let h = holder(&app, "Catalogue Holder", "AT", false).await;
    for i in 0..3 {
        create_published(&app, &h, &dataset(&h, &format!("CAT-{i}"))).await;
    }
    let first = app
        .client
        .get(app.url("/api/v1/catalogue?limit=2"))
        .send()
        .await
        .unwrap();
    assert!(
        first.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/turtle")
    );
    let first = first.text().await.unwrap();
    assert!(
        first.contains("dcat:Catalog") && first.contains("hydra:next"),
        "{first}"
    );
    assert_eq!(first.matches("a dcat:Dataset").count(), 2);
    let next = first
        .split("hydra:next <")
        .nth(1)
        .unwrap()
        .split('>')
        .next()
        .unwrap();
    let path = next
        .split_once("/api/v1/")
        .map(|(_, rest)| format!("/api/v1/{rest}"))
        .unwrap();
    let second = app.get(&path, None).await.text().await.unwrap();
    assert_eq!(second.matches("a dcat:Dataset").count(), 1);
    assert!(!second.contains("hydra:next"));
    let json_ld = app
        .client
        .get(app.url("/api/v1/catalogue.jsonld"))
        .send()
        .await
        .unwrap();
    assert!(
        json_ld.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/ld+json")
    );
    let future = app
        .get(
            "/api/v1/catalogue?modified_since=2999-01-01T00:00:00Z",
            None,
        )
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        future.matches("a dcat:Dataset").count(),
        0,
        "modified_since filters"
    );
}

async fn each_filter_narrows_and_facets_count_with_the_other_filters(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let de = holder(&app, "Filter Holder DE", "DE", true).await;
    let fr = holder(&app, "Filter Holder FR", "FR", false).await;
    let mut a = dataset(&de, "F-A");
    a["imaging"]["modalities"] = json!(["CT"]);
    let mut b = dataset(&de, "F-B");
    b["imaging"] = json!({"cancer_conditions": ["C50"], "modalities": ["MR"], "body_parts": ["BREAST"], "manufacturers": ["GE HealthCare"]});
    b["access_rights"] = json!("RESTRICTED");
    b["number_of_unique_individuals"] = json!(20_000);
    b["min_typical_age"] = json!(5);
    b["max_typical_age"] = json!(17);
    b["temporal"] = json!({"start": "2001-01-01", "end": "2003-12-31"});
    b["data_use"] = json!({"permission": {"code": "HMB"}});
    let mut c = dataset(&fr, "F-C");
    c["countries"] = json!(["FR"]);
    c["imaging"]["modalities"] = json!(["MR"]);
    c["health_categories"] = json!(["EHRS", "PHDR"]);
    for (h, body) in [(&de, &a), (&de, &b), (&fr, &c)] {
        create_published(&app, h, body).await;
    }
    let cases = [
        ("modality=MR", vec!["F-B", "F-C"]),
        ("modality=CT,MR", vec!["F-A", "F-B", "F-C"]),
        ("body_part=BREAST", vec!["F-B"]),
        ("manufacturer=GE+HealthCare", vec!["F-B"]),
        ("country=FR", vec!["F-C"]),
        (&format!("publisher={}", fr.publisher), vec!["F-C"]),
        ("access_rights=RESTRICTED", vec!["F-B"]),
        ("health_category=PHDR", vec!["F-C"]),
        ("duo_permission=HMB", vec!["F-B"]),
        ("trusted_holder=true", vec!["F-A", "F-B"]),
        ("subjects_min=1000", vec!["F-B"]),
        ("subjects_max=1000", vec!["F-A", "F-C"]),
        ("age_max=17", vec!["F-B"]),
        ("age_min=60", vec!["F-A", "F-C"]),
        ("acquired_to=2005", vec!["F-B"]),
        ("acquired_from=2014", vec!["F-A", "F-C"]),
    ];
    for (query, expected) in cases {
        assert_eq!(identifiers(&search(&app, query).await), expected, "{query}");
    }
    let page = search(&app, "modality=MR&country=DE").await;
    assert_eq!(identifiers(&page), ["F-B"]);
    assert_eq!(
        facet(&page, "modality"),
        [("CT".into(), 1), ("MR".into(), 1)],
        "modality counted with only the country filter"
    );
    assert_eq!(
        facet(&page, "country"),
        [("DE".into(), 1), ("FR".into(), 1)],
        "country counted with only the modality filter"
    );
    assert_eq!(
        facet(&page, "access_rights"),
        [("RESTRICTED".into(), 1)],
        "other dimensions count the hits"
    );
    assert_eq!(facet(&page, "subjects"), [("10000+".into(), 1)]);
    assert_eq!(facet(&page, "age_group"), [("paediatric".into(), 1)]);
    assert_eq!(facet(&page, "acquisition_decade"), [("2000s".into(), 1)]);
    assert_eq!(page["total"], 1);
    let by_subjects = search(&app, "sort=subjects").await;
    assert_eq!(
        by_subjects["items"][0]["identifier"], "F-B",
        "largest first"
    );
}

async fn a_cancer_condition_filter_covers_its_subcodes_icd10(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let h = holder(&app, "ICD Holder", "BE", false).await;
    let mut lower_lobe = dataset(&h, "ICD-C34.3");
    lower_lobe["imaging"]["cancer_conditions"] = json!(["C34.3"]);
    let mut breast = dataset(&h, "ICD-C50");
    breast["imaging"]["cancer_conditions"] = json!(["C50"]);
    create_published(&app, &h, &lower_lobe).await;
    create_published(&app, &h, &breast).await;
    assert_eq!(
        identifiers(&search(&app, "cancer_condition=C34").await),
        ["ICD-C34.3"],
        "C34 covers C34.3"
    );
    assert_eq!(
        identifiers(&search(&app, "cancer_condition=C34.3").await),
        ["ICD-C34.3"]
    );
    assert_eq!(
        search(&app, "cancer_condition=C34.1").await["total"],
        0,
        "a sibling is not covered"
    );
    let page = search(&app, "").await;
    assert_eq!(
        facet(&page, "cancer_condition"),
        [("C34".into(), 1), ("C34.3".into(), 1), ("C50".into(), 1)]
    );
}

async fn german_and_french_queries_find_their_datasets_by_stem(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let h = holder(&app, "Language Holder", "CH", false).await;
    let mut german = dataset(&h, "DE-1");
    german["title"] = json!({"en": "Lung cancer screening", "de": "Früherkennung von Lungenkrebs: CT-Untersuchungen der Lunge"});
    let mut french = dataset(&h, "FR-1");
    french["title"] = json!({"en": "Breast imaging", "fr": "Imagerie des tumeurs du sein"});
    french["description"] =
        json!({"en": "Mammography.", "fr": "Mammographies de dépistage des femmes."});
    create_published(&app, &h, &german).await;
    create_published(&app, &h, &french).await;
    assert_eq!(
        identifiers(&search(&app, "q=Untersuchung").await),
        ["DE-1"],
        "German singular finds the plural"
    );
    assert_eq!(
        identifiers(&search(&app, "q=Früherkennungen").await),
        ["DE-1"],
        "and the plural the singular"
    );
    assert_eq!(
        identifiers(&search(&app, "q=tumeur").await),
        ["FR-1"],
        "French singular finds the plural"
    );
    assert_eq!(identifiers(&search(&app, "q=mammographie").await), ["FR-1"]);
    assert_eq!(
        identifiers(&search(&app, "q=depistage").await),
        ["FR-1"],
        "accents are folded"
    );
}

async fn bad_search_input_is_refused_with_the_rule(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let bad = |query: &'static str| app.get_owned(format!("/api/v1/datasets?{query}"));
    let body = problem(bad("modality=XRAY").await).await;
    assert_eq!(body["status"], 422);
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("CT, MR"),
        "the allowed values are listed"
    );
    assert_eq!(
        problem(bad("access_rights=OPEN").await).await["errors"][0]["field"],
        "access_rights"
    );
    assert_eq!(
        problem(bad("limit=101").await).await["errors"][0]["field"],
        "limit"
    );
    assert_eq!(problem(bad("limit=0").await).await["status"], 422);
    assert_eq!(
        problem(bad("cursor=bm9wZQ").await).await["code"],
        "malformed_cursor"
    );
    assert_eq!(
        problem(bad("sort=random").await).await["errors"][0]["field"],
        "sort"
    );
    let long = "a".repeat(501);
    let response = app.get(&format!("/api/v1/datasets?q={long}"), None).await;
    assert_eq!(problem(response).await["errors"][0]["field"], "q");
    assert_eq!(
        problem(bad("cancer_condition=lung").await).await["errors"][0]["field"],
        "cancer_condition"
    );
}

async fn search_pages_by_cursor_without_gaps_or_repeats(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let h = holder(&app, "Paging Holder", "DK", false).await;
    for i in 0..7 {
        create_published(&app, &h, &dataset(&h, &format!("P-{i}"))).await;
    }
    for query in ["q=thoracic", "sort=modified", "sort=subjects"] {
        let mut seen = Vec::new();
        let mut path = format!("{query}&limit=3");
        loop {
            let page = search(&app, &path).await;
            assert_eq!(page["total"], 7);
            seen.extend(identifiers(&page));
            match page["next_cursor"].as_str() {
                Some(cursor) => path = format!("{query}&limit=3&cursor={cursor}"),
                None => break,
            }
        }
        seen.sort();
        assert_eq!(
            seen,
            (0..7).map(|i| format!("P-{i}")).collect::<Vec<_>>(),
            "{query}"
        );
    }
}

async fn a_deleted_index_is_rebuilt_from_the_database(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let h = holder(&app, "Rebuild Holder", "FI", false).await;
    create_published(&app, &h, &dataset(&h, "RB-1")).await;
    let app = app
        .restart(|settings| std::fs::remove_dir_all(&settings.index_dir).unwrap())
        .await;
    assert_eq!(
        identifiers(&search(&app, "q=thoracic").await),
        ["RB-1"],
        "deleting the index loses nothing"
    );
    let app = app.restart(|_| {}).await;
    assert_eq!(
        search(&app, "q=thoracic").await["total"],
        1,
        "a restart keeps the index"
    );
}

async fn a_committee_that_reviews_datasets_cannot_be_deleted(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let h = holder(&app, "Reviewed Holder", "IE", false).await;
    create(&app, &h, &dataset(&h, "RV-1")).await;
    let response = app
        .client
        .delete(app.url(&format!("/api/v1/committees/{}", h.committee)))
        .bearer_auth(app.admin_token())
        .send()
        .await
        .unwrap();
    assert_eq!(problem(response).await["code"], "committee_in_use");
    let response = app
        .client
        .delete(app.url(&format!("/api/v1/publishers/{}", h.publisher)))
        .bearer_auth(app.admin_token())
        .send()
        .await
        .unwrap();
    assert_eq!(problem(response).await["code"], "publisher_in_use");
}

async fn recommended_healthdcat_properties_round_trip_and_reach_the_rdf(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let h = holder(&app, "Rich Holder", "LU", false).await;
    let mut body = dataset(&h, "RICH-1");
    let recommended = json!({
        "sample": {"access_url": "https://holder.example.org/sample"},
        "analytics": [{"access_url": "https://holder.example.org/report", "format": "PDF"}],
        "custodian": {"name": "Imaging data office", "email": "office@holder.example.org"},
        "purposes": ["Imaging AI research"],
        "legal_bases": ["EHDS Chapter IV"],
        "personal_data": ["Age", "Gender"],
        "retention_period": {"start": "2012-01-01", "end": "2040-12-31"},
        "temporal_resolution": "P1M",
        "accrual_periodicity": "ANNUAL",
        "conforms_to": ["DICOM"],
        "referenced_by": ["https://doi.org/10.1000/example"],
        "relations": ["https://holder.example.org/related"],
        "pages": ["https://holder.example.org/docs"],
    });
    for (key, value) in recommended.as_object().unwrap() {
        body[key] = value.clone();
    }
    let id = create_published(&app, &h, &body).await;
    let stored: Value = app
        .get(&format!("/api/v1/datasets/{id}"), None)
        .await
        .json()
        .await
        .unwrap();
    for (key, value) in recommended.as_object().unwrap() {
        let stored_value = &stored["metadata"][key];
        match key.as_str() {
            // Distributions come back with every optional field spelled out.
            "sample" => assert_eq!(stored_value["access_url"], value["access_url"]),
            "analytics" => assert_eq!(stored_value[0]["format"], "PDF"),
            _ => assert_eq!(stored_value, value, "{key} round-trips"),
        }
    }
    let turtle = app
        .get(&format!("/api/v1/datasets/{id}.ttl"), None)
        .await
        .text()
        .await
        .unwrap();
    for term in [
        "adms:sample",
        "healthdcatap:analytics",
        "geodcatap:custodian",
        "dpv:hasPurpose",
        "dpv:hasLegalBasis",
        "dpv:hasPersonalData",
        "healthdcatap:retentionPeriod",
        "dcat:temporalResolution",
        "dct:accrualPeriodicity",
        "dct:conformsTo",
        "dct:isReferencedBy",
        "dct:relation",
        "foaf:page",
    ] {
        assert!(turtle.contains(term), "the Turtle export has {term}");
    }
    let mut invalid = dataset(&h, "RICH-2");
    invalid["temporal_resolution"] = json!("monthly");
    invalid["personal_data"] = json!(["date of birth"]);
    let response = app.post("/api/v1/datasets", &h.token, &invalid).await;
    let fields: Vec<String> = problem(response).await["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(fields, ["personal_data[0]", "temporal_resolution"]);
}

/// `hydra:totalItems` of a catalogue page, from its Turtle.
async fn catalogue_total(app: &TestApp) -> u64 {
    let turtle = app
        .get("/api/v1/catalogue.ttl?limit=1", None)
        .await
        .text()
        .await
        .unwrap();
    let after = turtle.split("totalItems").nth(1).unwrap();
    after.split('"').nth(1).unwrap().parse().unwrap()
}

/// The catalogue's size is counted once per state of the event log and remembered; every
/// publication and withdrawal is an event, so each shows in the very next page.
async fn the_catalogue_total_follows_every_publication_and_withdrawal(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let h = holder(&app, "Total Holder", "SE", false).await;
    assert_eq!(catalogue_total(&app).await, 0);
    let first = create_published(&app, &h, &dataset(&h, "TOTAL-1")).await;
    assert_eq!(catalogue_total(&app).await, 1);
    assert_eq!(catalogue_total(&app).await, 1, "the remembered count");
    let draft = create(&app, &h, &dataset(&h, "TOTAL-2")).await;
    assert_eq!(
        catalogue_total(&app).await,
        1,
        "a draft is not in the catalogue"
    );
    publish(&app, &h, draft["id"].as_str().unwrap()).await;
    assert_eq!(catalogue_total(&app).await, 2);
    assert_eq!(withdraw(&app, &h, &first).await.status(), 200);
    assert_eq!(
        catalogue_total(&app).await,
        1,
        "a withdrawal leaves the catalogue"
    );
}

/// Read-your-writes under concurrency: a publish is answered only once search shows it, also
/// when other publishes run beside it and one search-index commit serves several of them.
async fn concurrent_publishes_each_show_in_search_when_answered(db: TestDatabase) {
    let app = TestApp::spawn(db).await;
    let h = holder(&app, "Concurrent Holder", "FI", false).await;
    let mut drafts = Vec::new();
    for n in 0..8 {
        let identifier = format!("RYW-{n}");
        let draft = create(&app, &h, &dataset(&h, &identifier)).await;
        drafts.push((identifier, draft["id"].as_str().unwrap().to_owned()));
    }
    let publishing = drafts.iter().map(|(identifier, id)| {
        let (app, h) = (&app, &h);
        async move {
            assert_eq!(publish(app, h, id).await.status(), 200);
            let found = identifiers(&search(app, "q=thoracic&limit=100").await);
            assert!(
                found.contains(identifier),
                "{identifier} was answered before search showed it: {found:?}"
            );
        }
    });
    futures_util::future::join_all(publishing).await;
    assert_eq!(catalogue_total(&app).await, 8);
}
