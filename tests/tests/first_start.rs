//! A newcomer's first start: in development mode an empty database gets the demo catalogue,
//! once; with an issuer configured it never does. What a harvester then reads of it.
#![expect(clippy::unwrap_used, reason = "test helpers fail loudly")]

use hdab_api::shell::config::AuthMode;
use hdab_tests::{TestApp, TestDatabase};
use serde_json::Value;

async fn total(app: &TestApp, query: &str) -> u64 {
    let page: Value = app
        .get(&format!("/api/v1/datasets?{query}"), None)
        .await
        .json()
        .await
        .unwrap();
    page["total"].as_u64().unwrap()
}

#[actix_web::test]
async fn a_first_start_in_development_mode_loads_the_demo_catalogue_once() {
    let app = TestApp::spawn_with(TestDatabase::sqlite(), |mut settings| {
        settings.demo_on_first_start = true;
        settings
    })
    .await;
    assert_eq!(total(&app, "").await, 31);
    assert!(
        total(&app, "q=Lungenkrebs&modality=CT&cancer_condition=C34").await >= 1,
        "the README's example finds the German lung cancer dataset"
    );
    let app = app.restart(|_| {}).await;
    assert_eq!(total(&app, "").await, 31, "not loaded twice");
}

#[actix_web::test]
async fn with_an_issuer_configured_the_demo_is_never_loaded() {
    let app = TestApp::spawn_with(TestDatabase::sqlite(), |mut settings| {
        settings.demo_on_first_start = true;
        settings.with_auth_mode(AuthMode::Oidc {
            issuer: "http://127.0.0.1:9/realms/hdab".into(),
            jwks_url: None,
        })
    })
    .await;
    assert_eq!(total(&app, "").await, 0);
}

#[actix_web::test]
async fn the_demo_catalogue_reads_well_to_a_harvester() {
    let app = TestApp::spawn_with(TestDatabase::sqlite(), |mut settings| {
        settings.demo_on_first_start = true;
        settings
    })
    .await;
    let objects: Vec<Value> = app
        .get("/api/v1/catalogue.jsonld?limit=100", None)
        .await
        .json()
        .await
        .unwrap();
    // The expanded JSON-LD may describe one node in several objects: merge them by `@id`.
    let mut merged: std::collections::BTreeMap<String, serde_json::Map<String, Value>> =
        std::collections::BTreeMap::new();
    for object in objects {
        let id = object["@id"].as_str().unwrap().to_owned();
        let node = merged.entry(id).or_default();
        for (key, value) in object.as_object().unwrap() {
            match (node.get_mut(key), value) {
                (Some(Value::Array(known)), Value::Array(more)) => known.extend(more.clone()),
                _ => {
                    node.insert(key.clone(), value.clone());
                }
            }
        }
    }
    let nodes: Vec<Value> = merged.into_values().map(Value::Object).collect();
    let is_a = |node: &Value, class: &str| {
        let types = node
            .get("@type")
            .or_else(|| node.get("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"));
        types
            .and_then(Value::as_array)
            .is_some_and(|types| types.iter().any(|t| t == class || t["@id"] == class))
    };
    let distributions: Vec<&Value> = nodes
        .iter()
        .filter(|n| is_a(n, "http://www.w3.org/ns/dcat#Distribution"))
        .collect();
    assert!(
        distributions.len() >= 31,
        "{} distributions in {} nodes",
        distributions.len(),
        nodes.len()
    );
    for distribution in &distributions {
        assert!(
            distribution
                .get("http://purl.org/dc/terms/license")
                .is_some(),
            "{} states no licence",
            distribution["@id"]
        );
    }
    for node in &nodes {
        let id = node["@id"].as_str().unwrap_or_default();
        assert!(!id.starts_with("_:"), "a blank node: {node}");
    }
    let purposes: Vec<&str> = nodes
        .iter()
        .filter(|n| is_a(n, "https://w3id.org/dpv#Purpose"))
        .map(|n| n["@id"].as_str().unwrap())
        .collect();
    assert!(!purposes.is_empty() && purposes.iter().all(|id| id.contains("#purpose-")));
}
