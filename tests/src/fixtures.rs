//! Catalogue fixtures: a data holder with its publisher and committee, and valid datasets.
#![expect(
    clippy::unwrap_used,
    reason = "a fixture that cannot set up must stop the test loudly"
)]

use hdab_domain::auth::Role;
use reqwest::Method;
use serde_json::{Value, json};

use crate::TestApp;

/// A publisher, a committee serving it, and a data holder's token for it.
pub struct Holder {
    pub publisher: String,
    pub committee: String,
    pub token: String,
}

pub async fn holder(app: &TestApp, name: &str, country: &str, trusted: bool) -> Holder {
    let mut body = crate::publisher_body(name, country);
    body["trusted_data_holder"] = json!(trusted);
    let response = app
        .post("/api/v1/publishers", &app.admin_token(), &body)
        .await;
    assert_eq!(response.status(), 201);
    let publisher = response.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let committee: Value = app
        .post(
            "/api/v1/committees",
            &app.admin_token(),
            &json!({"name": format!("{name} DAC"), "publisher_ids": [publisher], "decision_rule": "majority"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let token = app.token(
        &format!("holder@{country}"),
        &[Role::DataHolder],
        std::slice::from_ref(&publisher),
    );
    Holder {
        publisher,
        committee: committee["id"].as_str().unwrap().to_owned(),
        token,
    }
}

/// A valid PUBLIC imaging dataset of `holder`; tests override what they look at.
pub fn dataset(holder: &Holder, identifier: &str) -> Value {
    json!({
        "identifier": identifier,
        "publisher_id": holder.publisher,
        "committee_id": holder.committee,
        "title": {"en": format!("Thoracic CT collection {identifier}")},
        "description": {"en": "Chest CT with outcomes."},
        "keywords": {"en": ["imaging"]},
        "access_rights": "PUBLIC",
        "health_categories": ["EHRS"],
        "countries": ["DE"],
        "temporal": {"start": "2012-01-01", "end": "2015-12-31"},
        "distributions": [{"access_url": "https://holder.example.org/access"}],
        "min_typical_age": 40,
        "max_typical_age": 80,
        "number_of_unique_individuals": 500,
        "imaging": {"cancer_conditions": ["C34"], "modalities": ["CT"], "body_parts": ["CHEST"], "manufacturers": ["Siemens Healthineers"]},
        "data_use": {"permission": {"code": "GRU"}},
    })
}

pub async fn create(app: &TestApp, holder: &Holder, body: &Value) -> Value {
    let response = app.post("/api/v1/datasets", &holder.token, body).await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    response.json().await.unwrap()
}

pub async fn publish(app: &TestApp, holder: &Holder, id: &str) -> reqwest::Response {
    lifecycle(app, holder, id, "publish").await
}

pub async fn withdraw(app: &TestApp, holder: &Holder, id: &str) -> reqwest::Response {
    lifecycle(app, holder, id, "withdraw").await
}

/// Moves dataset `id` along its lifecycle (`publish`, `withdraw`) as `holder`.
async fn lifecycle(app: &TestApp, holder: &Holder, id: &str, step: &str) -> reqwest::Response {
    app.send_json(
        Method::POST,
        &format!("/api/v1/datasets/{id}/{step}"),
        Some(&holder.token),
        &json!(null),
    )
    .await
}

pub async fn create_published(app: &TestApp, holder: &Holder, body: &Value) -> String {
    let id = create(app, holder, body).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(publish(app, holder, &id).await.status(), 200);
    id
}
