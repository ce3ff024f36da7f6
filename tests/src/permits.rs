//! Permit fixtures: Alice's access application partially approved through the two committees
//! of [`Review`] (A approves the lung CT dataset, B refuses the breast dataset), and the
//! permit it issued; visas and their verification over HTTP.
#![expect(
    clippy::unwrap_used,
    reason = "a fixture that cannot set up must stop the test loudly"
)]

use hdab_domain::auth::Role;
use reqwest::Method;
use serde_json::{Value, json};

use crate::TestApp;
use crate::applications::{Review, access_application, ok, researcher, under_review_as};

/// An application and the permit its approval issued.
pub struct Granted {
    pub application: String,
    pub permit: Value,
}

impl Granted {
    pub fn id(&self) -> String {
        self.permit["id"].as_str().unwrap().to_owned()
    }
}

/// Alice's application under review, then decided: committee A approves with a fee estimate,
/// B refuses.
pub async fn partially_approved(app: &TestApp, review: &Review) -> Granted {
    partially_approved_as(app, review, &access_application(&review.both_datasets())).await
}

/// [`partially_approved`] for the application `form`.
pub async fn partially_approved_as(app: &TestApp, review: &Review, form: &Value) -> Granted {
    let id = under_review_as(app, form).await;
    let (a, b) = (&review.committee_a, &review.committee_b);
    let ana = app.member_token("ana", std::slice::from_ref(a));
    let ben = app.member_token("ben", std::slice::from_ref(a));
    let dora = app.member_token("dora", std::slice::from_ref(b));
    let vote = |choice: &str| json!({"choice": choice, "reason": "Fits the purpose."});
    ok(
        app,
        &ana,
        &id,
        &format!("parts/{a}/votes"),
        &vote("approve"),
    )
    .await;
    ok(
        app,
        &ben,
        &id,
        &format!("parts/{a}/votes"),
        &vote("approve"),
    )
    .await;
    let decision = |outcome: &str| json!({"outcome": outcome, "reasons": "As voted."});
    let mut approval = decision("approve");
    approval["fee_estimate"] = json!({"amount_minor": 150_000, "currency": "EUR"});
    ok(app, &ana, &id, &format!("parts/{a}/decision"), &approval).await;
    ok(
        app,
        &dora,
        &id,
        &format!("parts/{b}/votes"),
        &vote("refuse"),
    )
    .await;
    let decided = ok(
        app,
        &dora,
        &id,
        &format!("parts/{b}/decision"),
        &decision("refuse"),
    )
    .await;
    assert_eq!(decided["status"], "partially_approved");
    let alice = researcher(app, "alice");
    let page: Value = app
        .get("/api/v1/permits", Some(&alice))
        .await
        .json()
        .await
        .unwrap();
    let permit = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["application_id"] == id.as_str())
        .cloned()
        .expect("the approval issued a permit the holder lists");
    Granted {
        application: id,
        permit,
    }
}

/// A partner's token, for verifying visas.
pub fn partner(app: &TestApp) -> String {
    app.token("spe-1", &[Role::Partner], &[])
}

/// The visas `token`'s caller gets for `permit`: the raw response.
pub async fn visas(app: &TestApp, token: &str, permit: &str) -> reqwest::Response {
    app.get(&format!("/api/v1/permits/{permit}/visas"), Some(token))
        .await
}

/// The first visa `token`'s caller gets for `permit`.
pub async fn first_visa(app: &TestApp, token: &str, permit: &str) -> String {
    let response = visas(app, token, permit).await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    let list: Value = response.json().await.unwrap();
    list["visas"][0]["visa"].as_str().unwrap().to_owned()
}

/// What `POST /permits/verify` says of `visa`.
pub async fn verify(app: &TestApp, visa: &str) -> Value {
    let response = app
        .post(
            "/api/v1/permits/verify",
            &partner(app),
            &json!({"visa": visa}),
        )
        .await;
    assert_eq!(response.status(), 200, "verify never fails on the visa");
    response.json().await.unwrap()
}

/// POSTs a command to `/api/v1/permits/{id}/{command}`.
pub async fn permit_command(
    app: &TestApp,
    token: &str,
    id: &str,
    command: &str,
    body: &Value,
) -> reqwest::Response {
    app.send_json(
        Method::POST,
        &format!("/api/v1/permits/{id}/{command}"),
        Some(token),
        body,
    )
    .await
}
