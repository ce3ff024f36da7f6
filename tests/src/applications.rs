//! Application fixtures: two publishers whose datasets two committees review by different
//! rules, and complete application forms.
#![expect(
    clippy::unwrap_used,
    reason = "a fixture that cannot set up must stop the test loudly"
)]

use hdab_domain::auth::Role;
use reqwest::{Method, Response};
use serde_json::{Value, json};

use crate::TestApp;
use crate::fixtures::{Holder, create_published, dataset};

/// Committee A decides by majority with a quorum of 2 (ana chairs, ben and cem sit; cem works
/// for the applicant's university); committee B's chair dora decides, emil sits. Each reviews
/// one publisher's published dataset.
pub struct Review {
    pub committee_a: String,
    pub committee_b: String,
    pub dataset_a: String,
    pub dataset_b: String,
    pub holder_a: Holder,
    pub holder_b: Holder,
}

pub const APPLICANT_ORGANISATION: &str = "Universität Heidelberg";

impl Review {
    pub async fn set_up(app: &TestApp) -> Self {
        let publisher_a = app.create_publisher("Radiology Network A", "DE").await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let publisher_b = app.create_publisher("Oncology Registry B", "FR").await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let committee_a = committee(
            app,
            "Imaging DAC A",
            &publisher_a,
            "majority",
            2,
            json!([
                {"subject": "ana", "role": "chair"},
                {"subject": "ben", "role": "member"},
                {"subject": "cem", "role": "member", "organisation": APPLICANT_ORGANISATION},
            ]),
        )
        .await;
        let committee_b = committee(
            app,
            "Registry DAC B",
            &publisher_b,
            "chair_decides",
            1,
            json!([
                {"subject": "dora", "role": "chair"},
                {"subject": "emil", "role": "member"},
            ]),
        )
        .await;
        let holder = |publisher: &str, committee: &str, subject: &str| Holder {
            publisher: publisher.to_owned(),
            committee: committee.to_owned(),
            token: app.token(subject, &[Role::DataHolder], &[publisher.to_owned()]),
        };
        let holder_a = holder(&publisher_a, &committee_a, "holder-a");
        let holder_b = holder(&publisher_b, &committee_b, "holder-b");
        let dataset_a = create_published(app, &holder_a, &dataset(&holder_a, "LUNG-CT-A")).await;
        let mut breast = dataset(&holder_b, "BREAST-MG-B");
        breast["data_use"] = json!({"permission": {"code": "DS", "disease": "C50"}});
        let dataset_b = create_published(app, &holder_b, &breast).await;
        Self {
            committee_a,
            committee_b,
            dataset_a,
            dataset_b,
            holder_a,
            holder_b,
        }
    }

    pub fn both_datasets(&self) -> Vec<String> {
        vec![self.dataset_a.clone(), self.dataset_b.clone()]
    }
}

async fn committee(
    app: &TestApp,
    name: &str,
    publisher: &str,
    rule: &str,
    quorum: u32,
    members: Value,
) -> String {
    let response = app
        .post(
            "/api/v1/committees",
            &app.admin_token(),
            &json!({"name": name, "publisher_ids": [publisher], "members": members, "decision_rule": rule, "quorum": quorum}),
        )
        .await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    response.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A complete access application by an academic applicant for lung-cancer research (C34.1).
pub fn access_application(datasets: &[String]) -> Value {
    json!({
        "kind": "access_application",
        "organisation": {"name": APPLICANT_ORGANISATION, "organisation_type": "academic", "country": "DE"},
        "principal_investigator": {"subject": "alice", "name": "Dr Alice Lindqvist", "email": "alice@uni-heidelberg.example"},
        "purpose": {
            "purpose": "scientific_research",
            "research_kind": "algorithm_training",
            "explanation": "Training a nodule classifier on low-dose CT.",
            "expected_benefit": "Earlier detection in screening."
        },
        "dataset_ids": datasets,
        "declared_use": {"diseases": ["C34.1"], "publication_intended": true},
        "art_54_declaration": true,
        "access": {
            "authorised_persons": [{"subject": "bruno", "name": "Bruno Keller", "email": "bruno@uni-heidelberg.example"}],
            "data": {"variables": ["age_at_imaging", "stage"], "population": "Adults with a chest CT."},
            "data_form": "anonymised",
            "safeguards": "Processing only inside the secure processing environment.",
            "processing_months": 24,
            "spe_tools": ["Python 3.12", "PyTorch"]
        }
    })
}

pub fn researcher(app: &TestApp, subject: &str) -> String {
    app.token(subject, &[Role::Researcher], &[])
}

/// Creates `form` as `token`'s draft and returns it.
pub async fn draft(app: &TestApp, token: &str, form: &Value) -> Value {
    let response = app.post("/api/v1/applications", token, form).await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    response.json().await.unwrap()
}

/// POSTs a command to `/api/v1/applications/{id}/{command}`.
pub async fn command(
    app: &TestApp,
    token: &str,
    id: &str,
    command: &str,
    body: &Value,
) -> Response {
    app.send_json(
        Method::POST,
        &format!("/api/v1/applications/{id}/{command}"),
        Some(token),
        body,
    )
    .await
}

/// Runs a command that must succeed and returns the application after it.
pub async fn ok(app: &TestApp, token: &str, id: &str, name: &str, body: &Value) -> Value {
    let response = command(app, token, id, name, body).await;
    assert_eq!(
        response.status(),
        200,
        "{name}: {}",
        response.text().await.unwrap()
    );
    response.json().await.unwrap()
}

/// A submitted and accepted (under review) application of `alice` for both datasets.
pub async fn under_review(app: &TestApp, review: &Review) -> String {
    under_review_as(app, &access_application(&review.both_datasets())).await
}

/// `form`, drafted, submitted and accepted as `alice`'s application.
pub async fn under_review_as(app: &TestApp, form: &Value) -> String {
    let alice = researcher(app, "alice");
    let id = draft(app, &alice, form).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(app, &alice, &id, "submit", &json!({})).await;
    ok(app, &app.admin_token(), &id, "accept", &json!({})).await;
    id
}

/// The actions of an application's history, oldest first, as `token`'s caller sees them.
pub async fn history_actions(app: &TestApp, token: &str, id: &str) -> Vec<String> {
    let page: Value = app
        .get(&format!("/api/v1/applications/{id}/history"), Some(token))
        .await
        .json()
        .await
        .unwrap();
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect()
}

/// The deadline alerts an application's history records, oldest first.
pub async fn deadline_alerts(app: &TestApp, id: &str) -> Vec<String> {
    history_actions(app, &app.admin_token(), id)
        .await
        .into_iter()
        .filter(|action| action.contains("deadline") || action.contains("overdue"))
        .collect()
}
